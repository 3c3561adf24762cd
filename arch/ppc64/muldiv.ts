// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Multiply and divide (Power ISA Book I §3.3.9–10), word and doubleword,
 * without `BigInt`: 32 × 32 products from 16-bit halves, 64 × 64 → 128 from
 * four of those, and 64-bit division exact in doubles below 2**52 and by
 * shift-and-subtract above. OE forms set XER.OV/SO, record forms CR0.
 *
 * Undefined results follow QEMU: `mulhw`/`mulhwu`/`divw`/`divwu` leave the
 * high word of RT zero, and a divide by zero or an overflowing divide
 * returns the dividend.
 *
 * @module
 */

import type { Ppc64Cpu } from "./cpu.ts";
import { setCr0 } from "./cr.ts";
import type { Ppc64DecodedInsn } from "./decode.ts";
import { setOv } from "./fixed_point.ts";
import { R_TMP_HI, R_TMP_LO } from "./regs.ts";

const TWO32 = 4294967296;

/**
 * High 32 bits of the unsigned product of two 32-bit values.
 *
 * @param a First factor (uint32).
 * @param b Second factor (uint32).
 * @returns `floor(a * b / 2**32)`.
 *
 * @example The largest product
 * ```ts
 * import { mulHiU32 } from "./muldiv.ts";
 * import assert from "node:assert/strict";
 * assert.equal(mulHiU32(0xffffffff, 0xffffffff), 0xfffffffe);
 * ```
 */
export function mulHiU32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const mid = a0 * b1 + a1 * b0 + ((a0 * b0) >>> 16);
  return (a1 * b1 + Math.floor(mid / 65536)) >>> 0;
}

// Unsigned 64 × 64 → high 64 bits into g[R_TMP_HI/LO].
function mulHighU64(g: Uint32Array, ah: number, al: number, bh: number, bl: number): void {
  const p0h = mulHiU32(al, bl);
  const p1l = Math.imul(al, bh) >>> 0;
  const p1h = mulHiU32(al, bh);
  const p2l = Math.imul(ah, bl) >>> 0;
  const p2h = mulHiU32(ah, bl);
  const p3l = Math.imul(ah, bh) >>> 0;
  const p3h = mulHiU32(ah, bh);
  const s1 = p0h + p1l + p2l;
  const s2 = p1h + p2h + p3l + Math.floor(s1 / TWO32);
  g[R_TMP_LO] = s2;
  g[R_TMP_HI] = p3h + Math.floor(s2 / TWO32);
}

// Signed 64 × 64 → high 64 bits into g[R_TMP_HI/LO].
function mulHighS64(g: Uint32Array, ah: number, al: number, bh: number, bl: number): void {
  mulHighU64(g, ah, al, bh, bl);
  let hi = g[R_TMP_HI];
  let lo = g[R_TMP_LO];
  if ((ah & 0x80000000) !== 0) {
    const t = lo - bl;
    hi = hi - bh - (t < 0 ? 1 : 0);
    lo = t;
  }
  if ((bh & 0x80000000) !== 0) {
    const t = (lo >>> 0) - al;
    hi = hi - ah - (t < 0 ? 1 : 0);
    lo = t;
  }
  g[R_TMP_LO] = lo;
  g[R_TMP_HI] = hi;
}

// RT = low 64 bits of a × b, OV when the signed product does not fit.
function mul64(
  cpu: Ppc64Cpu,
  insn: Ppc64DecodedInsn,
  ah: number,
  al: number,
  bh: number,
  bl: number,
) {
  const g = cpu.regs;
  const lo = Math.imul(al, bl) >>> 0;
  const hi = (mulHiU32(al, bl) + Math.imul(al, bh) + Math.imul(ah, bl)) >>> 0;
  if (insn.oe !== 0) {
    mulHighS64(g, ah, al, bh, bl);
    const ext = (hi & 0x80000000) !== 0 ? 0xffffffff : 0;
    setOv(g, g[R_TMP_HI] === ext && g[R_TMP_LO] === ext ? 0 : 1);
  }
  const t = insn.rt << 1;
  g[t] = lo;
  g[t + 1] = hi;
  if (insn.rc !== 0) setCr0(g, hi, lo);
}

/**
 * `mulld` RT,RA,RB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMulld(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  const b = insn.rb << 1;
  mul64(cpu, insn, g[a + 1], g[a], g[b + 1], g[b]);
}

/**
 * `mulli` RT,RA,SI: low 64 bits of RA × SI.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMulli(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  mul64(cpu, insn, g[a + 1], g[a], insn.immHi, insn.immLo);
}

/**
 * `mullw` RT,RA,RB: the full 64-bit signed product of the low words.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMullw(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const x = g[insn.ra << 1];
  const y = g[insn.rb << 1];
  const lo = Math.imul(x, y) >>> 0;
  const hi = (mulHiU32(x, y) - ((x & 0x80000000) !== 0 ? y : 0) -
    ((y & 0x80000000) !== 0 ? x : 0)) >>> 0;
  if (insn.oe !== 0) setOv(g, hi === ((lo & 0x80000000) !== 0 ? 0xffffffff : 0) ? 0 : 1);
  const t = insn.rt << 1;
  g[t] = lo;
  g[t + 1] = hi;
  if (insn.rc !== 0) setCr0(g, hi, lo);
}

/**
 * `mulhw` RT,RA,RB: high word of the signed product (RT's high word 0).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMulhw(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const x = g[insn.ra << 1];
  const y = g[insn.rb << 1];
  const hi = (mulHiU32(x, y) - ((x & 0x80000000) !== 0 ? y : 0) -
    ((y & 0x80000000) !== 0 ? x : 0)) >>> 0;
  const t = insn.rt << 1;
  g[t] = hi;
  g[t + 1] = 0;
  if (insn.rc !== 0) setCr0(g, 0, hi);
}

/**
 * `mulhwu` RT,RA,RB: high word of the unsigned product (RT's high word 0).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMulhwu(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const hi = mulHiU32(g[insn.ra << 1], g[insn.rb << 1]);
  const t = insn.rt << 1;
  g[t] = hi;
  g[t + 1] = 0;
  if (insn.rc !== 0) setCr0(g, 0, hi);
}

/**
 * `mulhd` RT,RA,RB: high 64 bits of the signed 128-bit product.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMulhd(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  const b = insn.rb << 1;
  mulHighS64(g, g[a + 1], g[a], g[b + 1], g[b]);
  const t = insn.rt << 1;
  g[t] = g[R_TMP_LO];
  g[t + 1] = g[R_TMP_HI];
  if (insn.rc !== 0) setCr0(g, g[t + 1], g[t]);
}

/**
 * `mulhdu` RT,RA,RB: high 64 bits of the unsigned 128-bit product.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMulhdu(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  const b = insn.rb << 1;
  mulHighU64(g, g[a + 1], g[a], g[b + 1], g[b]);
  const t = insn.rt << 1;
  g[t] = g[R_TMP_LO];
  g[t + 1] = g[R_TMP_HI];
  if (insn.rc !== 0) setCr0(g, g[t + 1], g[t]);
}

// Writes a 32-bit quotient (zero-extended), OV and CR0.
function finishDivw(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn, q: number, invalid: boolean): void {
  const g = cpu.regs;
  const t = insn.rt << 1;
  g[t] = q;
  g[t + 1] = 0;
  if (insn.oe !== 0) setOv(g, invalid ? 1 : 0);
  if (insn.rc !== 0) setCr0(g, 0, q >>> 0);
}

/**
 * `divw` RT,RA,RB: signed word divide.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opDivw(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const n = g[insn.ra << 1] | 0;
  const d = g[insn.rb << 1] | 0;
  const invalid = d === 0 || (n === -0x80000000 && d === -1);
  finishDivw(cpu, insn, invalid ? n : Math.trunc(n / d), invalid);
}

/**
 * `divwu` RT,RA,RB: unsigned word divide.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opDivwu(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const n = g[insn.ra << 1];
  const d = g[insn.rb << 1];
  finishDivw(cpu, insn, d === 0 ? n : Math.floor(n / d), d === 0);
}

// Unsigned 64-bit quotient n / d (d ≠ 0) into g[R_TMP_HI/LO].
function divU64(g: Uint32Array, nh: number, nl: number, dh: number, dl: number): void {
  if (nh < 0x100000 && dh < 0x100000) {
    // Both below 2**52: double division is exact after floor.
    const q = Math.floor((nh * TWO32 + nl) / (dh * TWO32 + dl));
    g[R_TMP_LO] = q;
    g[R_TMP_HI] = Math.floor(q / TWO32);
    return;
  }
  let qh = 0;
  let ql = 0;
  let rh = 0;
  let rl = 0;
  for (let i = 63; i >= 0; i--) {
    const bit = i >= 32 ? (nh >>> (i - 32)) & 1 : (nl >>> i) & 1;
    const top = rh >>> 31;
    rh = ((rh << 1) | (rl >>> 31)) >>> 0;
    rl = ((rl << 1) | bit) >>> 0;
    if (top !== 0 || rh > dh || (rh === dh && rl >= dl)) {
      const t = rl - dl;
      rh = (rh - dh - (t < 0 ? 1 : 0)) >>> 0;
      rl = t >>> 0;
      if (i >= 32) qh |= 1 << (i - 32);
      else ql |= 1 << i;
    }
  }
  g[R_TMP_LO] = ql;
  g[R_TMP_HI] = qh;
}

// Writes a 64-bit quotient held in g[R_TMP_*], OV and CR0.
function finishDivd(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn, invalid: boolean): void {
  const g = cpu.regs;
  const t = insn.rt << 1;
  g[t] = g[R_TMP_LO];
  g[t + 1] = g[R_TMP_HI];
  if (insn.oe !== 0) setOv(g, invalid ? 1 : 0);
  if (insn.rc !== 0) setCr0(g, g[t + 1], g[t]);
}

/**
 * `divdu` RT,RA,RB: unsigned doubleword divide.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opDivdu(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  const b = insn.rb << 1;
  const invalid = (g[b] | g[b + 1]) === 0;
  if (invalid) {
    g[R_TMP_LO] = g[a];
    g[R_TMP_HI] = g[a + 1];
  } else divU64(g, g[a + 1], g[a], g[b + 1], g[b]);
  finishDivd(cpu, insn, invalid);
}

/**
 * `divd` RT,RA,RB: signed doubleword divide.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opDivd(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  const b = insn.rb << 1;
  let nh = g[a + 1];
  let nl = g[a];
  let dh = g[b + 1];
  let dl = g[b];
  const invalid = (dh | dl) === 0 ||
    (nh === 0x80000000 && nl === 0 && dh === 0xffffffff && dl === 0xffffffff);
  if (invalid) {
    g[R_TMP_LO] = nl;
    g[R_TMP_HI] = nh;
    finishDivd(cpu, insn, true);
    return;
  }
  const nneg = (nh & 0x80000000) !== 0;
  const dneg = (dh & 0x80000000) !== 0;
  if (nneg) {
    nl = (-nl) >>> 0;
    nh = (~nh + (nl === 0 ? 1 : 0)) >>> 0;
  }
  if (dneg) {
    dl = (-dl) >>> 0;
    dh = (~dh + (dl === 0 ? 1 : 0)) >>> 0;
  }
  divU64(g, nh, nl, dh, dl);
  if (nneg !== dneg) {
    const l = (-g[R_TMP_LO]) >>> 0;
    g[R_TMP_HI] = ~g[R_TMP_HI] + (l === 0 ? 1 : 0);
    g[R_TMP_LO] = l;
  }
  finishDivd(cpu, insn, false);
}
