// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * How the CLI runs `insmod`'s job: in a Worker (`cli_worker.ts`) started as
 * early as possible, watched through the heartbeat so that a handler that
 * never returns is reported and stopped. Private to the CLI.
 *
 * @module
 */

import { formatHandlerLockup, HEARTBEAT_BYTES, HeartbeatWatch } from "./kernel-model/watchdog.ts";
import {
  type CliJob,
  type CliRecord,
  type CliRunSummary,
  type CliWorkerMessage,
  EXIT_INCIDENT,
  EXIT_USER_ERROR,
  logRecord,
} from "./_cli_protocol.ts";

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

/**
 * Starts the kernel's worker; it loads the library while the main thread
 * parses, and the modules of `arch` (a hint: the job says which arch boots).
 */
export function startWorker(arch?: string): KernelWorker {
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
 * The worker `insmod` will most likely use, started before anything else
 * when the command line begins with `insmod` (not asking for help) and the
 * package's directory is readable: otherwise null, and the command's own
 * checks report a denied read as before.
 */
export function startWorkerEarly(args: readonly string[]): KernelWorker | null {
  if (args[0] !== "insmod" || args.includes("--help") || args.includes("-h")) return null;
  const pkg = new URL(".", import.meta.url);
  if (pkg.protocol !== "file:") return null;
  try {
    const desc = { name: "read", path: decodeURIComponent(pkg.pathname) } as const;
    if (Deno.permissions.querySync(desc).state !== "granted") return null;
  } catch {
    return null;
  }
  return startWorker(archHint(args));
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

/**
 * Runs `insmod` in a worker, streaming its console lines to `out`; on a
 * handler that outlives the watchdog, terminates the worker and prints the
 * soft-lockup report. Returns the exit status and the error lines.
 */
export function insmodInWorker(
  run: InsmodRun,
  out: (line: string) => void,
  kw: KernelWorker,
): Promise<{ code: number; errors: string[]; summary: CliRunSummary }> {
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
    const record = (r: CliRecord) => out(JSON.stringify(r));
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
      const handler = labels.get(x.label) ?? "a handler";
      const lines = formatHandlerLockup({
        cpu: x.cpu,
        seconds: x.seconds,
        comm: x.pid === 0 && x.comm === 0 ? "swapper" : labels.get(x.comm) ?? "?",
        pid: x.pid,
        handler,
        at: x.at === 0 ? undefined : labels.get(x.at),
        modules,
      });
      worker.terminate();
      for (const l of lines) {
        // Linux prints the soft-lockup report at KERN_EMERG.
        if (run.json) record(logRecord(`${stamp}${l}`, 0, x.cpu));
        else out(`${stamp}${l}`);
      }
      if (run.json) record({ type: "incident", kind: "lockup", count: 1 });
      finish(EXIT_INCIDENT, [
        `Cannot finish the run: ${handler} did not return within the ${run.watchdog}s watchdog, the kernel was stopped (see --watchdog)`,
      ], {
        ...NO_SUMMARY,
        stopReason: "softLockup",
        incidents: { ...NO_SUMMARY.incidents, lockups: 1 },
      });
    };
    schedule();
    // The worker answers on a private port: module code in the worker can
    // call the global postMessage, but cannot forge these messages.
    channel.port1.onmessage = (e: MessageEvent<CliWorkerMessage>) => {
      if (finished) return;
      const m = e.data;
      switch (m.kind) {
        case "line": {
          out(m.line);
          const t = /^\[[ \d.]+\] /.exec(m.line);
          if (t) stamp = t[0];
          return;
        }
        case "record": {
          record(m.record);
          if (m.record.type === "log" && m.record.timestamp !== null) {
            stamp = `[${m.record.timestamp.toFixed(6).padStart(12)}] `;
          }
          return;
        }
        case "stamp":
          stamp = m.stamp;
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
