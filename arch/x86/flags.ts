// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Lazy arithmetic flags (v86 `last_op1/last_result`, blink lazy parity).
 * An ALU operation records its kind, width, operands and result in the CPU's
 * lazy-flags record (`cpu.lf`, indexed by `LAZY_*`);
 * CF, PF, AF, ZF, SF and OF are computed only when something reads them
 * (a jcc, pushf, a trap). Operands and results are stored truncated to the
 * width as unsigned halves, high halves 0 below 64 bits.
 *
 * @module
 */

import { FLAG_AF, FLAG_CF, FLAG_OF, FLAG_PF, FLAG_SF, FLAG_ZF } from "./regs.ts";

/** Lazy-flags slot: kind of the last flag-setting operation (`LF_*`). */
export const LAZY_OP = 0;
/** Lazy-flags slot: its width, 0 byte … 3 qword. */
export const LAZY_W = 1;
/** Lazy-flags slot: first operand, low half. */
export const LAZY_A = 2;
/** Lazy-flags slot: first operand, high half. */
export const LAZY_AH = 3;
/** Lazy-flags slot: second operand, low half. */
export const LAZY_B = 4;
/** Lazy-flags slot: second operand, high half. */
export const LAZY_BH = 5;
/** Lazy-flags slot: result, low half. */
export const LAZY_R = 6;
/** Lazy-flags slot: result, high half. */
export const LAZY_RH = 7;
/** Lazy-flags slot: carry in (ADC/SBB), preserved CF (INC/DEC) or CF (`LF_RESULT`). */
export const LAZY_CF = 8;
/** Lazy-flags slot: OF for `LF_RESULT`. */
export const LAZY_OF = 9;
/** Lazy-flags slot: AF for `LF_RESULT`. */
export const LAZY_AF = 10;
/** Lazy-flags slot: all six flags for `LF_EAGER`. */
export const LAZY_BITS = 11;
/** Slots in a lazy-flags record. */
export const LAZY_SIZE = 12;

/**
 * A lazy-flags record: a `Uint32Array(LAZY_SIZE)` indexed by `LAZY_*`
 * (typed-array slots, not object fields: V8 boxes non-Smi field values).
 */
export type LazyFlags = Uint32Array;

/** `r = a + b`. */
export const LF_ADD = 0;
/** `r = a + b + cf`. */
export const LF_ADC = 1;
/** `r = a - b` (SUB, CMP, NEG with a = 0). */
export const LF_SUB = 2;
/** `r = a - b - cf`. */
export const LF_SBB = 3;
/** AND/OR/XOR/TEST: CF = OF = AF = 0. */
export const LF_LOGIC = 4;
/** `r = a + 1`, CF preserved in `LAZY_CF`. */
export const LF_INC = 5;
/** `r = a - 1`, CF preserved in `LAZY_CF`. */
export const LF_DEC = 6;
/** ZF/SF/PF from the result; CF/OF/AF stored (shifts, multiplies). */
export const LF_RESULT = 7;
/** All flags stored in `LAZY_BITS`. */
export const LF_EAGER = 8;

/** Parity flag per byte value: 1 if the number of set bits is even. */
// deno-fmt-ignore
export const PARITY: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let v = i;
    v ^= v >> 4;
    v ^= v >> 2;
    v ^= v >> 1;
    t[i] = (v & 1) ^ 1;
  }
  return t;
})();

/** Operand masks by width (32 and 64 use -1, i.e. ToUint32). */
export const WIDTH_MASK: Int32Array = new Int32Array([0xff, 0xffff, -1, -1]);
/** Shift that brings a width's sign bit to bit 0 of the top half. */
export const SIGN_SHIFT: Uint8Array = new Uint8Array([7, 15, 31, 31]);

/**
 * Records a writer as the interpreter's ALU and a translated block's flag
 * flush do: kind, width and low halves, the high halves only at width 3
 * (the only width that reads them); other slots keep their values.
 *
 * @param f The lazy-flags record (`cpu.lf`).
 * @param op `LF_*` kind.
 * @param w Width 0–3.
 * @param a First operand low half.
 * @param ah First operand high half.
 * @param b Second operand low half.
 * @param bh Second operand high half.
 * @param r Result low half.
 * @param rh Result high half.
 */
export function recordLazy(
  f: LazyFlags,
  op: number,
  w: number,
  a: number,
  ah: number,
  b: number,
  bh: number,
  r: number,
  rh: number,
): void {
  f[LAZY_OP] = op;
  f[LAZY_W] = w;
  f[LAZY_A] = a;
  f[LAZY_B] = b;
  f[LAZY_R] = r;
  if (w === 3) {
    f[LAZY_AH] = ah;
    f[LAZY_BH] = bh;
    f[LAZY_RH] = rh;
  }
}

/**
 * Records an operation for later flag evaluation.
 *
 * @param f The lazy-flags record (`cpu.lf`).
 * @param op `LF_*` kind.
 * @param w Width 0–3.
 * @param a First operand low half.
 * @param ah First operand high half.
 * @param b Second operand low half.
 * @param bh Second operand high half.
 * @param r Result low half.
 * @param rh Result high half.
 */
export function setLazy(
  f: LazyFlags,
  op: number,
  w: number,
  a: number,
  ah: number,
  b: number,
  bh: number,
  r: number,
  rh: number,
): void {
  recordLazy(f, op, w, a, ah, b, bh, r, rh);
  f[LAZY_AH] = ah;
  f[LAZY_BH] = bh;
  f[LAZY_RH] = rh;
}

/**
 * Records a result whose ZF/SF/PF derive from `r` and whose CF/OF/AF are
 * known now (shifts, rotates, multiplies, bit scans).
 *
 * @param f The lazy-flags record (`cpu.lf`).
 * @param w Width 0–3.
 * @param r Result low half.
 * @param rh Result high half.
 * @param cf Carry (0/1).
 * @param of Overflow (0/1).
 */
export function setResult(
  f: LazyFlags,
  w: number,
  r: number,
  rh: number,
  cf: number,
  of: number,
): void {
  f[LAZY_OP] = LF_RESULT;
  f[LAZY_W] = w;
  f[LAZY_R] = r;
  f[LAZY_RH] = rh;
  f[LAZY_CF] = cf;
  f[LAZY_OF] = of;
  f[LAZY_AF] = 0;
}

// Unsigned a < b on (hi, lo) pairs.
function below(ah: number, al: number, bh: number, bl: number): boolean {
  return ah < bh || (ah === bh && al < bl);
}

/**
 * The carry flag.
 *
 * @param f The lazy-flags record (`cpu.lf`).
 * @returns 0 or 1.
 */
export function getCf(f: LazyFlags): number {
  switch (f[LAZY_OP]) {
    case LF_ADD:
      return (f[LAZY_W] === 3
          ? below(f[LAZY_RH], f[LAZY_R], f[LAZY_AH], f[LAZY_A])
          : f[LAZY_R] < f[LAZY_A])
        ? 1
        : 0;
    case LF_ADC:
      if (f[LAZY_CF] === 0) {
        return (f[LAZY_W] === 3
            ? below(f[LAZY_RH], f[LAZY_R], f[LAZY_AH], f[LAZY_A])
            : f[LAZY_R] < f[LAZY_A])
          ? 1
          : 0;
      }
      return (f[LAZY_W] === 3
          ? !below(f[LAZY_AH], f[LAZY_A], f[LAZY_RH], f[LAZY_R])
          : f[LAZY_R] <= f[LAZY_A])
        ? 1
        : 0;
    case LF_SUB:
      return (f[LAZY_W] === 3
          ? below(f[LAZY_AH], f[LAZY_A], f[LAZY_BH], f[LAZY_B])
          : f[LAZY_A] < f[LAZY_B])
        ? 1
        : 0;
    case LF_SBB:
      if (f[LAZY_CF] === 0) {
        return (f[LAZY_W] === 3
            ? below(f[LAZY_AH], f[LAZY_A], f[LAZY_BH], f[LAZY_B])
            : f[LAZY_A] < f[LAZY_B])
          ? 1
          : 0;
      }
      return (f[LAZY_W] === 3
          ? !below(f[LAZY_BH], f[LAZY_B], f[LAZY_AH], f[LAZY_A])
          : f[LAZY_A] <= f[LAZY_B])
        ? 1
        : 0;
    case LF_LOGIC:
      return 0;
    case LF_INC:
    case LF_DEC:
    case LF_RESULT:
      return f[LAZY_CF];
    default:
      return f[LAZY_BITS] & FLAG_CF;
  }
}

/**
 * The zero flag.
 *
 * @param f The lazy-flags record (`cpu.lf`).
 * @returns 0 or 1.
 */
export function getZf(f: LazyFlags): number {
  if (f[LAZY_OP] === LF_EAGER) return (f[LAZY_BITS] >> 6) & 1;
  return f[LAZY_R] === 0 && (f[LAZY_W] !== 3 || f[LAZY_RH] === 0) ? 1 : 0;
}

/**
 * The sign flag.
 *
 * @param f The lazy-flags record (`cpu.lf`).
 * @returns 0 or 1.
 */
export function getSf(f: LazyFlags): number {
  if (f[LAZY_OP] === LF_EAGER) return (f[LAZY_BITS] >> 7) & 1;
  return f[LAZY_W] === 3 ? f[LAZY_RH] >>> 31 : (f[LAZY_R] >>> SIGN_SHIFT[f[LAZY_W]]) & 1;
}

/**
 * The parity flag (of the low result byte).
 *
 * @param f The lazy-flags record (`cpu.lf`).
 * @returns 0 or 1.
 */
export function getPf(f: LazyFlags): number {
  if (f[LAZY_OP] === LF_EAGER) return (f[LAZY_BITS] >> 2) & 1;
  return PARITY[f[LAZY_R] & 0xff];
}

/**
 * The adjust flag.
 *
 * @param f The lazy-flags record (`cpu.lf`).
 * @returns 0 or 1.
 */
export function getAf(f: LazyFlags): number {
  switch (f[LAZY_OP]) {
    case LF_ADD:
    case LF_ADC:
    case LF_SUB:
    case LF_SBB:
    case LF_INC:
    case LF_DEC:
      return ((f[LAZY_A] ^ f[LAZY_B] ^ f[LAZY_R]) >> 4) & 1;
    case LF_LOGIC:
      return 0;
    case LF_RESULT:
      return f[LAZY_AF];
    default:
      return (f[LAZY_BITS] >> 4) & 1;
  }
}

/**
 * The overflow flag.
 *
 * @param f The lazy-flags record (`cpu.lf`).
 * @returns 0 or 1.
 */
export function getOf(f: LazyFlags): number {
  const w = f[LAZY_W];
  switch (f[LAZY_OP]) {
    case LF_ADD:
    case LF_ADC:
    case LF_INC:
      return w === 3
        ? ((f[LAZY_AH] ^ f[LAZY_RH]) & (f[LAZY_BH] ^ f[LAZY_RH])) >>> 31
        : (((f[LAZY_A] ^ f[LAZY_R]) & (f[LAZY_B] ^ f[LAZY_R])) >>> SIGN_SHIFT[w]) & 1;
    case LF_SUB:
    case LF_SBB:
    case LF_DEC:
      return w === 3
        ? ((f[LAZY_AH] ^ f[LAZY_BH]) & (f[LAZY_AH] ^ f[LAZY_RH])) >>> 31
        : (((f[LAZY_A] ^ f[LAZY_B]) & (f[LAZY_A] ^ f[LAZY_R])) >>> SIGN_SHIFT[w]) & 1;
    case LF_LOGIC:
      return 0;
    case LF_RESULT:
      return f[LAZY_OF];
    default:
      return (f[LAZY_BITS] >> 11) & 1;
  }
}

/**
 * The six arithmetic flags as EFLAGS bits.
 *
 * @param f The lazy-flags record (`cpu.lf`).
 * @returns CF | PF | AF | ZF | SF | OF bits.
 *
 * @example Flags of 0xff + 1 (byte)
 * ```ts
 * import { getArithFlags, LAZY_SIZE, LF_ADD, setLazy } from "./flags.ts";
 * import assert from "node:assert/strict";
 * const f = new Uint32Array(LAZY_SIZE);
 * setLazy(f, LF_ADD, 0, 0xff, 0, 1, 0, 0, 0);
 * assert.equal(getArithFlags(f), 0x01 | 0x04 | 0x10 | 0x40); // CF PF AF ZF
 * ```
 */
export function getArithFlags(f: LazyFlags): number {
  if (f[LAZY_OP] === LF_EAGER) return f[LAZY_BITS];
  return getCf(f) | (getPf(f) << 2) | (getAf(f) << 4) | (getZf(f) << 6) | (getSf(f) << 7) |
    (getOf(f) << 11);
}

/**
 * Replaces the arithmetic flags with explicit values (popf, sahf, iret).
 *
 * @param f The lazy-flags record (`cpu.lf`).
 * @param bits EFLAGS bits; only the six arithmetic flags are used.
 */
export function setArithFlags(f: LazyFlags, bits: number): void {
  f[LAZY_OP] = LF_EAGER;
  f[LAZY_BITS] = bits & (FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF);
}

/**
 * Evaluates condition code `cc` (0 O … 15 G) as jcc/setcc/cmovcc do.
 *
 * @param f The lazy-flags record (`cpu.lf`).
 * @param cc Condition 0–15.
 * @returns True if the condition holds.
 */
export function testCc(f: LazyFlags, cc: number): boolean {
  const op = f[LAZY_OP];
  // je/jne after anything but an eager write: ZF straight from the result.
  if ((cc & 14) === 4 && op !== LF_EAGER) {
    const zero = f[LAZY_R] === 0 && (f[LAZY_W] !== 3 || f[LAZY_RH] === 0);
    return zero === (cc === 4);
  }
  // 64-bit cmp/sub: compare (hi, lo) pairs directly.
  if (op === LF_SUB && f[LAZY_W] === 3) {
    const ah = f[LAZY_AH];
    const bh = f[LAZY_BH];
    const a = f[LAZY_A];
    const b = f[LAZY_B];
    switch (cc) {
      case 2:
      case 3: {
        const lt = ah < bh || (ah === bh && a < b);
        return cc === 2 ? lt : !lt;
      }
      case 6:
      case 7: {
        const le = ah < bh || (ah === bh && a <= b);
        return cc === 6 ? le : !le;
      }
      case 12:
      case 13: {
        const sah = ah | 0;
        const sbh = bh | 0;
        const lt = sah < sbh || (sah === sbh && a < b);
        return cc === 12 ? lt : !lt;
      }
      case 14:
      case 15: {
        const sah = ah | 0;
        const sbh = bh | 0;
        const le = sah < sbh || (sah === sbh && a <= b);
        return cc === 14 ? le : !le;
      }
    }
  }
  // cmp/sub below 64 bits decides from the operands directly.
  if (op === LF_SUB && f[LAZY_W] !== 3) {
    const a = f[LAZY_A];
    const b = f[LAZY_B];
    switch (cc) {
      case 2:
        return a < b;
      case 3:
        return a >= b;
      case 4:
        return a === b;
      case 5:
        return a !== b;
      case 6:
        return a <= b;
      case 7:
        return a > b;
      case 12:
      case 13:
      case 14:
      case 15: {
        const sh = 31 - SIGN_SHIFT[f[LAZY_W]];
        const sa = (a << sh) | 0;
        const sb = (b << sh) | 0;
        return cc === 12 ? sa < sb : cc === 13 ? sa >= sb : cc === 14 ? sa <= sb : sa > sb;
      }
    }
  }
  let r: boolean;
  switch (cc >> 1) {
    case 0:
      r = getOf(f) === 1;
      break;
    case 1:
      r = getCf(f) === 1;
      break;
    case 2:
      r = getZf(f) === 1;
      break;
    case 3:
      r = getCf(f) === 1 || getZf(f) === 1;
      break;
    case 4:
      r = getSf(f) === 1;
      break;
    case 5:
      r = getPf(f) === 1;
      break;
    case 6:
      r = getSf(f) !== getOf(f);
      break;
    default:
      r = getZf(f) === 1 || getSf(f) !== getOf(f);
      break;
  }
  return (cc & 1) === 0 ? r : !r;
}
