// Copyright 2026 the kprobes-sim authors. MIT license.
// ppc64 interpreter speed on two tight loops: a load/ALU/store loop and a
// call/return loop with a stack frame (mflr/std/stdu/bl/ld/mtlr/blr), each
// run for 1,000,000 guest instructions per iteration, so the time per
// iteration in µs is 1 / MIPS. `deno run -A tests/bench/ppc64_interp_bench.ts`
// prints MIPS directly.

import { Ppc64Cpu } from "../../arch/ppc64/mod.ts";
import { STOP_BUDGET } from "../../arch/types.ts";
import { Memory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../kernel-model/memory.ts";

const KERNEL = 0xc000000000000000n;
const TEXT = KERNEL + 0x1000n;
const BUF = KERNEL + 0x10000n;
const STACK = KERNEL + 0x40000n;
const BUDGET = 1_000_000;

// Sum-and-scramble over a 4 KiB buffer (8 instructions per iteration).
const ALU_LOOP = [
  0x7cc5402e, // 1: lwzx r6,r5,r8
  0x7c633214, // add r3,r3,r6
  0x54671838, // slwi r7,r3,3
  0x7c633a78, // xor r3,r3,r7
  0x7c65412e, // stwx r3,r5,r8
  0x39080004, // addi r8,r8,4
  0x71080ffc, // andi. r8,r8,4092
  0x4200ffe4, // bdnz 1b
  0x4bffffe0, // b 1b
];

// A call with a frame per iteration (13 instructions).
const CALL_LOOP = [
  0x7c0802a6, // 1: mflr r0
  0xf8010010, // std r0,16(r1)
  0xf821ff91, // stdu r1,-112(r1)
  0x4800001d, // bl 2f
  0xe8010080, // ld r0,128(r1)
  0x38210070, // addi r1,r1,112
  0x7c0803a6, // mtlr r0
  0x2c230000, // cmpdi r3,0
  0x4200ffe0, // bdnz 1b
  0x4bffffdc, // b 1b
  0x38630001, // 2: addi r3,r3,1
  0x7c6307b4, // extsw r3,r3
  0x4e800020, // blr
];

function setup(words: readonly number[]): Ppc64Cpu {
  const mem = new Memory({ littleEndian: false });
  // Text read-only and executable, data and stack writable (stores to
  // executable pages would invalidate the decode cache, as in the kernel).
  mem.map(KERNEL, 0x80000, PROT_READ | PROT_WRITE);
  words.forEach((w, i) => mem.writeU32(TEXT + BigInt(4 * i), w));
  mem.protect(KERNEL, 0x10000, PROT_READ | PROT_EXEC);
  const cpu = new Ppc64Cpu(mem);
  cpu.setPc(TEXT);
  cpu.setReg(1, STACK);
  cpu.setReg(5, BUF);
  cpu.setCtr(0xffffffffn);
  return cpu;
}

function runOnce(cpu: Ppc64Cpu): void {
  if (cpu.run(BUDGET) !== STOP_BUDGET) throw new Error("Cannot run the bench: the loop stopped");
}

const alu = setup(ALU_LOOP);
const call = setup(CALL_LOOP);
runOnce(alu); // warm the decode cache and the JIT
runOnce(call);

Deno.bench({
  name: "ppc64 load/ALU/store loop, 1M instructions",
  group: "ppc64-interp",
  baseline: true,
  fn() {
    runOnce(alu);
  },
});

Deno.bench({
  name: "ppc64 call/return loop with frames, 1M instructions",
  group: "ppc64-interp",
  fn() {
    runOnce(call);
  },
});

if (import.meta.main) {
  // `deno run`: measure and print MIPS.
  for (const [name, cpu] of [["alu", alu], ["call", call]] as const) {
    for (let i = 0; i < 20; i++) runOnce(cpu);
    const n = 100;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) runOnce(cpu);
    const ms = performance.now() - t0;
    console.log(`ppc64 ${name}: ${((n * BUDGET) / ms / 1000).toFixed(1)} MIPS`);
  }
}
