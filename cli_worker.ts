// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The CLI's kernel, run in a Worker so that the CLI's main thread can
 * terminate it when a probe handler never returns (a synchronous
 * JavaScript loop cannot be interrupted in its own thread). The main
 * thread (`cli.ts`) sends one {@linkcode CliJob}; the worker boots, inserts
 * the modules, runs the workload, removes every module and answers with
 * {@linkcode CliWorkerMessage}s: console lines as they are printed, heartbeat
 * labels, the loaded module list and finally the exit status. Workers
 * inherit the main thread's permissions, so `--allow-read=…` limits module
 * code here too.
 *
 * @module
 */

import type { Kernel } from "./mod.ts";
import { ARCH_NAMES, loadArch } from "./arch/load_arch.ts";
import { Heartbeat } from "./kernel-model/watchdog.ts";
import {
  type CliJob,
  type CliProbe,
  type CliRunSummary,
  type CliWorkerMessage,
  logRecord,
} from "./_cli_protocol.ts";

export type {
  CliJob,
  CliModule,
  CliProbe,
  CliRecord,
  CliRunSummary,
  CliWorkerMessage,
} from "./_cli_protocol.ts";
export { logRecord } from "./_cli_protocol.ts";

/**
 * Imports the library. The URL is computed on purpose: Deno loads every
 * module a literal `import()` names (and all they import: every arch)
 * before this module's first line, and the worker should start loading the
 * library and its one arch at once instead.
 */
function importLibrary(): Promise<typeof import("./mod.ts")> {
  return import(new URL("./mod.ts", import.meta.url).href);
}

/** Parses the debugfs list and kprobe_profile texts into one entry per probe. */
export function probesOf(list: string, profile: string): CliProbe[] {
  const stats = profile.split("\n").filter((l) => l.trim() !== "").map((l) => {
    const m = /^\s*(\S+)\s+(\d+)\s+(\d+)\s*$/.exec(l);
    return m === null ? null : { name: m[1], hits: Number(m[2]), nmissed: Number(m[3]) };
  });
  return list.split("\n").filter((l) => l.trim() !== "").map((l, i) => {
    const [addr = "", kind = "", symbol = ""] = l.trim().split(/\s+/);
    const tags = [...l.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]);
    const known = ["DISABLED", "GONE", "OPTIMIZED", "FTRACE"];
    const stat = stats[i];
    const same = stat !== null && stat !== undefined && stat.name === symbol;
    return {
      addr: `0x${addr}`,
      kind,
      symbol,
      module: tags.find((t) => !known.includes(t)) ?? null,
      flags: tags.filter((t) => known.includes(t)),
      hits: same ? stat.hits : null,
      nmissed: same ? stat.nmissed : null,
    };
  });
}

function describe(e: unknown): string {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return "(an exception that cannot be printed)";
  }
}

/** A permission denial hidden under a module loader's "file not found". */
function deniedRead(e: unknown): boolean {
  let c = e;
  for (let i = 0; i < 4 && c instanceof Error; i++) {
    if (c instanceof Deno.errors.NotCapable || c instanceof Deno.errors.PermissionDenied) {
      return true;
    }
    c = c.cause;
  }
  return false;
}

function incidentText(k: Kernel): string | null {
  const i = k.incidents;
  const parts: string[] = [];
  const n = (count: number, one: string, many: string) => {
    if (count > 0) parts.push(`${count} ${count === 1 ? one : many}`);
  };
  n(i.oopses, "Oops", "Oopses");
  n(i.panics, "panic", "panics");
  n(i.handlerErrors, "handler exception", "handler exceptions");
  n(i.lockups, "watchdog report", "watchdog reports");
  return parts.length === 0 ? null : parts.join(", ");
}

const INCIDENT_KINDS = [
  ["oopses", "oops"],
  ["panics", "panic"],
  ["handlerErrors", "handler_exception"],
  ["lockups", "lockup"],
] as const;

/**
 * Runs one CLI job; `post` receives the messages.
 *
 * @param job What to run.
 * @param post Where the messages go.
 */
export async function runCliJob(job: CliJob, post: (m: CliWorkerMessage) => void): Promise<void> {
  const { Kernel, KernelError } = await importLibrary();
  const errors: string[] = [];
  let failed = false;
  let broken = false;
  const summary: CliRunSummary = {
    stopReason: null,
    instructions: 0,
    incidents: { oopses: 0, panics: 0, handlerErrors: 0, lockups: 0 },
  };
  const beat = new Heartbeat(job.heartbeat, (id, text) => post({ kind: "label", id, text }));
  let kernel: Kernel | undefined;
  let booted = false;
  const seen = { ...summary.incidents };
  /** Sends a record for each incident counter that grew since the last look. */
  const incidents = () => {
    if (kernel === undefined || !job.json) return;
    const now = kernel.incidents;
    for (const [key, kind] of INCIDENT_KINDS) {
      if (now[key] > seen[key]) {
        post({ kind: "record", record: { type: "incident", kind, count: now[key] } });
      }
      seen[key] = now[key];
    }
  };
  const sink = (line: string, level?: number) => {
    if (job.quiet && !booted) {
      // Dropped, but its time still stamps a report the main thread prints.
      const t = /^\[[ \d.]+\] /.exec(line);
      if (t !== null) post({ kind: "stamp", stamp: t[0] });
      return;
    }
    if (!job.json) return post({ kind: "line", line });
    post({ kind: "record", record: logRecord(line, level ?? 4, null) });
    incidents();
  };
  const text = (lines: string) => {
    for (const line of lines.replace(/\n$/, "").split("\n")) post({ kind: "line", line });
  };
  try {
    kernel = await Kernel.boot({
      arch: job.arch,
      cpus: job.cpus,
      preempt: job.preempt,
      console: sink,
      heartbeat: beat,
    });
    booted = true;
  } catch (e) {
    post({ kind: "done", code: 1, errors: [describe(e)], summary });
    return;
  }
  const k = kernel;
  const loaded: string[] = [];
  try {
    for (const { file, params } of job.modules) {
      beat.enterPhase(`loading module "${file}"`);
      try {
        loaded.push((await k.insmod(file, { params })).name);
      } catch (e) {
        if (!(e instanceof KernelError) || !deniedRead(e)) throw e;
        throw new KernelError(
          `Cannot insert module "${file}": read access to it is denied, allow it with --allow-read=<its directory>`,
        );
      } finally {
        beat.leave();
      }
      post({ kind: "modules", names: [...loaded] });
    }
    if (job.list) {
      const probes = probesOf(k.kprobesList(), k.kprobeProfile());
      const modules = k.lsmod().map(({ name, probes, origin }) => ({ name, probes, origin }));
      if (job.json) {
        post({ kind: "record", record: { type: "kprobes_list", probes } });
        post({ kind: "record", record: { type: "lsmod", modules } });
      } else {
        text(`==> /sys/kernel/debug/kprobes/list <==\n${k.kprobesList()}`);
        text(
          `==> lsmod <==\nModule                  Probes  Used by\n${
            modules.map((m) => `${m.name.padEnd(19)} ${String(m.probes).padStart(8)}  0\n`)
              .join("")
          }`,
        );
      }
    }
    const r = k.run({ workload: job.workload, watchdog: job.watchdog, watchdogClock: "host" });
    summary.stopReason = r.stopReason;
    summary.instructions = r.instructions;
    if (job.json) {
      for (const { pid, cpu, call, ret } of r.syscalls) {
        post({ kind: "record", record: { type: "syscall", pid, cpu, call, ret } });
      }
      for (const p of probesOf(k.kprobesList(), k.kprobeProfile())) {
        post({ kind: "record", record: { type: "probe", ...p } });
      }
    } else if (job.profile) {
      text(`==> /sys/kernel/debug/tracing/kprobe_profile <==\n${k.kprobeProfile()}`);
    }
    if (r.stopReason === "instructionLimit") {
      throw new KernelError(
        "Cannot finish the workload: the kernel stopped making progress, see the log above",
      );
    }
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    errors.push(e.message);
    failed = true;
  } finally {
    // Every module's cleanup_module runs, whatever the others do.
    for (const name of loaded.reverse()) {
      try {
        k.rmmod(name);
      } catch (e) {
        errors.push(describe(e));
        broken = true;
      }
      post({ kind: "modules", names: k.lsmod().map((m) => m.name) });
    }
    await k.shutdown();
  }
  incidents();
  summary.incidents = k.incidents;
  const found = incidentText(k);
  if (found !== null) {
    errors.push(
      `Cannot run the workload cleanly: the kernel reported ${found}, see the log above`,
    );
    broken = true;
  }
  post({ kind: "done", code: broken ? 3 : failed ? 1 : 0, errors, summary });
}

if (import.meta.main) {
  const scope = globalThis as unknown as {
    name?: unknown;
    onmessage: ((e: MessageEvent<CliJob>) => void) | null;
  };
  // Start-up: load the library and the architecture the main thread named
  // (the worker's name, a hint) at once, while the job is on its way: two
  // module graphs fetched together wait less than one after the other, and
  // this module's own static graph stays small. runCliJob's and Kernel.boot's
  // imports then find them loaded; a failure is reported there.
  importLibrary().catch(() => {});
  if ((ARCH_NAMES as readonly unknown[]).includes(scope.name)) {
    loadArch(scope.name as string).catch(() => {});
  }
  scope.onmessage = (e) => {
    scope.onmessage = null;
    const port = e.data.port;
    runCliJob(e.data, (m) => port.postMessage(m)).catch((err) => {
      let text: string;
      try {
        text = err instanceof Error ? (err.stack ?? err.message) : String(err);
      } catch {
        text = "(an exception that cannot be printed)";
      }
      port.postMessage({
        kind: "done",
        code: 1,
        errors: [`internal error: ${text}`],
        summary: {
          stopReason: null,
          instructions: 0,
          incidents: { oopses: 0, panics: 0, handlerErrors: 0, lockups: 0 },
        },
      });
    });
  };
}
