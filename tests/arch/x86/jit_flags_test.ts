// Copyright 2026 the kprobes-sim authors. MIT license.
// The translator's flag expressions (jit_emit_flags.ts) agree with the
// interpreter's lazy flags (flags.ts) for every writer kind, width and
// condition code, and writing the locals back gives the same EFLAGS.

import assert from "node:assert/strict";
import {
  ccExpr,
  cfExpr,
  emitFlush,
  flushFlags,
  keepsCarry,
} from "../../../arch/x86/jit_emit_flags.ts";
import {
  getArithFlags,
  getCf,
  LAZY_CF,
  LAZY_SIZE,
  LF_ADC,
  LF_ADD,
  LF_DEC,
  LF_INC,
  LF_LOGIC,
  LF_SBB,
  LF_SUB,
  PARITY,
  setLazy,
  testCc,
  WIDTH_MASK,
} from "../../../arch/x86/flags.ts";

const KINDS = [LF_ADD, LF_ADC, LF_SUB, LF_SBB, LF_LOGIC, LF_INC, LF_DEC];

// A small deterministic generator (no Math.random: failures reproduce).
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

const EDGE = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

Deno.test("ccExpr() and cfExpr() agree with testCc() and getCf() for every kind, width and cc", () => {
  const next = rng(12345);
  const lf = new Uint32Array(LAZY_SIZE);
  const locals = ["fa", "fah", "fb", "fbh", "fr", "frh", "fc", "lf", "testCc", "getCf", "PARITY"];
  const cache = new Map<string, (...v: unknown[]) => unknown>();
  const evalExpr = (expr: string, v: unknown[]) => {
    let f = cache.get(expr);
    if (f === undefined) {
      f = new Function(...locals, `return ${expr};`) as (...v: unknown[]) => unknown;
      cache.set(expr, f);
    }
    return f(...v);
  };
  let checked = 0;
  for (const kind of KINDS) {
    for (let w = 0; w < 4; w++) {
      const m = WIDTH_MASK[w] >>> 0;
      for (let n = 0; n < 300; n++) {
        const pick = () => ((n < 40 ? EDGE[next() % EDGE.length] : next()) & m) >>> 0;
        const a = pick();
        const b = kind === LF_INC || kind === LF_DEC ? 1 : pick();
        const ah = w === 3 ? pick() : 0;
        const bh = w === 3 && kind !== LF_INC && kind !== LF_DEC ? pick() : 0;
        const c = next() & 1;
        // The result the operation computes, as alu.ts does.
        const bits = BigInt(8 << w);
        const x = (BigInt(ah) << 32n) | BigInt(a);
        const y = (BigInt(bh) << 32n) | BigInt(b);
        const cin = kind === LF_ADC || kind === LF_SBB ? BigInt(c) : 0n;
        const full = kind === LF_ADD || kind === LF_ADC || kind === LF_INC
          ? x + y + cin
          : kind === LF_LOGIC
          ? x & y
          : x - y - cin;
        const res = BigInt.asUintN(Number(bits), full);
        const r = Number(res & 0xffffffffn);
        const rh = Number(res >> 32n);
        setLazy(lf, kind, w, a, ah, b, bh, r, rh);
        lf[LAZY_CF] = c;
        const v = [a, ah, b, bh, r, rh, c, lf, testCc, getCf, PARITY];
        const s = { kind, w };
        assert.equal(evalExpr(cfExpr(s), v), getCf(lf), `CF kind ${kind} w ${w}`);
        for (let cc = 0; cc < 16; cc++) {
          assert.equal(
            evalExpr(ccExpr(s, cc), v),
            testCc(lf, cc),
            `cc ${cc} kind ${kind} w ${w} a ${a} b ${b} r ${r}`,
          );
          checked++;
        }
        // Writing the locals back gives the same materialized flags.
        const back = new Uint32Array(LAZY_SIZE);
        flushFlags(back, kind, w, a, ah, b, bh, r, rh, c);
        if (!keepsCarry(kind)) back[LAZY_CF] = lf[LAZY_CF];
        assert.equal(getArithFlags(back), getArithFlags(lf));
        const inline = new Uint32Array(LAZY_SIZE);
        new Function("lf", "fa", "fah", "fb", "fbh", "fr", "frh", "fc", emitFlush(s))(
          inline,
          a,
          ah,
          b,
          bh,
          r,
          rh,
          c,
        );
        const fresh = new Uint32Array(LAZY_SIZE);
        flushFlags(fresh, kind, w, a, ah, b, bh, r, rh, c);
        assert.deepEqual(inline, fresh);
      }
    }
  }
  assert.ok(checked > 100_000);
});
