// Copyright 2026 the kprobes-sim authors. MIT license.
// The back-chain unwinder on a real call chain main → f1 → f2 → leaf, with
// the CPU stopped at a trap in a frameless leaf and inside a framed function.

import assert from "node:assert/strict";
import { Ppc64PtRegs, unwindPpc64 } from "../../../arch/ppc64/mod.ts";
import { STOP_TRAP } from "../../../arch/types.ts";
import { DATA, exec, machine, TEXT } from "./_machine.ts";

// main at +0x00, f1 at +0x18, f2 at +0x38, leaf at +0x58 (gas 2.40).
// deno-fmt-ignore
const PROGRAM = [
  0x7c0802a6, 0xf8010010, 0xf821ff91, 0x4800000d, 0x60000000, 0x44000022, // main: mflr; std; stdu; bl f1; nop; sc 1
  0x7c0802a6, 0xf8010010, 0xf821ff91, 0x48000015, 0xe8010080, 0x38210070, 0x7c0803a6, 0x4e800020, // f1: … bl f2; ld; addi; mtlr; blr
  0x7c0802a6, 0xf8010010, 0xf821ff91, 0x48000015, 0xe8010080, 0x38210070, 0x7c0803a6, 0x4e800020, // f2: … bl leaf …
  0x7fe00008, 0x4e800020, // leaf: trap; blr
];
const STARTS = [0x00n, 0x18n, 0x38n, 0x58n].map((o) => TEXT + o);

function symbolStart(pc: bigint): bigint | undefined {
  if (pc < TEXT || pc >= TEXT + 0x60n) return undefined;
  return STARTS.filter((s) => s <= pc).at(-1);
}

Deno.test("unwindPpc64() follows the back chain from a trap in a frameless leaf", () => {
  const m = machine();
  m.cpu.setReg(1, DATA + 0x1000n);
  m.mem.writeU64(DATA + 0x1000n, 0n); // the outermost frame ends the chain
  assert.equal(exec(m, PROGRAM, 100), STOP_TRAP);
  assert.equal(m.cpu.getPc(), TEXT + 0x58n);
  assert.deepEqual(unwindPpc64(m.cpu, m.mem, symbolStart), [
    TEXT + 0x58n, // leaf (the trap)
    TEXT + 0x48n, // in f2, after bl leaf (from LR)
    TEXT + 0x28n, // in f1, after bl f2
    TEXT + 0x10n, // in main, after bl f1
  ]);
});

Deno.test("unwindPpc64() starts from the frame of a function that pushed one", () => {
  const m = machine();
  const words = [...PROGRAM];
  words[0x44 / 4] = 0x7fe00008; // a trap in f2 after its stdu, instead of bl leaf
  m.cpu.setReg(1, DATA + 0x1000n);
  m.mem.writeU64(DATA + 0x1000n, 0n);
  assert.equal(exec(m, words, 100), STOP_TRAP);
  assert.deepEqual(unwindPpc64(m.cpu, m.mem, symbolStart), [
    TEXT + 0x44n,
    TEXT + 0x28n,
    TEXT + 0x10n,
  ]);
  // pt_regs sees the same state.
  const regs = new Ppc64PtRegs(m.cpu);
  assert.equal(regs.nip, TEXT + 0x44n);
  assert.equal(regs.trap, 0x700n);
  assert.equal(regs.link, TEXT + 0x28n);
  assert.equal(regs.gpr[1], DATA + 0x1000n - 3n * 112n);
});
