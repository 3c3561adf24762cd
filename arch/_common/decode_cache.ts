// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * A per-address cache of decoded instructions, organised by 4 KiB page so
 * that a CPU can hold the current page's slot array and index it by page
 * offset (no hashing per instruction). Invalidation is page-granular and
 * also drops the preceding page, whose last instruction may straddle into
 * the written one.
 *
 * @module
 */

/** Bits of the page offset. */
export const PAGE_SHIFT = 12;
/** Bytes per page. */
export const PAGE_SIZE = 4096;

const TWO20 = 1048576;

/** One cached page: a slot per byte offset, `null` until decoded. */
export type DecodePage<T> = (T | null)[];

/**
 * Decoded-instruction cache keyed by guest address `(hi, lo)`.
 *
 * @typeParam T The arch's decoded-instruction record.
 *
 * @example Fill and invalidate a slot
 * ```ts
 * import { DecodeCache } from "./decode_cache.ts";
 * import assert from "node:assert/strict";
 * const cache = new DecodeCache<string>();
 * const page = cache.page(0xffffffff, 0x81000010);
 * page[0x10] = "nop";
 * assert.equal(cache.page(0xffffffff, 0x81000000)[0x10], "nop");
 * cache.invalidate(0xffffffff, 0x81000010, 1);
 * assert.equal(cache.page(0xffffffff, 0x81000000)[0x10], null);
 * ```
 */
export class DecodeCache<T> {
  #pages = new Map<number, DecodePage<T>>();
  /** Bumped by every invalidation; holders of a page array compare it. */
  generation = 0;

  /**
   * The slot array of the page holding `(hi, lo)`, created on first use.
   *
   * @param hi High half of an address in the page.
   * @param lo Low half of an address in the page.
   * @returns 4096 slots indexed by page offset.
   */
  page(hi: number, lo: number): DecodePage<T> {
    const key = hi * TWO20 + (lo >>> PAGE_SHIFT);
    let page = this.#pages.get(key);
    if (page === undefined) {
      page = new Array<T | null>(PAGE_SIZE).fill(null);
      this.#pages.set(key, page);
    }
    return page;
  }

  /**
   * Forgets every entry that may overlap `[addr, addr + length)`.
   *
   * @param hi High half of the first written address.
   * @param lo Low half of the first written address.
   * @param length Bytes written (≥ 1).
   */
  invalidate(hi: number, lo: number, length: number): void {
    const first = hi * TWO20 + (lo >>> PAGE_SHIFT) - 1;
    const last = hi * TWO20 + Math.floor(((lo >>> 0) + Math.max(length, 1) - 1) / PAGE_SIZE);
    for (let key = first; key <= last; key++) this.#pages.delete(key);
    this.generation++;
  }

  /**
   * Calls `fn` for every cached entry (used to unlink threaded successors
   * after an invalidation).
   *
   * @param fn Visitor.
   */
  forEach(fn: (entry: T) => void): void {
    for (const page of this.#pages.values()) {
      for (let i = 0; i < PAGE_SIZE; i++) {
        const e = page[i];
        if (e !== null) fn(e);
      }
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.#pages.clear();
    this.generation++;
  }
}
