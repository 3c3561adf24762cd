// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Binds the probe cores to one kernel: the callbacks through which
 * `KprobesCore`, `Jprobes` and `Kretprobes` reach kallsyms, the CPUs and the
 * kernel ABI, and the kprobes notifier on the die chain. Private to
 * kernel-model/.
 *
 * @module
 */

import type { KprobesCore } from "../probes/kprobes.ts";
import type { Jprobes } from "../probes/jprobes.ts";
import type { Kretprobes } from "../probes/kretprobes.ts";
import { GuestMemoryError } from "./memory.ts";
import type { NotifierBlock } from "./notifier.ts";
import type { Cpu, KernelCore } from "./_kernel_core.ts";

/**
 * The probe core classes. kernel.ts, the one composition root that may
 * import probes/, passes them in (STYLE.md rule 4).
 */
export interface ProbeClasses {
  /** The kprobes core (probes/kprobes.ts). */
  KprobesCore: typeof KprobesCore;
  /** Jprobes over it (probes/jprobes.ts). */
  Jprobes: typeof Jprobes;
  /** Return probes over it (probes/kretprobes.ts). */
  Kretprobes: typeof Kretprobes;
}

/**
 * Builds `k.kprobes`, `k.jprobes` and `k.kretprobes` from `classes`, bound
 * to `k`, and registers the kprobes notifier on `k.die` (Linux:
 * init_kprobes(), register_die_notifier(&kprobe_exceptions_nb)).
 */
export function wireProbes(
  k: KernelCore,
  classes: ProbeClasses,
  optimization: { enabled: boolean; delay: number } = { enabled: true, delay: 5 },
  stepping: { emulate: boolean; boost: boolean } = { emulate: true, boost: true },
): void {
  const { KprobesCore, Jprobes, Kretprobes } = classes;
  let exTable: Set<bigint> | null = null;
  const currSlot = k.cpus.map((c) =>
    Number((k.sym.cpuCurr + BigInt(c.id * k.ptrSize)) & 0xffffffffn) +
    (k.arch.littleEndian ? 0 : 4)
  );
  // Per CPU: the offset of its cpu_curr slot in guest RAM (-1: not yet),
  // valid under protectCount `currGen`.
  const currOff = new Int32Array(k.cpus.length).fill(-1);
  let currGen = -1;
  const arch = k.arch;
  const nr = k.cpus.length;
  k.kprobes = new KprobesCore({
    arch,
    memory: k.memory,
    nrCpus: nr,
    kprobesText: k.sym.kprobesText,
    insnSlots: k.sym.insnSlots,
    lookupName: (name) => k.kallsyms.lookupName(name),
    functionStart: (addr) => {
      const s = k.kallsyms.lookupAddress(addr);
      return s === undefined ? undefined : s.address;
    },
    functionAt: (addr) => {
      const s = k.kallsyms.lookupAddress(addr);
      return s === undefined
        ? undefined
        : { name: s.name, start: s.address, size: s.size, symbolSize: s.symbolSize };
    },
    lookupSymbol: (name) => k.kallsyms.lookupSymbol(name),
    suggest: (name) => k.kallsyms.suggest(name),
    warn: (message) => k.logDirect(4, message),
    isKernelText: (addr) => k.isTextAddress(addr),
    currentOwner: () => k.currentOwner,
    invoke: (owner, what, cpu, fn, a, b, c) => k.calls.invoke(owner, what, cpu as Cpu, fn, a, b, c),
    preemptDisable: (cpu) => k.addPreempt(cpu as Cpu, 1),
    preemptEnable: (cpu) => k.addPreempt(cpu as Cpu, -1),
    cpus: k.cpus,
    savedStacks: savedStacks(k),
    inExceptionTable: (addr) => {
      if (exTable === null) {
        exTable = new Set();
        const [start, end] = k.sym.exTable;
        const step = BigInt(k.ptrSize);
        for (let e = start; e < end; e += 2n * step) {
          exTable.add(k.readPtr(e));
          exTable.add(k.readPtr(e + step)); // the fixup jumps in here
        }
      }
      return exTable.has(addr);
    },
    optimization,
    stepping,
  });
  const kprobesNb: NotifierBlock = {
    priority: 0x7fffffff,
    notifier_call: (val, args) => k.traps.kprobeExceptionsNotify(val, args),
  };
  k.die.register(kprobesNb);
  // Kprobe hits are handled inside the CPU's run loop (Linux: do_int3()
  // asks kprobe_int3_handler() before the die chain).
  for (const cpu of k.cpus) {
    const traps = k.traps;
    const kprobes = k.kprobes;
    cpu.stopHook = (reason) => traps.fastStop(cpu, reason);
    // An optimized probe's detour calls in from its hypercall instruction
    // itself: no stop (Linux: the detour calls optimized_callback()).
    cpu.callIn = () => kprobes.onOptimizedHit(cpu);
  }
  k.jprobes = new Jprobes(k.kprobes, {
    arch,
    memory: k.memory,
    nrCpus: nr,
    trampoline: k.sym.jprobeTrampoline,
    isFunctionEntry: (addr) => k.isFunctionEntry(addr),
    currentCpu: () => k.abiCpu,
    callEntry: (owner, jp, args, cpu) => k.calls.callJprobeEntry(owner, jp, args, cpu as Cpu),
  });
  // Linux: kretprobe_blacklist. Functions that return on another task's
  // stack: a return probe's instance belongs to the task that entered, and
  // a fork child's first switch returns through its copy of the parent's
  // frame. switch_to is this guest's C wrapper of the stack switch.
  const blacklist = ["__switch_to", "switch_to", "ret_from_fork"]
    .map((n) => k.kprobes.resolveAddress({ symbol_name: n }))
    .filter((a) => a > 0n);
  k.kprobes.takeUnknownSymbol();
  k.kretprobes = new Kretprobes(k.kprobes, {
    arch,
    memory: k.memory,
    nrCpus: nr,
    preempt: k.preempt,
    trampoline: k.sym.kretprobeTrampoline,
    flushTask: k.sym.flushTask,
    isFunctionEntry: (addr) => k.isFunctionEntry(addr),
    blacklist,
    currentCpu: () => k.abiCpu,
    // currentTaskLo() as an int32, without a BigInt per call: the slot of cpu_curr[id],
    // split once, its offset kept while no protect() ran (a mapped
    // address never moves).
    currentTaskKey: (cpu) => {
      const m = k.memory;
      const id = (cpu as Cpu).id;
      if (currGen !== m.protectCount) {
        currGen = m.protectCount;
        currOff.fill(-1);
      }
      const off = currOff[id];
      if (off < 0) {
        const v = m.read32(k.kernelHi, currSlot[id]) | 0;
        if ((currSlot[id] & 0xfff) > 0xffc) return v;
        currOff[id] = m.translate(k.kernelHi, currSlot[id], 0);
        return v;
      }
      // An int32 (a small integer to V8): a uint32 above 2^31 returned
      // from a call that is not inlined is a new heap number.
      const u8 = m.u8;
      return m.littleEndian
        ? u8[off] | (u8[off + 1] << 8) | (u8[off + 2] << 16) | (u8[off + 3] << 24)
        : (u8[off] << 24) | (u8[off + 1] << 16) | (u8[off + 2] << 8) | u8[off + 3];
    },
    taskRef: (key) => k.lazyTask(key),
    taskKeyOf: (address) => Number(address & 0xffffffffn),
    invoke: (owner, what, cpu, fn, a, b) =>
      k.calls.invoke(owner, what, cpu as Cpu, fn, a, b, undefined),
    report: (message, cpu) => {
      k.logDirect(3, message);
      k.host.dumpStack(cpu as Cpu);
    },
  });
}

/**
 * The saved kernel stack pointers (`thread.rsp`/`ksp`, ABI.md) of the tasks
 * not running on a CPU: init_task, the secondary CPUs' idle tasks seen
 * running, and every task on `init_task.tasks`. The list's offset in
 * task_struct is found while the image is still as linked, where init_task's
 * list heads point at themselves (run_list, then tasks: sched.h's order).
 * Linux: what synchronize_rcu_tasks() waits for.
 */
function savedStacks(k: KernelCore): () => bigint[] {
  const init = k.kallsyms.lookupName("init_task");
  const ptr = BigInt(k.ptrSize);
  // task_struct.thread: 48, 40 on i386 (sched.h).
  const thread = k.ptrSize === 8 ? 48n : 40n;
  let tasks = -1n;
  let heads = 0;
  for (let off = thread; off < 512n; off += ptr) {
    if (k.readPtr(init + off) === init + off && k.readPtr(init + off + ptr) === init + off) {
      if (++heads === 2) {
        tasks = off;
        break;
      }
      off += ptr;
    }
  }
  const idle = new Set<bigint>();
  return () => {
    const out: bigint[] = [];
    const running = new Set<bigint>();
    for (const cpu of k.cpus) {
      const t = k.currentTask(cpu);
      running.add(t);
      if (t !== init && t !== 0n && k.memory.readU32(t) === 0) idle.add(t);
    }
    const add = (t: bigint) => {
      if (!running.has(t)) out.push(k.readPtr(t + thread));
    };
    try {
      add(init);
      for (const t of idle) add(t);
      if (tasks < 0n) return out;
      const head = init + tasks;
      // Bounded: max_tasks is at most a few thousand.
      let p = k.readPtr(head);
      for (let n = 0; p !== head && n < 65536; n++) {
        add(p - tasks);
        p = k.readPtr(p);
      }
    } catch (e) {
      if (!(e instanceof GuestMemoryError)) throw e;
    }
    return out;
  };
}
