// Copyright 2026 the kprobes-sim authors. MIT license.
// `sc 1` with the host's call-in (`cpu.callIn`, an optimized kprobe's
// detour calling in): handled in place, interpreted or between translated
// blocks, the CPU goes on after it without a stop, and guest code the host
// runs inside it counts on the clock; declined, it stops with
// STOP_HYPERCALL as without a hook.

import assert from "node:assert/strict";
import { STOP_BUDGET, STOP_HALT, STOP_HYPERCALL } from "../../../arch/types.ts";
import { fetchPpc64 } from "../../../arch/ppc64/execute.ts";
import { load, machine, TEXT } from "./_machine.ts";

// li r4,5; mtctr r4; top: sc 1; addi r3,r3,1; bdnz top; wait
const LOOP = [0x38800005, 0x7c8903a6, 0x44000022, 0x38630001, 0x4200fff8, 0x7c00007c];
// Instructions retired by LOOP: li, mtctr, 5 × 3, wait.
const RETIRED = 18;

function cpuWith(threshold: number) {
  const m = machine();
  load(m.mem, TEXT, LOOP);
  m.cpu.jitThreshold = threshold;
  m.cpu.setPc(TEXT);
  return m.cpu;
}

for (const threshold of [-1, 0]) {
  Deno.test(`Ppc64Cpu sc 1 taken by callIn goes on without a stop, NIP past it (threshold ${threshold})`, () => {
    for (const slice of [1000, 1, 2, 4]) {
      const cpu = cpuWith(threshold);
      const seen: bigint[] = [];
      const clocks: number[] = [];
      cpu.callIn = () => {
        seen.push(cpu.getPc());
        clocks.push(cpu.tsc);
        cpu.tsc += 100; // as a handler's printk: guest code on this CPU
        return true;
      };
      const t0 = cpu.tsc;
      let r = STOP_BUDGET;
      for (let i = 0; i < 1000 && r === STOP_BUDGET; i++) r = cpu.run(slice);
      assert.equal(r, STOP_HALT, `slices of ${slice}`);
      assert.equal(cpu.tsc - t0, RETIRED + 500);
      assert.deepEqual(seen, Array(5).fill(TEXT + 12n));
      // The host sees the clock before the sc, interpreted or translated.
      assert.deepEqual(clocks, [2, 105, 208, 311, 414].map((c) => c + t0));
      assert.equal(cpu.getReg(3), 5n);
      // Translated, the call-in heads the loop's block (whose function is
      // named after its address).
      const top = TEXT + 8n;
      const head = fetchPpc64(cpu, Number(top >> 32n), Number(top & 0xffffffffn)).jitBlock as
        | { fn: () => void }
        | null;
      if (threshold === 0) assert.match(head?.fn.toString() ?? "", /sc 1/);
    }
  });

  Deno.test(`Ppc64Cpu sc 1 declined by callIn stops with STOP_HYPERCALL past it (threshold ${threshold})`, () => {
    const cpu = cpuWith(threshold);
    let calls = 0;
    cpu.callIn = () => ++calls <= 2;
    assert.equal(cpu.run(1000), STOP_HYPERCALL);
    assert.equal(calls, 3);
    assert.equal(cpu.getPc(), TEXT + 12n);
    assert.equal(cpu.getReg(3), 2n);
  });
}
