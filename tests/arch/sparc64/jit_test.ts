// Copyright 2026 the kprobes-sim authors. MIT license.
// The sparc64 block translator on small programs: every block compiled on
// first entry (jitThreshold 0) must leave the same stop, PC, nPC, clock and
// registers as the interpreter (-1): faults in a delay slot and at a jmpl,
// annulled slots, a store into the running block, every budget.

import assert from "node:assert/strict";
import { STOP_TRAP } from "../../../arch/types.ts";
import { KERNEL, load, machine, TEXT } from "./_machine.ts";

// Format 3 with an immediate, and with rs2.
const imm = (op: number, rd: number, op3: number, rs1: number, v: number) =>
  ((op << 30) | (rd << 25) | (op3 << 19) | (rs1 << 14) | (1 << 13) | (v & 0x1fff)) >>> 0;
// Bicc: annul, cond, displacement in instructions.
const bicc = (a: number, cond: number, disp: number) =>
  ((a << 29) | (cond << 25) | (2 << 22) | (disp & 0x3fffff)) >>> 0;
const O1 = 9;
const O2 = 10;
const O3 = 11;
const O4 = 12;
const O5 = 13;
const mov = (rd: number, v: number) => imm(2, rd, 0x02, 0, v);
const add = (rd: number, rs1: number, v: number) => imm(2, rd, 0x00, rs1, v);
const cmp = (rs1: number, v: number) => imm(2, 0, 0x14, rs1, v);
const NOP = 0x01000000;

interface Outcome {
  stop: number;
  pc: bigint;
  npc: bigint;
  tsc: number;
  regs: bigint[];
  trap: number;
}

// Runs `words` at TEXT under both thresholds with `setup`, `budget` instructions.
function both(
  words: number[],
  budget: number,
  setup: (set: (r: number, v: bigint) => void) => void = () => {},
): [Outcome, Outcome, number] {
  const out: Outcome[] = [];
  let compiled = 0;
  for (const threshold of [-1, 0]) {
    const m = machine();
    load(m.mem, TEXT, words);
    m.cpu.jitThreshold = threshold;
    m.cpu.setPc(TEXT);
    setup((r, v) => m.cpu.setReg(r, v));
    const stop = m.cpu.run(budget);
    out.push({
      stop,
      pc: m.cpu.getPc(),
      npc: m.cpu.getNpc(),
      tsc: m.cpu.tsc,
      regs: [O1, O2, O3, O4, O5].map((r) => m.cpu.getReg(r)),
      trap: stop === STOP_TRAP ? m.cpu.trapVector : -1,
    });
    if (threshold === 0) compiled = m.cpu.jit.compiled;
  }
  return [out[0], out[1], compiled];
}

// A loop whose delay slot loads from a pointer walking off the end of kernel RAM.
const WALK = [
  mov(O2, 0),
  add(O1, O1, 8), // 1:
  add(O2, O2, 1),
  cmp(O2, 4000),
  bicc(0, 9, -3), // bne 1b
  imm(3, O3, 0x0b, O1, -8), // ldx [%o1 - 8], %o3 (delay slot)
  NOP,
];

Deno.test("Sparc64Cpu.jitThreshold 0: a fault in a delay slot stops with PC on it and nPC on the target", () => {
  const [off, on, compiled] = both(WALK, 100_000, (set) => set(O1, KERNEL + 0x47000n));
  assert.ok(compiled > 0);
  assert.equal(off.stop, STOP_TRAP);
  assert.equal(off.pc, TEXT + 20n, "the ldx");
  assert.equal(off.npc, TEXT + 4n, "the branch target");
  assert.deepEqual(on, off);
});

Deno.test("Sparc64Cpu.jitThreshold 0: every budget stops on the same instruction", () => {
  for (let budget = 1; budget <= 90; budget++) {
    const [off, on] = both(WALK, budget, (set) => set(O1, KERNEL + 0x47000n));
    assert.equal(off.tsc, budget);
    assert.deepEqual(on, off, `budget ${budget}`);
  }
});

Deno.test("Sparc64Cpu.jitThreshold 0: annulled delay slots are skipped as interpreted", () => {
  const words = [
    mov(O3, 0),
    cmp(0, 0), // 1: Z = 1
    bicc(1, 9, 3), // bne,a 5f: not taken, slot annulled
    add(O3, O3, 1),
    add(O3, O3, 2),
    bicc(1, 8, 2), // 5: ba,a 7f
    add(O3, O3, 4),
    add(O3, O3, 8), // 7:
    bicc(0, 8, -7), // ba 1b
    add(O3, O3, 16), // (delay slot)
  ];
  for (const budget of [3, 7, 50, 1000]) {
    const [off, on] = both(words, budget);
    assert.deepEqual(on, off, `budget ${budget}`);
  }
  assert.equal(both(words, 1000)[0].regs[2] > 0n, true);
});

Deno.test("Sparc64Cpu.jitThreshold 0: an unaligned jmpl target traps at the jmpl", () => {
  const words = [mov(O3, 5), add(O3, O3, 1), imm(2, 0, 0x38, O4, 2), NOP];
  const [off, on] = both(words, 100, (set) => set(O4, TEXT));
  assert.equal(off.stop, STOP_TRAP);
  assert.equal(off.trap, 0x34);
  assert.equal(off.pc, TEXT + 8n);
  assert.deepEqual(on, off);
});

Deno.test("Sparc64Cpu.jitThreshold 0: a store into the running block takes effect at once", () => {
  const words = [
    mov(O3, 0),
    imm(3, O5, 0x04, O4, 12), // stw %o5, [%o4 + 12]: rewrites the mov below
    NOP,
    mov(O3, 1),
    add(O3, O3, 16),
    bicc(0, 8, 0), // ba .
    NOP,
  ];
  const [off, on, compiled] = both(words, 100, (set) => {
    set(O4, TEXT);
    set(O5, BigInt(mov(O3, 7)));
  });
  assert.ok(compiled > 0);
  assert.equal(off.regs[2], 23n);
  assert.deepEqual(on, off);
});
