// Copyright 2026 the kprobes-sim authors. MIT license.
// Test helper shared by the ppc64 and sparc64 translator-equivalence tests:
// a transcript of everything a guest or host can see of one boot (the
// default workload, the example modules, the difftruth goldens replayed:
// logs, system-call results, instruction counts), and the run of a kprobe
// armed inside a hot compiled block. Each arch supplies how it boots with a
// given translator threshold.

import assert from "node:assert/strict";
import type { Kernel, Kprobe } from "../../mod.ts";

const EXAMPLES = new URL("../../examples/", import.meta.url);

/** What one boot showed, step by step. */
export interface Transcript {
  steps: { what: string; instructions: number; syscalls: string[]; log: string }[];
  calls: string[];
  instructions: number;
  log: string;
}

/** The translator statistics the tests read off a CPU. */
interface JitStats {
  compiled: number;
  dropped: number;
}

/** Boots the arch with every CPU's translator at `threshold`; returns its CPUs' statistics. */
export type JitBoot = (threshold: number) => Promise<{ kernel: Kernel; jits: JitStats[] }>;

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

// Replays the difftruth calls (arena at `base`) and records what each returned and wrote.
function replayGoldens(kernel: Kernel, t: Transcript, goldens: URL, base: bigint): void {
  const golden = JSON.parse(Deno.readTextFileSync(goldens)) as {
    arena: { out: number; in: number; size: number; out_fill: number };
    calls: { fn: string; argv: GoldenArg[] }[];
  };
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

/**
 * One boot's transcript at `threshold`, and how many blocks its CPUs compiled.
 *
 * @param boot How the arch boots.
 * @param threshold The translator threshold.
 * @param goldens The arch's difftruth goldens.
 * @param arena Where the goldens' arena lies in user memory.
 */
async function transcript(
  boot: JitBoot,
  threshold: number,
  goldens: URL,
  arena: bigint,
): Promise<[Transcript, number]> {
  const { kernel, jits } = await boot(threshold);
  const t: Transcript = { steps: [], calls: [], instructions: 0, log: "" };
  runStep(kernel, "default workload", t);
  for (
    const name of [
      "kprobe_example",
      "jprobe_example",
      "kretprobe_example",
      "kprobe_example_6x",
      "kretprobe_example_6x",
    ]
  ) {
    await kernel.insmod(new URL(`${name}.ts`, EXAMPLES));
    runStep(kernel, name, t);
    kernel.rmmod(name);
  }
  replayGoldens(kernel, t, goldens, arena);
  t.instructions = kernel.instructions;
  t.log = kernel.log;
  const compiled = jits.reduce((n, j) => n + j.compiled, 0);
  await kernel.shutdown();
  return [t, compiled];
}

/**
 * Boots, warms sys_open up, arms a kprobe 8 bytes into it, runs, disarms,
 * runs: what the guest showed, and what the first CPU's translator did.
 *
 * @param boot How the arch boots.
 * @param threshold The translator threshold.
 */
async function probeInHotBlock(boot: JitBoot, threshold: number) {
  const { kernel, jits } = await boot(threshold);
  const jit = jits[0];
  const warm = kernel.run();
  const compiled = jit.compiled;
  const dropped = jit.dropped;
  let hits = 0;
  const kp: Kprobe = {
    addr: kernel.kallsyms.lookupName("sys_open") + 8n,
    pre_handler: () => (hits++, 0),
  };
  if (kernel.registerKprobe(kp) !== 0) throw new Error("register_kprobe in sys_open failed");
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

/**
 * Asserts that every threshold after the first (-1, the interpreter alone)
 * gives the same transcript, and that low thresholds compiled blocks.
 *
 * @param boot How the arch boots.
 * @param thresholds -1 first, then the thresholds to compare with it.
 * @param goldens The arch's difftruth goldens.
 * @param arena Where the goldens' arena lies in user memory.
 */
export async function assertSameTranscripts(
  boot: JitBoot,
  thresholds: number[],
  goldens: URL,
  arena: bigint,
): Promise<void> {
  const [off, none] = await transcript(boot, thresholds[0], goldens, arena);
  assert.equal(none, 0);
  assert.ok(off.steps.every((s) => s.syscalls.length > 0));
  assert.ok(off.calls.length > 100, "the difftruth goldens were replayed");
  for (const threshold of thresholds.slice(1)) {
    const [on, compiled] = await transcript(boot, threshold, goldens, arena);
    const least = threshold <= 16 ? 100 : threshold <= 1000 ? 0 : -1;
    assert.ok(compiled > least, `threshold ${threshold}: ${compiled} blocks`);
    for (let i = 0; i < off.steps.length; i++) {
      assert.deepEqual(on.steps[i], off.steps[i], `threshold ${threshold}: ${off.steps[i].what}`);
    }
    assert.deepEqual(on.calls, off.calls, `threshold ${threshold}: difftruth calls`);
    assert.equal(on.instructions, off.instructions);
    assert.equal(on.log, off.log);
  }
}

/**
 * Asserts that a kprobe armed inside a hot compiled block fires as
 * interpreted, that arming dropped the page's blocks and that they came
 * back once disarmed.
 *
 * @param boot How the arch boots.
 */
export async function assertProbeInHotBlock(boot: JitBoot): Promise<void> {
  const off = await probeInHotBlock(boot, -1);
  const on = await probeInHotBlock(boot, 0);
  assert.ok(off.result.opens > 0);
  assert.equal(off.result.armedHits, off.result.opens);
  assert.equal(off.result.hits, off.result.armedHits, "no hits once disarmed");
  assert.ok(on.compiled > 0);
  assert.ok(on.droppedByArm > 0, "arming dropped the compiled blocks of sys_open's page");
  assert.ok(on.recompiled > 0, "the page's blocks were compiled again");
  assert.deepEqual(on.result, off.result);
}
