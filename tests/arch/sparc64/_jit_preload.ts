// Copyright 2026 the kprobes-sim authors. MIT license.
// Preload for running any test file with the sparc64 block translator at a
// given threshold, e.g. forced on every block:
//
//   KPROBES_SIM_JIT_THRESHOLD=0 deno test -A \
//     --preload tests/arch/sparc64/_jit_preload.ts tests/arch_matrix_test.ts
//
// Every sparc64 CPU a kernel creates gets that `jitThreshold`. Only tests
// read the variable; the kernel's own switch is a boot option.

import { SPARC64 } from "../../../arch/sparc64/arch.ts";
import type { Sparc64Cpu } from "../../../arch/sparc64/cpu.ts";

const value = Deno.env.get("KPROBES_SIM_JIT_THRESHOLD");
if (value !== undefined) {
  const threshold = Number(value);
  if (!Number.isInteger(threshold) || threshold < -1) {
    throw new RangeError(
      `Cannot use KPROBES_SIM_JIT_THRESHOLD "${value}": give -1, 0 or a positive integer`,
    );
  }
  const original = SPARC64.createCpu;
  SPARC64.createCpu = (memory, id) => {
    const cpu = original.call(SPARC64, memory, id) as Sparc64Cpu;
    cpu.jitThreshold = threshold;
    return cpu;
  };
}
