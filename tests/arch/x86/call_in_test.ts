// Copyright 2026 the kprobes-sim authors. MIT license.
// `vmcall` with the host's call-in (`cpu.callIn`, an optimized kprobe's
// detour calling in): handled in place, interpreted or at a translated
// block's head, the CPU goes on after it without a stop; guest code the
// host runs inside it counts on the clock; text it writes is seen at once;
// declined, it stops with STOP_HYPERCALL as without a hook. A wrmsr to
// IA32_TSC moves the clock through the same carry.

import assert from "node:assert/strict";
import { X86Cpu } from "../../../arch/x86/cpu.ts";
import type { JitBlock } from "../../../arch/x86/jit.ts";
import { RAX, RBX } from "../../../arch/x86/regs.ts";
import { STOP_BUDGET, STOP_HALT, STOP_HYPERCALL } from "../../../arch/types.ts";
import { Memory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../../kernel-model/memory.ts";

const CODE = 0x1000n;
// mov ecx, 5; top: vmcall; inc eax; dec ecx; jnz top; hlt
const LOOP = [0xb9, 5, 0, 0, 0, 0x0f, 0x01, 0xc1, 0xff, 0xc0, 0xff, 0xc9, 0x75, 0xf7, 0xf4];
// Instructions retired by LOOP: the mov, 5 × 4, the hlt.
const RETIRED = 22;
/** Translator thresholds: the interpreter alone, and a block for every head at once. */
const THRESHOLDS = [-1, 0];

function cpuWith(threshold: number): { cpu: X86Cpu; mem: Memory } {
  const mem = new Memory({ littleEndian: true });
  mem.map(CODE, 0x1000, PROT_READ | PROT_WRITE);
  mem.writeBytes(CODE, new Uint8Array(LOOP));
  mem.protect(CODE, 0x1000, PROT_READ | PROT_EXEC);
  const cpu = new X86Cpu(mem, { mode: 64 });
  cpu.jitThreshold = threshold;
  cpu.setRip(CODE);
  return { cpu, mem };
}

/** Runs to the hlt in slices of `slice` instructions; returns the retired count. */
function runToHalt(cpu: X86Cpu, slice: number): number {
  const t0 = cpu.tsc;
  for (let i = 0; i < 1000; i++) {
    const r = cpu.run(slice);
    if (r === STOP_HALT) return cpu.tsc - t0;
    assert.equal(r, STOP_BUDGET);
  }
  throw new Error("the loop did not reach its hlt");
}

for (const threshold of THRESHOLDS) {
  Deno.test(`X86Cpu vmcall taken by callIn goes on without a stop, RIP past it (threshold ${threshold})`, () => {
    const { cpu } = cpuWith(threshold);
    const seen: bigint[] = [];
    const clocks: number[] = [];
    cpu.callIn = () => {
      seen.push(cpu.getRip());
      clocks.push(cpu.tsc);
      return true;
    };
    assert.equal(runToHalt(cpu, 1000), RETIRED);
    assert.deepEqual(seen, Array(5).fill(CODE + 8n));
    // The host sees the clock before the vmcall, interpreted or translated.
    assert.deepEqual(clocks, [1, 5, 9, 13, 17]);
    assert.equal(cpu.getReg(RAX), 5n);
    // Translated, the call-in heads the loop's block.
    const head = cpu.decodeAt(0, Number(CODE) + 5).block as JitBlock | null;
    if (threshold === 0) assert.match(head?.source ?? "", /ci\(cpu,I\[0\]\)/);
  });

  Deno.test(`X86Cpu vmcall callIn's own guest instructions count on the clock, on every budget (threshold ${threshold})`, () => {
    for (const slice of [1000, 1, 2, 3, 5]) {
      const { cpu } = cpuWith(threshold);
      // As a handler's printk: the host runs guest code on this CPU.
      cpu.callIn = () => {
        cpu.tsc += 100;
        return true;
      };
      assert.equal(runToHalt(cpu, slice), RETIRED + 500, `slices of ${slice}`);
      assert.equal(cpu.getReg(RAX), 5n);
    }
  });

  Deno.test(`X86Cpu vmcall callIn that writes text is followed by the new text (threshold ${threshold})`, () => {
    const { cpu, mem } = cpuWith(threshold);
    let calls = 0;
    cpu.callIn = () => {
      // From the third call on, `inc eax` becomes `inc ebx`.
      if (++calls === 3) mem.pokeText(0, Number(CODE) + 8, new Uint8Array([0xff, 0xc3]));
      return true;
    };
    assert.equal(runToHalt(cpu, 1000), RETIRED);
    assert.equal(cpu.getReg(RAX), 2n);
    assert.equal(cpu.getReg(RBX), 3n);
  });

  Deno.test(`X86Cpu vmcall declined by callIn stops with STOP_HYPERCALL past it (threshold ${threshold})`, () => {
    const { cpu } = cpuWith(threshold);
    let calls = 0;
    cpu.callIn = () => ++calls > 2 ? false : true;
    assert.equal(cpu.run(1000), STOP_HYPERCALL);
    assert.equal(calls, 3);
    assert.equal(cpu.getRip(), CODE + 8n);
    assert.equal(cpu.getReg(RAX), 2n);
    assert.equal(cpu.tsc, 1 + 2 * 4 + 1);
  });
}

Deno.test("X86Cpu wrmsr IA32_TSC sets the clock rdtsc reads next, interpreted and single-stepped", () => {
  // mov ecx, 0x10; xor edx, edx; mov eax, 1000; wrmsr; rdtsc; hlt
  const code = [
    0xb9,
    0x10,
    0,
    0,
    0,
    0x31,
    0xd2,
    0xb8,
    0xe8,
    0x03,
    0,
    0,
    0x0f,
    0x30,
    0x0f,
    0x31,
    0xf4,
  ];
  for (const slice of [1000, 1]) {
    const mem = new Memory({ littleEndian: true });
    mem.map(CODE, 0x1000, PROT_READ | PROT_WRITE);
    mem.writeBytes(CODE, new Uint8Array(code));
    mem.protect(CODE, 0x1000, PROT_READ | PROT_EXEC);
    const cpu = new X86Cpu(mem, { mode: 64 });
    cpu.setRip(CODE);
    for (let i = 0; i < 100 && cpu.run(slice) !== STOP_HALT; i++);
    // The wrmsr retires at 1001, rdtsc reads that count.
    assert.equal(cpu.getReg(RAX), 1001n, `slices of ${slice}`);
    assert.equal(cpu.tsc, 1003, `slices of ${slice}`);
  }
});
