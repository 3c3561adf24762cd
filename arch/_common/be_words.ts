// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * 64-bit guest words of the big-endian arches (ppc64, sparc64) at `bigint`
 * addresses, for the arch objects' boundary code (host calls, argument
 * words, the kernel stack pointer of a PACA or trap block) and the
 * 16-digit hex of their Oops lines. Not for hot paths: they take and give
 * `bigint`.
 *
 * @module
 */

import type { GuestMemory } from "../types.ts";

/**
 * Reads the big-endian 64-bit word at `a`.
 *
 * @param memory Big-endian guest memory.
 * @param a The address.
 * @returns The word, unsigned.
 *
 * @example A word written as two halves
 * ```ts
 * import { readU64BE } from "./be_words.ts";
 * import { Memory, PROT_READ, PROT_WRITE } from "../../kernel-model/memory.ts";
 * import assert from "node:assert/strict";
 * const mem = new Memory({ littleEndian: false });
 * mem.map(0x10000n, 0x1000, PROT_READ | PROT_WRITE);
 * mem.writeU32(0x10000n, 1);
 * mem.writeU32(0x10004n, 2);
 * assert.equal(readU64BE(mem, 0x10000n), 0x100000002n);
 * ```
 */
export function readU64BE(memory: GuestMemory, a: bigint): bigint {
  const hi = memory.read32(Number((a >> 32n) & 0xffffffffn), Number(a & 0xffffffffn));
  const b = a + 4n;
  const lo = memory.read32(Number((b >> 32n) & 0xffffffffn), Number(b & 0xffffffffn));
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * Writes `v` as the big-endian 64-bit word at `a` (its low 64 bits).
 *
 * @param memory Big-endian guest memory.
 * @param a The address.
 * @param v The value.
 *
 * @example Round trip
 * ```ts
 * import { readU64BE, writeU64BE } from "./be_words.ts";
 * import { Memory, PROT_READ, PROT_WRITE } from "../../kernel-model/memory.ts";
 * import assert from "node:assert/strict";
 * const mem = new Memory({ littleEndian: false });
 * mem.map(0x10000n, 0x1000, PROT_READ | PROT_WRITE);
 * writeU64BE(mem, 0x10008n, -2n);
 * assert.equal(readU64BE(mem, 0x10008n), 0xfffffffffffffffen);
 * ```
 */
export function writeU64BE(memory: GuestMemory, a: bigint, v: bigint): void {
  memory.write32(
    Number((a >> 32n) & 0xffffffffn),
    Number(a & 0xffffffffn),
    Number((v >> 32n) & 0xffffffffn),
  );
  const b = a + 4n;
  memory.write32(
    Number((b >> 32n) & 0xffffffffn),
    Number(b & 0xffffffffn),
    Number(v & 0xffffffffn),
  );
}

/**
 * A 64-bit value as 16 lower-case hex digits, as Linux's register dumps
 * print it (`%016lx`).
 *
 * @param v The value (negative values wrap to 64 bits).
 * @returns The digits.
 *
 * @example
 * ```ts
 * import { hex16 } from "./be_words.ts";
 * import assert from "node:assert/strict";
 * assert.equal(hex16(-1n), "ffffffffffffffff");
 * ```
 */
export function hex16(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16).padStart(16, "0");
}
