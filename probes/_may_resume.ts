// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Could a task still resume inside a range of text: the probe machinery's
 * stand-in for Linux's synchronize_rcu_tasks() before it rewrites or reuses
 * bytes a task may be executing (an optimized probe's replaced bytes, its
 * detour buffer, a boosted slot). Private to probes/.
 *
 * @module
 */

import type { Arch, ArchCpu, GuestMemory } from "../arch/types.ts";

/** Bytes of a kernel stack (THREAD_SIZE, ABI.md); a stack's top is its end. */
const THREAD_SIZE = 0x4000n;

/**
 * Could a task resume inside `(addr, addr + len)` (exclusive of `addr`): a
 * CPU's PC there, or a return address or interrupted PC there on a running
 * task's kernel stack (from its stack pointer to the top of its 16 KiB
 * stack) or on a switched-out task's (from its saved stack pointer: a task
 * preempted or asleep holds its PC and return addresses there)?
 *
 * @param arch The architecture.
 * @param memory Guest memory.
 * @param cpus The CPUs.
 * @param addr Start of the range, itself excluded.
 * @param len Bytes from `addr`.
 * @param saved Saved kernel stack pointers of the tasks not on a CPU.
 * @returns True when one may.
 */
export function mayResumeIn(
  arch: Arch,
  memory: GuestMemory,
  cpus: readonly ArchCpu[],
  addr: bigint,
  len: number,
  saved: readonly bigint[] = [],
): boolean {
  return resumePoints(arch, memory, cpus, addr + 1n, addr + BigInt(len), saved).length > 0;
}

/**
 * Every address in `[start, end)` a task could resume at: the CPUs' PCs
 * and the words of the running and switched-out tasks' kernel stacks that
 * point there (see {@linkcode mayResumeIn}), found in one pass.
 *
 * @param arch The architecture.
 * @param memory Guest memory.
 * @param cpus The CPUs.
 * @param start First address of the range.
 * @param end One past its last.
 * @param saved Saved kernel stack pointers of the tasks not on a CPU.
 * @returns The addresses (with repeats).
 */
export function resumePoints(
  arch: Arch,
  memory: GuestMemory,
  cpus: readonly ArchCpu[],
  start: bigint,
  end: bigint,
  saved: readonly bigint[] = [],
): bigint[] {
  const out: bigint[] = [];
  if (end <= start) return out;
  for (const cpu of cpus) {
    const pc = arch.getPc(cpu);
    if (pc >= start && pc < end) out.push(pc);
    stackPoints(arch, memory, arch.getSp(cpu), start, end, out);
  }
  for (const sp of saved) stackPoints(arch, memory, sp, start, end, out);
  return out;
}

/** Adds the words from `sp` to the top of its stack that point into `[start, end)`. */
function stackPoints(
  arch: Arch,
  m: GuestMemory,
  sp: bigint,
  start: bigint,
  end: bigint,
  out: bigint[],
): void {
  const loS = Number(start & 0xffffffffn);
  const hiS = Number(start >> 32n);
  const len = Number(end - start);
  const wide = arch.bits === 64;
  const step = wide ? 8n : 4n;
  // A saved pointer may be biased (sparc64's odd %sp): start at a word.
  const from = sp & ~(step - 1n);
  const top = (sp | (THREAD_SIZE - 1n)) + 1n;
  for (let a = from; a < top; a += step) {
    const lo = Number(a & 0xffffffffn);
    const hi = Number(a >> 32n);
    let vLo: number;
    let vHi = 0;
    try {
      if (wide && !m.littleEndian) {
        vHi = m.read32(hi, lo);
        vLo = m.read32(hi, (lo + 4) >>> 0);
      } else {
        vLo = m.read32(hi, lo);
        if (wide) vHi = m.read32(hi, (lo + 4) >>> 0);
      }
    } catch {
      return;
    }
    const d = (vLo - loS) >>> 0;
    if (d < len && vHi === hiS) out.push(start + BigInt(d));
  }
}
