// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * sparc64 integer arithmetic and logic (SPARC V9 A.2, A.3, A.48, A.49,
 * A.50): `add`/`sub` with carry and icc/xcc, the logical family, shifts
 * (32-bit `sll`/`srl`/`sra` and the `x` forms), tagged add/subtract,
 * `sethi`, `popc`, conditional moves (`movcc`, `movr`). Operands are
 * (low, high) u32 halves of the register file through `cpu.rmap`/`wmap`;
 * the second operand is `rs2` or the sign-extended immediate.
 *
 * @module
 */

import type { Sparc64Cpu } from "./cpu.ts";
import { CC_XCC, type Sparc64DecodedInsn } from "./decode.ts";
import { CC_C, CC_Z, R_CCR, R_T0_HI, R_T0_LO, TT_FP_DISABLED, TT_TAG_OVERFLOW } from "./regs.ts";
import { hostTrap } from "./traps.ts";

const TWO32 = 4294967296;

/**
 * Condition table of Bicc/BPcc/Tcc/MOVcc: `COND_TABLE[cond << 4 | nzvc]`
 * is 1 when `cond` holds for the 4-bit N Z V C value.
 */
export const SPARC64_COND_TABLE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let f = 0; f < 16; f++) {
    const n = (f >> 3) & 1;
    const z = (f >> 2) & 1;
    const v = (f >> 1) & 1;
    const c = f & 1;
    const r = [
      0,
      z,
      z | (n ^ v),
      n ^ v,
      c | z,
      c,
      n,
      v,
    ];
    for (let k = 0; k < 8; k++) {
      t[(k << 4) | f] = r[k];
      t[((k + 8) << 4) | f] = k === 0 ? 1 : r[k] ^ 1;
    }
  }
  return t;
})();

/**
 * Whether register condition `rcond` (BPr, MOVr) holds for a 64-bit value.
 *
 * @param rcond 1 z, 2 lez, 3 lz, 5 nz, 6 gz, 7 gez.
 * @param hi High half.
 * @param lo Low half.
 * @returns True when it holds.
 */
export function sparc64Rcond(rcond: number, hi: number, lo: number): boolean {
  const zero = hi === 0 && lo === 0;
  const neg = (hi & 0x80000000) !== 0;
  switch (rcond) {
    case 1:
      return zero;
    case 2:
      return zero || neg;
    case 3:
      return neg;
    case 5:
      return !zero;
    case 6:
      return !zero && !neg;
    case 7:
      return !neg;
  }
  return false;
}

/**
 * Loads the second operand (rs2, or the sign-extended immediate) into
 * `regs[R_T0_LO/HI]`.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function operand2(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  if (insn.i !== 0) {
    const v = insn.imm;
    R[R_T0_LO] = v;
    R[R_T0_HI] = v < 0 ? 0xffffffff : 0;
  } else {
    const b = cpu.rmap[insn.rs2];
    R[R_T0_LO] = R[b];
    R[R_T0_HI] = R[b + 1];
  }
}

/**
 * Writes a 64-bit result to `rd` (discarded for `%g0`).
 *
 * @param cpu The CPU.
 * @param rd Destination register.
 * @param hi High half.
 * @param lo Low half.
 */
export function setRd(cpu: Sparc64Cpu, rd: number, hi: number, lo: number): void {
  const d = cpu.wmap[rd];
  cpu.regs[d] = lo;
  cpu.regs[d + 1] = hi;
}

// icc + xcc of a logical result (V = C = 0).
function logicCc(hi: number, lo: number): number {
  const icc = ((lo >>> 31) << 3) | (lo === 0 ? CC_Z : 0);
  const xcc = ((hi >>> 31) << 3) | (lo === 0 && hi === 0 ? CC_Z : 0);
  return (xcc << 4) | icc;
}

/**
 * The addition every add form shares: `rd = rs1 + op2 + carry`, with
 * icc/xcc when `cc`.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 * @param carry Carry in (0 or 1).
 * @param cc Set the condition codes.
 * @param tag Tagged add: icc.V also when either operand's low 2 bits are set (2: trap instead).
 */
export function doAdd(
  cpu: Sparc64Cpu,
  insn: Sparc64DecodedInsn,
  carry: number,
  cc: boolean,
  tag = 0,
): void {
  const R = cpu.regs;
  const a = cpu.rmap[insn.rs1];
  const al = R[a];
  const ah = R[a + 1];
  let bl: number;
  let bh: number;
  if (insn.i !== 0) {
    bl = insn.imm >>> 0;
    bh = insn.imm < 0 ? 0xffffffff : 0;
  } else {
    const b = cpu.rmap[insn.rs2];
    bl = R[b];
    bh = R[b + 1];
  }
  const s = al + bl + carry;
  const lo = s >>> 0;
  const c32 = s >= TWO32 ? 1 : 0;
  const t = ah + bh + c32;
  const hi = t >>> 0;
  if (cc) {
    let iv = (~(al ^ bl) & (al ^ lo)) >>> 31;
    if (tag !== 0 && ((al | bl) & 3) !== 0) iv = 1;
    if (tag === 2 && iv !== 0) hostTrap(cpu, TT_TAG_OVERFLOW);
    const icc = ((lo >>> 31) << 3) | (lo === 0 ? CC_Z : 0) | (iv << 1) | c32;
    const xv = (~(ah ^ bh) & (ah ^ hi)) >>> 31;
    const xcc = ((hi >>> 31) << 3) | (lo === 0 && hi === 0 ? CC_Z : 0) | (xv << 1) |
      (t >= TWO32 ? 1 : 0);
    R[R_CCR] = (xcc << 4) | icc;
  }
  setRd(cpu, insn.rd, hi, lo);
}

/**
 * The subtraction every sub form shares: `rd = rs1 − op2 − borrow`.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 * @param borrow Borrow in (0 or 1).
 * @param cc Set the condition codes.
 * @param tag Tagged subtract (as `doAdd`).
 */
export function doSub(
  cpu: Sparc64Cpu,
  insn: Sparc64DecodedInsn,
  borrow: number,
  cc: boolean,
  tag = 0,
): void {
  const R = cpu.regs;
  const a = cpu.rmap[insn.rs1];
  const al = R[a];
  const ah = R[a + 1];
  let bl: number;
  let bh: number;
  if (insn.i !== 0) {
    bl = insn.imm >>> 0;
    bh = insn.imm < 0 ? 0xffffffff : 0;
  } else {
    const b = cpu.rmap[insn.rs2];
    bl = R[b];
    bh = R[b + 1];
  }
  const d = al - bl - borrow;
  const lo = d >>> 0;
  const b32 = d < 0 ? 1 : 0;
  const t = ah - bh - b32;
  const hi = t >>> 0;
  if (cc) {
    let iv = ((al ^ bl) & (al ^ lo)) >>> 31;
    if (tag !== 0 && ((al | bl) & 3) !== 0) iv = 1;
    if (tag === 2 && iv !== 0) hostTrap(cpu, TT_TAG_OVERFLOW);
    const icc = ((lo >>> 31) << 3) | (lo === 0 ? CC_Z : 0) | (iv << 1) | b32;
    const xv = ((ah ^ bh) & (ah ^ hi)) >>> 31;
    const xcc = ((hi >>> 31) << 3) | (lo === 0 && hi === 0 ? CC_Z : 0) | (xv << 1) |
      (t < 0 ? 1 : 0);
    R[R_CCR] = (xcc << 4) | icc;
  }
  setRd(cpu, insn.rd, hi, lo);
}

/** `add`. @param cpu The CPU. @param insn The instruction. */
export function opSparc64Add(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  doAdd(cpu, insn, 0, false);
}
/** `addcc`. @param cpu The CPU. @param insn The instruction. */
export function opAddcc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  doAdd(cpu, insn, 0, true);
}
/** `addc` (carry in from icc.C). @param cpu The CPU. @param insn The instruction. */
export function opSparc64Addc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  doAdd(cpu, insn, cpu.regs[R_CCR] & CC_C, false);
}
/** `addccc`. @param cpu The CPU. @param insn The instruction. */
export function opAddccc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  doAdd(cpu, insn, cpu.regs[R_CCR] & CC_C, true);
}
/** `sub`. @param cpu The CPU. @param insn The instruction. */
export function opSub(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  doSub(cpu, insn, 0, false);
}
/** `subcc` (`cmp`). @param cpu The CPU. @param insn The instruction. */
export function opSubcc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  doSub(cpu, insn, 0, true);
}
/** `subc`. @param cpu The CPU. @param insn The instruction. */
export function opSubc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  doSub(cpu, insn, cpu.regs[R_CCR] & CC_C, false);
}
/** `subccc`. @param cpu The CPU. @param insn The instruction. */
export function opSubccc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  doSub(cpu, insn, cpu.regs[R_CCR] & CC_C, true);
}
/** `taddcc`. @param cpu The CPU. @param insn The instruction. */
export function opTaddcc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  doAdd(cpu, insn, 0, true, 1);
}
/** `tsubcc`. @param cpu The CPU. @param insn The instruction. */
export function opTsubcc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  doSub(cpu, insn, 0, true, 1);
}
/** `taddcctv` (tag_overflow instead of V). @param cpu The CPU. @param insn The instruction. */
export function opTaddcctv(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  doAdd(cpu, insn, 0, true, 2);
}
/** `tsubcctv`. @param cpu The CPU. @param insn The instruction. */
export function opTsubcctv(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  doSub(cpu, insn, 0, true, 2);
}

// Logical ops by op3 & 7: and, or, xor, (sub), andn, orn, xnor.
function logic(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn, cc: boolean): void {
  const R = cpu.regs;
  const a = cpu.rmap[insn.rs1];
  const al = R[a];
  const ah = R[a + 1];
  let bl: number;
  let bh: number;
  if (insn.i !== 0) {
    bl = insn.imm >>> 0;
    bh = insn.imm < 0 ? 0xffffffff : 0;
  } else {
    const b = cpu.rmap[insn.rs2];
    bl = R[b];
    bh = R[b + 1];
  }
  let lo: number;
  let hi: number;
  switch (insn.op3 & 7) {
    case 1:
      lo = al & bl;
      hi = ah & bh;
      break;
    case 2:
      lo = al | bl;
      hi = ah | bh;
      break;
    case 3:
      lo = al ^ bl;
      hi = ah ^ bh;
      break;
    case 5:
      lo = al & ~bl;
      hi = ah & ~bh;
      break;
    case 6:
      lo = al | ~bl;
      hi = ah | ~bh;
      break;
    default:
      lo = ~(al ^ bl);
      hi = ~(ah ^ bh);
  }
  lo >>>= 0;
  hi >>>= 0;
  if (cc) R[R_CCR] = logicCc(hi, lo);
  setRd(cpu, insn.rd, hi, lo);
}

/** `and`, `or` (`mov`, `clr`), `xor`, `andn`, `orn`, `xnor`. @param cpu The CPU. @param insn The instruction. */
export function opLogic(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  logic(cpu, insn, false);
}
/** `andcc` (`btst`), `orcc`, `xorcc`, `andncc`, `orncc`, `xnorcc`. @param cpu The CPU. @param insn The instruction. */
export function opLogicCc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  logic(cpu, insn, true);
}

/** `sethi %hi(imm), rd`. @param cpu The CPU. @param insn The instruction. */
export function opSethi(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  setRd(cpu, insn.rd, 0, insn.imm);
}

/**
 * `sll`/`srl`/`sra` and `sllx`/`srlx`/`srax`.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opShift(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  const a = cpu.rmap[insn.rs1];
  let lo = R[a];
  let hi = R[a + 1];
  const n = insn.i !== 0 ? insn.shcnt : R[cpu.rmap[insn.rs2]] & (insn.x !== 0 ? 63 : 31);
  const kind = insn.op3 & 3; // 1 sll, 2 srl, 3 sra
  if (kind === 1) {
    if (n >= 32) {
      hi = lo << (n - 32);
      lo = 0;
    } else if (n !== 0) {
      hi = (hi << n) | (lo >>> (32 - n));
      lo = lo << n;
    }
  } else if (insn.x === 0) {
    if (kind === 2) {
      lo = lo >>> n;
      hi = 0;
    } else {
      lo = (lo | 0) >> n;
      hi = lo >> 31;
    }
  } else if (kind === 2) {
    if (n >= 32) {
      lo = hi >>> (n - 32);
      hi = 0;
    } else if (n !== 0) {
      lo = (lo >>> n) | (hi << (32 - n));
      hi = hi >>> n;
    }
  } else if (n >= 32) {
    lo = (hi | 0) >> (n - 32);
    hi = (hi | 0) >> 31;
  } else if (n !== 0) {
    lo = (lo >>> n) | (hi << (32 - n));
    hi = (hi | 0) >> n;
  }
  setRd(cpu, insn.rd, hi >>> 0, lo >>> 0);
}

/** `popc`: population count of op2. @param cpu The CPU. @param insn The instruction. */
export function opPopc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  operand2(cpu, insn);
  setRd(cpu, insn.rd, 0, popc32(cpu.regs[R_T0_LO]) + popc32(cpu.regs[R_T0_HI]));
}

function popc32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/**
 * `movcc` on icc or xcc (floating conditions are `fp_disabled` before
 * this runs): `rd = op2` (rs2 or simm11) when the condition holds.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMovcc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  if (insn.fcc !== 0) hostTrap(cpu, TT_FP_DISABLED);
  const f = insn.cc === CC_XCC ? R[R_CCR] >>> 4 : R[R_CCR] & 15;
  if (SPARC64_COND_TABLE[(insn.cond << 4) | f] === 0) return;
  operand2(cpu, insn);
  setRd(cpu, insn.rd, R[R_T0_HI], R[R_T0_LO]);
}

/**
 * `movr`: `rd = op2` (rs2 or simm10) when rs1 meets `rcond`.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMovr(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  const a = cpu.rmap[insn.rs1];
  if (!sparc64Rcond(insn.rcond, R[a + 1], R[a])) return;
  operand2(cpu, insn);
  setRd(cpu, insn.rd, R[R_T0_HI], R[R_T0_LO]);
}
