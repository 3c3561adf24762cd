// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Kprobes data structures with the field names of `include/linux/kprobes.h`
 * and the handler signatures of the spec (§4). Handlers are ordinary
 * TypeScript functions; addresses are `bigint` on 64-bit kernels.
 *
 * @module
 */

/** A kernel address as handlers see it: `bigint` (64-bit) or `number` (32-bit). */
export type KernelAddress = bigint | number;

/**
 * The saved registers handed to a handler: the architecture's
 * `struct pt_regs` field names. Only the running arch's fields exist:
 * x86_64 `rax`…`r15`, `rip`, `rsp`, `eflags` (`bigint`); i386 `eax`…,
 * `eip`, `esp`, `eflags`, `xcs` (`number`); ppc64 `gpr[]`, `nip`, `msr`,
 * `link`, `ctr`, `ccr`, `xer` (`bigint`). Assigning to a field changes the
 * guest when the handler returns (§5: fault injection, bug fixes).
 */
export interface PtRegs {
  /** x86_64 registers. */
  rax: bigint;
  /** x86_64. */
  rbx: bigint;
  /** x86_64. */
  rcx: bigint;
  /** x86_64. */
  rdx: bigint;
  /** x86_64. */
  rsi: bigint;
  /** x86_64. */
  rdi: bigint;
  /** x86_64. */
  rbp: bigint;
  /** x86_64. */
  rsp: bigint;
  /** x86_64. */
  r8: bigint;
  /** x86_64. */
  r9: bigint;
  /** x86_64. */
  r10: bigint;
  /** x86_64. */
  r11: bigint;
  /** x86_64. */
  r12: bigint;
  /** x86_64. */
  r13: bigint;
  /** x86_64. */
  r14: bigint;
  /** x86_64. */
  r15: bigint;
  /** x86_64 instruction pointer. */
  rip: bigint;
  /** x86 flags: `bigint` on x86_64, `number` on i386. */
  eflags: bigint | number;
  /** i386 registers. */
  eax: number;
  /** i386. */
  ebx: number;
  /** i386. */
  ecx: number;
  /** i386. */
  edx: number;
  /** i386. */
  esi: number;
  /** i386. */
  edi: number;
  /** i386. */
  ebp: number;
  /** i386. */
  esp: number;
  /** i386 instruction pointer. */
  eip: number;
  /** ppc64 general-purpose registers. */
  gpr: bigint[];
  /** ppc64 next instruction pointer. */
  nip: bigint;
  /** ppc64 machine state register. */
  msr: bigint;
  /** ppc64 link register. */
  link: bigint;
  /** ppc64 count register. */
  ctr: bigint;
  /** ppc64 condition register. */
  ccr: bigint;
  /** ppc64 fixed-point exception register. */
  xer: bigint;
}

/**
 * `int pre_handler(struct kprobe *p, struct pt_regs *regs)` (§4.1): return 0
 * unless you're a Kprobes geek (non-zero means "I already set up the resume
 * point; skip the single-step").
 */
export type KprobePreHandler = (p: Kprobe, regs: PtRegs) => number | void;
/** `void post_handler(struct kprobe *p, struct pt_regs *regs, unsigned long flags)` (§4.1). */
export type KprobePostHandler = (p: Kprobe, regs: PtRegs, flags: number) => void;
/** `int fault_handler(struct kprobe *p, struct pt_regs *regs, int trapnr)` (§4.1): 1 = handled. */
export type KprobeFaultHandler = (p: Kprobe, regs: PtRegs, trapnr: number) => number | void;
/** `int break_handler(struct kprobe *p, struct pt_regs *regs)`: used by jprobes. */
export type KprobeBreakHandler = (p: Kprobe, regs: PtRegs) => number | void;

/** `struct kprobe` (§4.1). Set `addr`, or `symbol_name` with an optional `offset`. */
export interface Kprobe {
  /** Probe address; filled in by `register_kprobe()` when `symbol_name` is used. */
  addr?: KernelAddress | null;
  /** Symbol to probe, resolved through kallsyms at registration. */
  symbol_name?: string;
  /** Byte offset from `symbol_name`. */
  offset?: number;
  /** Called before the probed instruction is single-stepped. */
  pre_handler?: KprobePreHandler | null;
  /** Called after the probed instruction is single-stepped. */
  post_handler?: KprobePostHandler | null;
  /** Called when a handler or the single-step faults. */
  fault_handler?: KprobeFaultHandler | null;
  /** Called on a second trap while this probe is active (jprobe_return). */
  break_handler?: KprobeBreakHandler | null;
  /** Hits that ran no handler because another probe was active (§5). */
  nmissed?: number;
  /** Bit 0 KPROBE_FLAG_GONE, bit 1 KPROBE_FLAG_DISABLED. */
  flags?: number;
}

/** `struct jprobe` (§4.2): a kprobe at function entry plus the handler. */
export interface Jprobe {
  /** The underlying kprobe; set `kp.addr` or `kp.symbol_name`. */
  kp: Kprobe;
  /** The handler, with the probed function's parameters; must end in `jprobe_return()`. */
  // deno-lint-ignore no-explicit-any
  entry: (...args: any[]) => unknown;
}

/** `struct kretprobe_instance` (§4.3). */
export interface KretprobeInstance {
  /** The kretprobe this instance belongs to. */
  rp: Kretprobe;
  /** The real return address. */
  ret_addr: KernelAddress;
  /** The task the instance was taken for. */
  task: TaskRef;
  /**
   * This call's private data: `rp.data_size` bytes (0 when unset), zeroed
   * when the instance is taken at function entry, shared by that call's
   * `entry_handler` and `handler`. Linux: `char data[]`, which C code casts
   * to a struct; here read and write it with the DataView methods at the
   * struct's offsets (`ri.data.setBigUint64(0, ktime_get())`).
   */
  data: DataView;
}

/** A guest task as handlers see it (`ri->task`, `current`). */
export interface TaskRef {
  /** Guest address of the task_struct. */
  readonly address: KernelAddress;
  /** Process id. */
  readonly pid: number;
  /** Command name. */
  readonly comm: string;
}

/** `int kretprobe_handler(struct kretprobe_instance *ri, struct pt_regs *regs)` (§4.3). */
export type KretprobeHandler = (ri: KretprobeInstance, regs: PtRegs) => number | void;

/** `struct kretprobe` (§4.3). */
export interface Kretprobe {
  /** The entry kprobe; set `kp.addr` or `kp.symbol_name`. */
  kp: Kprobe;
  /** Called when the probed function returns. */
  handler?: KretprobeHandler | null;
  /** Called at function entry; non-zero skips this instance. */
  entry_handler?: KretprobeHandler | null;
  /** Instances to preallocate; ≤ 0 means the default (§1.3). */
  maxactive?: number;
  /** Entries that found no free instance (§1.3). */
  nmissed?: number;
  /**
   * Bytes of private data per instance, `ri.data` (Linux: `data_size`): an
   * integer from 0 to 65536 (negative or fractional: -EINVAL; larger: -E2BIG).
   */
  data_size?: number;
}

/** kprobe_status: the pre-handler is running. */
export const KPROBE_HIT_ACTIVE = 0x00000001;
/** kprobe_status: single-stepping the copied instruction. */
export const KPROBE_HIT_SS = 0x00000002;
/** kprobe_status: a probe was hit while another was active. */
export const KPROBE_REENTER = 0x00000004;
/** kprobe_status: the single-step is done; the post-handler runs. */
export const KPROBE_HIT_SSDONE = 0x00000008;
/** kprobe flag: the probed code is gone (module unloaded). */
export const KPROBE_FLAG_GONE = 1;
/** kprobe flag: the probe is registered but disarmed. */
export const KPROBE_FLAG_DISABLED = 2;
