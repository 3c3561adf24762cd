// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Jprobes (§1.2, §4.2): a kprobe at a function's entry whose pre-handler
 * saves the registers and MAX_STACK_SIZE bytes of stack, then sends the CPU
 * to the jprobe trampoline, where the TypeScript handler runs with the
 * probed function's arguments (the mirror principle). The handler ends in
 * `jprobe_return()`: the saved registers and stack come back and the
 * probed function runs as if nothing happened.
 *
 * The lean path (every arch with `KprobesArch.jprobeCallIn`: x86, ppc64,
 * sparc64): the handler runs at the breakpoint itself, in one stop, with
 * the arguments read there; the CPU is put in the state the trampoline's
 * hypercall would show (PC at `jprobe_trampoline+0x8`, the hypercall number
 * in its register) only when something could tell ({@linkcode
 * Jprobes.settle}: a kernel call, a host `pt_regs` view or guest memory, a
 * report), and then longjmp follows the handler; `jprobe_return()` returns
 * without a host exception and ends the handler's kernel context (any
 * later ABI call it makes throws, so nothing after it reaches the kernel).
 * The probed instruction is then stepped as for a kprobe. Otherwise the
 * trampoline runs: its hypercall calls the handler in, and the longjmp
 * happens there (its trailing breakpoint is the fallback when the probe
 * went away).
 * Linux: register_jprobe(), setjmp_pre_handler(), longjmp_break_handler().
 *
 * @module
 */

import { isProxy } from "node:util/types";
import type { Arch, ArchCpu, GuestMemory, JprobeSave } from "../arch/types.ts";
import { kernelAbiFor } from "../kernel-model/context.ts";
import { EINVAL } from "../kernel-model/errno.ts";
import { registerAll, unregisterAll } from "./_register_all.ts";
import { checkJprobe, embeddedKprobe } from "./validate.ts";
import type { KprobesCore } from "./kprobes.ts";
import type { Jprobe, Kprobe, PtRegs } from "./types.ts";

/** Marks the exception `jprobe_return()` throws (a brand, so copies of this package agree). */
export const JPROBE_RETURN: unique symbol = Symbol.for("kprobes-sim.jprobe_return") as never;

/** What `jprobe_return()` throws to leave the handler; never caught by handlers. */
export interface JprobeReturnSignal {
  /** The brand. */
  readonly [JPROBE_RETURN]: true;
}

/** The one signal object `jprobe_return()` throws (preallocated: a hit allocates nothing). */
export const JPROBE_RETURN_SIGNAL: JprobeReturnSignal = Object.freeze({
  [JPROBE_RETURN]: true as const,
});

/** Is `e` the signal `jprobe_return()` throws? (Asked of any thrown value: runs no Proxy trap, no getter.) */
export function isJprobeReturn(e: unknown): boolean {
  if (e === JPROBE_RETURN_SIGNAL) return true;
  if (typeof e !== "object" || e === null || isProxy(e)) return false;
  return Object.getOwnPropertyDescriptor(e, JPROBE_RETURN)?.value === true;
}

/** The jprobe trampoline's hypercall number (ABI.md: `HC_JPROBE`). */
const HC_JPROBE = 2;

/** Most arguments a jprobe handler is given (its declared arity, capped). */
const MAX_JPROBE_ARGS = 16;

/**
 * A jprobe handler's arity (capped at MAX_JPROBE_ARGS) and fastcall mark,
 * read without running user code (a `length` getter, a Proxy trap).
 */
function entryShape(entry: unknown): { n: number; regparm: number } {
  if (typeof entry !== "function" || isProxy(entry)) return { n: 0, regparm: 0 };
  const len = Object.getOwnPropertyDescriptor(entry, "length")?.value;
  const n = Number.isInteger(len) ? Math.min(Math.max(len, 0), MAX_JPROBE_ARGS) : 0;
  const regparm = Object.getOwnPropertyDescriptor(entry, FASTCALL)?.value === 3 ? 3 : 0;
  return { n, regparm };
}

/** Marks a jprobe handler declared `fastcall` (i386 regparm(3)). */
export const FASTCALL: unique symbol = Symbol.for("kprobes-sim.fastcall") as never;

/**
 * Declares a jprobe handler `fastcall`, for a probed i386 function whose
 * first three arguments arrive in eax, edx, ecx (regparm(3)) rather than on
 * the stack: "the handler's declaration must match" (§4.2). Elsewhere it
 * changes nothing.
 *
 * @param fn The handler.
 * @returns The same function, marked.
 *
 * @example A handler for i386's fastcall do_execve
 * ```ts
 * import { fastcall, FASTCALL } from "./jprobes.ts";
 * import assert from "node:assert/strict";
 * const jdo_execve = fastcall((_filename: number, _argv: number, _envp: number, _regs: number) => 0);
 * assert.equal((jdo_execve as unknown as Record<symbol, number>)[FASTCALL], 3);
 * ```
 */
// deno-lint-ignore no-explicit-any
export function fastcall<F extends (...args: any[]) => unknown>(fn: F): F {
  (fn as unknown as Record<symbol, number>)[FASTCALL] = 3;
  return fn;
}

/** What the jprobe machinery needs from the kernel. */
export interface JprobesHost {
  /** The arch. */
  readonly arch: Arch;
  /** Guest memory. */
  readonly memory: GuestMemory;
  /** Number of CPUs. */
  readonly nrCpus: number;
  /** `jprobe_trampoline`: `mov $2,%eax; vmcall` (run the handler), then `int3`; start and end. */
  readonly trampoline: readonly [bigint, bigint];
  /** Is `addr` the first instruction of a function? */
  isFunctionEntry(addr: bigint): boolean;
  /** The CPU whose trap is being handled. */
  currentCpu(): ArchCpu & { id: number };
  /** Calls the user's handler in its module's context; reports exceptions. */
  callEntry(
    owner: string | null,
    jp: Jprobe,
    args: (bigint | number)[],
    cpu: ArchCpu & { id: number },
  ): void;
}

/** A registered jprobe and what a hit needs of it, taken at registration. */
interface JprobeRecord {
  /** The jprobe. */
  readonly jp: Jprobe;
  /** Its kprobe, as registered. */
  readonly kp: Kprobe;
  /** Arguments to read: the handler's arity, capped. */
  readonly n: number;
  /** 3 for a fastcall handler (i386 regparm(3)), else 0. */
  readonly regparm: number;
  /** The argument array, refilled hit after hit (the handler receives the values). */
  readonly args: (bigint | number)[];
  /** The module that registered it (null: the host). */
  owner: string | null;
  /** Registered now (its pre-handler, copied elsewhere or kept, does nothing otherwise). */
  registered: boolean;
}

/** The jprobes of one kernel. */
export class Jprobes {
  readonly #core: KprobesCore;
  readonly #host: JprobesHost;
  readonly #byKprobe = new Map<Kprobe, JprobeRecord>();
  /**
   * Per CPU: the save area, the jprobe whose hit saved it (null: none), and
   * whether that hit's setjmp is still deferred (the CPU untouched).
   */
  readonly #saves: (JprobeSave & { rec: JprobeRecord | null; deferred: boolean })[] = [];
  readonly #trampolineLo: number;
  readonly #trampolineHi: number;
  readonly #trampolineLen: number;
  /** The trampoline's last instruction (its breakpoint), where its hypercall returns. */
  readonly #callInLo: number;
  readonly #callInHi: number;
  /** The arch can put the CPU at the call-in (`KprobesArch.jprobeCallIn`): handlers run at the hit. */
  readonly #callsIn: boolean;

  /**
   * Creates the jprobes of a kernel, one save area per CPU.
   *
   * @param core The kprobes core.
   * @param host The kernel's services.
   */
  constructor(core: KprobesCore, host: JprobesHost) {
    this.#core = core;
    this.#host = host;
    const [start, end] = host.trampoline;
    this.#trampolineLo = Number(start & 0xffffffffn);
    this.#trampolineHi = Number((start >> 32n) & 0xffffffffn);
    this.#trampolineLen = Number(end - start);
    const callIn = end - BigInt(host.arch.kprobes.breakpoint.length);
    this.#callInLo = Number(callIn & 0xffffffffn);
    this.#callInHi = Number((callIn >> 32n) & 0xffffffffn);
    this.#callsIn = host.arch.kprobes.jprobeCallIn !== undefined;
    for (let i = 0; i < host.nrCpus; i++) {
      this.#saves.push({
        context: null,
        stackAddr: 0n,
        stackLo: 0,
        stackHi: 0,
        stack: new Uint8Array(0),
        rec: null,
        deferred: false,
      });
    }
  }

  /**
   * Linux: register_jprobe() (§4.2).
   *
   * @param jp The jprobe; `jp.kp.addr` or `jp.kp.symbol_name` names a function entry.
   * @returns 0, -EINVAL (not a function entry, no handler, a value of the
   * wrong shape), -EEXIST (a
   * jprobe is already on that function), or another register_kprobe() error.
   */
  register(jp: Jprobe): number {
    const bad = checkJprobe(jp, this.#host.arch.bits);
    if (bad !== 0) return bad;
    if (this.#byKprobe.has(jp.kp) || this.#core.isRegistered(jp.kp)) return -EINVAL;
    const addr = this.#core.resolveAddress(jp.kp);
    if (addr < 0n) return Number(addr);
    if (!this.#host.isFunctionEntry(addr)) return -EINVAL;
    const rec: JprobeRecord = {
      jp,
      kp: jp.kp,
      ...entryShape(jp.entry),
      args: [],
      owner: null,
      registered: false,
    };
    // The record is the closure's: a hit looks nothing up. The core calls
    // it directly, with the CPU (callJprobeEntry binds the handler's context).
    const setjmp = (p: Kprobe, _regs: PtRegs, cpu?: ArchCpu & { id: number }) =>
      this.#setjmp(p, rec, cpu ?? this.#host.currentCpu());
    this.#core.callDirect(setjmp);
    jp.kp.pre_handler = setjmp;
    jp.kp.break_handler = (p: Kprobe, _regs: PtRegs) => this.#longjmp(p);
    this.#byKprobe.set(jp.kp, rec);
    const ret = this.#core.register(jp.kp);
    if (ret !== 0) this.#byKprobe.delete(jp.kp);
    else {
      rec.owner = this.#core.ownerOf(jp.kp);
      rec.registered = true;
    }
    return ret;
  }

  /**
   * Linux: unregister_jprobe() (§4.4).
   *
   * @param jp The jprobe.
   */
  unregister(jp: Jprobe): void {
    // Found by identity, never by reading `jp`: any value is a no-op unless registered.
    for (const [kp, rec] of this.#byKprobe) {
      if (rec.jp !== jp) continue;
      rec.registered = false;
      this.#core.unregister(kp);
      this.#byKprobe.delete(kp);
      return;
    }
  }

  /**
   * Unregisters the jprobe whose kprobe is `kp`, if any (leftover cleanup).
   *
   * @param kp A kprobe.
   * @returns Whether it belonged to a jprobe.
   */
  unregisterByKprobe(kp: Kprobe): boolean {
    const rec = this.#byKprobe.get(kp);
    if (rec === undefined) return false;
    this.unregister(rec.jp);
    return true;
  }

  /** Is `kp` the kprobe of a registered jprobe? */
  owns(kp: Kprobe): boolean {
    return this.#byKprobe.has(kp);
  }

  /**
   * Linux: setjmp_pre_handler(). Where the arch can place the CPU at the
   * trampoline's call-in, the handler runs right here, as if from there,
   * then longjmp restores the probed function's state and the probed
   * instruction is stepped as for any kprobe: the trampoline's
   * `mov`/`vmcall` (`li`/`sc 1`) and their stop are skipped. Elsewhere the
   * CPU goes to the trampoline, which calls in.
   *
   * Here the setjmp itself is deferred ({@linkcode Jprobes.settle}): the
   * handler's arguments are read at the breakpoint, where the CPU is in the
   * probed function's entry state, and the CPU is left as it is until
   * something could see or change it — any kernel call the handler makes,
   * a `pt_regs` view or the guest memory taken from the host, a report of
   * the handler. Then the registers and stack are saved and the CPU is put
   * at the call-in, exactly as an eager setjmp would have left it, and
   * longjmp follows the handler. A handler that only computes on its
   * arguments leaves the CPU untouched, and nothing is saved or restored.
   */
  #setjmp(p: Kprobe, rec: JprobeRecord, cpu: ArchCpu & { id: number }): number {
    if (!rec.registered || p !== rec.kp) return 0;
    const save = this.#saves[cpu.id];
    save.rec = rec;
    if (!this.#callsIn) {
      try {
        this.#host.arch.kprobes.setjmpPreHandler(
          cpu,
          this.#host.memory,
          save,
          this.#host.trampoline[0],
        );
      } catch {
        // The stack cannot be saved: no jprobe this hit.
        save.rec = null;
        return 0;
      }
      return 1;
    }
    // The arguments as the probed function got them: the CPU is at its entry.
    if (rec.n > 0) this.#readArguments(cpu, rec);
    // As at the trampoline: no handler of the probe point is running (a
    // fault in the jprobe handler goes to every member's fault_handler).
    const kcb = this.#core.ctlblk(cpu.id);
    const instance = kcb.instance;
    kcb.instance = null;
    save.deferred = true;
    try {
      this.#host.callEntry(rec.owner, rec.jp, rec.args, cpu);
    } finally {
      kcb.instance = instance;
      if (save.deferred) {
        // Nothing saw or changed the CPU: nothing to restore.
        save.deferred = false;
        save.rec = null;
      } else if (save.rec === rec) this.#longjmpAtCallIn(cpu);
    }
    return 0;
  }

  /**
   * Makes a deferred setjmp happen now on CPU `cpu`: saves its registers and
   * stack and puts it at the trampoline's call-in, where a jprobe handler
   * runs as far as anything can tell. Called before anything reads or
   * writes the CPU or guest memory while a handler runs (its kernel calls,
   * `pt_regs` views, the host's guest memory, its reports); a no-op
   * otherwise.
   *
   * @param cpu The CPU.
   */
  settle(cpu: ArchCpu & { id: number }): void {
    const save = this.#saves[cpu.id];
    if (save === undefined || !save.deferred) return;
    save.deferred = false;
    const ka = this.#host.arch.kprobes;
    ka.setjmpPreHandler(cpu, this.#host.memory, save, this.#host.trampoline[0]);
    ka.jprobeCallIn!(cpu, this.#callInLo, this.#callInHi, HC_JPROBE);
  }

  /**
   * {@linkcode Jprobes.settle} on every CPU with a deferred setjmp.
   *
   * @param cpus The kernel's CPUs, by id.
   */
  settleAll(cpus: readonly (ArchCpu & { id: number })[]): void {
    const saves = this.#saves;
    for (let i = 0; i < saves.length; i++) {
      if (saves[i].deferred && cpus[i] !== undefined) this.settle(cpus[i]);
    }
  }

  /**
   * The trampoline's hypercall: runs the handler with the probed function's
   * arguments, read by the arch's calling convention.
   *
   * @param cpu The CPU at the trampoline.
   */
  runEntry(cpu: ArchCpu & { id: number }): void {
    const save = this.#saves[cpu.id];
    const rec = save.rec;
    if (rec === null) return;
    if (rec.n > 0) {
      // The trampoline loads the hypercall number into a register that is a
      // fastcall argument on i386: read register arguments as they were at
      // the hit (the state setjmp saved), then come back to the trampoline.
      const arch = this.#host.arch;
      const here = rec.regparm > 0 ? arch.saveContext(cpu) : null;
      if (here !== null) arch.restoreContext(cpu, save.context);
      this.#readArguments(cpu, rec);
      if (here !== null) arch.restoreContext(cpu, here);
    } else rec.args.length = 0;
    this.#host.callEntry(rec.owner, rec.jp, rec.args, cpu);
    // jprobe_return(): the saved registers and stack come back here, where
    // the handler ran, and the probed instruction is single-stepped: one
    // stop fewer than a second trap at the trampoline's breakpoint, which
    // stays the way back when this one is refused (the probe went away).
    if (save.rec === rec) this.#core.breakAtCallIn(cpu, rec.kp, this.#longjmpAtCallIn);
  }

  /**
   * Fills `rec.args` with the probed function's first `rec.n` arguments, as
   * the CPU has them; one that cannot be read (its stack slot unmapped)
   * reads as 0, as do the ones after it.
   */
  #readArguments(cpu: ArchCpu & { id: number }, rec: JprobeRecord): void {
    const arch = this.#host.arch;
    const memory = this.#host.memory;
    const args = rec.args;
    const n = rec.n;
    args.length = n;
    let i = 0;
    try {
      for (; i < n; i++) {
        const v = arch.getArgument(cpu, memory, i, rec.regparm);
        args[i] = arch.bits === 64 ? v : Number(v & 0xffffffffn);
      }
    } catch {
      for (; i < n; i++) args[i] = arch.bits === 64 ? 0n : 0;
    }
  }

  /** longjmp_break_handler()'s restore, for {@linkcode KprobesCore.breakAtCallIn}. */
  readonly #longjmpAtCallIn = (cpu: ArchCpu & { id: number }): void => {
    const save = this.#saves[cpu.id];
    this.#host.arch.kprobes.longjmpBreakHandler(cpu, this.#host.memory, save);
    save.rec = null;
  };

  /** Linux: longjmp_break_handler(): only for the trap at the trampoline. */
  #longjmp(_p: Kprobe): number {
    const cpu = this.#host.currentCpu();
    const save = this.#saves[cpu.id];
    const arch = this.#host.arch;
    // Only the trap in the trampoline (jprobe_return()'s) is ours.
    const off = (arch.kprobes.breakpointLo(cpu) - this.#trampolineLo) >>> 0;
    if (
      save.rec === null || arch.kprobes.breakpointHi(cpu) !== this.#trampolineHi ||
      off >= this.#trampolineLen
    ) {
      return 0;
    }
    arch.kprobes.longjmpBreakHandler(cpu, this.#host.memory, save);
    save.rec = null;
    return 1;
  }
}

/**
 * Registers a jprobe (§4.2): `jp.entry` runs with the probed function's
 * arguments on every call and must end in `jprobe_return()`.
 *
 * @param jp The jprobe.
 * @returns 0 or a negative errno.
 *
 * @example Dump do_fork's arguments
 * ```ts ignore
 * import { jprobe_return, printk, register_jprobe, type Jprobe } from "../mod.ts";
 * function jdo_fork(clone_flags: bigint, _stack_start: bigint, regs: bigint, stack_size: bigint) {
 *   printk("jprobe: clone_flags=0x%lx, stack_size=0x%lx, regs=0x%p\n", clone_flags, stack_size, regs);
 *   jprobe_return();
 * }
 * const jp: Jprobe = { kp: { symbol_name: "do_fork" }, entry: jdo_fork };
 * export const init_module = () => register_jprobe(jp);
 * ```
 */
export function register_jprobe(jp: Jprobe): number {
  return kernelAbiFor("register_jprobe")?.registerJprobe(jp) ?? -EINVAL;
}

/**
 * Removes a jprobe (§4.4).
 *
 * @param jp The jprobe.
 *
 * @example In cleanup_module
 * ```ts ignore
 * import { unregister_jprobe, type Jprobe } from "../mod.ts";
 * declare const jp: Jprobe;
 * export const cleanup_module = () => unregister_jprobe(jp);
 * ```
 */
export function unregister_jprobe(jp: Jprobe): void {
  kernelAbiFor("unregister_jprobe")?.unregisterJprobe(jp);
}

/**
 * Registers `num` jprobes, rolling back on failure. Linux: register_jprobes().
 *
 * @param jps The jprobes.
 * @param num How many.
 * @returns 0 or the first negative errno.
 *
 * @example Two jprobes
 * ```ts ignore
 * import { register_jprobes, type Jprobe } from "../mod.ts";
 * declare const jps: Jprobe[];
 * export const init_module = () => register_jprobes(jps, jps.length);
 * ```
 */
export function register_jprobes(jps: readonly Jprobe[], num: number): number {
  const abi = kernelAbiFor("register_jprobes");
  if (abi === null) return -EINVAL;
  return registerAll(jps, num, (p) => abi.registerJprobe(p), (p) => abi.unregisterJprobe(p));
}

/**
 * Unregisters `num` jprobes. Linux: unregister_jprobes().
 *
 * @param jps The jprobes.
 * @param num How many.
 *
 * @example Two jprobes
 * ```ts ignore
 * import { unregister_jprobes, type Jprobe } from "../mod.ts";
 * declare const jps: Jprobe[];
 * export const cleanup_module = () => unregister_jprobes(jps, jps.length);
 * ```
 */
export function unregister_jprobes(jps: readonly Jprobe[], num: number): void {
  const abi = kernelAbiFor("unregister_jprobes");
  if (abi === null) return;
  unregisterAll(jps, num, (p) => abi.unregisterJprobe(p));
}

/**
 * Ends a jprobe handler (§1.2): control goes back to Kprobes, which restores
 * the registers and stack and runs the probed function. Never returns
 * (outside any kernel it does nothing; outside a jprobe handler the kernel
 * reports the misuse in its log).
 *
 * @example The end of every jprobe handler
 * ```ts ignore
 * import { jprobe_return } from "../mod.ts";
 * function jsys_open(filename: bigint, flags: bigint, mode: bigint): number {
 *   jprobe_return();
 * }
 * ```
 */
export function jprobe_return(): never {
  const abi = kernelAbiFor("jprobe_return");
  // Outside any kernel there is nothing to return to: a no-op.
  if (abi === null) return undefined as never;
  return abi.jprobeReturn();
}

/**
 * Disables a registered jprobe (Linux: disable_jprobe(), i.e.
 * `disable_kprobe(&jp->kp)`): registered, no handler runs, the
 * breakpoint leaves text once nothing else at the address is enabled.
 *
 * @param jp The jprobe.
 * @returns 0, or -EINVAL when it is not registered.
 *
 * @example
 * ```ts ignore
 * import { disable_jprobe, type Jprobe } from "../mod.ts";
 * declare const jp: Jprobe;
 * disable_jprobe(jp);
 * ```
 */
export function disable_jprobe(jp: Jprobe): number {
  return kernelAbiFor("disable_jprobe")?.disableKprobe(embeddedKprobe(jp) as Kprobe) ?? -EINVAL;
}

/**
 * Enables a jprobe disabled by {@linkcode disable_jprobe} or registered with
 * `kp.flags: KPROBE_FLAG_DISABLED` (Linux: enable_jprobe()).
 *
 * @param jp The jprobe.
 * @returns 0, or -EINVAL when it is not registered.
 *
 * @example
 * ```ts ignore
 * import { enable_jprobe, type Jprobe } from "../mod.ts";
 * declare const jp: Jprobe;
 * enable_jprobe(jp);
 * ```
 */
export function enable_jprobe(jp: Jprobe): number {
  return kernelAbiFor("enable_jprobe")?.enableKprobe(embeddedKprobe(jp) as Kprobe) ?? -EINVAL;
}
