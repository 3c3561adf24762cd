// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * A per-address cache of decoded instructions, organised by 4 KiB page so
 * that a CPU can hold the current page's slot array and index it by page
 * offset (no hashing per instruction). Invalidation is page-granular and
 * also drops the preceding page, whose last instruction may straddle into
 * the written one. CPUs that thread decoded instructions together
 * (`next`/`target` links) report each link that crosses pages with
 * {@linkcode DecodeCache.link}, and the cache's `unlink` callback undoes
 * those into dropped pages: a text write touches the links into the pages
 * it drops, not every cached slot.
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

/** The entries of other pages linked into one page, with where each is cached. */
interface LinkList<T> {
  entries: T[];
  keys: number[];
  offsets: number[];
  /** Length at which the list is compacted next. */
  limit: number;
}

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
  /** Per page key: the entries of other pages linked to an entry of it. */
  #links = new Map<number, LinkList<T>>();
  #unlink: ((entry: T) => void) | null;
  /** Bumped by every invalidation; holders of a page array compare it. */
  generation = 0;

  /**
   * Creates an empty cache.
   *
   * @param unlink Called by {@linkcode DecodeCache.invalidate} for every
   * entry reported by {@linkcode DecodeCache.link} as linked into a dropped
   * page (it must clear all of the entry's links). Without it, a CPU that
   * links entries must unlink them itself (e.g. with `forEach`).
   */
  constructor(unlink?: (entry: T) => void) {
    this.#unlink = unlink ?? null;
  }

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
    const unlink = this.#unlink;
    if (unlink !== null && this.#links.size !== 0) {
      for (let key = first; key <= last; key++) {
        const list = this.#links.get(key);
        if (list === undefined) continue;
        this.#links.delete(key);
        for (const e of list.entries) unlink(e);
      }
    }
    this.generation++;
  }

  /**
   * Notes that the entry at `(fromHi, fromLo)` now links to the one at
   * `(toHi, toLo)`, so that dropping the target's page unlinks it. Links
   * within one page need no note (the page is dropped whole); call it for
   * every link, it checks.
   *
   * @param from The linking entry, cached at `(fromHi, fromLo)`.
   * @param fromHi High half of `from`'s address.
   * @param fromLo Low half of `from`'s address.
   * @param toHi High half of the linked entry's address.
   * @param toLo Low half of the linked entry's address.
   */
  link(from: T, fromHi: number, fromLo: number, toHi: number, toLo: number): void {
    if (fromHi === toHi && ((fromLo ^ toLo) >>> PAGE_SHIFT) === 0) return;
    const key = toHi * TWO20 + (toLo >>> PAGE_SHIFT);
    let list = this.#links.get(key);
    if (list === undefined) {
      list = { entries: [], keys: [], offsets: [], limit: 64 };
      this.#links.set(key, list);
    }
    list.entries.push(from);
    list.keys.push(fromHi * TWO20 + (fromLo >>> PAGE_SHIFT));
    list.offsets.push(fromLo & (PAGE_SIZE - 1));
    if (list.entries.length >= list.limit) this.#compact(list);
  }

  // Forgets notes of entries no longer cached where they were (their page
  // was dropped and decoded again), so a page whose callers' pages are
  // rewritten again and again keeps a bounded list.
  #compact(list: LinkList<T>): void {
    let n = 0;
    for (let i = 0; i < list.entries.length; i++) {
      const e = list.entries[i];
      if (this.#pages.get(list.keys[i])?.[list.offsets[i]] !== e) continue;
      list.entries[n] = e;
      list.keys[n] = list.keys[i];
      list.offsets[n] = list.offsets[i];
      n++;
    }
    list.entries.length = n;
    list.keys.length = n;
    list.offsets.length = n;
    list.limit = Math.max(64, 2 * n);
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
    this.#links.clear();
    this.generation++;
  }
}
