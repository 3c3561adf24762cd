// Copyright 2026 the kprobes-sim authors. MIT license.
// Integer arithmetic, logic, shifts, conditional moves, multiply and divide
// against BigInt references written from the SPARC V9 manual, on edge
// operands and a seeded random sweep. Instruction words from
// sparc64-linux-gnu-as.

import assert from "node:assert/strict";
import { STOP_BUDGET, STOP_TRAP } from "../../../arch/types.ts";
import { exec, machine, TEXT } from "./_machine.ts";

const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;
const u64 = (v: bigint) => BigInt.asUintN(64, v);
const s64 = (v: bigint) => BigInt.asIntN(64, v);
const s32 = (v: bigint) => BigInt.asIntN(32, v);

// N Z V C of one width.
function nzvc(r: bigint, bits: number, v: boolean, c: boolean): number {
  const m = (1n << BigInt(bits)) - 1n;
  const x = r & m;
  return ((x >> BigInt(bits - 1)) & 1n ? 8 : 0) | (x === 0n ? 4 : 0) | (v ? 2 : 0) | (c ? 1 : 0);
}

function addCcr(a: bigint, b: bigint, cin: bigint): number {
  const r = a + b + cin;
  const ccFor = (bits: number) => {
    const m = (1n << BigInt(bits)) - 1n;
    const sa = BigInt.asIntN(bits, a);
    const sb = BigInt.asIntN(bits, b);
    const sr = sa + sb + cin;
    const v = sr !== BigInt.asIntN(bits, sr);
    const c = (a & m) + (b & m) + cin > m;
    return nzvc(r, bits, v, c);
  };
  return (ccFor(64) << 4) | ccFor(32);
}

function subCcr(a: bigint, b: bigint, bin: bigint): number {
  const r = a - b - bin;
  const ccFor = (bits: number) => {
    const m = (1n << BigInt(bits)) - 1n;
    const sr = BigInt.asIntN(bits, a) - BigInt.asIntN(bits, b) - bin;
    const v = sr !== BigInt.asIntN(bits, sr);
    const c = (a & m) < (b & m) + bin;
    return nzvc(r, bits, v, c);
  };
  return (ccFor(64) << 4) | ccFor(32);
}

function logicCcr(r: bigint): number {
  return (nzvc(r, 64, false, false) << 4) | nzvc(r, 32, false, false);
}

const EDGE = [
  0n,
  1n,
  2n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  M64,
  0x123456789abcdef0n,
  0xfedcba9876543210n,
  0xffffffff80000000n,
];

function* pairs(): Generator<[bigint, bigint]> {
  for (const a of EDGE) for (const b of EDGE) yield [a, b];
  let s = 0x2545f491n;
  const next = () => {
    s = (s * 6364136223846793005n + 1442695040888963407n) & M64;
    return s;
  };
  for (let i = 0; i < 100; i++) yield [next(), next() >> (next() & 63n)];
}

/** Runs one `op %o0, %o1, %o2` with the given CCR; returns [%o2, CCR, Y]. */
const shared = machine();

function run1(word: number, a: bigint, b: bigint, ccr = 0, y = 0): [bigint, number, number] {
  const m = shared;
  m.cpu.setReg(10, 0n);
  m.cpu.setReg(8, a);
  m.cpu.setReg(9, b);
  m.cpu.ccr = ccr;
  m.cpu.y = y;
  assert.equal(exec(m, [word]), STOP_BUDGET);
  return [m.cpu.getReg(10), m.cpu.ccr, m.cpu.y];
}

Deno.test("Sparc64Cpu add/addcc/addc/addccc match V9 for icc and xcc", () => {
  for (const [a, b] of pairs()) {
    for (const cin of [0n, 1n]) {
      const ccr = Number(cin); // icc.C = cin
      assert.deepEqual(run1(0x94020009, a, b, ccr), [u64(a + b), ccr, 0], `add ${a} ${b}`);
      assert.deepEqual(run1(0x94820009, a, b, ccr), [u64(a + b), addCcr(a, b, 0n), 0]);
      assert.equal(run1(0x94420009, a, b, ccr)[0], u64(a + b + cin), `addc ${a} ${b} ${cin}`);
      const m = shared;
      m.cpu.setReg(8, a);
      m.cpu.setReg(9, b);
      m.cpu.ccr = ccr;
      exec(m, [0x96c20009]); // addxcc %o0, %o1, %o3
      assert.deepEqual([m.cpu.getReg(11), m.cpu.ccr], [u64(a + b + cin), addCcr(a, b, cin)]);
    }
  }
});

Deno.test("Sparc64Cpu sub/subcc/subc/subccc match V9 for icc and xcc", () => {
  for (const [a, b] of pairs()) {
    for (const bin of [0n, 1n]) {
      const ccr = Number(bin);
      assert.deepEqual(run1(0x94a20009, a, b, ccr), [u64(a - b), subCcr(a, b, 0n), 0]);
      assert.equal(run1(0x94620009, a, b, ccr)[0], u64(a - b - bin));
      const m = shared;
      m.cpu.setReg(8, a);
      m.cpu.setReg(9, b);
      m.cpu.ccr = ccr;
      exec(m, [0x96e20009]); // subxcc
      assert.deepEqual([m.cpu.getReg(11), m.cpu.ccr], [u64(a - b - bin), subCcr(a, b, bin)]);
    }
  }
});

Deno.test("Sparc64Cpu logical ops compute 64-bit results and N/Z with V = C = 0", () => {
  for (const [a, b] of pairs()) {
    assert.equal(run1(0x940a0009, a, b)[0], a & b);
    assert.equal(run1(0x942a0009, a, b)[0], a & ~b & M64);
    assert.equal(run1(0x94320009, a, b)[0], (a | ~b) & M64);
    assert.equal(run1(0x943a0009, a, b)[0], ~(a ^ b) & M64);
    assert.equal(run1(0x941a3fff, a, b)[0], a ^ M64); // xor %o0, -1
    assert.equal(run1(0x808a0009, a, b, 0xff)[1], logicCcr(a & b)); // andcc → %g0
  }
});

Deno.test("Sparc64Cpu shifts: sll keeps 64 bits, srl/sra use the low word, x forms 64", () => {
  for (const [a, b] of pairs()) {
    assert.equal(run1(0x952a2004, a, b)[0], (a << 4n) & M64, `sll ${a}`);
    assert.equal(run1(0x95322004, a, b)[0], (a & M32) >> 4n, `srl ${a}`);
    assert.equal(run1(0x953a2004, a, b)[0], u64(s32(a) >> 4n), `sra ${a}`);
    assert.equal(run1(0x952a3024, a, b)[0], (a << 36n) & M64);
    assert.equal(run1(0x95323024, a, b)[0], a >> 36n);
    assert.equal(run1(0x953a3024, a, b)[0], u64(s64(a) >> 36n));
    assert.equal(run1(0x952a0009, a, b)[0], (a << (b & 31n)) & M64, `sll reg ${a} ${b}`);
  }
});

Deno.test("Sparc64Cpu sethi, popc, %g0 writes and or %g0, %g0", () => {
  assert.equal(run1(0x153fffff, 5n, 0n)[0], 0xfffffc00n);
  for (const [a] of pairs()) {
    const want = BigInt([...a.toString(2)].filter((c) => c === "1").length);
    assert.equal(run1(0x95700008, a, 0n)[0], want);
  }
  const m = machine();
  exec(m, [0x80102005, 0x94100000]); // mov 5, %g0; or %g0, %g0, %o2
  assert.equal(m.cpu.getReg(0), 0n);
  assert.equal(m.cpu.getReg(10), 0n);
});

Deno.test("Sparc64Cpu movcc and movr move only when the condition holds", () => {
  // movne %icc, 7, %o2
  assert.equal(run1(0x95666007, 0n, 0n, 0x00)[0], 7n);
  const m = machine();
  m.cpu.setReg(10, 99n);
  m.cpu.ccr = 0x04; // icc.Z
  exec(m, [0x95666007]);
  assert.equal(m.cpu.getReg(10), 99n);
  // move %xcc, %o1, %o2: xcc.Z only
  assert.equal(run1(0x95645009, 0n, 42n, 0x40)[0], 42n);
  assert.equal(run1(0x95645009, 0n, 42n, 0x04)[0], 0n);
  // movrz %o0, 5, %o2; movrlz %o0, %o1, %o2
  assert.equal(run1(0x957a2405, 0n, 0n)[0], 5n);
  assert.equal(run1(0x957a2405, 1n << 40n, 0n)[0], 0n);
  assert.equal(run1(0x957a0c09, 1n << 63n, 3n)[0], 3n);
  assert.equal(run1(0x957a0c09, 1n << 62n, 3n)[0], 0n);
});

Deno.test("Sparc64Cpu mulx/umul/smul and their Y match V9", () => {
  for (const [a, b] of pairs()) {
    assert.equal(run1(0x944a0009, a, b)[0], (a * b) & M64, `mulx ${a} ${b}`);
    const up = (a & M32) * (b & M32);
    assert.deepEqual(run1(0x94520009, a, b), [up, 0, Number(up >> 32n)], `umul ${a} ${b}`);
    const sp = u64(s32(a) * s32(b));
    assert.deepEqual(run1(0x945a0009, a, b), [sp, 0, Number(sp >> 32n)], `smul ${a} ${b}`);
    const [r, ccr] = run1(0x94d20009, a, b); // umulcc
    assert.deepEqual([r, ccr], [up, logicCcr(up)]);
  }
});

Deno.test("Sparc64Cpu udivx/sdivx/udiv/sdiv match V9, with saturation", () => {
  for (const [a, b] of pairs()) {
    if (b === 0n) continue;
    assert.equal(run1(0x946a0009, a, b)[0], a / b, `udivx ${a} ${b}`);
    const sq = s64(a) === -(1n << 63n) && s64(b) === -1n ? s64(a) : s64(a) / s64(b);
    assert.equal(run1(0x956a0009, a, b)[0], u64(sq), `sdivx ${a} ${b}`);
    if ((b & M32) === 0n) continue;
    for (const y of [0n, 1n, 0xffffffffn]) {
      const n = (y << 32n) | (a & M32);
      let uq = n / (b & M32);
      if (uq > M32) uq = M32;
      assert.equal(run1(0x94720009, a, b, 0, Number(y))[0], uq, `udiv ${y}:${a} ${b}`);
      let q = BigInt.asIntN(64, n) / s32(b);
      if (q > 0x7fffffffn) q = 0x7fffffffn;
      if (q < -0x80000000n) q = -0x80000000n;
      assert.equal(run1(0x947a0009, a, b, 0, Number(y))[0], u64(q), `sdiv ${y}:${a} ${b}`);
    }
  }
});

Deno.test("Sparc64Cpu division by zero stops with 0x028 and changes nothing", () => {
  for (const word of [0x946a0009, 0x956a0009, 0x94720009, 0x947a0009, 0x94f20009]) {
    const m = machine();
    m.cpu.setReg(8, 10n);
    m.cpu.setReg(10, 77n);
    assert.equal(exec(m, [word]), STOP_TRAP);
    assert.equal(m.cpu.trapVector, 0x028);
    assert.equal(m.cpu.getPc(), TEXT);
    assert.equal(m.cpu.getNpc(), TEXT + 4n);
    assert.equal(m.cpu.getReg(10), 77n);
    assert.equal(m.cpu.tsc, 0);
  }
});

Deno.test("Sparc64Cpu rd/wr %y and %ccr", () => {
  const m = machine();
  m.cpu.setReg(8, 0x1234n);
  exec(m, [0x81822000, 0x97400000, 0x8580201f, 0x97408000]); // wr %o0,%y; rd %y,%o3; wr 0x1f,%ccr; rd %ccr,%o3
  assert.equal(m.cpu.y, 0x1234);
  assert.equal(m.cpu.ccr, 0x1f);
  assert.equal(m.cpu.getReg(11), 0x1fn);
});

Deno.test("Sparc64Cpu taddcc/tsubcc set icc.V on tag bits; taddcctv traps with 0x023", () => {
  assert.equal(run1(0x95020009, 4n, 8n)[1] & 2, 0); // taddcc, tags clear
  assert.equal(run1(0x95020009, 5n, 8n)[1] & 2, 2); // tag bit in rs1
  assert.equal(run1(0x950a0009, 8n, 2n)[1] & 2, 2); // tsubcc, tag bit in rs2
  assert.equal(run1(0x95020009, 0x7ffffffcn, 4n)[1] & 2, 2); // 32-bit overflow
  const m = machine();
  m.cpu.setReg(8, 1n);
  m.cpu.setReg(9, 4n);
  m.cpu.setReg(10, 7n);
  assert.equal(exec(m, [0x95120009]), STOP_TRAP); // taddcctv
  assert.equal(m.cpu.trapVector, 0x023);
  assert.equal(m.cpu.getReg(10), 7n);
  assert.equal(m.cpu.getPc(), TEXT);
});

Deno.test("Sparc64Cpu mulscc steps the V8 multiply as V9 A.38 says", () => {
  for (const [a, b] of pairs()) {
    for (const [ccr, y] of [[0, 0], [0x8, 1], [0x2, 0x80000001], [0xa, 3]]) {
      const nv = BigInt(((ccr >> 3) ^ (ccr >> 1)) & 1);
      const op1 = (nv << 31n) | ((a & M32) >> 1n);
      const op2 = (y & 1) !== 0 ? b & M32 : 0n;
      const sum = op1 + op2;
      const r = sum & M32;
      const v = BigInt.asIntN(32, op1) + BigInt.asIntN(32, op2) !== BigInt.asIntN(32, r);
      const icc = nzvc(r, 32, v, sum > M32);
      const wantY = ((y >>> 1) | Number((a & 1n) << 31n)) >>> 0;
      const [got, gotCcr, gotY] = run1(0x95220009, a, b, ccr, y);
      assert.deepEqual(
        [got & M32, gotCcr & 15, gotY],
        [r, icc, wantY],
        `mulscc ${a} ${b} ${ccr} ${y}`,
      );
    }
  }
});

Deno.test("Sparc64Cpu udivcc/sdivcc set icc.V on overflow, smulcc sets N/Z", () => {
  // udivcc: (Y:a) / b overflows 32 bits with Y = 1.
  assert.equal(run1(0x94f20009, 0n, 1n, 0, 1)[1] & 0x2, 0x2);
  assert.equal(run1(0x94f20009, 10n, 5n, 0, 0)[1], 0);
  // sdivcc: -2**31 / -1 overflows (Y = -1 makes the dividend negative).
  assert.equal(run1(0x94fa0009, 0x80000000n, M64, 0, 0xffffffff)[1] & 0x2, 0x2);
  const [r, ccr] = run1(0x94da0009, M64, 1n); // smulcc: -1 * 1
  assert.equal(r, M64);
  assert.equal(ccr, 0x88);
});
