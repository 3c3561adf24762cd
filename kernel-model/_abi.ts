// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The kernel ABI bound to one kernel (the `KernelAbi` a module's calls reach),
 * per-owner context frames, and the invocation of probe handlers and jprobe
 * entries.
 *
 * Private to kernel-model/: `Kernel` (kernel.ts) is the public face and
 * `KernelCore` (_kernel_core.ts) the state the seams share.
 *
 * @module
 */

import type { Jprobe, Kretprobe } from "../probes/types.ts";
import {
  type KernelAbi,
  type KernelContextFrame,
  popKernelContext,
  pushKernelContext,
} from "./context.ts";
import { describeValue, functionName } from "./_describe.ts";
import { type Cpu, isHandlerAbort, type KernelCore } from "./_kernel_core.ts";

/**
 * The context frame of a jprobe handler: its ABI's jprobeReturn() ends the
 * handler without a host exception; after it, every ABI function throws the
 * jprobe-return signal.
 */
interface JprobeFrames {
  /** The frame. */
  readonly running: KernelContextFrame;
}

/** The kernel ABI of a kernel and the calls into handlers. */
export class KernelCalls {
  /** The kernel's shared state. */
  constructor(readonly k: KernelCore) {}

  /**
   * Per owner: the frame a jprobe handler runs in (its ABI's
   * `jprobeReturn` ends the handler without a host exception).
   */
  readonly #jprobeFrames = new Map<string | null, JprobeFrames>();
  /** The frames of the jprobe handler running now, or null. */
  #jprobeFrame: JprobeFrames | null = null;
  /** The latest owner's frames (a jprobe hit looks up no Map when it is the same). */
  #lastJprobeFrames: JprobeFrames | null = null;
  /** Has the running jprobe handler called jprobe_return()? */
  #jprobeReturned = false;

  /**
   * Runs a jprobe handler at the trampoline's hypercall. Its
   * `jprobe_return()` returns to it without throwing (the common case: the
   * last statement), and from then on the handler's context is gone: any
   * further kernel-ABI call it makes throws the jprobe-return signal, which
   * ends it, so nothing after jprobe_return() reaches the kernel (Linux: it
   * never returns).
   */
  callJprobeEntry(owner: string | null, jp: Jprobe, args: (bigint | number)[], cpu: Cpu): void {
    this.k.heartbeat?.enter(owner, "jprobe entry", cpu.id, jp.entry);
    const prevCpu = this.k.abiCpu;
    this.k.abiCpu = cpu;
    const last = this.#lastJprobeFrames;
    const frames = last !== null && last.running.owner === owner
      ? last
      : this.#jprobeFramesOf(owner);
    const prevFrame = this.#jprobeFrame;
    const prevReturned = this.#jprobeReturned;
    this.#jprobeFrame = frames;
    this.#jprobeReturned = false;
    pushKernelContext(frames.running);
    try {
      if (args.length === 0) jp.entry();
      else jp.entry(...args);
      if (!this.#jprobeReturned) {
        this.k.jprobes.settle(cpu);
        const name = functionName(jp.entry, "handler");
        this.k.logDirect(
          3,
          `BUG: jprobe handler ${name} returned without calling jprobe_return()`,
        );
        this.k.host.dumpStack(cpu);
      }
    } catch (e) {
      if (this.k.isJprobeReturn(e) || isHandlerAbort(e)) return;
      this.k.jprobes.settle(cpu);
      this.k.incidents.handlerErrors++;
      const name = functionName(jp.entry, "handler");
      this.k.logDirect(
        3,
        `kprobes: jprobe handler ${name} of ${owner ?? "host"} threw ${describeValue(e)}`,
      );
      this.k.host.dumpStack(cpu);
    } finally {
      popKernelContext(frames.running);
      this.#jprobeFrame = prevFrame;
      this.#jprobeReturned = prevReturned;
      this.k.abiCpu = prevCpu;
      this.k.heartbeat?.leave();
    }
  }

  #jprobeFramesOf(owner: string | null): JprobeFrames {
    let f = this.#jprobeFrames.get(owner);
    if (f === undefined) {
      // After jprobe_return() every kernel call ends the handler; before
      // it, every one first settles a deferred setjmp (Jprobes.settle): it
      // may see or change the CPU.
      const settled = Object.fromEntries(
        Object.entries(this.abi).map(([name, fn]) => [
          name,
          (...a: unknown[]) => {
            if (this.#jprobeReturned) throw this.k.jprobeReturnSignal;
            this.k.jprobes.settle(this.k.abiCpu);
            return (fn as (...a: unknown[]) => unknown)(...a);
          },
        ]),
      ) as unknown as KernelAbi;
      const jprobeAbi: KernelAbi = { ...settled, jprobeReturn: () => this.#jprobeReturn() };
      f = { running: { abi: jprobeAbi, owner } };
      this.#jprobeFrames.set(owner, f);
    }
    this.#lastJprobeFrames = f;
    return f;
  }

  /** jprobe_return() in a jprobe handler's own context: ends it for the kernel. */
  #jprobeReturn(): never {
    if (this.#jprobeFrame === null || this.#jprobeReturned) throw this.k.jprobeReturnSignal;
    this.#jprobeReturned = true;
    return undefined as never;
  }

  // ---------------------------------------------------------------- ABI

  /** The frame of the latest owner asked for: a hit asks for the same one each time. */
  #lastFrame: KernelContextFrame | null = null;

  frame(owner: string | null): KernelContextFrame {
    const last = this.#lastFrame;
    if (last !== null && last.owner === owner) return last;
    let f = this.k.frames.get(owner);
    if (f === undefined) {
      f = { abi: this.abi, owner };
      this.k.frames.set(owner, f);
    }
    this.#lastFrame = f;
    return f;
  }
  invoke<A, B, C, R>(
    owner: string | null,
    what: string,
    cpu: Cpu,
    fn: (a: A, b: B, c: C) => R,
    a: A,
    b: B,
    c: C,
  ): R | undefined {
    const k = this.k;
    k.heartbeat?.enter(owner, what, cpu.id, fn);
    const prevCpu = k.abiCpu;
    k.abiCpu = cpu;
    const frame = this.frame(owner);
    pushKernelContext(frame);
    try {
      const r = fn(a, b, c);
      // An int handler's result is a number (or nothing); anything else would
      // be read as "skip the single-step" by truthiness: report it, use 0.
      if (r === undefined || typeof r === "number" || what === "post_handler") return r;
      k.incidents.handlerErrors++;
      k.logDirect(
        3,
        `BUG: kprobes: ${what} ${functionName(fn, "(anonymous)")} of ${owner ?? "host"} returned ${
          describeValue(r, true)
        }, not an int: treated as 0`,
      );
      return 0 as R;
    } catch (e) {
      if (isHandlerAbort(e)) return undefined;
      k.incidents.handlerErrors++;
      const msg = k.isJprobeReturn(e)
        ? "jprobe_return() outside a jprobe handler"
        : `threw ${describeValue(e)}`;
      k.logDirect(3, `kprobes: ${what} of ${owner ?? "host"} ${msg}`);
      k.host.dumpStack(cpu);
      return undefined;
    } finally {
      popKernelContext(frame);
      k.abiCpu = prevCpu;
      k.heartbeat?.leave();
    }
  }
  readonly abi: KernelAbi = {
    registerKprobe: (p) => this.k.kprobes.register(p),
    unregisterKprobe: (p) => this.k.kprobes.unregister(p),
    enableKprobe: (p) => this.k.kprobes.enable(p),
    disableKprobe: (p) => this.k.kprobes.disable(p),
    registerJprobe: (jp: Jprobe) => this.k.jprobes.register(jp),
    unregisterJprobe: (jp: Jprobe) => this.k.jprobes.unregister(jp),
    jprobeReturn: () => {
      throw this.k.jprobeReturnSignal;
    },
    registerKretprobe: (rp: Kretprobe) => this.k.kretprobes.register(rp),
    unregisterKretprobe: (rp: Kretprobe) => this.k.kretprobes.unregister(rp),
    printk: (fmt, args) => this.k.host.printk(fmt, args),
    dumpStack: () => this.k.host.dumpStack(this.k.abiCpu),
    lookupName: (name) => this.k.addr(this.k.kallsyms.lookupName(name)),
    current: () => this.k.taskRef(this.k.currentTask(this.k.abiCpu)),
    readMemory: (addr, size) => this.k.host.handlerAccess(addr, size, null),
    writeMemory: (addr, size, value) => {
      const integer = (v: unknown) =>
        (typeof v === "number" && Number.isSafeInteger(v)) || typeof v === "bigint";
      if (
        (size !== 1 && size !== 2 && size !== 4 && size !== 8) || !integer(value) || !integer(addr)
      ) {
        return -22; // -EINVAL
      }
      return Number(this.k.host.handlerAccess(addr, size, BigInt(value)));
    },
    sleep: (what, _ms) => this.k.host.sleepFromModule(what),
    utsname: () => ({
      sysname: "Linux",
      nodename: "kprobes-sim",
      release: "2.6.12-kprobes-sim",
      version: "#1 SMP",
      machine: this.k.arch.name,
    }),
    readNoFault: (addr, size) => this.k.host.readNoFault(addr, size),
    cycles: () => BigInt(Math.floor(this.k.abiCpu.tsc)),
    clockNs: () => (BigInt(Math.floor(this.k.abiCpu.tsc)) * 1_000_000n) / BigInt(this.k.tscKhz),
    processorId: () => this.k.abiCpu.id,
    preemptible: () => {
      const cpu = this.k.abiCpu;
      return this.k.preempt && this.k.host.preemptCount(cpu) === 0 &&
        this.k.arch.interruptsEnabled(cpu) && this.k.kprobes.ctlblk(cpu.id).current === null;
    },
    // 2.6 preempt_count: softirq bits 8–15, hardirq bits 16–27 (in_interrupt()).
    inInterrupt: () => (this.k.host.preemptCount(this.k.abiCpu) & 0x0fffff00) !== 0,
    stackTrace: () =>
      this.k.arch.unwind(
        this.k.abiCpu,
        this.k.memory,
        (pc) => this.k.kallsyms.lookupAddress(pc)?.address,
      ),
  };
}
