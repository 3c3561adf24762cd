// Copyright 2026 the kprobes-sim authors. MIT license.
// A bare sparc64 machine for the Kprobes arch-half tests: kernel RAM at
// 0x400000, a CPU at TL 0 in kernel mode, a few instruction encoders, and a
// driver that plays the generic core's part (breakpoint -> setupSingleStep
// -> ta 0x71 -> resumeExecution) so a probed program can be compared with
// the same program run without the probe.

import assert from "node:assert/strict";
import { Sparc64Cpu } from "../../../arch/sparc64/cpu.ts";
import { makeSparc64Kprobes } from "../../../arch/sparc64/kprobes.ts";
import {
  type ArchProbe,
  type ArchStepState,
  STOP_HALT,
  STOP_TRAP,
  type StopReason,
} from "../../../arch/types.ts";
import { Memory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../../kernel-model/memory.ts";

/** Kernel base. */
export const KERNEL = 0x400000n;
/** Where test programs go. */
export const TEXT = 0x410000n;
/** A data area. */
export const DATA = 0x420000n;
/** The instruction slots. */
export const SLOTS = 0x430000n;
/** The top of the test stack (real address). */
export const STACK_TOP = 0x440000n;

/** The arch half under test (one per process is fine: it has no state). */
export const KP = makeSparc64Kprobes();

// ------------------------------------------------------------- encoders

/** `%g0`. */
export const G0 = 0;
/** `%g1`. */
export const G1 = 1;
/** `%o0`. */
export const O0 = 8;
/** `%o1`. */
export const O1 = 9;
/** `%o2`. */
export const O2 = 10;
/** `%o7`. */
export const O7 = 15;
/** `%l0`. */
export const L0 = 16;
/** `nop`. */
export const NOP = 0x01000000;
/** `ta 0x7e`: the halt that ends a test program. */
export const HALT = 0x91d0207e;
/** `save %sp, -192, %sp`. */
export const SAVE = 0x9de3bf40;
/** `restore`. */
export const RESTORE = 0x81e80000;
/** `retl` (jmpl %o7 + 8, %g0). */
export const RETL = 0x81c3e008;
/** `ret` (jmpl %i7 + 8, %g0). */
export const RET = 0x81c7e008;

const imm13 = (v: number) => (1 << 13) | (v & 0x1fff);
/** `op3 rs1, imm, rd` (format 3, i = 1). */
export function arith(op3: number, rd: number, rs1: number, imm: number): number {
  return ((2 << 30) | (rd << 25) | (op3 << 19) | (rs1 << 14) | imm13(imm)) >>> 0;
}
/** `mov imm, rd`. */
export const mov = (imm: number, rd: number) => arith(0x02, rd, G0, imm);
/** `add rs1, imm, rd`. */
export const add = (rs1: number, imm: number, rd: number) => arith(0x00, rd, rs1, imm);
/** `cmp rs1, imm` (subcc). */
export const cmp = (rs1: number, imm: number) => arith(0x14, G0, rs1, imm);
/** `jmpl rs1 + imm, rd`. */
export const jmpl = (rs1: number, imm: number, rd: number) => arith(0x38, rd, rs1, imm);
/** `rd %pc, rd`. */
export const rdPc = (rd: number) => ((2 << 30) | (rd << 25) | (0x28 << 19) | (5 << 14)) >>> 0;
/** `rdpr %pil, rd`. */
export const rdprPil = (rd: number) => ((2 << 30) | (rd << 25) | (0x2a << 19) | (8 << 14)) >>> 0;
/** `rdpr %pstate, rd`. */
export const rdprPstate = (rd: number) => ((2 << 30) | (rd << 25) | (0x2a << 19) | (6 << 14)) >>> 0;
/** `wrpr %g0, imm, %pil`. */
export const wrprPil = (imm: number) => arith(0x32, 8, G0, imm);
/** `sethi %hi(v), rd`. */
export const sethi = (v: number, rd: number) => ((rd << 25) | (4 << 22) | (v >>> 10)) >>> 0;
/** `or rs1, %lo(v), rd`. */
export const orLo = (rs1: number, v: number, rd: number) => arith(0x02, rd, rs1, v & 0x3ff);
/** `call` to a byte displacement. */
export const call = (disp: number) => ((1 << 30) | ((disp >> 2) & 0x3fffffff)) >>> 0;

/** Bicc condition: always. */
export const BA = 8;
/** Never. */
export const BN = 0;
/** Equal. */
export const BE = 1;
/** Not equal. */
export const BNE = 9;
/** Bicc `b<cond>[,a]` to a byte displacement. */
export function bicc(cond: number, disp: number, annul = false): number {
  return (((annul ? 1 : 0) << 29) | (cond << 25) | (2 << 22) | ((disp >> 2) & 0x3fffff)) >>> 0;
}
/** BPcc on %xcc, predict taken. */
export function bpcc(cond: number, disp: number, annul = false): number {
  return (((annul ? 1 : 0) << 29) | (cond << 25) | (1 << 22) | (2 << 20) | (1 << 19) |
    ((disp >> 2) & 0x7ffff)) >>> 0;
}
/** BPr: `brz` (rcond 1) / `brnz` (rcond 5) on rs1. */
export function bpr(rcond: number, rs1: number, disp: number, annul = false): number {
  const d = (disp >> 2) & 0xffff;
  return (((annul ? 1 : 0) << 29) | (rcond << 25) | (3 << 22) | ((d >> 14) << 20) | (rs1 << 14) |
    (d & 0x3fff)) >>> 0;
}

// ------------------------------------------------------------- machine

/** A memory and a CPU at TL 0 in kernel mode with interrupts gated by PIL 14. */
export function machine(): { mem: Memory; cpu: Sparc64Cpu } {
  const mem = new Memory({ littleEndian: false });
  mem.map(KERNEL, 0x40000, PROT_READ | PROT_WRITE | PROT_EXEC);
  const cpu = new Sparc64Cpu(mem, { id: 0 });
  cpu.tl = 0;
  cpu.pstate = 6;
  cpu.pil = 14;
  cpu.cwp = 0;
  cpu.cansave = 6;
  cpu.canrestore = 0;
  cpu.otherwin = 0;
  cpu.cleanwin = 7;
  cpu.wstate = 0;
  cpu.asi = 0x80;
  cpu.tba = KERNEL;
  cpu.setReg(14, STACK_TOP - 192n - 2047n);
  return { mem, cpu };
}

/** Writes instruction words at `addr`. */
export function load(mem: Memory, addr: bigint, words: readonly number[]): void {
  words.forEach((w, i) => mem.writeU32(addr + BigInt(4 * i), w >>> 0));
}

/** The architectural state a test compares (the clock aside). */
export function snapshot(cpu: Sparc64Cpu): Record<string, bigint | number> {
  const s: Record<string, bigint | number> = {
    pc: cpu.getPc(),
    npc: cpu.getNpc(),
    ccr: cpu.ccr,
    y: cpu.y,
    pstate: cpu.pstate,
    pil: cpu.pil,
    cwp: cpu.cwp,
    cansave: cpu.cansave,
    canrestore: cpu.canrestore,
  };
  for (let r = 1; r < 32; r++) s[`r${r}`] = cpu.getReg(r);
  return s;
}

/** Runs until the halt, failing on any other stop. */
export function runToHalt(cpu: Sparc64Cpu, budget = 10_000): void {
  const r = cpu.run(budget);
  assert.equal(r, STOP_HALT, `stopped with ${r}, trap 0x${cpu.trapVector.toString(16)}`);
}

/** What a probed run saw. */
export interface ProbedRun {
  /** Breakpoint hits. */
  hits: number;
  /** The state at each hit (the pre_handler's view). */
  atHit: Record<string, bigint | number>[];
  /** The state at each single-step trap (the post_handler's view). */
  atStep: Record<string, bigint | number>[];
}

/**
 * Prepares and arms a probe at `addr`, then runs from `entry` to the halt
 * as the generic core would: every `ta 0x70` at the probe steps the copy,
 * every `ta 0x71` resumes.
 */
export function runProbed(
  m: { mem: Memory; cpu: Sparc64Cpu },
  addr: bigint,
  entry: bigint,
): ProbedRun {
  const p: ArchProbe = { addr, slot: 0n, saved: new Uint8Array(), ainsn: null };
  let reason = "";
  const ret = KP.prepareKprobe(p, {
    memory: m.mem,
    functionStart: TEXT,
    readText: (a, n) => m.mem.readBytes(a, n),
    getInsnSlot: () => SLOTS,
    refuse: (r) => void (reason = r),
  });
  assert.equal(ret, 0, reason);
  KP.armKprobe(p, m.mem);
  const state: ArchStepState = { savedFlags: 0, oldFlags: 0 };
  const out: ProbedRun = { hits: 0, atHit: [], atStep: [] };
  m.cpu.setPc(entry);
  for (let guard = 0; guard < 1000; guard++) {
    const r: StopReason = m.cpu.run(10_000);
    if (r === STOP_HALT) return out;
    assert.equal(r, STOP_TRAP, `stopped with ${r}`);
    if (m.cpu.trapVector === 0x170) {
      assert.equal(m.cpu.getPc(), addr);
      out.hits++;
      out.atHit.push(snapshot(m.cpu));
      KP.setupSingleStep(p, m.cpu, state);
    } else if (m.cpu.trapVector === 0x171) {
      out.atStep.push(snapshot(m.cpu));
      KP.resumeExecution(p, m.cpu, state, m.mem);
    } else assert.fail(`unexpected trap 0x${m.cpu.trapVector.toString(16)}`);
  }
  assert.fail("no halt after 1000 stops");
}

/**
 * Runs `words` at TEXT once plainly and once with a probe on word `index`,
 * and checks both end in the same state; returns the probed run.
 */
export function sameWithProbe(
  words: readonly number[],
  index: number,
  setup: (m: { mem: Memory; cpu: Sparc64Cpu }) => void = () => {},
): ProbedRun {
  const plain = machine();
  load(plain.mem, TEXT, words);
  setup(plain);
  plain.cpu.setPc(TEXT);
  runToHalt(plain.cpu);
  const probed = machine();
  load(probed.mem, TEXT, words);
  setup(probed);
  const run = runProbed(probed, TEXT + BigInt(4 * index), TEXT);
  assert.deepEqual(snapshot(probed.cpu), snapshot(plain.cpu));
  return run;
}
