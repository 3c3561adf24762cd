// Copyright 2026 the kprobes-sim authors. MIT license.
import assert from "node:assert/strict";
import { ALU } from "../../../arch/x86/alu.ts";
import { X86Cpu } from "../../../arch/x86/cpu.ts";
import { getArithFlags, setArithFlags, testCc } from "../../../arch/x86/flags.ts";
import { RES_HI } from "../../../arch/x86/regs.ts";
import { shift } from "../../../arch/x86/shift.ts";
import { Memory } from "../../../kernel-model/memory.ts";

const CF = 0x1;
const PF = 0x4;
const AF = 0x10;
const ZF = 0x40;
const SF = 0x80;
const OF = 0x800;
const BITS = [8, 16, 32, 64];
const OPS = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];

const EDGES = [
  0n,
  1n,
  2n,
  0x0fn,
  0x10n,
  0x7fn,
  0x80n,
  0x81n,
  0xfen,
  0xffn,
  0x100n,
  0x7fffn,
  0x8000n,
  0xffffn,
  0x10000n,
  0x7fffffffn,
  0x80000000n,
  0xfffffffen,
  0xffffffffn,
  0x100000000n,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  0xfffffffffffffffen,
  0xffffffffffffffffn,
  0x123456789abcdef0n,
  0xfedcba9876543210n,
  0x00000000ffff0000n,
  0x5555555555555555n,
];

function parity(v: bigint): number {
  let n = 0;
  for (let b = v & 0xffn; b !== 0n; b >>= 1n) n += Number(b & 1n);
  return n % 2 === 0 ? PF : 0;
}

function common(r: bigint, bits: number): number {
  return (r === 0n ? ZF : 0) | ((r >> BigInt(bits - 1)) & 1n ? SF : 0) | parity(r);
}

/** Eager reference: result and the six flags, as the SDM defines them. */
function reference(op: number, bits: number, a: bigint, b: bigint, cin: number): [bigint, number] {
  const mask = (1n << BigInt(bits)) - 1n;
  const sign = 1n << BigInt(bits - 1);
  let r: bigint;
  let f = 0;
  switch (op) {
    case 0:
    case 2: {
      const s = a + b + (op === 2 ? BigInt(cin) : 0n);
      r = s & mask;
      if (s > mask) f |= CF;
      if ((a ^ r) & (b ^ r) & sign) f |= OF;
      if ((a ^ b ^ r) & 0x10n) f |= AF;
      break;
    }
    case 3:
    case 5:
    case 7: {
      const s = a - b - (op === 3 ? BigInt(cin) : 0n);
      r = s & mask;
      if (s < 0n) f |= CF;
      if ((a ^ b) & (a ^ r) & sign) f |= OF;
      if ((a ^ b ^ r) & 0x10n) f |= AF;
      break;
    }
    case 1:
      r = a | b;
      break;
    case 4:
      r = a & b;
      break;
    default:
      r = a ^ b;
  }
  return [r, f | common(r, bits)];
}

function split(v: bigint): [number, number] {
  return [Number(v & 0xffffffffn), Number(v >> 32n)];
}

function newCpu(): X86Cpu {
  return new X86Cpu(new Memory({ littleEndian: true }), { mode: 64 });
}

function ccReference(cc: number, f: number): boolean {
  const c = (f & CF) !== 0;
  const z = (f & ZF) !== 0;
  const s = (f & SF) !== 0;
  const o = (f & OF) !== 0;
  const p = (f & PF) !== 0;
  const base = [o, c, z, c || z, s, p, s !== o, z || s !== o][cc >> 1];
  return (cc & 1) === 0 ? base : !base;
}

Deno.test("ALU[op][width] lazy flags equal the eager reference for every op, width and edge value", () => {
  const cpu = newCpu();
  let checked = 0;
  for (let op = 0; op < 8; op++) {
    for (let w = 0; w < 4; w++) {
      const bits = BITS[w];
      const mask = (1n << BigInt(bits)) - 1n;
      for (const ea of EDGES) {
        for (const eb of EDGES) {
          const a = ea & mask;
          const b = eb & mask;
          for (const cin of op === 2 || op === 3 ? [0, 1] : [0]) {
            setArithFlags(cpu.lf, cin);
            const [al, ah] = split(a);
            const [bl, bh] = split(b);
            const lo = ALU[op][w](cpu, al, w === 3 ? ah : 0, bl, w === 3 ? bh : 0);
            const hi = w === 3 ? cpu.regs[RES_HI] : 0;
            const [r, f] = reference(op, bits, a, b, cin);
            const what = `${OPS[op]}${bits} ${a.toString(16)}, ${b.toString(16)} cf=${cin}`;
            assert.equal((BigInt(hi) << 32n) | BigInt(lo), r, what);
            // AF is undefined after logic ops; compare it only where defined.
            const defined = op === 1 || op === 4 || op === 6 ? ~AF : -1;
            assert.equal(getArithFlags(cpu.lf) & defined, f & defined, what);
            for (let cc = 0; cc < 16; cc++) {
              assert.equal(testCc(cpu.lf, cc), ccReference(cc, f), `${what} cc=${cc}`);
            }
            checked++;
          }
        }
      }
    }
  }
  assert.ok(checked > 20000);
});

Deno.test("shift() lazy flags equal the eager reference for shl/shr/sar at every count", () => {
  const cpu = newCpu();
  for (let w = 0; w < 4; w++) {
    const bits = BITS[w];
    const mask = (1n << BigInt(bits)) - 1n;
    const sign = 1n << BigInt(bits - 1);
    for (const e of EDGES) {
      const a = e & mask;
      const sa = a & sign ? a - (1n << BigInt(bits)) : a;
      for (let c = 1; c < bits; c++) {
        for (const op of [4, 5, 7]) {
          setArithFlags(cpu.lf, 0);
          const [al, ah] = split(a);
          const lo = shift(cpu, op, w, al, w === 3 ? ah : 0, c);
          const hi = w === 3 ? cpu.regs[RES_HI] : 0;
          let r: bigint;
          let cf: boolean;
          let of: boolean;
          const C = BigInt(c);
          if (op === 4) {
            r = (a << C) & mask;
            cf = ((a >> BigInt(bits - c)) & 1n) === 1n;
            of = ((r & sign) !== 0n) !== cf;
          } else if (op === 5) {
            r = a >> C;
            cf = ((a >> (C - 1n)) & 1n) === 1n;
            of = (a & sign) !== 0n;
          } else {
            r = (sa >> C) & mask;
            cf = ((sa >> (C - 1n)) & 1n) === 1n;
            of = false;
          }
          const what = `${["", "", "", "", "shl", "shr", "", "sar"][op]}${bits} ${
            a.toString(16)
          }, ${c}`;
          assert.equal((BigInt(hi) << 32n) | BigInt(lo), r, what);
          const f = getArithFlags(cpu.lf);
          const expect = (cf ? CF : 0) | common(r, bits) | (c === 1 && of ? OF : 0);
          const care = CF | ZF | SF | PF | (c === 1 ? OF : 0);
          assert.equal(f & care, expect & care, what);
        }
      }
    }
  }
});

Deno.test("shift() rotates set only CF and OF", () => {
  const cpu = newCpu();
  for (let w = 0; w < 4; w++) {
    const bits = BITS[w];
    const mask = (1n << BigInt(bits)) - 1n;
    for (const e of EDGES) {
      const a = e & mask;
      for (let c = 1; c < bits; c++) {
        for (const op of [0, 1]) {
          setArithFlags(cpu.lf, ZF | PF | AF); // must survive
          const [al, ah] = split(a);
          const lo = shift(cpu, op, w, al, w === 3 ? ah : 0, c);
          const hi = w === 3 ? cpu.regs[RES_HI] : 0;
          const C = BigInt(c);
          const B = BigInt(bits);
          const r = op === 0
            ? ((a << C) | (a >> (B - C))) & mask
            : ((a >> C) | (a << (B - C))) & mask;
          const what = `${op === 0 ? "rol" : "ror"}${bits} ${a.toString(16)}, ${c}`;
          assert.equal((BigInt(hi) << 32n) | BigInt(lo), r, what);
          const cf = op === 0 ? (r & 1n) === 1n : ((r >> (B - 1n)) & 1n) === 1n;
          const f = getArithFlags(cpu.lf);
          assert.equal((f & CF) !== 0, cf, what);
          assert.equal(f & (ZF | PF | AF | SF), ZF | PF | AF, what);
        }
      }
    }
  }
});
