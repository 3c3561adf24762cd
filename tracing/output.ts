// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Stand-in (i9-events) for the trace output helpers that branch i9-parts
 * owns: the `trace` file's header and each line's context prefix, in Linux
 * 6.1's format for the nop tracer. The integrator keeps i9-parts' version.
 *
 * @module
 */

/** What {@linkcode traceHeader} prints. */
export interface TraceHeaderOptions {
  /** Entries in the buffer now. */
  entries: number;
  /** Entries ever written (entries plus those lost by overwrite). */
  written: number;
  /** Online CPUs. */
  cpus: number;
}

/**
 * The `trace` file's header. Linux: print_func_help_header_irq() (kernel/trace/trace.c).
 *
 * @param opts Counts.
 * @returns The header text.
 * @example
 * ```ts
 * import { traceHeader } from "./output.ts";
 * import assert from "node:assert/strict";
 * assert.match(traceHeader({ entries: 0, written: 0, cpus: 1 }), /^# tracer: nop\n/);
 * ```
 */
export function traceHeader(opts: TraceHeaderOptions): string {
  const sp = "  ";
  return [
    "# tracer: nop",
    "#",
    `# entries-in-buffer/entries-written: ${opts.entries}/${opts.written}   #P:${opts.cpus}`,
    "#",
    `#                            ${sp}  _-----=> irqs-off/BH-disabled`,
    `#                            ${sp} / _----=> need-resched`,
    `#                            ${sp}| / _---=> hardirq/softirq`,
    `#                            ${sp}|| / _--=> preempt-depth`,
    `#                            ${sp}||| / _-=> migrate-disable`,
    `#                            ${sp}|||| /     delay`,
    `#           TASK-PID       CPU#  |||||  TIMESTAMP  FUNCTION`,
    `#              | |           |   |||||     |         |`,
    "",
  ].join("\n");
}

/** One record's context, as {@linkcode traceLinePrefix} prints it. */
export interface TraceLineContext {
  /** Task command name. */
  comm: string;
  /** Process id. */
  pid: number;
  /** CPU. */
  cpu: number;
  /** Interrupts were off. */
  irqsOff: boolean;
  /** TIF_NEED_RESCHED was set. */
  needResched: boolean;
  /** In hard interrupt context. */
  hardirq: boolean;
  /** In soft interrupt context. */
  softirq: boolean;
  /** preempt_count's low nibble. */
  preemptDepth: number;
  /** migrate_disable depth. */
  migrateDisable: number;
  /** Timestamp in µs. */
  tsUs: number;
}

/**
 * `comm-pid [cpu] flags ts: `. Linux: trace_print_context() (kernel/trace/trace_output.c).
 *
 * @param rec The record's context.
 * @returns The prefix.
 * @example
 * ```ts
 * import { traceLinePrefix } from "./output.ts";
 * import assert from "node:assert/strict";
 * const p = traceLinePrefix({ comm: "init", pid: 1, cpu: 0, irqsOff: true, needResched: false,
 *   hardirq: false, softirq: false, preemptDepth: 1, migrateDisable: 0, tsUs: 123 });
 * assert.equal(p, "            init-1       [000] d..1.     0.000123: ");
 * ```
 */
export function traceLinePrefix(rec: TraceLineContext): string {
  const irq = rec.irqsOff ? "d" : ".";
  const nr = rec.needResched ? "n" : ".";
  const hs = rec.hardirq && rec.softirq ? "H" : rec.hardirq ? "h" : rec.softirq ? "s" : ".";
  const pd = rec.preemptDepth & 0xf ? (rec.preemptDepth & 0xf).toString(16) : ".";
  const md = rec.migrateDisable & 0xf ? (rec.migrateDisable & 0xf).toString(16) : ".";
  const sec = Math.floor(rec.tsUs / 1e6);
  const us = Math.floor(rec.tsUs % 1e6);
  return `${rec.comm.padStart(16)}-${String(rec.pid).padEnd(7)} [${
    String(rec.cpu).padStart(3, "0")
  }] ${irq}${nr}${hs}${pd}${md} ${String(sec).padStart(5)}.${String(us).padStart(6, "0")}: `;
}
