// Copyright 2026 the kprobes-sim authors. MIT license.
// The x86 block translator on a bare CPU: translated blocks give the
// interpreter's registers, flags and clock; self-modifying code leaves a
// block at once; protection changes between runs are seen (the TLB is
// emptied per run); a block never runs past the budget.

import assert from "node:assert/strict";
import { X86Cpu } from "../../../arch/x86/cpu.ts";
import { fetchDecode } from "../../../arch/x86/execute.ts";
import { compileBlock } from "../../../arch/x86/jit.ts";
import { RAX, RBX, RCX } from "../../../arch/x86/regs.ts";
import { STOP_BUDGET, STOP_HALT, STOP_TRAP } from "../../../arch/types.ts";
import { Memory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../../kernel-model/memory.ts";

const CODE = 0x1000n;
const DATA = 0x8000n;

function cpuWith(code: number[], codeProt: number, threshold: number): X86Cpu {
  const mem = new Memory({ littleEndian: true });
  mem.map(CODE, 0x1000, PROT_READ | PROT_WRITE);
  mem.map(DATA, 0x1000, PROT_READ | PROT_WRITE);
  mem.writeBytes(CODE, new Uint8Array(code));
  mem.protect(CODE, 0x1000, codeProt);
  const cpu = new X86Cpu(mem, { mode: 64 });
  cpu.jitThreshold = threshold;
  cpu.setRip(CODE);
  return cpu;
}

function state(cpu: X86Cpu): string {
  const regs = [0, 1, 2, 3, 4, 5, 6, 7].map((r) => cpu.getReg(r).toString(16));
  return `${regs.join(" ")} rip ${
    cpu.getRip().toString(16)
  } flags ${cpu.getFlags()} tsc ${cpu.tsc}`;
}

Deno.test("compileBlock() translates a loop body through its not-taken exits", () => {
  // add eax, ecx; cmp eax, 100; ja out; dec ecx; jnz top; out: hlt
  const cpu = cpuWith(
    [0x01, 0xc8, 0x83, 0xf8, 0x64, 0x77, 0x04, 0xff, 0xc9, 0x75, 0xf5, 0xf4],
    PROT_READ | PROT_EXEC,
    -1,
  );
  const block = compileBlock(cpu, cpu.decodeAt(0, 0x1000), fetchDecode);
  assert.equal(block?.length, 5);
  assert.match(block!.source, /continue L/); // the jnz back to the head loops inside
});

Deno.test("X86Cpu.run() with the translator gives the interpreter's state on every budget", () => {
  // top: mov rax, [rbx]; add rax, rcx; mov [rbx+8], rax; shl rax, 3 (handler);
  //      test al, 7; dec ecx; jnz top; hlt
  const code = [
    0x48,
    0x8b,
    0x03,
    0x48,
    0x01,
    0xc8,
    0x48,
    0x89,
    0x43,
    0x08,
    0x48,
    0xc1,
    0xe0,
    0x03,
    0xa8,
    0x07,
    0xff,
    0xc9,
    0x75,
    0xec,
    0xf4,
  ];
  for (const budget of [1, 3, 7, 50, 1000]) {
    const seen: string[] = [];
    for (const threshold of [-1, 0, 2]) {
      const cpu = cpuWith(code, PROT_READ | PROT_EXEC, threshold);
      cpu.setReg(RBX, DATA);
      cpu.setReg(RCX, 300n);
      const trace: string[] = [];
      for (let i = 0; i < 2000 && cpu.run(budget) === STOP_BUDGET; i++) trace.push(state(cpu));
      trace.push(state(cpu));
      seen.push(trace.join("\n"));
    }
    assert.equal(seen[1], seen[0], `threshold 0, budget ${budget}`);
    assert.equal(seen[2], seen[0], `threshold 2, budget ${budget}`);
  }
});

Deno.test("X86Cpu.run() leaves a translated block when it writes its own code", () => {
  // top: mov byte [rip+2], 2 (the add's immediate); add eax, 1; dec ecx; jnz top; hlt
  const code = [
    0xc6,
    0x05,
    0x02,
    0,
    0,
    0,
    0x02,
    0x83,
    0xc0,
    0x01,
    0xff,
    0xc9,
    0x75,
    0xf2,
    0xf4,
  ];
  const seen: string[] = [];
  for (const threshold of [-1, 0]) {
    const cpu = cpuWith(code, PROT_READ | PROT_WRITE | PROT_EXEC, threshold);
    cpu.setReg(RCX, 10n);
    assert.equal(cpu.run(1000), STOP_HALT);
    assert.equal(cpu.getReg(RAX), 20n); // every add runs the patched immediate
    seen.push(state(cpu));
  }
  assert.equal(seen[1], seen[0]);
});

Deno.test("X86Cpu.run() sees a protection change between runs in translated code", () => {
  // top: mov eax, [rbx]; dec ecx; jnz top; hlt
  const code = [0x8b, 0x03, 0xff, 0xc9, 0x75, 0xfa, 0xf4];
  const seen: string[] = [];
  for (const threshold of [-1, 0]) {
    const cpu = cpuWith(code, PROT_READ | PROT_EXEC, threshold);
    cpu.setReg(RBX, DATA);
    cpu.setReg(RCX, 5000n);
    // Many runs: the TLB generations wrap (512 per clear) on the way.
    for (let i = 0; i < 600; i++) assert.equal(cpu.run(3), STOP_BUDGET);
    (cpu.mem as Memory).protect(DATA, 0x1000, 0); // no access
    assert.equal(cpu.run(300), STOP_TRAP);
    assert.equal(cpu.trapVector, 14);
    seen.push(state(cpu));
  }
  assert.equal(seen[1], seen[0]);
});
