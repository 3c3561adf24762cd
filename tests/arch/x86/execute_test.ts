// Copyright 2026 the kprobes-sim authors. MIT license.
import assert from "node:assert/strict";
import {
  FLAG_IF,
  FLAG_TF,
  R8,
  RAX,
  RBP,
  RBX,
  RCX,
  RDI,
  RDX,
  RSI,
  RSP,
  STOP_BUDGET,
  STOP_HALT,
  STOP_HYPERCALL,
  STOP_TRAP,
  STOP_USER,
} from "../../../arch/mod.ts";
import { Memory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../../kernel-model/memory.ts";
import { X86Cpu } from "../../../arch/x86/cpu.ts";
import {
  CODE,
  COUNTER,
  DATA,
  machine,
  RSP0,
  STACK_TOP,
  USER,
  writeSystemTables,
} from "./_machine.ts";
import * as P from "./_programs.ts";

const R9 = 9;
const R10 = 10;
const R11 = 11;
const R12 = 12;
const R13 = 13;
const R14 = 14;
const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint) => v & M64;

Deno.test("X86Cpu.run() executes arithmetic with 64-bit carries, sign extension and shifts", () => {
  const { cpu } = machine(P.ARITH);
  assert.equal(cpu.run(100), STOP_HALT);
  assert.equal(cpu.getReg(RAX), 0n);
  assert.equal(cpu.getReg(RBX), 1n); // adc picked up the carry
  assert.equal(cpu.getReg(RCX), 0x8000000000000000n);
  assert.equal(cpu.getReg(RDX), 1n); // seto
  assert.equal(cpu.getReg(RSI), 0xf0debc9a78563412n);
  assert.equal(cpu.getReg(RDI), 0xfffffff0n);
  assert.equal(cpu.getReg(R8), u64(-16n));
  assert.equal(cpu.getReg(R9), u64(-48n));
  assert.equal(cpu.getReg(R10), 1n);
  assert.equal(cpu.getReg(R11), u64(0xf0debc9a78563412n - 128n + 16n));
  assert.equal(cpu.getRip(), CODE + BigInt(P.ARITH.length));
});

Deno.test("X86Cpu.run() divides 128 by 64 bits unsigned and signed", () => {
  const { cpu } = machine(P.DIVIDE);
  assert.equal(cpu.run(100), STOP_HALT);
  assert.equal(cpu.getReg(R8), 1000000007n / 97n);
  assert.equal(cpu.getReg(R9), 1000000007n % 97n);
  assert.equal(cpu.getReg(R10), u64(-3n));
  assert.equal(cpu.getReg(R11), u64(-1n));
  const n = (5n << 64n) | 0x0123456789abcdefn;
  const d = 0xfedcba9876543210n;
  assert.equal(cpu.getReg(RAX), n / d);
  assert.equal(cpu.getReg(RDX), n % d);
});

Deno.test("X86Cpu.run() multiplies into RDX:RAX", () => {
  const { cpu } = machine(P.MUL128);
  assert.equal(cpu.run(100), STOP_HALT);
  const p = 0xfedcba9876543210n * 0x123456789abcdef1n;
  assert.equal(cpu.getReg(R8), u64(p));
  assert.equal(cpu.getReg(R9), p >> 64n);
  assert.equal(cpu.getReg(RAX), u64(-15n));
  assert.equal(cpu.getReg(RDX), u64(-1n));
});

Deno.test("X86Cpu.run() loops, calls and returns", () => {
  let m = machine(P.LOOP_SUM);
  assert.equal(m.cpu.run(1000), STOP_HALT);
  assert.equal(m.cpu.getReg(RAX), 55n);
  m = machine(P.CALL_RET);
  assert.equal(m.cpu.run(1000), STOP_HALT);
  assert.equal(m.cpu.getReg(RAX), 16n);
  assert.equal(m.cpu.getReg(RSP), STACK_TOP);
  m = machine(P.FIB);
  assert.equal(m.cpu.run(100000), STOP_HALT);
  assert.equal(m.cpu.getReg(RAX), 55n);
  assert.equal(m.cpu.getReg(RSP), STACK_TOP);
});

Deno.test("X86Cpu.run() builds and tears down frames with enter/leave and pushf/popf", () => {
  let m = machine(P.ENTER_LEAVE);
  assert.equal(m.cpu.run(100), STOP_HALT);
  assert.equal(m.cpu.getReg(RAX), 7n);
  assert.equal(m.cpu.getReg(RBP), 0x1234n);
  assert.equal(m.cpu.getReg(RSP), STACK_TOP);
  m = machine(P.PUSHF_POPF);
  assert.equal(m.cpu.run(100), STOP_HALT);
  assert.equal(m.cpu.getReg(RAX), 0x46n); // pushed 0x47 (CF, ZF, PF, bit 1), CF masked off
  assert.equal(m.cpu.getReg(RBX), 0n); // popf cleared CF
  assert.equal(m.cpu.getFlags() & 1, 0);
});

Deno.test("X86Cpu.run() runs rep movs/stos/scas/cmps", () => {
  const { cpu, mem } = machine(P.STRINGS);
  mem.writeBytes(DATA, new TextEncoder().encode("hello, world!"));
  assert.equal(cpu.run(100), STOP_HALT);
  assert.equal(new TextDecoder().decode(mem.readBytes(DATA + 0x100n, 13)), "hello, world!");
  for (let i = 0n; i < 8n; i++) assert.equal(mem.readU64(DATA + 0x200n + 8n * i), 0x41n);
  assert.equal(mem.readU64(DATA + 0x240n), 0n);
  assert.equal(cpu.getReg(R8), 13n); // strlen by repne scasb
  assert.equal(cpu.getReg(R9), 1n); // repe cmpsb: equal
  assert.equal(cpu.getReg(RCX), 0n);
});

Deno.test("X86Cpu.run() runs locked xadd/cmpxchg/bts and bit scans", () => {
  const { cpu, mem } = machine(P.ATOMICS);
  assert.equal(cpu.run(100), STOP_HALT);
  assert.equal(mem.readU32(DATA), 8);
  assert.equal(cpu.getReg(R8), 1n); // first cmpxchg succeeded
  assert.equal(cpu.getReg(R9), 0n); // second failed...
  assert.equal(cpu.getReg(RAX), 8n); // ...and loaded the current value
  assert.equal(mem.readU8(DATA + 5n), 1); // bts bit 40
  assert.equal(cpu.getReg(R10), 1n);
  assert.equal(cpu.getReg(R12), 4n);
  assert.equal(cpu.getReg(R13), 7n);
  assert.equal(cpu.getReg(R14), 4n);
});

Deno.test("X86Cpu.run() moves with zero/sign extension, cmov, shld, rotates", () => {
  const { cpu } = machine(P.MOVZX_CMOV);
  assert.equal(cpu.run(100), STOP_HALT);
  assert.equal(cpu.getReg(RBX), 0xf00fn);
  assert.equal(cpu.getReg(RCX), 0xffffffffn);
  assert.equal(cpu.getReg(RDX), u64(-1n));
  assert.equal(cpu.getReg(RSI), 9n);
  assert.equal(cpu.getReg(R8), 0x1ffn);
  assert.equal(cpu.getReg(RAX), 0n);
  assert.equal(cpu.getReg(RDI), 0x90n);
});

Deno.test("X86Cpu.run() stops with #PF on a write to text: error code, CR2, no side effects", () => {
  const { cpu, mem } = machine(P.STORE_TEXT);
  const before = mem.readU64(CODE);
  assert.equal(cpu.run(100), STOP_TRAP);
  assert.equal(cpu.trapVector, 14);
  assert.equal(cpu.trapErrorCode, 3); // PF_PROT | PF_WRITE
  assert.equal(cpu.cr2, CODE);
  assert.equal(cpu.getRip(), CODE + 15n); // at the faulting mov
  assert.equal(cpu.tsc, 2);
  assert.equal(mem.readU64(CODE), before);
  assert.equal(cpu.getReg(RAX), 7n);
});

Deno.test("X86Cpu.run() stops with #PF on unmapped reads and pushes, RSP unchanged", () => {
  let m = machine(P.LOAD_NULL);
  assert.equal(m.cpu.run(100), STOP_TRAP);
  assert.equal(m.cpu.trapVector, 14);
  assert.equal(m.cpu.trapErrorCode, 0);
  assert.equal(m.cpu.cr2, 8n);
  assert.equal(m.cpu.getReg(RAX), 9n);
  assert.equal(m.cpu.getRip(), CODE + 5n);
  m = machine(P.PUSH_UNMAPPED);
  assert.equal(m.cpu.run(100), STOP_TRAP);
  assert.equal(m.cpu.trapVector, 14);
  assert.equal(m.cpu.trapErrorCode, 2); // write, not present
  assert.equal(m.cpu.cr2, 0xfff8n);
  assert.equal(m.cpu.getReg(RSP), 0x10000n);
});

Deno.test("X86Cpu.run() stops with #GP on a non-canonical address", () => {
  const { cpu } = machine(P.NONCANON);
  assert.equal(cpu.run(100), STOP_TRAP);
  assert.equal(cpu.trapVector, 13);
  assert.equal(cpu.trapErrorCode, 0);
  assert.equal(cpu.getRip(), CODE + 10n);
});

Deno.test("X86Cpu.run() stops with #UD on ud2 and undefined encodings, RIP on the instruction", () => {
  let m = machine(P.UD2);
  assert.equal(m.cpu.run(100), STOP_TRAP);
  assert.equal(m.cpu.trapVector, 6);
  assert.equal(m.cpu.getRip(), CODE + 1n);
  for (const bad of [[0x06], [0xf0, 0x89, 0x00], [0x0f, 0x0f, 0xc0, 0x00], [0x8d, 0xc0]]) {
    m = machine(new Uint8Array(bad));
    assert.equal(m.cpu.run(10), STOP_TRAP, bad.join(","));
    assert.equal(m.cpu.trapVector, 6);
    assert.equal(m.cpu.getRip(), CODE);
    assert.equal(m.cpu.tsc, 0);
  }
});

Deno.test("X86Cpu.run() stops with #DE on divide by zero and quotient overflow", () => {
  for (const [prog, at] of [[P.DIV0, 7n], [P.IDIV_OVF, 19n]] as const) {
    const { cpu } = machine(prog);
    assert.equal(cpu.run(100), STOP_TRAP);
    assert.equal(cpu.trapVector, 0);
    assert.equal(cpu.getRip(), CODE + at);
  }
});

Deno.test("X86Cpu.run() traps #DB after exactly one instruction when TF is set", () => {
  const { cpu } = machine(P.STEP);
  cpu.dr6 = 0xffff0ff0;
  cpu.setFlags(cpu.getFlags() | FLAG_TF);
  assert.equal(cpu.run(100), STOP_TRAP);
  assert.equal(cpu.trapVector, 1);
  assert.equal(cpu.getRip(), CODE + 5n);
  assert.equal(cpu.tsc, 1);
  assert.equal(cpu.getReg(RAX), 1n);
  assert.equal(cpu.getReg(RBX), 0n);
  assert.equal(cpu.dr6 & 0x4000, 0x4000);
  assert.equal(cpu.run(100), STOP_TRAP); // still tracing
  assert.equal(cpu.getRip(), CODE + 10n);
  cpu.setFlags(cpu.getFlags() & ~FLAG_TF);
  assert.equal(cpu.run(100), STOP_HALT);
  assert.equal(cpu.getReg(RCX), 3n);
});

Deno.test("X86Cpu.run() traps after the instruction following a popf that sets TF", () => {
  const { cpu } = machine(P.POPF_TF);
  assert.equal(cpu.run(100), STOP_TRAP);
  assert.equal(cpu.trapVector, 1);
  assert.equal(cpu.getReg(RAX), 1n);
  assert.equal(cpu.getReg(RBX), 0n);
  assert.equal(cpu.getRip(), CODE + 1n + 8n + 1n + 5n); // pushfq, or, popfq, mov
});

Deno.test("X86Cpu.run() single-steps rep stos one iteration at a time", () => {
  const { cpu } = machine(P.REP_STEP);
  assert.equal(cpu.run(3), STOP_BUDGET);
  const at = cpu.getRip();
  cpu.setFlags(cpu.getFlags() | FLAG_TF);
  for (const left of [2n, 1n]) {
    assert.equal(cpu.run(100), STOP_TRAP);
    assert.equal(cpu.trapVector, 1);
    assert.equal(cpu.getRip(), at);
    assert.equal(cpu.getReg(RCX), left);
  }
  assert.equal(cpu.run(100), STOP_TRAP);
  assert.equal(cpu.getRip(), at + 2n);
  assert.equal(cpu.getReg(RCX), 0n);
  assert.equal(cpu.getReg(RDI), DATA + 3n);
});

Deno.test("X86Cpu.run() stops with #BP after int3 and int 3, RIP after the instruction", () => {
  const { cpu } = machine(P.INT3);
  assert.equal(cpu.run(100), STOP_TRAP);
  assert.equal(cpu.trapVector, 3);
  assert.equal(cpu.getRip(), CODE + 6n);
  assert.equal(cpu.getReg(RAX), 1n);
  assert.equal(cpu.run(100), STOP_TRAP);
  assert.equal(cpu.trapVector, 3);
  assert.equal(cpu.getRip(), CODE + 13n);
  assert.equal(cpu.getReg(RAX), 2n);
});

Deno.test("X86Cpu.run() offers an int3 to the stop hook in place: RIP after it, the trap returned when declined or at the budget's end", () => {
  const seen: [number, bigint, number][] = [];
  let take = true;
  const hooked = (budget: number) => {
    const { cpu } = machine(P.INT3);
    cpu.stopHook = (reason) => {
      if (reason !== STOP_TRAP) return false;
      seen.push([cpu.trapVector, cpu.getRip(), cpu.tsc]);
      return take;
    };
    return { cpu, r: cpu.run(budget) };
  };
  // Taken: the run goes on (`int 3` reaches the hook after a slow step).
  let { cpu, r } = hooked(100);
  assert.deepEqual(seen, [[3, CODE + 6n, 2], [3, CODE + 13n, 4]]);
  assert.equal(r, STOP_HALT);
  assert.equal(cpu.getReg(RAX), 2n);
  seen.length = 0;
  take = false;
  ({ cpu, r } = hooked(100));
  assert.equal(r, STOP_TRAP);
  assert.deepEqual(seen, [[3, CODE + 6n, 2]]);
  assert.equal(cpu.getRip(), CODE + 6n);
  // The budget ends on the int3: the trap is returned, the hook not asked.
  seen.length = 0;
  take = true;
  ({ cpu, r } = hooked(2));
  assert.equal(r, STOP_TRAP);
  assert.equal(cpu.trapVector, 3);
  assert.equal(cpu.getRip(), CODE + 6n);
  assert.deepEqual(seen, []);
  // A hit the hook takes costs one more instruction of budget, not of clock.
  ({ cpu, r } = hooked(3));
  assert.equal(r, STOP_BUDGET);
  assert.equal(cpu.getRip(), CODE + 6n);
  assert.equal(cpu.tsc, 2);
});

Deno.test("X86Cpu.run() stops at vmcall and hlt with RIP after them", () => {
  const { cpu } = machine(P.HLT_VMCALL);
  assert.equal(cpu.run(100), STOP_HYPERCALL);
  assert.equal(cpu.hypercallNr, 2);
  assert.equal(cpu.getRip(), CODE + 8n);
  assert.equal(cpu.run(100), STOP_HALT);
  assert.equal(cpu.getRip(), CODE + 14n);
  assert.equal(cpu.getReg(RAX), 3n);
});

Deno.test("X86Cpu.run() returns STOP_BUDGET after exactly the budget", () => {
  const { cpu } = machine(P.LOOP_SUM);
  assert.equal(cpu.run(5), STOP_BUDGET);
  assert.equal(cpu.tsc, 5);
  assert.equal(cpu.run(1000), STOP_HALT);
  assert.equal(cpu.tsc, 2 + 30 + 1);
});

Deno.test("X86Cpu.run() rdtsc returns the retired-instruction count", () => {
  const { cpu } = machine(P.RDTSC);
  cpu.tsc = 0x100000005;
  assert.equal(cpu.run(100), STOP_HALT);
  assert.equal(cpu.getReg(RAX), 7n);
  assert.equal(cpu.getReg(RDX), 1n);
});

Deno.test("X86Cpu.run() wrmsr/rdmsr FS_BASE, fs: override and cpuid", () => {
  const { cpu, mem } = machine(P.MSR_FS);
  mem.writeU64(DATA + 0x10n, 0x1122334455667788n);
  assert.equal(cpu.run(100), STOP_HALT);
  assert.equal(cpu.readMsr(0xc0000100), DATA);
  assert.equal(cpu.getReg(R8), DATA);
  assert.equal(cpu.getReg(RAX), 7n);
  const vendor = new Uint8Array(12);
  const dv = new DataView(vendor.buffer);
  dv.setUint32(0, Number(cpu.getReg(RBX)), true);
  dv.setUint32(4, Number(cpu.getReg(RDX)), true);
  dv.setUint32(8, Number(cpu.getReg(RCX)), true);
  assert.equal(new TextDecoder().decode(vendor), "KprobesSimVM");
});

Deno.test("X86Cpu.run() wrmsr then fs: load reads through the FS base", () => {
  const { cpu, mem } = machine(P.MSR_FS);
  mem.writeU64(DATA + 0x10n, 0x1122334455667788n);
  assert.equal(cpu.run(6), STOP_BUDGET); // through the fs: load
  assert.equal(cpu.getReg(RAX), 0x1122334455667788n);
});

Deno.test("X86Cpu.raiseInterrupt() delivers through the IDT after the sti shadow, iretq resumes", () => {
  const { cpu, mem } = machine(P.SYSTEM_SETUP, [[0x1000, P.IRQ_HANDLER]]);
  writeSystemTables(mem, { 0x20: [CODE + 0x1000n, 0] });
  cpu.raiseInterrupt(0x20);
  assert.equal(cpu.run(1000), STOP_HALT);
  assert.equal(mem.readU64(COUNTER), 1n);
  assert.equal(Number(mem.readU64(COUNTER + 8n)) & FLAG_IF, 0); // interrupt gate cleared IF
  assert.equal(mem.readU64(COUNTER + 16n), CODE + 35n); // after the nop that follows sti
  assert.equal(mem.readU64(COUNTER + 24n), 0x10n); // pushed CS
  assert.equal(cpu.getFlags() & FLAG_IF, FLAG_IF); // restored by iretq
  assert.equal(cpu.getReg(RSP), STACK_TOP);
  assert.equal(cpu.getRip(), CODE + 38n);
});

Deno.test("X86Cpu.run() stops with STOP_USER at iretq to CPL 3; deliverInterrupt() enters via TSS.rsp0", () => {
  const { cpu, mem } = machine(P.SYSTEM_SETUP, [[0x1000, P.IRQ_HANDLER], [0x2000, P.TO_USER]]);
  writeSystemTables(mem, { 0x80: [CODE + 0x1000n, 3] });
  assert.equal(cpu.run(6), STOP_BUDGET); // lgdt, lidt, ltr
  cpu.setRip(CODE + 0x2000n);
  assert.equal(cpu.run(100), STOP_USER);
  assert.equal(cpu.getRip(), USER);
  assert.equal(cpu.getReg(RSP), USER + 0x1000n);
  assert.equal(cpu.cpl, 3);
  assert.equal(cpu.sreg[1], 0x33);
  assert.equal(cpu.sreg[2], 0x2b);
  assert.equal(cpu.getFlags() & FLAG_IF, FLAG_IF);
  // The host plays user space: int $0x80 from CPL 3.
  assert.equal(cpu.deliverInterrupt(0x80), -1);
  assert.equal(cpu.cpl, 0);
  assert.equal(cpu.getRip(), CODE + 0x1000n);
  assert.equal(cpu.getReg(RSP), RSP0 - 40n);
  assert.equal(mem.readU64(RSP0 - 40n), USER); // RIP
  assert.equal(mem.readU64(RSP0 - 32n), 0x33n); // CS
  assert.equal(mem.readU64(RSP0 - 16n), USER + 0x1000n); // RSP
  assert.equal(mem.readU64(RSP0 - 8n), 0x2bn); // SS
  assert.equal(cpu.getFlags() & FLAG_IF, 0);
  assert.equal(cpu.run(100), STOP_USER);
  assert.equal(mem.readU64(COUNTER), 1n);
  assert.equal(cpu.getRip(), USER);
});

Deno.test("X86Cpu.deliverInterrupt() refuses a DPL 0 gate from CPL 3 with #GP", () => {
  const { cpu, mem } = machine(P.SYSTEM_SETUP, [[0x1000, P.IRQ_HANDLER], [0x2000, P.TO_USER]]);
  writeSystemTables(mem, { 0x80: [CODE + 0x1000n, 0] });
  cpu.run(6);
  cpu.setRip(CODE + 0x2000n);
  assert.equal(cpu.run(100), STOP_USER);
  assert.equal(cpu.deliverInterrupt(0x80), STOP_TRAP);
  assert.equal(cpu.trapVector, 13);
  assert.equal(cpu.trapErrorCode, 0x80 * 8 + 2);
  assert.equal(cpu.cpl, 3);
});

Deno.test("X86Cpu decode cache sees text written with Memory.pokeText()", () => {
  const { cpu, mem } = machine(P.LOOP_SUM);
  assert.equal(cpu.run(1000), STOP_HALT);
  // Replace `mov ecx, 10` by `mov ecx, 3` and rerun.
  mem.pokeText(0xffffffff, 0x81000003, new Uint8Array([3]));
  cpu.setRip(CODE);
  assert.equal(cpu.run(1000), STOP_HALT);
  assert.equal(cpu.getReg(RAX), 6n);
  // A breakpoint: int3 over the first byte.
  mem.pokeText(0xffffffff, 0x81000000, new Uint8Array([0xcc]));
  cpu.setRip(CODE);
  assert.equal(cpu.run(1000), STOP_TRAP);
  assert.equal(cpu.trapVector, 3);
  assert.equal(cpu.getRip(), CODE + 1n);
});

Deno.test("X86Cpu.run() faults fetching an instruction that straddles into an unmapped page", () => {
  const { cpu, mem } = machine(new Uint8Array([0xf4]));
  const page = CODE + 0xf000n;
  mem.protect(CODE + 0xf000n, 0x1000, PROT_READ | PROT_EXEC);
  mem.pokeText(0xffffffff, 0x8100fffd, P.CROSS_PAGE.subarray(0, 3));
  // The page after CODE's region is unmapped: fetch fault with its address.
  cpu.setRip(page + 0xffdn);
  assert.equal(cpu.run(10), STOP_TRAP);
  assert.equal(cpu.trapVector, 14);
  assert.equal(cpu.trapErrorCode, 0x10); // instruction fetch, not present
  assert.equal(cpu.cr2, page + 0x1000n);
  assert.equal(cpu.getRip(), page + 0xffdn);
});

Deno.test("X86Cpu.run() inc/dec keep CF; neg sets CF for a non-zero operand", () => {
  const { cpu } = machine(P.INCDEC);
  assert.equal(cpu.run(100), STOP_HALT);
  assert.equal(cpu.getReg(RAX), 0x80000000n);
  assert.equal(cpu.getReg(RBX), 1n); // OF from inc
  assert.equal(cpu.getReg(RCX), 1n); // CF from stc survived inc
  assert.equal(cpu.getReg(RSI), 1n); // SF from dec to -1
  assert.equal(cpu.getReg(RDX), 1n); // neg -1
  assert.equal(cpu.getReg(RDI), 1n); // CF from neg
});

Deno.test("X86Cpu in 32-bit mode runs inc/dec (40+r/48+r), 32-bit push/call/ret", () => {
  const mem = new Memory({ littleEndian: true });
  mem.map(0xc0000000n, 0x10000, PROT_READ | PROT_EXEC);
  mem.map(0xc0100000n, 0x10000, PROT_READ | PROT_WRITE);
  mem.writeBytes(0xc0000000n, P.MODE32);
  const cpu = new X86Cpu(mem, { mode: 32 });
  cpu.setRip(0xc0000000n);
  cpu.setReg(RSP, 0xc0110000n);
  cpu.setCs(0x60);
  assert.equal(cpu.run(100), STOP_HALT);
  assert.equal(cpu.getReg(RAX), 5n);
  assert.equal(cpu.getReg(RBX), 5n);
  assert.equal(cpu.getReg(RDX), 5n); // the pushed value below ESP
  assert.equal(cpu.getReg(RSI), 5n);
  assert.equal(cpu.getReg(RDI), 11n);
  assert.equal(cpu.getReg(RSP), 0xc0110000n);
  assert.equal(cpu.getRip(), 0xc0000017n);
});
