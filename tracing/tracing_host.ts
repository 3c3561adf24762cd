// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * What tracing needs of its kernel: symbols, probe registration, guest
 * memory read without faulting, the running task and CPU state. The kernel
 * (`kernel-model/kernel.ts`, the composition root) builds one and hands it
 * to `Tracefs`, so tracing/ imports nothing of kernel-model/ but types.
 *
 * @module
 */

import type { Kprobe, Kretprobe, KretprobeInstance, PtRegs } from "../probes/types.ts";

/** The CPU and task state an event records. Linux: tracing_gen_ctx(), current. */
export interface HitContext {
  /** The CPU. */
  cpu: number;
  /** The current task's pid. */
  pid: number;
  /** Its comm. */
  comm: string;
  /** preempt_count of the current task. */
  preemptCount: number;
  /** Interrupts are off. */
  irqsOff: boolean;
  /** TIF_NEED_RESCHED is set. */
  needResched: boolean;
  /** The CPU's clock in ns (the console's clock, local_clock()). */
  tsNs: number;
}

/** The kernel as tracing sees it. */
export interface TracingHost {
  /** `x86_64`, `i386`, `ppc64` or `sparc64`. */
  readonly arch: "x86_64" | "i386" | "ppc64" | "sparc64";
  /** Word size. */
  readonly bits: 32 | 64;
  /** Number of CPUs. */
  readonly nrCpus: number;
  /** A symbol's address; 0n when unknown. Linux: kallsyms_lookup_name(). */
  lookupName(name: string): bigint;
  /** How many symbols have exactly this name. */
  countSymbols(name: string): number;
  /** Whether `addr` is the first byte of a function (kallsyms offset 0). */
  isFunctionStart(addr: bigint): boolean;
  /** `%pS`: `sym+0xoff/0xsize`, or `0x…` outside every symbol. */
  formatSymbol(addr: bigint): string;
  /** `%ps`: the symbol name alone, or `0x…`. */
  symbolName(addr: bigint): string;
  /** Registers a kprobe. @returns 0 or a negative errno. */
  registerKprobe(kp: Kprobe): number;
  /** Unregisters a kprobe. */
  unregisterKprobe(kp: Kprobe): void;
  /** Registers a return probe. @returns 0 or a negative errno. */
  registerKretprobe(rp: Kretprobe): number;
  /** Unregisters a return probe. */
  unregisterKretprobe(rp: Kretprobe): void;
  /** Enables a registered kprobe (`rp.kp` for a return probe). @returns 0 or -EINVAL. */
  enableKprobe(kp: Kprobe): number;
  /** Disables a registered kprobe. @returns 0 or -EINVAL. */
  disableKprobe(kp: Kprobe): number;
  /** Hits of a registered probe point, -1 when not registered. */
  kprobeHits(kp: Kprobe): number;
  /** Reads `size` bytes as an unsigned integer; null on a fault. */
  readMemory(addr: bigint, size: 1 | 2 | 4 | 8, user: boolean): bigint | null;
  /** Reads a NUL-terminated string of at most `max` bytes; null on a fault. */
  readString(addr: bigint, max: number, user: boolean): string | null;
  /** Fills in the state at a probe hit on the CPU running the handler. */
  hitContext(into: HitContext): void;
  /**
   * Word `n` of the kernel stack of the CPU running the handler (its live
   * registers are the handler's `regs`); 0 beyond the stack or on a fault.
   * Linux: regs_get_kernel_stack_nth().
   */
  stackWord(n: number): bigint;
  /** The current task's comm (`$comm`). */
  currentComm(): string;
  /**
   * A reader of the register the arch's pt_regs calls `name` (a name of
   * `registerNames`, or `sp`, `ax`, `r1`, `r3`; on sparc64 `sp` is `%sp` +
   * 2047, the kernel_stack_pointer()), made once per argument.
   */
  registerReader(name: string): (regs: PtRegs) => bigint;
  /** The return address a kretprobe instance will return to. */
  returnAddress(ri: KretprobeInstance): bigint;
  /** Guest clock of the CPU running the handler, in µs (error_log timestamps). */
  clockUs(): number;
}
