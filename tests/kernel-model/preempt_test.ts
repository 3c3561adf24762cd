// Copyright 2026 the kprobes-sim authors. MIT license.
// CONFIG_PREEMPT: the timer preempts kernel code only when it is on (§1.3, §5).

import assert from "node:assert/strict";
import type { Kprobe, Workload } from "../../mod.ts";
import { boot } from "../_helpers.ts";

// Two tasks on one CPU; one spends ~3 ms in the kernel (kprobe_bench loop),
// long enough for several timer ticks, while the other is runnable.
const busy: Workload = {
  init: [
    {
      call: "fork",
      child: [{ call: "syscall", nr: 500, args: [150_000, 0x10000] }, { call: "exit" }],
    },
    { call: "fork", child: [{ call: "getpid" }, { call: "exit" }] },
    { call: "wait4" },
    { call: "wait4" },
  ],
};

for (const preempt of [false, true]) {
  Deno.test(`the timer ${preempt ? "preempts" : "does not preempt"} kernel code with preempt=${preempt}`, async () => {
    // At 10 MHz a 100 ms time slice is 1M instructions: the loop outlives several.
    await using kernel = await boot({ preempt, cpuMhz: 10 });
    let preemptions = 0;
    const kp: Kprobe = {
      symbol_name: "preempt_schedule_irq",
      pre_handler: () => void preemptions++,
    };
    assert.equal(kernel.registerKprobe(kp), 0);
    const r = kernel.run({ workload: busy });
    assert.ok(r.completed);
    if (preempt) assert.ok(preemptions > 0, "preempt_schedule_irq ran");
    else assert.equal(preemptions, 0);
  });
}
