// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The region table behind `Memory`'s host side: the backing
 * store's allocation, and the `bigint`-address lookups the host helpers
 * (`readBytes`, `readU64`, `writeBytes` …) use, which ignore protection
 * and throw {@linkcode GuestMemoryError} for unmapped bytes. The guest
 * fast path (`translate`) stays in `memory.ts`, private to its callers.
 *
 * @module
 */

import { GuestMemoryError, PAGE_SIZE, PROT_EXEC } from "./memory_types.ts";

/** One mapped region. */
export interface Region {
  hi: number;
  lo: number;
  size: number;
  offset: number;
}

/** Bytes per WebAssembly page. */
const WASM_PAGE = 65536;

/**
 * `size` zeroed bytes whose pages the host OS maps on first touch. A
 * WebAssembly memory is reserved with mmap, so an untouched page costs
 * nothing; `new Uint8Array(size)` comes from malloc, whose large blocks
 * are often recycled and cleared eagerly (a 20 MiB kernel's RAM took 4-15
 * ms to allocate that way, against 0.1 ms). Views over it are ordinary
 * fixed-length typed arrays, as fast as any (views of a resizable
 * ArrayBuffer measured 8x slower on the interpreter's access pattern, so
 * growing one in place was not an option). Falls back to `new Uint8Array`
 * if the reservation is refused.
 */
export function zeroedBytes(size: number): Uint8Array {
  const pages = Math.ceil(size / WASM_PAGE);
  if (pages <= WASM_PAGE) {
    try {
      const mem = new WebAssembly.Memory({ initial: pages, maximum: pages });
      return new Uint8Array(mem.buffer, 0, size);
    } catch {
      // Out of address space for reservations: take ordinary memory.
    }
  }
  return new Uint8Array(size);
}

/** `0x…` of an address taken modulo 2**64, for messages. */
export function hex(addr: bigint): string {
  return "0x" + BigInt.asUintN(64, addr).toString(16);
}

/** Host-side offset of one byte, mapped-or-throw, ignoring protection. */
export function hostOffset(regions: readonly Region[], addr: bigint, verb: string): number {
  const a = BigInt.asUintN(64, addr);
  const hi = Number(a >> 32n);
  const lo = Number(a & 0xffffffffn);
  for (const r of regions) {
    const d = (lo - r.lo) >>> 0;
    if (hi === r.hi && d < r.size) return r.offset + d;
  }
  throw new GuestMemoryError(
    `Cannot ${verb} guest memory at ${hex(a)}: the address is not mapped`,
  );
}

/**
 * Offset of `[addr, addr + n)` when one region holds all of it (n >= 1),
 * else -1: the host helpers' fast path, one lookup instead of one per page.
 */
export function span(regions: readonly Region[], addr: bigint, n: number): number {
  if (!(n >= 1)) return -1;
  const a = BigInt.asUintN(64, addr);
  const hi = Number(a >> 32n);
  const lo = Number(a & 0xffffffffn);
  for (let i = 0; i < regions.length; i++) {
    const r = regions[i];
    const d = (lo - r.lo) >>> 0;
    if (hi === r.hi && d < r.size) return d + n <= r.size ? r.offset + d : -1;
  }
  return -1;
}

/** End (in u8) of the region holding offset `off`. */
export function regionEnd(regions: readonly Region[], off: number): number {
  for (const r of regions) {
    if (off >= r.offset && off < r.offset + r.size) return r.offset + r.size;
  }
  return off;
}

/** Whether any page of `[off, off + n)` (offsets into u8, n >= 1) is executable. */
export function execIn(prot: Uint8Array, off: number, n: number): boolean {
  const last = (off + n - 1) >>> 12;
  for (let p = off >>> 12; p <= last; p++) {
    if ((prot[p] & PROT_EXEC) !== 0) return true;
  }
  return false;
}

/**
 * Calls `chunkFn(offset, index, length)` for each page-bounded piece of
 * `[addr, addr + n)`, after checking that every byte is mapped.
 */
export function hostCopy(
  regions: readonly Region[],
  addr: bigint,
  n: number,
  verb: string,
  chunkFn: (off: number, i: number, n: number) => void,
): void {
  // Validate the whole range before touching anything.
  for (let i = 0; i < n; i += PAGE_SIZE - Number((addr + BigInt(i)) & 0xfffn)) {
    hostOffset(regions, addr + BigInt(i), verb);
  }
  if (n > 0) hostOffset(regions, addr + BigInt(n - 1), verb);
  let i = 0;
  while (i < n) {
    const off = hostOffset(regions, addr + BigInt(i), verb);
    const chunk = Math.min(n - i, PAGE_SIZE - Number((addr + BigInt(i)) & 0xfffn));
    chunkFn(off, i, chunk);
    i += chunk;
  }
}

/** Whether any page of `[addr, addr + n)` is executable (mapped-or-throw). */
export function touchesExec(
  regions: readonly Region[],
  prot: Uint8Array,
  addr: bigint,
  n: number,
): boolean {
  for (let i = 0; i < n; i += PAGE_SIZE - Number((addr + BigInt(i)) & 0xfffn)) {
    if ((prot[hostOffset(regions, addr + BigInt(i), "write") >>> 12] & PROT_EXEC) !== 0) {
      return true;
    }
  }
  return n > 0 &&
    (prot[hostOffset(regions, addr + BigInt(n - 1), "write") >>> 12] & PROT_EXEC) !== 0;
}

/**
 * The bytes before the first NUL at `addr` (at most `max`), read one by one
 * so that a string may run across regions (mapped-or-throw).
 */
export function cStringBytes(
  regions: readonly Region[],
  u8: Uint8Array,
  addr: bigint,
  max: number,
): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < max; i++) {
    const b = u8[hostOffset(regions, addr + BigInt(i), "read")];
    if (b === 0) break;
    bytes.push(b);
  }
  return new Uint8Array(bytes);
}
