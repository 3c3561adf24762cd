// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The architecture-independent Kprobes core: the probe table, registration
 * rules, the breakpoint / single-step / fault entry points called from the
 * die-notifier chain, reentrancy and `nmissed` accounting. It never reads an
 * instruction byte: everything about opcodes is the arch half's.
 * Linux: kernel/kprobes.c plus the generic parts of
 * arch/x86/kernel/kprobes.c (kprobe_handler, post_kprobe_handler,
 * kprobe_fault_handler).
 *
 * @module
 */

import type { Arch, ArchCpu, PtRegsView } from "../arch/types.ts";
import { STEP_BOOST, STEP_SINGLE } from "../arch/types.ts";
import { AggregateHandlers } from "./_aggregate.ts";
import { KprobeCtlblk } from "./ctlblk.ts";
import { KprobeRegistry } from "./_kprobe_registry.ts";
import type {
  DirectPreHandler,
  KprobesHost,
  ProbeRefusal,
  RegisteredKprobe,
  UnknownSymbol,
} from "./kprobes_host.ts";
import type { ProbePoint } from "./probe_point.ts";
import {
  type Kprobe,
  KPROBE_HIT_ACTIVE,
  KPROBE_HIT_SS,
  KPROBE_HIT_SSDONE,
  KPROBE_REENTER,
} from "./types.ts";

/**
 * The Kprobes core of one kernel. Registration and the probe table are
 * delegated to a private {@linkcode KprobeRegistry}; the trap-time half
 * (breakpoint, single-step, fault, optimized-probe entry) lives here and
 * runs the handlers through the aggregate of each probe point.
 */
export class KprobesCore {
  readonly #host: KprobesHost;
  readonly #arch: Arch;
  readonly #reg: KprobeRegistry;
  readonly #aggr: AggregateHandlers;
  readonly #ctl: KprobeCtlblk[] = [];
  readonly #regs: (PtRegsView | undefined)[] = [];
  /** Hits of probes with no post_handler may emulate or boost (KprobesHost.stepping). */
  readonly #fastStep: boolean;
  /** … and may boost. */
  readonly #boost: boolean;

  /**
   * Creates the core for a kernel.
   *
   * @param host The kernel's services.
   */
  constructor(host: KprobesHost) {
    this.#host = host;
    this.#arch = host.arch;
    for (let i = 0; i < host.nrCpus; i++) this.#ctl.push(new KprobeCtlblk());
    this.#fastStep = host.stepping?.emulate ?? true;
    this.#boost = this.#fastStep && (host.stepping?.boost ?? true);
    this.#reg = new KprobeRegistry(host, this.#ctl);
    this.#aggr = new AggregateHandlers(host, this.#reg.owners, this.#reg.disabled);
  }

  /** The per-CPU control block of CPU `id`. */
  ctlblk(id: number): KprobeCtlblk {
    return this.#ctl[id];
  }

  /**
   * Has `fn`, the pre-handler the machinery gives a kprobe that is its probe
   * point's break member (a jprobe's setjmp), called directly with the CPU
   * as a third argument, not through the host's handler invocation: it must
   * bind its own kernel context and never throw.
   *
   * @param fn The pre-handler.
   */
  callDirect(fn: object): void {
    this.#aggr.callDirect(fn);
  }

  /** Linux: kprobe_running(): the probe active on `cpuId`, as its first member. */
  running(cpuId: number): Kprobe | null {
    const cur = this.#ctl[cpuId].current;
    return cur === null ? null : cur.members[0] ?? null;
  }

  /**
   * Would `register_kprobe()` accept a kprobe at `addr`? The same rules in
   * the same order (kernel text, Kprobes' own code, padding, blacklist, then
   * the arch's `arch_prepare_kprobe()` checks: instruction boundary, an
   * instruction it can single-step), with no registration, no slot and no
   * text written. An address that already has a probe is accepted (a new
   * probe joins it). Not checked: a free instruction slot, and on x86_64
   * whether a RIP-relative operand reaches the slot (both depend on the slot
   * a registration would get).
   *
   * @param addr A kernel address.
   * @returns null when it may be probed; else the errno (positive, as
   * `-errno` would be returned) and the reason the log would give.
   */
  checkProbeAddress(addr: bigint): ProbeRefusal | null {
    return this.#reg.checkProbeAddress(addr);
  }

  /**
   * Reads `n` bytes of kernel text at `addr` as the image has them, every
   * armed probe's saved bytes over its breakpoint (what a disassembler
   * should show). Linux: recover_probed_instruction().
   *
   * @param addr The address.
   * @param n How many bytes.
   * @returns The bytes; shorter where memory ends.
   */
  readText(addr: bigint, n: number): Uint8Array {
    return this.#reg.readText(addr, n);
  }

  /**
   * Registers a kprobe. Linux: register_kprobe() (§4.1).
   *
   * @param p The kprobe.
   * @returns 0, or -EINVAL (already registered, bad or blacklisted address),
   * -ENOENT (unknown symbol), -EILSEQ (not an instruction boundary or an
   * unprobeable instruction), -EEXIST (second break handler at one address),
   * -ENOMEM (no instruction slot).
   */
  register(p: Kprobe): number {
    return this.#reg.register(p);
  }

  /**
   * Registers a probe of the machinery itself (the kretprobe trampoline,
   * the task-exit hook), which may sit in `.kprobes.text`.
   *
   * @param p The kprobe.
   * @returns 0 or a negative errno.
   */
  registerInternal(p: Kprobe): number {
    return this.#reg.registerInternal(p);
  }

  /**
   * The address a kprobe would be registered at, or a negative errno.
   *
   * @param p The kprobe.
   * @returns The address, or -errno as a negative bigint.
   */
  resolveAddress(p: Kprobe): bigint {
    return this.#reg.resolveAddress(p);
  }

  /**
   * The symbol_name the latest registration (or address resolution) failed
   * to find, with suggestions, and forgets it; null when the latest one
   * resolved. insmod names it when init_module fails with -ENOENT.
   *
   * @returns The unknown symbol, or null.
   */
  takeUnknownSymbol(): UnknownSymbol | null {
    return this.#reg.takeUnknownSymbol();
  }

  /**
   * Has the machinery's own pre-handler of `kp` (a return probe's entry)
   * called directly with the CPU, not through the handler-invocation frame,
   * while `kp.pre_handler` is `handler.pre`. Linux calls
   * pre_handler_kretprobe() as any pre_handler, with no such frame.
   *
   * @param kp The kprobe.
   * @param handler The direct form, or null to drop it.
   */
  setDirectPreHandler(kp: Kprobe, handler: DirectPreHandler | null): void {
    this.#aggr.setDirect(kp, handler);
  }

  /** The module that registered `p`, or null. */
  ownerOf(p: Kprobe): string | null {
    return this.#reg.owners.get(p) ?? null;
  }

  /**
   * Removes a kprobe; the original bytes are back in text when the last
   * probe at the address goes. Linux: unregister_kprobe() (§4.4).
   *
   * @param p The kprobe.
   */
  unregister(p: Kprobe): void {
    this.#reg.unregister(p);
  }

  /** Is `p` registered? */
  isRegistered(p: Kprobe): boolean {
    return this.#reg.isRegistered(p);
  }

  /** Every registered kprobe, in registration order. */
  list(): RegisteredKprobe[] {
    return this.#reg.list();
  }

  /**
   * Times the probe point of `p` ran its handlers (shared by all kprobes at
   * one address); -1 when `p` is not registered.
   *
   * @param p The kprobe.
   * @returns The hit count.
   */
  hits(p: Kprobe): number {
    return this.#reg.hits(p);
  }

  /** Kprobes registered by `owner` (a module name). */
  ownedBy(owner: string): Kprobe[] {
    return this.#reg.ownedBy(owner);
  }

  /** Whether probes are armed (debugfs `enabled`). */
  get enabled(): boolean {
    return this.#reg.enabled;
  }

  /**
   * Arms or disarms every probe. Linux: arm_all_kprobes()/disarm_all_kprobes().
   * Arming skips points whose kprobes are all disabled.
   */
  setEnabled(on: boolean): void {
    this.#reg.setEnabled(on);
  }

  /**
   * Is `p` registered and disabled? Linux: kprobe_disabled() of a
   * registered probe.
   *
   * @param p The kprobe.
   * @returns True for a registered, disabled kprobe.
   */
  isDisabled(p: Kprobe): boolean {
    return this.#reg.disabled.has(p);
  }

  /**
   * Disables a registered kprobe: it stays registered, its handlers stop
   * running, and its breakpoint leaves text once every kprobe at its
   * address is disabled. Disabling a disabled kprobe does nothing.
   * Linux: disable_kprobe().
   *
   * @param p The kprobe (any value: found by identity).
   * @returns 0, or -EINVAL when `p` is not a registered kprobe.
   */
  disable(p: Kprobe): number {
    return this.#reg.disable(p);
  }

  /**
   * Enables a registered kprobe: its handlers run again and its address is
   * armed (unless every probe is disarmed through `setEnabled(false)`: then
   * it is armed when probes are enabled again). Linux: enable_kprobe().
   *
   * @param p The kprobe (any value: found by identity).
   * @returns 0, or -EINVAL when `p` is not a registered kprobe or is gone
   * (KPROBE_FLAG_GONE).
   */
  enable(p: Kprobe): number {
    return this.#reg.enable(p);
  }

  /** Whether the optimizer may replace breakpoints by jumps (Linux: debug.kprobes-optimization). */
  get optimization(): boolean {
    return this.#reg.optimization;
  }

  /**
   * Turns kprobe optimization on or off; off unoptimizes every optimized
   * probe at once. Linux: proc_kprobes_optimization_handler().
   *
   * @param on The switch.
   * @returns false when this arch has no optimized kprobes.
   */
  setOptimization(on: boolean): boolean {
    return this.#reg.setOptimization(on);
  }

  /** One timer tick for the optimizer (Linux: the delayed optimizing_work). */
  optimizerTick(): void {
    this.#reg.optimizerTick();
  }

  /** Frees slots no CPU can be stepping in any more. Linux: collect_garbage_slots(). */
  collectSlots(): void {
    this.#reg.collectSlots();
  }

  // ------------------------------------------------------------ trap time

  /** The `pt_regs` view of `cpu`, cached per CPU. */
  #regsOf(cpu: ArchCpu & { id: number }): PtRegsView {
    let r = this.#regs[cpu.id];
    if (r === undefined) this.#regs[cpu.id] = r = this.#arch.ptRegs(cpu);
    return r;
  }

  /**
   * The breakpoint trap. Linux: kprobe_handler() via DIE_INT3.
   *
   * @param cpu The trapping CPU (its state is the saved `pt_regs`).
   * @returns true when Kprobes handled the trap.
   */
  onBreakpoint(cpu: ArchCpu & { id: number }): boolean {
    const kcb = this.#ctl[cpu.id];
    const ka = this.#arch.kprobes;
    const lo = ka.breakpointLo(cpu);
    const hi = ka.breakpointHi(cpu);
    const pp = this.#reg.lookup(lo, hi);
    if (kcb.current !== null) {
      if (pp !== null) {
        // A probe hit inside a handler or a single-step: run no handler (§5).
        // Linux 6.1 reenter_kprobe(): a boosted probe runs its slot with the
        // control block untouched; an emulated or stepped one saves it.
        this.#aggr.incNmissed(pp);
        const mode = this.#stepMode(pp, cpu);
        if (mode === STEP_BOOST) {
          pp.boosted = true;
          ka.setupBoost!(pp, cpu);
          return true;
        }
        kcb.savePrevious();
        kcb.current = pp;
        kcb.status = KPROBE_REENTER;
        if (mode === STEP_SINGLE) {
          ka.setupSingleStep(pp, cpu, kcb.step);
          return true;
        }
        ka.emulateStep!(pp, cpu, kcb.step);
        kcb.restorePrevious();
        return true;
      }
      const cur = kcb.current;
      const bm = cur.breakMember;
      if (bm !== null && bm.break_handler) {
        const regs = this.#regsOf(cpu);
        this.#host.preemptDisable(cpu);
        const r = this.#aggr.brk(bm, cpu, regs);
        this.#host.preemptEnable(cpu);
        if (r) {
          // longjmp_break_handler(): the jprobe hit's raised count (held
          // since setjmp, while the jprobe handler ran) drops before the
          // probed instruction is single-stepped.
          this.#host.preemptEnable(cpu);
          this.#setupStep(cur, kcb, cpu);
          return true;
        }
      }
      return false;
    }
    if (pp === null) {
      const addr = (BigInt(hi) << 32n) | BigInt(lo);
      if (!ka.isBreakpoint(this.#host.memory, addr)) {
        // The breakpoint was removed right after we hit it: re-execute.
        this.#arch.setPc(cpu, addr);
        return true;
      }
      return false;
    }
    kcb.status = KPROBE_HIT_ACTIVE;
    kcb.current = pp;
    pp.nhit++;
    const regs = this.#regsOf(cpu);
    // preempt_count is raised only while the handlers run: the probed
    // instruction, single-stepped with interrupts off, must read and write
    // the task's own count (it may be the load or store of that count, or a
    // stack switch that changes which thread_info holds it).
    this.#host.preemptDisable(cpu);
    if (this.#aggr.pre(pp, kcb, cpu, regs) !== 0) {
      // A jprobe's setjmp: stays current and keeps the count raised while
      // the jprobe handler runs; longjmp drops it.
      if (pp.breakMember !== null) return true;
      kcb.reset();
      this.#host.preemptEnable(cpu);
      return true;
    }
    this.#host.preemptEnable(cpu);
    this.#setupStep(pp, kcb, cpu);
    return true;
  }

  /**
   * How this hit of `pp` runs its instruction: a probe with a post_handler
   * always single-steps (its handler runs at the trace trap, §4.1).
   */
  #stepMode(pp: ProbePoint, cpu: ArchCpu): number {
    const ka = this.#arch.kprobes;
    if (!this.#fastStep || ka.stepMode === undefined || pp.hasPostHandler()) return STEP_SINGLE;
    return ka.stepMode(pp, cpu, this.#boost);
  }

  /**
   * After the pre-handlers: runs the probed instruction in place, resumes
   * in the boosted slot, or sets up the single-step. Linux 6.1:
   * setup_singlestep() (x86), kprobe_handler()'s try_to_emulate() (ppc64).
   */
  #setupStep(pp: ProbePoint, kcb: KprobeCtlblk, cpu: ArchCpu & { id: number }): void {
    const ka = this.#arch.kprobes;
    const mode = this.#stepMode(pp, cpu);
    if (mode === STEP_SINGLE) {
      ka.setupSingleStep(pp, cpu, kcb.step);
      kcb.status = KPROBE_HIT_SS;
      return;
    }
    if (mode === STEP_BOOST) {
      pp.boosted = true;
      ka.setupBoost!(pp, cpu);
      kcb.reset();
      return;
    }
    // Emulated: a fault in it is a fault of the step (onFault, HIT_SS).
    kcb.status = KPROBE_HIT_SS;
    ka.emulateStep!(pp, cpu, kcb.step);
    kcb.status = KPROBE_HIT_SSDONE;
    kcb.reset();
  }

  /**
   * A breakpoint hit of a probe of the machinery itself (the kretprobe
   * trampoline's) whose owner recognised the address: as
   * {@linkcode KprobesCore.onBreakpoint} for that point, without the table
   * lookup and the handler-invocation frame. The probe is current on `cpu`
   * while `handler` runs (a probe hit inside it runs no handler); when
   * `handler` returns non-zero it has sent the CPU elsewhere and nothing is
   * single-stepped. Linux 6.1 likewise calls its trampoline handler
   * directly, between kprobe_busy_begin() and kprobe_busy_end().
   *
   * @param cpu The trapping CPU.
   * @param kp The internal kprobe at the trapping address.
   * @param handler Its handler, given the CPU; it must not throw.
   * @returns false (nothing done) when a probe is already active on `cpu`
   * or `kp` is not armed and enabled: onBreakpoint() then decides.
   */
  onInternalBreakpoint(
    cpu: ArchCpu & { id: number },
    kp: Kprobe,
    handler: (cpu: ArchCpu & { id: number }) => number,
  ): boolean {
    const kcb = this.#ctl[cpu.id];
    if (kcb.current !== null) return false;
    const pp = this.#reg.internalPoint(kp);
    const disabled = this.#reg.disabled;
    if (pp === undefined || !pp.armed || (disabled.size !== 0 && disabled.has(kp))) {
      return false;
    }
    kcb.status = KPROBE_HIT_ACTIVE;
    kcb.current = pp;
    pp.nhit++;
    this.#host.preemptDisable(cpu);
    kcb.instance = kp;
    const r = handler(cpu);
    kcb.instance = null;
    this.#host.preemptEnable(cpu);
    if (r !== 0) {
      kcb.reset();
      return true;
    }
    this.#setupStep(pp, kcb, cpu);
    return true;
  }

  /**
   * A jprobe's return taken where its handler ran (the trampoline's
   * call-in) instead of at a second breakpoint trap: when `kp` is the break
   * member of the probe active on `cpu`, runs `longjmp` (which restores the
   * probed function's registers and stack) and single-steps the probed
   * instruction, as kprobe_handler() does after break_handler() returns 1.
   * Linux: the `ss_probe` tail of kprobe_handler() (2.6.12).
   *
   * @param cpu The CPU at the call-in.
   * @param kp The jprobe's kprobe.
   * @param longjmp Restores the saved state (Linux: longjmp_break_handler()).
   * @returns false (nothing done) when no such probe is waiting for its break.
   */
  breakAtCallIn(
    cpu: ArchCpu & { id: number },
    kp: Kprobe,
    longjmp: (cpu: ArchCpu & { id: number }) => void,
  ): boolean {
    const kcb = this.#ctl[cpu.id];
    const cur = kcb.current;
    if (cur === null || kcb.status !== KPROBE_HIT_ACTIVE || cur.breakMember !== kp) return false;
    longjmp(cpu);
    // The count raised at setjmp drops before the step, as at the breakpoint.
    this.#host.preemptEnable(cpu);
    this.#setupStep(cur, kcb, cpu);
    return true;
  }

  /**
   * An optimized probe's detour calling in: from inside its hypercall
   * instruction (`cpu.callIn`, the run loop goes on after it without a
   * stop), or at a hypercall stop on a CPU without that hook. Linux:
   * optimized_callback() (arch/x86/kernel/kprobes/opt.c).
   *
   * @param cpu The CPU, its PC past the call-in.
   * @returns true when it was an optimized probe's detour (handled).
   */
  onOptimizedHit(cpu: ArchCpu & { id: number }): boolean {
    const opt = this.#reg.optimizer;
    if (opt === null) return false;
    const pp = opt.pointAt(cpu);
    if (pp === undefined) return false;
    // A detour whose probe went away while this CPU was on its way in:
    // run on (Linux: "op is under delayed unoptimizing").
    if (pp === null) return true;
    const kcb = this.#ctl[cpu.id];
    if (kcb.current !== null) {
      this.#aggr.incNmissed(pp);
      return true;
    }
    kcb.current = pp;
    kcb.status = KPROBE_HIT_ACTIVE;
    pp.nhit++;
    const ka = opt.arch;
    const lo = ka.pcLo(cpu);
    const hi = ka.pcHi(cpu);
    ka.enterHandler(pp, cpu);
    this.#host.preemptDisable(cpu);
    this.#aggr.pre(pp, kcb, cpu, this.#regsOf(cpu));
    this.#host.preemptEnable(cpu);
    ka.leaveHandler(pp, cpu, lo, hi);
    kcb.reset();
    return true;
  }

  /**
   * The single-step trap after the copied instruction ran.
   * Linux: post_kprobe_handler() via DIE_DEBUG.
   *
   * @param cpu The trapping CPU.
   * @returns true when Kprobes consumed the trap.
   */
  onSingleStep(cpu: ArchCpu & { id: number }): boolean {
    const kcb = this.#ctl[cpu.id];
    const cur = kcb.current;
    if (cur === null) return false;
    const ka = this.#arch.kprobes;
    if (kcb.status !== KPROBE_REENTER) {
      kcb.status = KPROBE_HIT_SSDONE;
      if (cur.hasPostHandler()) {
        this.#host.preemptDisable(cpu);
        this.#aggr.post(cur, kcb, cpu, this.#regsOf(cpu));
        this.#host.preemptEnable(cpu);
      }
    }
    ka.resumeExecution(cur, cpu, kcb.step, this.#host.memory);
    if (kcb.status === KPROBE_REENTER) kcb.restorePrevious();
    else kcb.reset();
    return !ka.traceFlagSet(cpu);
  }

  /**
   * A fault with no probe active: when it is a copy of a probed
   * instruction that faulted (nothing of it done), at the start of a
   * boosted slot or in an optimized probe's detour, the PC goes back to the
   * original's address, so the kernel handles and reports the fault as the
   * probed instruction's own, as with the single-step (onFault()).
   *
   * @param cpu The faulting CPU.
   */
  onSlotFault(cpu: ArchCpu & { id: number }): void {
    if (this.#ctl[cpu.id].current !== null) return;
    const pc = this.#arch.getPc(cpu);
    const pp = this.#reg.boostedSlotAt(pc);
    if (pp !== null) {
      this.#arch.setPc(cpu, pp.addr);
      return;
    }
    const orig = this.#reg.optimizer?.originalPc(pc) ?? null;
    if (orig !== null) this.#arch.setPc(cpu, orig);
  }

  /**
   * A fault while a probe is active on `cpu`. Linux: kprobe_fault_handler().
   * During the single-step the fault handlers run, then the step is undone
   * so the fault is handled as if the original instruction had faulted.
   *
   * @param cpu The faulting CPU.
   * @param trapnr The arch trap number (14 page fault, 13 GP on x86).
   * @returns true when a fault handler claimed the fault.
   */
  onFault(cpu: ArchCpu & { id: number }, trapnr: number): boolean {
    const kcb = this.#ctl[cpu.id];
    const cur = kcb.current;
    if (cur === null) return false;
    if (kcb.status === KPROBE_HIT_SS || kcb.status === KPROBE_REENTER) {
      let handled = false;
      if (kcb.status === KPROBE_HIT_SS) {
        this.#host.preemptDisable(cpu);
        handled = this.#aggr.fault(cur, null, cpu, this.#regsOf(cpu), trapnr);
        this.#host.preemptEnable(cpu);
      }
      this.#arch.kprobes.abortSingleStep(cur, cpu, kcb.step);
      if (kcb.status === KPROBE_REENTER) kcb.restorePrevious();
      else kcb.reset();
      return handled;
    }
    return this.#aggr.fault(cur, kcb.instance, cpu, this.#regsOf(cpu), trapnr);
  }
}
