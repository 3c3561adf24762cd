// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * A probe point: one armed breakpoint with the kprobes registered at it.
 * With one member it behaves as that kprobe; with several it is Linux's
 * aggregate kprobe, whose handlers run every member's in registration
 * order. Linux: `struct kprobe` used as `aggr_kprobe` (kernel/kprobes.c).
 *
 * @module
 */

import type { OptimizedState } from "./kprobes_opt.ts";
import type { ArchProbe } from "../arch/types.ts";
import type { Kprobe } from "./types.ts";

/** An armed address and its member kprobes (internal to the Kprobes core). */
export class ProbePoint implements ArchProbe {
  /** Probed address. */
  addr: bigint;
  /** Low 32 bits of `addr`, the table key. */
  readonly lo: number;
  /** High 32 bits of `addr`. */
  readonly hi: number;
  /** Instruction slot with the copied instruction. */
  slot = 0n;
  /** Original bytes under the breakpoint. */
  saved: Uint8Array = new Uint8Array(0);
  /** Arch-private decode. */
  ainsn: unknown = null;
  /** Registered kprobes at this address, in handler order. */
  readonly members: Kprobe[] = [];
  /**
   * What the aggregate pre-handler looks up per member (its direct form,
   * owner, self-bound check), made at a hit and kept while `members` stays
   * the same: whoever changes `members` sets it to null.
   */
  memberCache: unknown[] | null = null;
  /** Hits that ran this point's handlers (Linux: nhit of kprobe_profile). */
  nhit = 0;
  /** Member whose `break_handler` is set (a jprobe), if any. */
  breakMember: Kprobe | null = null;
  /** Is the breakpoint written into text? */
  armed = false;
  /** The optimized state (jump to a detour buffer in text), or null. */
  opt: OptimizedState | null = null;
  /**
   * A hit has resumed in the boosted slot (no probe current on that CPU):
   * the slot is freed dirty, and reused only once no CPU can be in it.
   */
  boosted = false;

  /**
   * Makes an unarmed, unprepared point.
   *
   * @param addr The probed address.
   *
   * @example A point
   * ```ts
   * import { ProbePoint } from "./probe_point.ts";
   * import assert from "node:assert/strict";
   * const pp = new ProbePoint(0xffffffff81000010n);
   * assert.equal(pp.lo, 0x81000010);
   * assert.equal(pp.hi, 0xffffffff);
   * ```
   */
  constructor(addr: bigint) {
    this.addr = addr;
    this.lo = Number(addr & 0xffffffffn);
    this.hi = Number((addr >> 32n) & 0xffffffffn);
  }

  /** Is this an aggregate (more than one member)? */
  isAggregate(): boolean {
    return this.members.length > 1;
  }

  /** Does any member have a post_handler? (No raised preempt_count for nothing.) */
  hasPostHandler(): boolean {
    const m = this.members;
    for (let i = 0; i < m.length; i++) if (m[i].post_handler) return true;
    return false;
  }
}
