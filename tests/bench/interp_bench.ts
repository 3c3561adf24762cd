// Copyright 2026 the kprobes-sim authors. MIT license.
// Guest instructions per second of the x86_64 CPU on tight kernel-style
// loops. Each bench iteration runs 1,000,000 guest instructions, so MIPS =
// 1000 / (time per iteration in ms), with the block translator (jit.ts) on
// and off. Run: deno bench -A tests/bench/interp_bench.ts

import { X86Cpu } from "../../arch/x86/cpu.ts";
import { DEFAULT_JIT_THRESHOLD } from "../../arch/x86/jit.ts";
import { RBX, RCX, RDX, RSP } from "../../arch/x86/regs.ts";
import { STOP_BUDGET } from "../../arch/types.ts";
import { Memory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../kernel-model/memory.ts";

const CODE = 0xffffffff81000000n;
const DATA = 0xffffffff81100000n;
const STEPS = 1_000_000;

// 1: mov rax, [rbx + 8]; add rax, rcx; mov [rbx + 16], rax; cmp rcx, rdx; jae 2f
//    lea rsi, [rax + rcx*4]; sub rcx, 1; jnz 1b
// 2: mov rcx, 1000000; jmp 1b
// deno-fmt-ignore
const KERNEL_LOOP = new Uint8Array([
  0x48, 0x8b, 0x43, 0x08, 0x48, 0x01, 0xc8, 0x48, 0x89, 0x43, 0x10, 0x48, 0x39, 0xd1, 0x73,
  0x0a, 0x48, 0x8d, 0x34, 0x88, 0x48, 0x83, 0xe9, 0x01, 0x75, 0xe6, 0x48, 0xc7, 0xc1, 0x40,
  0x42, 0x0f, 0x00, 0xeb, 0xdd,
]);

// 1: add rax, rcx; mov rdx, rax; sub rdx, 5; cmp rcx, 0; dec rcx; jnz 1b
//    mov rcx, 1000000; jmp 1b
// deno-fmt-ignore
const ALU_LOOP = new Uint8Array([
  0x48, 0x01, 0xc8, 0x48, 0x89, 0xc2, 0x48, 0x83, 0xea, 0x05, 0x48, 0x83, 0xf9, 0x00, 0x48,
  0xff, 0xc9, 0x75, 0xed, 0x48, 0xc7, 0xc1, 0x40, 0x42, 0x0f, 0x00, 0xeb, 0xe4,
]);

// 1: mov edi, ecx; call 2f; add rax, rdi; dec ecx; jnz 1b; mov ecx, 1000000; jmp 1b
// 2: push rbp; mov rbp, rsp; lea eax, [rdi + 1]; pop rbp; ret
// deno-fmt-ignore
const CALL_LOOP = new Uint8Array([
  0x89, 0xcf, 0xe8, 0x0e, 0x00, 0x00, 0x00, 0x48, 0x01, 0xf8, 0xff, 0xc9, 0x75, 0xf2, 0xb9,
  0x40, 0x42, 0x0f, 0x00, 0xeb, 0xeb, 0x55, 0x48, 0x89, 0xe5, 0x8d, 0x47, 0x01, 0x5d, 0xc3,
]);

function cpuFor(code: Uint8Array): X86Cpu {
  const mem = new Memory({ littleEndian: true });
  mem.map(CODE, 0x10000, PROT_READ | PROT_EXEC);
  mem.map(DATA, 0x10000, PROT_READ | PROT_WRITE);
  mem.writeBytes(CODE, code);
  const cpu = new X86Cpu(mem, { mode: 64 });
  cpu.setRip(CODE);
  cpu.setReg(RSP, DATA + 0x10000n);
  cpu.setReg(RBX, DATA);
  cpu.setReg(RCX, 1000000n);
  cpu.setReg(RDX, 0x7fffffffn);
  return cpu;
}

for (
  const [name, code] of [["mov/add/cmp/jcc/lea", KERNEL_LOOP], ["alu", ALU_LOOP], [
    "call/ret/push/pop",
    CALL_LOOP,
  ]] as const
) {
  // The default (block translator on) and the interpreter alone.
  for (const jitThreshold of [DEFAULT_JIT_THRESHOLD, -1]) {
    const cpu = cpuFor(code);
    cpu.jitThreshold = jitThreshold;
    const tier = jitThreshold < 0 ? "interpreter only" : "translator on";
    Deno.bench(`X86Cpu.run() ${name} loop, 1M guest instructions, ${tier}`, {
      group: name,
      baseline: jitThreshold < 0,
      n: 50,
      warmup: 20,
    }, () => {
      if (cpu.run(STEPS) !== STOP_BUDGET) throw new Error("the loop stopped");
    });
  }
}
