// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Rotates and shifts (Power ISA Book I §3.3.12–13): `rlwinm`, `rlwimi`,
 * `rlwnm`, the doubleword rotates `rldicl`, `rldicr`, `rldic`, `rldimi`,
 * `rldcl`, `rldcr`, and the shifts `slw`, `srw`, `sraw`, `srawi`, `sld`,
 * `srd`, `srad`, `sradi` with XER.CA for the algebraic ones. Masks come
 * pre-expanded from the decoder as 64-bit halves; a word rotate's 64-bit
 * result is ROTL32 replicated in both halves, masked.
 *
 * @module
 */

import type { Ppc64Cpu } from "./cpu.ts";
import { setCr0 } from "./cr.ts";
import type { Ppc64DecodedInsn } from "./decode.ts";
import { R_TMP_HI, R_TMP_LO, R_XER, XER_CA } from "./regs.ts";

function rotl32(x: number, n: number): number {
  return ((x << n) | (x >>> (32 - n))) >>> 0;
}

// Rotates (hi, lo) left by n (0–63) into g[R_TMP_HI/LO].
function rotl64(g: Uint32Array, hi: number, lo: number, n: number): void {
  if (n >= 32) {
    const t = hi;
    hi = lo;
    lo = t;
    n -= 32;
  }
  if (n === 0) {
    g[R_TMP_HI] = hi;
    g[R_TMP_LO] = lo;
  } else {
    g[R_TMP_HI] = (hi << n) | (lo >>> (32 - n));
    g[R_TMP_LO] = (lo << n) | (hi >>> (32 - n));
  }
}

// RA = (hi, lo); CR0 when Rc.
function result(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn, hi: number, lo: number): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  g[a] = lo;
  g[a + 1] = hi;
  if (insn.rc !== 0) setCr0(g, hi >>> 0, lo >>> 0);
}

function setCa(g: Uint32Array, c: boolean): void {
  g[R_XER] = c ? g[R_XER] | XER_CA : g[R_XER] & ~XER_CA;
}

/**
 * `rlwinm` RA,RS,SH,MB,ME (`slwi`, `srwi`, `clrlwi`, `rotlwi` …).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opRlwinm(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const r = rotl32(cpu.regs[insn.rt << 1], insn.sh);
  result(cpu, insn, r & insn.maskHi, r & insn.maskLo);
}

/**
 * `rlwnm` RA,RS,RB,MB,ME: rotate by RB[59:63].
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opRlwnm(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const r = rotl32(g[insn.rt << 1], g[insn.rb << 1] & 31);
  result(cpu, insn, r & insn.maskHi, r & insn.maskLo);
}

/**
 * `rlwimi` RA,RS,SH,MB,ME: rotate and insert under the mask.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opRlwimi(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  const r = rotl32(g[insn.rt << 1], insn.sh);
  const mh = insn.maskHi;
  const ml = insn.maskLo;
  result(cpu, insn, (r & mh) | (g[a + 1] & ~mh), (r & ml) | (g[a] & ~ml));
}

/**
 * `rldicl` RA,RS,SH,MB, `rldicr` RA,RS,SH,ME and `rldic` RA,RS,SH,MB:
 * rotate by SH and AND with the decoded mask.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opRldicl(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  rotl64(g, g[s + 1], g[s], insn.sh);
  result(cpu, insn, g[R_TMP_HI] & insn.maskHi, g[R_TMP_LO] & insn.maskLo);
}

/**
 * `rldimi` RA,RS,SH,MB: rotate and insert under MASK(MB, 63 - SH).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opRldimi(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  const a = insn.ra << 1;
  rotl64(g, g[s + 1], g[s], insn.sh);
  const mh = insn.maskHi;
  const ml = insn.maskLo;
  result(
    cpu,
    insn,
    (g[R_TMP_HI] & mh) | (g[a + 1] & ~mh),
    (g[R_TMP_LO] & ml) | (g[a] & ~ml),
  );
}

/**
 * `rldcl` RA,RS,RB,MB and `rldcr` RA,RS,RB,ME: rotate by RB[58:63].
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opRldcl(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  rotl64(g, g[s + 1], g[s], g[insn.rb << 1] & 63);
  result(cpu, insn, g[R_TMP_HI] & insn.maskHi, g[R_TMP_LO] & insn.maskLo);
}

/**
 * `slw` RA,RS,RB: the low word shifted left by RB[58:63] (0 from 32 on).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSlw(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const n = g[insn.rb << 1] & 63;
  result(cpu, insn, 0, n < 32 ? g[insn.rt << 1] << n : 0);
}

/**
 * `srw` RA,RS,RB: the low word shifted right by RB[58:63].
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSrw(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const n = g[insn.rb << 1] & 63;
  result(cpu, insn, 0, n < 32 ? g[insn.rt << 1] >>> n : 0);
}

// Algebraic word shift right by n (0–63) with CA, sign-extended to 64 bits.
function sraw(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn, n: number): void {
  const g = cpu.regs;
  const x = g[insn.rt << 1] | 0;
  let r: number;
  let c: boolean;
  if (n < 32) {
    r = x >> n;
    c = x < 0 && n !== 0 && (x & ((1 << n) - 1)) !== 0;
  } else {
    r = x >> 31;
    c = x < 0;
  }
  setCa(g, c);
  result(cpu, insn, r >> 31, r);
}

/**
 * `sraw` RA,RS,RB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSraw(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  sraw(cpu, insn, cpu.regs[insn.rb << 1] & 63);
}

/**
 * `srawi` RA,RS,SH.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSrawi(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  sraw(cpu, insn, insn.sh);
}

/**
 * `sld` RA,RS,RB: shift left by RB[57:63] (0 from 64 on).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSld(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  const n = g[insn.rb << 1] & 127;
  const hi = g[s + 1];
  const lo = g[s];
  if (n >= 64) result(cpu, insn, 0, 0);
  else if (n >= 32) result(cpu, insn, lo << (n - 32), 0);
  else if (n === 0) result(cpu, insn, hi, lo);
  else result(cpu, insn, (hi << n) | (lo >>> (32 - n)), lo << n);
}

/**
 * `srd` RA,RS,RB: shift right by RB[57:63].
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSrd(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  const n = g[insn.rb << 1] & 127;
  const hi = g[s + 1];
  const lo = g[s];
  if (n >= 64) result(cpu, insn, 0, 0);
  else if (n >= 32) result(cpu, insn, 0, hi >>> (n - 32));
  else if (n === 0) result(cpu, insn, hi, lo);
  else result(cpu, insn, hi >>> n, (lo >>> n) | (hi << (32 - n)));
}

// Algebraic doubleword shift right by n (0–127) with CA.
function srad(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn, n: number): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  const hi = g[s + 1] | 0;
  const lo = g[s];
  const neg = hi < 0;
  let rh: number;
  let rl: number;
  let lost: number;
  if (n >= 64) {
    rh = hi >> 31;
    rl = rh;
    lost = hi | lo;
  } else if (n >= 32) {
    const k = n - 32;
    rh = hi >> 31;
    rl = hi >> k;
    lost = lo | (k === 0 ? 0 : hi & ((1 << k) - 1));
  } else if (n === 0) {
    rh = hi;
    rl = lo;
    lost = 0;
  } else {
    rh = hi >> n;
    rl = (lo >>> n) | (hi << (32 - n));
    lost = lo & ((1 << n) - 1);
  }
  setCa(g, neg && lost !== 0);
  result(cpu, insn, rh, rl);
}

/**
 * `srad` RA,RS,RB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSrad(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  srad(cpu, insn, cpu.regs[insn.rb << 1] & 127);
}

/**
 * `sradi` RA,RS,SH.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSradi(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  srad(cpu, insn, insn.sh);
}
