// Copyright 2026 the kprobes-sim authors. MIT license.
// sparc64 interpreter speed on two tight loops: a load/ALU/store loop and a
// call/return loop through a register window (call/save/ret/restore), each
// run for 1,000,000 guest instructions per iteration, so the time per
// iteration in µs is 1 / MIPS. `deno run -A tests/bench/sparc64_interp_bench.ts`
// prints MIPS directly (CPU time of this process, so other load on the
// machine counts less).

import process from "node:process";
import { Sparc64Cpu } from "../../arch/sparc64/mod.ts";
import { STOP_BUDGET } from "../../arch/types.ts";
import { Memory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../kernel-model/memory.ts";

const KERNEL = 0x400000n;
const TEXT = KERNEL + 0x1000n;
const BUF = KERNEL + 0x10000n;
const STACK = KERNEL + 0x40000n;
const BUDGET = 1_000_000;

// Sum-and-scramble over a 4 KiB buffer (9 instructions per iteration).
const ALU_LOOP = [
  0xd2034008, // 1: lduw [%o5 + %o0], %o1
  0x9602c009, // add %o3, %o1, %o3
  0x952af003, // sllx %o3, 3, %o2
  0x961ac00a, // xor %o3, %o2, %o3
  0xd6234008, // stw %o3, [%o5 + %o0]
  0x90022004, // add %o0, 4, %o0
  0x900a2ffc, // and %o0, 4092, %o0
  0x106ffff9, // ba,pt %xcc, 1b
  0x01000000, // nop
];

// A call with a window per iteration (10 instructions).
const CALL_LOOP = [
  0x40000006, // 1: call 2f
  0x9010000b, // mov %o3, %o0
  0x96022001, // add %o0, 1, %o3
  0x80a2e000, // cmp %o3, 0
  0x106ffffc, // ba,pt %xcc, 1b
  0x01000000, // nop
  0x9de3bf40, // 2: save %sp, -192, %sp
  0xb0062001, // add %i0, 1, %i0
  0x81c7e008, // ret
  0x91ee0000, // restore %i0, %g0, %o0
];

function setup(words: readonly number[]): Sparc64Cpu {
  const mem = new Memory({ littleEndian: false });
  // Text read-only and executable, data and stack writable (stores to
  // executable pages would invalidate the decode cache, as in the kernel).
  mem.map(KERNEL, 0x80000, PROT_READ | PROT_WRITE);
  words.forEach((w, i) => mem.writeU32(TEXT + BigInt(4 * i), w));
  mem.protect(KERNEL, 0x10000, PROT_READ | PROT_EXEC);
  const cpu = new Sparc64Cpu(mem);
  cpu.setPc(TEXT);
  cpu.setReg(14, STACK - 2047n);
  cpu.setReg(13, BUF);
  return cpu;
}

function runOnce(cpu: Sparc64Cpu): void {
  if (cpu.run(BUDGET) !== STOP_BUDGET) throw new Error("Cannot run the bench: the loop stopped");
}

const alu = setup(ALU_LOOP);
const call = setup(CALL_LOOP);
runOnce(alu); // warm the decode cache and the JIT
runOnce(call);

Deno.bench({
  name: "sparc64 load/ALU/store loop, 1M instructions",
  group: "sparc64-interp",
  baseline: true,
  fn() {
    runOnce(alu);
  },
});

Deno.bench({
  name: "sparc64 call/return loop through a window, 1M instructions",
  group: "sparc64-interp",
  fn() {
    runOnce(call);
  },
});

if (import.meta.main) {
  // `deno run`: measure and print MIPS.
  for (const [name, cpu] of [["alu", alu], ["call", call]] as const) {
    for (let i = 0; i < 20; i++) runOnce(cpu);
    const n = 50;
    const t0 = process.cpuUsage().user;
    for (let i = 0; i < n; i++) runOnce(cpu);
    const ms = (process.cpuUsage().user - t0) / 1000;
    console.log(`sparc64 ${name}: ${((n * BUDGET) / ms / 1000).toFixed(1)} MIPS`);
  }
}
