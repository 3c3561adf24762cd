// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The kprobe optimizer: after a probe has been armed for `delay` timer
 * ticks (Linux: OPTIMIZE_DELAY, 5 jiffies, the delayed optimizing_work),
 * the breakpoint of a probe point that may be optimized is replaced by a
 * jump to a detour buffer (an optinsn slot) prepared by the arch half. A
 * point may be optimized when optimization is on (`debug.kprobes-optimization`),
 * probes are armed, it is not Kprobes' own probe, no member has a
 * post_handler or a break_handler (a jprobe), and the arch half accepts its
 * instructions. Disarming, unregistering, a post_handler joining, a probe
 * registered inside the replaced bytes, or switching optimization off
 * unoptimizes first: the breakpoint and the original bytes go back.
 * Linux: the optimizer parts of kernel/kprobes.c (optimize_kprobe(),
 * unoptimize_kprobe(), kprobe_optimizer(), proc_kprobes_optimization_handler()).
 *
 * @module
 */

import type { Arch, ArchCpu, GuestMemory, OptKprobesArch } from "../arch/types.ts";
import { InsnSlots } from "./insn_slot.ts";
import { mayResumeIn, resumePoints } from "./_may_resume.ts";
import type { ProbePoint } from "./probe_point.ts";

/** Linux: OPTIMIZE_DELAY, in timer ticks. */
export const OPTIMIZE_DELAY = 5;

/** A point's optimized state. Linux: `struct optimized_kprobe`'s optinsn. */
export interface OptimizedState {
  /** The detour buffer. */
  detour: bigint;
  /** Index of the detour in the optinsn area. */
  index: number;
  /** The original bytes the jump and what follows it up to the copied length cover. */
  original: Uint8Array;
}

/** What the optimizer needs from the Kprobes core. */
export interface OptimizerCore {
  /** The arch. */
  readonly arch: Arch;
  /** Guest memory. */
  readonly memory: GuestMemory;
  /** The CPUs whose program counters and stacks must not be inside replaced bytes. */
  readonly cpus: readonly ArchCpu[];
  /**
   * The saved kernel stack pointers of the tasks not on a CPU: their
   * stacks, too, must hold no PC inside replaced bytes or a detour reused.
   */
  savedStacks(): bigint[];
  /** Every probe point. */
  points(): Iterable<ProbePoint>;
  /** Is another armed probe point at `addr`? */
  armedAt(addr: bigint): boolean;
  /** Text as the image has it. Linux: recover_probed_instruction(). */
  readOriginal(addr: bigint, n: number): Uint8Array;
  /** Start and size of the function holding `addr`. */
  functionOf(addr: bigint): { start: bigint; size: bigint } | undefined;
  /** Does `addr` have an `__ex_table` entry? */
  inExceptionTable(addr: bigint): boolean;
  /** May this point be optimized now (armed, no post or break handler, not internal)? */
  optimizable(pp: ProbePoint): boolean;
  /** Is a CPU handling this point (current or interrupted probe)? */
  handling(pp: ProbePoint): boolean;
}

/** The optimizer of one Kprobes core. */
export class KprobeOptimizer {
  readonly #core: OptimizerCore;
  /** The arch half. */
  readonly arch: OptKprobesArch;
  readonly #slots: InsnSlots;
  readonly #byIndex: (ProbePoint | null)[];
  readonly #startLo: number;
  readonly #startHi: number;
  readonly #start: bigint;
  readonly #areaSize: number;
  /** Low half of the first detour's call-in end (the PC at its stop). */
  readonly #callInLo: number;
  /** `detourSize - 1` (a power of two). */
  readonly #detourMask: number;
  /** log2(detourSize). */
  readonly #detourShift: number;
  /**
   * Per detour: the probe address and length of the instructions copied
   * into it, kept after unoptimizing (a CPU may still be in the detour)
   * until the detour is reused.
   */
  readonly #copied: ({ addr: bigint; len: number } | null)[];
  /** Points waiting for the optimizer, with the tick they may be optimized at. */
  readonly #queue = new Map<ProbePoint, number>();
  #enabled: boolean;
  #delay: number;
  #jiffies = 0;
  /** Why the latest attempt on a point did not optimize it (tests, listings). */
  readonly reasons: Map<ProbePoint, string> = new Map();

  /**
   * Creates the optimizer over the optinsn area `[start, end)`.
   *
   * @param core The Kprobes core's view.
   * @param arch The arch half.
   * @param area The optinsn slot area.
   * @param options Initial switch and delay.
   */
  constructor(
    core: OptimizerCore,
    arch: OptKprobesArch,
    area: readonly [bigint, bigint],
    options: { enabled: boolean; delay: number },
  ) {
    this.#core = core;
    this.arch = arch;
    this.#slots = new InsnSlots(area[0], area[1], arch.detourSize, () => this.#detourQuiescent());
    this.#start = area[0];
    this.#startLo = Number(area[0] & 0xffffffffn);
    this.#startHi = Number(area[0] >> 32n);
    this.#areaSize = Number(area[1] - area[0]);
    this.#callInLo = (this.#startLo + arch.callInEnd) >>> 0;
    this.#detourMask = arch.detourSize - 1;
    this.#detourShift = 31 - Math.clz32(arch.detourSize);
    this.#byIndex = new Array(Math.max(0, Math.floor(this.#areaSize / arch.detourSize))).fill(null);
    this.#copied = new Array(this.#byIndex.length).fill(null);
    this.#enabled = options.enabled;
    this.#delay = options.delay;
  }

  /** Whether optimization is on (Linux: sysctl debug.kprobes-optimization). */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Ticks a point waits before it is optimized. */
  get delay(): number {
    return this.#delay;
  }

  /**
   * Turns optimization on (every point that may be is queued) or off
   * (every optimized point is unoptimized at once).
   * Linux: optimize_all_kprobes()/unoptimize_all_kprobes().
   *
   * @param on The switch.
   */
  setEnabled(on: boolean): void {
    if (on === this.#enabled) return;
    this.#enabled = on;
    for (const pp of this.#core.points()) this.request(pp);
  }

  /**
   * Sets the optimizer's delay in ticks (0: optimize at once).
   *
   * @param ticks The delay.
   */
  setDelay(ticks: number): void {
    this.#delay = ticks;
  }

  /**
   * Brings `pp` in line with the rules after any change to it: queues it
   * for optimization, or unoptimizes it now when it may no longer be.
   *
   * @param pp The point.
   */
  request(pp: ProbePoint): void {
    const want = this.#enabled && this.#core.optimizable(pp);
    if (!want) {
      this.#queue.delete(pp);
      if (pp.opt !== null) this.unoptimize(pp);
      return;
    }
    if (pp.opt !== null) return;
    if (this.#delay === 0 && this.#tryOptimize(pp) !== "busy") {
      this.#queue.delete(pp);
      return;
    }
    if (!this.#queue.has(pp)) this.#queue.set(pp, this.#jiffies + Math.max(1, this.#delay));
  }

  /** Forgets `pp` (unregistered): unoptimizes it first. */
  remove(pp: ProbePoint): void {
    this.#queue.delete(pp);
    this.reasons.delete(pp);
    if (pp.opt !== null) this.unoptimize(pp);
  }

  /**
   * Unoptimizes every optimized point whose replaced bytes hold `addr`
   * after their first byte (a probe is being placed there).
   * Linux: get_optimized_kprobe() + unoptimize_kprobe(…, true) in __arm_kprobe().
   *
   * @param addr The new probe's address.
   */
  unoptimizeCovering(addr: bigint): void {
    for (const pp of this.#core.points()) {
      const o = pp.opt;
      if (o !== null && addr > pp.addr && addr < pp.addr + BigInt(o.original.length)) {
        this.unoptimize(pp);
      }
    }
  }

  /**
   * One timer tick: optimizes the points whose delay has passed.
   * Linux: kprobe_optimizer() as delayed work.
   */
  tick(): void {
    this.#jiffies++;
    if (this.#queue.size === 0) return;
    for (const [pp, due] of this.#queue) {
      if (due > this.#jiffies) continue;
      if (this.#tryOptimize(pp) === "busy") this.#queue.set(pp, this.#jiffies + 1);
      else this.#queue.delete(pp);
    }
  }

  /**
   * The point whose detour's call-in stopped `cpu`: undefined when the PC
   * is not just past a detour's call-in, null for a detour whose probe has
   * been unoptimized since (the CPU was already on its way in).
   *
   * @param cpu The stopped CPU.
   * @returns The point, null or undefined.
   */
  pointAt(cpu: ArchCpu): ProbePoint | null | undefined {
    const a = this.arch;
    if (a.pcHi(cpu) !== this.#startHi) return undefined;
    const d = (a.pcLo(cpu) - this.#callInLo) >>> 0;
    if (d >= this.#areaSize || (d & this.#detourMask) !== 0) return undefined;
    return this.#byIndex[d >>> this.#detourShift];
  }

  /**
   * The probed address whose copy in a detour is at `pc`: the detours run
   * the probed instructions relocated but at the same offsets after the
   * call-in, so a fault there is reported, and handled, as the original
   * instruction's. Null when `pc` is not on a copied instruction.
   *
   * @param pc A program counter.
   * @returns The original address, or null.
   */
  originalPc(pc: bigint): bigint | null {
    const d = pc - this.#start;
    if (d < 0n || d >= BigInt(this.#areaSize)) return null;
    const index = Number(d) >>> this.#detourShift;
    const c = this.#copied[index];
    if (c === null) return null;
    const k = Number(d) - (index << this.#detourShift) - this.arch.callInEnd;
    return k >= 0 && k < c.len ? c.addr + BigInt(k) : null;
  }

  /**
   * Puts the breakpoint back over an optimized point (then its original
   * bytes after it). Linux: arch_unoptimize_kprobe().
   *
   * @param pp The point.
   */
  unoptimize(pp: ProbePoint): void {
    const o = pp.opt;
    if (o === null) return;
    this.arch.unoptimize(pp, o.original, this.#core.memory);
    this.#byIndex[o.index] = null;
    // A CPU may be inside the detour (interrupted after the jump): its
    // bytes stay until the slot is collected and reused.
    this.#slots.free(o.detour, true);
    pp.opt = null;
    if (this.#enabled && this.#core.optimizable(pp)) {
      this.#queue.set(pp, this.#jiffies + Math.max(1, this.#delay));
    }
  }

  /**
   * Releases the detour buffers no task can be in any more (a CPU's PC, or
   * a word of a running or switched-out task's stack, there).
   */
  collect(): void {
    this.#slots.collect();
  }

  /** The test of whether a freed detour may be reused (see collect()). */
  #detourQuiescent(): (slot: bigint, size: number) => boolean {
    const core = this.#core;
    const end = this.#start + BigInt(this.#areaSize);
    const points = resumePoints(
      core.arch,
      core.memory,
      core.cpus,
      this.#start,
      end,
      core.savedStacks(),
    );
    return (slot, size) => {
      for (const p of points) if (p >= slot && p < slot + BigInt(size)) return false;
      return true;
    };
  }

  /** Linux: optimize_kprobe() + arch_prepare_optimized_kprobe() + arch_optimize_kprobes(). */
  #tryOptimize(pp: ProbePoint): "done" | "refused" | "busy" {
    const core = this.#core;
    if (!this.#enabled || !core.optimizable(pp)) return "refused";
    if (core.handling(pp)) return "busy";
    const detour = this.#slots.get();
    if (detour === 0n) {
      this.reasons.set(pp, "no free detour buffer");
      return "refused";
    }
    const fn = core.functionOf(pp.addr);
    let reason = "";
    const buf = new Uint8Array(this.arch.detourSize);
    const len = this.arch.prepareOptimized(pp, detour, buf, {
      memory: core.memory,
      readText: (a, n) => core.readOriginal(a, n),
      functionStart: fn?.start,
      functionSize: fn?.size ?? 0n,
      inExceptionTable: (a) => core.inExceptionTable(a),
      probeAt: (a) => core.armedAt(a),
      refuse: (r) => {
        reason = r;
      },
    });
    if (len < 0) {
      this.#slots.free(detour, false);
      this.reasons.set(pp, reason || `error ${len}`);
      return "refused";
    }
    // A CPU in the point's boosted slot jumps back after the first
    // instruction: into the replaced bytes.
    if (this.#occupied(pp.addr, len) || (pp.boosted && this.#occupied(pp.slot - 1n, 17))) {
      this.#slots.free(detour, false);
      return "busy";
    }
    const original = core.readOriginal(pp.addr, len);
    const m = core.memory;
    m.pokeText(Number(detour >> 32n), Number(detour & 0xffffffffn), buf);
    const index = Number(detour - this.#start) / this.arch.detourSize;
    pp.opt = { detour, index, original };
    this.#byIndex[index] = pp;
    this.#copied[index] = { addr: pp.addr, len };
    this.arch.optimize(pp, detour, m);
    this.reasons.delete(pp);
    return "done";
  }

  /**
   * Could a task resume inside `(addr, addr + len)`: a CPU's PC there, or
   * a return address or interrupted PC there on the stack of a running task
   * or of one asleep or preempted? Linux waits for that with
   * synchronize_rcu_tasks(); the optimizer retries next tick.
   */
  #occupied(addr: bigint, len: number): boolean {
    const core = this.#core;
    return mayResumeIn(core.arch, core.memory, core.cpus, addr, len, core.savedStacks());
  }
}
