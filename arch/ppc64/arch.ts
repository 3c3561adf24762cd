// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The ppc64 architecture object (big-endian, ELFv1): CPUs, the ELFv1
 * calling convention with function descriptors and the TOC in r2, `sc`
 * system calls (errors set CR0.SO), the back-chain
 * unwinder, Oops register dumps and the Kprobes half. `kallsyms_lookup_name
 * ("do_fork")` resolves to the text entry `.do_fork`, as Linux/ppc64's
 * kprobe_lookup_name() did, so the spec's examples run unchanged.
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
  TRAP_INVALID,
  TRAP_OTHER,
  TRAP_PAGEFAULT,
  TRAP_SINGLESTEP,
} from "../types.ts";
import { type Ppc64Context, Ppc64Cpu } from "./cpu.ts";
import { makePpc64Kprobes } from "./kprobes.ts";
import { Ppc64PtRegs } from "./pt_regs.ts";
import { SPR_DAR, SPR_DSISR } from "./regs.ts";
import { unwindPpc64 } from "./stacktrace.ts";
import { hex16, readU64BE, writeU64BE } from "../_common/be_words.ts";

const KERNEL_BASE = 0xc000000000000000n;
/** MSR of kernel code: SF | ME | RI (no MMU, interrupts off). */
const MSR_KERNEL = 0x8000000000001002n;
const MSR_EE = 0x8000n;
const MSR_PR = 0x4000n;
const MSR_SE = 0x400n;
/** SPRG3 holds the CPU's PACA: kstack at +0, kernel TOC at +8. */
const SPR_SPRG3 = 275;
/** ELFv1: back chain, CR, LR, 2 words, TOC, 8 parameter words. */
const STACK_FRAME_OVERHEAD = 112n;
const CR0_SO = 0x10000000;
/** Program-interrupt reason bits in SRR1 (trapErrorCode). */
const SRR1_TRAP = 0x20000;

const views = new WeakMap<Ppc64Cpu, Ppc64PtRegs>();

/** Linux ppc64 system-call numbers (asm-ppc64/unistd.h). */
const SYSCALLS_PPC64: Readonly<Record<string, number>> = {
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

function paca(cpu: Ppc64Cpu): bigint {
  return cpu.getSpr(SPR_SPRG3);
}

/**
 * The ppc64 architecture.
 *
 * @example Breakpoint and base
 * ```ts
 * import { PPC64 } from "./arch.ts";
 * import assert from "node:assert/strict";
 * assert.equal(PPC64.kernelBase, 0xc000000000000000n);
 * assert.equal(PPC64.littleEndian, false);
 * ```
 */
export const PPC64: Arch = {
  name: "ppc64",
  bits: 64,
  littleEndian: false,
  elfMachine: 21,
  kernelBase: KERNEL_BASE,
  userBase: 0x400000n,
  userSize: 0x400000,
  timerVector: 0x900,
  kprobes: makePpc64Kprobes(),
  traps: {
    breakpoint: 0x700,
    singleStep: 0xd00,
    pageFault: 0x300,
    generalProtection: 0x700,
    invalidOpcode: 0x700,
    divideError: -1,
  },
  syscallNumbers: SYSCALLS_PPC64,
  secondaryEntry: "secondary_startup_64",
  breakpointIsBug: true,
  kallsymsOptions: { resolveName: (n) => (n.startsWith(".") ? [n] : ["." + n, n]) },

  createCpu(memory: GuestMemory, id: number): ArchCpu {
    return new Ppc64Cpu(memory, { id });
  },

  startCpu(cpu: ArchCpu, entry: bigint, arg: bigint): void {
    const c = cpu as Ppc64Cpu;
    c.setMsr(MSR_KERNEL);
    c.setPc(entry);
    c.setReg(3, arg);
    c.setReg(1, 0n);
  },

  getPc: (cpu) => (cpu as Ppc64Cpu).getPc(),
  setPc: (cpu, pc) => (cpu as Ppc64Cpu).setPc(pc),
  getSp: (cpu) => (cpu as Ppc64Cpu).getReg(1),
  setSp: (cpu, sp) => (cpu as Ppc64Cpu).setReg(1, sp),
  spLo: (cpu) => (cpu as Ppc64Cpu).regs[2],
  spHi: (cpu) => (cpu as Ppc64Cpu).regs[3],
  spRegs: [2, 3],
  getReturnValue: (cpu) => (cpu as Ppc64Cpu).getReg(3),

  getArgument(cpu: ArchCpu, memory: GuestMemory, i: number): bigint {
    const c = cpu as Ppc64Cpu;
    if (i < 8) return c.getReg(3 + i);
    // The parameter save area of the caller's frame, 48 bytes up.
    return readU64BE(memory, c.getReg(1) + 48n + BigInt(i * 8));
  },

  interruptsEnabled: (cpu) => ((cpu as Ppc64Cpu).getMsr() & MSR_EE) !== 0n,
  isUserMode: (cpu) => ((cpu as Ppc64Cpu).getMsr() & MSR_PR) !== 0n,

  saveContext: (cpu) => (cpu as Ppc64Cpu).saveContext(),
  restoreContext: (cpu, ctx: ArchContext) => (cpu as Ppc64Cpu).restoreContext(ctx as Ppc64Context),

  setupCall(
    cpu: ArchCpu,
    memory: GuestMemory,
    fn: bigint,
    args: readonly bigint[],
    returnAddress: bigint,
    sp: bigint,
  ): void {
    const c = cpu as Ppc64Cpu;
    // A frame with a parameter save area for every argument (varargs spill there).
    const params = BigInt(Math.max(8, args.length) * 8);
    const frame = (STACK_FRAME_OVERHEAD - 64n + params + 15n) & ~15n;
    const top = (sp & ~15n) - frame;
    // Back chain: the interrupted frame, so a trace taken inside the call
    // (dump_stack) continues into the context it was made from, as on x86.
    writeU64BE(memory, top, c.getReg(1));
    for (let i = 8; i < args.length; i++) writeU64BE(memory, top + 48n + BigInt(i * 8), args[i]);
    for (let i = 0; i < 8; i++) c.setReg(3 + i, i < args.length ? BigInt.asUintN(64, args[i]) : 0n);
    c.setReg(1, top);
    c.setReg(2, readU64BE(memory, paca(c) + 8n));
    c.setLr(returnAddress);
    c.setMsr(MSR_KERNEL);
    c.setPc(fn);
  },

  enterSyscall(cpu: ArchCpu, nr: number, args: readonly bigint[], userSp: bigint): void {
    const c = cpu as Ppc64Cpu;
    c.setReg(0, BigInt(nr));
    for (let i = 0; i < 6; i++) c.setReg(3 + i, i < args.length ? BigInt.asUintN(64, args[i]) : 0n);
    c.setReg(1, userSp);
    c.setPc(0x400000n);
    c.deliverSyscall();
  },

  kernelStackTop: (cpu, memory) => readU64BE(memory, paca(cpu as Ppc64Cpu)),

  ptRegs(cpu: ArchCpu): PtRegsView {
    const c = cpu as Ppc64Cpu;
    let v = views.get(c);
    if (v === undefined) views.set(c, v = new Ppc64PtRegs(c));
    return v;
  },

  unwind: (cpu, memory, symbolStart) => unwindPpc64(cpu as Ppc64Cpu, memory, symbolStart),

  oopsRegisters(cpu: ArchCpu): string[] {
    const c = cpu as Ppc64Cpu;
    const lines = [
      `NIP: ${hex16(c.getPc())} LR: ${hex16(c.getLr())} CTR: ${hex16(c.getCtr())}`,
      `REGS: ${hex16(c.getReg(1))} TRAP: ${
        c.trapVector.toString(16).padStart(4, "0")
      }   Not tainted  (2.6.12-kprobes-sim)`,
      `MSR: ${hex16(c.getMsr())} CR: ${(c.cr >>> 0).toString(16).padStart(8, "0")} XER: ${
        (c.xer >>> 0).toString(16).padStart(8, "0")
      }`,
      `DAR: ${hex16(c.getSpr(SPR_DAR))}, DSISR: ${hex16(c.getSpr(SPR_DSISR))}`,
    ];
    for (let r = 0; r < 32; r += 4) {
      const regs = [0, 1, 2, 3].map((k) => hex16(c.getReg(r + k))).join(" ");
      lines.push(`GPR${String(r).padStart(2, "0")}: ${regs}`);
    }
    lines[0] = `${lines[0]} %SYM%`;
    return lines;
  },

  faultAddress: (cpu) => (cpu as Ppc64Cpu).getSpr(SPR_DAR),
  hypercallNr: (cpu) => (cpu as Ppc64Cpu).hypercallNr,
  hypercallArg: (cpu) => (cpu as Ppc64Cpu).getReg(3),

  trapKind(cpu: ArchCpu): number {
    switch (cpu.trapVector) {
      case 0x700:
        return (cpu.trapErrorCode & SRR1_TRAP) !== 0 ? TRAP_BREAKPOINT : TRAP_INVALID;
      case 0xd00:
        return TRAP_SINGLESTEP;
      case 0x300:
      case 0x400:
        return TRAP_PAGEFAULT;
      default:
        return TRAP_OTHER;
    }
  },

  syscallResult(cpu: ArchCpu): number {
    const c = cpu as Ppc64Cpu;
    // The guest sets CR0.SO on failure; r3 holds -errno (as x86), or +errno
    // as Linux/ppc64 itself returns it: accept both.
    const r3 = Number(BigInt.asIntN(32, c.getReg(3)));
    return (c.cr & CR0_SO) !== 0 && r3 > 0 ? -r3 : r3;
  },

  callTarget(memory: GuestMemory, fn: bigint): bigint {
    // An ELFv1 descriptor's first word is a kernel text address; code is not.
    try {
      const first = readU64BE(memory, fn);
      if ((first >> 32n) === (KERNEL_BASE >> 32n)) return first;
    } catch {
      // Not readable: let the call fault where it would.
    }
    return fn;
  },

  haltPc: (cpu) => (cpu as Ppc64Cpu).getPc() - 4n,

  clearTraceFlag(cpu: ArchCpu): void {
    const c = cpu as Ppc64Cpu;
    c.setMsr(c.getMsr() & ~MSR_SE);
  },
};
