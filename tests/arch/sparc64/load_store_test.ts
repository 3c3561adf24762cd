// Copyright 2026 the kprobes-sim authors. MIT license.
// Loads, stores and atomics: sign/zero extension, big-endian layout,
// ldstub, cas/casx, ldd/std/swap, the ASIs (scratchpad 0x20, AIUS 0x11 as
// a user access, PRIMARY 0x80, unsupported little-endian ASIs, privileged
// ASIs from user mode), alignment and access faults with nothing changed,
// FP loads, no-op barriers. Words from sparc64-linux-gnu-as.

import assert from "node:assert/strict";
import { PF_PROT, PF_USER, PF_WRITE, STOP_BUDGET, STOP_TRAP } from "../../../arch/types.ts";
import { DATA, exec, machine, RODATA, TEXT, UNMAPPED, USER } from "./_machine.ts";

Deno.test("Sparc64Cpu loads zero- and sign-extend big-endian data", () => {
  const m = machine();
  m.mem.writeU64(DATA, 0x8081828384858687n);
  const cases: [number, bigint][] = [
    [0xd40a0000, 0x80n], // ldub
    [0xd44a0000, 0xffffffffffffff80n], // ldsb
    [0xd4120000, 0x8081n], // lduh
    [0xd4520000, 0xffffffffffff8081n], // ldsh
    [0xd4020000, 0x80818283n], // lduw
    [0xd4420000, 0xffffffff80818283n], // ldsw
    [0xd45a0000, 0x8081828384858687n], // ldx
  ];
  for (const [word, want] of cases) {
    m.cpu.setReg(8, DATA);
    assert.equal(exec(m, [word]), STOP_BUDGET);
    assert.equal(m.cpu.getReg(10), want, word.toString(16));
  }
  m.cpu.setReg(9, 0n);
  exec(m, [0xd45a0009]); // ldx [%o0 + %o1]
  assert.equal(m.cpu.getReg(10), 0x8081828384858687n);
});

Deno.test("Sparc64Cpu stores write the low bytes big-endian", () => {
  const m = machine();
  m.cpu.setReg(8, DATA);
  m.cpu.setReg(9, 0x1122334455667788n);
  // stb [o0+1]; sth [o0+2]; st [o0+4]; stx [o0+8]
  exec(m, [0xd22a2001, 0xd2322002, 0xd2222004, 0xd2722008]);
  assert.equal(m.mem.readU64(DATA), 0x0088778855667788n);
  assert.equal(m.mem.readU64(DATA + 8n), 0x1122334455667788n);
});

Deno.test("Sparc64Cpu ldstub, swap, cas and casx are atomic read-modify-writes", () => {
  const m = machine();
  m.cpu.setReg(8, DATA);
  m.mem.writeU64(DATA, 0x0102030405060708n);
  exec(m, [0xd46a0000]); // ldstub
  assert.equal(m.cpu.getReg(10), 1n);
  assert.equal(m.mem.readU8(DATA), 0xff);

  m.mem.writeU64(DATA, 5n);
  m.cpu.setReg(9, 5n);
  m.cpu.setReg(10, 0xabcdn);
  exec(m, [0xd5f21009]); // casx [%o0], %o1, %o2: equal → store
  assert.equal(m.mem.readU64(DATA), 0xabcdn);
  assert.equal(m.cpu.getReg(10), 5n);
  m.cpu.setReg(10, 0x9999n);
  exec(m, [0xd5f21009]); // not equal: memory kept, rd = memory
  assert.equal(m.mem.readU64(DATA), 0xabcdn);
  assert.equal(m.cpu.getReg(10), 0xabcdn);

  m.mem.writeU32(DATA, 7);
  m.cpu.setReg(9, 0xffffffff00000007n); // cas compares the low word only
  m.cpu.setReg(10, 8n);
  exec(m, [0xd5e21009]);
  assert.equal(m.mem.readU32(DATA), 8);
  assert.equal(m.cpu.getReg(10), 7n);

  m.cpu.setReg(10, 0x55n);
  exec(m, [0xd47a0000]); // swap
  assert.equal(m.mem.readU32(DATA), 0x55);
  assert.equal(m.cpu.getReg(10), 8n);
});

Deno.test("Sparc64Cpu ldd and std move an even/odd register pair", () => {
  const m = machine();
  m.cpu.setReg(8, DATA);
  m.mem.writeU64(DATA, 0xaabbccdd11223344n);
  exec(m, [0xd41a0000]); // ldd [%o0], %o2
  assert.equal(m.cpu.getReg(10), 0xaabbccddn);
  assert.equal(m.cpu.getReg(11), 0x11223344n);
  m.cpu.setReg(10, 0xffffffff00000001n);
  m.cpu.setReg(11, 2n);
  exec(m, [0xd43a0000]); // std %o2, [%o0]
  assert.equal(m.mem.readU64(DATA), 0x0000000100000002n);
});

Deno.test("Sparc64Cpu access faults stop with 0x030 and no effect", () => {
  const m = machine();
  for (
    const [addr, word, code] of [
      [UNMAPPED, 0xd45a0000, 0], // ldx from nowhere
      [RODATA, 0xd2722008, PF_WRITE | PF_PROT], // stx to read-only
      [DATA, 0xd4da0220, PF_USER | PF_PROT], // ldxa [kernel] ASI_AIUS
    ] as const
  ) {
    m.cpu.setReg(8, addr);
    m.cpu.setReg(10, 0x77n);
    assert.equal(exec(m, [word]), STOP_TRAP);
    assert.equal(m.cpu.trapVector, 0x030);
    assert.equal(m.cpu.trapErrorCode, code);
    assert.equal(m.cpu.faultAddress(), addr + (word === 0xd2722008 ? 8n : 0n));
    assert.equal(m.cpu.getPc(), TEXT);
    assert.equal(m.cpu.getReg(10), 0x77n);
  }
});

Deno.test("Sparc64Cpu ASI_AIUS reaches user memory and ASI_PRIMARY kernel memory", () => {
  const m = machine();
  m.cpu.setReg(8, USER);
  m.cpu.setReg(9, 42n);
  exec(m, [0xd2f20220, 0xd4da0220]); // stxa %o1, [%o0] 0x11; ldxa [%o0] 0x11, %o2
  assert.equal(m.mem.readU64(USER), 42n);
  assert.equal(m.cpu.getReg(10), 42n);
  m.cpu.setReg(8, DATA);
  m.mem.writeU64(DATA, 9n);
  exec(m, [0xd4da1000]); // ldxa [%o0] 0x80
  assert.equal(m.cpu.getReg(10), 9n);
});

Deno.test("Sparc64Cpu ASI_SCRATCHPAD holds 8 per-CPU registers", () => {
  const m = machine();
  m.cpu.setReg(9, 0x415000n);
  exec(m, [0xd2f00400]); // stxa %o1, [%g0 + %g0] 0x20
  assert.equal(m.cpu.getScratchpad(0), 0x415000n);
  m.cpu.setScratchpad(1, 0x1234n);
  m.cpu.setReg(9, 0n);
  exec(m, [0x87802020, 0xd4da6008]); // wr 0x20, %asi; ldxa [%o1 + 8] %asi, %o2
  assert.equal(m.cpu.getReg(10), 0x1234n);
  m.cpu.setReg(9, 0x40n);
  assert.equal(exec(m, [0xd4da4400]), STOP_TRAP); // ldxa [0x40] 0x20: no such register
  assert.equal(m.cpu.trapVector, 0x030);
});

Deno.test("Sparc64Cpu unaligned accesses stop with 0x034, other ASIs with 0x030", () => {
  const m = machine();
  m.cpu.setReg(8, DATA + 4n);
  assert.equal(exec(m, [0xd45a0000]), STOP_TRAP); // ldx at +4
  assert.equal(m.cpu.trapVector, 0x034);
  assert.equal(m.cpu.faultAddress(), DATA + 4n);
  m.cpu.setReg(8, DATA + 1n);
  assert.equal(exec(m, [0xd4120000]), STOP_TRAP); // lduh at +1
  assert.equal(m.cpu.trapVector, 0x034);
  m.cpu.setReg(8, DATA);
  assert.equal(exec(m, [0xd4821100]), STOP_TRAP); // lduwa 0x88 (little-endian)
  assert.equal(m.cpu.trapVector, 0x030);
});

Deno.test("Sparc64Cpu user mode: kernel pages fault, ASIs below 0x80 are privileged_action", () => {
  const m = machine();
  m.cpu.pstate = 0x2; // IE, user
  m.cpu.setReg(8, DATA);
  m.mem.writeU32(USER, 0xd40a0000); // ldub [%o0], %o2
  m.cpu.setPc(USER);
  assert.equal(m.cpu.run(1), STOP_TRAP);
  assert.equal(m.cpu.trapVector, 0x030);
  assert.equal(m.cpu.trapErrorCode & PF_USER, PF_USER);
  m.mem.writeU32(USER, 0xd4da0220); // ldxa [%o0] 0x11
  m.cpu.setReg(8, USER);
  m.cpu.setPc(USER);
  assert.equal(m.cpu.run(1), STOP_TRAP);
  assert.equal(m.cpu.trapVector, 0x037);
  m.cpu.setPc(TEXT); // kernel text is not executable from user mode
  assert.equal(m.cpu.run(1), STOP_TRAP);
  assert.equal(m.cpu.trapVector, 0x008);
  assert.equal(m.cpu.faultAddress(), TEXT);
});

Deno.test("Sparc64Cpu FP loads are fp_disabled; prefetch, membar, stbar, flush do nothing", () => {
  const m = machine();
  m.cpu.setReg(8, DATA);
  assert.equal(exec(m, [0xc1020000]), STOP_TRAP);
  assert.equal(m.cpu.trapVector, 0x020);
  const before = m.cpu.saveState().regs;
  assert.equal(exec(m, [0xc16a0000, 0x8143e040, 0x8143c000, 0x81da0000]), STOP_BUDGET);
  const after = m.cpu.saveState().regs;
  assert.equal(m.cpu.getPc(), TEXT + 16n);
  assert.deepEqual(after.slice(0, 290), before.slice(0, 290));
});
