// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The handlers of every kprobe at one probe point, run in order as one:
 * pre, post, fault and break handlers, each bound to the module that
 * registered it, disabled kprobes skipped; and `nmissed` shared by all of
 * them. Private to probes/: `KprobesCore`'s trap-time half calls it.
 * Linux: aggr_pre_handler(), aggr_post_handler(), aggr_fault_handler(),
 * aggr_break_handler(), kprobes_inc_nmissed_count() (kernel/kprobes.c).
 *
 * @module
 */

import type { ArchCpu, PtRegsView } from "../arch/types.ts";
import type { KprobeCtlblk } from "./ctlblk.ts";
import type { DirectPreHandler, KprobesHost } from "./kprobes_host.ts";
import type { ProbePoint } from "./probe_point.ts";
import type { Kprobe, PtRegs } from "./types.ts";

/** A pre-handler of the machinery itself, given the CPU ({@linkcode AggregateHandlers.callDirect}). */
type SelfBoundPreHandler = (p: Kprobe, regs: PtRegsView, cpu: ArchCpu & { id: number }) => number;

/** The aggregate handlers of one kernel's probe points. */
export class AggregateHandlers {
  readonly #host: KprobesHost;
  readonly #owners: ReadonlyMap<Kprobe, string | null>;
  readonly #disabled: ReadonlySet<Kprobe>;
  /** Pre-handlers of the machinery itself, called directly ({@linkcode AggregateHandlers.callDirect}). */
  readonly #selfBound = new WeakSet<object>();
  /** Direct forms of machinery kprobes' pre-handlers ({@linkcode AggregateHandlers.setDirect}). */
  readonly #direct = new Map<Kprobe, DirectPreHandler>();
  /** Bumped when `#direct` or `#selfBound` changes: a ProbePoint's memberCache of another epoch is stale. */
  #epoch = 1;

  /**
   * Binds the runner to the registry's records.
   *
   * @param host The kernel's services (`invoke`).
   * @param owners Who registered each kprobe (null: the host).
   * @param disabled The disabled kprobes, whose handlers do not run.
   */
  constructor(
    host: KprobesHost,
    owners: ReadonlyMap<Kprobe, string | null>,
    disabled: ReadonlySet<Kprobe>,
  ) {
    this.#host = host;
    this.#owners = owners;
    this.#disabled = disabled;
  }

  /**
   * Has `fn`, a break member's pre-handler made by the machinery itself (a
   * jprobe's setjmp), called directly with the CPU as a third argument
   * instead of through the host's handler invocation: it binds its own
   * kernel context and reports its own errors.
   *
   * @param fn The pre-handler.
   */
  callDirect(fn: object): void {
    this.#selfBound.add(fn);
    this.#epoch++;
  }

  /**
   * Runs `kp`'s pre-handler as `handler.run` while `kp.pre_handler` is
   * `handler.pre` (null: as registered again); what it throws is reported
   * through the handler frame.
   *
   * @param kp A kprobe of the machinery.
   * @param handler The direct form, or null.
   */
  setDirect(kp: Kprobe, handler: DirectPreHandler | null): void {
    if (handler === null) this.#direct.delete(kp);
    else this.#direct.set(kp, handler);
    this.#epoch++;
  }

  /**
   * Counts a hit that ran no handler on every kprobe of `pp`.
   * Linux: kprobes_inc_nmissed_count().
   *
   * @param pp The probe point.
   */
  incNmissed(pp: ProbePoint): void {
    for (const m of pp.members) m.nmissed = (m.nmissed ?? 0) + 1;
  }

  /**
   * Runs the pre-handlers, newest kprobe first. Linux: aggr_pre_handler().
   *
   * @param pp The probe point hit.
   * @param kcb The CPU's control block (`instance` names the running kprobe).
   * @param cpu The CPU.
   * @param regs Its `pt_regs` view.
   * @returns Non-zero when one asked to skip the single-step.
   */
  pre(pp: ProbePoint, kcb: KprobeCtlblk, cpu: ArchCpu & { id: number }, regs: PtRegsView): number {
    const members = pp.members;
    let c = pp.memberCache;
    if (c === null || c[0] !== this.#epoch) c = this.#memberCache(pp);
    for (let i = 0; i < members.length; i++) {
      const m = members[i];
      const h = m.pre_handler;
      if (!h || (this.#disabled.size !== 0 && this.#disabled.has(m))) continue;
      kcb.instance = m;
      const at = 1 + 3 * i;
      const d = c[at] as DirectPreHandler | undefined;
      const r = d !== undefined && d.pre === h
        ? this.#runDirect(d, m, cpu, regs as unknown as PtRegs)
        : m === pp.breakMember && (h === c[at + 2] || this.#selfBound.has(h))
        ? (h as unknown as SelfBoundPreHandler)(m, regs, cpu)
        : this.#host.invoke(
          c[at + 1] as string | null,
          "pre_handler",
          cpu,
          h,
          m,
          regs as unknown as PtRegs,
          0,
        );
      kcb.instance = null;
      if (r) return 1;
    }
    return 0;
  }

  // Per member of `pp` (from index 1, three each): its direct form or
  // undefined, its owner, its pre_handler when that is self-bound (else
  // null); index 0 holds the epoch. Kept in `pp` until members change.
  #memberCache(pp: ProbePoint): unknown[] {
    const c: unknown[] = [this.#epoch];
    for (const m of pp.members) {
      const h = m.pre_handler;
      c.push(
        this.#direct.get(m),
        this.#owners.get(m) ?? null,
        h && this.#selfBound.has(h) ? h : null,
      );
    }
    pp.memberCache = c;
    return c;
  }

  // A direct pre-handler; what it throws is reported through the handler
  // frame, as the same throw from `pre` would have been.
  #runDirect(d: DirectPreHandler, m: Kprobe, cpu: ArchCpu & { id: number }, regs: PtRegs): number {
    try {
      return d.run(cpu, regs);
    } catch (e) {
      const rethrow = (): number => {
        throw e;
      };
      return this.#host.invoke(
        this.#owners.get(m) ?? null,
        "pre_handler",
        cpu,
        rethrow,
        m,
        regs,
        0,
      ) ??
        0;
    }
  }

  /**
   * Runs the post-handlers after the single-step. Linux: aggr_post_handler().
   *
   * @param pp The probe point.
   * @param kcb The CPU's control block.
   * @param cpu The CPU.
   * @param regs Its `pt_regs` view.
   */
  post(pp: ProbePoint, kcb: KprobeCtlblk, cpu: ArchCpu & { id: number }, regs: PtRegsView): void {
    const members = pp.members;
    for (let i = 0; i < members.length; i++) {
      const m = members[i];
      const h = m.post_handler;
      if (!h || (this.#disabled.size !== 0 && this.#disabled.has(m))) continue;
      kcb.instance = m;
      this.#host.invoke(
        this.#owners.get(m) ?? null,
        "post_handler",
        cpu,
        h,
        m,
        regs as unknown as PtRegs,
        0,
      );
      kcb.instance = null;
    }
  }

  /**
   * Runs the break handler of a jprobe's kprobe. Linux: aggr_break_handler().
   *
   * @param m The kprobe with the break handler.
   * @param cpu The CPU.
   * @param regs Its `pt_regs` view.
   * @returns true when it took the trap (returned non-zero); false when it threw.
   */
  brk(m: Kprobe, cpu: ArchCpu & { id: number }, regs: PtRegsView): boolean {
    return !!this.#host.invoke(
      this.#owners.get(m) ?? null,
      "break_handler",
      cpu,
      m.break_handler!,
      m,
      regs as unknown as PtRegs,
      0,
    );
  }

  /**
   * Runs fault handlers until one claims the fault. Linux: aggr_fault_handler().
   *
   * @param pp The active probe point.
   * @param only The one kprobe whose handler was running, or null for all of `pp`.
   * @param cpu The faulting CPU.
   * @param regs Its `pt_regs` view.
   * @param trapnr The arch trap number.
   * @returns true when a handler claimed it.
   */
  fault(
    pp: ProbePoint,
    only: Kprobe | null,
    cpu: ArchCpu & { id: number },
    regs: PtRegsView,
    trapnr: number,
  ): boolean {
    for (const m of only !== null ? [only] : pp.members) {
      const h = m.fault_handler;
      if (!h) continue;
      const r = this.#host.invoke(
        this.#owners.get(m) ?? null,
        "fault_handler",
        cpu,
        h,
        m,
        regs as unknown as PtRegs,
        trapnr,
      );
      if (r) return true;
    }
    return false;
  }
}
