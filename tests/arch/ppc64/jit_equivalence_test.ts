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
import type { Kernel, Kprobe } from "../../../mod.ts";
import { bootPpc64 } from "./_jit.ts";

const EXAMPLES = new URL("../../../examples/", import.meta.url);
const GOLDENS = new URL("../../testdata/difftruth/goldens-ppc64.json", import.meta.url);
// The default translates only looping code (little of this short run), so
// 1000 (the former default) stands for a mixed run too.
const THRESHOLDS = [-1, PPC64_JIT_DEFAULT_THRESHOLD, 1000, 16, 0];

interface Transcript {
  steps: { what: string; instructions: number; syscalls: string[]; log: string }[];
  calls: string[];
  instructions: number;
  log: string;
}

function runStep(kernel: Kernel, what: string, t: Transcript): void {
  const before = kernel.log.length;
  const r = kernel.run();
  t.steps.push({
    what,
    instructions: r.instructions,
    syscalls: r.syscalls.map((s) => `${s.call}=${s.ret}`),
    log: kernel.log.slice(before),
  });
}

interface GoldenArg {
  kind: string;
  offset?: number;
  bytes?: string;
  value?: string;
}

// Replays the difftruth calls and records what each returned and wrote.
function replayGoldens(kernel: Kernel, t: Transcript): void {
  const golden = JSON.parse(Deno.readTextFileSync(GOLDENS)) as {
    arena: { out: number; in: number; size: number; out_fill: number };
    calls: { fn: string; argv: GoldenArg[] }[];
  };
  const base = 0x400000n + 0x400000n - 0x10000n;
  const outBase = base + BigInt(golden.arena.out);
  const inBase = base + BigInt(golden.arena.in);
  const outFill = new Uint8Array(golden.arena.in - golden.arena.out).fill(golden.arena.out_fill);
  for (const call of golden.calls) {
    if (kernel.kallsyms.lookupName(call.fn) === 0n) continue;
    kernel.memory.writeBytes(outBase, outFill);
    const args = call.argv.map((v) => {
      if (v.kind === "out") return outBase + BigInt(v.offset!);
      if (v.kind === "in") {
        const bytes = new Uint8Array(v.bytes!.length / 2).map((_, i) =>
          parseInt(v.bytes!.slice(2 * i, 2 * i + 2), 16)
        );
        kernel.memory.writeBytes(inBase + BigInt(v.offset!), bytes);
        return inBase + BigInt(v.offset!);
      }
      return v.kind === "null" ? 0n : BigInt(v.value!);
    });
    const ret = kernel.callFunction(call.fn, args);
    const out = kernel.memory.readBytes(outBase, 64).join(",");
    t.calls.push(`${call.fn} ${ret} ${out}`);
  }
}

async function transcript(threshold: number): Promise<[Transcript, number]> {
  const { kernel, cpus } = await bootPpc64(threshold);
  const t: Transcript = { steps: [], calls: [], instructions: 0, log: "" };
  runStep(kernel, "default workload", t);
  for (const name of ["kprobe_example", "jprobe_example", "kretprobe_example"]) {
    await kernel.insmod(new URL(`${name}.ts`, EXAMPLES));
    runStep(kernel, name, t);
    kernel.rmmod(name);
  }
  for (const name of ["kprobe_example_6x", "kretprobe_example_6x"]) {
    await kernel.insmod(new URL(`${name}.ts`, EXAMPLES));
    runStep(kernel, name, t);
    kernel.rmmod(name);
  }
  replayGoldens(kernel, t);
  t.instructions = kernel.instructions;
  t.log = kernel.log;
  const compiled = cpus.reduce((n, c) => n + c.jit.compiled, 0);
  await kernel.shutdown();
  return [t, compiled];
}

Deno.test("Ppc64Cpu.jitThreshold leaves logs, system calls and instruction counts unchanged", async () => {
  const [off, none] = await transcript(-1);
  assert.equal(none, 0);
  assert.ok(off.steps.every((s) => s.syscalls.length > 0));
  assert.ok(off.calls.length > 100, "the difftruth goldens were replayed");
  for (const threshold of THRESHOLDS.slice(1)) {
    const [on, compiled] = await transcript(threshold);
    const least = threshold <= 16 ? 100 : threshold <= 1000 ? 0 : -1;
    assert.ok(compiled > least, `threshold ${threshold}: ${compiled} blocks`);
    for (let i = 0; i < off.steps.length; i++) {
      assert.deepEqual(on.steps[i], off.steps[i], `threshold ${threshold}: ${off.steps[i].what}`);
    }
    assert.deepEqual(on.calls, off.calls, `threshold ${threshold}: difftruth calls`);
    assert.equal(on.instructions, off.instructions);
    assert.equal(on.log, off.log);
  }
});

// Boots, warms sys_open up, arms a kprobe inside it, runs, disarms, runs.
async function probeInHotBlock(threshold: number) {
  const { kernel, cpus } = await bootPpc64(threshold);
  const jit = cpus[0].jit;
  const warm = kernel.run();
  const compiled = jit.compiled;
  const dropped = jit.dropped;
  let hits = 0;
  const kp: Kprobe = {
    addr: kernel.kallsyms.lookupName("sys_open") + 8n,
    pre_handler: () => (hits++, 0),
  };
  assert.equal(kernel.registerKprobe(kp), 0);
  const droppedByArm = jit.dropped - dropped;
  const armed = kernel.run();
  const armedHits = hits;
  kernel.unregisterKprobe(kp);
  const disarmed = kernel.run();
  const result = {
    counts: [warm.instructions, armed.instructions, disarmed.instructions],
    opens: armed.syscalls.filter((s) => s.call === "open").length,
    armedHits,
    hits,
    log: kernel.log,
  };
  await kernel.shutdown();
  return { result, compiled, droppedByArm, recompiled: jit.compiled - compiled };
}

Deno.test("Ppc64Cpu.jitThreshold 0: a kprobe armed in a hot compiled block fires, disarming restores it", async () => {
  const off = await probeInHotBlock(-1);
  const on = await probeInHotBlock(0);
  assert.ok(off.result.opens > 0);
  assert.equal(off.result.armedHits, off.result.opens);
  assert.equal(off.result.hits, off.result.armedHits, "no hits once disarmed");
  assert.ok(on.compiled > 0);
  assert.ok(on.droppedByArm > 0, "arming dropped the compiled blocks of sys_open's page");
  assert.ok(on.recompiled > 0, "the page's blocks were compiled again");
  assert.deepEqual(on.result, off.result);
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
