// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The CLI's watchdog thread for a kernel that runs on the main thread
 * (`insmod` when FFI is allowed, see `_cli_run.ts`): a Worker that watches
 * the kernel's heartbeat and, when a handler outlives `--watchdog`, prints
 * the soft-lockup report, the errors and (with `--json`) the summary exactly
 * as the main thread would, then ends the whole process with exit status 3.
 * A Worker's `Deno.exit()` ends only the Worker, and the main thread is stuck
 * in the handler, so the process ends through libc's `_exit()` (FFI), opened
 * when the worker starts. Private to the CLI.
 *
 * @module
 */

import { HeartbeatWatch } from "./kernel-model/watchdog.ts";
import {
  EXIT_INCIDENT,
  lockupReport,
  type LockupSeen,
  summaryRecord,
  type WatchdogMessage,
} from "./_cli_protocol.ts";

/** Ends the process at once with a status; nothing after it runs. */
export type ProcessExit = (code: number) => never;

/** The library holding `_exit()` on this OS, or null where the CLI does not use one. */
function exitLibrary(): { path: string; symbol: "_exit" } | null {
  switch (Deno.build.os) {
    case "linux":
      return { path: "libc.so.6", symbol: "_exit" };
    case "darwin":
      return { path: "libSystem.B.dylib", symbol: "_exit" };
    default:
      return null;
  }
}

/**
 * libc's `_exit()`, when FFI is granted (never prompting for it) and the
 * library opens: the means for a Worker to end the process with a status.
 *
 * @returns The exit function, or null.
 */
export function openProcessExit(): { exit: ProcessExit; close: () => void } | null {
  const lib = exitLibrary();
  if (lib === null) return null;
  try {
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
    const dl = Deno.dlopen(lib.path, { [lib.symbol]: { parameters: ["i32"], result: "void" } });
    const fn = dl.symbols[lib.symbol] as (code: number) => void;
    return {
      exit: (code: number): never => {
        fn(code);
        throw new Error("unreachable: _exit() returned");
      },
      close: () => dl.close(),
    };
  } catch {
    return null;
  }
}

/**
 * Watches one run: polls the heartbeat (a chain of `AbortSignal.timeout()`s,
 * as the worker-mode watchdog does) and, on expiry, prints and exits 3.
 */
function watch(first: Extract<WatchdogMessage, { kind: "start" }>, exit: ProcessExit): {
  update: (m: WatchdogMessage) => void;
} {
  const watch = new HeartbeatWatch(first.heartbeat, first.watchdog);
  const seen: LockupSeen = { labels: new Map(), modules: [], stamp: "" };
  const period = Math.min(100, first.watchdog * 250);
  const tick = () => {
    const x = watch.poll(performance.now());
    if (x === null) {
      AbortSignal.timeout(period).addEventListener("abort", tick, { once: true });
      return;
    }
    const r = lockupReport(first, x, seen);
    for (const line of r.lines) console.log(line);
    if (first.json) console.log(JSON.stringify(summaryRecord(EXIT_INCIDENT, r.errors, r.summary)));
    for (const line of r.errors.join("\n").split("\n")) {
      if (line !== "") console.error(`error: ${line}`);
    }
    exit(EXIT_INCIDENT);
  };
  tick();
  return {
    update: (m) => {
      if (m.kind === "label") seen.labels.set(m.id, m.text);
      else if (m.kind === "modules") seen.modules = m.names;
      else if (m.kind === "stamp") seen.stamp = m.stamp;
    },
  };
}

if (import.meta.main) {
  const scope = globalThis as unknown as {
    onmessage: ((e: MessageEvent<WatchdogMessage>) => void) | null;
  };
  // Opened now, so that firing needs nothing more than the call. The main
  // thread opened the same library before it chose this mode; should it
  // fail here all the same, the process is killed (status 137, not 3)
  // rather than left hanging.
  const exit: ProcessExit = openProcessExit()?.exit ?? ((): never => {
    Deno.kill(Deno.pid, "SIGKILL");
    throw new Error("unreachable: the process was killed");
  });
  let run: { update: (m: WatchdogMessage) => void } | null = null;
  scope.onmessage = (e) => {
    const m = e.data;
    if (m.kind === "start") run ??= watch(m, exit);
    else run?.update(m);
  };
}
