// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The architecture contract: what the kernel model and the Kprobes core may
 * ask of an instruction set. Mirrors the `arch_*` declarations of
 * `include/linux/kprobes.h`: the generic core never reads an opcode, the
 * arch half never knows tasks, modules or the probe table.
 *
 * 64-bit guest values travel as two unsigned 32-bit halves `(hi, lo)` inside
 * `arch/`; `bigint` appears only at the handler boundary (`pt_regs`).
 *
 * @module
 */

/** Why {@linkcode GuestCpu.run} returned. */
export type StopReason = number;
/** The instruction budget given to `run()` is used up. */
export const STOP_BUDGET: StopReason = 0;
/** A CPU exception (vector 0–31) was raised; see `trapVector`. */
export const STOP_TRAP: StopReason = 1;
/** The CPU executed `hlt` (x86) or its idle equivalent; `rip` is past it. */
export const STOP_HALT: StopReason = 2;
/** The CPU returned to user mode (CPL 3 / MSR.PR); the host plays user space. */
export const STOP_USER: StopReason = 3;
/** The guest made a hypercall (`vmcall` on x86); number in `hypercallNr`. */
export const STOP_HYPERCALL: StopReason = 4;

/** Trap kinds reported by {@linkcode Arch.trapKind}. */
export const TRAP_BREAKPOINT = 0;
/** Single-step (trace) trap. */
export const TRAP_SINGLESTEP = 1;
/** Page fault / data or instruction storage interrupt. */
export const TRAP_PAGEFAULT = 2;
/** General protection fault. */
export const TRAP_GP = 3;
/** Invalid opcode / illegal instruction. */
export const TRAP_INVALID = 4;
/** Divide error. */
export const TRAP_DIVIDE = 5;
/** Anything else (alignment, …). */
export const TRAP_OTHER = 6;

/** Page-fault error-code bits (x86 layout, used by every arch's model). */
export const PF_PROT = 1;
/** The faulting access was a write. */
export const PF_WRITE = 2;
/** The faulting access came from user mode. */
export const PF_USER = 4;
/** The faulting access was an instruction fetch. */
export const PF_INSTR = 16;

/**
 * The guest address space as the interpreters see it. Implemented by
 * `kernel-model/memory.ts`; endianness is fixed at construction.
 *
 * Every access either succeeds or throws the preallocated
 * {@linkcode Fault} (vector 14, error code, address) with no side effect.
 */
export interface GuestMemory {
  /** True for x86, false for ppc64. */
  readonly littleEndian: boolean;
  /** The backing bytes; offsets come from {@linkcode GuestMemory.translate}. */
  readonly u8: Uint8Array;
  /**
   * Offset into `u8` of guest address `(hi, lo)` for an access of `size`
   * bytes that must not cross a page; throws the fault otherwise.
   * `access` is a combination of `PF_WRITE`, `PF_USER`, `PF_INSTR`.
   */
  translate(hi: number, lo: number, access: number): number;
  /**
   * How many times page protections changed (absent: unknown). A
   * translation and its permission check cached by the host stay exact
   * while it is the same (regions never move).
   */
  readonly protectCount?: number;
  /** Reads an unsigned byte. */
  read8(hi: number, lo: number): number;
  /** Reads an unsigned 16-bit value in the memory's byte order. */
  read16(hi: number, lo: number): number;
  /** Reads an unsigned 32-bit value in the memory's byte order. */
  read32(hi: number, lo: number): number;
  /** Writes a byte. */
  write8(hi: number, lo: number, value: number): void;
  /** Writes a 16-bit value. */
  write16(hi: number, lo: number, value: number): void;
  /** Writes a 32-bit value. */
  write32(hi: number, lo: number, value: number): void;
  /**
   * Writes bytes into kernel text regardless of protection and tells every
   * text-write listener (decode caches). Linux: text_poke().
   */
  pokeText(hi: number, lo: number, bytes: Uint8Array): void;
  /** Registers a listener for text writes `(hi, lo, length)`. */
  onTextWrite(listener: (hi: number, lo: number, length: number) => void): void;
}

/**
 * The part of a CPU object the kernel model touches directly on its run
 * loop; everything else goes through the {@linkcode Arch} object.
 */
export interface ArchCpu {
  /** Retired instructions: the CPU's clock. */
  tsc: number;
  /** Vector of the exception that stopped `run()` with `STOP_TRAP`. */
  trapVector: number;
  /** Its error code. */
  trapErrorCode: number;
  /** Executes up to `budget` instructions; returns why it stopped. */
  run(budget: number): StopReason;
  /** Makes an external interrupt pending. */
  raiseInterrupt(vector: number): void;
  /**
   * Block translator threshold: interpreted entries of a block before it is
   * translated; 0 on first entry, -1 off. Absent where there is none.
   */
  jitThreshold?: number;
  /**
   * Called by the run loop with a `STOP_TRAP` or `STOP_HYPERCALL` before it
   * returns it; true means the host handled the stop in place (a kprobe hit)
   * and `run()` goes on. Absent or null: every stop returns.
   */
  stopHook?: ((reason: StopReason) => boolean) | null;
  /**
   * Called by the hypercall instruction (x86 `vmcall`, ppc64 `sc 1`) in
   * kernel mode, with the PC past it, before it would stop: true means the
   * host handled the call in place (an optimized kprobe's detour calling
   * in) and the CPU goes on after the instruction without stopping; false
   * makes it stop with `STOP_HYPERCALL` as without a hook. Absent or null:
   * every hypercall stops.
   */
  callIn?: (() => boolean) | null;
}

/**
 * How a kprobe hit runs the probed instruction ({@linkcode KprobesArch.stepMode}):
 * the copy in the slot under the trace flag, one trap after it (the spec's
 * single-step, and every hit of a probe with a post_handler).
 */
export const STEP_SINGLE = 0;
/**
 * Run in place by the interpreter's own handler for that instruction, on the
 * trapped registers: no slot, no second trap. Linux 6.1: the `emulate_op` of
 * setup_singlestep() (x86), try_to_emulate() (ppc64).
 */
export const STEP_EMULATE = 1;
/**
 * The CPU resumes in the slot, whose copy is followed by a jump back to the
 * next instruction: no trace flag, no second trap. Linux 6.1: the boost of
 * setup_singlestep() (x86, not with CONFIG_PREEMPTION).
 */
export const STEP_BOOST = 2;

/** A probe point as the arch half sees it. Linux: `struct kprobe` + `struct arch_specific_insn`. */
export interface ArchProbe {
  /** Probed address. */
  addr: bigint;
  /** Instruction slot holding the copy (0n until prepared). */
  slot: bigint;
  /** The original bytes the breakpoint replaces. */
  saved: Uint8Array;
  /** Arch-private decode of the probed instruction. */
  ainsn: unknown;
}

/** Per-CPU saved flags the arch half keeps while single-stepping. */
export interface ArchStepState {
  /** Flags bits (TF/IF or MSR.SE/EE) to restore after the step. */
  savedFlags: number;
  /** Flags bits as they were at the hit. */
  oldFlags: number;
}

/** What `prepareKprobe` may ask of the kernel: memory and symbol bounds. */
export interface PrepareContext {
  /** The guest memory. */
  memory: GuestMemory;
  /** Start address of the function containing `addr`, if known. */
  functionStart: bigint | undefined;
  /**
   * Reads up to `n` bytes of kernel text at `addr` as the ELF image has
   * them: live text with the saved bytes of every armed probe laid over
   * its breakpoint, so another probe's breakpoint never reaches a decoder
   * or a slot. Shorter than `n` where memory ends.
   * Linux: recover_probed_instruction() (arch/x86/kernel/kprobes/core.c).
   */
  readText(addr: bigint, n: number): Uint8Array;
  /** Allocates an instruction slot; 0n when none is left. */
  getInsnSlot(): bigint;
  /** Says why the address is refused; the core logs it with the address. */
  refuse(reason: string): void;
  /**
   * Does `addr` have an `__ex_table` entry (a fault there is fixed up by
   * address, so the instruction must fault where it stands)? Linux:
   * search_exception_tables(), as can_boost() asks it. Absent: no.
   */
  inExceptionTable?(addr: bigint): boolean;
}

/**
 * Kernel code an arch forbids probing, by symbol, with the reason the log
 * gives. Linux: `arch_populate_kprobe_blacklist()`,
 * `arch_within_kprobe_blacklist()` and the arch's `NOKPROBE_SYMBOL()`s.
 */
export interface KprobeBlacklistEntry {
  /** Function symbols (kallsyms names) whose whole body is refused. */
  readonly symbols: readonly string[];
  /** Why, as the log line gives it (e.g. `exception vector (head text)`). */
  readonly reason: string;
}

/**
 * The architecture half of Kprobes. Linux: the `arch_*` functions of
 * `arch/<arch>/kernel/kprobes.c`.
 */
export interface KprobesArch {
  /** The breakpoint instruction bytes (0xcc, or 0x7fe00008 big-endian). */
  readonly breakpoint: Uint8Array;
  /** Linux: MAX_INSN_SIZE in bytes. */
  readonly maxInsnSize: number;
  /** Linux: arch_prepare_kprobe(): checks the address and copies the instruction; 0 or -errno. */
  prepareKprobe(p: ArchProbe, ctx: PrepareContext): number;
  /** Linux: arch_arm_kprobe(): writes the breakpoint. */
  armKprobe(p: ArchProbe, memory: GuestMemory): void;
  /** Linux: arch_disarm_kprobe(): restores the original bytes. */
  disarmKprobe(p: ArchProbe, memory: GuestMemory): void;
  /** Low 32 bits of the breakpoint address that trapped, from the CPU state after the trap. */
  breakpointLo(cpu: ArchCpu): number;
  /** High 32 bits of that address. */
  breakpointHi(cpu: ArchCpu): number;
  /** Is the word at `addr` a breakpoint (ours or the guest's)? */
  isBreakpoint(memory: GuestMemory, addr: bigint): boolean;
  /** Linux: prepare_singlestep(): PC to the slot, trace flag on, interrupts off. */
  setupSingleStep(p: ArchProbe, cpu: ArchCpu, state: ArchStepState): void;
  /** Linux: resume_execution(): fixes PC/stack after the step and restores flags. */
  resumeExecution(p: ArchProbe, cpu: ArchCpu, state: ArchStepState, memory: GuestMemory): void;
  /**
   * How this hit may run the probed instruction without a trace trap:
   * `STEP_EMULATE`, `STEP_BOOST` (only when `boost` allows it), else
   * `STEP_SINGLE`. Never STEP_BOOST or STEP_EMULATE while the guest itself
   * traces (trace flag set). Absent: always single-step.
   * Linux: the `boostable`/`emulate_op` tests of setup_singlestep() (x86),
   * `p->ainsn.boostable >= 0` (ppc64).
   */
  stepMode?(p: ArchProbe, cpu: ArchCpu, boost: boolean): number;
  /**
   * Runs the probed instruction in place (after `stepMode` said
   * `STEP_EMULATE`): PC past it or at its branch target, the retired count
   * advanced by one, `state` filled as `setupSingleStep` fills it. A fault
   * propagates as the original instruction's, with the PC on the probe
   * (the core's fault path then treats it as a fault of the single-step).
   * Linux: kprobe_emulate_*() (x86), emulate_step() (ppc64).
   */
  emulateStep?(p: ArchProbe, cpu: ArchCpu, state: ArchStepState): void;
  /**
   * Sends the CPU into the slot without the trace flag (after `stepMode`
   * said `STEP_BOOST`): the copy runs and jumps back by itself.
   * Linux: `regs->ip = p->ainsn.insn` in setup_singlestep().
   */
  setupBoost?(p: ArchProbe, cpu: ArchCpu): void;
  /** Restores PC to the probe and the flags, when the step faulted. */
  abortSingleStep(p: ArchProbe, cpu: ArchCpu, state: ArchStepState): void;
  /** Does the trace flag remain set after resume (the guest was itself tracing)? */
  traceFlagSet(cpu: ArchCpu): boolean;
  /**
   * Saves the registers and up to MAX_STACK_SIZE bytes of stack, then sends
   * the CPU to `entry` with interrupts off. Linux: setjmp_pre_handler().
   */
  setjmpPreHandler(cpu: ArchCpu, memory: GuestMemory, save: JprobeSave, entry: bigint): void;
  /**
   * Restores what `setjmpPreHandler` saved (registers and the stack copy).
   * Linux: longjmp_break_handler().
   */
  longjmpBreakHandler(cpu: ArchCpu, memory: GuestMemory, save: JprobeSave): void;
  /**
   * Puts the CPU in the state the jprobe trampoline reaches at its
   * hypercall, without running it: the PC at `(hi, lo)` (the instruction
   * after the hypercall) and `nr` in the hypercall-number register. Where
   * the arch has it, a jprobe's handler runs at the breakpoint that
   * `setjmpPreHandler` handled, in that state (one stop fewer per hit).
   */
  jprobeCallIn?(cpu: ArchCpu, lo: number, hi: number, nr: number): void;
  /**
   * At a function entry: returns the real return address and replaces it
   * with `trampoline` (on the stack on x86, in LR on ppc64).
   * Linux: arch_prepare_kretprobe().
   */
  prepareKretprobe(cpu: ArchCpu, memory: GuestMemory, trampoline: bigint): bigint;
  /**
   * {@linkcode KprobesArch.prepareKretprobe} without BigInt (the hit path),
   * where the arch has it: the real return address's low and high halves go
   * to `out[0]` and `out[1]`.
   */
  prepareKretprobeHalves?(
    cpu: ArchCpu,
    memory: GuestMemory,
    trampolineLo: number,
    trampolineHi: number,
    out: Uint32Array,
  ): void;
  /** Sends the CPU to `(hi, lo)` without BigInt (the kretprobe trampoline's way back), where the arch has it. */
  setPcHalves?(cpu: ArchCpu, lo: number, hi: number): void;
  /** Linux: MAX_STACK_SIZE, bytes of stack a jprobe saves. */
  readonly maxStackSize: number;
  /** Code of this arch that Kprobes refuses (entry code, exception vectors). */
  readonly blacklist: readonly KprobeBlacklistEntry[];
  /** The optimized-kprobe half, on arches that have one (Linux: CONFIG_OPTPROBES). */
  readonly optimized?: OptKprobesArch;
}

/**
 * What `OptKprobesArch.prepareOptimized` may ask of the kernel. Linux:
 * what can_optimize() and copy_optimized_instructions() look up.
 */
export interface OptPrepareContext {
  /** The guest memory. */
  memory: GuestMemory;
  /** Reads kernel text as the image has it (armed probes' saved bytes laid over). */
  readText(addr: bigint, n: number): Uint8Array;
  /** Start of the function holding the probe, if known. */
  functionStart: bigint | undefined;
  /** Its size in bytes (kallsyms). */
  functionSize: bigint;
  /** Does `addr` have an `__ex_table` entry? Linux: search_exception_tables(). */
  inExceptionTable(addr: bigint): boolean;
  /** Is another armed probe at `addr`? Linux: get_kprobe() && !kprobe_disarmed(). */
  probeAt(addr: bigint): boolean;
  /** Records why the probe stays a breakpoint probe, for the log. */
  refuse(reason: string): void;
}

/**
 * The arch half of optimized kprobes: a jump over the probed instructions to
 * a detour buffer that calls the handlers, runs the relocated instructions
 * and jumps back. Linux: arch/x86/kernel/kprobes/opt.c,
 * arch/powerpc/kernel/optprobes.c.
 */
export interface OptKprobesArch {
  /** Bytes of one detour buffer, a power of two (Linux: MAX_OPTINSN_SIZE, rounded up). */
  readonly detourSize: number;
  /**
   * Checks the probe can be optimized and fills `buf` with its detour
   * buffer, to be placed at `detour`. Linux: arch_prepare_optimized_kprobe().
   *
   * @returns The number of original bytes the jump replaces, or -errno
   * (after `ctx.refuse(reason)`).
   */
  prepareOptimized(p: ArchProbe, detour: bigint, buf: Uint8Array, ctx: OptPrepareContext): number;
  /** Writes the jump to the detour over the breakpoint. Linux: arch_optimize_kprobes(). */
  optimize(p: ArchProbe, detour: bigint, memory: GuestMemory): void;
  /**
   * Puts the breakpoint back, and after it the original bytes the jump
   * covered. Linux: arch_unoptimize_kprobe().
   */
  unoptimize(p: ArchProbe, original: Uint8Array, memory: GuestMemory): void;
  /** Offset of the call-in instruction's end in the detour (the PC at the call-in). */
  readonly callInEnd: number;
  /** The PC's low half at the call-in. */
  pcLo(cpu: ArchCpu): number;
  /** The PC's high half at the call-in. */
  pcHi(cpu: ArchCpu): number;
  /**
   * Makes the CPU's PC what a breakpoint hit at `p` shows its handlers
   * (Linux optimized_callback(): `regs->ip = addr + INT3_INSN_SIZE`).
   */
  enterHandler(p: ArchProbe, cpu: ArchCpu): void;
  /** Puts the PC back in the detour after the handlers (their PC changes are ignored, as in Linux). */
  leaveHandler(p: ArchProbe, cpu: ArchCpu, lo: number, hi: number): void;
}

/** What a jprobe hit saves on its CPU. Linux: the jprobe part of `struct kprobe_ctlblk`. */
export interface JprobeSave {
  /** The saved registers. */
  context: ArchContext;
  /** Where the saved stack bytes came from. */
  stackAddr: bigint;
  /** Low half of `stackAddr`, where the arch keeps halves (x86: no BigInt per hit). */
  stackLo?: number;
  /** High half of `stackAddr`, with `stackLo`. */
  stackHi?: number;
  /** The saved stack bytes. */
  stack: Uint8Array;
}

/** A saved register file, opaque to the kernel model. */
export type ArchContext = unknown;

/** One line-oriented register dump for an Oops, in the arch's Linux format. */
export interface OopsRegisters {
  /** `RIP: 0010:[<…>]` style first line(s) without the symbol. */
  lines: string[];
}

/**
 * An instruction set as the kernel model uses it: CPUs, calling convention,
 * system-call entry, stack unwinding and the Kprobes half. Chosen once at
 * boot; the kernel model never switches on the arch name.
 */
export interface Arch {
  /** `x86_64`, `i386` or `ppc64`. */
  readonly name: string;
  /** Pointer width in bits. */
  readonly bits: 32 | 64;
  /** Byte order of the guest. */
  readonly littleEndian: boolean;
  /** ELF e_machine of its images. */
  readonly elfMachine: number;
  /** Base of kernel RAM (where the image is linked). */
  readonly kernelBase: bigint;
  /** Base and size of the shared user region. */
  readonly userBase: bigint;
  /** Size in bytes of the user region. */
  readonly userSize: number;
  /** External interrupt vector of the timer. */
  readonly timerVector: number;
  /** The Kprobes half. */
  readonly kprobes: KprobesArch;
  /** Makes CPU `id` over `memory`, reset, interrupts off, kernel mode. */
  createCpu(memory: GuestMemory, id: number): ArchCpu;
  /** Points a reset CPU at `entry` with `arg` in the first argument register. */
  startCpu(cpu: ArchCpu, entry: bigint, arg: bigint): void;
  /** Program counter. */
  getPc(cpu: ArchCpu): bigint;
  /** Sets the program counter. */
  setPc(cpu: ArchCpu, pc: bigint): void;
  /** Stack pointer. */
  getSp(cpu: ArchCpu): bigint;
  /** Sets the stack pointer. */
  setSp(cpu: ArchCpu, sp: bigint): void;
  /** Low 32 bits of the stack pointer (hot path, no BigInt). */
  spLo(cpu: ArchCpu): number;
  /** High 32 bits of the stack pointer. */
  spHi(cpu: ArchCpu): number;
  /**
   * Where the stack pointer's halves sit in the CPU's `regs` (a
   * Uint32Array): the low half's index and the high half's (-1: always
   * 0), when they are plain words there. A probe hit reads them directly
   * (`spLo`/`spHi` are calls that box a word above 2^30); absent, it calls
   * them.
   */
  readonly spRegs?: readonly [lo: number, hi: number];
  /** The function return value register (rax, gpr[3]). */
  getReturnValue(cpu: ArchCpu): bigint;
  /**
   * Argument `i` of the calling convention at a function entry; `regparm`
   * is the number of register arguments of an i386 `fastcall` function.
   */
  getArgument(cpu: ArchCpu, memory: GuestMemory, i: number, regparm?: number): bigint;
  /** Whether external interrupts are enabled. */
  interruptsEnabled(cpu: ArchCpu): boolean;
  /** Whether the CPU is in user mode. */
  isUserMode(cpu: ArchCpu): boolean;
  /** Snapshot of every register. */
  saveContext(cpu: ArchCpu): ArchContext;
  /** Restores a snapshot. */
  restoreContext(cpu: ArchCpu, ctx: ArchContext): void;
  /**
   * Sets up a call of `fn(args…)` returning to `returnAddress`, on the stack
   * at `sp` (already below anything live); kernel mode, interrupts off.
   */
  setupCall(
    cpu: ArchCpu,
    memory: GuestMemory,
    fn: bigint,
    args: readonly bigint[],
    returnAddress: bigint,
    sp: bigint,
  ): void;
  /** Enters the kernel from user mode with system call `nr` (`int $0x80`, `sc`). */
  enterSyscall(cpu: ArchCpu, nr: number, args: readonly bigint[], userSp: bigint): void;
  /** Address of the kernel stack top the CPU would switch to from user mode. */
  kernelStackTop(cpu: ArchCpu, memory: GuestMemory): bigint;
  /** The handler-facing `pt_regs` view of this CPU (one object per CPU). */
  ptRegs(cpu: ArchCpu): PtRegsView;
  /**
   * Return addresses of the call chain, innermost first, starting from the
   * CPU's current PC (which is included first).
   */
  unwind(
    cpu: ArchCpu,
    memory: GuestMemory,
    symbolStart: (pc: bigint) => bigint | undefined,
  ): bigint[];
  /**
   * Register dump lines for an Oops; `%SYM%` stands for the PC's symbol.
   * `symbolize` formats any other code address as `%pS` does (the kernel's
   * kallsyms; the raw hex when absent).
   */
  oopsRegisters(cpu: ArchCpu, symbolize?: (addr: bigint) => string): string[];
  /** Faulting data address of the last page fault (CR2/DAR). */
  faultAddress(cpu: ArchCpu): bigint;
  /** Hypercall number at `STOP_HYPERCALL`. */
  hypercallNr(cpu: ArchCpu): number;
  /** The hypercall's first argument. */
  hypercallArg(cpu: ArchCpu): bigint;
  /** Linux trap numbers of this arch (§4.1 trapnr). */
  readonly traps: ArchTraps;
  /** What kind of trap stopped the CPU with `STOP_TRAP` (`TRAP_*`). */
  trapKind(cpu: ArchCpu): number;
  /** The result of the system call the CPU just returned from, as a signed value. */
  syscallResult(cpu: ArchCpu): number;
  /**
   * The code address and any extra state to call the function at `fn`
   * (ppc64 ELFv1: `fn` may be a function descriptor); x86 returns `fn`.
   */
  callTarget(memory: GuestMemory, fn: bigint): bigint;
  /**
   * Is BUG() the breakpoint instruction itself (ppc64's trap word)? Then an
   * unclaimed breakpoint is reported as `kernel BUG at …`.
   */
  readonly breakpointIsBug: boolean;
  /** PC of the halt instruction that stopped the CPU with `STOP_HALT`. */
  haltPc(cpu: ArchCpu): bigint;
  /** Clears the single-step flag (a stray debug trap in kernel mode). */
  clearTraceFlag(cpu: ArchCpu): void;
  /** System call numbers by name (`open`, `fork`…) of this arch's ABI. */
  readonly syscallNumbers: Readonly<Record<string, number>>;
  /** Symbol where secondary CPUs start. */
  readonly secondaryEntry: string;
  /** Options for kallsyms on this arch (name resolution of dot symbols on ppc64). */
  readonly kallsymsOptions?: { resolveName?: (name: string) => string[] };
}

/** Trap numbers as an arch reports them to fault handlers. */
export interface ArchTraps {
  /** Breakpoint trap (x86 3, ppc64 0x700). */
  breakpoint: number;
  /** Single-step trap (x86 1, ppc64 0xd00). */
  singleStep: number;
  /** Page fault / data storage (x86 14, ppc64 0x300). */
  pageFault: number;
  /** General protection (x86 13). */
  generalProtection: number;
  /** Invalid opcode (x86 6). */
  invalidOpcode: number;
  /** Divide error (x86 0). */
  divideError: number;
}

/**
 * A `pt_regs` view bound to a CPU: field access reads and writes the live
 * registers. Opaque here but for its `arch` (the discriminant of the
 * handler-facing `PtRegs` union); handlers see it typed as `PtRegs`.
 */
export interface PtRegsView {
  /** Which arch's `struct pt_regs` this is. */
  readonly arch: "x86_64" | "i386" | "ppc64" | "sparc64";
}
