// Copyright 2026 the kprobes-sim authors. MIT license.
// The sparc64 block translator changes nothing a guest or a host can see:
// the default workload, every example module and the difftruth goldens give
// the same log, system-call results and instruction counts with the
// translator off (-1), at its default threshold, at lower ones (1000, 16)
// and forced on every block (0). Also: a kprobe armed inside a hot compiled
// block fires and disarming it restores the block.

import { SPARC64 } from "../../../arch/sparc64/arch.ts";
import type { Sparc64Cpu } from "../../../arch/sparc64/cpu.ts";
import { SPARC64_JIT_DEFAULT_THRESHOLD } from "../../../arch/sparc64/jit.ts";
import { Kernel } from "../../../mod.ts";
import { assertProbeInHotBlock, assertSameTranscripts, type JitBoot } from "../_jit_transcript.ts";

const GOLDENS = new URL("../../testdata/difftruth/goldens-sparc64.json", import.meta.url);
const THRESHOLDS = [-1, SPARC64_JIT_DEFAULT_THRESHOLD, 1000, 16, 0];

// Boots sparc64 with the threshold, keeping its CPUs for their statistics.
const boot: JitBoot = async (threshold) => {
  const original = SPARC64.createCpu;
  const cpus: Sparc64Cpu[] = [];
  SPARC64.createCpu = (memory, id) => {
    const cpu = original.call(SPARC64, memory, id) as Sparc64Cpu;
    cpus.push(cpu);
    return cpu;
  };
  try {
    const kernel = await Kernel.boot({ arch: "sparc64", jitThreshold: threshold });
    return { kernel, jits: cpus.map((c) => c.jit) };
  } finally {
    SPARC64.createCpu = original;
  }
};

const ARENA = SPARC64.userBase + BigInt(SPARC64.userSize) - 0x10000n;

Deno.test("Sparc64Cpu.jitThreshold leaves logs, system calls and instruction counts unchanged", async () => {
  await assertSameTranscripts(boot, THRESHOLDS, GOLDENS, ARENA);
});

Deno.test("Sparc64Cpu.jitThreshold 0: a kprobe armed in a hot compiled block fires, disarming restores it", async () => {
  await assertProbeInHotBlock(boot);
});
