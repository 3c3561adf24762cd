// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The kernel ABI a module sees besides Kprobes itself: `printk`,
 * `dump_stack`, `kallsyms_lookup_name`, `current`. Names and shapes are
 * Linux's; each call goes to the kernel running the calling module.
 *
 * @module
 */

import type { TaskRef } from "../probes/types.ts";
import { currentKernelContext, type NewUtsname } from "./context.ts";

/** `KERN_EMERG`: system is unusable. */
export const KERN_EMERG = "<0>";
/** `KERN_ALERT`: action must be taken immediately. */
export const KERN_ALERT = "<1>";
/** `KERN_CRIT`: critical conditions. */
export const KERN_CRIT = "<2>";
/** `KERN_ERR`: error conditions. */
export const KERN_ERR = "<3>";
/** `KERN_WARNING`: warning conditions. */
export const KERN_WARNING = "<4>";
/** `KERN_NOTICE`: normal but significant. */
export const KERN_NOTICE = "<5>";
/** `KERN_INFO`: informational. */
export const KERN_INFO = "<6>";
/** `KERN_DEBUG`: debug-level messages. */
export const KERN_DEBUG = "<7>";

/** A value `printk` can pass: integers, addresses, strings (copied into guest memory). */
export type PrintkArg = number | bigint | string | boolean | null | undefined;

/**
 * Prints to the kernel log through the guest kernel's own `printk`, so a
 * probe on `printk` sees this call (§5). Formats are the guest `vsnprintf`'s:
 * `%d %u %x %lx %ld %p %s %c %%` with flags and widths.
 *
 * @param fmt The format, optionally starting with a `KERN_*` level.
 * @param args The arguments.
 * @returns The number of characters printed.
 *
 * @example In a module
 * ```ts ignore
 * import { printk } from "../mod.ts";
 * export function init_module(): number {
 *   printk("hello from %s\n", "a module");
 *   return 0;
 * }
 * ```
 */
export function printk(fmt: string, ...args: PrintkArg[]): number {
  return currentKernelContext("printk").abi.printk(fmt, args);
}

/**
 * Prints the call trace of the context the caller runs in: inside a probe
 * handler, the probed code's stack (the trampoline shows for kretprobed
 * functions, §5).
 *
 * @example In a handler
 * ```ts ignore
 * import { dump_stack } from "../mod.ts";
 * const handler_pre = () => { dump_stack(); return 0; };
 * ```
 */
export function dump_stack(): void {
  currentKernelContext("dump_stack").abi.dumpStack();
}

/**
 * Looks up a kernel symbol's address (§3); 0 when absent. `bigint` on 64-bit
 * kernels, `number` on i386.
 *
 * @param name The symbol.
 * @returns Its address, or 0.
 *
 * @example Find do_fork
 * ```ts ignore
 * import { kallsyms_lookup_name } from "../mod.ts";
 * const addr = kallsyms_lookup_name("do_fork");
 * ```
 */
export function kallsyms_lookup_name(name: string): bigint | number {
  return currentKernelContext("kallsyms_lookup_name").abi.lookupName(name);
}

/**
 * The task running on the caller's CPU. Linux: `current`.
 *
 * @returns The task.
 *
 * @example In a handler
 * ```ts ignore
 * import { get_current, printk } from "../mod.ts";
 * printk("pid %d\n", get_current().pid);
 * ```
 */
export function get_current(): TaskRef {
  return currentKernelContext("get_current").abi.current();
}

/**
 * Reads `size` bytes of guest memory as an unsigned integer. A fault goes to
 * the running kprobe's `fault_handler` with the page-fault trap number, then
 * oopses if unhandled. Like dereferencing a kernel pointer in C.
 *
 * @param addr The address.
 * @param size 1, 2, 4 or 8.
 * @returns The value.
 *
 * @example Read a word
 * ```ts ignore
 * import { kernel_read } from "../mod.ts";
 * const word = kernel_read(0xffffffff81000000n, 4);
 * ```
 */
export function kernel_read(addr: bigint | number, size: 1 | 2 | 4 | 8): bigint {
  return currentKernelContext("kernel_read").abi.readMemory(addr, size);
}

/**
 * Writes `size` bytes of guest memory (fault injection, §5). Kernel text and
 * read-only data are write-protected, as with CONFIG_DEBUG_RODATA: a write
 * there changes nothing and returns `-EFAULT` (only Kprobes writes text).
 * An unmapped address faults like a C store (see {@linkcode kernel_read}).
 *
 * @param addr The address.
 * @param size 1, 2, 4 or 8.
 * @param value The value.
 * @returns 0, `-EFAULT` for read-only memory, `-EINVAL` for a bad size or value.
 *
 * @example Write a word
 * ```ts ignore
 * import { kernel_write } from "../mod.ts";
 * kernel_write(0xffffffff81200000n, 4, 0);
 * ```
 */
export function kernel_write(
  addr: bigint | number,
  size: 1 | 2 | 4 | 8,
  value: bigint | number,
): number {
  return currentKernelContext("kernel_write").abi.writeMemory(addr, size, value);
}

/**
 * Sleeps for `ms` milliseconds. Probe handlers run with preemption disabled
 * (§5), so from a handler this reports `BUG: scheduling while atomic` with
 * a call trace, as the guest's `schedule()` does, and returns at once: the
 * simulated CPU cannot block inside a trap.
 *
 * @param ms Milliseconds.
 *
 * @example A handler that must not sleep
 * ```ts ignore
 * import { msleep } from "../mod.ts";
 * const handler_pre = () => { msleep(10); return 0; };
 * ```
 */
export function msleep(ms: number): void {
  currentKernelContext("msleep").abi.sleep("msleep", ms);
}

/**
 * Yields the CPU. From a probe handler: `BUG: scheduling while atomic`,
 * as for {@linkcode msleep}.
 *
 * @example In a handler
 * ```ts ignore
 * import { schedule } from "../mod.ts";
 * const handler_pre = () => { schedule(); return 0; };
 * ```
 */
export function schedule(): void {
  currentKernelContext("schedule").abi.sleep("schedule", 0);
}

/**
 * The running kernel's uname fields. Linux: `utsname()`. Modules use
 * `utsname().machine` where a C module would use `#ifdef CONFIG_X86_64`.
 *
 * @returns The fields.
 *
 * @example Register names by architecture
 * ```ts ignore
 * import { utsname } from "../mod.ts";
 * const pc = utsname().machine === "ppc64" ? "nip" : utsname().machine === "i386" ? "eip" : "rip";
 * ```
 */
export function utsname(): NewUtsname {
  return currentKernelContext("utsname").abi.utsname();
}
