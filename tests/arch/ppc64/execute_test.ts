// Copyright 2026 the kprobes-sim authors. MIT license.
// The ppc64 interpreter end to end: big-endian loads and stores, branches
// with CTR and LR, reservations, program/storage/alignment/trace interrupts
// stopping for the host, guest-vectored system calls and interrupts, rfid to
// user mode, single-step, and text writes. Instruction words were assembled
// with powerpc64-linux-gnu-as 2.40 (the comments are its disassembly).

import assert from "node:assert/strict";
import {
  DSISR_NOPAGE,
  DSISR_PROT,
  DSISR_STORE,
  MSR_EE,
  MSR_PR,
  MSR_SE,
  Ppc64Cpu,
  PVR_POWER5P,
  SPR_SPRG0,
  SPR_SRR0,
  SPR_SRR1,
  SRR1_ILLEGAL,
  SRR1_ISI_NOPAGE,
  SRR1_PRIVILEGED,
  SRR1_TRAP,
  TRAP_INSTRUCTION,
  VEC_ALIGNMENT,
  VEC_DATA_STORAGE,
  VEC_INSTR_STORAGE,
  VEC_PROGRAM,
  VEC_TRACE,
} from "../../../arch/ppc64/mod.ts";
import {
  PF_PROT,
  PF_WRITE,
  STOP_BUDGET,
  STOP_HALT,
  STOP_HYPERCALL,
  STOP_TRAP,
  STOP_USER,
} from "../../../arch/types.ts";
import { DATA, exec, KERNEL, load, machine, RODATA, TEXT, UNMAPPED, USER } from "./_machine.ts";

const SC1 = 0x44000022; // sc 1: stop with STOP_HYPERCALL
const NOP = 0x60000000;
const KERNEL_MSR = 0x8000000000001000n; // SF | ME

Deno.test("Ppc64Cpu resets to 64-bit kernel mode with interrupts and tracing off", () => {
  const { cpu } = machine();
  assert.equal(cpu.getMsr(), KERNEL_MSR);
  assert.equal(cpu.isUserMode(), false);
  assert.equal(cpu.vectorBase, KERNEL);
  assert.throws(() => new Ppc64Cpu({ littleEndian: true } as never), TypeError);
});

Deno.test("Ppc64Cpu loads and stores are big-endian at every width", () => {
  const m = machine();
  const { cpu, mem } = m;
  cpu.setReg(3, DATA);
  cpu.setReg(4, 0x0102030405060708n);
  exec(m, [
    0x90830000, // stw r4,0(r3)
    0xf8830008, // std r4,8(r3)
    0x88a30000, // lbz r5,0(r3)
    0x88c30003, // lbz r6,3(r3)
    0xa0e30002, // lhz r7,2(r3)
    0x81430000, // lwz r10,0(r3)
    0xe9630008, // ld r11,8(r3)
  ]);
  assert.deepEqual([...mem.readBytes(DATA, 4)], [5, 6, 7, 8]);
  assert.deepEqual([...mem.readBytes(DATA + 8n, 8)], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual([5, 6, 7, 10, 11].map((r) => cpu.getReg(r)), [
    5n,
    8n,
    0x0708n,
    0x05060708n,
    0x0102030405060708n,
  ]);
  // Sign extension of lha and lwa; stb and sth store the low bytes.
  mem.writeU32(DATA, 0x8001fffe);
  exec(m, [
    0xa9030000, // lha r8,0(r3)
    0xe9230002, // lwa r9,0(r3)
    0x98830010, // stb r4,16(r3)
    0xb0830012, // sth r4,18(r3)
  ]);
  assert.equal(cpu.getReg(8), 0xffffffffffff8001n);
  assert.equal(cpu.getReg(9), 0xffffffff8001fffen);
  assert.deepEqual([...mem.readBytes(DATA + 16n, 4)], [8, 0, 7, 8]);
});

Deno.test("Ppc64Cpu update and indexed forms write the effective address to RA", () => {
  const m = machine();
  const { cpu, mem } = m;
  mem.writeU64(DATA + 0x40n, 0x1122334455667788n);
  cpu.setReg(3, DATA);
  cpu.setReg(6, 0x40n);
  exec(m, [0x7ca3306a]); // ldux r5,r3,r6
  assert.equal(cpu.getReg(5), 0x1122334455667788n);
  assert.equal(cpu.getReg(3), DATA + 0x40n);
  cpu.setReg(4, 0xabcdn);
  exec(m, [0xf8830011]); // stdu r4,16(r3)
  assert.equal(cpu.getReg(3), DATA + 0x50n);
  assert.equal(mem.readU64(DATA + 0x50n), 0xabcdn);
  cpu.setReg(1, DATA + 0x100n);
  exec(m, [0xf821ff91]); // stdu r1,-112(r1): the stack push
  assert.equal(cpu.getReg(1), DATA + 0x100n - 112n);
  assert.equal(mem.readU64(DATA + 0x100n - 112n), DATA + 0x100n);
  cpu.setReg(3, DATA);
  exec(m, [0x7ca3322e]); // lhzx r5,r3,r6
  assert.equal(cpu.getReg(5), 0x1122n);
  exec(m, [0x7ca332ea]); // lwaux r5,r3,r6
  assert.equal(cpu.getReg(5), 0x11223344n);
  assert.equal(cpu.getReg(3), DATA + 0x40n);
});

Deno.test("Ppc64Cpu byte-reversed, multiple-word and page-straddling accesses", () => {
  const m = machine();
  const { cpu, mem } = m;
  mem.writeU64(DATA, 0x0102030405060708n);
  cpu.setReg(3, DATA);
  exec(m, [
    0x7dc01c2c, // lwbrx r14,0,r3
    0x7de01e2c, // lhbrx r15,0,r3
    0x7e001c28, // ldbrx r16,0,r3
  ]);
  assert.equal(cpu.getReg(14), 0x04030201n);
  assert.equal(cpu.getReg(15), 0x0201n);
  assert.equal(cpu.getReg(16), 0x0807060504030201n);
  cpu.setReg(4, 0x1122334455667788n);
  exec(m, [0x7c801d28]); // stdbrx r4,0,r3
  assert.equal(mem.readU64(DATA), 0x8877665544332211n);
  // lmw/stmw move low words of r29..r31.
  mem.writeU32(DATA, 0x11111111);
  mem.writeU32(DATA + 4n, 0x22222222);
  mem.writeU32(DATA + 8n, 0x33333333);
  cpu.setReg(31, -1n);
  exec(m, [0xbba30000, 0xbfa30040]); // lmw r29,0(r3); stmw r29,64(r3)
  assert.deepEqual([29, 30, 31].map((r) => cpu.getReg(r)), [0x11111111n, 0x22222222n, 0x33333333n]);
  assert.deepEqual(mem.readBytes(DATA + 64n, 12), mem.readBytes(DATA, 12));
  // A doubleword across a page boundary (alignment is not required).
  cpu.setReg(3, DATA + 0xffcn);
  cpu.setReg(4, 0xa1a2a3a4b1b2b3b4n);
  exec(m, [0xf8830000, 0xe9630000]); // std r4,0(r3); ld r11,0(r3)
  assert.equal(cpu.getReg(11), 0xa1a2a3a4b1b2b3b4n);
  assert.equal(mem.readU32(DATA + 0x1000n), 0xb1b2b3b4);
});

Deno.test("Ppc64Cpu dcbz zeroes the 128-byte block holding the address", () => {
  const m = machine();
  const { cpu, mem } = m;
  mem.writeBytes(DATA, new Uint8Array(0x200).fill(0xee));
  cpu.setReg(3, DATA + 0x80n);
  cpu.setReg(6, 0x13n);
  exec(m, [0x7c0337ec]); // dcbz r3,r6
  assert.equal(mem.readU8(DATA + 0x7fn), 0xee);
  assert.ok(mem.readBytes(DATA + 0x80n, 128).every((b) => b === 0));
  assert.equal(mem.readU8(DATA + 0x100n), 0xee);
});

Deno.test("Ppc64Cpu bdnz loops, conditional branches and bl/blr", () => {
  const m = machine();
  const { cpu } = m;
  const r = exec(m, [
    0x38600000, // li r3,0
    0x3880000a, // li r4,10
    0x7c8903a6, // mtctr r4
    0x38630002, // 1: addi r3,r3,2
    0x4200fffc, // bdnz 1b
    0x2c030014, // cmpwi r3,20
    0x4182000c, // beq 2f
    0x38a00001, // li r5,1
    0x48000008, // b 3f
    0x38a00002, // 2: li r5,2
    0x4800000d, // 3: bl 4f
    0x38c00007, // li r6,7
    SC1,
    0x7ce802a6, // 4: mflr r7
    0x4e800020, // blr
  ], 1000);
  assert.equal(r, STOP_HYPERCALL);
  assert.deepEqual([3, 5, 6, 7].map((i) => cpu.getReg(i)), [20n, 2n, 7n, TEXT + 0x2cn]);
  assert.equal(cpu.getCtr(), 0n);
  assert.equal(cpu.getLr(), TEXT + 0x2cn);
  assert.equal(cpu.getPc(), TEXT + 0x34n);
  assert.equal(cpu.tsc, 3 + 2 * 10 + 2 + 1 + 1 + 2 + 1 + 1); // sc 1 retires too
});

Deno.test("Ppc64Cpu bctrl calls through CTR and bdnzf combines CTR and a CR bit", () => {
  const m = machine();
  const { cpu } = m;
  cpu.setReg(9, TEXT + 0x10n);
  const r = exec(m, [
    0x7d2903a6, // mtctr r9
    0x4e800421, // bctrl
    SC1,
    NOP,
    0x7d4802a6, // mflr r10
    0x4e800020, // blr
  ], 100);
  assert.equal(r, STOP_HYPERCALL);
  assert.equal(cpu.getReg(10), TEXT + 8n);
  assert.equal(cpu.getPc(), TEXT + 0xcn);
  exec(m, [
    0x38800005, // li r4,5
    0x7c8903a6, // mtctr r4
    0x38600000, // li r3,0
    0x38630001, // 1: addi r3,r3,1
    0x2c030003, // cmpwi r3,3
    0x4002fff8, // bdnzf eq,1b
    SC1,
  ], 100);
  assert.equal(cpu.getReg(3), 3n);
  assert.equal(cpu.getCtr(), 2n);
});

const LWARX_INC_STWCX = [
  0x7ca01828, // lwarx r5,0,r3
  0x38a50001, // addi r5,r5,1
  0x7ca0192d, // stwcx. r5,0,r3
  0x7cc00026, // mfcr r6
];

Deno.test("Ppc64Cpu lwarx/stwcx. succeed on an undisturbed reservation", () => {
  const m = machine();
  const { cpu, mem } = m;
  mem.writeU32(DATA, 41);
  cpu.setReg(3, DATA);
  cpu.xer = 0;
  exec(m, LWARX_INC_STWCX);
  assert.equal(mem.readU32(DATA), 42);
  assert.equal(Number(cpu.getReg(6)) >>> 28, 2); // CR0 = EQ: stored
  // The reservation is gone: a second stwcx. fails and stores nothing.
  cpu.setReg(5, 99n);
  exec(m, [0x7ca0192d, 0x7cc00026]);
  assert.equal(mem.readU32(DATA), 42);
  assert.equal(Number(cpu.getReg(6)) >>> 28, 0);
  // ldarx/stdcx. on a doubleword.
  mem.writeU64(DATA + 8n, 0x100000000n);
  cpu.setReg(3, DATA + 8n);
  exec(m, [0x7ca018a8, 0x38a50001, 0x7ca019ad]); // ldarx; addi; stdcx.
  assert.equal(mem.readU64(DATA + 8n), 0x100000001n);
  assert.equal(cpu.cr >>> 28, 2);
});

Deno.test("Ppc64Cpu stwcx. fails after another CPU stores to the reserved word", () => {
  const a = machine(0);
  const b = { mem: a.mem, cpu: new Ppc64Cpu(a.mem, { id: 1 }) };
  a.mem.writeU32(DATA, 7);
  a.cpu.setReg(3, DATA);
  load(a.mem, TEXT, LWARX_INC_STWCX);
  a.cpu.setPc(TEXT);
  assert.equal(a.cpu.run(2), STOP_BUDGET); // lwarx, addi: reservation held
  b.cpu.setReg(3, DATA);
  b.cpu.setReg(4, 100n);
  load(b.mem, TEXT + 0x100n, [0x90830000]); // stw r4,0(r3)
  b.cpu.setPc(TEXT + 0x100n);
  b.cpu.run(1);
  assert.equal(a.cpu.run(2), STOP_BUDGET); // stwcx.; mfcr
  assert.equal(a.mem.readU32(DATA), 100);
  assert.equal(Number(a.cpu.getReg(6)) >>> 28, 0); // CR0.EQ clear: failed
});

Deno.test("Ppc64Cpu lwarx at a misaligned address raises the alignment interrupt", () => {
  const m = machine();
  const { cpu } = m;
  cpu.setReg(3, DATA + 2n);
  assert.equal(exec(m, [NOP, 0x7ca01828], 10), STOP_TRAP); // nop; lwarx r5,0,r3
  assert.equal(cpu.trapVector, VEC_ALIGNMENT);
  assert.equal(cpu.getSpr(19), DATA + 2n); // DAR
  assert.equal(cpu.getPc(), TEXT + 4n);
  assert.equal(cpu.getSpr(SPR_SRR0), TEXT + 4n);
});

Deno.test("Ppc64Cpu trap stops with program interrupt 0x700 at the trap", () => {
  const m = machine();
  const { cpu } = m;
  assert.equal(exec(m, [NOP, TRAP_INSTRUCTION, NOP], 10), STOP_TRAP);
  assert.equal(cpu.trapVector, VEC_PROGRAM);
  assert.equal(cpu.trapErrorCode, SRR1_TRAP);
  assert.equal(cpu.getPc(), TEXT + 4n);
  assert.equal(cpu.getTrapNip(), TEXT + 4n);
  assert.equal(cpu.getSpr(SPR_SRR0), TEXT + 4n);
  assert.equal(cpu.getSpr(SPR_SRR1), KERNEL_MSR | BigInt(SRR1_TRAP));
  assert.equal(cpu.getMsr(), KERNEL_MSR); // the host handles it: MSR untouched
  assert.equal(cpu.tsc, 1);
  // Running on re-executes the trap, as hardware would after the handler returned.
  assert.equal(cpu.run(10), STOP_TRAP);
  assert.equal(cpu.tsc, 1);
});

Deno.test("Ppc64Cpu conditional traps compare as TO says", () => {
  const m = machine();
  const { cpu } = m;
  const cases: [number, bigint, bigint, boolean][] = [
    [0x0c830005, 5n, 0n, true], // tweqi r3,5
    [0x0c830005, 6n, 0n, false],
    [0x7e032088, -1n, 0n, true], // tdlt r3,r4 (signed)
    [0x7e032088, 1n, 0n, false],
    [0x7d032008, 0x100000000n, 0n, false], // twgt r3,r4: low words equal
    [0x7d032008, 1n, 0n, true],
    [0x08830000, 0n, 0n, true], // tdeqi r3,0
  ];
  for (const [word, a, b, traps] of cases) {
    cpu.setReg(3, a);
    cpu.setReg(4, b);
    assert.equal(exec(m, [word]), traps ? STOP_TRAP : STOP_BUDGET, word.toString(16));
  }
});

Deno.test("Ppc64Cpu illegal and privileged instructions raise program interrupts", () => {
  const m = machine();
  const { cpu } = m;
  assert.equal(exec(m, [0x00000000]), STOP_TRAP);
  assert.deepEqual([cpu.trapVector, cpu.trapErrorCode], [VEC_PROGRAM, SRR1_ILLEGAL]);
  assert.equal(exec(m, [0xc8010000]), STOP_TRAP); // lfd: no floating point
  assert.equal(cpu.trapErrorCode, SRR1_ILLEGAL);
  // mfmsr in problem state.
  load(m.mem, USER, [0x7c6000a6]);
  cpu.setMsr(KERNEL_MSR | BigInt(MSR_PR));
  cpu.setPc(USER);
  assert.equal(cpu.run(1), STOP_TRAP);
  assert.deepEqual([cpu.trapVector, cpu.trapErrorCode], [VEC_PROGRAM, SRR1_PRIVILEGED]);
  assert.equal(cpu.getPc(), USER);
});

Deno.test("Ppc64Cpu with MSR.SE stops with a trace interrupt after exactly one instruction", () => {
  const m = machine();
  const { cpu } = m;
  cpu.setMsr(KERNEL_MSR | BigInt(MSR_SE));
  assert.equal(exec(m, [0x38600001, 0x38600002, 0x48000100], 100), STOP_TRAP); // li r3,1; li r3,2; b
  assert.equal(cpu.trapVector, VEC_TRACE);
  assert.equal(cpu.trapErrorCode, 0);
  assert.equal(cpu.getReg(3), 1n);
  assert.equal(cpu.getPc(), TEXT + 4n);
  assert.equal(cpu.getSpr(SPR_SRR0), TEXT + 4n);
  assert.equal(cpu.tsc, 1);
  assert.equal(cpu.run(100), STOP_TRAP);
  assert.equal(cpu.getReg(3), 2n);
  assert.equal(cpu.tsc, 2);
  // A taken branch: SRR0 is the target.
  assert.equal(cpu.run(100), STOP_TRAP);
  assert.equal(cpu.getPc(), TEXT + 8n + 0x100n);
  // A trap under single-step reports the trap, not the trace.
  cpu.setMsr(KERNEL_MSR | BigInt(MSR_SE));
  assert.equal(exec(m, [TRAP_INSTRUCTION], 100), STOP_TRAP);
  assert.equal(cpu.trapVector, VEC_PROGRAM);
  assert.equal(cpu.getPc(), TEXT);
  // Clearing SE runs freely again.
  cpu.setMsr(KERNEL_MSR);
  assert.equal(exec(m, [NOP, NOP, SC1], 100), STOP_HYPERCALL);
});

Deno.test("Ppc64Cpu data storage interrupts report DAR and DSISR and change nothing", () => {
  const m = machine();
  const { cpu } = m;
  cpu.setReg(3, UNMAPPED);
  cpu.setReg(5, 0x55n);
  assert.equal(exec(m, [NOP, 0x84a30008], 10), STOP_TRAP); // nop; lwzu r5,8(r3)
  assert.equal(cpu.trapVector, VEC_DATA_STORAGE);
  assert.equal(cpu.trapErrorCode, DSISR_NOPAGE);
  assert.equal(cpu.getSpr(18), BigInt(DSISR_NOPAGE)); // DSISR
  assert.equal(cpu.getSpr(19), UNMAPPED + 8n); // DAR
  assert.equal(cpu.getPc(), TEXT + 4n);
  assert.equal(cpu.getReg(3), UNMAPPED); // no update
  assert.equal(cpu.getReg(5), 0x55n);
  cpu.setReg(3, RODATA);
  assert.equal(exec(m, [0x90830000]), STOP_TRAP); // stw r4,0(r3)
  assert.equal(cpu.trapErrorCode, DSISR_PROT | DSISR_STORE);
  assert.equal(cpu.trapAccess & (PF_PROT | PF_WRITE), PF_PROT | PF_WRITE);
  assert.equal(cpu.getSpr(19), RODATA);
  // Kernel data is not accessible in problem state.
  cpu.setMsr(KERNEL_MSR | BigInt(MSR_PR));
  load(m.mem, USER, [0x80830000]); // lwz r4,0(r3)
  cpu.setReg(3, DATA);
  cpu.setPc(USER);
  assert.equal(cpu.run(1), STOP_TRAP);
  assert.equal(cpu.trapVector, VEC_DATA_STORAGE);
});

Deno.test("Ppc64Cpu fetching from an unmapped address raises an instruction storage interrupt", () => {
  const m = machine();
  const { cpu } = m;
  cpu.setReg(9, UNMAPPED);
  assert.equal(exec(m, [0x7d2903a6, 0x4e800420], 10), STOP_TRAP); // mtctr r9; bctr
  assert.equal(cpu.trapVector, VEC_INSTR_STORAGE);
  assert.equal(cpu.trapErrorCode, SRR1_ISI_NOPAGE);
  assert.equal(cpu.getPc(), UNMAPPED);
  assert.equal(cpu.getSpr(SPR_SRR0), UNMAPPED);
});

// The guest's system-call vector: reads SRR0/SRR1, sets r3 = 99, returns with rfid.
const SYSCALL_VECTOR = [
  0x7d3a02a6, // mfsrr0 r9
  0x7d5b02a6, // mfsrr1 r10
  0x38600063, // li r3,99
  0x4c000024, // rfid
];

Deno.test("Ppc64Cpu deliverSyscall() enters the 0xc00 vector and rfid to MSR.PR = 1 stops with STOP_USER", () => {
  const m = machine();
  const { cpu } = m;
  load(m.mem, KERNEL + 0xc00n, SYSCALL_VECTOR);
  const userMsr = KERNEL_MSR | BigInt(MSR_PR | MSR_EE);
  cpu.setMsr(userMsr);
  cpu.setPc(USER + 0x104n);
  cpu.setReg(0, 39n);
  cpu.deliverSyscall();
  assert.equal(cpu.getPc(), KERNEL + 0xc00n);
  assert.equal(cpu.getMsr(), KERNEL_MSR); // PR, EE off; SF, ME kept
  assert.equal(cpu.run(100), STOP_USER);
  assert.equal(cpu.getPc(), USER + 0x104n);
  assert.equal(cpu.getReg(3), 99n);
  assert.equal(cpu.getReg(9), USER + 0x104n);
  assert.equal(cpu.getReg(10), userMsr);
  assert.equal(cpu.isUserMode(), true);
  assert.equal(cpu.getMsr() & BigInt(MSR_EE), BigInt(MSR_EE));
  assert.equal(cpu.tsc, 4);
});

Deno.test("Ppc64Cpu sc enters the guest vector with SRR0 after it; sc 1 is a hypercall", () => {
  const m = machine();
  const { cpu } = m;
  load(m.mem, KERNEL + 0xc00n, SYSCALL_VECTOR);
  // sc; li r0,2; sc 1 (ABI.md: the hypercall number in r0, the argument in r3)
  assert.equal(exec(m, [0x44000002, 0x38000002, SC1], 100), STOP_HYPERCALL);
  assert.equal(cpu.getReg(9), TEXT + 4n); // SRR0
  assert.equal(cpu.getReg(10), KERNEL_MSR); // SRR1
  assert.equal(cpu.getReg(3), 99n);
  assert.equal(cpu.hypercallNr, 2);
  assert.equal(cpu.getPc(), TEXT + 12n);
});

Deno.test("Ppc64Cpu delivers pending interrupts through the guest vector only with MSR.EE = 1", () => {
  const m = machine();
  const { cpu } = m;
  load(m.mem, KERNEL + 0x900n, [0x3a800001, SC1]); // li r20,1; sc 1
  cpu.raiseInterrupt(0x900);
  assert.equal(exec(m, [NOP, NOP]), STOP_BUDGET);
  assert.equal(cpu.getReg(20), 0n);
  cpu.setReg(3, BigInt(MSR_EE));
  const r = exec(m, [0x7c610164, NOP, NOP], 10); // mtmsrd r3,1; nop; nop
  assert.equal(r, STOP_HYPERCALL);
  assert.equal(cpu.getReg(20), 1n);
  assert.equal(cpu.getSpr(SPR_SRR0), TEXT + 4n); // taken right after mtmsrd
  assert.equal(cpu.getSpr(SPR_SRR1) & BigInt(MSR_EE), BigInt(MSR_EE));
  assert.equal(cpu.getMsr() & BigInt(MSR_EE), 0n);
  assert.equal(cpu.irqPending, 0);
  assert.throws(() => cpu.raiseInterrupt(0x901), RangeError);
});

Deno.test("Ppc64Cpu wait stops with STOP_HALT after it", () => {
  const m = machine();
  assert.equal(exec(m, [NOP, 0x7c00003c, NOP], 10), STOP_HALT); // wait (ISA 3.0)
  assert.equal(m.cpu.getPc(), TEXT + 8n);
  assert.equal(exec(m, [0x7c00007c, NOP], 10), STOP_HALT); // wait (ISA 2.06)
  assert.equal(m.cpu.getPc(), TEXT + 4n);
});

Deno.test("Ppc64Cpu re-decodes text written by pokeText (a planted trap hits)", () => {
  const m = machine();
  const { cpu, mem } = m;
  assert.equal(exec(m, [0x38600001, SC1], 10), STOP_HYPERCALL); // li r3,1; sc 1
  const trap = new Uint8Array([0x7f, 0xe0, 0x00, 0x08]);
  mem.pokeText(Number(TEXT >> 32n), Number(TEXT & 0xffffffffn), trap);
  cpu.setPc(TEXT);
  assert.equal(cpu.run(10), STOP_TRAP);
  assert.equal(cpu.trapVector, VEC_PROGRAM);
  assert.equal(cpu.decodeAt(Number(TEXT >> 32n), Number(TEXT & 0xffffffffn)).mnemonic, "tw");
  // And a guest store into its own text is seen by the next fetch.
  cpu.setReg(3, TEXT + 0x20n);
  cpu.setReg(4, 0x38a00005n); // li r5,5
  load(mem, TEXT + 0x20n, [NOP]);
  cpu.setPc(TEXT + 0x20n);
  cpu.run(1); // cache the nop
  load(mem, TEXT + 0x10n, [0x90830000, 0x4800000c]); // stw r4,0(r3); b +12
  cpu.setPc(TEXT + 0x10n);
  cpu.run(3);
  assert.equal(cpu.getReg(5), 5n);
});

Deno.test("Ppc64Cpu SPRs, the time base and the decrementer", () => {
  const m = machine();
  const { cpu } = m;
  cpu.setSpr(SPR_SPRG0 + 3, 0x1234n);
  cpu.setReg(13, 1000n);
  exec(m, [
    0x7d7342a6, // mfsprg r11,3
    0x7db603a6, // mtdec r13
    NOP,
    NOP,
    0x7dd602a6, // mfdec r14
    0x7d8c42a6, // mftb r12
    0x7c7f42a6, // mfpvr r3
    0x7c9ffaa6, // mfpir r4
  ]);
  assert.equal(cpu.getReg(11), 0x1234n);
  assert.equal(cpu.getReg(14), 1000n - 3n);
  assert.equal(cpu.getReg(12), 5n);
  assert.equal(cpu.getReg(3), BigInt(PVR_POWER5P));
  assert.equal(cpu.getReg(4), 0n);
  cpu.setLr(0xc000000000001234n);
  cpu.setCtr(7n);
  assert.equal(cpu.getSpr(8), 0xc000000000001234n);
  assert.equal(cpu.getSpr(9), 7n);
  cpu.setSpr(1, 0xffffffffn);
  assert.equal(cpu.xer >>> 0, 0xe000007f);
});

Deno.test("Ppc64Cpu saveContext/restoreContext round-trips every register", () => {
  const m = machine();
  const { cpu } = m;
  for (let i = 0; i < 32; i++) cpu.setReg(i, BigInt(i) * 0x100000001n);
  cpu.setPc(TEXT + 0x40n);
  cpu.setLr(1n);
  cpu.setCtr(2n);
  cpu.cr = 0x12345678;
  cpu.setSpr(SPR_SRR0, 3n);
  cpu.setSpr(304, 0xdeadn); // HSPRG0: plain storage
  cpu.setMsr(KERNEL_MSR | BigInt(MSR_PR));
  const ctx = cpu.saveContext();
  for (let i = 0; i < 32; i++) cpu.setReg(i, 0n);
  cpu.setMsr(KERNEL_MSR);
  cpu.setSpr(304, 0n);
  cpu.setPc(0n);
  cpu.restoreContext(ctx);
  assert.equal(cpu.getReg(31), 31n * 0x100000001n);
  assert.equal(cpu.getPc(), TEXT + 0x40n);
  assert.deepEqual([cpu.getLr(), cpu.getCtr(), cpu.cr, cpu.getSpr(SPR_SRR0)], [
    1n,
    2n,
    0x12345678,
    3n,
  ]);
  assert.equal(cpu.getSpr(304), 0xdeadn);
  assert.equal(cpu.isUserMode(), true);
  assert.equal(cpu.accRead, 4); // PF_USER took effect
});
