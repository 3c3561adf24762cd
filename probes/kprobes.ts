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

import {
  type Arch,
  type ArchCpu,
  type GuestMemory,
  type PtRegsView,
  STEP_BOOST,
  STEP_SINGLE,
} from "../arch/types.ts";
import { EEXIST, EINVAL, ENOENT, ENOMEM } from "../kernel-model/errno.ts";
import { type BlacklistSymbol, KprobeBlacklist } from "./blacklist.ts";
import { KprobeCtlblk } from "./ctlblk.ts";
import { InsnSlots } from "./insn_slot.ts";
import { mayResumeIn } from "./_may_resume.ts";
import { KprobeOptimizer, OPTIMIZE_DELAY, type OptimizerCore } from "./kprobes_opt.ts";
import { ProbePoint } from "./probe_point.ts";
import { checkKprobe } from "./validate.ts";
import {
  type Kprobe,
  KPROBE_FLAG_DISABLED,
  KPROBE_FLAG_GONE,
  KPROBE_HIT_ACTIVE,
  KPROBE_HIT_SS,
  KPROBE_HIT_SSDONE,
  KPROBE_REENTER,
  type PtRegs,
} from "./types.ts";

/** What the Kprobes core needs from the kernel it lives in. */
export interface KprobesHost {
  /** The architecture chosen at boot. */
  readonly arch: Arch;
  /** Guest memory. */
  readonly memory: GuestMemory;
  /** Number of CPUs (`cpu.id` ranges over it). */
  readonly nrCpus: number;
  /** Bounds of `.kprobes.text`: probes there are refused. */
  readonly kprobesText: readonly [bigint, bigint];
  /** Bounds of the instruction-slot area. */
  readonly insnSlots: readonly [bigint, bigint];
  /** kallsyms_lookup_name(); 0n when absent. */
  lookupName(name: string): bigint;
  /** Start of the function containing `addr`, if any. */
  functionStart(addr: bigint): bigint | undefined;
  /** The function containing `addr` (name, start, size), if any. Linux: kallsyms_lookup_size_offset(). */
  functionAt(addr: bigint): FunctionBounds | undefined;
  /** A kallsyms symbol by exact name (resolves the arch's blacklist). */
  lookupSymbol(name: string): BlacklistSymbol | undefined;
  /** Known function names closest to an unknown `name` (kallsyms), at most 3. */
  suggest?(name: string): string[];
  /** Writes a `kprobes: …` line to the kernel log (why a registration was refused). */
  warn(message: string): void;
  /** Is `addr` inside kernel text? Linux: kernel_text_address(). */
  isKernelText(addr: bigint): boolean;
  /** The module registering right now (for leftover reports), or null. */
  currentOwner(): string | null;
  /**
   * Runs a user handler bound to the module that registered it. A thrown
   * exception is reported Oops-style and yields `undefined`.
   */
  invoke<A, B, C, R>(
    owner: string | null,
    what: string,
    cpu: ArchCpu,
    fn: (a: A, b: B, c: C) => R,
    a: A,
    b: B,
    c: C,
  ): R | undefined;
  /** preempt_disable() on the task running on `cpu`. */
  preemptDisable(cpu: ArchCpu): void;
  /** preempt_enable_no_resched() on the task running on `cpu`. */
  preemptEnable(cpu: ArchCpu): void;
  /** The CPUs (the optimizer checks none is inside bytes it replaces); none: no optimizer. */
  readonly cpus?: readonly ArchCpu[];
  /** Does `addr` have an `__ex_table` entry? Linux: search_exception_tables(). */
  inExceptionTable?(addr: bigint): boolean;
  /** The optimizer's switch and delay in ticks at boot (default on, OPTIMIZE_DELAY). */
  readonly optimization?: { enabled: boolean; delay: number };
  /**
   * Whether a hit of a probe with no post_handler may run the probed
   * instruction without the single-step trap: `emulate` in place, `boost`
   * in the slot with a jump back (Linux 6.1: not with CONFIG_PREEMPTION).
   * Default both true.
   */
  readonly stepping?: { emulate: boolean; boost: boolean };
}

/** Bytes at the end of the instruction-slot area set aside for optimized probes' detour buffers. */
export const OPTINSN_AREA_SIZE = 2048;

/** A kernel function's name and extent, as kallsyms knows it. */
export interface FunctionBounds {
  /** Symbol name (`.do_fork` on ppc64). */
  name: string;
  /** Start address. */
  start: bigint;
  /** Size in bytes. */
  size: bigint;
  /** The symbol's own ELF size (0 when unknown): past it is padding. */
  symbolSize?: bigint;
}

/** A registered kprobe as listed by {@linkcode KprobesCore.list}. */
export interface RegisteredKprobe {
  /** The user's kprobe. */
  kp: Kprobe;
  /** Its address. */
  addr: bigint;
  /** Hits of its probe point. */
  nhit: number;
  /** The module that registered it, or null for the host. */
  owner: string | null;
  /** Registered but disabled (`disable_kprobe()` or `KPROBE_FLAG_DISABLED` at registration). */
  disabled: boolean;
  /** Its probe point is optimized (a jump to a detour buffer, not a breakpoint). */
  optimized: boolean;
}

/** A symbol_name registration could not resolve, with the names suggested instead. */
export interface UnknownSymbol {
  /** The name as given. */
  name: string;
  /** The closest kallsyms function names, nearest first (at most 3). */
  suggestions: string[];
}

/** The reason {@linkcode KprobesCore.checkProbeAddress} gives for an address outside kernel text. */
export const NOT_KERNEL_TEXT = "not kernel text";

/** Why `register_kprobe()` refuses an address (see {@linkcode KprobesCore.checkProbeAddress}). */
export interface ProbeRefusal {
  /** The errno, positive (`EINVAL`, `EILSEQ`, `EOPNOTSUPP`). */
  errno: number;
  /** The reason, as the `kprobes: cannot probe …: <reason>` log line gives it. */
  reason: string;
}

/**
 * "did you mean a, b or c?" for an unknown-symbol message, or "" when
 * there is nothing to suggest.
 *
 * @param suggestions The names.
 * @returns The phrase, without parentheses.
 *
 * @example
 * ```ts
 * import { didYouMean } from "./kprobes.ts";
 * import assert from "node:assert/strict";
 * assert.equal(didYouMean(["do_fork"]), "did you mean do_fork?");
 * assert.equal(didYouMean(["a", "b", "c"]), "did you mean a, b or c?");
 * assert.equal(didYouMean([]), "");
 * ```
 */
export function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return "";
  const last = suggestions[suggestions.length - 1];
  const head = suggestions.slice(0, -1);
  return `did you mean ${head.length > 0 ? `${head.join(", ")} or ${last}` : last}?`;
}

/** The Kprobes core of one kernel. */
export class KprobesCore {
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
  readonly #ctl: KprobeCtlblk[] = [];
  readonly #regs: (PtRegsView | undefined)[] = [];
  readonly #slots: InsnSlots;
  readonly #opt: KprobeOptimizer | null = null;
  readonly #blacklist: KprobeBlacklist;
  #enabled = true;
  /** Hits of probes with no post_handler may emulate or boost (KprobesHost.stepping). */
  readonly #fastStep: boolean;
  /** … and may boost. */
  readonly #boost: boolean;
  /** The last symbol_name that did not resolve (cleared by each resolution). */
  #unknown: UnknownSymbol | null = null;

  /**
   * Creates the core for a kernel.
   *
   * @param host The kernel's services.
   */
  constructor(host: KprobesHost) {
    this.#host = host;
    this.#arch = host.arch;
    for (let i = 0; i < host.nrCpus; i++) this.#ctl.push(new KprobeCtlblk());
    const size = (host.arch.kprobes.maxInsnSize + 15) & ~15;
    this.#fastStep = host.stepping?.emulate ?? true;
    this.#boost = this.#fastStep && (host.stepping?.boost ?? true);
    const [slotsStart, slotsEnd] = host.insnSlots;
    const optArch = host.arch.kprobes.optimized;
    const split = optArch !== undefined && host.cpus !== undefined &&
        slotsEnd - slotsStart >= BigInt(2 * OPTINSN_AREA_SIZE)
      ? slotsEnd - BigInt(OPTINSN_AREA_SIZE)
      : slotsEnd;
    this.#slots = new InsnSlots(slotsStart, split, size);
    if (split !== slotsEnd && optArch !== undefined && host.cpus !== undefined) {
      this.#opt = new KprobeOptimizer(
        this.#optimizerCore(host.cpus),
        optArch,
        [split, slotsEnd],
        host.optimization ?? { enabled: true, delay: OPTIMIZE_DELAY },
      );
    }
    this.#blacklist = KprobeBlacklist.fromSymbols(
      host.arch.kprobes.blacklist,
      (n) => host.lookupSymbol(n),
    );
  }

  /** The per-CPU control block of CPU `id`. */
  ctlblk(id: number): KprobeCtlblk {
    return this.#ctl[id];
  }

  /** Linux: kprobe_running(): the probe active on `cpuId`, as its first member. */
  running(cpuId: number): Kprobe | null {
    const cur = this.#ctl[cpuId].current;
    return cur === null ? null : cur.members[0] ?? null;
  }

  /**
   * Resolves the address a kprobe names. Linux: kprobe_addr(); 0n or -errno
   * as a negative bigint. Stricter than Linux: the offset must lie inside
   * the function (Linux takes an unsigned offset and probes whatever lies
   * there); every refusal is logged with its reason.
   */
  #probeAddress(p: Kprobe): bigint {
    this.#unknown = null;
    const hasAddr = p.addr !== undefined && p.addr !== null && BigInt(p.addr) !== 0n;
    const hasSym = p.symbol_name !== undefined && p.symbol_name !== "";
    if (hasSym === hasAddr) {
      this.#host.warn(
        hasSym
          ? `kprobes: kprobe names both addr and symbol_name ${p.symbol_name}; give one`
          : "kprobes: kprobe names neither addr nor symbol_name",
      );
      return BigInt(-EINVAL);
    }
    let base: bigint;
    if (hasSym) {
      base = this.#host.lookupName(String(p.symbol_name));
      if (base === 0n) {
        const name = String(p.symbol_name);
        let suggestions: string[] = [];
        try {
          suggestions = this.#host.suggest?.(name) ?? [];
        } catch {
          // A suggestion is a courtesy: the refusal stands without one.
        }
        this.#unknown = { name, suggestions };
        const hint = didYouMean(suggestions);
        this.#host.warn(`kprobes: unknown symbol ${name}${hint ? ` (${hint})` : ""}`);
        return BigInt(-ENOENT);
      }
    } else {
      base = BigInt.asUintN(this.#arch.bits, BigInt(p.addr as bigint | number));
    }
    const off = (p.offset ?? 0) as number | bigint;
    if (off === 0 || off === 0n) return base;
    const fn = this.#host.functionAt(base);
    const where = fn === undefined
      ? `0x${base.toString(16)}`
      : `${fn.name} (size 0x${fn.size.toString(16)})`;
    if (typeof off === "number" && !Number.isSafeInteger(off)) {
      this.#host.warn(`kprobes: offset ${off} into ${where} is not an integer`);
      return BigInt(-EINVAL);
    }
    const o = BigInt(off);
    if (o < 0n) {
      this.#host.warn(`kprobes: offset ${o} is before the start of ${where}`);
      return BigInt(-EINVAL);
    }
    if (fn !== undefined && base - fn.start + o >= fn.size) {
      this.#host.warn(`kprobes: offset ${o} is past the end of ${where}`);
      return BigInt(-EINVAL);
    }
    return BigInt.asUintN(this.#arch.bits, base + o);
  }

  /** `sym+0xoff` or `0xaddr`, for log lines. */
  #where(addr: bigint): string {
    const fn = this.#host.functionAt(addr);
    return fn === undefined
      ? `0x${addr.toString(16)}`
      : `${fn.name}+0x${(addr - fn.start).toString(16)}`;
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

  /** Is `addr` in the probe machinery's own code or the slot area? Linux: in_kprobes_functions(). */
  #inKprobesFunctions(addr: bigint): boolean {
    const [ks, ke] = this.#host.kprobesText;
    const [ss, se] = this.#host.insnSlots;
    return (addr >= ks && addr < ke) || (addr >= ss && addr < se);
  }

  /**
   * The generic refusals of register_kprobe() for `addr`: not kernel text,
   * Kprobes' own code (unless `internal`), padding after a function, the
   * blacklist. Linux: the checks of register_kprobe() before
   * arch_prepare_kprobe() (kernel_text_address(), in_kprobes_functions(),
   * within_kprobe_blacklist()).
   */
  #addressRefusal(addr: bigint, internal: boolean): ProbeRefusal | null {
    if (!this.#host.isKernelText(addr)) return { errno: EINVAL, reason: NOT_KERNEL_TEXT };
    if (!internal && this.#inKprobesFunctions(addr)) {
      return { errno: EINVAL, reason: "Kprobes' own code (.kprobes.text, slots)" };
    }
    const fn = this.#host.functionAt(addr);
    if (fn !== undefined && fn.symbolSize && addr - fn.start >= fn.symbolSize) {
      // Stricter than Linux (whose kallsyms size runs to the next symbol):
      // the bytes after a function's last instruction are padding, not code.
      return {
        errno: EINVAL,
        reason: `past the end of ${fn.name} (size 0x${
          fn.symbolSize.toString(16)
        }), padding between functions`,
      };
    }
    const bl = this.#blacklist.find(addr);
    if (bl !== undefined) return { errno: EINVAL, reason: `blacklisted, ${bl.reason}` };
    return null;
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
    const a = BigInt.asUintN(this.#arch.bits, addr);
    const refused = this.#addressRefusal(a, false);
    if (refused !== null) return refused;
    if (this.#lookup(Number(a & 0xffffffffn), Number(a >> 32n)) !== null) return null;
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
    return this.#readOriginal(addr, n);
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
    return checkKprobe(p, this.#arch.bits) || this.#register(p, false);
  }

  /**
   * Registers a probe of the machinery itself (the kretprobe trampoline,
   * the task-exit hook), which may sit in `.kprobes.text`.
   *
   * @param p The kprobe.
   * @returns 0 or a negative errno.
   */
  registerInternal(p: Kprobe): number {
    const ret = this.#register(p, true);
    if (ret === 0) this.#internal.add(p);
    return ret;
  }

  /**
   * The address a kprobe would be registered at, or a negative errno.
   *
   * @param p The kprobe.
   * @returns The address, or -errno as a negative bigint.
   */
  resolveAddress(p: Kprobe): bigint {
    return this.#probeAddress(p);
  }

  /**
   * The symbol_name the latest registration (or address resolution) failed
   * to find, with suggestions, and forgets it; null when the latest one
   * resolved. insmod names it when init_module fails with -ENOENT.
   *
   * @returns The unknown symbol, or null.
   */
  takeUnknownSymbol(): UnknownSymbol | null {
    const u = this.#unknown;
    this.#unknown = null;
    return u;
  }

  /** The module that registered `p`, or null. */
  ownerOf(p: Kprobe): string | null {
    return this.#owners.get(p) ?? null;
  }

  #register(p: Kprobe, internal: boolean): number {
    if (this.#registered.has(p)) {
      this.#host.warn(
        `kprobes: kprobe at ${this.#where(BigInt(p.addr ?? 0))} is already registered`,
      );
      return -EINVAL;
    }
    const addr = this.#probeAddress(p);
    if (addr < 0n) return Number(addr);
    const refused = this.#addressRefusal(addr, internal);
    if (refused !== null) {
      this.#host.warn(`kprobes: cannot probe ${this.#where(addr)}: ${refused.reason}`);
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
    const pp0 = this.#lookup(Number(addr & 0xffffffffn), Number(addr >> 32n));
    if (pp0 !== null) {
      // Linux add_new_kprobe(): a jprobe (break handler) goes last, any
      // other probe first, so the newest kprobe's handlers run first.
      if (p.break_handler) {
        if (pp0.breakMember !== null) {
          this.#host.warn(`kprobes: ${this.#where(addr)} already has a jprobe`);
          return -EEXIST;
        }
        pp0.breakMember = p;
        pp0.members.push(p);
      } else pp0.members.unshift(p);
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
      this.#host.warn(`kprobes: cannot probe ${this.#where(addr)}: ${reason || `error ${ret}`}`);
      return ret !== 0 ? ret : -ENOMEM;
    }
    pp.members.push(p);
    if (p.break_handler) pp.breakMember = p;
    this.#table.set(pp.lo, pp);
    this.#registered.set(p, pp);
    this.#owners.set(p, this.#host.currentOwner());
    if (disabled) this.#disabled.add(p);
    this.#syncArm(pp);
    return 0;
  }

  /**
   * Removes a kprobe; the original bytes are back in text when the last
   * probe at the address goes. Linux: unregister_kprobe() (§4.4).
   *
   * @param p The kprobe.
   */
  unregister(p: Kprobe): void {
    const pp = this.#registered.get(p);
    if (pp === undefined) return;
    this.#registered.delete(p);
    this.#owners.delete(p);
    this.#disabled.delete(p);
    const i = pp.members.indexOf(p);
    if (i >= 0) pp.members.splice(i, 1);
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

  /**
   * Times the probe point of `p` ran its handlers (shared by all kprobes at
   * one address); -1 when `p` is not registered.
   *
   * @param p The kprobe.
   * @returns The hit count.
   */
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

  /**
   * Arms or disarms every probe. Linux: arm_all_kprobes()/disarm_all_kprobes().
   * Arming skips points whose kprobes are all disabled.
   */
  setEnabled(on: boolean): void {
    if (on === this.#enabled) return;
    this.#enabled = on;
    for (const pp of this.#table.values()) this.#syncArm(pp);
  }

  /**
   * Is `p` registered and disabled? Linux: kprobe_disabled() of a
   * registered probe.
   *
   * @param p The kprobe.
   * @returns True for a registered, disabled kprobe.
   */
  isDisabled(p: Kprobe): boolean {
    return this.#disabled.has(p);
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
    const pp = this.#registered.get(p);
    if (pp === undefined || this.#internal.has(p)) return -EINVAL;
    if (this.#disabled.has(p)) return 0;
    this.#disabled.add(p);
    this.#mirrorFlags(p, true);
    this.#syncArm(pp);
    return 0;
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
      points: () => this.#table.values(),
      armedAt: (a) => {
        const pp = this.#lookup(Number(a & 0xffffffffn), Number(a >> 32n));
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
    if (this.#inKprobesFunctions(pp.addr)) return false;
    for (const m of pp.members) if (this.#internal.has(m)) return false;
    return true;
  }

  /** Whether the optimizer may replace breakpoints by jumps (Linux: debug.kprobes-optimization). */
  get optimization(): boolean {
    return this.#opt?.enabled ?? false;
  }

  /**
   * Turns kprobe optimization on or off; off unoptimizes every optimized
   * probe at once. Linux: proc_kprobes_optimization_handler().
   *
   * @param on The switch.
   * @returns false when this arch has no optimized kprobes.
   */
  setOptimization(on: boolean): boolean {
    if (this.#opt === null) return false;
    this.#opt.setEnabled(on);
    return true;
  }

  /** One timer tick for the optimizer (Linux: the delayed optimizing_work). */
  optimizerTick(): void {
    this.#opt?.tick();
  }

  /** Frees slots no CPU can be stepping in any more. Linux: collect_garbage_slots(). */
  collectSlots(): void {
    if (this.#ctl.every((k) => k.current === null) && !this.#cpuInSlots()) this.#slots.collect();
    this.#opt?.collect();
  }

  /**
   * Could a CPU resume inside the instruction-slot area: its PC there, or
   * (interrupted in a boosted slot) a word of its stack? Linux waits for
   * that with synchronize_rcu_tasks() before reusing a boosted slot.
   */
  #cpuInSlots(): boolean {
    const cpus = this.#host.cpus;
    if (cpus === undefined) return false;
    const [start, end] = this.#host.insnSlots;
    return mayResumeIn(this.#arch, this.#host.memory, cpus, start - 1n, Number(end - start) + 1);
  }

  /** The `pt_regs` view of `cpu`, cached per CPU. */
  #regsOf(cpu: ArchCpu & { id: number }): PtRegsView {
    let r = this.#regs[cpu.id];
    if (r === undefined) this.#regs[cpu.id] = r = this.#arch.ptRegs(cpu);
    return r;
  }

  #lookup(lo: number, hi: number): ProbePoint | null {
    const l = this.#last;
    if (l !== null && l.lo === lo && l.hi === hi) return l;
    const pp = this.#table.get(lo);
    if (pp === undefined || pp.hi !== hi) return null;
    this.#last = pp;
    return pp;
  }

  #incNmissed(pp: ProbePoint): void {
    for (const m of pp.members) m.nmissed = (m.nmissed ?? 0) + 1;
  }

  /** Runs the pre-handlers; non-zero when one asked to skip the single-step. Linux: aggr_pre_handler(). */
  #preHandlers(
    pp: ProbePoint,
    kcb: KprobeCtlblk,
    cpu: ArchCpu & { id: number },
    regs: PtRegsView,
  ): number {
    const members = pp.members;
    for (let i = 0; i < members.length; i++) {
      const m = members[i];
      const h = m.pre_handler;
      if (!h || (this.#disabled.size !== 0 && this.#disabled.has(m))) continue;
      kcb.instance = m;
      const r = this.#host.invoke(
        this.#owners.get(m) ?? null,
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

  #postHandlers(
    pp: ProbePoint,
    kcb: KprobeCtlblk,
    cpu: ArchCpu & { id: number },
    regs: PtRegsView,
  ): void {
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
    const pp = this.#lookup(lo, hi);
    if (kcb.current !== null) {
      if (pp !== null) {
        // A probe hit inside a handler or a single-step: run no handler (§5).
        // Linux 6.1 reenter_kprobe(): a boosted probe runs its slot with the
        // control block untouched; an emulated or stepped one saves it.
        this.#incNmissed(pp);
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
        const r = this.#host.invoke(
          this.#owners.get(bm) ?? null,
          "break_handler",
          cpu,
          bm.break_handler,
          bm,
          regs as unknown as PtRegs,
          0,
        );
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
    if (this.#preHandlers(pp, kcb, cpu, regs) !== 0) {
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
    if (kcb.current !== null || !this.#internal.has(kp)) return false;
    const pp = this.#registered.get(kp);
    if (pp === undefined || !pp.armed || (this.#disabled.size !== 0 && this.#disabled.has(kp))) {
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
   * A hypercall stop: an optimized probe's detour calling in. Linux:
   * optimized_callback() (arch/x86/kernel/kprobes/opt.c).
   *
   * @param cpu The stopped CPU.
   * @returns true when it was an optimized probe's detour (handled).
   */
  onOptimizedHit(cpu: ArchCpu & { id: number }): boolean {
    const opt = this.#opt;
    if (opt === null) return false;
    const pp = opt.pointAt(cpu);
    if (pp === undefined) return false;
    // A detour whose probe went away while this CPU was on its way in:
    // run on (Linux: "op is under delayed unoptimizing").
    if (pp === null) return true;
    const kcb = this.#ctl[cpu.id];
    if (kcb.current !== null) {
      this.#incNmissed(pp);
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
    this.#preHandlers(pp, kcb, cpu, this.#regsOf(cpu));
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
        this.#postHandlers(cur, kcb, cpu, this.#regsOf(cpu));
        this.#host.preemptEnable(cpu);
      }
    }
    ka.resumeExecution(cur, cpu, kcb.step, this.#host.memory);
    if (kcb.status === KPROBE_REENTER) kcb.restorePrevious();
    else kcb.reset();
    return !ka.traceFlagSet(cpu);
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
        handled = this.#faultHandlers(cur, null, cpu, trapnr);
        this.#host.preemptEnable(cpu);
      }
      this.#arch.kprobes.abortSingleStep(cur, cpu, kcb.step);
      if (kcb.status === KPROBE_REENTER) kcb.restorePrevious();
      else kcb.reset();
      return handled;
    }
    return this.#faultHandlers(cur, kcb.instance, cpu, trapnr);
  }

  #faultHandlers(
    pp: ProbePoint,
    only: Kprobe | null,
    cpu: ArchCpu & { id: number },
    trapnr: number,
  ): boolean {
    const regs = this.#regsOf(cpu);
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
