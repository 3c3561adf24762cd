// Copyright 2026 the kprobes-sim authors. MIT license.
// Preload for running any test file with the ppc64 block translator at a
// given threshold, e.g. forced on every block:
//
//   KPROBES_SIM_JIT_THRESHOLD=0 deno test -A \
//     --preload tests/arch/ppc64/_jit_preload.ts tests/transparency_test.ts
//
// Every ppc64 CPU a kernel creates gets that `jitThreshold`. Only tests read
// the variable; the kernel's own switch is a boot option.

import { PPC64 } from "../../../arch/ppc64/arch.ts";
import type { Ppc64Cpu } from "../../../arch/ppc64/cpu.ts";

const value = Deno.env.get("KPROBES_SIM_JIT_THRESHOLD");
if (value !== undefined) {
  const threshold = Number(value);
  if (!Number.isInteger(threshold) || threshold < -1) {
    throw new RangeError(
      `Cannot use KPROBES_SIM_JIT_THRESHOLD "${value}": give -1, 0 or a positive integer`,
    );
  }
  const original = PPC64.createCpu;
  PPC64.createCpu = (memory, id) => {
    const cpu = original.call(PPC64, memory, id) as Ppc64Cpu;
    cpu.jitThreshold = threshold;
    (globalThis as { jitCpus?: Ppc64Cpu[] }).jitCpus?.push(cpu);
    return cpu;
  };
}
