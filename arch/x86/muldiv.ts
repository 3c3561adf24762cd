// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * MUL/IMUL (one, two and three operands), DIV/IDIV with #DE on a zero
 * divisor or quotient overflow, and CBW/CWDE/CDQE, CWD/CDQ/CQO. 64-bit
 * products and quotients use 16/32-bit limbs, never `BigInt`.
 *
 * @module
 */

import { mulU32 } from "../_common/u64.ts";
import type { X86Cpu } from "./cpu.ts";
import type { DecodedInsn } from "./decode.ts";
import { setResult } from "./flags.ts";
import { readE, readReg, writeReg } from "./modrm.ts";
import { OP_HI, RDX } from "./regs.ts";
import { raise } from "./traps.ts";

const TWO32 = 4294967296;
const INV32 = 1 / TWO32;

// 128-bit product words (little-endian 32-bit words), shared scratch.
const prod = new Float64Array(4);
const pair = new Uint32Array(2);

/**
 * Unsigned 64 × 64 → 128-bit product into `prod[0..3]`.
 *
 * @param al Low half of a.
 * @param ah High half of a.
 * @param bl Low half of b.
 * @param bh High half of b.
 */
function mulU64(al: number, ah: number, bl: number, bh: number): void {
  mulU32(al, bl, pair);
  const w0 = pair[0];
  let w1 = pair[1];
  mulU32(al, bh, pair);
  w1 += pair[0];
  let w2 = pair[1];
  mulU32(ah, bl, pair);
  w1 += pair[0];
  w2 += pair[1];
  mulU32(ah, bh, pair);
  w2 += pair[0];
  let w3 = pair[1];
  // Propagate carries (each partial sum < 2**34).
  const c1 = Math.floor(w1 * INV32);
  w1 -= c1 * TWO32;
  w2 += c1;
  const c2 = Math.floor(w2 * INV32);
  w2 -= c2 * TWO32;
  w3 = (w3 + c2) % TWO32;
  prod[0] = w0;
  prod[1] = w1;
  prod[2] = w2;
  prod[3] = w3;
}

// Signed adjustment of an unsigned 128-bit product: subtract b<<64 if a<0 etc.
function signAdjust(al: number, ah: number, bl: number, bh: number): void {
  let hl = prod[2];
  let hh = prod[3];
  if ((ah & 0x80000000) !== 0) {
    const s = hl - bl;
    hl = s >>> 0;
    hh = (hh - bh - (s < 0 ? 1 : 0)) >>> 0;
  }
  if ((bh & 0x80000000) !== 0) {
    const s = hl - al;
    hl = s >>> 0;
    hh = (hh - ah - (s < 0 ? 1 : 0)) >>> 0;
  }
  prod[2] = hl;
  prod[3] = hh;
}

function sext(v: number, w: number): number {
  return w === 0 ? (v << 24) >> 24 : w === 1 ? (v << 16) >> 16 : v | 0;
}

/** F6/F7 /4–/7: mul, imul, div, idiv with rAX (and rDX). */
export function opMulDivEv(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const op = insn.reg & 7;
  const src = readE(cpu, insn, w);
  const srcHi = w === 3 ? cpu.regs[OP_HI] : 0;
  const regs = cpu.regs;
  if (op === 4 || op === 5) {
    const signed = op === 5;
    if (w === 0) {
      const a = cpu.regs8[0];
      const p = signed ? sext(a, 0) * sext(src, 0) : a * src;
      cpu.regs16[0] = p & 0xffff;
      const of = signed ? (p !== sext(p & 0xff, 0) ? 1 : 0) : (p > 0xff ? 1 : 0);
      setResult(cpu.lf, 0, p & 0xff, 0, of, of);
    } else if (w === 1) {
      const a = cpu.regs16[0];
      const p = signed ? sext(a, 1) * sext(src, 1) : a * src;
      cpu.regs16[0] = p & 0xffff;
      cpu.regs16[RDX << 2] = (p >> 16) & 0xffff;
      const of = signed ? (p !== sext(p & 0xffff, 1) ? 1 : 0) : (p > 0xffff ? 1 : 0);
      setResult(cpu.lf, 1, p & 0xffff, 0, of, of);
    } else if (w === 2) {
      const a = regs[0];
      mulU32(a, src, pair);
      let lo = pair[0];
      let hi = pair[1];
      if (signed) {
        if ((a & 0x80000000) !== 0) hi = (hi - src) >>> 0;
        if ((src & 0x80000000) !== 0) hi = (hi - a) >>> 0;
      }
      lo = lo >>> 0;
      regs[0] = lo;
      regs[1] = 0;
      regs[RDX << 1] = hi;
      regs[(RDX << 1) | 1] = 0;
      const of = signed
        ? (hi !== ((lo & 0x80000000) !== 0 ? 0xffffffff : 0) ? 1 : 0)
        : (hi !== 0 ? 1 : 0);
      setResult(cpu.lf, 2, lo, 0, of, of);
    } else {
      const al = regs[0];
      const ah = regs[1];
      mulU64(al, ah, src, srcHi);
      if (signed) signAdjust(al, ah, src, srcHi);
      regs[0] = prod[0];
      regs[1] = prod[1];
      regs[RDX << 1] = prod[2];
      regs[(RDX << 1) | 1] = prod[3];
      const ext = (prod[1] & 0x80000000) !== 0 ? 0xffffffff : 0;
      const of = signed
        ? (prod[2] !== ext || prod[3] !== ext ? 1 : 0)
        : (prod[2] !== 0 || prod[3] !== 0 ? 1 : 0);
      setResult(cpu.lf, 3, prod[0], prod[1], of, of);
    }
    return;
  }
  if (src === 0 && srcHi === 0) raise(cpu, 0, 0);
  if (op === 6) divUnsigned(cpu, w, src, srcHi);
  else divSigned(cpu, w, src, srcHi);
}

function divUnsigned(cpu: X86Cpu, w: number, d: number, dh: number): void {
  const regs = cpu.regs;
  if (w === 0) {
    const n = cpu.regs16[0];
    const q = Math.floor(n / d);
    if (q > 0xff) raise(cpu, 0, 0);
    cpu.regs8[0] = q;
    cpu.regs8[1] = n - q * d;
  } else if (w === 1) {
    const n = cpu.regs16[RDX << 2] * 65536 + cpu.regs16[0];
    const q = Math.floor(n / d);
    if (q > 0xffff) raise(cpu, 0, 0);
    cpu.regs16[0] = q;
    cpu.regs16[RDX << 2] = n - q * d;
  } else if (w === 2) {
    const hi = regs[RDX << 1];
    const lo = regs[0];
    if (hi >= d) raise(cpu, 0, 0);
    // Two 16-bit schoolbook steps keep every intermediate below 2**48.
    let rem = hi;
    let cur = rem * 65536 + (lo >>> 16);
    const q1 = Math.floor(cur / d);
    rem = cur - q1 * d;
    cur = rem * 65536 + (lo & 0xffff);
    const q0 = Math.floor(cur / d);
    rem = cur - q0 * d;
    regs[0] = q1 * 65536 + q0;
    regs[1] = 0;
    regs[RDX << 1] = rem;
    regs[(RDX << 1) | 1] = 0;
  } else {
    if (!divU128(regs[(RDX << 1) | 1], regs[RDX << 1], regs[1], regs[0], dh, d)) raise(cpu, 0, 0);
    regs[0] = quot[0];
    regs[1] = quot[1];
    regs[RDX << 1] = quot[2];
    regs[(RDX << 1) | 1] = quot[3];
  }
}

// Quotient lo, hi and remainder lo, hi of the last divU128.
const quot = new Uint32Array(4);

/**
 * Unsigned (nh3:nh2:nl1:nl0) / (dh:dl) with a 64-bit quotient. Returns
 * false when the quotient would not fit (high half ≥ divisor).
 */
function divU128(n3: number, n2: number, n1: number, n0: number, dh: number, dl: number): boolean {
  if (n3 > dh || (n3 === dh && n2 >= dl)) return false;
  if (n3 === 0 && n2 === 0 && n1 < 0x200000 && dh < 0x200000) {
    // Everything below 2**53: doubles are exact after a correction step.
    const n = n1 * TWO32 + n0;
    const d = dh * TWO32 + dl;
    let q = Math.floor(n / d);
    let r = n - q * d;
    if (r < 0) {
      q--;
      r += d;
    } else if (r >= d) {
      q++;
      r -= d;
    }
    quot[0] = q % TWO32;
    quot[1] = Math.floor(q * INV32);
    quot[2] = r % TWO32;
    quot[3] = Math.floor(r * INV32);
    return true;
  }
  if (dh === 0) {
    // 32-bit divisor: 16-bit limbs, remainder < divisor < 2**32.
    let rem = n2; // n3 === 0 here since n3:n2 < divisor
    let q1 = 0;
    let q0 = 0;
    for (let i = 3; i >= 0; i--) {
      const limb = i >= 2 ? (n1 >>> ((i - 2) * 16)) & 0xffff : (n0 >>> (i * 16)) & 0xffff;
      const cur = rem * 65536 + limb;
      const qd = Math.floor(cur / dl);
      rem = cur - qd * dl;
      if (i >= 2) q1 = q1 * 65536 + qd;
      else q0 = q0 * 65536 + qd;
    }
    quot[0] = q0;
    quot[1] = q1;
    quot[2] = rem;
    quot[3] = 0;
    return true;
  }
  // Restoring division, one quotient bit per step.
  let rh = n3;
  let rl = n2;
  let qh = 0;
  let ql = 0;
  for (let i = 63; i >= 0; i--) {
    const bit = i >= 32 ? (n1 >>> (i - 32)) & 1 : (n0 >>> i) & 1;
    const top = rh >>> 31;
    rh = ((rh << 1) | (rl >>> 31)) >>> 0;
    rl = ((rl << 1) | bit) >>> 0;
    if (top === 1 || rh > dh || (rh === dh && rl >= dl)) {
      const s = rl - dl;
      rl = s >>> 0;
      rh = (rh - dh - (s < 0 ? 1 : 0)) >>> 0;
      if (i >= 32) qh = (qh | (1 << (i - 32))) >>> 0;
      else ql = (ql | (1 << i)) >>> 0;
    }
  }
  quot[0] = ql;
  quot[1] = qh;
  quot[2] = rl;
  quot[3] = rh;
  return true;
}

function divSigned(cpu: X86Cpu, w: number, d: number, dh: number): void {
  const regs = cpu.regs;
  if (w <= 1) {
    const n = w === 0
      ? (cpu.regs16[0] << 16) >> 16
      : (cpu.regs16[RDX << 2] << 16 | cpu.regs16[0]) | 0;
    const sd = sext(d, w);
    const q = Math.trunc(n / sd);
    const r = n - q * sd;
    const lim = w === 0 ? 0x80 : 0x8000;
    if (q >= lim || q < -lim) raise(cpu, 0, 0);
    if (w === 0) {
      cpu.regs8[0] = q & 0xff;
      cpu.regs8[1] = r & 0xff;
    } else {
      cpu.regs16[0] = q & 0xffff;
      cpu.regs16[RDX << 2] = r & 0xffff;
    }
    return;
  }
  if (w === 2) {
    // Dividend EDX:EAX as a signed 64-bit pair; divide magnitudes.
    let nh = regs[RDX << 1];
    let nl = regs[0];
    const negN = (nh & 0x80000000) !== 0;
    if (negN) {
      nl = (~nl + 1) >>> 0;
      nh = (~nh + (nl === 0 ? 1 : 0)) >>> 0;
    }
    const negD = (d & 0x80000000) !== 0;
    const ad = negD ? (-(d | 0)) >>> 0 : d;
    if (!divU128(0, 0, nh, nl, 0, ad)) raise(cpu, 0, 0);
    if (quot[1] !== 0) raise(cpu, 0, 0);
    const qm = quot[0];
    const neg = negN !== negD;
    if (neg ? qm > 0x80000000 : qm > 0x7fffffff) raise(cpu, 0, 0);
    regs[0] = neg ? (-qm) >>> 0 : qm;
    regs[1] = 0;
    regs[RDX << 1] = negN ? (-quot[2]) >>> 0 : quot[2];
    regs[(RDX << 1) | 1] = 0;
    return;
  }
  // 128-bit signed dividend RDX:RAX.
  let n3 = regs[(RDX << 1) | 1];
  let n2 = regs[RDX << 1];
  let n1 = regs[1];
  let n0 = regs[0];
  const negN = (n3 & 0x80000000) !== 0;
  if (negN) {
    // Two's complement negate across four words.
    n0 = (~n0 + 1) >>> 0;
    let c = n0 === 0 ? 1 : 0;
    n1 = (~n1 + c) >>> 0;
    c = c === 1 && n1 === 0 ? 1 : 0;
    n2 = (~n2 + c) >>> 0;
    c = c === 1 && n2 === 0 ? 1 : 0;
    n3 = (~n3 + c) >>> 0;
  }
  const negD = (dh & 0x80000000) !== 0;
  let dl = d;
  let dhi = dh;
  if (negD) {
    dl = (~dl + 1) >>> 0;
    dhi = (~dhi + (dl === 0 ? 1 : 0)) >>> 0;
  }
  if (!divU128(n3, n2, n1, n0, dhi, dl)) raise(cpu, 0, 0);
  const neg = negN !== negD;
  const qh = quot[1];
  const ql = quot[0];
  if (neg ? (qh > 0x80000000 || (qh === 0x80000000 && ql !== 0)) : qh > 0x7fffffff) {
    raise(cpu, 0, 0);
  }
  let rl = quot[2];
  let rh = quot[3];
  let oql = ql;
  let oqh = qh;
  if (neg) {
    oql = (~ql + 1) >>> 0;
    oqh = (~qh + (oql === 0 ? 1 : 0)) >>> 0;
  }
  if (negN) {
    rl = (~rl + 1) >>> 0;
    rh = (~rh + (rl === 0 ? 1 : 0)) >>> 0;
  }
  regs[0] = oql;
  regs[1] = oqh;
  regs[RDX << 1] = rl;
  regs[(RDX << 1) | 1] = rh;
}

function imulTruncate(
  cpu: X86Cpu,
  insn: DecodedInsn,
  a: number,
  ah: number,
  b: number,
  bh: number,
): void {
  const w = insn.width;
  if (w === 1) {
    const p = sext(a, 1) * sext(b, 1);
    const r = p & 0xffff;
    const of = p !== sext(r, 1) ? 1 : 0;
    writeReg(cpu, insn, insn.reg, 1, r, 0);
    setResult(cpu.lf, 1, r, 0, of, of);
  } else if (w === 2) {
    const p = (a | 0) * (b | 0);
    const r = Math.imul(a, b) >>> 0;
    const of = Math.abs(p) < 2 ** 53 && p === (r | 0) ? 0 : 1;
    writeReg(cpu, insn, insn.reg, 2, r, 0);
    setResult(cpu.lf, 2, r, 0, of, of);
  } else {
    mulU64(a, ah, b, bh);
    signAdjust(a, ah, b, bh);
    const ext = (prod[1] & 0x80000000) !== 0 ? 0xffffffff : 0;
    const of = prod[2] !== ext || prod[3] !== ext ? 1 : 0;
    writeReg(cpu, insn, insn.reg, 3, prod[0], prod[1]);
    setResult(cpu.lf, 3, prod[0], prod[1], of, of);
  }
}

/** 0F AF: imul reg, r/m. */
export function opImulGvEv(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const b = readE(cpu, insn, w);
  const bh = w === 3 ? cpu.regs[OP_HI] : 0;
  const a = readReg(cpu, insn, insn.reg, w);
  imulTruncate(cpu, insn, a, w === 3 ? cpu.regs[OP_HI] : 0, b, bh);
}

/** 69/6B: imul reg, r/m, imm. */
export function opImulGvEvI(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const a = readE(cpu, insn, w);
  imulTruncate(cpu, insn, a, w === 3 ? cpu.regs[OP_HI] : 0, insn.imm, insn.immHi);
}

/** 98: cbw/cwde/cdqe. */
export function opCbw(cpu: X86Cpu, insn: DecodedInsn): void {
  const regs = cpu.regs;
  switch (insn.opsize) {
    case 2:
      cpu.regs16[0] = (cpu.regs8[0] << 24) >> 24;
      break;
    case 4:
      regs[0] = ((cpu.regs16[0] << 16) >> 16) >>> 0;
      regs[1] = 0;
      break;
    default:
      regs[1] = (regs[0] & 0x80000000) !== 0 ? 0xffffffff : 0;
  }
}

/** 99: cwd/cdq/cqo. */
export function opCwd(cpu: X86Cpu, insn: DecodedInsn): void {
  const regs = cpu.regs;
  switch (insn.opsize) {
    case 2:
      cpu.regs16[RDX << 2] = (cpu.regs16[0] & 0x8000) !== 0 ? 0xffff : 0;
      break;
    case 4:
      regs[RDX << 1] = (regs[0] & 0x80000000) !== 0 ? 0xffffffff : 0;
      regs[(RDX << 1) | 1] = 0;
      break;
    default: {
      const s = (regs[1] & 0x80000000) !== 0 ? 0xffffffff : 0;
      regs[RDX << 1] = s;
      regs[(RDX << 1) | 1] = s;
    }
  }
}
