// Copyright 2026 the kprobes-sim authors. MIT license.
// Control transfers: delay slots, the annul bit (ba,a always, conditional
// ,a when not taken, bn,a), BPcc on xcc, BPr, call/jmpl, a DCTI couple,
// unaligned jmpl targets and floating-point branches. Words from
// sparc64-linux-gnu-as.

import assert from "node:assert/strict";
import { STOP_BUDGET, STOP_HYPERCALL, STOP_TRAP } from "../../../arch/types.ts";
import { exec, load, machine, TEXT } from "./_machine.ts";

// deno-fmt-ignore
const PROGRAM = [
  0x90102001, // 0  mov 1, %o0
  0x10800003, // 1  ba 1f
  0x92102002, // 2  mov 2, %o1           (delay slot: executes)
  0x94102003, // 3  mov 3, %o2           (skipped)
  0x96102004, // 4  1: mov 4, %o3
  0x30800003, // 5  ba,a 2f
  0x98102005, // 6  mov 5, %o4           (annulled)
  0x01000000, // 7  nop
  0x80a22001, // 8  2: cmp %o0, 1
  0x32800003, // 9  bne,a 3f             (not taken)
  0x9a102006, // 10 mov 6, %o5           (annulled)
  0x82102007, // 11 mov 7, %g1
  0x22680003, // 12 3: be,a %xcc, 4f     (taken)
  0x84102008, // 13 mov 8, %g2           (delay slot: executes)
  0x01000000, // 14 nop
  0x20800002, // 15 4: bn,a 5f
  0x86102009, // 16 mov 9, %g3           (annulled)
  0x22c80003, // 17 5: brz,a %g0, 6f     (taken)
  0x8810200a, // 18 mov 10, %g4          (delay slot: executes)
  0x01000000, // 19 nop
  0x2ac80002, // 20 6: brnz,a %g0, 7f    (not taken)
  0x8a10200b, // 21 mov 11, %g5          (annulled)
  0x40000002, // 22 7: call 8f
  0x8c10200c, // 23 mov 12, %g6          (delay slot)
  0x8fc3e010, // 24 8: jmpl %o7+16, %g7  (to 26)
  0x01000000, // 25 nop
  0x01000000, // 26 nop
  0x01000000, // 27 nop
  0x91d0207f, // 28 ta 0x7f
];

Deno.test("Sparc64Cpu runs delay slots and annuls as V9 says", () => {
  const m = machine();
  assert.equal(exec(m, PROGRAM, 100), STOP_HYPERCALL);
  const got = [8, 9, 10, 11, 12, 13, 1, 2, 3, 4, 5, 6].map((r) => m.cpu.getReg(r));
  assert.deepEqual(got, [1n, 2n, 0n, 4n, 0n, 0n, 7n, 8n, 0n, 10n, 0n, 12n]);
  assert.equal(m.cpu.getReg(15), TEXT + 88n); // %o7 = the call
  assert.equal(m.cpu.getReg(7), TEXT + 96n); // %g7 = the jmpl
  assert.equal(m.cpu.getPc(), TEXT + 29n * 4n);
  assert.equal(m.cpu.getNpc(), TEXT + 30n * 4n);
  assert.equal(m.cpu.tsc, 21);
});

Deno.test("Sparc64Cpu stops between a branch and its delay slot with nPC at the target", () => {
  const m = machine();
  assert.equal(exec(m, PROGRAM, 2), STOP_BUDGET); // mov; ba 1f
  assert.equal(m.cpu.getPc(), TEXT + 8n);
  assert.equal(m.cpu.getNpc(), TEXT + 16n);
  assert.equal(m.cpu.run(1), STOP_BUDGET); // the delay slot
  assert.equal(m.cpu.getPc(), TEXT + 16n);
  assert.equal(m.cpu.getReg(9), 2n);
});

Deno.test("Sparc64Cpu runs a DCTI couple: the second branch's target after one instruction", () => {
  const m = machine();
  // ba,pt 9f; ba,pt 10f; 9: mov 1,%o0; 10: mov 2,%o1; mov 3,%o2
  load(m.mem, TEXT, [0x10480002, 0x10480002, 0x90102001, 0x92102002, 0x94102003]);
  m.cpu.setPc(TEXT);
  assert.equal(m.cpu.run(5), STOP_BUDGET);
  assert.deepEqual([8, 9, 10].map((r) => m.cpu.getReg(r)), [1n, 2n, 3n]);
  assert.equal(m.cpu.getPc(), TEXT + 20n);
});

Deno.test("Sparc64Cpu jmpl to an unaligned target stops with 0x034 on the jmpl", () => {
  const m = machine();
  m.cpu.setReg(8, TEXT);
  m.cpu.setReg(15, 5n);
  assert.equal(exec(m, [0x9fc22002, 0x01000000]), STOP_TRAP); // jmpl %o0+2, %o7
  assert.equal(m.cpu.trapVector, 0x034);
  assert.equal(m.cpu.getPc(), TEXT);
  assert.equal(m.cpu.getReg(15), 5n);
  assert.equal(m.cpu.faultAddress(), TEXT + 2n);
});

Deno.test("Sparc64Cpu floating-point branches are fp_disabled (0x020)", () => {
  const m = machine();
  assert.equal(exec(m, [0x03bffffd, 0x01000000]), STOP_TRAP); // fbne
  assert.equal(m.cpu.trapVector, 0x020);
  assert.equal(m.cpu.getPc(), TEXT);
});

Deno.test("Sparc64Cpu rd %pc reads the instruction's own address", () => {
  const m = machine();
  assert.equal(exec(m, [0x01000000, 0x95414000]), STOP_BUDGET); // nop; rd %pc, %o2
  assert.equal(m.cpu.getReg(10), TEXT + 4n);
});

Deno.test("Sparc64Cpu Tcc traps only when its condition holds, with trap number rs1 + imm", () => {
  const m = machine();
  m.cpu.ccr = 0x04; // icc.Z
  assert.equal(exec(m, [0x93d02005, 0x01000000]), STOP_BUDGET); // tne %icc, 5: not taken
  m.cpu.ccr = 0x40; // xcc.Z
  assert.equal(exec(m, [0x83d03005]), STOP_TRAP); // te %xcc, 5
  assert.equal(m.cpu.trapVector, 0x105);
  m.cpu.setReg(8, 0x7bn);
  assert.equal(exec(m, [0x91d22005]), STOP_TRAP); // ta %o0 + 5: (0x7b + 5) & 0x7f = 0
  assert.equal(m.cpu.trapVector, 0x100);
});

Deno.test("Sparc64Cpu return jumps (delayed) and restores the caller's window", () => {
  const m = machine();
  m.cpu.setReg(14, 0x43f000n - 2047n);
  load(m.mem, TEXT + 0x100n, [0x91d0207f]); // ta 0x7f
  m.cpu.setReg(8, 0x1111n);
  exec(m, [0x9de3bf40]); // save: %i0 = 0x1111
  m.cpu.setReg(8, TEXT + 0xf8n); // %o0 of the new window
  load(m.mem, TEXT + 4n, [0x81ca2008, 0x90102001]); // return %o0 + 8; mov 1, %o0 (delay slot)
  m.cpu.setPc(TEXT + 4n);
  assert.equal(m.cpu.run(10), STOP_HYPERCALL);
  assert.equal(m.cpu.cwp, 0);
  assert.equal(m.cpu.getPc(), TEXT + 0x104n);
  assert.equal(m.cpu.getReg(8), 1n); // the delay slot ran in the restored window
});
