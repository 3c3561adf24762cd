// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Fixed-point arithmetic and logical instructions (Power ISA Book I §3.3):
 * the add/subtract family with XER.CA, XER.OV/SO (OE forms) and CR0
 * (record forms), the logical instructions and immediates, sign extension
 * and counting. Multiply and divide are in `muldiv.ts`. 64-bit mode only
 * (MSR.SF = 1): CA, OV and CR0 are computed on 64-bit results.
 *
 * @module
 */

import type { Ppc64Cpu } from "./cpu.ts";
import { setCr0 } from "./cr.ts";
import type { Ppc64DecodedInsn } from "./decode.ts";
import { R_XER, XER_CA, XER_OV, XER_SO } from "./regs.ts";

/**
 * Sets or clears XER.OV (and sets the sticky SO with it).
 *
 * @param g The register file.
 * @param ov 1 on overflow.
 */
export function setOv(g: Uint32Array, ov: number): void {
  g[R_XER] = ov !== 0 ? g[R_XER] | XER_OV | XER_SO : g[R_XER] & ~XER_OV;
}

// RT = x + y + cin on (hi, lo) pairs, with the flags the form asks for.
function arith(
  cpu: Ppc64Cpu,
  insn: Ppc64DecodedInsn,
  xh: number,
  xl: number,
  yh: number,
  yl: number,
  cin: number,
  setsCa: boolean,
): void {
  const g = cpu.regs;
  const lo = xl + yl + cin;
  const hiSum = xh + yh + (lo > 0xffffffff ? 1 : 0);
  const rh = hiSum >>> 0;
  const t = insn.rt << 1;
  g[t] = lo;
  g[t + 1] = hiSum;
  if (setsCa) g[R_XER] = hiSum > 0xffffffff ? g[R_XER] | XER_CA : g[R_XER] & ~XER_CA;
  if (insn.oe !== 0) setOv(g, ((xh ^ rh) & (yh ^ rh)) >>> 31);
  if (insn.rc !== 0) setCr0(g, rh, lo >>> 0);
}

function ca(g: Uint32Array): number {
  return (g[R_XER] >>> 29) & 1;
}

/**
 * `add` RT,RA,RB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opAdd(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  const b = insn.rb << 1;
  arith(cpu, insn, g[a + 1], g[a], g[b + 1], g[b], 0, false);
}

/**
 * `addc` RT,RA,RB: sets CA.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opAddc(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  const b = insn.rb << 1;
  arith(cpu, insn, g[a + 1], g[a], g[b + 1], g[b], 0, true);
}

/**
 * `adde` RT,RA,RB: RA + RB + CA.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opAdde(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  const b = insn.rb << 1;
  arith(cpu, insn, g[a + 1], g[a], g[b + 1], g[b], ca(g), true);
}

/**
 * `addze` RT,RA: RA + CA.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opAddze(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  arith(cpu, insn, g[a + 1], g[a], 0, 0, ca(g), true);
}

/**
 * `addme` RT,RA: RA + CA - 1.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opAddme(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  arith(cpu, insn, g[a + 1], g[a], 0xffffffff, 0xffffffff, ca(g), true);
}

/**
 * `subf` RT,RA,RB: RB - RA.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSubf(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  const b = insn.rb << 1;
  arith(cpu, insn, ~g[a + 1] >>> 0, ~g[a] >>> 0, g[b + 1], g[b], 1, false);
}

/**
 * `subfc` RT,RA,RB: RB - RA, sets CA (no borrow).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSubfc(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  const b = insn.rb << 1;
  arith(cpu, insn, ~g[a + 1] >>> 0, ~g[a] >>> 0, g[b + 1], g[b], 1, true);
}

/**
 * `subfe` RT,RA,RB: ~RA + RB + CA.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSubfe(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  const b = insn.rb << 1;
  arith(cpu, insn, ~g[a + 1] >>> 0, ~g[a] >>> 0, g[b + 1], g[b], ca(g), true);
}

/**
 * `subfze` RT,RA: ~RA + CA.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSubfze(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  arith(cpu, insn, ~g[a + 1] >>> 0, ~g[a] >>> 0, 0, 0, ca(g), true);
}

/**
 * `subfme` RT,RA: ~RA + CA - 1.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSubfme(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  arith(cpu, insn, ~g[a + 1] >>> 0, ~g[a] >>> 0, 0xffffffff, 0xffffffff, ca(g), true);
}

/**
 * `neg` RT,RA.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opNeg(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  arith(cpu, insn, ~g[a + 1] >>> 0, ~g[a] >>> 0, 0, 0, 1, false);
}

/**
 * `addic` RT,RA,SI (and `addic.`, whose decode sets `rc`): sets CA.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opAddic(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  arith(cpu, insn, g[a + 1], g[a], insn.immHi, insn.immLo, 0, true);
}

/**
 * `subfic` RT,RA,SI: SI - RA, sets CA.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSubfic(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  arith(cpu, insn, ~g[a + 1] >>> 0, ~g[a] >>> 0, insn.immHi, insn.immLo, 1, true);
}

/**
 * `addi` RT,RA,SI (`li` when RA = 0) and `addis` RT,RA,SI (`lis`): the
 * decoder pre-shifts the `addis` immediate, so one handler serves both.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opAddi(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const t = insn.rt << 1;
  if (insn.ra === 0) {
    g[t] = insn.immLo;
    g[t + 1] = insn.immHi;
    return;
  }
  const a = insn.ra << 1;
  const lo = g[a] + insn.immLo;
  g[t + 1] = g[a + 1] + insn.immHi + (lo > 0xffffffff ? 1 : 0);
  g[t] = lo;
}

// RA = result (hi, lo), CR0 when Rc.
function logical(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn, hi: number, lo: number): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  g[a] = lo;
  g[a + 1] = hi;
  if (insn.rc !== 0) setCr0(g, hi >>> 0, lo >>> 0);
}

/**
 * `and` RA,RS,RB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opAnd(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  const b = insn.rb << 1;
  logical(cpu, insn, g[s + 1] & g[b + 1], g[s] & g[b]);
}

/**
 * `or` RA,RS,RB (`mr` when RS = RB).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opOr(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  const b = insn.rb << 1;
  logical(cpu, insn, g[s + 1] | g[b + 1], g[s] | g[b]);
}

/**
 * `xor` RA,RS,RB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opXor(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  const b = insn.rb << 1;
  logical(cpu, insn, g[s + 1] ^ g[b + 1], g[s] ^ g[b]);
}

/**
 * `nand` RA,RS,RB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opNand(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  const b = insn.rb << 1;
  logical(cpu, insn, ~(g[s + 1] & g[b + 1]), ~(g[s] & g[b]));
}

/**
 * `nor` RA,RS,RB (`not` when RS = RB).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opNor(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  const b = insn.rb << 1;
  logical(cpu, insn, ~(g[s + 1] | g[b + 1]), ~(g[s] | g[b]));
}

/**
 * `andc` RA,RS,RB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opAndc(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  const b = insn.rb << 1;
  logical(cpu, insn, g[s + 1] & ~g[b + 1], g[s] & ~g[b]);
}

/**
 * `orc` RA,RS,RB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opOrc(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  const b = insn.rb << 1;
  logical(cpu, insn, g[s + 1] | ~g[b + 1], g[s] | ~g[b]);
}

/**
 * `eqv` RA,RS,RB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opEqv(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  const b = insn.rb << 1;
  logical(cpu, insn, ~(g[s + 1] ^ g[b + 1]), ~(g[s] ^ g[b]));
}

/**
 * `andi.` RA,RS,UI and `andis.` RA,RS,UI (pre-shifted by the decoder):
 * always set CR0.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opAndiDot(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  logical(cpu, insn, 0, g[s] & insn.immLo);
}

/**
 * `ori` RA,RS,UI (`nop` when all zero) and `oris` (pre-shifted).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opOri(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  const a = insn.ra << 1;
  g[a] = g[s] | insn.immLo;
  g[a + 1] = g[s + 1];
}

/**
 * `xori` RA,RS,UI and `xoris` (pre-shifted).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opXori(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  const a = insn.ra << 1;
  g[a] = g[s] ^ insn.immLo;
  g[a + 1] = g[s + 1];
}

/**
 * `extsb` RA,RS.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opExtsb(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const v = (cpu.regs[insn.rt << 1] << 24) >> 24;
  logical(cpu, insn, v >> 31, v);
}

/**
 * `extsh` RA,RS.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opExtsh(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const v = (cpu.regs[insn.rt << 1] << 16) >> 16;
  logical(cpu, insn, v >> 31, v);
}

/**
 * `extsw` RA,RS.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opExtsw(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const v = cpu.regs[insn.rt << 1] | 0;
  logical(cpu, insn, v >> 31, v);
}

/**
 * `cntlzw` RA,RS.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opCntlzw(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  logical(cpu, insn, 0, Math.clz32(cpu.regs[insn.rt << 1]));
}

/**
 * `cntlzd` RA,RS.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opCntlzd(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const s = insn.rt << 1;
  const hi = cpu.regs[s + 1];
  logical(cpu, insn, 0, hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(cpu.regs[s]));
}

// Population count of each byte, in place.
function popBytes(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (x + (x >>> 4)) & 0x0f0f0f0f;
}

function popcount32(x: number): number {
  return Math.imul(popBytes(x), 0x01010101) >>> 24;
}

/**
 * `popcntb` RA,RS: the count of one bits of each byte.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opPopcntb(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const s = insn.rt << 1;
  const g = cpu.regs;
  const a = insn.ra << 1;
  const hi = popBytes(g[s + 1]);
  g[a] = popBytes(g[s]);
  g[a + 1] = hi;
}

/**
 * `popcntw` RA,RS: the count of one bits of each word.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opPopcntw(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const s = insn.rt << 1;
  const g = cpu.regs;
  const a = insn.ra << 1;
  const hi = popcount32(g[s + 1]);
  g[a] = popcount32(g[s]);
  g[a + 1] = hi;
}

/**
 * `popcntd` RA,RS: the count of one bits of the doubleword.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opPopcntd(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const s = insn.rt << 1;
  const g = cpu.regs;
  const a = insn.ra << 1;
  const n = popcount32(g[s + 1]) + popcount32(g[s]);
  g[a] = n;
  g[a + 1] = 0;
}

/**
 * `cmpb` RA,RS,RB: 0xff in each byte where RS and RB agree.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opCmpb(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const s = insn.rt << 1;
  const b = insn.rb << 1;
  const a = insn.ra << 1;
  const hi = cmpBytes(g[s + 1], g[b + 1]);
  g[a] = cmpBytes(g[s], g[b]);
  g[a + 1] = hi;
}

function cmpBytes(x: number, y: number): number {
  let r = 0;
  for (let i = 0; i < 32; i += 8) if (((x >>> i) & 0xff) === ((y >>> i) & 0xff)) r |= 0xff << i;
  return r >>> 0;
}
