// Copyright 2026 the kprobes-sim authors. MIT license.
// An optimized kprobe's detour calls in from its hypercall instruction
// itself (Linux: the detour's call of optimized_callback()), without a stop:
// the handlers' own guest code (printk) counts as at an int3 hit, whether
// the detour is interpreted or translated; reentry is counted in nmissed.

import assert from "node:assert/strict";
import { type Kprobe, printk, type Workload } from "../../mod.ts";
import { boot, optimizedAddrs } from "../_helpers.ts";

const ARCHES = ["x86_64", "i386", "ppc64"] as const;
const HITS = 20;
/** The kprobe_bench system call: `n` calls of do_fork that fail at once. */
const benchLoop = (n: number): Workload => ({
  init: [{ call: "syscall", nr: 500, args: [n, 0x10000] }],
});

/** Instructions and log of HITS probed do_fork calls, the probe optimized or not. */
async function probedRun(
  arch: string,
  optimize: boolean,
  jitThreshold: number,
  handler: Kprobe["pre_handler"],
) {
  await using kernel = await boot({
    arch: arch as "x86_64",
    jitThreshold,
    kprobesOptimization: optimize,
    kprobesOptimizeDelay: 0,
  });
  const kp: Kprobe = { symbol_name: "do_fork", pre_handler: handler };
  assert.equal(kernel.registerKprobe(kp), 0);
  assert.equal(optimizedAddrs(kernel).size, optimize ? 1 : 0);
  const before = kernel.logLines.length;
  const r = kernel.run({ workload: benchLoop(HITS) });
  const hits = kernel.kprobeHits(kp);
  kernel.unregisterKprobe(kp);
  return { instructions: r.instructions, log: [...kernel.logLines.slice(before)], hits };
}

for (const arch of ARCHES) {
  Deno.test(`optimized kprobe handler's printk counts its guest instructions as at an int3 hit, on ${arch}`, async () => {
    const counts: number[] = [];
    for (const jitThreshold of [-1, 0]) {
      const quiet = () => 0;
      let n = 0;
      const loud = () => {
        printk("<6>kopt hit %d\n", n++);
        return 0;
      };
      const int3Quiet = await probedRun(arch, false, jitThreshold, quiet);
      const optQuiet = await probedRun(arch, true, jitThreshold, quiet);
      n = 0;
      const int3Loud = await probedRun(arch, false, jitThreshold, loud);
      n = 0;
      const optLoud = await probedRun(arch, true, jitThreshold, loud);
      for (const r of [int3Quiet, optQuiet, int3Loud, optLoud]) assert.equal(r.hits, HITS);
      // The printk's instructions are in both loud runs alike.
      assert.ok(int3Loud.instructions > int3Quiet.instructions + HITS * 10);
      assert.equal(
        optLoud.instructions - int3Loud.instructions,
        optQuiet.instructions - int3Quiet.instructions,
        `threshold ${jitThreshold}`,
      );
      // The same lines (their timestamps differ: a jump hit retires more instructions).
      const text = (log: string[]) => log.map((l) => l.replace(/^\[[ .0-9]*\] /, ""));
      assert.deepEqual(text(optLoud.log), text(int3Loud.log));
      assert.equal(text(optLoud.log).filter((l) => l.startsWith("kopt hit")).length, HITS);
      counts.push(optLoud.instructions);
    }
    // Interpreted and translated detours alike.
    assert.equal(counts[0], counts[1]);
  });
}

for (const arch of ARCHES) {
  Deno.test(`optimized kprobe hit inside another probe's handler counts in nmissed, on ${arch}`, async () => {
    await using kernel = await boot({
      arch: arch as "x86_64",
      kprobesOptimizeDelay: 0,
    });
    let inner = 0;
    const outer: Kprobe = {
      symbol_name: "do_fork",
      pre_handler: () => {
        printk("<6>outer\n");
        return 0;
      },
    };
    const nested: Kprobe = { symbol_name: "printk", pre_handler: () => void inner++ };
    assert.equal(kernel.registerKprobe(outer), 0);
    assert.equal(kernel.registerKprobe(nested), 0);
    assert.equal(optimizedAddrs(kernel).size, 2);
    kernel.run({ workload: benchLoop(HITS) });
    // Linux: optimized_callback() with kprobe_running(): no handler, a miss.
    assert.equal(nested.nmissed, HITS);
    assert.equal(inner, 0);
    assert.equal(kernel.kprobeHits(outer), HITS);
  });
}
