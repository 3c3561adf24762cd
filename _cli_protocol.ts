// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * What the CLI's main thread (`cli.ts`) and its kernel worker
 * (`cli_worker.ts`) say to each other, and the `--json` record shapes. A
 * leaf with type-only imports, so that the main thread does not load the
 * kernel: only the worker does. Private to the CLI.
 *
 * @module
 */

import type { ArchName, Workload } from "./mod.ts";

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
  /** Where the worker answers ({@linkcode CliWorkerMessage}s), private to the two threads. */
  port: MessagePort;
}

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
