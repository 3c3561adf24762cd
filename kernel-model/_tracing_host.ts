// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Binds tracing/ to one kernel: the `TracingHost` through which a
 * `Tracefs` reaches kallsyms, the probe cores, guest memory and the CPU
 * that hit a probe. Private to kernel-model/; kernel.ts builds it.
 *
 * @module
 */

import type { Kprobe, KretprobeInstance, PtRegs } from "../probes/types.ts";
import type { HitContext, TracingHost } from "../tracing/tracing_host.ts";
import { type Cpu, type KernelCore, THREAD_SIZE, TIF_NEED_RESCHED } from "./_kernel_core.ts";

/** i386 data segments Linux 6.1's pt_regs has and this image's does not: as 2.6's entry loads them. */
const I386_SEGMENTS: Readonly<Record<string, bigint>> = { ds: 0x7bn, es: 0x7bn, fs: 0n, gs: 0n };

/**
 * The tracing host of kernel `k`.
 *
 * @param k The kernel's shared state.
 * @returns The host.
 */
export function tracingHost(k: KernelCore): TracingHost {
  const arch = k.arch.name as TracingHost["arch"];
  const bits = k.arch.bits;
  const kernelBase = k.arch.kernelBase;
  const top = 1n << BigInt(bits);
  const m = k.memory;
  const ptr = BigInt(k.ptrSize);
  const inRange = (addr: bigint, size: number, user: boolean) =>
    addr >= 0n && addr + BigInt(size) <= top && (user ? addr < kernelBase : addr >= kernelBase);
  const threadInfo = (cpu: Cpu) => (k.arch.getSp(cpu) & ~(THREAD_SIZE - 1n));
  const readWord32 = (addr: bigint) => {
    try {
      return m.readU32(addr) | 0;
    } catch {
      return 0;
    }
  };
  const register = (regs: PtRegs, name: string): bigint => {
    const r = regs as unknown as Record<string, bigint | number | bigint[]>;
    if (arch === "ppc64") {
      const g = /^(?:r|gpr)([0-9]+)$/.exec(name);
      if (g !== null) return (r.gpr as bigint[])[Number(g[1])];
      if (name === "softe") return k.arch.interruptsEnabled(k.abiCpu) ? 1n : 0n;
      return r[name] as bigint;
    }
    if (arch === "i386") {
      const seg = I386_SEGMENTS[name];
      if (seg !== undefined) return seg;
      return BigInt((r[name] as number) >>> 0);
    }
    return r[name] as bigint;
  };
  const currentTask = () => k.currentTask(k.abiCpu);
  const comm = (task: bigint) => {
    try {
      return task === 0n ? "swapper" : m.readCString(task + 16n, 16);
    } catch {
      return "<...>";
    }
  };
  return {
    arch,
    bits,
    nrCpus: k.cpus.length,
    lookupName: (name) => k.kallsyms.lookupName(name),
    countSymbols: (name) => k.kallsyms.lookupSymbol(name) === undefined ? 0 : 1,
    isFunctionStart: (addr) => {
      const s = k.kallsyms.lookupAddress(addr);
      return s !== undefined && s.offset === 0n;
    },
    formatSymbol: (addr) => k.kallsyms.formatAddress(addr),
    symbolName: (addr) => {
      const s = k.kallsyms.lookupAddress(addr);
      return s === undefined ? `0x${addr.toString(16)}` : s.name;
    },
    registerKprobe: (kp) => k.kprobes.register(kp),
    unregisterKprobe: (kp) => k.kprobes.unregister(kp),
    registerKretprobe: (rp) => k.kretprobes.register(rp),
    unregisterKretprobe: (rp) => k.kretprobes.unregister(rp),
    enableKprobe: (kp: Kprobe) => k.kprobes.enable(kp),
    disableKprobe: (kp: Kprobe) => k.kprobes.disable(kp),
    kprobeHits: (kp: Kprobe) => k.kprobes.hits(kp),
    readMemory: (addr, size, user) => {
      if (!inRange(addr, size, user)) return null;
      try {
        if (size === 1) return BigInt(m.readU8(addr));
        if (size === 2) return BigInt(m.readU16(addr));
        if (size === 4) return BigInt(m.readU32(addr));
        return m.readU64(addr);
      } catch {
        return null;
      }
    },
    readString: (addr, max, user) => {
      if (!inRange(addr, 1, user)) return null;
      try {
        return m.readCString(addr, Math.min(max, Number(top - addr)));
      } catch {
        return null;
      }
    },
    hitContext: (): HitContext => {
      const cpu = k.abiCpu;
      const task = currentTask();
      const ti = threadInfo(cpu);
      return {
        cpu: cpu.id,
        pid: task === 0n ? 0 : readWord32(task),
        comm: comm(task),
        preemptCount: readWord32(ti + ptr + 8n),
        // A probe handler runs in the breakpoint's exception context, interrupts
        // masked (x86 int3 gate, ppc64 program check), as in Linux.
        irqsOff: true,
        needResched: (readWord32(ti + ptr) & (1 << TIF_NEED_RESCHED)) !== 0,
        tsUs: Math.floor((cpu.tsc * 1000) / k.tscKhz),
      };
    },
    currentComm: () => comm(currentTask()),
    register,
    returnAddress: (ri: KretprobeInstance) => BigInt(ri.ret_addr),
    clockUs: () => Math.floor((k.abiCpu.tsc * 1000) / k.tscKhz),
  };
}
