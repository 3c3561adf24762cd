// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Instruction slots: fixed-size cells in an executable, guest-read-only area
 * of kernel text where probed instructions are copied and single-stepped.
 * Freed slots are "dirty" until no CPU can still be stepping in them, then
 * collected. Linux: get_insn_slot()/free_insn_slot() (kernel/kprobes.c).
 *
 * @module
 */

/** Bitmap allocator over `[start, end)` in cells of `slotSize` bytes. */
export class InsnSlots {
  readonly #start: bigint;
  readonly #slotSize: number;
  readonly #used: Uint8Array;
  readonly #dirty: bigint[] = [];

  /**
   * Creates the allocator.
   *
   * @param start First byte of the slot area.
   * @param end One past the last byte.
   * @param slotSize Bytes per slot (MAX_INSN_SIZE rounded up).
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
  constructor(start: bigint, end: bigint, slotSize: number) {
    this.#start = start;
    this.#slotSize = slotSize;
    this.#used = new Uint8Array(Math.max(0, Number(end - start) / slotSize | 0));
  }

  /**
   * Allocates a slot; 0n when all are in use. Linux: get_insn_slot().
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

  /** Releases dirty slots. Linux: collect_garbage_slots() after synchronize_sched(). */
  collect(): void {
    for (const slot of this.#dirty) this.#used[Number(slot - this.#start) / this.#slotSize] = 0;
    this.#dirty.length = 0;
  }

  /** Number of slots in use (dirty ones included). */
  inUse(): number {
    let n = 0;
    for (const u of this.#used) n += u;
    return n;
  }
}
