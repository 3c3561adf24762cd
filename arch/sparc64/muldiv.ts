// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * sparc64 multiply and divide (SPARC V9 A.10, A.36–A.38): `mulx`,
 * `umul`/`smul` (Y = the product's high 32 bits), `mulscc`, `udivx`/
 * `sdivx`, `udiv`/`sdiv` (dividend Y‖rs1<31:0>, saturating quotient) and
 * their cc forms. No `BigInt`: 32 × 32 products from 16-bit halves and a
 * shift-subtract 64-bit division. Division by zero is `division_by_zero`
 * (0x028), taken by the host.
 *
 * @module
 */

import { mulU32 } from "../_common/u64.ts";
import { operand2, setRd } from "./alu.ts";
import type { Sparc64Cpu } from "./cpu.ts";
import type { Sparc64DecodedInsn } from "./decode.ts";
import { CC_Z, R_CCR, R_T0_HI, R_T0_LO, R_T1_HI, R_T1_LO, R_Y, TT_DIV_ZERO } from "./regs.ts";
import { hostTrap } from "./traps.ts";

const TWO32 = 4294967296;

/**
 * Unsigned 64-bit quotient `n / d` (d ≠ 0) into `g[R_T1_LO/HI]`.
 *
 * @param g The register buffer (scratch words).
 * @param nh Dividend high half.
 * @param nl Dividend low half.
 * @param dh Divisor high half.
 * @param dl Divisor low half.
 */
export function sparc64DivU64(
  g: Uint32Array,
  nh: number,
  nl: number,
  dh: number,
  dl: number,
): void {
  if (nh < 0x100000 && dh < 0x100000) {
    const q = Math.floor((nh * TWO32 + nl) / (dh * TWO32 + dl));
    g[R_T1_LO] = q;
    g[R_T1_HI] = Math.floor(q / TWO32);
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
  g[R_T1_LO] = ql;
  g[R_T1_HI] = qh;
}

// Two's complement negation of (hi, lo) into g[R_TMP2_*].
function neg64(g: Uint32Array, hi: number, lo: number): void {
  const l = (~lo + 1) >>> 0;
  g[R_T1_LO] = l;
  g[R_T1_HI] = (~hi + (l === 0 ? 1 : 0)) >>> 0;
}

/** `mulx`: low 64 bits of rs1 × op2. @param cpu The CPU. @param insn The instruction. */
export function opMulx(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  operand2(cpu, insn);
  const a = cpu.rmap[insn.rs1];
  const al = R[a];
  const ah = R[a + 1];
  const bl = R[R_T0_LO];
  const bh = R[R_T0_HI];
  const lo = mulU32(al, bl, cpu.scratch);
  const hi = (cpu.scratch[1] + Math.imul(al, bh) + Math.imul(ah, bl)) >>> 0;
  setRd(cpu, insn.rd, hi, lo);
}

// umul/smul/umulcc/smulcc: 32 × 32 → 64 into rd, Y = high 32.
function mul32(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn, signed: boolean, cc: boolean): void {
  const R = cpu.regs;
  operand2(cpu, insn);
  const al = R[cpu.rmap[insn.rs1]];
  const bl = R[R_T0_LO];
  const lo = mulU32(al, bl, cpu.scratch);
  let hi = cpu.scratch[1];
  if (signed) {
    if ((al & 0x80000000) !== 0) hi -= bl;
    if ((bl & 0x80000000) !== 0) hi -= al;
    hi >>>= 0;
  }
  if (cc) {
    const icc = ((lo >>> 31) << 3) | (lo === 0 ? CC_Z : 0);
    const xcc = ((hi >>> 31) << 3) | (lo === 0 && hi === 0 ? CC_Z : 0);
    R[R_CCR] = (xcc << 4) | icc;
  }
  R[R_Y] = hi;
  setRd(cpu, insn.rd, hi, lo);
}

/** `umul`. @param cpu The CPU. @param insn The instruction. */
export function opUmul(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  mul32(cpu, insn, false, false);
}
/** `smul`. @param cpu The CPU. @param insn The instruction. */
export function opSmul(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  mul32(cpu, insn, true, false);
}
/** `umulcc`. @param cpu The CPU. @param insn The instruction. */
export function opUmulcc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  mul32(cpu, insn, false, true);
}
/** `smulcc`. @param cpu The CPU. @param insn The instruction. */
export function opSmulcc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  mul32(cpu, insn, true, true);
}

/**
 * `mulscc`: one step of the V8 multiply (V9 A.38).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMulscc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  operand2(cpu, insn);
  const ccr = R[R_CCR];
  const al = R[cpu.rmap[insn.rs1]];
  const nv = ((ccr >>> 3) ^ (ccr >>> 1)) & 1;
  const a = ((nv << 31) | (al >>> 1)) >>> 0;
  const b = (R[R_Y] & 1) !== 0 ? R[R_T0_LO] : 0;
  const s = a + b;
  const lo = s >>> 0;
  const v = (~(a ^ b) & (a ^ lo)) >>> 31;
  const icc = ((lo >>> 31) << 3) | (lo === 0 ? CC_Z : 0) | (v << 1) | (s >= TWO32 ? 1 : 0);
  // The 64-bit sum of the zero-extended words (as qemu-sparc64 and the
  // goldens have it): bit 32 is the carry, xcc sees the whole sum.
  const hi = s >= TWO32 ? 1 : 0;
  const xcc = lo === 0 && hi === 0 ? CC_Z : 0;
  R[R_CCR] = (xcc << 4) | icc;
  R[R_Y] = ((R[R_Y] >>> 1) | ((al & 1) << 31)) >>> 0;
  setRd(cpu, insn.rd, hi, lo);
}

/** `udivx`. @param cpu The CPU. @param insn The instruction. */
export function opUdivx(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  operand2(cpu, insn);
  const bl = R[R_T0_LO];
  const bh = R[R_T0_HI];
  if (bl === 0 && bh === 0) hostTrap(cpu, TT_DIV_ZERO);
  const a = cpu.rmap[insn.rs1];
  sparc64DivU64(R, R[a + 1], R[a], bh, bl);
  setRd(cpu, insn.rd, R[R_T1_HI], R[R_T1_LO]);
}

/** `sdivx` (INT64_MIN / −1 = INT64_MIN). @param cpu The CPU. @param insn The instruction. */
export function opSdivx(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  operand2(cpu, insn);
  let bl = R[R_T0_LO];
  let bh = R[R_T0_HI];
  if (bl === 0 && bh === 0) hostTrap(cpu, TT_DIV_ZERO);
  const a = cpu.rmap[insn.rs1];
  let al = R[a];
  let ah = R[a + 1];
  const negA = (ah & 0x80000000) !== 0;
  const negB = (bh & 0x80000000) !== 0;
  if (negA) {
    neg64(R, ah, al);
    al = R[R_T1_LO];
    ah = R[R_T1_HI];
  }
  if (negB) {
    neg64(R, bh, bl);
    bl = R[R_T1_LO];
    bh = R[R_T1_HI];
  }
  sparc64DivU64(R, ah, al, bh, bl);
  if (negA !== negB) neg64(R, R[R_T1_HI], R[R_T1_LO]);
  setRd(cpu, insn.rd, R[R_T1_HI], R[R_T1_LO]);
}

// udiv/sdiv and cc forms: (Y ‖ rs1<31:0>) / op2<31:0>, saturated to 32 bits.
function div32(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn, signed: boolean, cc: boolean): void {
  const R = cpu.regs;
  operand2(cpu, insn);
  let d = R[R_T0_LO];
  if (d === 0) hostTrap(cpu, TT_DIV_ZERO);
  let nl = R[cpu.rmap[insn.rs1]];
  let nh = R[R_Y];
  let overflow = 0;
  let qh: number;
  let ql: number;
  if (!signed) {
    sparc64DivU64(R, nh, nl, 0, d);
    qh = R[R_T1_HI];
    ql = R[R_T1_LO];
    if (qh !== 0) {
      overflow = 1;
      ql = 0xffffffff;
    }
    qh = 0;
  } else {
    const negN = (nh & 0x80000000) !== 0;
    const negD = (d & 0x80000000) !== 0;
    if (negN) {
      neg64(R, nh, nl);
      nh = R[R_T1_HI];
      nl = R[R_T1_LO];
    }
    if (negD) d = (-d) >>> 0;
    sparc64DivU64(R, nh, nl, 0, d);
    const mh = R[R_T1_HI];
    const ml = R[R_T1_LO];
    if (negN !== negD) {
      // Negative quotient: fits when magnitude ≤ 2**31.
      if (mh !== 0 || ml > 0x80000000) {
        overflow = 1;
        ql = 0x80000000;
      } else {
        ql = (-ml) >>> 0;
      }
    } else if (mh !== 0 || ml > 0x7fffffff) {
      overflow = 1;
      ql = 0x7fffffff;
    } else {
      ql = ml;
    }
    qh = (ql & 0x80000000) !== 0 ? 0xffffffff : 0;
  }
  if (cc) {
    const icc = ((ql >>> 31) << 3) | (ql === 0 ? CC_Z : 0) | (overflow << 1);
    const xcc = ((qh >>> 31) << 3) | (ql === 0 && qh === 0 ? CC_Z : 0);
    R[R_CCR] = (xcc << 4) | icc;
  }
  setRd(cpu, insn.rd, qh, ql);
}

/** `udiv`. @param cpu The CPU. @param insn The instruction. */
export function opUdiv(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  div32(cpu, insn, false, false);
}
/** `sdiv`. @param cpu The CPU. @param insn The instruction. */
export function opSdiv(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  div32(cpu, insn, true, false);
}
/** `udivcc`. @param cpu The CPU. @param insn The instruction. */
export function opUdivcc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  div32(cpu, insn, false, true);
}
/** `sdivcc`. @param cpu The CPU. @param insn The instruction. */
export function opSdivcc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  div32(cpu, insn, true, true);
}
