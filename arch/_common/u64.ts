// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * 64-bit arithmetic on `(hi, lo)` pairs of unsigned 32-bit numbers, without
 * `BigInt`. Functions that produce 64 bits return the low half and leave
 * the high half in `out[1]` (and the low half in `out[0]`), so callers keep
 * one preallocated `Uint32Array(2)` per CPU.
 *
 * @module
 */

const TWO32 = 4294967296;

/**
 * Joins two halves into a `bigint` (host boundary only).
 *
 * @param hi The high 32 bits.
 * @param lo The low 32 bits.
 * @returns `hi * 2**32 + lo`.
 *
 * @example Join halves
 * ```ts
 * import { joinU64 } from "./u64.ts";
 * import assert from "node:assert/strict";
 * assert.equal(joinU64(0xffffffff, 0x81000000), 0xffffffff81000000n);
 * ```
 */
export function joinU64(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/**
 * Splits a `bigint` (taken modulo 2**64) into halves.
 *
 * @param value The value.
 * @param out Receives `[lo, hi]`.
 * @returns The low half.
 *
 * @example Split an address
 * ```ts
 * import { splitU64 } from "./u64.ts";
 * import assert from "node:assert/strict";
 * const out = new Uint32Array(2);
 * splitU64(-1n, out);
 * assert.deepEqual([...out], [0xffffffff, 0xffffffff]);
 * ```
 */
export function splitU64(value: bigint, out: Uint32Array): number {
  const v = BigInt.asUintN(64, value);
  out[0] = Number(v & 0xffffffffn);
  out[1] = Number(v >> 32n);
  return out[0];
}

/**
 * Unsigned 32 × 32 → 64-bit product.
 *
 * @param a First factor (uint32).
 * @param b Second factor (uint32).
 * @param out Receives `[lo, hi]`.
 * @returns The low half.
 *
 * @example Multiply
 * ```ts
 * import { mulU32 } from "./u64.ts";
 * import assert from "node:assert/strict";
 * const out = new Uint32Array(2);
 * mulU32(0xffffffff, 0xffffffff, out);
 * assert.deepEqual([...out], [1, 0xfffffffe]);
 * ```
 */
export function mulU32(a: number, b: number, out: Uint32Array): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const mid = a0 * b1 + a1 * b0; // < 2**33
  const t = a0 * b0 + (mid % 65536) * 65536; // < 2**33
  const lo = t >>> 0;
  out[0] = lo;
  out[1] = a1 * b1 + Math.floor(mid / 65536) + Math.floor(t / TWO32);
  return lo;
}

/**
 * Adds two 64-bit values modulo 2**64.
 *
 * @param ah High half of the first operand.
 * @param al Low half of the first operand.
 * @param bh High half of the second operand.
 * @param bl Low half of the second operand.
 * @param out Receives `[lo, hi]`.
 * @returns The low half.
 *
 * @example Carry into the high half
 * ```ts
 * import { addU64 } from "./u64.ts";
 * import assert from "node:assert/strict";
 * const out = new Uint32Array(2);
 * addU64(0, 0xffffffff, 0, 1, out);
 * assert.deepEqual([...out], [0, 1]);
 * ```
 */
export function addU64(ah: number, al: number, bh: number, bl: number, out: Uint32Array): number {
  const s = al + bl;
  out[0] = s;
  out[1] = ah + bh + (s >= TWO32 ? 1 : 0);
  return out[0];
}

/**
 * Adds a signed double-precision integer offset to a 64-bit value.
 *
 * @param hi High half.
 * @param lo Low half.
 * @param delta Signed offset, |delta| < 2**52.
 * @param out Receives `[lo, hi]`.
 * @returns The low half.
 *
 * @example Step back over a page
 * ```ts
 * import { addOffsetU64 } from "./u64.ts";
 * import assert from "node:assert/strict";
 * const out = new Uint32Array(2);
 * addOffsetU64(1, 0, -1, out);
 * assert.deepEqual([...out], [0xffffffff, 0]);
 * ```
 */
export function addOffsetU64(hi: number, lo: number, delta: number, out: Uint32Array): number {
  const t = lo + delta;
  const l = t >>> 0;
  out[0] = l;
  out[1] = hi + (t - l) / TWO32;
  return l;
}

/**
 * Compares two 64-bit unsigned values.
 *
 * @param ah High half of a.
 * @param al Low half of a.
 * @param bh High half of b.
 * @param bl Low half of b.
 * @returns -1, 0 or 1.
 *
 * @example Compare
 * ```ts
 * import { compareU64 } from "./u64.ts";
 * import assert from "node:assert/strict";
 * assert.equal(compareU64(1, 0, 0, 0xffffffff), 1);
 * ```
 */
export function compareU64(ah: number, al: number, bh: number, bl: number): number {
  if (ah !== bh) return ah >>> 0 < bh >>> 0 ? -1 : 1;
  if (al !== bl) return al >>> 0 < bl >>> 0 ? -1 : 1;
  return 0;
}

/**
 * The high half that sign-extends a 32-bit value to 64 bits.
 *
 * @param lo A 32-bit value (signed or unsigned).
 * @returns `0xffffffff` if bit 31 is set, else 0.
 *
 * @example Sign-extend
 * ```ts
 * import { signHi } from "./u64.ts";
 * import assert from "node:assert/strict";
 * assert.equal(signHi(-1), 0xffffffff);
 * assert.equal(signHi(5), 0);
 * ```
 */
export function signHi(lo: number): number {
  return (lo & 0x80000000) !== 0 ? 0xffffffff : 0;
}

/**
 * Formats a 64-bit value as `0x` and 16 hex digits.
 *
 * @param hi High half.
 * @param lo Low half.
 * @returns The text.
 *
 * @example Format
 * ```ts
 * import { hexU64 } from "./u64.ts";
 * import assert from "node:assert/strict";
 * assert.equal(hexU64(0xffffffff, 0x81000000), "0xffffffff81000000");
 * ```
 */
export function hexU64(hi: number, lo: number): string {
  return "0x" + (hi >>> 0).toString(16).padStart(8, "0") + (lo >>> 0).toString(16).padStart(8, "0");
}

/**
 * Low 32 bits of a 64-bit address, as a number (host-side conversions).
 *
 * @param a The address.
 * @returns The low half.
 *
 * @example Split an address
 * ```ts
 * import { hi32, lo32 } from "./u64.ts";
 * import assert from "node:assert/strict";
 * assert.equal(lo32(0xffffffff81000010n), 0x81000010);
 * assert.equal(hi32(0xffffffff81000010n), 0xffffffff);
 * ```
 */
export function lo32(a: bigint): number {
  return Number(a & 0xffffffffn);
}

/**
 * High 32 bits of a 64-bit address, as a number.
 *
 * @param a The address.
 * @returns The high half.
 */
export function hi32(a: bigint): number {
  return Number((a >> 32n) & 0xffffffffn);
}
