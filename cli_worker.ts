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

import { type ArchName, Heartbeat, Kernel, KernelError, type Workload } from "./mod.ts";

/** What the CLI asks its worker to do. */
export interface CliJob {
  /** Module files to insert, in order. */
  files: string[];
  /** Architecture. */
  arch: ArchName;
  /** CPUs. */
  cpus: number;
  /** CONFIG_PREEMPT. */
  preempt: boolean;
  /** The workload, already read and checked by the main thread. */
  workload?: Workload;
  /** The watchdog bound in seconds. */
  watchdog: number;
  /** The heartbeat's shared buffer. */
  heartbeat: SharedArrayBuffer;
  /** Where the worker answers ({@linkcode CliWorkerMessage}s), private to the two threads. */
  port: MessagePort;
}

/** What the worker tells the CLI's main thread. */
export type CliWorkerMessage =
  | { kind: "line"; line: string }
  | { kind: "label"; id: number; text: string }
  | { kind: "modules"; names: string[] }
  | { kind: "done"; code: number; errors: string[] };

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

/**
 * Runs one CLI job; `post` receives the messages.
 *
 * @param job What to run.
 * @param post Where the messages go.
 */
export async function runCliJob(job: CliJob, post: (m: CliWorkerMessage) => void): Promise<void> {
  const errors: string[] = [];
  let failed = false;
  let broken = false;
  const beat = new Heartbeat(job.heartbeat, (id, text) => post({ kind: "label", id, text }));
  let kernel: Kernel;
  try {
    kernel = await Kernel.boot({
      arch: job.arch,
      cpus: job.cpus,
      preempt: job.preempt,
      console: (line) => post({ kind: "line", line }),
      heartbeat: beat,
    });
  } catch (e) {
    post({ kind: "done", code: 1, errors: [describe(e)] });
    return;
  }
  const loaded: string[] = [];
  try {
    for (const f of job.files) {
      beat.enterPhase(`loading module "${f}"`);
      try {
        loaded.push((await kernel.insmod(f)).name);
      } catch (e) {
        if (!(e instanceof KernelError) || !deniedRead(e)) throw e;
        throw new KernelError(
          `Cannot insert module "${f}": read access to it is denied, allow it with --allow-read=<its directory>`,
        );
      } finally {
        beat.leave();
      }
      post({ kind: "modules", names: [...loaded] });
    }
    const r = kernel.run({ workload: job.workload, watchdog: job.watchdog, watchdogClock: "host" });
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
        kernel.rmmod(name);
      } catch (e) {
        errors.push(describe(e));
        broken = true;
      }
      post({ kind: "modules", names: kernel.lsmod().map((m) => m.name) });
    }
    await kernel.shutdown();
  }
  const incidents = incidentText(kernel);
  if (incidents !== null) {
    errors.push(
      `Cannot run the workload cleanly: the kernel reported ${incidents}, see the log above`,
    );
    broken = true;
  }
  post({ kind: "done", code: broken ? 3 : failed ? 1 : 0, errors });
}

if (import.meta.main) {
  const scope = globalThis as unknown as {
    onmessage: ((e: MessageEvent<CliJob>) => void) | null;
  };
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
      port.postMessage({ kind: "done", code: 1, errors: [`internal error: ${text}`] });
    });
  };
}
