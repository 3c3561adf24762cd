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
 * x86_64's `struct pt_regs` (§4.1), every field a `bigint`: the 2.6 names
 * (`rax`…`r15`, `rip`, `eflags`, `orig_rax`) and Linux 6.x's (`ax`, `di`,
 * `ip`, `sp`, `flags`, `orig_ax`…) for the same registers.
 */
export interface PtRegsX86_64 {
  /** The discriminant: narrow on it before naming a register. */
  readonly arch: "x86_64";
  /** `rax`. */
  rax: bigint;
  /** `rbx`. */
  rbx: bigint;
  /** `rcx`. */
  rcx: bigint;
  /** `rdx`. */
  rdx: bigint;
  /** `rsi`. */
  rsi: bigint;
  /** `rdi`. */
  rdi: bigint;
  /** `rbp`. */
  rbp: bigint;
  /** `rsp`. */
  rsp: bigint;
  /** `r8`. */
  r8: bigint;
  /** `r9`. */
  r9: bigint;
  /** `r10`. */
  r10: bigint;
  /** `r11`. */
  r11: bigint;
  /** `r12`. */
  r12: bigint;
  /** `r13`. */
  r13: bigint;
  /** `r14`. */
  r14: bigint;
  /** `r15`. */
  r15: bigint;
  /** Linux 6.x name of `rax`. */
  ax: bigint;
  /** Linux 6.x name of `rbx`. */
  bx: bigint;
  /** Linux 6.x name of `rcx`. */
  cx: bigint;
  /** Linux 6.x name of `rdx`. */
  dx: bigint;
  /** Linux 6.x name of `rsi`. */
  si: bigint;
  /** Linux 6.x name of `rdi`. */
  di: bigint;
  /** Linux 6.x name of `rbp`. */
  bp: bigint;
  /** Linux 6.x name of `rsp`. */
  sp: bigint;
  /** Instruction pointer (in a pre_handler: just past the int3). */
  rip: bigint;
  /** Linux 6.x name of `rip`. */
  ip: bigint;
  /** RFLAGS. */
  eflags: bigint;
  /** Linux 6.x name of `eflags`. */
  flags: bigint;
  /** System call number on entry (not tracked: all ones). */
  readonly orig_rax: bigint;
  /** Linux 6.x name of `orig_rax`. */
  readonly orig_ax: bigint;
  /** Code segment selector (read-only). */
  readonly cs: bigint;
  /** Stack segment selector (read-only). */
  readonly ss: bigint;
}

/**
 * i386's `struct pt_regs` (§4.1), every field a `number`: the 2.6 names
 * (`eax`…`edi`, `eip`, `esp`, `eflags`, `orig_eax`, `xcs`) and Linux 6.x's
 * (`ax`, `ip`, `sp`, `flags`, `cs`, `ss`…) for the same registers.
 */
export interface PtRegsI386 {
  /** The discriminant: narrow on it before naming a register. */
  readonly arch: "i386";
  /** `eax`. */
  eax: number;
  /** `ebx`. */
  ebx: number;
  /** `ecx`. */
  ecx: number;
  /** `edx`. */
  edx: number;
  /** `esi`. */
  esi: number;
  /** `edi`. */
  edi: number;
  /** `ebp`. */
  ebp: number;
  /** `esp`. */
  esp: number;
  /** Linux 6.x name of `eax`. */
  ax: number;
  /** Linux 6.x name of `ebx`. */
  bx: number;
  /** Linux 6.x name of `ecx`. */
  cx: number;
  /** Linux 6.x name of `edx`. */
  dx: number;
  /** Linux 6.x name of `esi`. */
  si: number;
  /** Linux 6.x name of `edi`. */
  di: number;
  /** Linux 6.x name of `ebp`. */
  bp: number;
  /** Linux 6.x name of `esp`. */
  sp: number;
  /** Instruction pointer (in a pre_handler: just past the int3). */
  eip: number;
  /** Linux 6.x name of `eip`. */
  ip: number;
  /** EFLAGS. */
  eflags: number;
  /** Linux 6.x name of `eflags`. */
  flags: number;
  /** System call number on entry (not tracked: all ones). */
  readonly orig_eax: number;
  /** Linux 6.x name of `orig_eax`. */
  readonly orig_ax: number;
  /** Code segment selector (read-only). */
  readonly xcs: number;
  /** Linux 6.x name of `xcs`. */
  readonly cs: number;
  /** Stack segment selector (read-only). */
  readonly ss: number;
}

/** ppc64's `struct pt_regs` (asm-ppc64/ptrace.h, §4.1), every field a `bigint`. */
export interface PtRegsPpc64 {
  /** The discriminant: narrow on it before naming a register. */
  readonly arch: "ppc64";
  /** General-purpose registers r0–r31 (`gpr[3]`: first argument and return value). */
  gpr: bigint[];
  /** Next instruction pointer. */
  nip: bigint;
  /** Machine state register. */
  msr: bigint;
  /** r3 at system call entry (not tracked: r3). */
  readonly orig_gpr3: bigint;
  /** Count register. */
  ctr: bigint;
  /** Link register. */
  link: bigint;
  /** Fixed-point exception register. */
  xer: bigint;
  /** Condition register. */
  ccr: bigint;
  /** The vector of the interrupt that stopped the CPU (0x700 for a breakpoint). */
  readonly trap: bigint;
  /** Data address register. */
  dar: bigint;
  /** DSISR. */
  dsisr: bigint;
  /** System call result slot (not tracked: 0). */
  readonly result: bigint;
}

/**
 * sparc64's `struct pt_regs` (asm-sparc64/ptrace.h, §4.1), every field a
 * `bigint`. `u_regs` holds the 16 registers a trap saves: `%g0`–`%g7` at
 * `UREG_G0`–`UREG_G7` (0–7), then the trapped window's `%o0`–`%o7` at
 * `UREG_I0`–`UREG_I7` (8–15; `UREG_FP` 14 is the trapped `%sp`, biased by
 * 2047, and `UREG_RETPC` 15 its `%o7`).
 */
export interface PtRegsSparc64 {
  /** The discriminant: narrow on it before naming a register. */
  readonly arch: "sparc64";
  /** `%g0`–`%g7`, then `%o0`–`%o7` of the trapped window (`u_regs[8]`: first argument and return value). */
  u_regs: bigint[];
  /** TSTATE: CCR, ASI, PSTATE and CWP as the trap saved them, PIL in bits 23:20. */
  tstate: bigint;
  /** Trap PC: the trapped instruction (in a pre_handler, the probed one). */
  tpc: bigint;
  /** Trap nPC: the instruction after it (a delay slot's branch target). */
  tnpc: bigint;
  /** The Y register (32 bits). */
  y: bigint;
}

/**
 * The saved registers handed to a handler: the running arch's
 * `struct pt_regs`, discriminated by `arch`. Naming a register of one arch
 * fails `deno check` until the code narrows:
 * `if (regs.arch === "x86_64") printk("%lx\n", regs.rdi)`. Portable code
 * uses the helpers instead (`regs_get_kernel_argument`,
 * `regs_return_value`, `instruction_pointer`, `regs_get_register`). At run
 * time a register the arch lacks (JavaScript ignoring the types) throws a
 * `RegisterError` naming register and arch, which the handler's
 * containment logs. Assigning to a field changes the guest when the handler
 * returns (§5: fault injection, bug fixes).
 *
 * @example Narrow, then name the arch's registers
 * ```ts
 * import type { PtRegs } from "./types.ts";
 * function pc(regs: PtRegs): bigint {
 *   switch (regs.arch) {
 *     case "x86_64":
 *       return regs.rip;
 *     case "i386":
 *       return BigInt(regs.eip);
 *     case "ppc64":
 *       return regs.nip;
 *     case "sparc64":
 *       return regs.tpc;
 *   }
 * }
 * ```
 */
export type PtRegs = PtRegsX86_64 | PtRegsI386 | PtRegsPpc64 | PtRegsSparc64;

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
  /** Thread group id: the pid (the guest has no threads). */
  readonly tgid: number;
  /** Command name. */
  readonly comm: string;
  /** `state` (Linux 6.x `__state`): 0 running, 1 interruptible, 2 uninterruptible, 16 zombie, 32 dead. */
  readonly state: number;
  /** The CPU of its `thread_info` (the one it runs or last ran on). */
  readonly cpu: number;
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
