// Copyright 2026 the kprobes-sim authors. MIT license.
// Test helper: boots a ppc64 kernel whose CPUs run with a given block
// translator threshold (-1 off, 0 every block, N at the N-th entry), by
// wrapping the arch's createCpu for the duration of the boot. When the
// kernel grows a boot option for the threshold, this becomes a one-line
// call of Kernel.boot with it.

import { PPC64 } from "../../../arch/ppc64/arch.ts";
import type { Ppc64Cpu } from "../../../arch/ppc64/cpu.ts";
import { type BootOptions, Kernel } from "../../../mod.ts";

/** A booted kernel and its CPUs. */
export interface JitKernel {
  kernel: Kernel;
  cpus: Ppc64Cpu[];
}

/** Boots ppc64 with every CPU's `jitThreshold` set to `threshold`. */
export async function bootPpc64(threshold: number, options: BootOptions = {}): Promise<JitKernel> {
  const original = PPC64.createCpu;
  const cpus: Ppc64Cpu[] = [];
  PPC64.createCpu = (memory, id) => {
    const cpu = original.call(PPC64, memory, id) as Ppc64Cpu;
    cpu.jitThreshold = threshold;
    cpus.push(cpu);
    return cpu;
  };
  try {
    const kernel = await Kernel.boot({ ...options, arch: "ppc64" });
    return { kernel, cpus };
  } finally {
    PPC64.createCpu = original;
  }
}
