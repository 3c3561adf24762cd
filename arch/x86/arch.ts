// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The x86_64 architecture object: CPUs, the SysV calling convention for
 * host → guest calls, `int $0x80` system-call entry, `pt_regs`, unwinding,
 * Oops register dumps and the Kprobes half.
 *
 * @module
 */

import {
  type Arch,
  type ArchContext,
  type ArchCpu,
  type GuestMemory,
  type PtRegsView,
  STOP_TRAP,
  TRAP_BREAKPOINT,
  TRAP_DIVIDE,
  TRAP_GP,
  TRAP_INVALID,
  TRAP_OTHER,
  TRAP_PAGEFAULT,
  TRAP_SINGLESTEP,
} from "../types.ts";
import { X86Cpu } from "./cpu.ts";
import { makeX86Kprobes } from "./kprobes.ts";
import type { X86Context } from "./kprobes_jprobe.ts";
import { X86_64PtRegs } from "./pt_regs.ts";
import { FLAG_FIXED, FLAG_IF, FLAG_TF, R8, RAX, RBP, RCX, RDI, RDX, RSI, RSP } from "./regs.ts";

const R9 = 9;
const R10 = 10;
import { setEflags } from "./traps.ts";
import { unwindX86 } from "./stacktrace.ts";
import { hi32, lo32 } from "../_common/u64.ts";

const KERNEL_CS = 0x10;
const KERNEL_DS = 0x18;
/** SysV x86_64 integer argument registers. */
const ARG_REGS = [RDI, RSI, RDX, RCX, R8, R9];
/** Linux x86_64 system-call argument registers. */
const SYSCALL_REGS = [RDI, RSI, RDX, R10, R8, R9];

function read64(memory: GuestMemory, a: bigint): bigint {
  const lo = memory.read32(hi32(a), lo32(a));
  const b = a + 4n;
  return (BigInt(memory.read32(hi32(b), lo32(b))) << 32n) | BigInt(lo);
}

function write64(memory: GuestMemory, a: bigint, v: bigint): void {
  memory.write32(hi32(a), lo32(a), lo32(v));
  const b = a + 4n;
  memory.write32(hi32(b), lo32(b), hi32(v));
}

function hex(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16).padStart(16, "0");
}

/**
 * A user-mode task executes `int $0x80`: number in eax/rax, arguments in
 * `regs` (the arch's system-call convention), through the guest's gate.
 *
 * @param c The CPU, in user mode.
 * @param nr The system-call number.
 * @param args Its arguments.
 * @param regs The argument registers.
 * @param userSp The user stack pointer to save.
 * @param bits 64 or 32: how much of each argument to keep.
 */
export function enterInt80(
  c: X86Cpu,
  nr: number,
  args: readonly bigint[],
  regs: readonly number[],
  userSp: bigint,
  bits: 64 | 32,
): void {
  c.setReg(RAX, BigInt(nr));
  for (let i = 0; i < regs.length; i++) {
    c.setReg(regs[i], i < args.length ? BigInt.asUintN(bits, args[i]) : 0n);
  }
  c.setReg(RSP, BigInt.asUintN(bits, userSp));
  c.setRip(0x400000n);
  if (c.deliverInterrupt(0x80) === STOP_TRAP) {
    throw new Error(
      `Cannot enter system call ${nr}: the int $0x80 gate faulted (vector ${c.trapVector})`,
    );
  }
}

function saveX86Context(cpu: ArchCpu): ArchContext {
  const c = cpu as X86Cpu;
  const ctx: X86Context = {
    regs: new Uint32Array(c.regs),
    ripLo: c.ripLo,
    ripHi: c.ripHi,
    flags: c.getFlags(),
    cs: c.sreg[1],
    ss: c.sreg[2],
  };
  return ctx;
}

function restoreX86Context(cpu: ArchCpu, context: ArchContext): void {
  const c = cpu as X86Cpu;
  const ctx = context as X86Context;
  c.regs.set(ctx.regs);
  c.ripLo = ctx.ripLo;
  c.ripHi = ctx.ripHi;
  c.setCs(ctx.cs);
  c.sreg[2] = ctx.ss;
  if (ctx.lf !== undefined) {
    // A jprobe's save: the lazy flags as they were.
    c.lf.set(ctx.lf);
    setEflags(c, ctx.flagsBase!);
  } else c.setFlags(ctx.flags);
}

const ptRegsViews = new WeakMap<X86Cpu, X86_64PtRegs>();

/** Linux x86_64 system-call numbers (arch/x86_64 unistd.h). */
const SYSCALLS_X86_64: Readonly<Record<string, number>> = {
  read: 0,
  write: 1,
  open: 2,
  close: 3,
  nanosleep: 35,
  getpid: 39,
  clone: 56,
  fork: 57,
  execve: 59,
  exit: 60,
  wait4: 61,
  setuid: 105,
  sched_setaffinity: 203,
  kprobe_bench: 500,
};

/**
 * The x86_64 architecture.
 *
 * @example Breakpoint and registers
 * ```ts
 * import { X86_64 } from "./arch.ts";
 * import assert from "node:assert/strict";
 * assert.equal(X86_64.kprobes.breakpoint[0], 0xcc);
 * assert.equal(X86_64.kernelBase, 0xffffffff81000000n);
 * ```
 */
export const X86_64: Arch = {
  name: "x86_64",
  bits: 64,
  littleEndian: true,
  elfMachine: 62,
  kernelBase: 0xffffffff81000000n,
  userBase: 0x400000n,
  userSize: 0x400000,
  timerVector: 0x20,
  kprobes: makeX86Kprobes(64, saveX86Context, restoreX86Context),
  traps: {
    breakpoint: 3,
    singleStep: 1,
    pageFault: 14,
    generalProtection: 13,
    invalidOpcode: 6,
    divideError: 0,
  },
  syscallNumbers: SYSCALLS_X86_64,
  secondaryEntry: "secondary_startup_64",
  breakpointIsBug: false,

  createCpu(memory: GuestMemory, _id: number): ArchCpu {
    const cpu = new X86Cpu(memory, { mode: 64 });
    cpu.setCs(KERNEL_CS);
    cpu.sreg[2] = KERNEL_DS;
    return cpu;
  },

  startCpu(cpu: ArchCpu, entry: bigint, arg: bigint): void {
    const c = cpu as X86Cpu;
    c.setRip(entry);
    c.setReg(RDI, arg);
    c.setReg(RSP, 0n);
    c.setFlags(FLAG_FIXED);
  },

  getPc: (cpu) => (cpu as X86Cpu).getRip(),
  setPc: (cpu, pc) => (cpu as X86Cpu).setRip(pc),
  getSp: (cpu) => (cpu as X86Cpu).getReg(RSP),
  setSp: (cpu, sp) => (cpu as X86Cpu).setReg(RSP, sp),
  spLo: (cpu) => (cpu as X86Cpu).regs[RSP * 2],
  spHi: (cpu) => (cpu as X86Cpu).regs[RSP * 2 + 1],
  spRegs: [RSP * 2, RSP * 2 + 1],
  getReturnValue: (cpu) => (cpu as X86Cpu).getReg(RAX),

  getArgument(cpu: ArchCpu, memory: GuestMemory, i: number): bigint {
    const c = cpu as X86Cpu;
    if (i < 6) return c.getReg(ARG_REGS[i]);
    return read64(memory, c.getReg(RSP) + 8n + BigInt((i - 6) * 8));
  },

  interruptsEnabled: (cpu) => ((cpu as X86Cpu).getFlags() & FLAG_IF) !== 0,
  isUserMode: (cpu) => (cpu as X86Cpu).cpl === 3,

  saveContext: saveX86Context,
  restoreContext: restoreX86Context,

  setupCall(
    cpu: ArchCpu,
    memory: GuestMemory,
    fn: bigint,
    args: readonly bigint[],
    returnAddress: bigint,
    sp: bigint,
  ): void {
    const c = cpu as X86Cpu;
    c.setCs(KERNEL_CS);
    c.sreg[2] = KERNEL_DS;
    c.setFlags(FLAG_FIXED);
    let top = sp & ~15n;
    const extra = args.length > 6 ? args.length - 6 : 0;
    top -= BigInt(((extra + 1) & ~1) * 8);
    for (let i = 6; i < args.length; i++) write64(memory, top + BigInt((i - 6) * 8), args[i]);
    top -= 8n;
    write64(memory, top, returnAddress);
    for (let i = 0; i < 6; i++) {
      c.setReg(ARG_REGS[i], i < args.length ? BigInt.asUintN(64, args[i]) : 0n);
    }
    c.setReg(RAX, 0n);
    c.setReg(RSP, top);
    c.setRip(fn);
  },

  enterSyscall(cpu: ArchCpu, nr: number, args: readonly bigint[], userSp: bigint): void {
    enterInt80(cpu as X86Cpu, nr, args, SYSCALL_REGS, userSp, 64);
  },

  kernelStackTop(cpu: ArchCpu, memory: GuestMemory): bigint {
    const c = cpu as X86Cpu;
    const tss = (BigInt(c.trBaseHi >>> 0) << 32n) | BigInt(c.trBaseLo >>> 0);
    return read64(memory, tss + 4n);
  },

  ptRegs(cpu: ArchCpu): PtRegsView {
    const c = cpu as X86Cpu;
    let v = ptRegsViews.get(c);
    if (v === undefined) {
      v = new X86_64PtRegs(c);
      ptRegsViews.set(c, v);
    }
    return v;
  },

  unwind(
    cpu: ArchCpu,
    memory: GuestMemory,
    symbolStart: (pc: bigint) => bigint | undefined,
  ): bigint[] {
    return unwindX86(cpu as X86Cpu, memory, symbolStart, 8);
  },

  oopsRegisters(cpu: ArchCpu): string[] {
    const c = cpu as X86Cpu;
    const r = (i: number) => hex(c.getReg(i));
    const n = (
      i: number,
    ) => (i < 8
      ? ["RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI"][i]
      : `R${String(i).padStart(2, "0")}`);
    const rip = hex(c.getRip());
    const line = (a: number, b: number, d: number) =>
      `${n(a)}: ${r(a)} ${n(b)}: ${r(b)} ${n(d)}: ${r(d)}`;
    const cr2 = (BigInt(c.cr2Hi >>> 0) << 32n) | BigInt(c.cr2Lo >>> 0);
    return [
      `RIP: ${c.sreg[1].toString(16).padStart(4, "0")}:[<${rip}>]  [<${rip}>] %SYM%`,
      `RSP: ${c.sreg[2].toString(16).padStart(4, "0")}:${r(RSP)}  EFLAGS: ${
        c.getFlags().toString(16).padStart(8, "0")
      }`,
      line(RAX, 3, RCX),
      line(RDX, RSI, RDI),
      line(RBP, 8, 9),
      line(10, 11, 12),
      line(13, 14, 15),
      `CR2: ${hex(cr2)}`,
    ];
  },

  faultAddress(cpu: ArchCpu): bigint {
    const c = cpu as X86Cpu;
    return (BigInt(c.cr2Hi >>> 0) << 32n) | BigInt(c.cr2Lo >>> 0);
  },

  hypercallNr: (cpu) => (cpu as X86Cpu).regs[RAX * 2],
  hypercallArg: (cpu) => (cpu as X86Cpu).getReg(RDI),

  trapKind(cpu: ArchCpu): number {
    switch (cpu.trapVector) {
      case 3:
        return TRAP_BREAKPOINT;
      case 1:
        return TRAP_SINGLESTEP;
      case 14:
        return TRAP_PAGEFAULT;
      case 13:
        return TRAP_GP;
      case 6:
        return TRAP_INVALID;
      case 0:
        return TRAP_DIVIDE;
      default:
        return TRAP_OTHER;
    }
  },

  syscallResult: (cpu) => Number(BigInt.asIntN(32, (cpu as X86Cpu).getReg(RAX))),
  callTarget: (_memory, fn) => fn,

  haltPc: (cpu) => ((cpu as X86Cpu).getRip() - 1n) & 0xffffffffffffffffn,

  clearTraceFlag(cpu: ArchCpu): void {
    const c = cpu as X86Cpu;
    c.setFlags(c.getFlags() & ~FLAG_TF);
  },
};
