// Copyright 2026 the kprobes-sim authors. MIT license.
// A kprobe hit's emulated `push r` through the stack page kept in the CPU
// (pushInPlace(), stackPageOffset()): the same store, RSP, RIP and clock as
// the interpreter's run of the instruction; a push across a page, to a page
// the CPU may not write, or to an executable page is left to the
// interpreter; a protect() drops the kept translation.

import assert from "node:assert/strict";
import { pushInPlace, stackPageOffset } from "../../../arch/x86/_kprobes_step.ts";
import { X86Cpu } from "../../../arch/x86/cpu.ts";
import type { X86ArchInsn } from "../../../arch/x86/kprobes.ts";
import { placeInsn } from "../../../arch/x86/kprobes_emulate.ts";
import { RBP, RSP } from "../../../arch/x86/regs.ts";
import { Memory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../../kernel-model/memory.ts";

const STACK = 0xffff880000010000n;
const TEXT = 0xffffffff81000000n;

function setup(): { cpu: X86Cpu; mem: Memory; ai: X86ArchInsn } {
  const mem = new Memory({ littleEndian: true });
  mem.map(STACK, 0x2000, PROT_READ | PROT_WRITE);
  mem.map(TEXT, 0x1000, PROT_READ | PROT_EXEC);
  const cpu = new X86Cpu(mem, { mode: 64 });
  // push %rbp at TEXT, as a probed function's first instruction.
  const emu = placeInsn(new Uint8Array([0x55]), 64, 0xffffffff, 0x81000000);
  const ai = { pushReg: RBP, emu } as unknown as X86ArchInsn;
  cpu.setReg(RBP, 0xffff8800deadbeefn);
  return { cpu, mem, ai };
}

Deno.test("pushInPlace stores the register below RSP and moves RSP, RIP and the clock", () => {
  const { cpu, mem, ai } = setup();
  cpu.setReg(RSP, STACK + 0x1ff8n);
  const tsc = cpu.tsc;
  assert.equal(pushInPlace(ai, cpu), true);
  assert.equal(mem.readU64(STACK + 0x1ff0n), 0xffff8800deadbeefn);
  assert.equal(cpu.getReg(RSP), STACK + 0x1ff0n);
  assert.equal(cpu.getRip(), TEXT + 1n);
  assert.equal(cpu.tsc, tsc + 1);
  // The second push uses the kept page.
  assert.equal(pushInPlace(ai, cpu), true);
  assert.equal(mem.readU64(STACK + 0x1fe8n), 0xffff8800deadbeefn);
});

Deno.test("pushInPlace leaves a push across a page to the interpreter", () => {
  const { cpu, ai } = setup();
  cpu.setReg(RSP, STACK + 0x1004n);
  assert.equal(pushInPlace(ai, cpu), false);
  assert.equal(cpu.getReg(RSP), STACK + 0x1004n);
});

Deno.test("stackPageOffset keeps no read-only or executable page and drops one after protect()", () => {
  const { cpu, mem } = setup();
  const hi = Number(STACK >> 32n) | 0;
  const lo = Number(STACK & 0xffffffffn) | 0;
  assert.ok(stackPageOffset(cpu, hi, lo) >= 0);
  mem.protect(STACK, 0x1000, PROT_READ);
  assert.equal(stackPageOffset(cpu, hi, lo), -1);
  mem.protect(STACK, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC);
  assert.equal(stackPageOffset(cpu, hi, lo), -1);
  mem.protect(STACK, 0x1000, PROT_READ | PROT_WRITE);
  assert.ok(stackPageOffset(cpu, hi, lo) >= 0);
});
