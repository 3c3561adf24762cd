// Copyright 2026 the kprobes-sim authors. MIT license.
// The optimizer replaces a probe's bytes only when no task can resume
// inside them: also a task preempted there and switched out, whose
// interrupted PC is on its stack (Linux: synchronize_rcu_tasks() in
// kprobe_optimizer()).

import assert from "node:assert/strict";
import type { Kprobe, Workload } from "../../mod.ts";
import { boot, optimizedAddrs } from "../_helpers.ts";

const N = 20_000;
// Two tasks in kprobe_bench's loop (syscall 500, do_fork refusing the
// flags), preempted in turn at every tick: a 1-tick time slice at 17 Hz.
const busy: Workload = {
  init: [
    { call: "fork", child: [{ call: "syscall", nr: 500, args: [N, 0x10000] }, { call: "exit" }] },
    { call: "fork", child: [{ call: "syscall", nr: 500, args: [N, 0x10000] }, { call: "exit" }] },
    { call: "wait4" },
    { call: "wait4" },
  ],
};

Deno.test("KprobeOptimizer waits while a preempted task's PC is inside the bytes it would replace", async () => {
  // With this clock the first tick after the delay finds the switched-out
  // task interrupted at the loop head's second instruction, inside the
  // jump's bytes; optimizing then sent it into the middle of the jump (an
  // Oops), when only the running CPU's PC was checked.
  await using kernel = await boot({
    arch: "x86_64",
    preempt: true,
    hz: 17,
    cpuMhz: 3,
    kprobesOptimization: true,
    kprobesOptimizeDelay: 1,
  });
  // The loop head: xor %r9d,%r9d; xor %r8d,%r8d (6 bytes replaced).
  const addr = kernel.kallsyms.lookupName("sys_kprobe_bench") + 0x1bn;
  assert.deepEqual([...kernel.memory.readBytes(addr, 6)], [0x45, 0x31, 0xc9, 0x45, 0x31, 0xc0]);
  let hits = 0;
  const kp: Kprobe = { addr, pre_handler: () => void hits++ };
  assert.equal(kernel.registerKprobe(kp), 0);
  const r = kernel.run({ workload: busy, watchdog: Infinity });
  assert.ok(r.completed);
  assert.equal(kernel.incidents.oopses, 0);
  assert.deepEqual(
    r.syscalls.filter((s) => s.call === "syscall").map((s) => s.ret),
    [-22 * N, -22 * N],
  );
  assert.equal(hits, 2 * N);
  // Optimized once no task was inside.
  assert.ok(optimizedAddrs(kernel).has(addr));
});
