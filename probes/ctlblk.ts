// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The per-CPU Kprobes control block: which probe is running on this CPU, in
 * which phase, and the previous probe saved for reentry.
 * Linux: `struct kprobe_ctlblk`, `current_kprobe`, `kprobe_instance`.
 *
 * @module
 */

import type { ArchStepState } from "../arch/types.ts";
import type { Kprobe } from "./types.ts";
import type { ProbePoint } from "./probe_point.ts";

/** The saved state of an interrupted probe. Linux: `struct prev_kprobe`. */
export interface PrevKprobe {
  /** The probe that was running. */
  point: ProbePoint | null;
  /** Its kprobe_status. */
  status: number;
  /** Its saved flags. */
  savedFlags: number;
  /** Its old flags. */
  oldFlags: number;
}

/** One CPU's control block. Linux: `struct kprobe_ctlblk` + `current_kprobe`. */
export class KprobeCtlblk {
  /** Linux: current_kprobe; the probe point being handled on this CPU. */
  current: ProbePoint | null = null;
  /** Linux: kprobe_status (KPROBE_HIT_ACTIVE …). */
  status = 0;
  /** Linux: kprobe_instance; the member kprobe whose handler runs now. */
  instance: Kprobe | null = null;
  /** Flags the arch saved while single-stepping. */
  readonly step: ArchStepState = { savedFlags: 0, oldFlags: 0 };
  /** Linux: prev_kprobe; the interrupted probe during reentry. */
  readonly prev: PrevKprobe = { point: null, status: 0, savedFlags: 0, oldFlags: 0 };

  /**
   * Saves the running probe before handling a reentrant hit.
   * Linux: save_previous_kprobe().
   *
   * @example Save and restore
   * ```ts
   * import { KprobeCtlblk } from "./ctlblk.ts";
   * import assert from "node:assert/strict";
   * const kcb = new KprobeCtlblk();
   * kcb.status = 2;
   * kcb.savePrevious();
   * kcb.status = 4;
   * kcb.restorePrevious();
   * assert.equal(kcb.status, 2);
   * ```
   */
  savePrevious(): void {
    this.prev.point = this.current;
    this.prev.status = this.status;
    this.prev.savedFlags = this.step.savedFlags;
    this.prev.oldFlags = this.step.oldFlags;
  }

  /** Restores the interrupted probe. Linux: restore_previous_kprobe(). */
  restorePrevious(): void {
    this.current = this.prev.point;
    this.status = this.prev.status;
    this.step.savedFlags = this.prev.savedFlags;
    this.step.oldFlags = this.prev.oldFlags;
    this.prev.point = null;
  }

  /** Clears the running probe. Linux: reset_current_kprobe(). */
  reset(): void {
    this.current = null;
    this.status = 0;
  }
}
