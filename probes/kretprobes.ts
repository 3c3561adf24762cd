// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Return probes (§1.3, §4.3): a kprobe at the function's entry takes a
 * preallocated `kretprobe_instance`, saves the real return address in it
 * and puts the trampoline's address in its place. The trampoline carries a
 * kprobe of its own; its handler calls the user's handler and sends the CPU
 * to the real return address. Its breakpoint is taken straight from the
 * trap ({@linkcode Kretprobes.onTrampoline}): one stop, no probe lookup, no
 * single-step, as 6.1's trampoline calls trampoline_handler() directly.
 * Instances come from a free list and keep the return address as 32-bit
 * halves (no allocation, no BigInt per hit). Instances of a task that dies
 * are recycled (`kprobe_flush_task`), so do_exit and do_execve leak none.
 * Linux: register_kretprobe(), pre_handler_kretprobe(),
 * trampoline_probe_handler(), kprobe_flush_task().
 *
 * @module
 */

import type { Arch, ArchCpu, GuestMemory } from "../arch/types.ts";
import { EINVAL, ENOMEM, errnoName } from "../kernel-model/errno.ts";
import { KernelError } from "../kernel-model/errors.ts";
import { checkKretprobe } from "./validate.ts";
import type { KprobesCore } from "./kprobes.ts";
import type {
  KernelAddress,
  Kprobe,
  Kretprobe,
  KretprobeInstance,
  PtRegs,
  TaskRef,
} from "./types.ts";

/**
 * Most bytes of `ri.data` one return probe may preallocate
 * (`maxactive × data_size`): 16 MiB; above it register_kretprobe() fails
 * with -ENOMEM, as Linux's kzalloc() of the instances would.
 */
export const KRETPROBE_DATA_POOL_MAX = 16 << 20;

/** What the return-probe machinery needs from the kernel. */
export interface KretprobesHost {
  /** The arch. */
  readonly arch: Arch;
  /** Guest memory. */
  readonly memory: GuestMemory;
  /** NR_CPUS. */
  readonly nrCpus: number;
  /** CONFIG_PREEMPT. */
  readonly preempt: boolean;
  /** `kretprobe_trampoline`. */
  readonly trampoline: bigint;
  /** `kprobe_flush_task(struct task_struct *tk)`, called when a task is gone. */
  readonly flushTask: bigint;
  /** Is `addr` the first instruction of a function? */
  isFunctionEntry(addr: bigint): boolean;
  /** Function names return probes refuse (Linux: kretprobe_blacklist). */
  readonly blacklist: readonly bigint[];
  /** The CPU whose trap is being handled. */
  currentCpu(): ArchCpu & { id: number };
  /** The task_struct address of the task on `cpu`, low 32 bits as an int32 (a key; no BigInt). */
  currentTaskKey(cpu: ArchCpu & { id: number }): number;
  /** The task on `cpu` as handlers see it (fields read on demand). */
  taskRef(key: number): TaskRef;
  /** The key of a task_struct address. */
  taskKeyOf(address: bigint): number;
  /** Calls a user handler in its owner's context; reports exceptions. */
  invoke<A, B, R>(
    owner: string | null,
    what: string,
    cpu: ArchCpu,
    fn: (a: A, b: B) => R,
    a: A,
    b: B,
  ): R | undefined;
  /** Reports a broken invariant in the log (KERN_ERR). */
  report(message: string, cpu: ArchCpu & { id: number }): void;
}

/**
 * What a handler sees as `ri`. Linux: `struct kretprobe_instance`. The
 * return address is kept as 32-bit halves (the hit path makes no BigInt);
 * `ret_addr` builds the value when read and splits it when written.
 */
class Ri implements KretprobeInstance {
  rp: Kretprobe;
  data: DataView;
  #lo = 0;
  #hi = 0;
  readonly #wide: boolean;
  #task: TaskRef | null;
  #taskKey = 0;
  readonly #taskRef: (key: number) => TaskRef;

  constructor(
    rp: Kretprobe,
    task: TaskRef,
    data: DataView,
    wide: boolean,
    taskRef: (key: number) => TaskRef,
  ) {
    this.rp = rp;
    this.#task = task;
    this.data = data;
    this.#wide = wide;
    this.#taskRef = taskRef;
  }

  /** The task the instance was taken for (made when first read: no object per hit). */
  get task(): TaskRef {
    return this.#task ??= this.#taskRef(this.#taskKey);
  }
  set task(v: TaskRef) {
    this.#task = v;
  }

  /** Internal: the instance is taken for the task whose key is `key`. */
  takeFor(key: number): void {
    this.#taskKey = key;
    this.#task = null;
  }

  /** The real return address (a bigint on 64-bit arches, a number on i386). */
  get ret_addr(): KernelAddress {
    return this.#wide ? (BigInt(this.#hi) << 32n) | BigInt(this.#lo) : this.#lo;
  }
  set ret_addr(v: KernelAddress) {
    const b = BigInt.asUintN(64, BigInt(v));
    this.#lo = Number(b & 0xffffffffn);
    this.#hi = this.#wide ? Number(b >> 32n) : 0;
  }

  /** Internal: sets the return address from its halves. */
  setReturnHalves(lo: number, hi: number): void {
    this.#lo = lo;
    this.#hi = hi;
  }
  /** Internal: the return address's low half. */
  returnLo(): number {
    return this.#lo;
  }
  /** Internal: its high half. */
  returnHi(): number {
    return this.#hi;
  }
}

/** An instance with its bookkeeping. Linux: `struct kretprobe_instance` + hlist. */
interface Instance {
  ri: Ri;
  /** `ri.data`'s bytes, zeroed when the instance is taken. */
  bytes: Uint8Array;
  /** False once its kretprobe is unregistered: it still restores the address, without the handler. */
  live: boolean;
  /** Taken (on a task's list) rather than free. */
  inUse: boolean;
  taskKey: number;
  /** The pool it goes back to (its kretprobe's, while `live`). */
  readonly pool: Instance[];
  /** The module that registered its kretprobe (kept: no lookup per hit). */
  owner: string | null;
}

/** Per-kretprobe state. Linux: the instance freelist. */
interface RpState {
  free: Instance[];
  /** Every instance, free or taken. */
  all: Instance[];
}

/** The return probes of one kernel. */
export class Kretprobes {
  readonly #core: KprobesCore;
  readonly #host: KretprobesHost;
  readonly #states = new Map<Kretprobe, RpState>();
  readonly #byKprobe = new Map<Kprobe, Kretprobe>();
  /** Linux: kretprobe_inst_table, by task; newest last. */
  readonly #byTask = new Map<number, Instance[]>();
  /** The key `#lastList` is the `#byTask` list of (a hit and its return ask for the same). */
  #lastKey = 0;
  /** That list, or null. */
  #lastList: Instance[] | null = null;
  readonly #trampolineKp: Kprobe;
  readonly #flushKp: Kprobe;
  /** The trampoline's address, halves. */
  readonly #trampLo: number;
  readonly #trampHi: number;
  /** prepareKretprobeHalves()'s output, reused. */
  readonly #halves = new Uint32Array(2);
  /** host.taskRef, bound once. */
  readonly #taskRef = (key: number): TaskRef => this.#host.taskRef(key);
  /** Per CPU: its pt_regs view. */
  readonly #regs: PtRegs[] = [];

  /**
   * Creates the machinery and plants its two internal probes.
   *
   * @param core The kprobes core.
   * @param host The kernel's services.
   */
  constructor(core: KprobesCore, host: KretprobesHost) {
    this.#core = core;
    this.#host = host;
    this.#trampLo = Number(host.trampoline & 0xffffffffn);
    this.#trampHi = Number((host.trampoline >> 32n) & 0xffffffffn);
    this.#trampolineKp = {
      addr: host.trampoline,
      pre_handler: () => this.#trampolineHandler(host.currentCpu()),
    };
    this.#flushKp = { addr: host.flushTask, pre_handler: () => this.#flushHandler() };
    const r1 = core.registerInternal(this.#trampolineKp);
    const r2 = core.registerInternal(this.#flushKp);
    if (r1 !== 0 || r2 !== 0) {
      const bad = r1 !== 0 ? ["kretprobe_trampoline", r1] : ["kprobe_flush_task", r2];
      throw new KernelError(
        `Cannot plant the kretprobe machinery's probe on ${bad[0]}: register_kprobe returned ${
          bad[1]
        } (${errnoName(bad[1] as number)}), the image's .kprobes.text is damaged, rebuild it`,
      );
    }
  }

  /** The kprobes the machinery itself keeps (hidden from listings). */
  get internalKprobes(): readonly Kprobe[] {
    return [this.#trampolineKp, this.#flushKp];
  }

  /**
   * Linux: register_kretprobe() (§4.3).
   *
   * @param rp The return probe; `rp.kp` names a function entry.
   * @returns 0, -EINVAL (not a function entry, blacklisted, a value of the
   * wrong shape, `maxactive` or `data_size` not an integer), -E2BIG
   * (`maxactive` above 4096, `data_size` above 64 KiB), -ENOMEM (more than
   * {@linkcode KRETPROBE_DATA_POOL_MAX} bytes of `ri.data` in all), or a
   * register_kprobe() error.
   */
  register(rp: Kretprobe): number {
    const bad = checkKretprobe(rp, this.#host.arch.bits);
    if (bad !== 0) return bad;
    if (this.#states.has(rp) || this.#core.isRegistered(rp.kp)) return -EINVAL;
    const addr = this.#core.resolveAddress(rp.kp);
    if (addr < 0n) return Number(addr);
    if (!this.#host.isFunctionEntry(addr) || this.#host.blacklist.includes(addr)) return -EINVAL;
    let maxactive = rp.maxactive ?? 0;
    if (maxactive <= 0) {
      const nr = this.#host.nrCpus;
      maxactive = this.#host.preempt ? Math.max(10, 2 * nr) : nr;
    }
    const dataSize = rp.data_size ?? 0;
    if (maxactive * dataSize > KRETPROBE_DATA_POOL_MAX) {
      // Linux: kzalloc() of the instances fails.
      return -ENOMEM;
    }
    rp.maxactive = maxactive;
    rp.nmissed = 0;
    const state: RpState = { free: [], all: [] };
    const nobody: TaskRef = { address: 0n, pid: -1, tgid: -1, comm: "", state: 0, cpu: 0 };
    const wide = this.#host.arch.bits === 64;
    for (let i = 0; i < maxactive; i++) {
      const data = new DataView(new ArrayBuffer(dataSize));
      const inst: Instance = {
        ri: new Ri(rp, nobody, data, wide, this.#taskRef),
        bytes: new Uint8Array(data.buffer),
        live: true,
        inUse: false,
        taskKey: 0,
        pool: state.free,
        owner: null,
      };
      state.free.push(inst);
      state.all.push(inst);
    }
    const pre = (_p: Kprobe, regs: PtRegs) =>
      this.#entry(rp, this.#states.get(rp), this.#host.currentCpu(), regs);
    rp.kp.pre_handler = pre;
    // Linux calls pre_handler_kretprobe() as any pre_handler: no module
    // frame around it (its entry_handler gets one). Set while `state` is
    // registered (unregister() drops it).
    this.#core.setDirectPreHandler(rp.kp, {
      pre,
      run: (cpu, regs) => this.#entry(rp, state, cpu, regs),
    });
    this.#states.set(rp, state);
    this.#byKprobe.set(rp.kp, rp);
    const ret = this.#core.register(rp.kp);
    if (ret === 0) {
      const owner = this.#core.ownerOf(rp.kp);
      for (const inst of state.all) inst.owner = owner;
    } else {
      this.#states.delete(rp);
      this.#byKprobe.delete(rp.kp);
      this.#core.setDirectPreHandler(rp.kp, null);
    }
    return ret;
  }

  /**
   * Linux: unregister_kretprobe() (§4.4). Instances still pending return
   * through the trampoline without calling the handler.
   *
   * @param rp The return probe.
   */
  unregister(rp: Kretprobe): void {
    const state = this.#states.get(rp);
    if (state === undefined) return;
    this.#core.unregister(rp.kp);
    this.#core.setDirectPreHandler(rp.kp, null);
    for (const inst of state.all) if (inst.inUse) inst.live = false;
    this.#states.delete(rp);
    this.#byKprobe.delete(rp.kp);
  }

  /**
   * Unregisters the return probe whose kprobe is `kp`, if any (leftover cleanup).
   *
   * @param kp A kprobe.
   * @returns Whether it belonged to a return probe.
   */
  unregisterByKprobe(kp: Kprobe): boolean {
    const rp = this.#byKprobe.get(kp);
    if (rp === undefined) return false;
    this.unregister(rp);
    return true;
  }

  /** Is `kp` the entry kprobe of a registered return probe? */
  owns(kp: Kprobe): boolean {
    return this.#byKprobe.has(kp);
  }

  /** Free instances of `rp` (for tests: nothing leaks). */
  freeInstances(rp: Kretprobe): number {
    return this.#states.get(rp)?.free.length ?? 0;
  }

  /** Linux: pre_handler_kretprobe(). */
  #entry(
    rp: Kretprobe,
    state: RpState | undefined,
    cpu: ArchCpu & { id: number },
    regs: PtRegs,
  ): number {
    if (state === undefined) return 0;
    const inst = state.free.pop();
    if (inst === undefined) {
      rp.nmissed = (rp.nmissed ?? 0) + 1;
      return 0;
    }
    const host = this.#host;
    // An int32 key: a uint32 above 2^30 is a heap number, which a Map hashes slowly.
    const key = host.currentTaskKey(cpu) | 0;
    inst.ri.takeFor(key);
    if (inst.bytes.length > 0) inst.bytes.fill(0);
    inst.taskKey = key;
    if (rp.entry_handler) {
      const skip = host.invoke(
        inst.owner,
        "entry_handler",
        cpu,
        rp.entry_handler,
        inst.ri,
        regs,
      );
      if (skip) {
        state.free.push(inst);
        return 0;
      }
    }
    const ka = host.arch.kprobes;
    if (ka.prepareKretprobeHalves !== undefined) {
      const out = this.#halves;
      ka.prepareKretprobeHalves(cpu, host.memory, this.#trampLo, this.#trampHi, out);
      inst.ri.setReturnHalves(out[0], out[1]);
    } else inst.ri.ret_addr = ka.prepareKretprobe(cpu, host.memory, host.trampoline);
    inst.live = true;
    inst.inUse = true;
    let list = this.#taskList(key);
    if (list === undefined) {
      this.#byTask.set(key, list = []);
      this.#lastKey = key;
      this.#lastList = list;
    }
    list.push(inst);
    return 0;
  }

  /** `#byTask.get(key)`, the last one answered kept at hand. */
  #taskList(key: number): Instance[] | undefined {
    if (key === this.#lastKey && this.#lastList !== null) return this.#lastList;
    const list = this.#byTask.get(key);
    if (list !== undefined) {
      this.#lastKey = key;
      this.#lastList = list;
    }
    return list;
  }

  #recycle(inst: Instance): void {
    if (!inst.inUse) return;
    inst.inUse = false;
    // Not live: its kretprobe was unregistered while it was taken (its
    // state went then), so it goes nowhere.
    if (inst.live) inst.pool.push(inst);
  }

  /**
   * The trampoline's breakpoint, taken straight from the trap (no probe
   * lookup, no handler frame: Linux 6.1's trampoline calls
   * trampoline_handler() directly). The kprobe on the trampoline stays: it
   * arms the breakpoint, and handles a hit this declines.
   *
   * @param cpu The trapping CPU.
   * @returns true when handled.
   */
  onTrampoline(cpu: ArchCpu & { id: number }): boolean {
    const ka = this.#host.arch.kprobes;
    if (ka.breakpointLo(cpu) !== this.#trampLo || ka.breakpointHi(cpu) !== this.#trampHi) {
      return false;
    }
    return this.#core.onInternalBreakpoint(cpu, this.#trampolineKp, this.#trampolineAt);
  }

  readonly #trampolineAt = (cpu: ArchCpu & { id: number }): number => this.#trampolineHandler(cpu);

  /** Linux: trampoline_probe_handler(). */
  #trampolineHandler(cpu: ArchCpu & { id: number }): number {
    const host = this.#host;
    const key = host.currentTaskKey(cpu) | 0;
    const list = this.#taskList(key);
    let regs = this.#regs[cpu.id];
    if (regs === undefined) this.#regs[cpu.id] = regs = host.arch.ptRegs(cpu) as unknown as PtRegs;
    let found = false;
    let lo = 0;
    let hi = 0;
    while (list !== undefined && list.length > 0) {
      const inst = list.pop()!;
      if (inst.live && inst.ri.rp.handler) {
        host.invoke(
          inst.owner,
          "kretprobe handler",
          cpu,
          inst.ri.rp.handler,
          inst.ri,
          regs,
        );
      }
      lo = inst.ri.returnLo();
      hi = inst.ri.returnHi();
      found = lo !== 0 || hi !== 0;
      this.#recycle(inst);
      if (lo !== this.#trampLo || hi !== this.#trampHi) break;
    }
    if (!found) {
      host.report(
        `kretprobe: no return address for pid ${host.taskRef(key).pid} at the trampoline`,
        cpu,
      );
      return 0;
    }
    const ka = host.arch.kprobes;
    if (ka.setPcHalves !== undefined) ka.setPcHalves(cpu, lo, hi);
    else host.arch.setPc(cpu, (BigInt(hi) << 32n) | BigInt(lo));
    return 1;
  }

  /** Linux: kprobe_flush_task(tk): a dead task's instances go back to their pools. */
  #flushHandler(): number {
    const host = this.#host;
    const cpu = host.currentCpu();
    const tk = host.arch.getArgument(cpu, host.memory, 0);
    const key = host.taskKeyOf(tk) | 0;
    // The exec path flushes the live current task (2.6.12 flush_thread());
    // its kernel frames, do_execve's included, still return through the
    // trampoline, so only a dead task's instances are recycled here.
    if (key === (host.currentTaskKey(cpu) | 0)) return 0;
    const list = this.#byTask.get(key);
    if (list !== undefined) {
      for (const inst of list) this.#recycle(inst);
      this.#byTask.delete(key);
      if (key === this.#lastKey) this.#lastList = null;
    }
    return 0;
  }
}
