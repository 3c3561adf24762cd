// Copyright 2026 the kprobes-sim authors. MIT license.
// Register windows: renaming on save/restore, V9 trap entry for spill,
// fill and clean_window (TL, TSTATE, TPC/TNPC, CWP adjust, PSTATE), deep
// recursion through the image's own spill/fill handlers, flushw, saved/
// restored counters, and the host-side flushWindows(). Words from
// sparc64-linux-gnu-as.

import assert from "node:assert/strict";
import { STOP_BUDGET, STOP_HYPERCALL } from "../../../arch/types.ts";
import {
  BIAS,
  exec,
  IMAGE_CODE,
  imageMachine,
  KERNEL,
  load,
  machine,
  TEXT,
  USER,
} from "./_machine.ts";

const SAVE = 0x9de3bf40; // save %sp, -192, %sp
const RESTORE = 0x81e80000; // restore
const FLUSHW = 0x81580000;

Deno.test("Sparc64Cpu save/restore rename outs to ins and count windows", () => {
  const m = machine();
  m.cpu.setReg(14, 0x43f000n - BIAS);
  m.cpu.setReg(8, 11n);
  m.cpu.setReg(16, 22n); // %l0 of window 0
  exec(m, [SAVE]);
  assert.equal(m.cpu.cwp, 1);
  assert.deepEqual([m.cpu.cansave, m.cpu.canrestore], [5, 1]);
  assert.equal(m.cpu.getReg(24), 11n); // %i0 = caller's %o0
  assert.equal(m.cpu.getReg(30), 0x43f000n - BIAS); // %fp = caller's %sp
  assert.equal(m.cpu.getReg(14), 0x43f000n - BIAS - 192n); // new %sp, written in the new window
  assert.equal(m.cpu.getReg(16), 0n);
  m.cpu.setReg(24, 33n);
  exec(m, [RESTORE]);
  assert.equal(m.cpu.cwp, 0);
  assert.deepEqual([m.cpu.cansave, m.cpu.canrestore], [6, 0]);
  assert.equal(m.cpu.getReg(8), 33n);
  assert.equal(m.cpu.getReg(16), 22n);
});

Deno.test("Sparc64Cpu save with CANSAVE 0 enters spill_0_normal as V9 says", () => {
  const m = machine();
  m.cpu.tba = KERNEL;
  m.cpu.cwp = 5;
  m.cpu.cansave = 0;
  m.cpu.canrestore = 6;
  m.cpu.ccr = 0x44;
  m.cpu.pstate = 0x6;
  assert.equal(exec(m, [SAVE], 1), STOP_BUDGET);
  assert.equal(m.cpu.getPc(), KERNEL + 0x080n * 32n);
  assert.equal(m.cpu.getNpc(), KERNEL + 0x080n * 32n + 4n);
  assert.equal(m.cpu.tl, 1);
  assert.equal(m.cpu.getTt(1), 0x080);
  assert.equal(m.cpu.getTpc(1), TEXT);
  assert.equal(m.cpu.getTnpc(1), TEXT + 4n);
  assert.equal(m.cpu.getTstate(1), (0x44n << 32n) | (0x80n << 24n) | (0x6n << 8n) | 5n);
  assert.equal(m.cpu.cwp, (5 + 0 + 2) & 7);
  assert.equal(m.cpu.pstate, 0x5); // PRIV | AG
  assert.deepEqual([m.cpu.cansave, m.cpu.canrestore], [0, 6]); // the handler's saved fixes them
});

Deno.test("Sparc64Cpu picks spill_n_other while OTHERWIN ≠ 0, and fills with CWP − 1", () => {
  const m = machine();
  m.cpu.tba = KERNEL;
  m.cpu.wstate = 0x08;
  m.cpu.cwp = 2;
  m.cpu.cansave = 0;
  m.cpu.canrestore = 2;
  m.cpu.otherwin = 4;
  exec(m, [SAVE], 1);
  assert.equal(m.cpu.getTt(1), 0x0a4);
  assert.equal(m.cpu.cwp, 4);
  const f = machine();
  f.cpu.tba = KERNEL;
  f.cpu.wstate = 0x08;
  f.cpu.cwp = 2;
  exec(f, [RESTORE], 1);
  assert.equal(f.cpu.getTt(1), 0x0c0);
  assert.equal(f.cpu.cwp, 1);
  f.cpu.tl = 0;
  f.cpu.cwp = 2;
  f.cpu.otherwin = 1;
  exec(f, [RESTORE], 1);
  assert.equal(f.cpu.getTt(1), 0x0e4);
  assert.equal(f.cpu.getPc(), KERNEL + 0x0e4n * 32n);
});

Deno.test("Sparc64Cpu save with CLEANWIN = CANRESTORE raises clean_window with CWP + 1", () => {
  const m = machine();
  m.cpu.tba = KERNEL;
  m.cpu.cleanwin = 0;
  exec(m, [SAVE], 1);
  assert.equal(m.cpu.getTt(1), 0x024);
  assert.equal(m.cpu.cwp, 1);
  assert.equal(m.cpu.getPc(), KERNEL + 0x024n * 32n);
});

Deno.test("Sparc64Cpu trap entry above TL 0 vectors into the TL > 0 half of the table", () => {
  const m = machine();
  m.cpu.tba = KERNEL;
  m.cpu.tl = 1;
  m.cpu.cansave = 0;
  exec(m, [SAVE], 1);
  assert.equal(m.cpu.tl, 2);
  assert.equal(m.cpu.getPc(), KERNEL + 0x4000n + 0x080n * 32n);
});

// rec(n) = n == 0 ? 0 : rec(n − 1) + 2n + 100, keeping %l0/%l1 across the call.
// deno-fmt-ignore
const RECURSION = [
  0x9010200a, // mov 10, %o0
  0x40000003, // call rec
  0x01000000, // nop
  0x91d0207f, // ta 0x7f
  0x9de3bf40, // rec: save %sp, -192, %sp
  0xa0100018, // mov %i0, %l0
  0xa2062064, // add %i0, 100, %l1
  0x80a62000, // cmp %i0, 0
  0x02800008, // be 1f
  0x01000000, // nop
  0x7ffffffa, // call rec
  0x90262001, // sub %i0, 1, %o0
  0xa4040011, // add %l0, %l1, %l2
  0xb0020012, // add %o0, %l2, %i0
  0x81c7e008, // ret
  0x81e80000, // restore
  0xb0102000, // 1: mov 0, %i0
  0x81cfe008, // return %i7+8
  0x01000000, // nop
];

Deno.test("Sparc64Cpu recursion 10 deep spills and fills through the image's handlers", () => {
  const m = imageMachine();
  const code = IMAGE_CODE;
  load(m.mem, code, RECURSION);
  m.cpu.pstate = 0x6;
  m.cpu.wstate = 0x08;
  m.cpu.setReg(14, 0x7f0000n - BIAS);
  m.cpu.setReg(16, 0x1234n);
  m.cpu.setPc(code);
  assert.equal(m.cpu.run(10_000), STOP_HYPERCALL);
  assert.equal(m.cpu.getReg(8), 1110n);
  assert.equal(m.cpu.getReg(16), 0x1234n);
  assert.deepEqual([m.cpu.tl, m.cpu.cwp, m.cpu.pstate], [0, 0, 0x6]);
  assert.equal(m.cpu.cansave + m.cpu.canrestore + m.cpu.otherwin, 6);
});

Deno.test("Sparc64Cpu flushw spills every window through the image's handler", () => {
  const m = imageMachine();
  const code = IMAGE_CODE;
  load(m.mem, code, [SAVE, SAVE, SAVE, FLUSHW, 0x91d0207f]);
  m.cpu.pstate = 0x6;
  m.cpu.setReg(14, 0x7f0000n - BIAS);
  m.cpu.setReg(16, 0xaan); // %l0 of window 0
  m.cpu.setPc(code);
  assert.equal(m.cpu.run(1000), STOP_HYPERCALL);
  assert.deepEqual([m.cpu.cansave, m.cpu.canrestore, m.cpu.cwp], [6, 0, 3]);
  // Window 0's save area is at its own %sp + 2047 = 0x7f0000.
  assert.equal(m.mem.readU64(0x7f0000n), 0xaan);
});

Deno.test("Sparc64Cpu saved and restored adjust the window counters as V9 says", () => {
  const m = machine();
  m.cpu.tl = 1;
  m.cpu.cansave = 0;
  m.cpu.canrestore = 6;
  exec(m, [0x81880000]); // saved
  assert.deepEqual([m.cpu.cansave, m.cpu.canrestore, m.cpu.otherwin], [1, 5, 0]);
  m.cpu.otherwin = 2;
  exec(m, [0x81880000]);
  assert.deepEqual([m.cpu.cansave, m.cpu.canrestore, m.cpu.otherwin], [2, 5, 1]);
  m.cpu.cleanwin = 5;
  exec(m, [0x83880000]); // restored
  assert.deepEqual([m.cpu.cansave, m.cpu.canrestore, m.cpu.otherwin, m.cpu.cleanwin], [
    2,
    6,
    0,
    6,
  ]);
  exec(m, [0x83880000]);
  assert.deepEqual([m.cpu.cansave, m.cpu.canrestore, m.cpu.cleanwin], [1, 7, 7]);
});

Deno.test("Sparc64Cpu.flushWindows() writes each window's save area, OTHER ones as user accesses", () => {
  const m = machine();
  m.cpu.setReg(14, 0x43f000n - BIAS);
  exec(m, [SAVE]);
  m.cpu.setReg(16, 0x1111n); // %l0 of window 1
  m.cpu.setReg(31, 0x2222n); // %i7 of window 1
  exec(m, [SAVE]);
  assert.equal(m.cpu.flushWindows(), true);
  assert.deepEqual([m.cpu.cansave, m.cpu.canrestore, m.cpu.otherwin], [6, 0, 0]);
  const w1 = 0x43f000n - 192n; // window 1's %sp + 2047
  assert.equal(m.mem.readU64(w1), 0x1111n);
  assert.equal(m.mem.readU64(w1 + 0x78n), 0x2222n);
  assert.equal(m.mem.readU64(w1 + 0x70n), 0x43f000n - BIAS); // its %i6

  // An OTHER window whose %sp points into the kernel cannot be written as user.
  const u = machine();
  u.cpu.setReg(14, 0x43f000n - BIAS);
  exec(u, [SAVE]);
  u.cpu.canrestore = 0;
  u.cpu.otherwin = 1;
  u.cpu.cansave = 5;
  assert.equal(u.cpu.flushWindows(), false);
  assert.deepEqual([u.cpu.cansave, u.cpu.otherwin], [5, 1]);
  u.cpu.cwp = 0;
  u.cpu.setReg(14, USER + 0x1000n - BIAS);
  u.cpu.setReg(16, 0x5555n);
  u.cpu.cwp = 1;
  assert.equal(u.cpu.flushWindows(), true);
  assert.equal(u.mem.readU64(USER + 0x1000n), 0x5555n);
});

Deno.test("Sparc64Cpu window counters wrap as 3-bit registers", () => {
  const m = machine();
  m.cpu.tl = 1;
  m.cpu.cansave = 6;
  m.cpu.canrestore = 0;
  exec(m, [0x81880000]); // saved with nothing to save: CANRESTORE 0 − 1
  assert.deepEqual([m.cpu.cansave, m.cpu.canrestore], [7, 7]);
});
