// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Exceptions and interrupts: raising faults (#DE 0, #UD 6, #NP 11, #GP 13,
 * #PF 14), EFLAGS writes that arm single-step and interrupt delivery,
 * delivery of external and software interrupts through the IDT (64-bit
 * 16-byte gates with the TSS.rsp0/IST stack switch; 32-bit 8-byte gates
 * with TSS.esp0) and IRET. Exceptions 0–31 never go through the guest IDT:
 * the run loop stops with `STOP_TRAP` and the host handles them.
 *
 * @module
 */

import { Fault } from "../_common/fault.ts";
import { PF_WRITE } from "../types.ts";
import type { X86Cpu } from "./cpu.ts";
import { getArithFlags, setArithFlags } from "./flags.ts";
import { readMem, readMem32, readMem64, writeMem } from "./modrm.ts";
import {
  BRANCH_EVENT,
  BRANCH_NONE,
  FLAG_FIXED,
  FLAG_IF,
  FLAG_NT,
  FLAG_RF,
  FLAG_TF,
  FLAG_VM,
  FLAGS_ARITH,
  OP_HI,
  RIP_HI,
  RIP_LO,
} from "./regs.ts";

/** #DE, divide error (fault). */
export const VEC_DE = 0;
/** #DB, debug (single-step trap, int1). */
export const VEC_DB = 1;
/** NMI. */
export const VEC_NMI = 2;
/** #BP, breakpoint (trap: RIP after the int3). */
export const VEC_BP = 3;
/** #OF, overflow (into). */
export const VEC_OF = 4;
/** #UD, invalid opcode (fault). */
export const VEC_UD = 6;
/** #DF, double fault. */
export const VEC_DF = 8;
/** #NP, segment not present. */
export const VEC_NP = 11;
/** #SS, stack fault. */
export const VEC_SS = 12;
/** #GP, general protection (fault). */
export const VEC_GP = 13;
/** #PF, page fault (fault; CR2 holds the address). */
export const VEC_PF = 14;

const TWO32 = 4294967296;
const INV32 = 1 / TWO32;
const EV_STOP = 1;
const EV_TF = 2;
const EV_IRQ = 4;
const EV_FLUSH = 8;
const BASE_MASK = 0x00277f00 & ~FLAGS_ARITH; // TF IF DF IOPL NT RF AC ID (+VM never set)

/**
 * Fills the CPU's preallocated fault and throws it.
 *
 * @param cpu The CPU.
 * @param vector Exception vector.
 * @param errorCode Error code (0 if none).
 * @returns Never.
 */
export function raise(cpu: X86Cpu, vector: number, errorCode: number): never {
  throw cpu.fault.set(vector, errorCode, 0, 0);
}

/**
 * Records a trap-type exception (RIP past the instruction): the run loop
 * stops with `STOP_TRAP` at the next boundary.
 *
 * @param cpu The CPU.
 * @param vector The vector.
 */
export function trap(cpu: X86Cpu, vector: number): void {
  cpu.pendingTrap = vector;
  cpu.events |= EV_STOP;
  if (cpu.branch === BRANCH_NONE) cpu.branch = BRANCH_EVENT;
}

/**
 * Records a stop reason (hlt, vmcall, return to user mode) for the next
 * boundary.
 *
 * @param cpu The CPU.
 * @param reason A `STOP_*` value.
 */
export function stop(cpu: X86Cpu, reason: number): void {
  cpu.pendingStop = reason;
  cpu.events |= EV_STOP;
  if (cpu.branch === BRANCH_NONE) cpu.branch = BRANCH_EVENT;
}

/**
 * Writes the non-arithmetic EFLAGS bits and re-arms the slow-path events
 * (TF single-step, deliverable interrupts).
 *
 * @param cpu The CPU.
 * @param value New EFLAGS (arithmetic bits ignored).
 */
export function setEflags(cpu: X86Cpu, value: number): void {
  const base = (value & BASE_MASK & ~FLAG_VM) | FLAG_FIXED;
  cpu.flagsBase = base;
  syncEvents(cpu);
}

/**
 * Recomputes `cpu.events` from TF, IF, pending interrupts and stops.
 *
 * @param cpu The CPU.
 */
export function syncEvents(cpu: X86Cpu): void {
  const base = cpu.flagsBase;
  cpu.events = (cpu.events & EV_FLUSH) |
    (cpu.pendingStop >= 0 || cpu.pendingTrap >= 0 ? EV_STOP : 0) |
    ((base & FLAG_TF) !== 0 ? EV_TF : 0) |
    ((base & FLAG_IF) !== 0 && cpu.irqCount > 0 ? EV_IRQ : 0);
  if (cpu.events !== 0 && cpu.branch === BRANCH_NONE) cpu.branch = BRANCH_EVENT;
}

/**
 * Whether `(hi, ·)` is a canonical 48-bit address's high half.
 *
 * @param hi High half.
 * @returns True if canonical.
 */
export function isCanonicalHi(hi: number): boolean {
  return hi <= 0x7fff || hi >= 0xffff8000;
}

/**
 * Turns a caught fault into trap state: RIP back at the faulting
 * instruction, CR2 for #PF, #GP(0) for a non-canonical address.
 *
 * @param cpu The CPU.
 * @param f The fault.
 */
export function takeFault(cpu: X86Cpu, f: Fault): void {
  const cur = cpu.cur;
  if (cur !== null) {
    // A fault inside an instruction: RIP back on it. (A fetch fault leaves
    // RIP at the address that could not be fetched.)
    cpu.regs[RIP_LO] = cur.addrLo;
    cpu.regs[RIP_HI] = cur.addrHi;
  }
  let vector = f.vector;
  let code = f.errorCode;
  if (vector === VEC_PF) {
    if (cpu.mode === 64 && !isCanonicalHi(f.addrHi)) {
      vector = VEC_GP;
      code = 0;
    } else {
      cpu.cr2Lo = f.addrLo;
      cpu.cr2Hi = f.addrHi;
    }
  }
  cpu.trapVector = vector;
  cpu.trapErrorCode = code;
}

/**
 * Delivers the highest-priority pending external interrupt (caller checks
 * IF and the interrupt shadow).
 *
 * @param cpu The CPU.
 */
export function deliverPendingInterrupt(cpu: X86Cpu): void {
  for (let word = 7; word >= 0; word--) {
    const bits = cpu.irqPending[word];
    if (bits === 0) continue;
    const bit = 31 - Math.clz32(bits);
    const vector = word * 32 + bit;
    deliver(cpu, vector, false);
    cpu.irqPending[word] &= ~(1 << bit);
    cpu.irqCount--;
    syncEvents(cpu);
    return;
  }
}

/**
 * Host entry: delivers `vector` now as a software `int n` from the current
 * CPL. Returns -1, or `STOP_TRAP` (1) with the trap state set on a fault.
 *
 * @param cpu The CPU.
 * @param vector 0–255.
 * @returns -1 or 1.
 */
export function deliverSoftwareInterrupt(cpu: X86Cpu, vector: number): number {
  cpu.cur = null;
  try {
    deliver(cpu, vector, true);
    return -1;
  } catch (e) {
    if (!(e instanceof Fault)) throw e;
    takeFault(cpu, e);
    return 1;
  }
}

function gpIdt(cpu: X86Cpu, vector: number): never {
  return raise(cpu, VEC_GP, vector * 8 + 2);
}

/**
 * Delivers `vector` through the IDT: gate checks, stack switch, frame
 * push, CS/RIP load, IF (interrupt gates) and TF/NT/RF cleared.
 *
 * @param cpu The CPU.
 * @param vector The vector.
 * @param software True for `int n` (gate DPL must be ≥ CPL).
 */
export function deliver(cpu: X86Cpu, vector: number, software: boolean): void {
  // IDT, GDT and TSS reads and the pushes on the new stack are implicit
  // supervisor accesses, whatever the CPL the interrupt came from.
  const savedRead = cpu.accRead;
  const savedWrite = cpu.accWrite;
  cpu.accRead = 0;
  cpu.accWrite = PF_WRITE;
  try {
    deliverAsSupervisor(cpu, vector, software);
  } finally {
    if (cpu.cpl === 3) {
      cpu.accRead = savedRead;
      cpu.accWrite = savedWrite;
    }
  }
}

function deliverAsSupervisor(cpu: X86Cpu, vector: number, software: boolean): void {
  if (cpu.mode === 32) return deliver32(cpu, vector, software);
  if (vector * 16 + 15 > cpu.idtLimit) gpIdt(cpu, vector);
  const gl = cpu.idtBaseLo + vector * 16;
  const gLo = gl >>> 0;
  const gHi = (cpu.idtBaseHi + (gl - gLo) * INV32) >>> 0;
  const w0 = readMem32(cpu, gHi, gLo);
  const w1 = readMem32(cpu, gHi, (gLo + 4) >>> 0);
  const w2 = readMem32(cpu, gHi, (gLo + 8) >>> 0);
  const type = (w1 >>> 8) & 0xf;
  const dpl = (w1 >>> 13) & 3;
  if (type !== 0xe && type !== 0xf) gpIdt(cpu, vector);
  if (software && dpl < cpu.cpl) gpIdt(cpu, vector);
  if ((w1 & 0x8000) === 0) raise(cpu, VEC_NP, vector * 8 + 2);
  const selector = w0 >>> 16;
  const newCpl = selector & 3;
  const targetLo = ((w0 & 0xffff) | (w1 & 0xffff0000)) >>> 0;
  const targetHi = w2;
  const ist = w1 & 7;
  const regs = cpu.regs;
  let spLo = regs[8];
  let spHi = regs[9];
  if (ist !== 0 || newCpl < cpu.cpl) {
    const off = ist !== 0 ? 0x24 + (ist - 1) * 8 : 4;
    const t = cpu.trBaseLo + off;
    const tLo = t >>> 0;
    const tHi = (cpu.trBaseHi + (t - tLo) * INV32) >>> 0;
    spLo = readMem64(cpu, tHi, tLo);
    spHi = cpu.regs[OP_HI];
  }
  spLo = (spLo & ~0xf) >>> 0;
  const flags = (cpu.flagsBase | getArithFlags(cpu.lf)) >>> 0;
  const oldCs = cpu.sreg[1];
  const oldSs = cpu.sreg[2];
  // Frame: SS, RSP, RFLAGS, CS, RIP from the top down.
  const frame = [
    oldSs,
    0,
    regs[8],
    regs[9],
    flags,
    0,
    oldCs,
    0,
    cpu.regs[RIP_LO],
    cpu.regs[RIP_HI],
  ];
  let lo = spLo;
  let hi = spHi;
  for (let i = 0; i < 5; i++) {
    const s = lo - 8;
    lo = s >>> 0;
    hi = (hi + (s - lo) * INV32) >>> 0;
    writeMem(cpu, hi, lo, 3, frame[2 * i], frame[2 * i + 1]);
  }
  regs[8] = lo;
  regs[9] = hi;
  if (newCpl < cpu.cpl) cpu.sreg[2] = newCpl;
  cpu.setCs(selector);
  cpu.regs[RIP_LO] = targetLo;
  cpu.regs[RIP_HI] = targetHi;
  let nf = flags & ~(FLAG_TF | FLAG_NT | FLAG_RF);
  if (type === 0xe) nf &= ~FLAG_IF;
  setEflags(cpu, nf);
}

function deliver32(cpu: X86Cpu, vector: number, software: boolean): void {
  if (vector * 8 + 7 > cpu.idtLimit) gpIdt(cpu, vector);
  const g = (cpu.idtBaseLo + vector * 8) >>> 0;
  const w0 = readMem32(cpu, 0, g);
  const w1 = readMem32(cpu, 0, (g + 4) >>> 0);
  const type = (w1 >>> 8) & 0xf;
  const dpl = (w1 >>> 13) & 3;
  if (type !== 0xe && type !== 0xf) gpIdt(cpu, vector);
  if (software && dpl < cpu.cpl) gpIdt(cpu, vector);
  if ((w1 & 0x8000) === 0) raise(cpu, VEC_NP, vector * 8 + 2);
  const selector = w0 >>> 16;
  const newCpl = selector & 3;
  const target = ((w0 & 0xffff) | (w1 & 0xffff0000)) >>> 0;
  const regs = cpu.regs;
  const flags = (cpu.flagsBase | getArithFlags(cpu.lf)) >>> 0;
  const frame: number[] = [];
  let sp = regs[8];
  let newSs = cpu.sreg[2];
  if (newCpl < cpu.cpl) {
    sp = readMem32(cpu, 0, (cpu.trBaseLo + 4) >>> 0);
    newSs = readMem(cpu, 0, (cpu.trBaseLo + 8) >>> 0, 1);
    frame.push(cpu.sreg[2], regs[8]);
  }
  frame.push(flags, cpu.sreg[1], cpu.regs[RIP_LO]);
  for (const v of frame) {
    sp = (sp - 4) >>> 0;
    writeMem(cpu, 0, sp, 2, v, 0);
  }
  regs[8] = sp;
  regs[9] = 0;
  cpu.sreg[2] = newSs;
  cpu.setCs(selector);
  cpu.regs[RIP_LO] = target;
  cpu.regs[RIP_HI] = 0;
  let nf = flags & ~(FLAG_TF | FLAG_NT | FLAG_RF);
  if (type === 0xe) nf &= ~FLAG_IF;
  setEflags(cpu, nf);
}

/**
 * IRET/IRETD/IRETQ: pops RIP, CS, RFLAGS (and RSP, SS in long mode or on
 * a privilege change), all read before anything is committed. Returns the
 * new CPL.
 *
 * @param cpu The CPU.
 * @param size Operand size (2, 4, 8).
 * @returns The CPL after the return.
 */
export function iret(cpu: X86Cpu, size: number): number {
  const regs = cpu.regs;
  const w = size === 8 ? 3 : size === 4 ? 2 : 1;
  const long = cpu.mode === 64;
  const vals = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const n = long ? 5 : 3;
  let lo = regs[8];
  let hi = long ? regs[9] : 0;
  for (let i = 0; i < n; i++) {
    vals[2 * i] = readMem(cpu, hi, lo, w);
    vals[2 * i + 1] = size === 8 ? cpu.regs[OP_HI] : 0;
    const s = lo + size;
    lo = s >>> 0;
    hi = long ? (hi + (s - lo) * INV32) >>> 0 : 0;
  }
  const cs = vals[2] & 0xffff;
  const newCpl = cs & 3;
  if (newCpl < cpu.cpl) raise(cpu, VEC_GP, cs & ~3);
  let spLo = lo;
  let spHi = hi;
  let ss = cpu.sreg[2];
  if (long) {
    spLo = vals[6];
    spHi = size === 8 ? vals[7] : 0;
    ss = vals[8] & 0xffff;
  } else if (newCpl > cpu.cpl) {
    spLo = readMem(cpu, 0, lo, w);
    ss = readMem(cpu, 0, (lo + size) >>> 0, w) & 0xffff;
    spHi = 0;
  }
  // Flags are loaded with the privilege rules of the old CPL.
  let mask = 0x00254dd5 | FLAG_IF | 0x3000;
  const iopl = (cpu.flagsBase >> 12) & 3;
  if (cpu.cpl !== 0) mask &= ~0x3000;
  if (cpu.cpl > iopl) mask &= ~FLAG_IF;
  let newFlags = vals[4];
  if (size === 2) newFlags = (cpu.flagsBase & 0xffff0000) | newFlags;
  const merged = ((cpu.flagsBase | getArithFlags(cpu.lf)) & ~mask) | (newFlags & mask);
  regs[8] = spLo;
  regs[9] = spHi;
  cpu.sreg[2] = ss;
  cpu.setCs(cs);
  cpu.regs[RIP_LO] = vals[0];
  cpu.regs[RIP_HI] = long ? vals[1] : 0;
  if (size === 4 && long) cpu.regs[RIP_HI] = 0;
  setArithFlags(cpu.lf, merged);
  setEflags(cpu, merged);
  return newCpl;
}
