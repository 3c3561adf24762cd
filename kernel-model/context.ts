// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Binds the kernel ABI to the kernel that is running a module's code. Every
 * call into module code (init_module, cleanup_module, a probe handler) runs
 * inside {@linkcode withKernelContext}; the ABI's free functions
 * (`register_kprobe`, `printk`…) find their kernel with
 * {@linkcode kernelAbiFor}. The stack lives on `globalThis` under a
 * registered symbol, so a module importing the ABI from another copy of this
 * package (the published one, say) binds to the same kernel.
 *
 * The synchronous stack is the hot path (probe handlers). `init_module` and
 * `cleanup_module` also run inside an `AsyncLocalStorage` store
 * ({@linkcode runAsyncKernelContext}), consulted only when the stack is
 * empty: code after an `await` in an async `init_module` keeps its kernel,
 * and a timer or promise the module started after its init has settled
 * finds the store closed and gets an errno instead of a kernel.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import type { Jprobe, Kprobe, Kretprobe, TaskRef } from "../probes/types.ts";

/** `struct new_utsname`: what `uname -a` shows. */
export interface NewUtsname {
  /** `Linux`. */
  sysname: string;
  /** The host name. */
  nodename: string;
  /** Kernel release, `2.6.12-kprobes-sim`. */
  release: string;
  /** Build version string. */
  version: string;
  /** `x86_64`, `i386` or `ppc64` (in a handler, narrow on `regs.arch` instead). */
  machine: string;
}

/** The operations the kernel ABI forwards to the kernel running the caller. */
export interface KernelAbi {
  /** register_kprobe(). */
  registerKprobe(p: Kprobe): number;
  /** unregister_kprobe(). */
  unregisterKprobe(p: Kprobe): void;
  /** enable_kprobe(): 0 or -EINVAL. */
  enableKprobe(p: Kprobe): number;
  /** disable_kprobe(): 0 or -EINVAL. */
  disableKprobe(p: Kprobe): number;
  /** register_jprobe(). */
  registerJprobe(jp: Jprobe): number;
  /** unregister_jprobe(). */
  unregisterJprobe(jp: Jprobe): void;
  /** jprobe_return(). */
  jprobeReturn(): never;
  /** register_kretprobe(). */
  registerKretprobe(rp: Kretprobe): number;
  /** unregister_kretprobe(). */
  unregisterKretprobe(rp: Kretprobe): void;
  /** printk() through the guest's own printk. */
  printk(fmt: string, args: readonly unknown[]): number;
  /** dump_stack() of the context the module code runs in. */
  dumpStack(): void;
  /** kallsyms_lookup_name(). */
  lookupName(name: string): bigint | number;
  /** The current task. */
  current(): TaskRef;
  /** Reads guest memory (faults reported to the running kprobe's fault_handler). */
  readMemory(addr: bigint | number, size: 1 | 2 | 4 | 8): bigint;
  /** Writes guest memory: 0, or -EFAULT for read-only memory (kernel text, rodata). */
  writeMemory(addr: bigint | number, size: 1 | 2 | 4 | 8, value: bigint | number): number;
  /** uname fields of the running kernel. */
  utsname(): NewUtsname;
  /** Gives up the CPU for `ms` milliseconds (schedule()/msleep()). */
  sleep(what: string, ms: number): void;
  /**
   * Reads kernel memory without faulting (copy_from_kernel_nofault()):
   * null for a user-space, unmapped or wrapping address; no fault_handler,
   * no Oops.
   */
  readNoFault(addr: bigint, size: 1 | 2 | 4 | 8): bigint | null;
  /** The calling CPU's time-stamp counter (get_cycles()). */
  cycles(): bigint;
  /** Nanoseconds since boot on the calling CPU's TSC (ktime_get_ns()). */
  clockNs(): bigint;
  /** The CPU the caller runs on (smp_processor_id()). */
  processorId(): number;
  /** Could the caller be preempted (preemptible())? */
  preemptible(): boolean;
  /** Does the caller run in hard or soft interrupt context (in_interrupt())? */
  inInterrupt(): boolean;
  /** Return addresses of the caller's guest context, innermost first (stack_trace_save()). */
  stackTrace(): bigint[];
}

/** One frame of the context stack: a kernel and the module on whose behalf it runs. */
export interface KernelContextFrame {
  /** The kernel's ABI. */
  readonly abi: KernelAbi;
  /** The module name, or null for the host. */
  readonly owner: string | null;
}

/**
 * The context an `init_module`/`cleanup_module` call carries across `await`
 * and into the timers and promises it starts.
 */
export interface AsyncKernelContext {
  /** The ABI to use while the call is still running (it re-enters the module's context). */
  readonly abi: KernelAbi;
  /** True until the module function has settled. */
  open: boolean;
  /** Reports a call made after the module function settled (`what`: the ABI function). */
  late(what: string): void;
}

const KEY = Symbol.for("kprobes-sim.kernel-context");
const ASYNC_KEY = Symbol.for("kprobes-sim.kernel-context.async");

function asyncStorage(): AsyncLocalStorage<AsyncKernelContext> {
  const g = globalThis as unknown as Record<
    symbol,
    AsyncLocalStorage<AsyncKernelContext> | undefined
  >;
  return g[ASYNC_KEY] ??= new AsyncLocalStorage<AsyncKernelContext>();
}

function stack(): KernelContextFrame[] {
  const g = globalThis as unknown as Record<symbol, KernelContextFrame[] | undefined>;
  let s = g[KEY];
  if (s === undefined) {
    s = [];
    g[KEY] = s;
  }
  return s;
}

/**
 * Runs `fn` with `frame` as the current kernel context.
 *
 * @param frame The kernel and owner.
 * @param fn The module code to run.
 * @returns What `fn` returns.
 *
 * @example Nested frames
 * ```ts
 * import { currentKernelContext, withKernelContext, type KernelAbi } from "./context.ts";
 * import assert from "node:assert/strict";
 * const abi = {} as KernelAbi;
 * withKernelContext({ abi, owner: "m" }, () => {
 *   assert.equal(currentKernelContext("printk").owner, "m");
 * });
 * ```
 */
export function withKernelContext<R>(frame: KernelContextFrame, fn: () => R): R {
  const s = stack();
  s.push(frame);
  try {
    return fn();
  } finally {
    s.pop();
  }
}

/**
 * Pushes a frame (the hot-path form of {@linkcode withKernelContext}, for
 * callers that keep their own try/finally).
 *
 * @param frame The kernel and owner.
 */
export function pushKernelContext(frame: KernelContextFrame): void {
  stack().push(frame);
}

/**
 * Pops the frame pushed by {@linkcode pushKernelContext}.
 *
 * @param frame The frame expected on top.
 */
export function popKernelContext(frame: KernelContextFrame): void {
  const s = stack();
  if (s[s.length - 1] === frame) s.pop();
}

/**
 * Runs `fn` (a module's `init_module` or `cleanup_module`) with `ctx` as its
 * asynchronous kernel context and `frame` as its synchronous one.
 *
 * @param ctx The asynchronous context; the caller closes it when `fn`'s result settles.
 * @param frame The kernel and owner.
 * @param fn The module function.
 * @returns What `fn` returns.
 *
 * @example A call after an await keeps its kernel
 * ```ts
 * import { kernelAbiFor, runAsyncKernelContext, type KernelAbi } from "./context.ts";
 * import assert from "node:assert/strict";
 * const abi = {} as KernelAbi;
 * const ctx = { abi, open: true, late: () => {} };
 * await runAsyncKernelContext(ctx, { abi, owner: "m" }, async () => {
 *   await null;
 *   assert.equal(kernelAbiFor("printk"), abi);
 * });
 * ```
 */
export function runAsyncKernelContext<R>(
  ctx: AsyncKernelContext,
  frame: KernelContextFrame,
  fn: () => R,
): R {
  return asyncStorage().run(ctx, () => withKernelContext(frame, fn));
}

/**
 * The ABI of the kernel running the caller, for a kernel-ABI function
 * named `what`. Inside a handler or a module function: the innermost frame
 * (no async lookup). After an `await` in a running `init_module`: its
 * kernel. From a timer or promise after the module function settled: null,
 * after the kernel logged the late call. With no kernel at all: null, after
 * one warning on stderr. The ABI function then returns its errno (-EINVAL)
 * or does nothing; it never throws.
 *
 * @param what The ABI function asking.
 * @returns The ABI, or null.
 *
 * @example Outside any kernel
 * ```ts
 * import { kernelAbiFor } from "./context.ts";
 * import assert from "node:assert/strict";
 * const error = console.error;
 * console.error = () => {};
 * try {
 *   assert.equal(kernelAbiFor("printk"), null);
 * } finally {
 *   console.error = error;
 * }
 * ```
 */
export function kernelAbiFor(what: string): KernelAbi | null {
  const s = stack();
  const top = s[s.length - 1];
  if (top !== undefined) return top.abi;
  const ctx = asyncStorage().getStore();
  if (ctx === undefined) {
    console.error(
      `Warning: ${what}() called outside any kernel: it returns -EINVAL or does nothing; call it from init_module, cleanup_module or a probe handler`,
    );
    return null;
  }
  if (!ctx.open) {
    ctx.late(what);
    return null;
  }
  return ctx.abi;
}

/** Thrown when kernel-ABI code runs outside any kernel. */
export class NoKernelContextError extends Error {
  /**
   * Creates the error for one ABI call.
   *
   * @param what The ABI function that was called.
   */
  constructor(what: string) {
    super(
      `Cannot call ${what}(): no kernel is running this code, call it from init_module, cleanup_module or a probe handler`,
    );
    this.name = "NoKernelContextError";
  }
}

/**
 * The innermost kernel context.
 *
 * @param what Name of the ABI function asking (for the error message).
 * @returns The frame.
 * @throws {NoKernelContextError} Outside any kernel.
 */
export function currentKernelContext(what: string): KernelContextFrame {
  const s = stack();
  const top = s[s.length - 1];
  if (top === undefined) throw new NoKernelContextError(what);
  return top;
}
