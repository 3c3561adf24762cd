// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The text of the `trace` and `trace_pipe` files in Linux 6.1's default
 * format: the header the nop tracer prints, and each line's context prefix
 * (task, CPU, flags column, time stamp).
 *
 * @module
 */

/** Options of {@linkcode traceHeader}. */
export interface TraceHeaderOptions {
  /**
   * Events in the buffer (Linux sums ring_buffer_entries_cpu()): what the
   * `trace` file will list.
   */
  entries: number;
  /**
   * Linux sums `entries + overrun` per CPU: events in the buffer plus those
   * lost to overwriting (consumed ones are not counted).
   */
  written: number;
  /** Online CPUs (`#P:`). */
  cpus: number;
  /** The current tracer's name: `nop` unless given. */
  tracer?: string;
  /** The `record-tgid` option: adds the TGID column to the help lines. */
  recordTgid?: boolean;
}

/**
 * The header of the `trace` file: `# tracer:`, the entry counts and the
 * help lines of the default (irq-info) format.
 *
 * Linux: s_show(), print_event_info(), print_func_help_header_irq() (kernel/trace/trace.c).
 *
 * @param opts Counts and CPU number to print.
 * @returns The header, newline-terminated.
 *
 * @example
 * ```ts
 * import { traceHeader } from "./output.ts";
 * import assert from "node:assert/strict";
 *
 * const h = traceHeader({ entries: 3, written: 3, cpus: 2 });
 * assert.ok(h.startsWith("# tracer: nop\n#\n# entries-in-buffer/entries-written: 3/3   #P:2\n#\n"));
 * assert.ok(h.endsWith("#              | |         |   |||||     |         |\n"));
 * ```
 */
export function traceHeader(opts: TraceHeaderOptions): string {
  const tgid = opts.recordTgid === true;
  // %.*s of "            " (spaces), "     TGID   " and "       |    " at
  // precision 12 with record-tgid, else 2.
  const prec = tgid ? 12 : 2;
  const space = " ".repeat(prec);
  const tgidHead = "     TGID   ".slice(0, prec);
  const tgidBar = "       |    ".slice(0, prec);
  const pad = "#                            ";
  return `# tracer: ${opts.tracer ?? "nop"}\n` +
    "#\n" +
    `# entries-in-buffer/entries-written: ${opts.entries}/${opts.written}   #P:${opts.cpus}\n` +
    "#\n" +
    `${pad}${space}  _-----=> irqs-off/BH-disabled\n` +
    `${pad}${space} / _----=> need-resched\n` +
    `${pad}${space}| / _---=> hardirq/softirq\n` +
    `${pad}${space}|| / _--=> preempt-depth\n` +
    `${pad}${space}||| / _-=> migrate-disable\n` +
    `${pad}${space}|||| /     delay\n` +
    `#           TASK-PID  ${tgidHead} CPU#  |||||  TIMESTAMP  FUNCTION\n` +
    `#              | |    ${tgidBar}   |   |||||     |         |\n`;
}

/** The context of one trace line (a `struct trace_entry` and its CPU and time). */
export interface TraceLineContext {
  /** Task name (at most 15 bytes are printed, as TASK_COMM_LEN keeps; pid 0 is `<idle>` in Linux). */
  comm: string;
  /** Task pid. */
  pid: number;
  /** CPU that recorded the event. */
  cpu: number;
  /** Interrupts were disabled (`d`; `D` with `bhOff`). */
  irqsOff: boolean;
  /** TIF_NEED_RESCHED was set (`n`; `N` with `preemptResched`). */
  needResched: boolean;
  /** In hard interrupt context (`h`; `H` with `softirq`; `Z` with `nmi`). */
  hardirq: boolean;
  /** Serving a softirq (`s`). */
  softirq: boolean;
  /** Preemption depth (`preempt_count() & 0xff`), printed in hex, at most `f`. */
  preemptDepth: number;
  /** Migrate-disable depth, printed in hex, at most `f`. */
  migrateDisable: number;
  /** Time stamp in microseconds (Linux: ns2usecs() of the event's ns stamp). */
  tsUs: number;
  /** Bottom halves were disabled (`b`; `D` with `irqsOff`). */
  bhOff?: boolean;
  /** In NMI context (`z`; `Z` with `hardirq`). */
  nmi?: boolean;
  /** PREEMPT_NEED_RESCHED was set (`p`; `N` with `needResched`). */
  preemptResched?: boolean;
  /** The architecture cannot tell whether interrupts are off (`X`). */
  irqsNoSupport?: boolean;
}

/**
 * The flags column of a trace line: irqs-off, need-resched,
 * hardirq/softirq, preempt-depth, migrate-disable.
 *
 * Linux: trace_print_lat_fmt() (kernel/trace/trace_output.c), with the
 * clamping of tracing_gen_ctx_irq_test() (kernel/trace/trace.c).
 *
 * @param rec The line's context.
 * @returns Five characters, such as `d..1.`.
 *
 * @example
 * ```ts
 * import { traceLatFmt } from "./output.ts";
 * import assert from "node:assert/strict";
 *
 * const base = { irqsOff: true, needResched: false, hardirq: false, softirq: false, migrateDisable: 0 };
 * assert.equal(traceLatFmt({ ...base, preemptDepth: 1 }), "d..1.");
 * assert.equal(traceLatFmt({ ...base, hardirq: true, preemptDepth: 17 }), "d.hf.");
 * ```
 */
export function traceLatFmt(
  rec: Pick<
    TraceLineContext,
    | "irqsOff"
    | "needResched"
    | "hardirq"
    | "softirq"
    | "preemptDepth"
    | "migrateDisable"
    | "bhOff"
    | "nmi"
    | "preemptResched"
    | "irqsNoSupport"
  >,
): string {
  const irqsOff = rec.irqsOff && rec.bhOff
    ? "D"
    : rec.irqsOff
    ? "d"
    : rec.bhOff
    ? "b"
    : rec.irqsNoSupport
    ? "X"
    : ".";
  const resched = rec.needResched && rec.preemptResched
    ? "N"
    : rec.needResched
    ? "n"
    : rec.preemptResched
    ? "p"
    : ".";
  const hardsoft = rec.nmi && rec.hardirq
    ? "Z"
    : rec.nmi
    ? "z"
    : rec.hardirq && rec.softirq
    ? "H"
    : rec.hardirq
    ? "h"
    : rec.softirq
    ? "s"
    : ".";
  return irqsOff + resched + hardsoft + hexDigit(rec.preemptDepth & 0xff) +
    hexDigit(rec.migrateDisable);
}

/** One hex digit of a count clamped to 15, or '.' for 0 (and for nonsense). */
function hexDigit(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return ".";
  return Math.min(Math.floor(n), 15).toString(16);
}

/**
 * The context prefix of a line of `trace` or `trace_pipe`: `%16s-%-7d `
 * comm-pid, `[%03d] ` CPU, the flags column, ` %5lu.%06lu` time stamp,
 * and `: `.
 *
 * Linux: trace_print_context() (kernel/trace/trace_output.c).
 *
 * @param rec The line's context.
 * @returns The prefix, ending in `": "`.
 *
 * @example
 * ```ts
 * import { traceLinePrefix } from "./output.ts";
 * import assert from "node:assert/strict";
 *
 * const prefix = traceLinePrefix({
 *   comm: "init", pid: 1, cpu: 0, irqsOff: true, needResched: false, hardirq: false,
 *   softirq: false, preemptDepth: 1, migrateDisable: 0, tsUs: 123,
 * });
 * assert.equal(prefix, "            init-1       [000] d..1.     0.000123: ");
 * ```
 */
export function traceLinePrefix(rec: TraceLineContext): string {
  const comm = String(rec.comm).slice(0, 15);
  const us = Number.isFinite(rec.tsUs) && rec.tsUs > 0 ? Math.floor(rec.tsUs) : 0;
  const secs = Math.floor(us / 1e6);
  const rem = us - secs * 1e6;
  return `${comm.padStart(16)}-${String(Math.trunc(rec.pid)).padEnd(7)} ` +
    `[${cDecimal(rec.cpu, 3)}] ` +
    traceLatFmt(rec) +
    ` ${String(secs).padStart(5)}.${String(rem).padStart(6, "0")}: `;
}

/** printf("%0<width>d"). */
function cDecimal(n: number, width: number): string {
  const v = Math.trunc(n);
  return v < 0 ? `-${String(-v).padStart(width - 1, "0")}` : String(v).padStart(width, "0");
}

/**
 * A whole event line: the context prefix, `<event>: ` and the event's own
 * text (for a kprobe event `(sym+0x0/0x8c) arg=…`), newline-terminated.
 *
 * Linux: print_trace_fmt() with print_kprobe_event()/print_kretprobe_event()
 * (kernel/trace/trace_kprobe.c), which print `"%s: ("` then the rest.
 *
 * @param prefix From {@linkcode traceLinePrefix}.
 * @param eventName The event's name (`myopen`).
 * @param body The event's text after `<name>: `.
 * @returns The line, ending in `\n`.
 *
 * @example
 * ```ts
 * import { formatTraceLine } from "./output.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatTraceLine("P: ", "myret", "(do_syscall+0x48/0x52 <- sys_open) ret=-2"),
 *   "P: myret: (do_syscall+0x48/0x52 <- sys_open) ret=-2\n");
 * ```
 */
export function formatTraceLine(prefix: string, eventName: string, body: string): string {
  return `${prefix}${eventName}: ${body}\n`;
}

/**
 * Nanoseconds to the microseconds the `trace` file prints, rounded to
 * nearest.
 *
 * Linux: ns2usecs() (kernel/trace/trace.c).
 *
 * @param ns A time stamp in nanoseconds.
 * @returns Microseconds.
 *
 * @example
 * ```ts
 * import { ns2usecs } from "./output.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ns2usecs(123_499), 123);
 * assert.equal(ns2usecs(123_500), 124);
 * ```
 */
export function ns2usecs(ns: number): number {
  return Math.floor((ns + 500) / 1000);
}
