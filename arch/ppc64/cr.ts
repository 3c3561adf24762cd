// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The condition register: CR0 of record forms, the compares
 * (`cmp`/`cmpl`/`cmpi`/`cmpli`, word and doubleword by L), the CR-logical
 * instructions (`crand` … `crorc`, `mcrf`), `mfcr`/`mfocrf`,
 * `mtcrf`/`mtocrf` and `isel`. CR is kept eagerly as one 32-bit word (field
 * 0 in the top nibble, CR bit `i` in IBM numbering at `31 - i`).
 *
 * @module
 */

import type { Ppc64Cpu } from "./cpu.ts";
import type { Ppc64DecodedInsn } from "./decode.ts";
import { R_CR, R_XER } from "./regs.ts";

/**
 * Sets CR0 from a 64-bit result: LT, GT or EQ as a signed compare with 0,
 * and SO copied from XER.
 *
 * @param regs The register file.
 * @param hi High half of the result.
 * @param lo Low half of the result.
 *
 * @example A negative result
 * ```ts
 * import { setCr0 } from "./cr.ts";
 * import { createPpc64RegisterFile, R_CR } from "./regs.ts";
 * import assert from "node:assert/strict";
 * const regs = createPpc64RegisterFile();
 * setCr0(regs, 0xffffffff, 0xfffffffe);
 * assert.equal(regs[R_CR] >>> 28, 8);
 * ```
 */
export function setCr0(regs: Uint32Array, hi: number, lo: number): void {
  const f = (hi & 0x80000000) !== 0 ? 8 : (hi | lo) !== 0 ? 4 : 2;
  regs[R_CR] = (regs[R_CR] & 0x0fffffff) | ((f | (regs[R_XER] >>> 31)) << 28);
}

// Writes the 4-bit value `v` into CR field `bf`.
function setField(regs: Uint32Array, bf: number, v: number): void {
  const shift = 28 - 4 * bf;
  regs[R_CR] = (regs[R_CR] & ~(15 << shift)) | (v << shift);
}

// Signed compare of two 64-bit values → LT/GT/EQ bits.
function cmpSigned64(ah: number, al: number, bh: number, bl: number): number {
  if (ah !== bh) return (ah | 0) < (bh | 0) ? 8 : 4;
  if (al !== bl) return al >>> 0 < bl >>> 0 ? 8 : 4;
  return 2;
}

// Unsigned compare of two 64-bit values → LT/GT/EQ bits.
function cmpUnsigned64(ah: number, al: number, bh: number, bl: number): number {
  if (ah !== bh) return ah >>> 0 < bh >>> 0 ? 8 : 4;
  if (al !== bl) return al >>> 0 < bl >>> 0 ? 8 : 4;
  return 2;
}

/**
 * `cmpw`/`cmpd` BF,RA,RB: signed compare into CR field BF.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opCmp(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  const b = insn.rb << 1;
  let r: number;
  if (insn.l !== 0) r = cmpSigned64(g[a + 1], g[a], g[b + 1], g[b]);
  else r = (g[a] | 0) < (g[b] | 0) ? 8 : (g[a] | 0) > (g[b] | 0) ? 4 : 2;
  setField(g, insn.bf, r | (g[R_XER] >>> 31));
}

/**
 * `cmplw`/`cmpld` BF,RA,RB: unsigned compare into CR field BF.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opCmpl(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  const b = insn.rb << 1;
  let r: number;
  if (insn.l !== 0) r = cmpUnsigned64(g[a + 1], g[a], g[b + 1], g[b]);
  else r = g[a] < g[b] ? 8 : g[a] > g[b] ? 4 : 2;
  setField(g, insn.bf, r | (g[R_XER] >>> 31));
}

/**
 * `cmpwi`/`cmpdi` BF,RA,SI: signed compare with a sign-extended immediate.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opCmpi(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  let r: number;
  if (insn.l !== 0) r = cmpSigned64(g[a + 1], g[a], insn.immHi, insn.immLo);
  else r = (g[a] | 0) < insn.imm ? 8 : (g[a] | 0) > insn.imm ? 4 : 2;
  setField(g, insn.bf, r | (g[R_XER] >>> 31));
}

/**
 * `cmplwi`/`cmpldi` BF,RA,UI: unsigned compare with a zero-extended immediate.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opCmpli(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  let r: number;
  if (insn.l !== 0) r = cmpUnsigned64(g[a + 1], g[a], 0, insn.imm);
  else r = g[a] < insn.imm ? 8 : g[a] > insn.imm ? 4 : 2;
  setField(g, insn.bf, r | (g[R_XER] >>> 31));
}

// CR bit `i` (IBM numbering).
function crBit(cr: number, i: number): number {
  return (cr >>> (31 - i)) & 1;
}

// Sets CR bit BT (in `insn.rt`) to `v`.
function setCrBit(g: Uint32Array, bt: number, v: number): void {
  const m = 1 << (31 - bt);
  g[R_CR] = v !== 0 ? g[R_CR] | m : g[R_CR] & ~m;
}

/**
 * `crand` BT,BA,BB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opCrand(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const cr = cpu.regs[R_CR];
  setCrBit(cpu.regs, insn.rt, crBit(cr, insn.ra) & crBit(cr, insn.rb));
}

/**
 * `cror` BT,BA,BB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opCror(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const cr = cpu.regs[R_CR];
  setCrBit(cpu.regs, insn.rt, crBit(cr, insn.ra) | crBit(cr, insn.rb));
}

/**
 * `crxor` BT,BA,BB (`crclr` when all three are equal).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opCrxor(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const cr = cpu.regs[R_CR];
  setCrBit(cpu.regs, insn.rt, crBit(cr, insn.ra) ^ crBit(cr, insn.rb));
}

/**
 * `crnor` BT,BA,BB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opCrnor(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const cr = cpu.regs[R_CR];
  setCrBit(cpu.regs, insn.rt, (crBit(cr, insn.ra) | crBit(cr, insn.rb)) ^ 1);
}

/**
 * `creqv` BT,BA,BB (`crset` when all three are equal).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opCreqv(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const cr = cpu.regs[R_CR];
  setCrBit(cpu.regs, insn.rt, (crBit(cr, insn.ra) ^ crBit(cr, insn.rb)) ^ 1);
}

/**
 * `crandc` BT,BA,BB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opCrandc(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const cr = cpu.regs[R_CR];
  setCrBit(cpu.regs, insn.rt, crBit(cr, insn.ra) & (crBit(cr, insn.rb) ^ 1));
}

/**
 * `crorc` BT,BA,BB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opCrorc(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const cr = cpu.regs[R_CR];
  setCrBit(cpu.regs, insn.rt, crBit(cr, insn.ra) | (crBit(cr, insn.rb) ^ 1));
}

/**
 * `crnand` BT,BA,BB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opCrnand(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const cr = cpu.regs[R_CR];
  setCrBit(cpu.regs, insn.rt, (crBit(cr, insn.ra) & crBit(cr, insn.rb)) ^ 1);
}

/**
 * `mcrf` BF,BFA: copies a CR field.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMcrf(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  setField(g, insn.bf, (g[R_CR] >>> (28 - 4 * (insn.ra >>> 2))) & 15);
}

/**
 * `mfcr` RT (all of CR) and `mfocrf` RT,FXM (one field, others 0).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMfcr(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const t = insn.rt << 1;
  g[t] = insn.l !== 0 ? g[R_CR] & fxmMask(insn.fxm) : g[R_CR];
  g[t + 1] = 0;
}

// The CR bits selected by an FXM field mask (bit 0x80 = CR0).
function fxmMask(fxm: number): number {
  let m = 0;
  for (let i = 0; i < 8; i++) if ((fxm & (0x80 >>> i)) !== 0) m |= 0xf0000000 >>> (4 * i);
  return m >>> 0;
}

/**
 * `mtcrf` FXM,RS and `mtocrf` FXM,RS: the selected fields from RS[32:63].
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMtcrf(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const m = fxmMask(insn.fxm);
  g[R_CR] = (g[R_CR] & ~m) | (g[insn.rt << 1] & m);
}

/**
 * `isel` RT,RA,RB,BC: RT = CR[BC] ? (RA|0) : RB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opIsel(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const t = insn.rt << 1;
  if (crBit(g[R_CR], insn.bi) !== 0) {
    const a = insn.ra << 1;
    const lo = insn.ra === 0 ? 0 : g[a];
    const hi = insn.ra === 0 ? 0 : g[a + 1];
    g[t] = lo;
    g[t + 1] = hi;
  } else {
    const b = insn.rb << 1;
    g[t] = g[b];
    g[t + 1] = g[b + 1];
  }
}
