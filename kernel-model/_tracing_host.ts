// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Binds tracing/ to one kernel: the `TracingHost` through which a
 * `Tracefs` reaches kallsyms, the probe cores, guest memory and the CPU
 * that hit a probe. Private to kernel-model/; kernel.ts builds it.
 *
 * @module
 */

import type { Ppc64Gprs } from "../arch/ppc64/pt_regs.ts";
import type { Kprobe, KretprobeInstance, PtRegs } from "../probes/types.ts";
import type { HitContext, TracingHost } from "../tracing/tracing_host.ts";
import { type KernelCore, THREAD_SIZE, TIF_NEED_RESCHED } from "./_kernel_core.ts";

/** i386 data segments Linux 6.1's pt_regs has and this image's does not: as 2.6's entry loads them. */
const I386_SEGMENTS: Readonly<Record<string, bigint>> = { ds: 0x7bn, es: 0x7bn, fs: 0n, gs: 0n };

/** sparc64 `%REG` names that are `u_regs` slots: `g0`–`g7`, `i0`–`i7`, `lr` (= `i7`). */
const SPARC64_UREGS: Readonly<Record<string, number>> = {
  g0: 0,
  g1: 1,
  g2: 2,
  g3: 3,
  g4: 4,
  g5: 5,
  g6: 6,
  g7: 7,
  i0: 8,
  i1: 9,
  i2: 10,
  i3: 11,
  i4: 12,
  i5: 13,
  i6: 14,
  i7: 15,
  lr: 15,
};

/** sparc64 `%REG` names of the other `pt_regs` fields. */
const SPARC64_FIELDS: Readonly<Record<string, string>> = {
  tstate: "tstate",
  pc: "tpc",
  npc: "tnpc",
  y: "y",
};

/** sparc64's `%sp` is biased: the frame is at `%sp + 2047`. */
const SPARC64_STACK_BIAS = 2047n;

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
  const inRange = (addr: bigint, size: number, user: boolean) =>
    addr >= 0n && addr + BigInt(size) <= top && (user ? addr < kernelBase : addr >= kernelBase);
  const hi = k.kernelHi;
  /** A 32-bit kernel read on the fast path (no BigInt); 0 on a fault. */
  const read32 = (lo: number) => {
    try {
      return m.read32(hi, lo >>> 0);
    } catch {
      return 0;
    }
  };
  const commWords = new Uint32Array(4);
  let commCached = "";
  let commTask = -1;
  /** The comm of the task at `lo`: read as four words, decoded only when it changed. */
  const commAt = (lo: number) => {
    if (lo === 0) return "swapper";
    let same = lo === commTask;
    for (let i = 0; i < 4; i++) {
      const w = read32(lo + 16 + 4 * i);
      if (w !== commWords[i]) same = false;
      commWords[i] = w;
    }
    if (!same) {
      commTask = lo;
      const bytes = new Uint8Array(16);
      const view = new DataView(bytes.buffer);
      for (let i = 0; i < 4; i++) view.setUint32(4 * i, commWords[i], m.littleEndian);
      const end = bytes.indexOf(0);
      commCached = new TextDecoder().decode(bytes.subarray(0, end < 0 ? 16 : end));
    }
    return commCached;
  };
  const ptrSize = k.ptrSize;
  // Low halves of &cpu_curr[id]'s low word, per CPU (kernel addresses share the high half).
  const currLo = k.cpus.map((c) =>
    (Number((k.sym.cpuCurr + BigInt(c.id * ptrSize)) & 0xffffffffn) +
      (m.littleEndian || ptrSize === 4 ? 0 : 4)) >>> 0
  );
  const stackMask = ~(Number(THREAD_SIZE) - 1);
  /** A reader of register `name` of the pt_regs view (one closure per name, made once). */
  const registerReader = (name: string): (regs: PtRegs) => bigint => {
    if (arch === "ppc64") {
      const g = /^(?:r|gpr)([0-9]+)$/.exec(name);
      if (g !== null) {
        const n = Number(g[1]);
        // Straight to the CPU: the view's indexed getters are slow for V8.
        return (regs) => ((regs as { gpr: unknown }).gpr as Ppc64Gprs).cpu.getReg(n);
      }
      if (name === "softe") return () => k.arch.interruptsEnabled(k.abiCpu) ? 1n : 0n;
      return (regs) => (regs as unknown as Record<string, bigint>)[name];
    }
    if (arch === "sparc64") {
      const u = name === "sp" ? 14 : SPARC64_UREGS[name];
      if (u !== undefined) {
        const bias = name === "sp" ? SPARC64_STACK_BIAS : 0n;
        return (regs) => BigInt.asUintN(64, (regs as { u_regs: bigint[] }).u_regs[u] + bias);
      }
      const field = SPARC64_FIELDS[name] ?? name;
      return (regs) => BigInt.asUintN(64, (regs as unknown as Record<string, bigint>)[field]);
    }
    if (arch === "i386") {
      const seg = I386_SEGMENTS[name];
      if (seg !== undefined) return () => seg;
      return (regs) => BigInt((regs as unknown as Record<string, number>)[name] >>> 0);
    }
    return (regs) => (regs as unknown as Record<string, bigint>)[name];
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
      const ah = Number(addr >> 32n);
      const al = Number(addr & 0xffffffffn);
      try {
        if (size === 1) return BigInt(m.read8(ah, al));
        if (size === 2) return BigInt(m.read16(ah, al));
        if (size === 4) return BigInt(m.read32(ah, al));
        const lo2 = al + 4;
        const bh = lo2 >= 0x100000000 ? ah + 1 : ah;
        const a = m.read32(ah, al);
        const b = m.read32(bh, lo2 >>> 0);
        return m.littleEndian ? (BigInt(b) << 32n) | BigInt(a) : (BigInt(a) << 32n) | BigInt(b);
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
    hitContext: (e: HitContext): void => {
      const cpu = k.abiCpu;
      const task = read32(currLo[cpu.id]);
      // thread_info sits at the THREAD_SIZE-aligned base of the stack (ABI.md):
      // flags after the task pointer, preempt_count 8 bytes further.
      const ti = (k.arch.spLo(cpu) & stackMask) >>> 0;
      const tiHi = k.arch.spHi(cpu);
      let flags = 0;
      let preemptCount = 0;
      try {
        flags = m.read32(tiHi, (ti + ptrSize) >>> 0);
        preemptCount = m.read32(tiHi, (ti + ptrSize + 8) >>> 0);
      } catch {
        // A wild stack pointer: the fault path reports it; record zeros.
      }
      e.cpu = cpu.id;
      e.pid = task === 0 ? 0 : read32(task) | 0;
      e.comm = commAt(task);
      e.preemptCount = preemptCount;
      // A probe handler runs in the breakpoint's exception context, interrupts
      // masked (x86 int3 gate, ppc64 program check), as in Linux.
      e.irqsOff = true;
      e.needResched = (flags & (1 << TIF_NEED_RESCHED)) !== 0;
      e.tsNs = Math.floor((cpu.tsc * 1_000_000) / k.tscKhz);
    },
    stackWord: (n: number): bigint => {
      const cpu = k.abiCpu;
      const spLo = k.arch.spLo(cpu);
      const spHi = k.arch.spHi(cpu);
      const off = n * ptrSize;
      // Beyond this THREAD_SIZE stack (or past 4 GiB of offset): 0, as Linux.
      if (!Number.isSafeInteger(off) || (spLo & ~stackMask) + off >= Number(THREAD_SIZE)) {
        return 0n;
      }
      const lo = (spLo + off) >>> 0;
      try {
        if (ptrSize === 4) return BigInt(m.read32(spHi, lo));
        const a = m.read32(spHi, lo);
        const b = m.read32(spHi, (lo + 4) >>> 0);
        return m.littleEndian ? (BigInt(b) << 32n) | BigInt(a) : (BigInt(a) << 32n) | BigInt(b);
      } catch {
        return 0n;
      }
    },
    currentComm: () => commAt(read32(currLo[k.abiCpu.id])),
    registerReader,
    returnAddress: (ri: KretprobeInstance) => BigInt(ri.ret_addr),
    clockUs: () => Math.floor((k.abiCpu.tsc * 1000) / k.tscKhz),
  };
}
