// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Where the caller runs, with Linux's names: `smp_processor_id()`,
 * `preemptible()`, `in_interrupt()`, `stack_trace_save()`. Inside a probe
 * handler they describe the probed context (the CPU that hit the probe,
 * its `preempt_count`, its stack). `current`'s fields are on
 * `get_current()`: `pid`, `tgid`, `comm`, `state`, `cpu`.
 *
 * Outside any kernel each returns its neutral value: `-EINVAL` for
 * `smp_processor_id`, `false` for the predicates, 0 entries for
 * `stack_trace_save`.
 *
 * @module
 */

import type { KernelAddress } from "../probes/types.ts";
import { kernelAbiFor } from "./context.ts";
import { EINVAL } from "./errno.ts";

/**
 * The CPU the caller runs on (in a handler: the CPU that hit the probe).
 * Linux: `smp_processor_id()`.
 *
 * @returns 0 … NR_CPUS-1; -EINVAL outside any kernel.
 *
 * @example
 * ```ts ignore
 * import { printk, smp_processor_id } from "../mod.ts";
 * const pre_handler = () => printk("on CPU %d\n", smp_processor_id());
 * ```
 */
export function smp_processor_id(): number {
  return kernelAbiFor("smp_processor_id")?.processorId() ?? -EINVAL;
}

/**
 * Could the caller be preempted? As Linux's `preemptible()`: only with
 * CONFIG_PREEMPT (`Kernel.boot({ preempt: true })`), a zero
 * `preempt_count` and interrupts enabled. Always false in a probe handler
 * (Kprobes runs handlers with preemption disabled, §5).
 *
 * @returns Whether the caller is preemptible; false outside any kernel.
 *
 * @example
 * ```ts ignore
 * import { preemptible } from "../mod.ts";
 * const pre_handler = () => { if (preemptible()) throw new Error("impossible"); return 0; };
 * ```
 */
export function preemptible(): boolean {
  return kernelAbiFor("preemptible")?.preemptible() ?? false;
}

/**
 * Does the caller run in interrupt context: is the hardirq or softirq part
 * of `preempt_count` non-zero? In a handler: was the probed code running
 * in an interrupt (a probe on `do_timer_interrupt` says yes; the int3 trap
 * itself is an exception, not an interrupt). Linux: `in_interrupt()`.
 *
 * @returns Whether it does; false outside any kernel.
 *
 * @example
 * ```ts ignore
 * import { in_interrupt, printk } from "../mod.ts";
 * const pre_handler = () => printk("irq? %d\n", in_interrupt() ? 1 : 0);
 * ```
 */
export function in_interrupt(): boolean {
  return kernelAbiFor("in_interrupt")?.inInterrupt() ?? false;
}

/**
 * Saves the return addresses of the caller's guest call chain into
 * `store`, innermost first, as Linux's `stack_trace_save(store, size,
 * skipnr)` fills its array: in a handler, the probed context's trace (the
 * trapped instruction pointer first, then each caller), as `dump_stack()`
 * prints it. Addresses are `bigint` on 64-bit kernels and `number` on i386,
 * like `p.addr`; print them with `%pS`.
 *
 * @param store The array to fill from index 0 (its other elements stay).
 * @param size The most entries to store.
 * @param skipnr Entries to skip from the innermost.
 * @returns The number of entries stored; 0 for a bad argument or outside any kernel.
 *
 * @example Print the caller of the probed function
 * ```ts ignore
 * import { printk, stack_trace_save } from "../mod.ts";
 * const pre_handler = () => {
 *   const entries: (bigint | number)[] = [];
 *   const n = stack_trace_save(entries, 8, 0);
 *   if (n > 1) printk("called from %pS\n", entries[1]);
 *   return 0;
 * };
 * ```
 */
export function stack_trace_save(store: KernelAddress[], size: number, skipnr: number): number {
  if (!Array.isArray(store) || Object.isFrozen(store)) return 0;
  if (!Number.isSafeInteger(size) || size < 0 || !Number.isSafeInteger(skipnr) || skipnr < 0) {
    return 0;
  }
  const abi = kernelAbiFor("stack_trace_save");
  if (abi === null) return 0;
  const wide = abi.utsname().machine !== "i386";
  const trace = abi.stackTrace().slice(skipnr, skipnr + size);
  for (let i = 0; i < trace.length; i++) store[i] = wide ? trace[i] : Number(trace[i]);
  return trace.length;
}
