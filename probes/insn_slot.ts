// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Instruction slots: fixed-size cells in an executable, guest-read-only area
 * of kernel text where probed instructions are copied and single-stepped.
 * Freed slots are "dirty" until no CPU can still be stepping in them, then
 * collected. Linux: get_insn_slot()/free_insn_slot() (kernel/kprobes.c).
 *
 * @module
 */

/**
 * Asked once per collection: returns the test of whether a dirty slot may
 * be reused (no task can still be running or resume in it).
 */
export type SlotQuiescent = () => (slot: bigint, size: number) => boolean;

/** Bitmap allocator over `[start, end)` in cells of `slotSize` bytes. */
export class InsnSlots {
  readonly #start: bigint;
  readonly #slotSize: number;
  readonly #used: Uint8Array;
  readonly #dirty: bigint[] = [];
  readonly #quiescent: SlotQuiescent;

  /**
   * Creates the allocator.
   *
   * @param start First byte of the slot area.
   * @param end One past the last byte.
   * @param slotSize Bytes per slot (MAX_INSN_SIZE rounded up).
   * @param quiescent Says when a dirty slot may be reused (default: at once).
   *
   * @example Two slots
   * ```ts
   * import { InsnSlots } from "./insn_slot.ts";
   * import assert from "node:assert/strict";
   * const slots = new InsnSlots(0x1000n, 0x1020n, 16);
   * assert.equal(slots.get(), 0x1000n);
   * assert.equal(slots.get(), 0x1010n);
   * assert.equal(slots.get(), 0n);
   * ```
   */
  constructor(start: bigint, end: bigint, slotSize: number, quiescent?: SlotQuiescent) {
    this.#start = start;
    this.#quiescent = quiescent ?? (() => () => true);
    this.#slotSize = slotSize;
    this.#used = new Uint8Array(Math.max(0, Number(end - start) / slotSize | 0));
  }

  /**
   * Allocates a slot; 0n when all are in use. When none is free, the dirty
   * slots no task can be in any more are collected first.
   * Linux: get_insn_slot() (collect_garbage_slots() when the pages are full).
   *
   * @returns The slot address, or 0n.
   */
  get(): bigint {
    let i = this.#used.indexOf(0);
    if (i < 0 && this.#dirty.length > 0) {
      this.collect();
      i = this.#used.indexOf(0);
    }
    if (i < 0) return 0n;
    this.#used[i] = 1;
    return this.#start + BigInt(i * this.#slotSize);
  }

  /**
   * Frees a slot. A dirty slot waits for {@linkcode InsnSlots.collect}, since
   * another CPU may still be single-stepping in it. Linux: free_insn_slot().
   *
   * @param slot The slot address.
   * @param dirty Whether a CPU may still be using it.
   */
  free(slot: bigint, dirty: boolean): void {
    if (dirty) this.#dirty.push(slot);
    else this.#used[Number(slot - this.#start) / this.#slotSize] = 0;
  }

  /**
   * Releases the dirty slots no task can be in any more; the others stay
   * dirty. Linux: collect_garbage_slots() after synchronize_rcu_tasks().
   *
   * @example A slot a task may resume in stays dirty
   * ```ts
   * import { InsnSlots } from "./insn_slot.ts";
   * import assert from "node:assert/strict";
   * let busy = 0x1000n;
   * const slots = new InsnSlots(0x1000n, 0x1020n, 16, () => (slot) => slot !== busy);
   * slots.get();
   * slots.get();
   * slots.free(0x1000n, true);
   * slots.free(0x1010n, true);
   * assert.equal(slots.get(), 0x1010n); // collected: 0x1000 is busy
   * assert.equal(slots.get(), 0n);
   * busy = 0n;
   * assert.equal(slots.get(), 0x1000n);
   * ```
   */
  collect(): void {
    if (this.#dirty.length === 0) return;
    const quiescent = this.#quiescent();
    let kept = 0;
    for (const slot of this.#dirty) {
      if (quiescent(slot, this.#slotSize)) {
        this.#used[Number(slot - this.#start) / this.#slotSize] = 0;
      } else this.#dirty[kept++] = slot;
    }
    this.#dirty.length = kept;
  }

  /** Number of slots in use (dirty ones included). */
  inUse(): number {
    let n = 0;
    for (const u of this.#used) n += u;
    return n;
  }
}
