// Copyright 2026 the kprobes-sim authors. MIT license.
// Guest code speed of the whole kernel with the x86 block translator on (its
// default threshold) and off: the guest's kprobe_bench system call runs
// do_fork 20,000 times (about 860,000 instructions on x86_64, 800,000 on
// i386, all guest code, no host work in between), so MIPS = instructions /
// time. Unlike `deno task bench`'s guest_mips, no host-heavy workload
// (fork/execve bookkeeping) is mixed in.
// Run: deno bench -A tests/bench/jit_bench.ts

import { Kernel, type Workload } from "../../mod.ts";

const CALLS = 20_000;
const CLONE_THREAD = 0x10000;
const loop: Workload = { init: [{ call: "syscall", nr: 500, args: [CALLS, CLONE_THREAD] }] };

for (const arch of ["x86_64", "i386"] as const) {
  for (const jitThreshold of [undefined, -1]) {
    const kernel = await Kernel.boot({ arch, jitThreshold });
    // Warm: past the translation threshold (32768 entries of a block head)
    // and V8's optimization of the new block functions.
    for (let i = 0; i < 5; i++) kernel.run({ workload: loop });
    const tier = jitThreshold === undefined ? "translator on" : "interpreter only";
    Deno.bench(`kernel.run() kprobe_bench, ${CALLS} do_fork calls, ${arch}, ${tier}`, {
      group: arch,
      baseline: jitThreshold === -1,
      n: 20,
      warmup: 3,
    }, () => {
      if (!kernel.run({ workload: loop }).completed) throw new Error("the workload stopped");
    });
  }
}
