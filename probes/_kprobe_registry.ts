// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The registration half of the Kprobes core: the probe table and what
 * changes it (address resolution and refusals, register/unregister, arming,
 * enable/disable, the optimizer's hookup, slot garbage collection). The
 * trap-time half, `KprobesCore` in kprobes.ts, reads the table through
 * {@linkcode KprobeRegistry.lookup} and the shared owner and disabled
 * records. Private to probes/: `KprobesCore` is the public face of both.
 * Linux: kernel/kprobes.c (register_kprobe() and friends).
 *
 * @module
 */

import type { Arch, ArchCpu } from "../arch/types.ts";
import { EEXIST, EINVAL, ENOMEM } from "../kernel-model/errno.ts";
import type { KprobeCtlblk } from "./ctlblk.ts";
import { InsnSlots } from "./insn_slot.ts";
import { resumePoints } from "./_may_resume.ts";
import { KprobeOptimizer, OPTIMIZE_DELAY, type OptimizerCore } from "./kprobes_opt.ts";
import {
  type KprobesHost,
  OPTINSN_AREA_SIZE,
  type ProbeRefusal,
  type RegisteredKprobe,
  type UnknownSymbol,
} from "./kprobes_host.ts";
import { ProbeAddressRules } from "./_probe_address.ts";
import { ProbePoint } from "./probe_point.ts";
import { checkKprobe } from "./validate.ts";
import { type Kprobe, KPROBE_FLAG_DISABLED, KPROBE_FLAG_GONE } from "./types.ts";

/**
 * The probe table of one kernel and the rules that change it. Every public
 * method but the three read by the trap path backs the `KprobesCore` method
 * of the same name, documented there.
 */
export class KprobeRegistry {
  readonly #host: KprobesHost;
  readonly #arch: Arch;
  readonly #table = new Map<number, ProbePoint>();
  /** The point of the latest lookup hit (a heap-number Map key hashes slowly). */
  #last: ProbePoint | null = null;
  readonly #registered = new Map<Kprobe, ProbePoint>();
  readonly #owners = new Map<Kprobe, string | null>();
  readonly #internal = new Set<Kprobe>();
  /** Disabled kprobes: the core's own record, mirrored into each `kp.flags`. */
  readonly #disabled = new Set<Kprobe>();
  /** The per-CPU control blocks (owned by the trap half; read for slot reuse). */
  readonly #ctl: readonly KprobeCtlblk[];
  readonly #slots: InsnSlots;
  readonly #opt: KprobeOptimizer | null = null;
  readonly #rules: ProbeAddressRules;
  #enabled = true;
  /** Who registered each kprobe (null: the host); read by the trap half to bind handlers. */
  readonly owners: ReadonlyMap<Kprobe, string | null> = this.#owners;
  /** The disabled kprobes; read by the trap half to skip their handlers. */
  readonly disabled: ReadonlySet<Kprobe> = this.#disabled;

  /**
   * Creates the table of a kernel.
   *
   * @param host The kernel's services.
   * @param ctl The per-CPU control blocks (a probe current on a CPU keeps its slot).
   */
  constructor(host: KprobesHost, ctl: readonly KprobeCtlblk[]) {
    this.#host = host;
    this.#arch = host.arch;
    this.#ctl = ctl;
    const size = (host.arch.kprobes.maxInsnSize + 15) & ~15;
    const [slotsStart, slotsEnd] = host.insnSlots;
    const optArch = host.arch.kprobes.optimized;
    const split = optArch !== undefined && host.cpus !== undefined &&
        slotsEnd - slotsStart >= BigInt(2 * OPTINSN_AREA_SIZE)
      ? slotsEnd - BigInt(OPTINSN_AREA_SIZE)
      : slotsEnd;
    this.#slots = new InsnSlots(
      slotsStart,
      split,
      size,
      () => this.#slotQuiescent(slotsStart, split),
    );
    if (split !== slotsEnd && optArch !== undefined && host.cpus !== undefined) {
      this.#opt = new KprobeOptimizer(
        this.#optimizerCore(host.cpus),
        optArch,
        [split, slotsEnd],
        host.optimization ?? { enabled: true, delay: OPTIMIZE_DELAY },
      );
    }
    this.#rules = new ProbeAddressRules(host);
  }

  /**
   * The probe point at address `(hi << 32) | lo`, or null. Hot: the
   * breakpoint trap's lookup.
   *
   * @param lo Low 32 bits of the address.
   * @param hi High 32 bits.
   * @returns The point, or null.
   */
  lookup(lo: number, hi: number): ProbePoint | null {
    const l = this.#last;
    if (l !== null && l.lo === lo && l.hi === hi) return l;
    const pp = this.#table.get(lo);
    if (pp === undefined || pp.hi !== hi) return null;
    this.#last = pp;
    return pp;
  }

  /**
   * The probe point of a registered internal kprobe (the machinery's own),
   * or undefined.
   *
   * @param kp The kprobe.
   * @returns Its point, when `kp` was registered through registerInternal().
   */
  internalPoint(kp: Kprobe): ProbePoint | undefined {
    if (kp === this.#lastInternal) return this.#lastInternalPoint;
    const pp = this.#internal.has(kp) ? this.#registered.get(kp) : undefined;
    this.#lastInternal = kp;
    this.#lastInternalPoint = pp;
    return pp;
  }

  /** The kprobe internalPoint() last answered for (dropped by any register or unregister). */
  #lastInternal: Kprobe | null = null;
  /** Its answer. */
  #lastInternalPoint: ProbePoint | undefined = undefined;

  /**
   * The registered point whose boosted slot starts at `pc`, or null.
   * Linux has no such lookup: a fault in a boosted slot there reports the
   * slot's address.
   *
   * @param pc A program counter.
   * @returns The point.
   */
  boostedSlotAt(pc: bigint): ProbePoint | null {
    const [start, end] = this.#host.insnSlots;
    if (pc < start || pc >= end) return null;
    for (const pp of this.#table.values()) if (pp.boosted && pp.slot === pc) return pp;
    return null;
  }

  /** The optimizer, or null when this arch or boot has none. */
  get optimizer(): KprobeOptimizer | null {
    return this.#opt;
  }

  /**
   * Reads `n` bytes of text at `addr` as the image has them: every armed
   * probe's saved bytes over its breakpoint.
   * Linux: recover_probed_instruction().
   */
  #readOriginal(addr: bigint, n: number): Uint8Array {
    const m = this.#host.memory;
    const out = new Uint8Array(n);
    let got = 0;
    try {
      for (; got < n; got++) {
        const a = addr + BigInt(got);
        out[got] = m.read8(Number((a >> 32n) & 0xffffffffn), Number(a & 0xffffffffn));
      }
    } catch {
      // Memory ends here: the caller sees a short read.
    }
    const end = addr + BigInt(got);
    for (const pp of this.#table.values()) {
      if (!pp.armed) continue;
      const saved = pp.opt !== null ? pp.opt.original : pp.saved;
      if (pp.addr + BigInt(saved.length) <= addr || pp.addr >= end) continue;
      for (let i = 0; i < saved.length; i++) {
        const j = pp.addr + BigInt(i) - addr;
        if (j >= 0n && j < BigInt(got)) out[Number(j)] = saved[i];
      }
    }
    return out.subarray(0, got);
  }

  /** Would register_kprobe() accept `addr`? (KprobesCore.checkProbeAddress()). */
  checkProbeAddress(addr: bigint): ProbeRefusal | null {
    const a = BigInt.asUintN(this.#arch.bits, addr);
    const refused = this.#rules.refusal(a, false);
    if (refused !== null) return refused;
    if (this.lookup(Number(a & 0xffffffffn), Number(a >> 32n)) !== null) return null;
    let reason = "";
    const scratch = new ProbePoint(a);
    const ret = this.#arch.kprobes.prepareKprobe(scratch, {
      memory: this.#host.memory,
      functionStart: this.#host.functionStart(a),
      readText: (at, n) => this.#readOriginal(at, n),
      getInsnSlot: () => 0n, // a dry run: the arch stops before copying anything
      refuse: (r) => {
        reason = r;
      },
    });
    if (ret === 0 || (ret === -ENOMEM && reason === "")) return null;
    return { errno: -ret, reason: reason || `error ${ret}` };
  }

  /** Text as the image has it, saved bytes over breakpoints. Linux: recover_probed_instruction(). */
  readText(addr: bigint, n: number): Uint8Array {
    return this.#readOriginal(addr, n);
  }

  /** Linux: register_kprobe() (§4.1); 0 or a negative errno. */
  register(p: Kprobe): number {
    return checkKprobe(p, this.#arch.bits) || this.#register(p, false);
  }

  /** Registers a probe of the machinery itself (may sit in `.kprobes.text`). */
  registerInternal(p: Kprobe): number {
    const ret = this.#register(p, true);
    if (ret === 0) this.#internal.add(p);
    this.#lastInternal = null;
    return ret;
  }

  /** The address `p` would be registered at, or -errno as a negative bigint. */
  resolveAddress(p: Kprobe): bigint {
    return this.#rules.resolve(p);
  }

  /** The symbol_name the latest resolution missed (with suggestions), forgotten once read. */
  takeUnknownSymbol(): UnknownSymbol | null {
    return this.#rules.takeUnknownSymbol();
  }

  /** The module that registered `p`, or null. */
  ownerOf(p: Kprobe): string | null {
    return this.#owners.get(p) ?? null;
  }

  /** register_kprobe()'s work, with the .kprobes.text check waived for `internal`. */
  #register(p: Kprobe, internal: boolean): number {
    this.#lastInternal = null;
    if (this.#registered.has(p)) {
      this.#host.warn(
        `kprobes: kprobe at ${this.#rules.where(BigInt(p.addr ?? 0))} is already registered`,
      );
      return -EINVAL;
    }
    const addr = this.#rules.resolve(p);
    if (addr < 0n) return Number(addr);
    const refused = this.#rules.refusal(addr, internal);
    if (refused !== null) {
      this.#host.warn(`kprobes: cannot probe ${this.#rules.where(addr)}: ${refused.reason}`);
      return -refused.errno;
    }
    p.addr = this.#arch.bits === 64 ? addr : Number(addr);
    p.nmissed = 0;
    // A breakpoint must not land inside an optimized probe's jump.
    this.#opt?.unoptimizeCovering(addr);
    // Linux: `p->flags &= KPROBE_FLAG_DISABLED`: a disabled kprobe is
    // registered but not armed until enable_kprobe().
    const disabled = (Number(p.flags ?? 0) & KPROBE_FLAG_DISABLED) !== 0;
    p.flags = disabled ? KPROBE_FLAG_DISABLED : 0;
    const pp0 = this.lookup(Number(addr & 0xffffffffn), Number(addr >> 32n));
    if (pp0 !== null) {
      // Linux add_new_kprobe(): a jprobe (break handler) goes last, any
      // other probe first, so the newest kprobe's handlers run first.
      if (p.break_handler) {
        if (pp0.breakMember !== null) {
          this.#host.warn(`kprobes: ${this.#rules.where(addr)} already has a jprobe`);
          return -EEXIST;
        }
        pp0.breakMember = p;
        pp0.members.push(p);
      } else pp0.members.unshift(p);
      pp0.memberCache = null;
      this.#registered.set(p, pp0);
      this.#owners.set(p, this.#host.currentOwner());
      if (disabled) this.#disabled.add(p);
      this.#syncArm(pp0);
      return 0;
    }
    const pp = new ProbePoint(addr);
    let reason = "";
    const ret = this.#arch.kprobes.prepareKprobe(pp, {
      memory: this.#host.memory,
      functionStart: this.#host.functionStart(addr),
      readText: (a, n) => this.#readOriginal(a, n),
      getInsnSlot: () => this.#slots.get(),
      refuse: (r) => {
        reason = r;
      },
      inExceptionTable: (a) => this.#host.inExceptionTable?.(a) ?? false,
    });
    if (ret === 0 && pp.slot === 0n) reason = "no free instruction slot";
    if (ret !== 0 || pp.slot === 0n) {
      if (pp.slot !== 0n) this.#slots.free(pp.slot, false);
      if (ret === -ENOMEM) reason ||= "no free instruction slot";
      this.#host.warn(
        `kprobes: cannot probe ${this.#rules.where(addr)}: ${reason || `error ${ret}`}`,
      );
      return ret !== 0 ? ret : -ENOMEM;
    }
    pp.members.push(p);
    pp.memberCache = null;
    if (p.break_handler) pp.breakMember = p;
    this.#table.set(pp.lo, pp);
    this.#registered.set(p, pp);
    this.#owners.set(p, this.#host.currentOwner());
    if (disabled) this.#disabled.add(p);
    this.#syncArm(pp);
    return 0;
  }

  /** Linux: unregister_kprobe() (§4.4); text restored when the last probe at the address goes. */
  unregister(p: Kprobe): void {
    this.#lastInternal = null;
    const pp = this.#registered.get(p);
    if (pp === undefined) return;
    this.#registered.delete(p);
    this.#owners.delete(p);
    this.#disabled.delete(p);
    const i = pp.members.indexOf(p);
    if (i >= 0) pp.members.splice(i, 1);
    pp.memberCache = null;
    if (pp.breakMember === p) pp.breakMember = null;
    if (pp.members.length > 0) {
      // Linux __unregister_kprobe_top(): the others may all be disabled.
      this.#syncArm(pp);
      return;
    }
    this.#opt?.remove(pp);
    if (pp.armed) this.#arch.kprobes.disarmKprobe(pp, this.#host.memory);
    pp.armed = false;
    this.#table.delete(pp.lo);
    if (this.#last === pp) this.#last = null;
    // Two-phase removal: a CPU may still be single-stepping in the slot.
    // A boosted slot is run with no probe current (Linux frees it dirty).
    const busy = pp.boosted || this.#ctl.some((k) => k.current === pp || k.prev.point === pp);
    this.#slots.free(pp.slot, busy);
    this.#requestNear(pp.addr);
  }

  /**
   * Queues the points an armed probe at `addr` may have kept from being
   * optimized (it sat inside their replaced bytes). Linux: __disarm_kprobe()'s
   * re-optimization of a blocked probe.
   */
  #requestNear(addr: bigint): void {
    const opt = this.#opt;
    if (opt === null) return;
    for (const pp of this.#table.values()) {
      if (pp.addr < addr && pp.addr + 20n > addr && pp.opt === null) opt.request(pp);
    }
  }

  /** Is `p` registered? */
  isRegistered(p: Kprobe): boolean {
    return this.#registered.has(p);
  }

  /** Every registered kprobe, in registration order. */
  list(): RegisteredKprobe[] {
    const out: RegisteredKprobe[] = [];
    for (const [kp, pp] of this.#registered) {
      if (this.#internal.has(kp)) continue;
      out.push({
        kp,
        addr: pp.addr,
        nhit: pp.nhit,
        owner: this.#owners.get(kp) ?? null,
        disabled: this.#disabled.has(kp),
        optimized: pp.opt !== null,
      });
    }
    return out;
  }

  /** Hits of the probe point of `p`; -1 when unregistered. */
  hits(p: Kprobe): number {
    return this.#registered.get(p)?.nhit ?? -1;
  }

  /** Kprobes registered by `owner` (a module name). */
  ownedBy(owner: string): Kprobe[] {
    const out: Kprobe[] = [];
    for (const [kp, o] of this.#owners) if (o === owner) out.push(kp);
    return out;
  }

  /** Whether probes are armed (debugfs `enabled`). */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Arms or disarms every probe. Linux: arm_all_kprobes()/disarm_all_kprobes(). */
  setEnabled(on: boolean): void {
    if (on === this.#enabled) return;
    this.#enabled = on;
    for (const pp of this.#table.values()) this.#syncArm(pp);
  }

  /** Is `p` registered and disabled? Linux: kprobe_disabled(). */
  isDisabled(p: Kprobe): boolean {
    return this.#disabled.has(p);
  }

  /** Linux: disable_kprobe(); 0 or -EINVAL. */
  disable(p: Kprobe): number {
    const pp = this.#registered.get(p);
    if (pp === undefined || this.#internal.has(p)) return -EINVAL;
    if (this.#disabled.has(p)) return 0;
    this.#disabled.add(p);
    this.#mirrorFlags(p, true);
    this.#syncArm(pp);
    return 0;
  }

  /** Linux: enable_kprobe(); 0 or -EINVAL (unregistered or gone). */
  enable(p: Kprobe): number {
    const pp = this.#registered.get(p);
    if (pp === undefined || this.#internal.has(p)) return -EINVAL;
    if (this.#gone(p)) return -EINVAL;
    if (!this.#disabled.has(p)) return 0;
    this.#disabled.delete(p);
    this.#mirrorFlags(p, false);
    this.#syncArm(pp);
    return 0;
  }

  /** Is KPROBE_FLAG_GONE set on `p`? Read without running user code. */
  #gone(p: Kprobe): boolean {
    const d = Object.getOwnPropertyDescriptor(p, "flags");
    return d !== undefined && "value" in d && typeof d.value === "number" &&
      (d.value & KPROBE_FLAG_GONE) !== 0;
  }

  /** Sets or clears KPROBE_FLAG_DISABLED in `p.flags` (the user's view); never throws. */
  #mirrorFlags(p: Kprobe, disabled: boolean): void {
    try {
      const d = Object.getOwnPropertyDescriptor(p, "flags");
      const old = d !== undefined && "value" in d && typeof d.value === "number" ? d.value : 0;
      p.flags = disabled ? old | KPROBE_FLAG_DISABLED : old & ~KPROBE_FLAG_DISABLED;
    } catch {
      // Frozen or redefined since registration: the core's record decides.
    }
  }

  /**
   * Arms `pp` when probes are enabled and one of its kprobes is, disarms it
   * otherwise. Linux: arm_kprobe()/disarm_kprobe() as enable/disable use them.
   */
  #syncArm(pp: ProbePoint): void {
    let want = false;
    if (this.#enabled) {
      for (const m of pp.members) {
        if (!this.#disabled.has(m)) {
          want = true;
          break;
        }
      }
    }
    if (want && !pp.armed) {
      // Linux __arm_kprobe(): an optimized probe whose jump covers this
      // address goes back to a breakpoint first.
      this.#opt?.unoptimizeCovering(pp.addr);
      this.#arch.kprobes.armKprobe(pp, this.#host.memory);
    }
    if (!want && pp.armed) {
      // Unoptimize first: the breakpoint goes back, then the original byte.
      this.#opt?.remove(pp);
      this.#arch.kprobes.disarmKprobe(pp, this.#host.memory);
    }
    const changed = pp.armed !== want;
    pp.armed = want;
    if (this.#opt !== null) {
      this.#opt.request(pp);
      if (changed && !want) this.#requestNear(pp.addr);
    }
  }

  // ------------------------------------------------------------ optimizer

  #optimizerCore(cpus: readonly ArchCpu[]): OptimizerCore {
    const host = this.#host;
    return {
      arch: this.#arch,
      memory: host.memory,
      cpus,
      savedStacks: () => host.savedStacks?.() ?? [],
      points: () => this.#table.values(),
      armedAt: (a) => {
        const pp = this.lookup(Number(a & 0xffffffffn), Number(a >> 32n));
        return pp !== null && pp.armed;
      },
      readOriginal: (a, n) => this.#readOriginal(a, n),
      functionOf: (a) => {
        const fn = host.functionAt(a);
        if (fn === undefined) return undefined;
        return { start: fn.start, size: fn.symbolSize ? fn.symbolSize : fn.size };
      },
      inExceptionTable: (a) => host.inExceptionTable?.(a) ?? false,
      optimizable: (pp) => this.#optimizable(pp),
      handling: (pp) => this.#ctl.some((k) => k.current === pp || k.prev.point === pp),
    };
  }

  /**
   * May `pp` be optimized? Linux: kprobe_optready() and optimize_kprobe()'s
   * checks: armed, no post_handler, no break_handler (jprobe), and not a
   * probe of Kprobes' own code.
   */
  #optimizable(pp: ProbePoint): boolean {
    if (!pp.armed || !this.#enabled || pp.breakMember !== null || pp.hasPostHandler()) {
      return false;
    }
    if (this.#rules.inKprobesFunctions(pp.addr)) return false;
    for (const m of pp.members) if (this.#internal.has(m)) return false;
    return true;
  }

  /** Whether the optimizer may replace breakpoints by jumps (Linux: debug.kprobes-optimization). */
  get optimization(): boolean {
    return this.#opt?.enabled ?? false;
  }

  /** Turns optimization on or off; false when this arch has none. */
  setOptimization(on: boolean): boolean {
    if (this.#opt === null) return false;
    this.#opt.setEnabled(on);
    return true;
  }

  /** One timer tick for the optimizer (Linux: the delayed optimizing_work). */
  optimizerTick(): void {
    this.#opt?.tick();
  }

  /** Frees slots no task can be stepping in any more. Linux: collect_garbage_slots(). */
  collectSlots(): void {
    this.#slots.collect();
    this.#opt?.collect();
  }

  /**
   * The test of whether a dirty slot in `[start, end)` may be reused: no
   * CPU's probe (current or interrupted) has it, and no task can resume in
   * it (a PC, or a word of a running or switched-out task's kernel stack,
   * there: interrupted in a boosted slot). Linux waits for that with
   * synchronize_rcu_tasks() before collect_garbage_slots().
   */
  #slotQuiescent(start: bigint, end: bigint): (slot: bigint, size: number) => boolean {
    const busy = new Set<bigint>();
    for (const k of this.#ctl) {
      if (k.current !== null) busy.add(k.current.slot);
      if (k.prev.point !== null) busy.add(k.prev.point.slot);
    }
    const cpus = this.#host.cpus;
    const points = cpus === undefined
      ? []
      : resumePoints(this.#arch, this.#host.memory, cpus, start, end, this.#host.savedStacks?.());
    return (slot, size) => {
      if (busy.has(slot)) return false;
      for (const p of points) if (p >= slot && p < slot + BigInt(size)) return false;
      return true;
    };
  }
}
