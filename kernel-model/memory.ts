// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The guest address space: a few mapped regions over one backing
 * `Uint8Array`, page protections, a fixed byte order (x86 little-endian,
 * ppc64 big-endian) and text-write listeners. Guest accesses throw the
 * memory's preallocated {@linkcode Fault} (vector 14, `PF_*` error code,
 * address); host helpers take `bigint` addresses and throw
 * {@linkcode GuestMemoryError}.
 *
 * @module
 */

import { Fault } from "../arch/fault.ts";
import { type GuestMemory, PF_INSTR, PF_PROT, PF_USER, PF_WRITE } from "../arch/types.ts";
import {
  cStringBytes,
  execIn,
  hex,
  hostCopy,
  hostOffset,
  type Region,
  regionEnd,
  span,
  touchesExec,
  zeroedBytes,
} from "./_memory_regions.ts";
import {
  GuestMemoryError,
  type MemoryOptions,
  PAGE_SIZE,
  PROT_EXEC,
  PROT_READ,
  PROT_USER,
  PROT_WRITE,
} from "./memory_types.ts";

export * from "./memory_types.ts";

const TWO32 = 4294967296;

/** Required protection bits per access code (`PF_WRITE | PF_USER | PF_INSTR`). */
const NEED: Uint8Array = (() => {
  const t = new Uint8Array(32);
  for (let a = 0; a < 32; a++) {
    t[a] = PROT_READ | ((a & PF_WRITE) !== 0 ? PROT_WRITE : 0) |
      ((a & PF_USER) !== 0 ? PROT_USER : 0) | ((a & PF_INSTR) !== 0 ? PROT_EXEC : 0);
  }
  return t;
})();

/**
 * Guest memory with page protection and a fixed byte order.
 *
 * @example Map, write, read, fault
 * ```ts
 * import { Memory, PROT_READ, PROT_WRITE } from "./memory.ts";
 * import { Fault } from "../arch/fault.ts";
 * import assert from "node:assert/strict";
 * const mem = new Memory({ littleEndian: true });
 * mem.map(0x400000n, 0x1000, PROT_READ | PROT_WRITE);
 * mem.write32(0, 0x400010, 0x11223344);
 * assert.equal(mem.read8(0, 0x400010), 0x44);
 * // A write crossing into an unmapped page faults before storing anything.
 * assert.throws(() => mem.write32(0, 0x400ffe, 0x11223344), Fault);
 * assert.equal(mem.read8(0, 0x400ffe), 0);
 * ```
 */
export class Memory implements GuestMemory {
  /** True for x86, false for ppc64. */
  readonly littleEndian: boolean;
  /**
   * The backing bytes; replaced only when {@linkcode Memory.map} outgrows
   * the capacity (interpreters cache it and re-read it then).
   */
  u8: Uint8Array = new Uint8Array(0);
  /** A view over `u8`, replaced together with it. */
  dv: DataView = new DataView(this.u8.buffer);
  /** The preallocated fault every guest access throws. */
  readonly fault: Fault = new Fault();
  #prot: Uint8Array = new Uint8Array(0);
  #capacity: number;
  // Bytes of `u8` already given to regions.
  #used = 0;
  #regions: Region[] = [];
  // The first (highest) region, checked inline by translate(): hi, lo,
  // size, backing offset (a typed array: V8 boxes large numbers in fields).
  #r0 = new Uint32Array([0xffffffff, 1, 0, 0]);
  #listeners: ((hi: number, lo: number, length: number) => void)[] = [];

  /**
   * Creates an empty address space; `map` adds regions.
   *
   * @param options The byte order.
   */
  constructor(options: MemoryOptions) {
    this.littleEndian = options.littleEndian;
    const cap = options.capacity ?? 0;
    if (!Number.isSafeInteger(cap) || cap < 0 || cap >= 2 * TWO32) {
      throw new GuestMemoryError(
        `Cannot reserve ${cap} bytes of guest memory: pass a whole number below 8 GiB`,
      );
    }
    this.#capacity = Math.ceil(cap / PAGE_SIZE) * PAGE_SIZE;
  }

  /**
   * Maps `size` bytes (rounded up to pages) at `base`, zero-filled.
   *
   * @param base Page-aligned guest address.
   * @param size Length in bytes.
   * @param prot `PROT_*` bits.
   *
   * @example Map the user area
   * ```ts
   * import { Memory, PROT_READ, PROT_USER, PROT_WRITE } from "./memory.ts";
   * import assert from "node:assert/strict";
   * const mem = new Memory({ littleEndian: true });
   * mem.map(0x400000n, 0x400000, PROT_READ | PROT_WRITE | PROT_USER);
   * assert.equal(mem.readU32(0x400000n), 0);
   * ```
   */
  map(base: bigint, size: number, prot: number): void {
    const start = BigInt.asUintN(64, base);
    if ((start & 0xfffn) !== 0n) {
      throw new GuestMemoryError(`Cannot map ${hex(start)}: the address is not page-aligned`);
    }
    const len = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
    if (!(len > 0) || len >= TWO32) {
      throw new GuestMemoryError(`Cannot map ${hex(start)}: size ${size} is out of range`);
    }
    const end = start + BigInt(len);
    for (const r of this.#regions) {
      const rs = (BigInt(r.hi) << 32n) | BigInt(r.lo);
      if (start < rs + BigInt(r.size) && rs < end) {
        throw new GuestMemoryError(
          `Cannot map ${hex(start)}: it overlaps the region at ${hex(rs)}`,
        );
      }
    }
    if (Number(start & 0xffffffffn) + len > TWO32) {
      throw new GuestMemoryError(
        `Cannot map ${hex(start)}: the region crosses a 4 GiB boundary`,
      );
    }
    const offset = this.#used;
    if (offset + len > this.u8.length) this.#grow(offset + len);
    this.#used = offset + len;
    this.#prot.fill(prot, offset / PAGE_SIZE, (offset + len) / PAGE_SIZE);
    this.#regions.push({
      hi: Number(start >> 32n),
      lo: Number(start & 0xffffffffn),
      size: len,
      offset,
    });
    // Highest region first: the kernel's is the one hot on the fast path.
    this.#regions.sort((a, b) => b.hi - a.hi || b.lo - a.lo);
    const r0 = this.#regions[0];
    this.#r0[0] = r0.hi;
    this.#r0[1] = r0.lo;
    this.#r0[2] = r0.size;
    this.#r0[3] = r0.offset;
  }

  // Allocates the backing store (once, when the capacity covers every
  // mapping); a later outgrowing copies what is there.
  #grow(need: number): void {
    const size = Math.max(need, this.#capacity);
    const u8 = zeroedBytes(size);
    const prots = new Uint8Array(size / PAGE_SIZE);
    if (this.#used > 0) {
      u8.set(this.u8.subarray(0, this.#used));
      prots.set(this.#prot.subarray(0, this.#used / PAGE_SIZE));
    }
    this.u8 = u8;
    this.dv = new DataView(u8.buffer, 0, size);
    this.#prot = prots;
  }

  /**
   * Changes the protection of mapped pages. Text-write listeners hear about
   * ranges that were or become executable.
   *
   * @param base Page-aligned guest address.
   * @param size Length in bytes (rounded up to pages).
   * @param prot New `PROT_*` bits.
   *
   * @example Make a page read-only
   * ```ts
   * import { Memory, PROT_READ, PROT_WRITE } from "./memory.ts";
   * import { Fault } from "../arch/fault.ts";
   * import assert from "node:assert/strict";
   * const mem = new Memory({ littleEndian: true });
   * mem.map(0x400000n, 0x2000, PROT_READ | PROT_WRITE);
   * mem.protect(0x401000n, 0x1000, PROT_READ);
   * assert.throws(() => mem.write8(0, 0x401000, 1), Fault);
   * ```
   */
  protect(base: bigint, size: number, prot: number): void {
    this.#protects++;
    const len = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
    let exec = (prot & PROT_EXEC) !== 0;
    for (let a = 0; a < len; a += PAGE_SIZE) {
      const off = hostOffset(this.#regions, base + BigInt(a), "protect");
      const page = off / PAGE_SIZE;
      if ((this.#prot[page] & PROT_EXEC) !== 0) exec = true;
      this.#prot[page] = prot;
    }
    if (exec) this.#notify(base, len);
  }

  #protects = 0;

  /**
   * How many times {@linkcode Memory.protect} has run. A mapped address
   * keeps its offset into `u8` for good (regions are never unmapped or
   * moved), so a host cache of a translation and its permission check is
   * exact while this count stays the same.
   */
  get protectCount(): number {
    return this.#protects;
  }

  /**
   * Offset into `u8` of `(hi, lo)` for an access that does not cross a
   * page; throws the fault (error code `access`, plus `PF_PROT` when the
   * page is mapped but the access is denied).
   *
   * @param hi High half of the address.
   * @param lo Low half of the address.
   * @param access `PF_WRITE | PF_USER | PF_INSTR` combination.
   * @returns The byte offset.
   */
  translate(hi: number, lo: number, access: number): number {
    let off: number;
    const r0 = this.#r0;
    const d = (lo - r0[1]) >>> 0;
    if (hi === r0[0] && d < r0[2]) off = r0[3] + d;
    else off = this.#find(hi, lo, access);
    const need = NEED[access];
    const p = this.#prot[off >>> 12];
    if ((p & need) !== need) throw this.fault.set(14, access | PF_PROT, hi >>> 0, lo >>> 0);
    if ((access & PF_WRITE) !== 0 && (p & PROT_EXEC) !== 0) this.#notifyRaw(hi, lo, 1);
    return off;
  }

  #find(hi: number, lo: number, access: number): number {
    const regions = this.#regions;
    for (let i = 1; i < regions.length; i++) {
      const r = regions[i];
      const d = (lo - r.lo) >>> 0;
      if (hi === r.hi && d < r.size) return r.offset + d;
    }
    throw this.fault.set(14, access, hi >>> 0, lo >>> 0);
  }

  /** Reads an unsigned byte. */
  read8(hi: number, lo: number): number {
    return this.u8[this.translate(hi, lo, 0)];
  }

  /** Reads an unsigned 16-bit value in the memory's byte order. */
  read16(hi: number, lo: number): number {
    if ((lo & 0xfff) > 0xffe) return this.#readSlow(hi, lo, 2);
    return this.dv.getUint16(this.translate(hi, lo, 0), this.littleEndian);
  }

  /** Reads an unsigned 32-bit value in the memory's byte order. */
  read32(hi: number, lo: number): number {
    if ((lo & 0xfff) > 0xffc) return this.#readSlow(hi, lo, 4);
    return this.dv.getUint32(this.translate(hi, lo, 0), this.littleEndian);
  }

  /** Writes a byte. */
  write8(hi: number, lo: number, value: number): void {
    this.u8[this.translate(hi, lo, PF_WRITE)] = value;
  }

  /** Writes a 16-bit value. */
  write16(hi: number, lo: number, value: number): void {
    if ((lo & 0xfff) > 0xffe) return this.#writeSlow(hi, lo, 2, value);
    this.dv.setUint16(this.translate(hi, lo, PF_WRITE), value, this.littleEndian);
  }

  /** Writes a 32-bit value. */
  write32(hi: number, lo: number, value: number): void {
    if ((lo & 0xfff) > 0xffc) return this.#writeSlow(hi, lo, 4, value);
    this.dv.setUint32(this.translate(hi, lo, PF_WRITE), value, this.littleEndian);
  }

  // A page-crossing read: both pages are checked before the value is built.
  #readSlow(hi: number, lo: number, size: number): number {
    let v = 0;
    for (let i = 0; i < size; i++) {
      const t = lo + i;
      const b = this.u8[this.translate(t >= TWO32 ? (hi + 1) >>> 0 : hi, t >>> 0, 0)];
      v = this.littleEndian ? v + b * 2 ** (8 * i) : v * 256 + b;
    }
    return v;
  }

  // A page-crossing write: translate every byte first, then store.
  #writeSlow(hi: number, lo: number, size: number, value: number): void {
    // Both pages first; a fault names the first byte it cannot write.
    const second = (lo | 0xfff) + 1;
    const secondHi = second >= TWO32 ? (hi + 1) >>> 0 : hi;
    this.translate(hi, lo, PF_WRITE);
    this.translate(secondHi, second >>> 0, PF_WRITE);
    for (let i = 0; i < size; i++) {
      const t = lo + i;
      const shift = this.littleEndian ? 8 * i : 8 * (size - 1 - i);
      this.u8[this.translate(t >= TWO32 ? (hi + 1) >>> 0 : hi, t >>> 0, PF_WRITE)] =
        (value >>> shift) & 0xff;
    }
  }

  /**
   * Writes bytes into text regardless of protection and tells every
   * text-write listener. Linux: text_poke().
   *
   * @param hi High half of the address.
   * @param lo Low half of the address.
   * @param bytes The new bytes.
   */
  pokeText(hi: number, lo: number, bytes: Uint8Array): void {
    const addr = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    hostCopy(this.#regions, addr, bytes.length, "poke", (off, i, n) => {
      this.u8.set(bytes.subarray(i, i + n), off);
    });
    this.#notifyRaw(hi, lo, bytes.length);
  }

  /**
   * Registers a listener for text writes `(hi, lo, length)`.
   *
   * @param listener Called after `pokeText`, host writes to executable
   * pages and protection changes, and before guest writes to writable
   * executable pages.
   */
  onTextWrite(listener: (hi: number, lo: number, length: number) => void): void {
    this.#listeners.push(listener);
  }

  #notify(addr: bigint, length: number): void {
    const a = BigInt.asUintN(64, addr);
    this.#notifyRaw(Number(a >> 32n), Number(a & 0xffffffffn), length);
  }

  #notifyRaw(hi: number, lo: number, length: number): void {
    for (const l of this.#listeners) l(hi >>> 0, lo >>> 0, length);
  }

  /**
   * Host read of `n` bytes (ignores protection, honours maps).
   *
   * @param addr Guest address.
   * @param n Byte count.
   * @returns A copy of the bytes.
   *
   * @example Read back written bytes
   * ```ts
   * import { Memory, PROT_READ } from "./memory.ts";
   * import assert from "node:assert/strict";
   * const mem = new Memory({ littleEndian: true });
   * mem.map(0x1000n, 0x1000, PROT_READ);
   * mem.writeBytes(0x1000n, new Uint8Array([1, 2, 3]));
   * assert.deepEqual([...mem.readBytes(0x1000n, 3)], [1, 2, 3]);
   * ```
   */
  readBytes(addr: bigint, n: number): Uint8Array {
    const off = span(this.#regions, addr, n);
    if (off >= 0) return this.u8.slice(off, off + n);
    const out = new Uint8Array(n);
    hostCopy(this.#regions, addr, n, "read", (off, i, len) => {
      out.set(this.u8.subarray(off, off + len), i);
    });
    return out;
  }

  /**
   * Host write of bytes (ignores protection, honours maps); listeners hear
   * about writes that touch executable pages.
   *
   * @param addr Guest address.
   * @param bytes The bytes.
   */
  writeBytes(addr: bigint, bytes: Uint8Array): void {
    const off = span(this.#regions, addr, bytes.length);
    if (off >= 0) {
      this.u8.set(bytes, off);
      if (execIn(this.#prot, off, bytes.length)) this.#notify(addr, bytes.length);
      return;
    }
    hostCopy(this.#regions, addr, bytes.length, "write", (off, i, n) => {
      this.u8.set(bytes.subarray(i, i + n), off);
    });
    if (touchesExec(this.#regions, this.#prot, addr, bytes.length)) {
      this.#notify(addr, bytes.length);
    }
  }

  #hostRead(addr: bigint, size: number): number {
    const off = span(this.#regions, addr, size);
    if (off >= 0) {
      const le = this.littleEndian;
      return size === 1
        ? this.u8[off]
        : size === 2
        ? this.dv.getUint16(off, le)
        : this.dv.getUint32(off, le);
    }
    const b = this.readBytes(addr, size);
    let v = 0;
    for (let i = 0; i < size; i++) {
      v = this.littleEndian ? v + b[i] * 2 ** (8 * i) : v * 256 + b[i];
    }
    return v;
  }

  #hostWrite(addr: bigint, size: number, value: bigint): void {
    const off = span(this.#regions, addr, size);
    if (off >= 0) {
      const le = this.littleEndian;
      if (size === 8) this.dv.setBigUint64(off, BigInt.asUintN(64, value), le);
      else {
        const v = Number(BigInt.asUintN(size * 8, value));
        if (size === 1) this.u8[off] = v;
        else if (size === 2) this.dv.setUint16(off, v, le);
        else this.dv.setUint32(off, v, le);
      }
      if (execIn(this.#prot, off, size)) this.#notify(addr, size);
      return;
    }
    const b = new Uint8Array(size);
    const v = BigInt.asUintN(size * 8, value);
    for (let i = 0; i < size; i++) {
      const shift = BigInt(this.littleEndian ? 8 * i : 8 * (size - 1 - i));
      b[i] = Number((v >> shift) & 0xffn);
    }
    this.writeBytes(addr, b);
  }

  /**
   * Host read of a byte.
   *
   * @param addr Guest address.
   * @returns The byte.
   */
  readU8(addr: bigint): number {
    return this.#hostRead(addr, 1);
  }

  /**
   * Host read of a 16-bit value in the memory's byte order.
   *
   * @param addr Guest address.
   * @returns The value.
   */
  readU16(addr: bigint): number {
    return this.#hostRead(addr, 2);
  }

  /**
   * Host read of a 32-bit value in the memory's byte order.
   *
   * @param addr Guest address.
   * @returns The value.
   */
  readU32(addr: bigint): number {
    return this.#hostRead(addr, 4);
  }

  /**
   * Host read of a 64-bit value in the memory's byte order.
   *
   * @param addr Guest address.
   * @returns The value.
   *
   * @example Byte order
   * ```ts
   * import { Memory, PROT_READ } from "./memory.ts";
   * import assert from "node:assert/strict";
   * const mem = new Memory({ littleEndian: false });
   * mem.map(0n, 0x1000, PROT_READ);
   * mem.writeU64(8n, 0x0102030405060708n);
   * assert.equal(mem.readU8(8n), 1);
   * assert.equal(mem.readU64(8n), 0x0102030405060708n);
   * ```
   */
  readU64(addr: bigint): bigint {
    const off = span(this.#regions, addr, 8);
    if (off >= 0) return this.dv.getBigUint64(off, this.littleEndian);
    const b = this.readBytes(addr, 8);
    let v = 0n;
    for (let i = 0; i < 8; i++) {
      const byte = BigInt(b[this.littleEndian ? 7 - i : i]);
      v = (v << 8n) | byte;
    }
    return v;
  }

  /**
   * Host write of a byte.
   *
   * @param addr Guest address.
   * @param value The byte.
   */
  writeU8(addr: bigint, value: number): void {
    this.#hostWrite(addr, 1, BigInt(value));
  }

  /**
   * Host write of a 16-bit value.
   *
   * @param addr Guest address.
   * @param value The value.
   */
  writeU16(addr: bigint, value: number): void {
    this.#hostWrite(addr, 2, BigInt(value));
  }

  /**
   * Host write of a 32-bit value.
   *
   * @param addr Guest address.
   * @param value The value.
   */
  writeU32(addr: bigint, value: number): void {
    this.#hostWrite(addr, 4, BigInt(value));
  }

  /**
   * Host write of a 64-bit value.
   *
   * @param addr Guest address.
   * @param value The value (taken modulo 2**64).
   */
  writeU64(addr: bigint, value: bigint): void {
    this.#hostWrite(addr, 8, value);
  }

  /**
   * Host read of a NUL-terminated string (UTF-8), at most `max` bytes.
   *
   * @param addr Guest address.
   * @param max Upper bound on bytes read.
   * @returns The text before the NUL (or the first `max` bytes).
   *
   * @example Read a C string
   * ```ts
   * import { Memory, PROT_READ } from "./memory.ts";
   * import assert from "node:assert/strict";
   * const mem = new Memory({ littleEndian: true });
   * mem.map(0x1000n, 0x1000, PROT_READ);
   * mem.writeBytes(0x1000n, new TextEncoder().encode("init\0"));
   * assert.equal(mem.readCString(0x1000n, 64), "init");
   * ```
   */
  readCString(addr: bigint, max: number): string {
    const off = span(this.#regions, addr, 1);
    if (off >= 0) {
      // Within the region: scan its bytes directly; past its end, byte by byte.
      const room = Math.min(max, regionEnd(this.#regions, off) - off);
      const u8 = this.u8;
      let n = 0;
      while (n < room && u8[off + n] !== 0) n++;
      if (n < room || room === max) return new TextDecoder().decode(u8.subarray(off, off + n));
    }
    return new TextDecoder().decode(cStringBytes(this.#regions, this.u8, addr, max));
  }

  /**
   * Whether `addr` is mapped.
   *
   * @param addr Guest address.
   * @returns True if a region covers it.
   */
  isMapped(addr: bigint): boolean {
    try {
      hostOffset(this.#regions, addr, "probe");
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The `PROT_*` bits of the page holding `addr`, or -1 if unmapped.
   *
   * @param addr Guest address.
   * @returns The protection.
   */
  protectionOf(addr: bigint): number {
    try {
      return this.#prot[hostOffset(this.#regions, addr, "probe") >>> 12];
    } catch {
      return -1;
    }
  }
}
