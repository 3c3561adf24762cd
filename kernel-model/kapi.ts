// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The kernel ABI a module sees besides Kprobes itself: `printk`,
 * `dump_stack`, `kallsyms_lookup_name`, `current`. Names and shapes are
 * Linux's; each call goes to the kernel running the calling module.
 *
 * Every function is total: an argument of any type, or a call from outside
 * any kernel (a timer after `init_module` finished), gives an errno or a
 * documented neutral value, never a host exception. What each returns then:
 * `printk` -EINVAL; `kallsyms_lookup_name` 0 (Linux's "not found");
 * `kernel_read` -EINVAL as a negative `bigint` (a read value is unsigned,
 * so it cannot be mistaken for one); `get_current` a task with pid -1 and
 * address 0; `utsname` empty fields; the void functions do nothing.
 *
 * @module
 */

import type { TaskRef } from "../probes/types.ts";
import { kernelAbiFor, type NewUtsname } from "./context.ts";
import { EINVAL } from "./errno.ts";

/**
 * Longest symbol name plus its NUL, as in Linux 6.1 (`KSYM_NAME_LEN`): no
 * kernel symbol is this long, so a longer name is never found.
 */
export const KSYM_NAME_LEN = 512;

/** What {@linkcode get_current} returns outside any kernel: no task. */
export const NO_TASK: TaskRef = Object.freeze({
  address: 0,
  pid: -1,
  tgid: -1,
  comm: "",
  state: 0,
  cpu: 0,
});

/** What {@linkcode utsname} returns outside any kernel. */
const NO_UTSNAME: NewUtsname = Object.freeze({
  sysname: "Linux",
  nodename: "",
  release: "",
  version: "",
  machine: "",
});

/** Is `v` a guest address: a non-negative safe integer or a bigint below 2^64? */
function isAddress(v: unknown): v is bigint | number {
  if (typeof v === "bigint") return v >= 0n && v < 1n << 64n;
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/** Is `v` an access size? */
function isSize(v: unknown): v is 1 | 2 | 4 | 8 {
  return v === 1 || v === 2 || v === 4 || v === 8;
}

/** A printk argument as the guest can take it: non-finite numbers and non-scalars become 0. */
function printkArg(a: unknown): PrintkArg {
  switch (typeof a) {
    case "string":
    case "bigint":
    case "boolean":
    case "undefined":
      return a;
    case "number":
      return Number.isFinite(a) ? a : 0;
    default:
      return a === null ? null : 0;
  }
}

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

/**
 * A value `printk` can pass: integers, addresses, strings (copied into guest
 * memory). Anything else (objects, symbols, NaN) prints as 0.
 */
export type PrintkArg = number | bigint | string | boolean | null | undefined;

/**
 * Prints to the kernel log through the guest kernel's own `printk`, so a
 * probe on `printk` sees this call (§5). Formats are the guest `vsnprintf`'s:
 * `%d %u %x %lx %ld %p %s %c %%` with flags and widths.
 *
 * @param fmt The format, optionally starting with a `KERN_*` level.
 * @param args The arguments.
 * @returns The number of characters printed; -EINVAL when `fmt` is not a
 * string or no kernel runs the caller.
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
  const abi = kernelAbiFor("printk");
  if (abi === null || typeof fmt !== "string") return -EINVAL;
  let clean: PrintkArg[] = args;
  for (let i = 0; i < args.length; i++) {
    if (printkArg(args[i]) !== args[i]) {
      clean = args.map(printkArg);
      break;
    }
  }
  return abi.printk(fmt, clean);
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
  kernelAbiFor("dump_stack")?.dumpStack();
}

/**
 * Looks up a kernel symbol's address (§3); 0 when absent. `bigint` on 64-bit
 * kernels, `number` on i386.
 *
 * @param name The symbol.
 * @returns Its address, or 0 (also for a name that is not a string or is
 * `KSYM_NAME_LEN` long, and outside any kernel).
 *
 * @example Find do_fork
 * ```ts ignore
 * import { kallsyms_lookup_name } from "../mod.ts";
 * const addr = kallsyms_lookup_name("do_fork");
 * ```
 */
export function kallsyms_lookup_name(name: string): bigint | number {
  const abi = kernelAbiFor("kallsyms_lookup_name");
  if (abi === null) return 0;
  const ok = typeof name === "string" && name.length < KSYM_NAME_LEN;
  return abi.lookupName(ok ? name : "");
}

/**
 * The task running on the caller's CPU. Linux: `current`.
 *
 * @returns The task ({@linkcode NO_TASK} outside any kernel).
 *
 * @example In a handler
 * ```ts ignore
 * import { get_current, printk } from "../mod.ts";
 * printk("pid %d\n", get_current().pid);
 * ```
 */
export function get_current(): TaskRef {
  return kernelAbiFor("get_current")?.current() ?? NO_TASK;
}

/**
 * Reads `size` bytes of guest memory as an unsigned integer. A fault goes to
 * the running kprobe's `fault_handler` with the page-fault trap number, then
 * oopses if unhandled. Like dereferencing a kernel pointer in C.
 *
 * @param addr The address: a non-negative integer or bigint.
 * @param size 1, 2, 4 or 8.
 * @returns The value; `-22n` (-EINVAL) for a bad address or size, or outside any kernel.
 *
 * @example Read a word
 * ```ts ignore
 * import { kernel_read } from "../mod.ts";
 * const word = kernel_read(0xffffffff81000000n, 4);
 * ```
 */
export function kernel_read(addr: bigint | number, size: 1 | 2 | 4 | 8): bigint {
  const abi = kernelAbiFor("kernel_read");
  if (abi === null || !isAddress(addr) || !isSize(size)) return BigInt(-EINVAL);
  return abi.readMemory(addr, size);
}

/**
 * Writes `size` bytes of guest memory (fault injection, §5). Kernel text and
 * read-only data are write-protected, as with CONFIG_DEBUG_RODATA: a write
 * there changes nothing and returns `-EFAULT` (only Kprobes writes text).
 * An unmapped address faults like a C store (see {@linkcode kernel_read}).
 * A bad address, size or value (not an integer or bigint) writes nothing and
 * returns `-EINVAL`, as does a call outside any kernel.
 *
 * @param addr The address: a non-negative integer or bigint.
 * @param size 1, 2, 4 or 8.
 * @param value The value (truncated to `size` bytes).
 * @returns 0, `-EFAULT` for read-only memory, `-EINVAL` for a bad address, size or value.
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
  const abi = kernelAbiFor("kernel_write");
  const okValue = typeof value === "bigint" ||
    (typeof value === "number" && Number.isSafeInteger(value));
  if (abi === null || !isAddress(addr) || !isSize(size) || !okValue) return -EINVAL;
  return abi.writeMemory(addr, size, value);
}

/**
 * Sleeps for `ms` milliseconds. Probe handlers run with preemption disabled
 * (§5), so from a handler this reports `BUG: scheduling while atomic` with
 * a call trace, as the guest's `schedule()` does, and returns at once: the
 * simulated CPU cannot block inside a trap. From `init_module` or
 * `cleanup_module` it logs that module code cannot block and returns.
 * A bad `ms` (not a non-negative number) does nothing.
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
  const abi = kernelAbiFor("msleep");
  if (abi === null || typeof ms !== "number" || !(ms >= 0)) return;
  abi.sleep("msleep", ms);
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
  kernelAbiFor("schedule")?.sleep("schedule", 0);
}

/**
 * The running kernel's uname fields. Linux: `utsname()`. Modules use
 * `utsname().machine` where a C module would use `#ifdef CONFIG_X86_64`.
 *
 * @returns The fields (empty but for `sysname` outside any kernel).
 *
 * @example Register names by architecture
 * ```ts ignore
 * import { utsname } from "../mod.ts";
 * const pc = utsname().machine === "ppc64" ? "nip" : utsname().machine === "i386" ? "eip" : "rip";
 * ```
 */
export function utsname(): NewUtsname {
  return kernelAbiFor("utsname")?.utsname() ?? NO_UTSNAME;
}
