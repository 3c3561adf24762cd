// Copyright 2026 the kprobes-sim authors. MIT license.
// Instruction slots run out and are collected: a dirty slot is reused only
// when no task can still be in it (Linux: collect_garbage_slots() after
// synchronize_rcu_tasks()).

import assert from "node:assert/strict";
import { ENOMEM, type Kernel, type Kprobe } from "../../mod.ts";
import { boot, instructionsOf, results } from "../_helpers.ts";

const GETPID = { init: [{ call: "getpid" as const }] };

/** Addresses register_kprobe() accepts, outside `skip`, from the image's functions. */
function probeableAddresses(kernel: Kernel, skip: ReadonlySet<string>, n: number): bigint[] {
  const out: bigint[] = [];
  for (const s of kernel.kallsyms.symbols()) {
    if (skip.has(s.name) || s.size === 0n) continue;
    let insns;
    try {
      insns = instructionsOf(kernel, s.name);
    } catch {
      continue;
    }
    for (const i of insns) {
      if (kernel.checkProbeAddress(i.addr) === null) out.push(i.addr);
      if (out.length === n) return out;
    }
  }
  return out;
}

Deno.test("InsnSlots.get() collects boosted probes' dirty slots when all are used: registration keeps succeeding", async () => {
  await using kernel = await boot({ arch: "x86_64", kprobesOptimization: false });
  const slots = Number(
    kernel.kallsyms.lookupName("__insn_slots_end") -
      kernel.kallsyms.lookupName("__insn_slots_start"),
  ) / 16;
  const pids: number[] = [];
  const rets: number[] = [];
  let hits = 0;
  // More register/hit/unregister rounds than there are slots: each
  // boosted slot is freed dirty and must be collected for a later round.
  for (let i = 0; i < slots + 8; i++) {
    const kp: Kprobe = { symbol_name: "sys_getpid", pre_handler: () => void hits++ };
    rets.push(kernel.registerKprobe(kp));
    pids.push(...results(kernel.run({ workload: GETPID }).syscalls, "getpid"));
    kernel.unregisterKprobe(kp);
  }
  assert.deepEqual(new Set(rets), new Set([0]));
  assert.equal(hits, slots + 8);
  assert.deepEqual(new Set(pids), new Set([1]));
});

Deno.test("InsnSlots.get() does not hand out the dirty slot of a probe still being single-stepped", async () => {
  // The same workload without probes.
  let expected: number[];
  {
    await using kernel = await boot({ arch: "x86_64", kprobesOptimization: false });
    expected = results(kernel.run({ workload: GETPID }).syscalls, "getpid");
  }
  await using kernel = await boot({ arch: "x86_64", kprobesOptimization: false });
  const others = probeableAddresses(kernel, new Set(["sys_getpid"]), 1000);
  const rets: number[] = [];
  const taken: Kprobe[] = [];
  // Its pre_handler unregisters it (its slot freed dirty: the CPU is about
  // to single-step in it), then takes every slot left and asks for one more.
  const kp: Kprobe = {
    symbol_name: "sys_getpid",
    pre_handler: () => {
      kernel.unregisterKprobe(kp);
      for (const addr of others) {
        const p: Kprobe = { addr };
        const r = kernel.registerKprobe(p);
        rets.push(r);
        if (r !== 0) break;
        taken.push(p);
      }
      return 0;
    },
    post_handler: () => {},
  };
  assert.equal(kernel.registerKprobe(kp), 0);
  const got = results(kernel.run({ workload: GETPID }).syscalls, "getpid");
  // The single-step ran sys_getpid's own instruction, not another probe's.
  assert.deepEqual(got, expected);
  assert.equal(kernel.incidents.oopses, 0);
  assert.ok(taken.length > 100);
  assert.equal(rets.at(-1), -ENOMEM);
  for (const p of taken) kernel.unregisterKprobe(p);
});
