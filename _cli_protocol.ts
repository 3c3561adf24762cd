// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * What the CLI's threads say to each other: the main thread (`cli.ts`) and
 * its kernel worker (`cli_worker.ts`), or the main thread running the kernel
 * and its watchdog worker (`_cli_watchdog.ts`); the `--json` record shapes;
 * the soft-lockup report either watchdog prints. Its imports are type-only
 * but for the watchdog's leaf, so that loading it loads no kernel. Private
 * to the CLI.
 *
 * @module
 */

import type { ArchName, Workload } from "./mod.ts";
import { formatHandlerLockup, type HeartbeatExpiry } from "./kernel-model/watchdog.ts";

/** Exit status: the run was clean. */
export const EXIT_OK = 0;
/** Exit status: a user error (file, module, permission, workload). */
export const EXIT_USER_ERROR = 1;
/** Exit status: a usage error (unknown command or option, bad value). */
export const EXIT_USAGE = 2;
/** Exit status: the kernel Oopsed or panicked, a handler threw, or a watchdog fired. */
export const EXIT_INCIDENT = 3;

/** One module to insert and the `name=value` parameters that followed it. */
export interface CliModule {
  /** The module file. */
  file: string;
  /** Its parameters, as insmod's `params` option. */
  params: Record<string, string>;
}

/** What the CLI asks its worker to do. */
export interface CliJob {
  /** Modules to insert, in order. */
  modules: CliModule[];
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
  /** Drop the console lines printed while the kernel boots (`--quiet`). */
  quiet: boolean;
  /** Send JSON Lines records instead of console lines (`--json`). */
  json: boolean;
  /** Send debugfs `kprobes/list` and lsmod after every init_module (`--list`). */
  list: boolean;
  /** Send `kprobe_profile` after the workload (`--profile`). */
  profile: boolean;
  /** The heartbeat's shared buffer. */
  heartbeat: SharedArrayBuffer;
  /**
   * Where the worker answers ({@linkcode CliWorkerMessage}s), private to the
   * two threads; absent when the kernel runs on the main thread.
   */
  port?: MessagePort;
}

/**
 * What the main thread, running the kernel, tells its watchdog worker: first
 * the heartbeat to watch, then what the report would name (labels, the
 * modules loaded, the last console timestamp) as it changes.
 */
export type WatchdogMessage =
  | { kind: "start"; heartbeat: SharedArrayBuffer; watchdog: number; json: boolean }
  | { kind: "label"; id: number; text: string }
  | { kind: "modules"; names: string[] }
  | { kind: "stamp"; stamp: string };

/** What the worker tells the CLI's main thread. */
export type CliWorkerMessage =
  | { kind: "line"; line: string }
  | { kind: "record"; record: CliRecord }
  | { kind: "stamp"; stamp: string }
  | { kind: "label"; id: number; text: string }
  | { kind: "modules"; names: string[] }
  | { kind: "done"; code: number; errors: string[]; summary: CliRunSummary };

/** What the summary record tells of the run, besides its exit status. */
export interface CliRunSummary {
  /** Why the workload stopped (`kernel.run()`'s stopReason), or null when it did not run. */
  stopReason: string | null;
  /** Instructions the workload ran (all CPUs). */
  instructions: number;
  /** The kernel's incident counters. */
  incidents: { oopses: number; panics: number; handlerErrors: number; lockups: number };
}

/** One probe as `--list`, `--profile` and `--json` show it. */
export interface CliProbe {
  /** Its address, `0x…`. */
  addr: string;
  /** `k` kprobe, `j` jprobe, `r` return probe. */
  kind: string;
  /** `symbol+offset`. */
  symbol: string;
  /** The module that registered it, or null. */
  module: string | null;
  /** Flags of the debugfs list (`DISABLED`, `GONE`, …). */
  flags: string[];
  /** Hits of its probe point, or null when unknown. */
  hits: number | null;
  /** Its nmissed, or null when unknown. */
  nmissed: number | null;
}

/**
 * One `--json` record (a JSON Lines line). `cpu` of a log record is null
 * where the record does not say which CPU printed it (the guest's printk
 * records, as Linux 2.6's, carry no CPU).
 */
export type CliRecord =
  | { type: "log"; timestamp: number | null; level: number; cpu: number | null; text: string }
  | { type: "syscall"; pid: number; cpu: number; call: string; ret: number }
  | ({ type: "probe" } & CliProbe)
  | { type: "kprobes_list"; probes: CliProbe[] }
  | { type: "lsmod"; modules: { name: string; probes: number; origin: string }[] }
  | { type: "incident"; kind: "oops" | "panic" | "handler_exception" | "lockup"; count: number }
  | ({ type: "summary"; status: number; errors: string[] } & CliRunSummary);

/** The timestamp of a console line in seconds, or null. */
function stampOf(line: string): number | null {
  const m = /^\[\s*(\d+\.\d+)\] /.exec(line);
  return m === null ? null : Number(m[1]);
}

/** A console line as a `--json` log record. */
export function logRecord(line: string, level: number, cpu: number | null): CliRecord {
  const timestamp = stampOf(line);
  const text = timestamp === null ? line : line.replace(/^\[[^\]]*\] /, "");
  return { type: "log", timestamp, level, cpu, text };
}

/** The `--json` summary record, the last line of a run. */
export function summaryRecord(code: number, errors: string[], summary: CliRunSummary): CliRecord {
  return { type: "summary", status: code, errors, ...summary };
}

/** What a watchdog knows of the run when it fires. */
export interface LockupSeen {
  /** Heartbeat label texts by id. */
  labels: Map<number, string>;
  /** The modules loaded. */
  modules: string[];
  /** The last console timestamp printed, `[    0.001234] `, or "". */
  stamp: string;
}

/**
 * What the CLI prints when a handler outlives the watchdog: the kernel's
 * soft-lockup report (console lines, or log records and an incident record
 * with `--json`), the error for stderr and the run's summary (exit status 3).
 *
 * @param run The run's `json` and `watchdog` options.
 * @param x The expired heartbeat.
 * @param seen Labels, modules and the last timestamp.
 * @returns The stdout lines, the error lines and the summary.
 */
export function lockupReport(
  run: { json: boolean; watchdog: number },
  x: HeartbeatExpiry,
  seen: LockupSeen,
): { lines: string[]; errors: string[]; summary: CliRunSummary } {
  const handler = seen.labels.get(x.label) ?? "a handler";
  const report = formatHandlerLockup({
    cpu: x.cpu,
    seconds: x.seconds,
    comm: x.pid === 0 && x.comm === 0 ? "swapper" : seen.labels.get(x.comm) ?? "?",
    pid: x.pid,
    handler,
    at: x.at === 0 ? undefined : seen.labels.get(x.at),
    modules: seen.modules,
  });
  // Linux prints the soft-lockup report at KERN_EMERG.
  const lines = run.json
    ? [
      ...report.map((l) => JSON.stringify(logRecord(`${seen.stamp}${l}`, 0, x.cpu))),
      JSON.stringify({ type: "incident", kind: "lockup", count: 1 } satisfies CliRecord),
    ]
    : report.map((l) => `${seen.stamp}${l}`);
  return {
    lines,
    errors: [
      `Cannot finish the run: ${handler} did not return within the ${run.watchdog}s watchdog, the kernel was stopped (see --watchdog)`,
    ],
    summary: {
      stopReason: "softLockup",
      instructions: 0,
      incidents: { oopses: 0, panics: 0, handlerErrors: 0, lockups: 1 },
    },
  };
}
