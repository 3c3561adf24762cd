// Copyright 2026 the kprobes-sim authors. MIT license.
// Fixed-point, rotate, shift, compare and CR instructions against a BigInt
// reference model of the Power ISA (64-bit mode): each instruction runs on
// boundary and seeded random operands and must agree on RT/RA, XER.CA,
// XER.OV/SO and CR0 (or the compare's CR field).

import assert from "node:assert/strict";
import { XER_CA, XER_OV, XER_SO } from "../../../arch/ppc64/mod.ts";
import { STOP_BUDGET } from "../../../arch/types.ts";
import { exec, type Machine, machine } from "./_machine.ts";

const M64 = (1n << 64n) - 1n;
const MIN64 = 1n << 63n;
const u64 = (x: bigint) => BigInt.asUintN(64, x);
const s64 = (x: bigint) => BigInt.asIntN(64, x);
const u32 = (x: bigint) => BigInt.asUintN(32, x);
const s32 = (x: bigint) => BigInt.asIntN(32, x);

interface Result {
  r: bigint;
  ca?: boolean;
  ov?: boolean;
}

// x + y + c with CA and OV as the ISA defines them (x, y unsigned 64-bit).
function adder(x: bigint, y: bigint, c: bigint): Result {
  const sum = x + y + c;
  return { r: u64(sum), ca: sum > M64, ov: s64(x) + s64(y) + c !== s64(sum) };
}

function rotl32(x: bigint, n: bigint): bigint {
  const v = u32(x);
  return u32((v << n) | (v >> (32n - n)));
}

function rotl64(x: bigint, n: bigint): bigint {
  return n === 0n ? x : u64((x << n) | (x >> (64n - n)));
}

// MASK(mb, me) in IBM numbering, wrapping when mb > me.
function mask(mb: number, me: number): bigint {
  let m = 0n;
  for (let i = mb;; i = (i + 1) % 64) {
    m |= 1n << BigInt(63 - i);
    if (i === me) break;
  }
  return m;
}

function clz(x: bigint, bits: number): bigint {
  for (let i = bits - 1; i >= 0; i--) if ((x >> BigInt(i)) & 1n) return BigInt(bits - 1 - i);
  return BigInt(bits);
}

function popcount(x: bigint): bigint {
  let n = 0n;
  for (; x !== 0n; x >>= 1n) n += x & 1n;
  return n;
}

function sraw(a: bigint, n: bigint): Result {
  const x = s32(a);
  if (n < 32n) {
    return { r: u64(x >> n), ca: x < 0n && (u32(a) & ((1n << n) - 1n)) !== 0n };
  }
  return { r: u64(x >> 31n), ca: x < 0n };
}

function srad(a: bigint, n: bigint): Result {
  const x = s64(a);
  if (n < 64n) return { r: u64(x >> n), ca: x < 0n && (a & ((1n << n) - 1n)) !== 0n };
  return { r: u64(x >> 63n), ca: x < 0n };
}

type Ref = (a: bigint, b: bigint, ca: bigint) => Result;

// [word (rD = r3, rA = r4, rB = r5; logical forms: rA = r3, rS = r4), name, reference].
// Words assembled by powerpc64-linux-gnu-as 2.40.
const XO_CASES: readonly (readonly [number, string, Ref])[] = [
  [0x7c642a14, "add", (a, b) => ({ r: adder(a, b, 0n).r })],
  [0x7c642a15, "add.", (a, b) => ({ r: adder(a, b, 0n).r })],
  [0x7c642e15, "addo.", (a, b) => ({ ...adder(a, b, 0n), ca: undefined })],
  [0x7c642814, "addc", (a, b) => ({ ...adder(a, b, 0n), ov: undefined })],
  [0x7c642c15, "addco.", (a, b) => adder(a, b, 0n)],
  [0x7c642914, "adde", (a, b, c) => ({ ...adder(a, b, c), ov: undefined })],
  [0x7c642d15, "addeo.", (a, b, c) => adder(a, b, c)],
  [0x7c642850, "subf", (a, b) => ({ r: adder(u64(~a), b, 1n).r })],
  [0x7c642c51, "subfo.", (a, b) => ({ ...adder(u64(~a), b, 1n), ca: undefined })],
  [0x7c642810, "subfc", (a, b) => ({ ...adder(u64(~a), b, 1n), ov: undefined })],
  [0x7c642c11, "subfco.", (a, b) => adder(u64(~a), b, 1n)],
  [0x7c642910, "subfe", (a, b, c) => ({ ...adder(u64(~a), b, c), ov: undefined })],
  [0x7c642d11, "subfeo.", (a, b, c) => adder(u64(~a), b, c)],
  [0x7c6400d0, "neg", (a) => ({ r: u64(-a) })],
  [0x7c6404d1, "nego.", (a) => ({ r: u64(-a), ov: a === MIN64 })],
  [0x7c640194, "addze", (a, _b, c) => ({ ...adder(a, 0n, c), ov: undefined })],
  [0x7c640595, "addzeo.", (a, _b, c) => adder(a, 0n, c)],
  [0x7c6401d4, "addme", (a, _b, c) => ({ ...adder(a, M64, c), ov: undefined })],
  [0x7c6405d5, "addmeo.", (a, _b, c) => adder(a, M64, c)],
  [0x7c640190, "subfze", (a, _b, c) => ({ ...adder(u64(~a), 0n, c), ov: undefined })],
  [0x7c640591, "subfzeo.", (a, _b, c) => adder(u64(~a), 0n, c)],
  [0x7c6401d0, "subfme", (a, _b, c) => ({ ...adder(u64(~a), M64, c), ov: undefined })],
  [0x7c6405d1, "subfmeo.", (a, _b, c) => adder(u64(~a), M64, c)],
  [0x3064fff9, "addic r3,r4,-7", (a) => ({ ...adder(a, u64(-7n), 0n), ov: undefined })],
  [0x34640007, "addic. r3,r4,7", (a) => ({ ...adder(a, 7n, 0n), ov: undefined })],
  [0x2064fffd, "subfic r3,r4,-3", (a) => ({ ...adder(u64(~a), u64(-3n), 1n), ov: undefined })],
  [0x1c64fffd, "mulli r3,r4,-3", (a) => ({ r: u64(s64(a) * -3n) })],
  [0x3864fffe, "addi r3,r4,-2", (a) => ({ r: u64(a - 2n) })],
  [0x3c64fffe, "addis r3,r4,-2", (a) => ({ r: u64(a - 0x20000n) })],
  [0x7c6429d2, "mulld", (a, b) => ({ r: u64(a * b) })],
  [0x7c642dd3, "mulldo.", (a, b) => ({ r: u64(a * b), ov: s64(a) * s64(b) !== s64(a * b) })],
  [0x7c642892, "mulhd", (a, b) => ({ r: u64((s64(a) * s64(b)) >> 64n) })],
  [0x7c642812, "mulhdu", (a, b) => ({ r: (a * b) >> 64n })],
  [0x7c6429d6, "mullw", (a, b) => ({ r: u64(s32(a) * s32(b)) })],
  [0x7c642dd7, "mullwo.", (a, b) => {
    const p = s32(a) * s32(b);
    return { r: u64(p), ov: p !== s32(p) };
  }],
  [0x7c642896, "mulhw", (a, b) => ({ r: u32((s32(a) * s32(b)) >> 32n) })],
  [0x7c642816, "mulhwu", (a, b) => ({ r: (u32(a) * u32(b)) >> 32n })],
  [0x7c642bd2, "divd", (a, b) => ({ r: divd(a, b).r })],
  [0x7c642fd3, "divdo.", (a, b) => divd(a, b)],
  [0x7c642b92, "divdu", (a, b) => ({ r: b === 0n ? a : a / b })],
  [0x7c642bd6, "divw", (a, b) => ({ r: divw(a, b).r })],
  [0x7c642fd6, "divwo", (a, b) => divw(a, b)],
  [0x7c642b96, "divwu", (a, b) => ({ r: u32(b) === 0n ? u32(a) : u32(a) / u32(b) })],
  [0x7c832839, "and.", (a, b) => ({ r: a & b })],
  [0x7c832b78, "or", (a, b) => ({ r: a | b })],
  [0x7c832a78, "xor", (a, b) => ({ r: a ^ b })],
  [0x7c832bb8, "nand", (a, b) => ({ r: u64(~(a & b)) })],
  [0x7c8328f8, "nor", (a, b) => ({ r: u64(~(a | b)) })],
  [0x7c832878, "andc", (a, b) => ({ r: a & u64(~b) })],
  [0x7c832b38, "orc", (a, b) => ({ r: a | u64(~b) })],
  [0x7c832a38, "eqv", (a, b) => ({ r: u64(~(a ^ b)) })],
  [0x7c830775, "extsb.", (a) => ({ r: u64(BigInt.asIntN(8, a)) })],
  [0x7c830734, "extsh", (a) => ({ r: u64(BigInt.asIntN(16, a)) })],
  [0x7c8307b4, "extsw", (a) => ({ r: u64(s32(a)) })],
  [0x7c830034, "cntlzw", (a) => ({ r: clz(u32(a), 32) })],
  [0x7c830075, "cntlzd.", (a) => ({ r: clz(a, 64) })],
  [0x7c8303f4, "popcntd", (a) => ({ r: popcount(a) })],
  [0x7c8302f4, "popcntw", (a) => ({ r: (popcount(a >> 32n) << 32n) | popcount(u32(a)) })],
  [0x7c832830, "slw", (a, b) => ({ r: (b & 63n) < 32n ? u32(a << (b & 63n)) : 0n })],
  [0x7c832c30, "srw", (a, b) => ({ r: (b & 63n) < 32n ? u32(a) >> (b & 63n) : 0n })],
  [0x7c832e30, "sraw", (a, b) => sraw(a, b & 63n)],
  [0x7c832836, "sld", (a, b) => ({ r: (b & 127n) < 64n ? u64(a << (b & 127n)) : 0n })],
  [0x7c832c36, "srd", (a, b) => ({ r: (b & 127n) < 64n ? a >> (b & 127n) : 0n })],
  [0x7c832e35, "srad.", (a, b) => srad(a, b & 127n)],
  [0x5c8328fa, "rlwnm r3,r4,r5,3,29", (a, b) => {
    const r = rotl32(a, b & 31n);
    return { r: ((r << 32n) | r) & mask(35, 61) };
  }],
  [0x788329d0, "rldcl r3,r4,r5,7", (a, b) => ({ r: rotl64(a, b & 63n) & mask(7, 63) })],
  [0x78832cb2, "rldcr r3,r4,r5,50", (a, b) => ({ r: rotl64(a, b & 63n) & mask(0, 50) })],
  [0x7c832bf8, "cmpb", (a, b) => {
    let r = 0n;
    for (let i = 0n; i < 64n; i += 8n) if (((a >> i) & 255n) === ((b >> i) & 255n)) r |= 255n << i;
    return { r };
  }],
];

function divd(a: bigint, b: bigint): Result {
  if (b === 0n || (a === MIN64 && b === M64)) return { r: a, ov: true };
  return { r: u64(s64(a) / s64(b)), ov: false };
}

function divw(a: bigint, b: bigint): Result {
  if (u32(b) === 0n || (u32(a) === 0x80000000n && u32(b) === 0xffffffffn)) {
    return { r: u32(a), ov: true };
  }
  return { r: u32(s32(a) / s32(b)), ov: false };
}

const SPECIAL = [
  0n,
  1n,
  2n,
  3n,
  31n,
  32n,
  63n,
  64n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  0xffffffffffffffffn,
  0xfffffffffffffffen,
  0xffffffff80000000n,
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

function operands(count: number, seed: number): bigint[] {
  const next = rng(seed);
  const out = [...SPECIAL];
  while (out.length < count) {
    const v = (BigInt(next()) << 32n) | BigInt(next());
    // Mix widths: small, 32-bit, 64-bit.
    const k = next() % 3;
    out.push(k === 0 ? v & 0xffn : k === 1 ? v & 0xffffffffn : v);
  }
  return out;
}

function cr0Of(r: bigint, so: boolean): number {
  const s = s64(r);
  return (s < 0n ? 8 : s > 0n ? 4 : 2) | (so ? 1 : 0);
}

// Runs one instruction with r4 = a, r5 = b and XER.CA = ca; returns what it left.
function run1(m: Machine, word: number, a: bigint, b: bigint, ca: boolean, so: boolean) {
  const { cpu } = m;
  cpu.setReg(3, 0x5555555555555555n);
  cpu.setReg(4, a);
  cpu.setReg(5, b);
  cpu.xer = (ca ? XER_CA : 0) | (so ? XER_SO : 0);
  cpu.cr = 0;
  assert.equal(exec(m, [word]), STOP_BUDGET);
  return { r: cpu.getReg(3), xer: cpu.xer, cr0: cpu.cr >>> 28 };
}

Deno.test("Ppc64Cpu arithmetic, logical, shift and rotate forms match the ISA reference model", () => {
  const m = machine();
  const xs = operands(48, 1);
  const ys = operands(24, 2);
  for (const [word, name, ref] of XO_CASES) {
    const record = (word >>> 26 === 13) || ((word & 1) === 1 && word >>> 26 === 31) ||
      ((word & 1) === 1 && word >>> 26 === 30);
    for (const a of xs) {
      for (const b of ys) {
        for (const ca of [false, true]) {
          const so = ca; // exercise SO's stickiness together with CA
          const got = run1(m, word, a, b, ca, so);
          const want = ref(a, b, ca ? 1n : 0n);
          const ctx = `${name} a=${a.toString(16)} b=${b.toString(16)} ca=${ca}`;
          assert.equal(got.r, want.r, ctx);
          if (want.ca !== undefined) assert.equal((got.xer & XER_CA) !== 0, want.ca, `${ctx} CA`);
          else assert.equal((got.xer & XER_CA) !== 0, ca, `${ctx} CA kept`);
          const ov = want.ov ?? false;
          if (want.ov !== undefined) assert.equal((got.xer & XER_OV) !== 0, ov, `${ctx} OV`);
          const soAfter = so || (want.ov === true);
          assert.equal((got.xer & XER_SO) !== 0, soAfter, `${ctx} SO`);
          if (record) assert.equal(got.cr0, cr0Of(want.r, soAfter), `${ctx} CR0`);
          else assert.equal(got.cr0, 0, `${ctx} CR0 untouched`);
        }
      }
    }
  }
});

// Encoders for the immediate rotate/shift forms (field layout of ISA Book I §1.6).
const mForm = (op: number, sh: number, mb: number, me: number, rc: number) =>
  ((op << 26) | (4 << 21) | (3 << 16) | (sh << 11) | (mb << 6) | (me << 1) | rc) >>> 0;
const mdForm = (xo: number, sh: number, mb: number, rc: number) =>
  ((30 << 26) | (4 << 21) | (3 << 16) | ((sh & 31) << 11) | ((mb & 31) << 6) | ((mb >> 5) << 5) |
    (xo << 2) | ((sh >> 5) << 1) | rc) >>> 0;

Deno.test("Ppc64Cpu immediate rotates and shifts match the ISA reference model", () => {
  const m = machine();
  const next = rng(7);
  const xs = operands(12, 3);
  for (let i = 0; i < 400; i++) {
    const sh = next() % 32;
    const mb = next() % 32;
    const me = next() % 32;
    const sh6 = next() % 64;
    const mb6 = next() % 64;
    const rc = next() & 1;
    for (const a of xs) {
      const old = 0x0123456789abcdefn;
      const r32 = rotl32(a, BigInt(sh));
      const rot = (r32 << 32n) | r32;
      const r64 = rotl64(a, BigInt(sh6));
      const cases: [number, bigint, boolean?][] = [
        [mForm(21, sh, mb, me, rc), rot & mask(mb + 32, me + 32)], // rlwinm
        [
          mForm(20, sh, mb, me, rc),
          (rot & mask(mb + 32, me + 32)) | (old & ~mask(mb + 32, me + 32)),
        ], // rlwimi
        [mdForm(0, sh6, mb6, rc), r64 & mask(mb6, 63)], // rldicl
        [mdForm(1, sh6, mb6, rc), r64 & mask(0, mb6)], // rldicr
        [mdForm(2, sh6, mb6, rc), r64 & mask(mb6, 63 - sh6)], // rldic
        [mdForm(3, sh6, mb6, rc), (r64 & mask(mb6, 63 - sh6)) | (old & u64(~mask(mb6, 63 - sh6)))], // rldimi
      ];
      for (const [word, want] of cases) {
        m.cpu.setReg(3, old);
        m.cpu.setReg(4, a);
        m.cpu.cr = 0;
        exec(m, [word]);
        const ctx = `${word.toString(16)} a=${a.toString(16)}`;
        assert.equal(m.cpu.getReg(3), want, ctx);
        assert.equal(m.cpu.cr >>> 28, rc ? cr0Of(want, false) : 0, ctx);
      }
      // srawi and sradi set CA.
      const srawi = ((31 << 26) | (4 << 21) | (3 << 16) | (sh << 11) | (824 << 1) | rc) >>> 0;
      const sradi = ((31 << 26) | (4 << 21) | (3 << 16) | ((sh6 & 31) << 11) | (413 << 2) |
        ((sh6 >> 5) << 1) | rc) >>> 0;
      for (
        const [word, want] of [[srawi, sraw(a, BigInt(sh))], [sradi, srad(a, BigInt(sh6))]] as const
      ) {
        m.cpu.setReg(4, a);
        m.cpu.xer = 0;
        exec(m, [word]);
        assert.equal(m.cpu.getReg(3), want.r, `${word.toString(16)} a=${a.toString(16)}`);
        assert.equal((m.cpu.xer & XER_CA) !== 0, want.ca);
      }
    }
  }
});

Deno.test("Ppc64Cpu logical immediates leave the untouched halves", () => {
  const m = machine();
  const a = 0xfedcba9876543210n;
  const cases: [number, bigint][] = [
    [0x6083ffff, a | 0xffffn], // ori r3,r4,0xffff
    [0x6483ffff, a | 0xffff0000n], // oris r3,r4,0xffff
    [0x6883ffff, a ^ 0xffffn], // xori r3,r4,0xffff
    [0x6c83ffff, a ^ 0xffff0000n], // xoris r3,r4,0xffff
    [0x7083f0f0, a & 0xf0f0n], // andi. r3,r4,0xf0f0
    [0x7483f0f0, a & 0xf0f00000n], // andis. r3,r4,0xf0f0
  ];
  for (const [word, want] of cases) {
    m.cpu.setReg(4, a);
    m.cpu.cr = 0;
    exec(m, [word]);
    assert.equal(m.cpu.getReg(3), want, word.toString(16));
    if (word >>> 26 >= 28) assert.equal(m.cpu.cr >>> 28, cr0Of(want, false));
    else assert.equal(m.cpu.cr, 0);
  }
});

Deno.test("Ppc64Cpu compares set the named CR field with signed and unsigned order", () => {
  const m = machine();
  const xs = operands(24, 9);
  const field = (x: bigint, y: bigint) => (x < y ? 8 : x > y ? 4 : 2);
  for (const a of xs) {
    for (const b of xs) {
      const cases: [number, number, number][] = [
        [0x7c032000, 0, field(s32(a), s32(b))], // cmpw r3,r4
        [0x7fa32000, 7, field(s64(a), s64(b))], // cmpd cr7,r3,r4
        [0x7c032040, 0, field(u32(a), u32(b))], // cmplw r3,r4
        [0x7fa32040, 7, field(a, b)], // cmpld cr7,r3,r4
      ];
      for (const [word, bf, want] of cases) {
        m.cpu.setReg(3, a);
        m.cpu.setReg(4, b);
        m.cpu.cr = 0;
        m.cpu.xer = XER_SO;
        exec(m, [word]);
        assert.equal((m.cpu.cr >>> (28 - 4 * bf)) & 15, want | 1, `${word.toString(16)} ${a} ${b}`);
        assert.equal(m.cpu.cr & ~(15 << (28 - 4 * bf)), 0);
      }
    }
    // Immediates: cmpwi r3,-4; cmpdi cr7,r3,-4; cmplwi r3,4; cmpldi cr7,r3,4.
    m.cpu.setReg(3, a);
    m.cpu.xer = 0;
    const imm: [number, number, number][] = [
      [0x2c03fffc, 0, field(s32(a), -4n)],
      [0x2f83fffc, 7, field(s32(a), -4n)],
      [0x2fa3fffc, 7, field(s64(a), -4n)],
      [0x28030004, 0, field(u32(a), 4n)],
      [0x2ba30004, 7, field(a, 4n)],
    ];
    for (const [word, bf, want] of imm) {
      m.cpu.cr = 0;
      exec(m, [word]);
      assert.equal((m.cpu.cr >>> (28 - 4 * bf)) & 15, want, `${word.toString(16)} ${a}`);
    }
  }
});

Deno.test("Ppc64Cpu CR logical instructions, mcrf, mfcr/mtcrf and isel", () => {
  const m = machine();
  const { cpu } = m;
  // CR bits 1 (gt), 2 (eq), 3 (so) of CR0; result into bit 1.
  const ops: [number, (a: number, b: number) => number][] = [
    [0x4c221a02, (a, b) => a & b], // crand
    [0x4c221b82, (a, b) => a | b], // cror
    [0x4c221982, (a, b) => a ^ b], // crxor
    [0x4c221842, (a, b) => 1 - (a | b)], // crnor
    [0x4c221a42, (a, b) => 1 - (a ^ b)], // creqv
    [0x4c221902, (a, b) => a & (1 - b)], // crandc
    [0x4c221b42, (a, b) => a | (1 - b)], // crorc
    [0x4c2219c2, (a, b) => 1 - (a & b)], // crnand
  ];
  for (const [word, f] of ops) {
    for (let v = 0; v < 4; v++) {
      const eq = v & 1;
      const so = v >> 1;
      cpu.cr = (eq << 29) | (so << 28) | 0x0000000f;
      exec(m, [word]);
      assert.equal((cpu.cr >>> 30) & 1, f(eq, so), word.toString(16));
      assert.equal(cpu.cr & 0x3fffffff, (eq << 29) | (so << 28) | 0xf);
    }
  }
  cpu.cr = 0x1234567a;
  exec(m, [0x4c9c0000]); // mcrf cr1,cr7
  assert.equal(cpu.cr >>> 0, 0x1a34567a);
  exec(m, [0x7c600026]); // mfcr r3
  assert.equal(cpu.getReg(3), 0x1a34567an);
  cpu.setReg(3, 0xffffffff87654321n);
  exec(m, [0x7c6ff120]); // mtcrf 0xff,r3
  assert.equal(cpu.cr >>> 0, 0x87654321);
  cpu.setReg(3, 0x00f00000n);
  exec(m, [0x7c720120]); // mtocrf 0x20,r3: CR2 only
  assert.equal(cpu.cr >>> 0, 0x87f54321);
  exec(m, [0x7c720026]); // mfocrf r3,0x20
  assert.equal(cpu.getReg(3), 0x00f00000n);
  cpu.setReg(4, 44n);
  cpu.setReg(5, 55n);
  cpu.cr = 0x20000000; // CR0.EQ
  exec(m, [0x7c64289e]); // isel r3,r4,r5,eq
  assert.equal(cpu.getReg(3), 44n);
  cpu.cr = 0;
  exec(m, [0x7c64289e]);
  assert.equal(cpu.getReg(3), 55n);
});
