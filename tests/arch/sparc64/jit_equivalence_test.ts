// Copyright 2026 the kprobes-sim authors. MIT license.
// The sparc64 block translator changes nothing a guest or a host can see:
// the default workload, every example module and the difftruth goldens give
// the same log, system-call results and instruction counts with the
// translator off (-1), at its default threshold, at lower ones (1000, 16)
// and forced on every block (0). Also: a kprobe armed inside a hot compiled
// block fires and disarming it restores the block.

import assert from "node:assert/strict";
import { SPARC64 } from "../../../arch/sparc64/arch.ts";
import type { Sparc64Cpu } from "../../../arch/sparc64/cpu.ts";
import { SPARC64_JIT_DEFAULT_THRESHOLD } from "../../../arch/sparc64/jit.ts";
import { Kernel, type Kprobe } from "../../../mod.ts";

const EXAMPLES = new URL("../../../examples/", import.meta.url);
const GOLDENS = new URL("../../testdata/difftruth/goldens-sparc64.json", import.meta.url);
const THRESHOLDS = [-1, SPARC64_JIT_DEFAULT_THRESHOLD, 1000, 16, 0];

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
  const base = SPARC64.userBase + BigInt(SPARC64.userSize) - 0x10000n;
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

// Boots sparc64 with the threshold, keeping its CPUs for their statistics.
async function boot(threshold: number): Promise<{ kernel: Kernel; cpus: Sparc64Cpu[] }> {
  const original = SPARC64.createCpu;
  const cpus: Sparc64Cpu[] = [];
  SPARC64.createCpu = (memory, id) => {
    const cpu = original.call(SPARC64, memory, id) as Sparc64Cpu;
    cpus.push(cpu);
    return cpu;
  };
  try {
    const kernel = await Kernel.boot({ arch: "sparc64", jitThreshold: threshold });
    return { kernel, cpus };
  } finally {
    SPARC64.createCpu = original;
  }
}

async function transcript(threshold: number): Promise<[Transcript, number]> {
  const { kernel, cpus } = await boot(threshold);
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

Deno.test("Sparc64Cpu.jitThreshold leaves logs, system calls and instruction counts unchanged", async () => {
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
  const { kernel, cpus } = await boot(threshold);
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

Deno.test("Sparc64Cpu.jitThreshold 0: a kprobe armed in a hot compiled block fires, disarming restores it", async () => {
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
