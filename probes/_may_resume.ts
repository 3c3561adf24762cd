// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Could a CPU still resume inside a range of text: the probe machinery's
 * stand-in for Linux's synchronize_rcu_tasks() before it rewrites or reuses
 * bytes a CPU may be executing (an optimized probe's replaced bytes, a
 * boosted slot). Private to probes/.
 *
 * @module
 */

import type { Arch, ArchCpu, GuestMemory } from "../arch/types.ts";

/**
 * Could a CPU resume inside `(addr, addr + len)` (exclusive of `addr`): its
 * PC there, or a return address or interrupted PC there on its kernel
 * stack (up to the top of its 16 KiB stack)?
 *
 * @param arch The architecture.
 * @param memory Guest memory.
 * @param cpus The CPUs.
 * @param addr Start of the range, itself excluded.
 * @param len Bytes from `addr`.
 * @returns True when one may.
 */
export function mayResumeIn(
  arch: Arch,
  memory: GuestMemory,
  cpus: readonly ArchCpu[],
  addr: bigint,
  len: number,
): boolean {
  const m = memory;
  const end = addr + BigInt(len);
  const loA = Number(addr & 0xffffffffn);
  const hiA = Number(addr >> 32n);
  const wide = arch.bits === 64;
  for (const cpu of cpus) {
    const pc = arch.getPc(cpu);
    if (pc > addr && pc < end) return true;
    const sp = arch.getSp(cpu);
    const top = (sp | 0x3fffn) + 1n;
    const step = wide ? 8n : 4n;
    for (let a = sp; a < top; a += step) {
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
        break;
      }
      const d = (vLo - loA) >>> 0;
      if (d > 0 && d < len && vHi === hiA) return true;
    }
  }
  return false;
}
