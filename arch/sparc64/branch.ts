// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * sparc64 control transfers (SPARC V9 A.3–A.5, A.7, A.24): `Bicc`,
 * `BPcc`, `BPr`, `call` and `jmpl`. All are delayed: the run loop has
 * already moved PC to the old nPC (the delay slot) and nPC on by 4 before
 * the handler runs, so a taken transfer only sets nPC to the target; the
 * instruction's own address is `insn.addrHi/addrLo`. The annul bit: `ba,a`
 * (and `fba,a`) annul always (next PC = target), a conditional `,a`
 * annuls the delay slot when not taken (next PC = nPC + 4); `bn,a` never
 * executes its delay slot.
 *
 * @module
 */

import { SPARC64_COND_TABLE, sparc64Rcond } from "./alu.ts";
import type { Sparc64Cpu } from "./cpu.ts";
import { CC_XCC, type Sparc64DecodedInsn } from "./decode.ts";
import {
  PSTATE_AM,
  R_CCR,
  R_NPC_HI,
  R_NPC_LO,
  R_PC_HI,
  R_PC_LO,
  R_PSTATE,
  R_T0_HI,
  R_T0_LO,
  TT_FP_DISABLED,
  TT_UNALIGNED,
} from "./regs.ts";
import { operand2 } from "./alu.ts";
import { delayedTransfer, hostTrap } from "./traps.ts";

const TWO32 = 4294967296;

// Taken: next PC = nPC (the delay slot), next nPC = target.
function take(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  delayedTransfer(cpu, insn.targetHi, insn.targetLo);
}

// Annul the delay slot of a fall-through: PC = old nPC + 4 (the committed
// nPC), nPC = that + 4.
function annulFallThrough(cpu: Sparc64Cpu): void {
  const R = cpu.regs;
  const nl = R[R_NPC_LO];
  const nh = R[R_NPC_HI];
  R[R_PC_LO] = nl;
  R[R_PC_HI] = nh;
  const b = nl + 4;
  R[R_NPC_LO] = b;
  R[R_NPC_HI] = b >= TWO32 ? nh + 1 : nh;
}

// `ba,a`: PC = target, nPC = target + 4.
function annulAlways(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  const t = insn.targetLo + 4;
  R[R_PC_LO] = insn.targetLo;
  R[R_PC_HI] = insn.targetHi;
  R[R_NPC_LO] = t;
  R[R_NPC_HI] = t >= TWO32 ? insn.targetHi + 1 : insn.targetHi;
}

// The shared tail of Bicc and BPcc once the condition is known.
function branch(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn, taken: number): void {
  if (taken !== 0) {
    if (insn.annul !== 0 && insn.cond === 8) annulAlways(cpu, insn);
    else take(cpu, insn);
  } else if (insn.annul !== 0) {
    annulFallThrough(cpu);
  }
}

/** `Bicc` on icc. @param cpu The CPU. @param insn The instruction. */
export function opBicc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  branch(cpu, insn, SPARC64_COND_TABLE[(insn.cond << 4) | (R[R_CCR] & 15)]);
}

/** `BPcc` on icc or xcc. @param cpu The CPU. @param insn The instruction. */
export function opBpcc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  const f = insn.cc === CC_XCC ? R[R_CCR] >>> 4 : R[R_CCR] & 15;
  branch(cpu, insn, SPARC64_COND_TABLE[(insn.cond << 4) | f]);
}

/** `BPr`: branch on a register's sign/zero. @param cpu The CPU. @param insn The instruction. */
export function opBpr(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  const a = cpu.rmap[insn.rs1];
  if (sparc64Rcond(insn.rcond, R[a + 1], R[a])) take(cpu, insn);
  else if (insn.annul !== 0) annulFallThrough(cpu);
}

/** `FBfcc`/`FBPfcc`: floating point is disabled. @param cpu The CPU. @param _insn The instruction. */
export function opFbfcc(cpu: Sparc64Cpu, _insn: Sparc64DecodedInsn): void {
  hostTrap(cpu, TT_FP_DISABLED);
}

/** `call`: `%o7` = PC, next nPC = PC + disp30·4. @param cpu The CPU. @param insn The instruction. */
export function opCall(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  const d = cpu.wmap[15];
  R[d] = insn.addrLo;
  R[d + 1] = (R[R_PSTATE] & PSTATE_AM) !== 0 ? 0 : insn.addrHi;
  take(cpu, insn);
  if ((R[R_PSTATE] & PSTATE_AM) !== 0) R[R_NPC_HI] = 0;
}

/**
 * `jmpl rs1 + op2, rd` (`ret`, `retl`, `jmp`, indirect `call`): rd = PC,
 * next nPC = the target; a target not word-aligned is
 * `mem_address_not_aligned`.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opJmpl(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  operand2(cpu, insn);
  const a = cpu.rmap[insn.rs1];
  const s = R[a] + R[R_T0_LO];
  const lo = s >>> 0;
  let hi = (R[a + 1] + R[R_T0_HI] + (s >= TWO32 ? 1 : 0)) >>> 0;
  const am = (R[R_PSTATE] & PSTATE_AM) !== 0;
  if (am) hi = 0;
  if ((lo & 3) !== 0) hostTrap(cpu, TT_UNALIGNED, 0, hi, lo);
  const d = cpu.wmap[insn.rd];
  R[d] = insn.addrLo;
  R[d + 1] = am ? 0 : insn.addrHi;
  delayedTransfer(cpu, hi, lo);
}
