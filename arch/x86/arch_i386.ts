// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The i386 architecture object: the x86 interpreter in 32-bit protected
 * mode, the image linked at 0xc0100000, `int $0x80` system calls with the
 * i386 register convention (eax = number; ebx, ecx, edx, esi, edi, ebp),
 * asmlinkage functions taking their arguments on the stack and `fastcall`
 * (regparm(3)) ones in eax, edx, ecx — the two cases of spec §1.2 — and
 * 32-bit `pt_regs` (`eax`…, `eip`, `eflags`).
 *
 * @module
 */

import type { Arch, ArchCpu, GuestMemory, PtRegsView } from "../types.ts";
import { enterInt80, X86_64 } from "./arch.ts";
import { X86Cpu } from "./cpu.ts";
import { makeX86Kprobes } from "./kprobes.ts";
import { I386PtRegs } from "./pt_regs.ts";
import { FLAG_FIXED, RAX, RBP, RBX, RCX, RDI, RDX, RSI, RSP } from "./regs.ts";
import { unwindX86 } from "./stacktrace.ts";

const KERNEL_CS = 0x60;
const KERNEL_DS = 0x68;
/** System-call argument registers, i386 convention. */
const SYSCALL_REGS = [RBX, RCX, RDX, RSI, RDI, RBP];
/** regparm(3) argument registers. */
const REGPARM_REGS = [RAX, RDX, RCX];

function u32(v: bigint): bigint {
  return v & 0xffffffffn;
}

const views = new WeakMap<X86Cpu, I386PtRegs>();

/** Linux i386 system-call numbers (asm-i386/unistd.h). */
const SYSCALLS_I386: Readonly<Record<string, number>> = {
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
  sched_setaffinity: 241,
  kprobe_bench: 500,
};

function hex8(v: bigint): string {
  return u32(v).toString(16).padStart(8, "0");
}

/**
 * The i386 architecture.
 *
 * @example Base and breakpoint
 * ```ts
 * import { I386 } from "./arch_i386.ts";
 * import assert from "node:assert/strict";
 * assert.equal(I386.kernelBase, 0xc0100000n);
 * assert.equal(I386.bits, 32);
 * ```
 */
export const I386: Arch = {
  ...X86_64,
  name: "i386",
  bits: 32,
  elfMachine: 3,
  kernelBase: 0xc0100000n,
  kprobes: makeX86Kprobes(32, X86_64.saveContext, X86_64.restoreContext),
  syscallNumbers: SYSCALLS_I386,
  secondaryEntry: "secondary_startup_32",

  createCpu(memory: GuestMemory, _id: number): ArchCpu {
    const cpu = new X86Cpu(memory, { mode: 32 });
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

  getPc: (cpu) => u32((cpu as X86Cpu).getRip()),
  getSp: (cpu) => u32((cpu as X86Cpu).getReg(RSP)),
  spHi: () => 0,
  spRegs: [RSP * 2, -1],
  getReturnValue: (cpu) => u32((cpu as X86Cpu).getReg(RAX)),

  getArgument(cpu: ArchCpu, memory: GuestMemory, i: number, regparm = 0): bigint {
    const c = cpu as X86Cpu;
    if (i < Math.min(regparm, 3)) return u32(c.getReg(REGPARM_REGS[i]));
    const slot = i - Math.min(regparm, 3);
    const esp = Number(u32(c.getReg(RSP)));
    return BigInt(memory.read32(0, (esp + 4 + slot * 4) >>> 0));
  },

  setupCall(
    cpu: ArchCpu,
    memory: GuestMemory,
    fn: bigint,
    args: readonly bigint[],
    ret: bigint,
    sp: bigint,
  ): void {
    const c = cpu as X86Cpu;
    c.setCs(KERNEL_CS);
    c.sreg[2] = KERNEL_DS;
    c.setFlags(FLAG_FIXED);
    // cdecl: arguments on the stack; also in eax, edx, ecx so a fastcall
    // (regparm(3)) target such as oops_do_exit finds them too.
    let top = Number(sp & ~15n) - args.length * 4;
    top &= ~15;
    for (let i = 0; i < args.length; i++) {
      memory.write32(0, (top + i * 4) >>> 0, Number(u32(args[i])));
    }
    top -= 4;
    memory.write32(0, top >>> 0, Number(u32(ret)));
    for (let i = 0; i < 3; i++) c.setReg(REGPARM_REGS[i], i < args.length ? u32(args[i]) : 0n);
    c.setReg(RSP, BigInt(top >>> 0));
    c.setRip(fn);
  },

  enterSyscall(cpu: ArchCpu, nr: number, args: readonly bigint[], userSp: bigint): void {
    enterInt80(cpu as X86Cpu, nr, args, SYSCALL_REGS, userSp, 32);
  },

  kernelStackTop(cpu: ArchCpu, memory: GuestMemory): bigint {
    const c = cpu as X86Cpu;
    return BigInt(memory.read32(0, (c.trBaseLo + 4) >>> 0));
  },

  ptRegs(cpu: ArchCpu): PtRegsView {
    const c = cpu as X86Cpu;
    let v = views.get(c);
    if (v === undefined) views.set(c, v = new I386PtRegs(c));
    return v;
  },

  unwind: (cpu, memory, symbolStart) => unwindX86(cpu as X86Cpu, memory, symbolStart, 4),

  oopsRegisters(cpu: ArchCpu): string[] {
    const c = cpu as X86Cpu;
    const r = (i: number) => hex8(c.getReg(i));
    return [
      `EIP:    ${c.sreg[1].toString(16).padStart(4, "0")}:[<${
        hex8(c.getRip())
      }>]    Not tainted VLI`,
      `EFLAGS: ${c.getFlags().toString(16).padStart(8, "0")}   (2.6.12-kprobes-sim) `,
      `EIP is at %SYM%`,
      `eax: ${r(RAX)}   ebx: ${r(RBX)}   ecx: ${r(RCX)}   edx: ${r(RDX)}`,
      `esi: ${r(RSI)}   edi: ${r(RDI)}   ebp: ${r(RBP)}   esp: ${r(RSP)}`,
      `ds: 007b   es: 007b   ss: ${c.sreg[2].toString(16).padStart(4, "0")}`,
    ];
  },

  faultAddress: (cpu) => BigInt((cpu as X86Cpu).cr2Lo >>> 0),
  hypercallArg: (cpu) => u32((cpu as X86Cpu).getReg(RDI)),
  haltPc: (cpu) => u32((cpu as X86Cpu).getRip() - 1n),
};
