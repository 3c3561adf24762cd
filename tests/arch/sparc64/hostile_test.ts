// Copyright 2026 the kprobes-sim authors. MIT license.
// Hostile words: a seeded sweep of random instruction words (and every
// op/op2/op3 slot with random fields), run in kernel and in user mode with
// random registers and window state, must never throw a host exception:
// only stop reasons.

import assert from "node:assert/strict";
import {
  STOP_BUDGET,
  STOP_HALT,
  STOP_HYPERCALL,
  STOP_TRAP,
  STOP_USER,
} from "../../../arch/types.ts";
import { KERNEL, load, machine, TEXT, USER } from "./_machine.ts";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

const STOPS = [STOP_BUDGET, STOP_TRAP, STOP_HALT, STOP_USER, STOP_HYPERCALL];

Deno.test("Sparc64Cpu runs random words without a host exception, in both modes", () => {
  const next = rng(0x5eed5);
  const m = machine();
  m.cpu.tba = KERNEL;
  // Every vector slot of both table halves: retry (so entered traps return).
  for (let tt = 0; tt < 0x200; tt++) {
    load(m.mem, KERNEL + BigInt(tt * 32), [0x83f00000]);
    load(m.mem, KERNEL + 0x4000n + BigInt(tt * 32), [0x83f00000]);
  }
  for (let i = 0; i < 12000; i++) {
    let word = next();
    if (i % 3 === 0) word = (word & 0x3e07ffff) | ((i % 64) << 19) | (((i >> 6) & 3) << 30); // every op3
    const user = (i & 1) === 1;
    const base = user ? USER + 0x1000n : TEXT;
    load(m.mem, base, [word, 0x01000000, 0x01000000]);
    m.cpu.restoreState({ regs: new Uint32Array(m.cpu.saveState().regs.length) });
    m.cpu.tba = KERNEL;
    for (let r = 1; r < 32; r++) {
      const v = next() % 4 === 0 ? BigInt(next()) : (USER + BigInt(next() % 0x100000)) & ~7n;
      m.cpu.setReg(r, v);
    }
    m.cpu.cansave = next() % 7;
    m.cpu.canrestore = 6 - m.cpu.cansave;
    m.cpu.cleanwin = 7;
    m.cpu.wstate = 0x08;
    m.cpu.asi = next() & 0xff;
    m.cpu.pstate = user ? 0x2 : 0x6;
    m.cpu.pil = 15;
    m.cpu.setPc(base);
    let r: number;
    try {
      r = m.cpu.run(3);
    } catch (e) {
      throw new Error(`word 0x${word.toString(16)} (${user ? "user" : "kernel"}) threw: ${e}`);
    }
    assert.ok(STOPS.includes(r), `word 0x${word.toString(16)} returned ${r}`);
  }
});
