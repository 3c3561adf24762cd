// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The guest clock as Linux's time API shows it: `ktime_get()`,
 * `ktime_get_ns()`, `get_cycles()` and the `ktime_t` arithmetic the samples
 * use. Time is the calling CPU's time-stamp counter (it counts retired
 * instructions, and idle time while the CPU halts) divided by the boot's
 * `tsc_khz` (`Kernel.boot({ cpuMhz })`), so it has nanosecond resolution:
 * at the default 1000 MHz one instruction is one nanosecond. Each CPU has
 * its own counter; a latency measured on one CPU (a kretprobe's entry and
 * return on the same task) is exact, and two CPUs' clocks may differ by up
 * to a scheduling quantum.
 *
 * `ktime_t` is a `bigint` of nanoseconds, as in Linux 6.x (`s64`).
 *
 * @module
 */

import { kernelAbiFor } from "./context.ts";
import { EINVAL } from "./errno.ts";

/** `ktime_t`: signed nanoseconds. */
export type KtimeT = bigint;

/**
 * Nanoseconds since boot on the guest's monotonic clock. Linux: `ktime_get()`.
 *
 * @returns The time; `-22n` (-EINVAL) outside any kernel.
 *
 * @example Time a function in a kretprobe
 * ```ts ignore
 * import { ktime_get, ktime_sub, ktime_to_ns } from "../mod.ts";
 * const stamps = new Map();
 * const entry_handler = (ri) => { stamps.set(ri, ktime_get()); return 0; };
 * const handler = (ri) => { const ns = ktime_to_ns(ktime_sub(ktime_get(), stamps.get(ri))); return 0; };
 * ```
 */
export function ktime_get(): KtimeT {
  return kernelAbiFor("ktime_get")?.clockNs() ?? BigInt(-EINVAL);
}

/**
 * Nanoseconds since boot as a `u64`. Linux: `ktime_get_ns()`.
 *
 * @returns The time; `-22n` (-EINVAL) outside any kernel.
 *
 * @example
 * ```ts ignore
 * import { ktime_get_ns, printk } from "../mod.ts";
 * printk("now %llu ns\n", ktime_get_ns());
 * ```
 */
export function ktime_get_ns(): bigint {
  return kernelAbiFor("ktime_get_ns")?.clockNs() ?? BigInt(-EINVAL);
}

/**
 * The calling CPU's cycle counter (the TSC on x86, the timebase on ppc64):
 * `tsc_khz` ticks per millisecond. Linux: `get_cycles()`.
 *
 * @returns The count; `-22n` (-EINVAL) outside any kernel.
 *
 * @example
 * ```ts ignore
 * import { get_cycles } from "../mod.ts";
 * const t0 = get_cycles();
 * ```
 */
export function get_cycles(): bigint {
  return kernelAbiFor("get_cycles")?.cycles() ?? BigInt(-EINVAL);
}

/**
 * `lhs - rhs`. Linux: `ktime_sub()`.
 *
 * @param lhs A time.
 * @param rhs A time.
 * @returns The difference; `-22n` when either is not a `bigint`.
 *
 * @example
 * ```ts
 * import { ktime_sub } from "./kapi_time.ts";
 * import assert from "node:assert/strict";
 * assert.equal(ktime_sub(1500n, 1000n), 500n);
 * ```
 */
export function ktime_sub(lhs: KtimeT, rhs: KtimeT): KtimeT {
  if (typeof lhs !== "bigint" || typeof rhs !== "bigint") return BigInt(-EINVAL);
  return BigInt.asIntN(64, lhs - rhs);
}

/**
 * A `ktime_t` in nanoseconds (the identity). Linux: `ktime_to_ns()`.
 *
 * @param kt A time.
 * @returns Nanoseconds; `-22n` when `kt` is not a `bigint`.
 *
 * @example
 * ```ts
 * import { ktime_to_ns } from "./kapi_time.ts";
 * import assert from "node:assert/strict";
 * assert.equal(ktime_to_ns(42n), 42n);
 * ```
 */
export function ktime_to_ns(kt: KtimeT): bigint {
  return typeof kt === "bigint" ? kt : BigInt(-EINVAL);
}

/**
 * A `ktime_t` in whole microseconds. Linux: `ktime_to_us()`.
 *
 * @param kt A time.
 * @returns Microseconds; `-22n` when `kt` is not a `bigint`.
 *
 * @example
 * ```ts
 * import { ktime_to_us } from "./kapi_time.ts";
 * import assert from "node:assert/strict";
 * assert.equal(ktime_to_us(4999n), 4n);
 * ```
 */
export function ktime_to_us(kt: KtimeT): bigint {
  return typeof kt === "bigint" ? kt / 1000n : BigInt(-EINVAL);
}
