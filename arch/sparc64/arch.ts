// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The sparc64 architecture object (SPARC V9, big-endian, ABI.md's sparc64
 * section): CPUs, the V9 calling convention with its biased stack pointer,
 * `ta 0x6d` system calls (errors set the carry bits), the register-window
 * unwinder, Oops register dumps in Linux/sparc64's format and the Kprobes
 * half.
 *
 * The stack pointer the kernel model sees (`getSp`, `spLo`, `setSp`) is
 * the real address, `%sp + 2047`, as Linux's kernel_stack_pointer() gives
 * it, so `current_thread_info()` and the host's stack-room checks work on
 * it unchanged.
 *
 * @module
 */

import {
  type Arch,
  type ArchContext,
  type ArchCpu,
  type GuestMemory,
  type PtRegsView,
  TRAP_BREAKPOINT,
  TRAP_DIVIDE,
  TRAP_GP,
  TRAP_INVALID,
  TRAP_OTHER,
  TRAP_PAGEFAULT,
  TRAP_SINGLESTEP,
} from "../types.ts";
import { type Sparc64Context, Sparc64Cpu } from "./cpu.ts";
import { makeSparc64Kprobes } from "./kprobes.ts";
import { composeTstate, Sparc64PtRegs } from "./pt_regs.ts";
import { unwindSparc64 } from "./stacktrace.ts";
import { hex16, readU64BE, writeU64BE } from "../_common/be_words.ts";

const KERNEL_BASE = 0x400000n;
const STACK_BIAS = 2047n;
const STACK_BIAS_N = 2047;
/** The 16-register window save area plus the six argument words a callee may spill its ins to. */
const MIN_FRAME = 176n;
const PSTATE_IE = 0x2;
const PSTATE_PRIV = 0x4;
/** The kernel at TL 0: privileged, interrupts gated by %pil only. */
const PSTATE_KERNEL = PSTATE_PRIV | PSTATE_IE;
/** `%pil` that masks the tick (interrupt level 14). */
const PIL_DISABLED = 14;
/** The trap type of `ta 0x6d` (0x100 + 0x6d). */
const TT_SYSCALL = 0x16d;
/** icc.C in CCR: set by the guest on a failed system call. */
const CCR_ICC_C = 0x01;
/** Where a task's first user instruction is (TPC of a new program). */
const USER_PC = 0x100000n;
/**
 * The user window's frame below the host's user stack pointer: its save
 * area lands at 0xe00–0xe7f of the task's scratch page, clear of every
 * argument the host lays out there (syscall_args.ts), so a spill of the
 * user window never overwrites a timespec before the kernel reads it.
 */
const USER_FRAME = 0x1c0n;

const views = new WeakMap<Sparc64Cpu, Sparc64PtRegs>();

/** System-call numbers of the image (asm/unistd.h: i386's, sched_setaffinity as ppc64's). */
const SYSCALLS_SPARC64: Readonly<Record<string, number>> = {
  exit: 1,
  fork: 2,
  read: 3,
  write: 4,
  open: 5,
  close: 6,
  execve: 11,
  getpid: 20,
  setuid: 23,
  wait4: 114,
  clone: 120,
  nanosleep: 162,
  sched_setaffinity: 222,
  kprobe_bench: 500,
};

/** Puts the window registers in the state a fresh kernel entry has: nothing to restore, six windows free. */
function resetWindows(c: Sparc64Cpu): void {
  c.cansave = 6;
  c.canrestore = 0;
  c.otherwin = 0;
  c.cleanwin = 7;
}

/**
 * The sparc64 architecture.
 *
 * @example Breakpoint and base
 * ```ts
 * import { SPARC64 } from "./arch.ts";
 * import assert from "node:assert/strict";
 * assert.equal(SPARC64.kernelBase, 0x400000n);
 * assert.deepEqual([...SPARC64.kprobes.breakpoint], [0x91, 0xd0, 0x20, 0x70]);
 * ```
 */
export const SPARC64: Arch = {
  name: "sparc64",
  bits: 64,
  littleEndian: false,
  elfMachine: 43,
  kernelBase: KERNEL_BASE,
  userBase: 0x100000n,
  userSize: 0x300000,
  timerVector: 14,
  kprobes: makeSparc64Kprobes(),
  traps: {
    breakpoint: 0x170,
    singleStep: 0x171,
    pageFault: 0x030,
    generalProtection: 0x011,
    invalidOpcode: 0x010,
    divideError: 0x028,
  },
  syscallNumbers: SYSCALLS_SPARC64,
  secondaryEntry: "secondary_startup_64",
  breakpointIsBug: false,

  createCpu(memory: GuestMemory, id: number): ArchCpu {
    return new Sparc64Cpu(memory, { id });
  },

  startCpu(cpu: ArchCpu, entry: bigint, arg: bigint): void {
    // ABI.md, Boot (sparc64): TL 0, PSTATE.PRIV, PIL 15, CWP 0, a fresh
    // window state, WSTATE 0, CCR 0, %asi ASI_PRIMARY, Y 0.
    const c = cpu as Sparc64Cpu;
    c.tl = 0;
    c.pstate = PSTATE_PRIV;
    c.pil = 15;
    c.cwp = 0;
    resetWindows(c);
    c.wstate = 0;
    c.ccr = 0;
    c.asi = 0x80;
    c.y = 0;
    c.setPc(entry);
    c.setReg(8, arg);
  },

  getPc: (cpu) => (cpu as Sparc64Cpu).getPc(),
  setPc: (cpu, pc) => (cpu as Sparc64Cpu).setPc(pc),
  getSp: (cpu) => BigInt.asUintN(64, (cpu as Sparc64Cpu).getReg(14) + STACK_BIAS),
  setSp: (cpu, sp) => (cpu as Sparc64Cpu).setReg(14, BigInt.asUintN(64, sp - STACK_BIAS)),
  // %sp + 2047 in halves, no BigInt (the probe hit path reads it).
  spLo: (cpu) => {
    const c = cpu as Sparc64Cpu;
    return (c.regs[c.rmap[14]] + STACK_BIAS_N) >>> 0;
  },
  spHi: (cpu) => {
    const c = cpu as Sparc64Cpu;
    const i = c.rmap[14];
    return (c.regs[i + 1] + (c.regs[i] + STACK_BIAS_N > 0xffffffff ? 1 : 0)) >>> 0;
  },
  getReturnValue: (cpu) => (cpu as Sparc64Cpu).getReg(8),

  getArgument(cpu: ArchCpu, memory: GuestMemory, i: number): bigint {
    const c = cpu as Sparc64Cpu;
    if (i < 6) return c.getReg(8 + i);
    // The caller's argument words, above the callee's 16-register save area
    // and the six words reserved for %o0-%o5 (V9 ABI).
    return readU64BE(memory, c.getReg(14) + STACK_BIAS + MIN_FRAME + BigInt(8 * (i - 6)));
  },

  interruptsEnabled(cpu: ArchCpu): boolean {
    const c = cpu as Sparc64Cpu;
    return (c.pstate & PSTATE_IE) !== 0 && c.pil < PIL_DISABLED;
  },
  isUserMode: (cpu) => ((cpu as Sparc64Cpu).pstate & PSTATE_PRIV) === 0,

  saveContext: (cpu) => (cpu as Sparc64Cpu).saveState(),
  restoreContext: (cpu, ctx: ArchContext) =>
    (cpu as Sparc64Cpu).restoreState(ctx as Sparc64Context),

  setupCall(
    cpu: ArchCpu,
    memory: GuestMemory,
    fn: bigint,
    args: readonly bigint[],
    returnAddress: bigint,
    sp: bigint,
  ): void {
    const c = cpu as Sparc64Cpu;
    // ABI.md, Host -> guest calls: the V9 ABI at TL 0 on the normal
    // globals, %o7 = return address - 8 (so ret/retl land on it), a frame
    // with the save area, the six argument words and any further
    // arguments above the biased %sp. The windows start afresh: the
    // interrupted context's stay in the register file, untouched, for the
    // caller's restoreContext (and an Oops's do_exit never returns to them).
    const extra = BigInt(Math.max(0, args.length - 6) * 8);
    const frame = (MIN_FRAME + extra + 15n) & ~15n;
    const top = (sp & ~15n) - frame;
    // The frame chain ends here: %i6 and %i7 of this frame's save area are 0.
    writeU64BE(memory, top + 0x70n, 0n);
    writeU64BE(memory, top + 0x78n, 0n);
    for (let i = 6; i < args.length; i++) {
      writeU64BE(memory, top + MIN_FRAME + BigInt(8 * (i - 6)), BigInt.asUintN(64, args[i]));
    }
    c.tl = 0;
    c.pstate = PSTATE_KERNEL;
    c.pil = PIL_DISABLED;
    resetWindows(c);
    for (let i = 0; i < 6; i++) c.setReg(8 + i, i < args.length ? BigInt.asUintN(64, args[i]) : 0n);
    c.setReg(14, top - STACK_BIAS);
    c.setReg(15, BigInt.asUintN(64, returnAddress - 8n));
    c.setPc(fn);
  },

  enterSyscall(cpu: ArchCpu, nr: number, args: readonly bigint[], userSp: bigint): void {
    const c = cpu as Sparc64Cpu;
    // The user's `ta 0x6d`: %g1 = number, %o0-%o5 = arguments; the CPU's
    // V9 trap entry (TL 1, TSTATE/TPC/TNPC, alternate globals) sends it
    // to linux_sparc_syscall through the table.
    c.setReg(1, BigInt(nr));
    for (let i = 0; i < 6; i++) c.setReg(8 + i, i < args.length ? BigInt.asUintN(64, args[i]) : 0n);
    c.setReg(14, (userSp & ~15n) - USER_FRAME - STACK_BIAS);
    c.setPc(USER_PC);
    c.deliverTrap(TT_SYSCALL);
  },

  kernelStackTop: (cpu, memory) => readU64BE(memory, (cpu as Sparc64Cpu).getScratchpad(0)),

  ptRegs(cpu: ArchCpu): PtRegsView {
    const c = cpu as Sparc64Cpu;
    let v = views.get(c);
    if (v === undefined) views.set(c, v = new Sparc64PtRegs(c));
    return v;
  },

  unwind: (cpu, memory, symbolStart) => unwindSparc64(cpu as Sparc64Cpu, memory, symbolStart),

  oopsRegisters(cpu: ArchCpu, symbolize?: (addr: bigint) => string): string[] {
    // Linux: show_regs() and show_regwindow() (arch/sparc/kernel/process_64.c):
    // RPC is %o7's symbol, I7 the window's %i7's (the kernel is privileged).
    const c = cpu as Sparc64Cpu;
    const sym = symbolize ?? ((a: bigint) => `0x${a.toString(16)}`);
    const r = (i: number) => hex16(c.getReg(i));
    const row = (names: string[], first: number) =>
      names.map((n, k) => `${n}: ${r(first + k)}`).join(" ");
    return [
      `TSTATE: ${hex16(composeTstate(c))} TPC: ${hex16(c.getPc())} TNPC: ${hex16(c.getNpc())} Y: ${
        (c.y >>> 0).toString(16).padStart(8, "0")
      }    Not tainted`,
      "TPC: <%SYM%>",
      row(["g0", "g1", "g2", "g3"], 0),
      row(["g4", "g5", "g6", "g7"], 4),
      row(["o0", "o1", "o2", "o3"], 8),
      row(["o4", "o5", "sp", "ret_pc"], 12),
      `RPC: <${sym(c.getReg(15))}>`,
      row(["l0", "l1", "l2", "l3"], 16),
      row(["l4", "l5", "l6", "l7"], 20),
      row(["i0", "i1", "i2", "i3"], 24),
      row(["i4", "i5", "i6", "i7"], 28),
      `I7: <${sym(c.getReg(31))}>`,
    ];
  },

  faultAddress: (cpu) => (cpu as Sparc64Cpu).faultAddress(),
  hypercallNr: (cpu) => (cpu as Sparc64Cpu).hypercallNr,
  hypercallArg: (cpu) => (cpu as Sparc64Cpu).getReg(8),

  trapKind(cpu: ArchCpu): number {
    switch (cpu.trapVector) {
      case 0x170:
        return TRAP_BREAKPOINT;
      case 0x171:
        return TRAP_SINGLESTEP;
      case 0x030:
      case 0x008:
        return TRAP_PAGEFAULT;
      case 0x011:
        return TRAP_GP;
      case 0x010:
      case 0x105:
        return TRAP_INVALID;
      case 0x028:
        return TRAP_DIVIDE;
      default:
        return TRAP_OTHER;
    }
  },

  syscallResult(cpu: ArchCpu): number {
    const c = cpu as Sparc64Cpu;
    // %o0 holds -errno (as x86); Linux/sparc64 itself returns +errno with
    // the carry set: accept both.
    const o0 = Number(BigInt.asIntN(64, c.getReg(8)));
    return (c.ccr & CCR_ICC_C) !== 0 && o0 > 0 ? -o0 : o0;
  },

  callTarget: (_memory, fn) => fn,

  haltPc: (cpu) => (cpu as Sparc64Cpu).getPc() - 4n,

  clearTraceFlag(cpu: ArchCpu): void {
    // No trace flag: single-stepping is the `ta 0x71` after a slot's copy.
    // One nobody claims (no step in progress: a stray jump into a slot) is
    // passed over, as x86 clears TF, so the CPU makes progress (the next
    // slot word is a `ta 0x70`, which Oopses) instead of trapping forever.
    const c = cpu as Sparc64Cpu;
    if (c.trapVector !== 0x171) return;
    const npc = c.getNpc();
    c.setPc(npc);
  },
};
