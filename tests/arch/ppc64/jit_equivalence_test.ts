// Copyright 2026 the kprobes-sim authors. MIT license.
// The ppc64 block translator changes nothing a guest or a host can see: the
// default workload, every example module and the difftruth goldens give the
// same log, system-call results and instruction counts with the translator
// off (-1), at its default threshold, at a low one (16) and forced on every
// block (0). Also:
// a kprobe armed inside a hot compiled block fires and disarming it
// restores the block; a fault inside a compiled block reports the exact
// faulting instruction.

import assert from "node:assert/strict";
import { PPC64_JIT_DEFAULT_THRESHOLD } from "../../../arch/ppc64/jit.ts";
import { Ppc64Cpu } from "../../../arch/ppc64/cpu.ts";
import { STOP_TRAP } from "../../../arch/types.ts";
import { Memory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../../kernel-model/memory.ts";
import { assertProbeInHotBlock, assertSameTranscripts, type JitBoot } from "../_jit_transcript.ts";
import { bootPpc64 } from "./_jit.ts";

const GOLDENS = new URL("../../testdata/difftruth/goldens-ppc64.json", import.meta.url);
// The default translates only looping code (little of this short run), so
// 1000 (the former default) stands for a mixed run too.
const THRESHOLDS = [-1, PPC64_JIT_DEFAULT_THRESHOLD, 1000, 16, 0];

const boot: JitBoot = async (threshold) => {
  const { kernel, cpus } = await bootPpc64(threshold);
  return { kernel, jits: cpus.map((c) => c.jit) };
};
const ARENA = 0x400000n + 0x400000n - 0x10000n;

Deno.test("Ppc64Cpu.jitThreshold leaves logs, system calls and instruction counts unchanged", async () => {
  await assertSameTranscripts(boot, THRESHOLDS, GOLDENS, ARENA);
});

Deno.test("Ppc64Cpu.jitThreshold 0: a kprobe armed in a hot compiled block fires, disarming restores it", async () => {
  await assertProbeInHotBlock(boot);
});

Deno.test("Ppc64Cpu.jitThreshold 0: a fault in a compiled block stops on the faulting instruction", () => {
  const base = 0xc000000000000000n;
  for (const threshold of [-1, 0]) {
    const mem = new Memory({ littleEndian: false });
    mem.map(base, 0x4000, PROT_READ | PROT_WRITE);
    const words = [
      0x38600001, // li r3,1
      0x38630001, // 1: addi r3,r3,1
      0xf8640000, // std r3,0(r4)
      0x38840008, // addi r4,r4,8
      0x4bfffff4, // b 1b
    ];
    words.forEach((w, i) => mem.writeU32(base + BigInt(4 * i), w));
    mem.protect(base, 0x1000, PROT_READ | PROT_EXEC);
    const cpu = new Ppc64Cpu(mem);
    cpu.jitThreshold = threshold;
    cpu.setPc(base);
    cpu.setReg(4, base + 0x3000n); // 512 stores fit before the end of the map
    assert.equal(cpu.run(10_000), STOP_TRAP);
    assert.equal(cpu.trapVector, 0x300);
    assert.equal(cpu.getPc(), base + 8n, `threshold ${threshold}: NIP on the std`);
    assert.equal(cpu.getSpr(19), base + 0x4000n, "DAR");
    assert.equal(cpu.getReg(3), 514n, "the addi before the std retired");
    assert.equal(cpu.tsc, 1 + 512 * 4 + 1, "retired: li, 512 loops, the faulting addi");
    if (threshold === 0) assert.ok(cpu.jit.compiled > 0);
  }
});

Deno.test("Ppc64Cpu.jitThreshold 0: a guest store into its own compiled block takes effect at once", () => {
  const base = 0xc000000000000000n;
  const results: bigint[][] = [];
  for (const threshold of [-1, 0]) {
    const mem = new Memory({ littleEndian: false });
    // One writable, executable page: stores into it are text writes.
    mem.map(base, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC);
    const words = [
      0x38600000, // li r3,0
      0x90a4000c, // stw r5,12(r4): rewrites the li r3,1 below
      0x60000000, // nop
      0x38600001, // li r3,1
      0x38630010, // addi r3,r3,16
      0x48000000, // b .
    ];
    words.forEach((w, i) => mem.writeU32(base + BigInt(4 * i), w));
    const cpu = new Ppc64Cpu(mem);
    cpu.jitThreshold = threshold;
    cpu.setPc(base);
    cpu.setReg(4, base);
    cpu.setReg(5, 0x38600007n); // li r3,7
    cpu.run(100);
    results.push([cpu.getReg(3), BigInt(cpu.tsc), cpu.getPc()]);
    if (threshold === 0) assert.ok(cpu.jit.compiled > 0 && cpu.jit.dropped > 0);
  }
  assert.deepEqual(results[0], [23n, 100n, base + 20n]);
  assert.deepEqual(results[1], results[0]);
});

Deno.test("Ppc64Cpu.jitThreshold 0: blocks compiled through a b in the page fault and exit exactly", () => {
  const base = 0xc000000000000000n;
  const li = (rt: number, v: number) => 0x38000000 | (rt << 21) | v;
  const programs: Record<string, number[]> = {
    // li; b +12; (skipped); (skipped); addi; ld from an unmapped address
    fault: [li(3, 1), 0x4800000c, li(3, 99), li(3, 98), 0x38630001, 0xe8850000],
    // li; b +12; (skipped); (skipped); mftb (left to the interpreter); addi; b .
    exit: [li(3, 1), 0x4800000c, li(3, 99), li(3, 98), 0x7ccc42e6, 0x38630001, 0x48000000],
  };
  for (const [name, words] of Object.entries(programs)) {
    const seen: unknown[] = [];
    for (const threshold of [-1, 0]) {
      const mem = new Memory({ littleEndian: false });
      mem.map(base, 0x1000, PROT_READ | PROT_EXEC);
      words.forEach((w, i) => mem.writeU32(base + BigInt(4 * i), w));
      const cpu = new Ppc64Cpu(mem);
      cpu.jitThreshold = threshold;
      cpu.setPc(base);
      cpu.setReg(5, 0x1000n);
      const stop = cpu.run(50);
      seen.push([stop, cpu.getPc(), cpu.getReg(3), cpu.getReg(6), cpu.tsc]);
    }
    assert.deepEqual(seen[1], seen[0], name);
  }
});
