// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * How the CLI runs `insmod`'s job, started as early as possible and watched
 * through the heartbeat so that a handler that never returns is reported
 * and stopped (exit status 3). Two ways, the same output:
 *
 * - **Kernel on the main thread** (the CLI process when FFI is allowed, as
 *   with `-A`): the library loads at once and the job runs here; a small
 *   watchdog Worker (`_cli_watchdog.ts`) watches the heartbeat and, on
 *   expiry, prints the report and ends the process through libc's `_exit()`.
 *   The kernel's path to the first guest instruction no longer waits for a
 *   Worker to start (~33 ms of the demo's start-up on this machine).
 * - **Kernel in a Worker** (`cli_worker.ts`; without FFI, e.g.
 *   `--allow-read=.` only, and for `main()` called in-process): the main
 *   thread watches and terminates the Worker.
 *
 * Private to the CLI.
 *
 * @module
 */

import { HEARTBEAT_BYTES, HeartbeatWatch } from "./kernel-model/watchdog.ts";
import {
  type CliJob,
  type CliRunSummary,
  type CliWorkerMessage,
  EXIT_INCIDENT,
  EXIT_USER_ERROR,
  lockupReport,
  type WatchdogMessage,
} from "./_cli_protocol.ts";
import { openProcessExit } from "./_cli_watchdog.ts";

/** A job as the main thread knows it, before the heartbeat and port are made. */
export type InsmodRun = Omit<CliJob, "heartbeat" | "port">;

const NO_SUMMARY: CliRunSummary = {
  stopReason: null,
  instructions: 0,
  incidents: { oopses: 0, panics: 0, handlerErrors: 0, lockups: 0 },
};

/** The kernel's worker and the first error it reported before its job was sent. */
export interface KernelWorker {
  worker: Worker;
  error: string | null;
}

/** The kernel's runner, loaded on the main thread, and the watchdog worker that guards it. */
export interface KernelOnMain {
  /** `_cli_watchdog.ts`, waiting for the heartbeat. */
  watchdog: Worker;
  /** `cli_worker.ts` (runCliJob), whose library and arch are loading. */
  runner: Promise<typeof import("./cli_worker.ts")>;
}

/** Where `insmod`'s kernel runs: a Worker, or the main thread under a watchdog Worker. */
export type KernelPlace = KernelWorker | KernelOnMain;

/** The result of an insmod run. */
export interface InsmodResult {
  /** Exit status. */
  code: number;
  /** Error lines for stderr. */
  errors: string[];
  /** For the `--json` summary. */
  summary: CliRunSummary;
}

/**
 * Can a Worker end this process with a status? True when libc's `_exit()`
 * opens through FFI (granted, never prompted for).
 */
function workerCanExitProcess(): boolean {
  const exit = openProcessExit();
  exit?.close();
  return exit !== null;
}

/**
 * Starts where the kernel will run: on the main thread (its library and the
 * modules of `arch` loading at once, a watchdog Worker starting beside)
 * when `onMain` and a Worker can end the process, else in a Worker.
 *
 * @param arch The arch to load ahead (a hint: the job says which arch boots).
 * @param onMain Whether the kernel may run on the main thread.
 */
export function startKernel(arch: string | undefined, onMain: boolean): KernelPlace {
  if (!onMain || !workerCanExitProcess()) return startWorker(arch);
  const watchdog = new Worker(new URL("./_cli_watchdog.ts", import.meta.url).href, {
    type: "module",
  });
  // Computed URL: a literal import() would have Deno read the library
  // before this module's first line.
  const runner: Promise<typeof import("./cli_worker.ts")> = import(
    new URL("./cli_worker.ts", import.meta.url).href
  ).then((m: typeof import("./cli_worker.ts")) => {
    m.prefetchKernel(arch);
    return m;
  });
  // A failure is reported when the job awaits it.
  runner.catch(() => {});
  return { watchdog, runner };
}

/**
 * Stops what {@linkcode startKernel} started (a command that did not need it).
 *
 * @param place The kernel's place.
 */
export function stopKernel(place: KernelPlace): void {
  if ("watchdog" in place) place.watchdog.terminate();
  else place.worker.terminate();
}

/**
 * Starts the kernel's worker; it loads the library while the main thread
 * parses, and the modules of `arch` (a hint: the job says which arch boots).
 */
function startWorker(arch?: string): KernelWorker {
  const worker = new Worker(new URL("./cli_worker.ts", import.meta.url).href, {
    type: "module",
    name: arch,
  });
  const kw: KernelWorker = { worker, error: null };
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    kw.error ??= e.message;
  };
  return kw;
}

/**
 * Where `insmod` will most likely run its kernel, started before anything
 * else when the command line begins with `insmod` (not asking for help) and
 * the package's directory is readable: otherwise null, and the command's own
 * checks report a denied read as before.
 *
 * @param args The command line.
 * @param onMain Whether the kernel may run on the main thread ({@linkcode startKernel}).
 */
export function startKernelEarly(args: readonly string[], onMain: boolean): KernelPlace | null {
  if (args[0] !== "insmod" || args.includes("--help") || args.includes("-h")) return null;
  const pkg = new URL(".", import.meta.url);
  if (pkg.protocol !== "file:") return null;
  try {
    const desc = { name: "read", path: decodeURIComponent(pkg.pathname) } as const;
    if (Deno.permissions.querySync(desc).state !== "granted") return null;
  } catch {
    return null;
  }
  return startKernel(archHint(args), onMain);
}

/** The value of the last `--arch V` or `--arch=V` in `args`, else x86_64 (the default). */
function archHint(args: readonly string[]): string {
  let arch = "x86_64";
  for (let i = 1; i < args.length; i++) {
    if (args[i] === "--") break;
    if (args[i] === "--arch" && i + 1 < args.length) arch = args[++i];
    else if (args[i].startsWith("--arch=")) arch = args[i].slice("--arch=".length);
  }
  return arch;
}

/** The console timestamp a message prints, `[    0.001234] `, or null. */
function stampOf(m: CliWorkerMessage): string | null {
  if (m.kind === "line") return /^\[[ \d.]+\] /.exec(m.line)?.[0] ?? null;
  if (m.kind === "record" && m.record.type === "log" && m.record.timestamp !== null) {
    return `[${m.record.timestamp.toFixed(6).padStart(12)}] `;
  }
  return m.kind === "stamp" ? m.stamp : null;
}

/**
 * Runs `insmod` where `place` says, streaming its console lines to `out`;
 * on a handler that outlives the watchdog, stops the kernel and prints the
 * soft-lockup report (on the main thread: the watchdog worker prints it and
 * ends the process with status 3).
 *
 * @param run The job.
 * @param out Receives each stdout line.
 * @param place From {@linkcode startKernel}.
 * @returns The exit status, the error lines and the summary.
 */
export function insmodIn(
  run: InsmodRun,
  out: (line: string) => void,
  place: KernelPlace,
): Promise<InsmodResult> {
  return "watchdog" in place ? insmodOnMain(run, out, place) : insmodInWorker(run, out, place);
}

/** `insmod` on this thread, its heartbeat watched by the watchdog worker. */
async function insmodOnMain(
  run: InsmodRun,
  out: (line: string) => void,
  place: KernelOnMain,
): Promise<InsmodResult> {
  const heartbeat = new SharedArrayBuffer(HEARTBEAT_BYTES);
  const dog = place.watchdog;
  const tell = (m: WatchdogMessage) => dog.postMessage(m);
  tell({ kind: "start", heartbeat, watchdog: run.watchdog, json: run.json });
  let stamp = "";
  let result: InsmodResult | null = null;
  // Module code failing outside any kernel call (a rejected promise nobody
  // awaits, a throwing timer): in a Worker it ends the run with status 1;
  // here the run goes on and then exits 1 the same way.
  let stray: string | null = null;
  const onStray = (e: Event) => {
    e.preventDefault();
    const reason = e instanceof ErrorEvent ? e.message : (e as PromiseRejectionEvent).reason;
    stray ??= reason instanceof Error ? reason.message : String(reason);
  };
  globalThis.addEventListener("error", onStray);
  globalThis.addEventListener("unhandledrejection", onStray);
  // Module code calling Deno.exit() ends only the kernel's thread, as in a
  // Worker: that thread stops for good, and the watchdog reports the call
  // that never returned (exit status 3), not a silent exit of the CLI.
  const exit = Deno.exit;
  Deno.exit = (): never => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    throw new Error("unreachable: the kernel's thread was woken");
  };
  const post = (m: CliWorkerMessage) => {
    switch (m.kind) {
      case "line":
        out(m.line);
        break;
      case "record":
        out(JSON.stringify(m.record));
        break;
      case "label":
      case "modules":
        return tell(m);
      case "done":
        result = { code: m.code, errors: m.errors, summary: m.summary };
        return;
    }
    const t = stampOf(m);
    if (t !== null && t !== stamp) tell({ kind: "stamp", stamp: stamp = t });
  };
  try {
    const { runCliJobSafely } = await place.runner;
    await runCliJobSafely({ ...run, heartbeat }, post);
  } catch (e) {
    stray ??= e instanceof Error ? e.message : String(e);
  } finally {
    dog.terminate();
    Deno.exit = exit;
    globalThis.removeEventListener("error", onStray);
    globalThis.removeEventListener("unhandledrejection", onStray);
  }
  if (stray !== null || result === null) {
    return {
      code: EXIT_USER_ERROR,
      errors: [
        `Cannot finish the run: the kernel's thread failed: ${stray ?? "it did not finish"}`,
      ],
      summary: NO_SUMMARY,
    };
  }
  return result;
}

/** `insmod` in the kernel's worker, watched from this thread. */
function insmodInWorker(
  run: InsmodRun,
  out: (line: string) => void,
  kw: KernelWorker,
): Promise<InsmodResult> {
  const buffer = new SharedArrayBuffer(HEARTBEAT_BYTES);
  const watch = new HeartbeatWatch(buffer, run.watchdog);
  const labels = new Map<number, string>();
  let modules: string[] = [];
  let stamp = "";
  const worker = kw.worker;
  const channel = new MessageChannel();
  return new Promise((resolve) => {
    let finished = false;
    const finish = (code: number, errors: string[], summary = NO_SUMMARY) => {
      if (finished) return;
      finished = true;
      worker.terminate();
      channel.port1.close();
      resolve({ code, errors, summary });
    };
    // Polled by a chain of AbortSignal.timeout()s, not setInterval: Deno's
    // global timers load the node:timers polyfill on first use (~12 ms of
    // the main thread's start-up, quiet machine); the web timer behind
    // AbortSignal.timeout is already loaded. A tick after finish() does nothing.
    const period = Math.min(100, run.watchdog * 250);
    const schedule = () =>
      AbortSignal.timeout(period).addEventListener("abort", tick, { once: true });
    const tick = () => {
      if (finished) return;
      const x = watch.poll(performance.now());
      if (x === null) return schedule();
      worker.terminate();
      const r = lockupReport(run, x, { labels, modules, stamp });
      for (const l of r.lines) out(l);
      finish(EXIT_INCIDENT, r.errors, r.summary);
    };
    schedule();
    // The worker answers on a private port: module code in the worker can
    // call the global postMessage, but cannot forge these messages.
    channel.port1.onmessage = (e: MessageEvent<CliWorkerMessage>) => {
      if (finished) return;
      const m = e.data;
      stamp = stampOf(m) ?? stamp;
      switch (m.kind) {
        case "line":
          out(m.line);
          return;
        case "record":
          out(JSON.stringify(m.record));
          return;
        case "label":
          labels.set(m.id, m.text);
          return;
        case "modules":
          modules = m.names;
          return;
        case "done":
          finish(m.code, m.errors, m.summary);
      }
    };
    const failed = (message: string) =>
      finish(EXIT_USER_ERROR, [`Cannot finish the run: the kernel's worker failed: ${message}`]);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      failed(e.message);
    };
    if (kw.error !== null) return failed(kw.error);
    const job: CliJob = { ...run, heartbeat: buffer, port: channel.port2 };
    worker.postMessage(job, [channel.port2]);
  });
}
