// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Integer ALU: the eight operations numbered as ModRM `/reg` (ADD 0, OR 1,
 * ADC 2, SBB 3, AND 4, SUB 5, XOR 6, CMP 7) as `ALU_OPS[op]` and the
 * `ALU[op][width]` table, one handler per operation and form (`opAddEvGv`,
 * `opSubGvEv`, `opCmpRaxI`, `opAndEvI` …; each inlines a shared body with
 * its operation as a constant) and TEST. The one-operand forms
 * (INC/DEC/NOT/NEG, groups 3 and 4) and XADD/CMPXCHG are in
 * `alu_unary.ts`. Memory destinations are probed writable before anything
 * changes.
 *
 * The operation bodies (`aluAdd`…, `record`) stay private on purpose: V8
 * folds a module's own never-reassigned function bindings into constants, so
 * a handler that passes `aluAdd` to a shared body gets it inlined; an
 * exported binding is loaded from a cell instead and the call inside the
 * shared body goes through its megamorphic feedback (measured: the
 * interpreter ~15% slower). Other files use `ALU_OPS[op]`.
 *
 * @module
 */

import type { X86Cpu } from "./cpu.ts";
import type { DecodedInsn } from "./decode.ts";
import {
  getCf,
  LAZY_CF,
  LF_ADC,
  LF_ADD,
  LF_LOGIC,
  LF_SBB,
  LF_SUB,
  recordLazy,
  WIDTH_MASK,
} from "./flags.ts";
import {
  beginRmw,
  computeEa,
  readE,
  readMem,
  readReg,
  rmwRead,
  rmwWrite,
  writeReg,
} from "./modrm.ts";
import { EA_HI, EA_LO, OP_HI, RAX, RES_HI } from "./regs.ts";

const TWO32 = 4294967296;

/**
 * One ALU operation: `(cpu, width, a, ah, b, bh)` → result low half (high
 * half in `regs[RES_HI]`), lazy flags recorded.
 */
export type AluOp = (
  cpu: X86Cpu,
  w: number,
  a: number,
  ah: number,
  b: number,
  bh: number,
) => number;

/** An ALU operation at a fixed width: `(cpu, a, ah, b, bh)` → result low half. */
export type AluFn = (cpu: X86Cpu, a: number, ah: number, b: number, bh: number) => number;

function record(
  cpu: X86Cpu,
  kind: number,
  w: number,
  a: number,
  ah: number,
  b: number,
  bh: number,
  r: number,
  rh: number,
): void {
  recordLazy(cpu.lf, kind, w, a, ah, b, bh, r, rh);
  if (w === 3) cpu.regs[RES_HI] = rh;
}

function aluAdd(cpu: X86Cpu, w: number, a: number, ah: number, b: number, bh: number): number {
  let r: number;
  let rh = 0;
  if (w === 3) {
    r = (a + b) >>> 0;
    rh = (ah + bh + (r < a ? 1 : 0)) >>> 0;
  } else r = ((a + b) & WIDTH_MASK[w]) >>> 0;
  record(cpu, LF_ADD, w, a, ah, b, bh, r, rh);
  return r;
}

function aluOr(cpu: X86Cpu, w: number, a: number, ah: number, b: number, bh: number): number {
  const r = (a | b) >>> 0;
  record(cpu, LF_LOGIC, w, a, ah, b, bh, r, (ah | bh) >>> 0);
  return r;
}

function aluAdc(cpu: X86Cpu, w: number, a: number, ah: number, b: number, bh: number): number {
  const c = getCf(cpu.lf);
  const s = a + b + c;
  let r: number;
  let rh = 0;
  if (w === 3) {
    r = s >>> 0;
    rh = (ah + bh + (s >= TWO32 ? 1 : 0)) >>> 0;
  } else r = (s & WIDTH_MASK[w]) >>> 0;
  record(cpu, LF_ADC, w, a, ah, b, bh, r, rh);
  cpu.lf[LAZY_CF] = c;
  return r;
}

function aluSbb(cpu: X86Cpu, w: number, a: number, ah: number, b: number, bh: number): number {
  const c = getCf(cpu.lf);
  const s = a - b - c;
  let r: number;
  let rh = 0;
  if (w === 3) {
    r = s >>> 0;
    rh = (ah - bh - (s < 0 ? 1 : 0)) >>> 0;
  } else r = (s & WIDTH_MASK[w]) >>> 0;
  record(cpu, LF_SBB, w, a, ah, b, bh, r, rh);
  cpu.lf[LAZY_CF] = c;
  return r;
}

function aluAnd(cpu: X86Cpu, w: number, a: number, ah: number, b: number, bh: number): number {
  const r = (a & b) >>> 0;
  record(cpu, LF_LOGIC, w, a, ah, b, bh, r, (ah & bh) >>> 0);
  return r;
}

function aluSub(cpu: X86Cpu, w: number, a: number, ah: number, b: number, bh: number): number {
  let r: number;
  let rh = 0;
  if (w === 3) {
    r = (a - b) >>> 0;
    rh = (ah - bh - (a < b ? 1 : 0)) >>> 0;
  } else r = ((a - b) & WIDTH_MASK[w]) >>> 0;
  record(cpu, LF_SUB, w, a, ah, b, bh, r, rh);
  return r;
}

function aluXor(cpu: X86Cpu, w: number, a: number, ah: number, b: number, bh: number): number {
  const r = (a ^ b) >>> 0;
  record(cpu, LF_LOGIC, w, a, ah, b, bh, r, (ah ^ bh) >>> 0);
  return r;
}

/** The eight operations by ModRM `/reg`; CMP computes like SUB. */
export const ALU_OPS: readonly AluOp[] = [
  aluAdd,
  aluOr,
  aluAdc,
  aluSbb,
  aluAnd,
  aluSub,
  aluXor,
  aluSub,
];

/**
 * `ALU[op][width]`: op as ModRM `/reg` (ADD, OR, ADC, SBB, AND, SUB, XOR,
 * CMP), width 0–3 (byte … qword). Each records lazy flags and returns the
 * result's low half (high half in `regs[RES_HI]`).
 *
 * @example 8-bit add wraps and sets CF
 * ```ts
 * import { ALU } from "./alu.ts";
 * import { getCf } from "./flags.ts";
 * import { X86Cpu } from "./cpu.ts";
 * import { Memory } from "../../kernel-model/memory.ts";
 * import assert from "node:assert/strict";
 * const cpu = new X86Cpu(new Memory({ littleEndian: true }), { mode: 64 });
 * assert.equal(ALU[0][0](cpu, 0xff, 0, 2, 0), 1);
 * assert.equal(getCf(cpu.lf), 1);
 * ```
 */
export const ALU: readonly (readonly AluFn[])[] = ALU_OPS.map((fn) =>
  [0, 1, 2, 3].map((w): AluFn => (cpu, a, ah, b, bh) => fn(cpu, w, a, ah, b, bh))
);

/**
 * Applies ALU op `op` (0–7) at width `w`.
 *
 * @param cpu The CPU.
 * @param op ModRM `/reg` numbering.
 * @param w Width 0–3.
 * @param a First operand low.
 * @param ah First operand high.
 * @param b Second operand low.
 * @param bh Second operand high.
 * @returns Result low; high in `regs[RES_HI]`.
 */
export function alu(
  cpu: X86Cpu,
  op: number,
  w: number,
  a: number,
  ah: number,
  b: number,
  bh: number,
): number {
  return ALU_OPS[op](cpu, w, a, ah, b, bh);
}

// ---------------------------------------------------------------------------
// Shared bodies: each is inlined into the per-op handlers below, where `fn`
// and `write` are constants.

// op r/m, b
function toE(
  cpu: X86Cpu,
  insn: DecodedInsn,
  fn: AluOp,
  write: boolean,
  b: number,
  bh: number,
): void {
  const w = insn.width;
  const regs = cpu.regs;
  if (insn.mod === 3) {
    const rm = insn.rm;
    if (w >= 2) {
      const r = fn(cpu, w, regs[rm << 1], w === 3 ? regs[(rm << 1) | 1] : 0, b, bh);
      if (write) {
        regs[rm << 1] = r;
        regs[(rm << 1) | 1] = w === 3 ? regs[RES_HI] : 0;
      }
      return;
    }
    const r = fn(cpu, w, readReg(cpu, insn, rm, w), 0, b, bh);
    if (write) writeReg(cpu, insn, rm, w, r, 0);
    return;
  }
  if (!write) {
    computeEa(cpu, insn);
    const a = readMem(cpu, regs[EA_HI], regs[EA_LO], w);
    fn(cpu, w, a, w === 3 ? regs[OP_HI] : 0, b, bh);
    return;
  }
  const off = beginRmw(cpu, insn, w);
  const a = rmwRead(cpu, insn, w, off);
  const r = fn(cpu, w, a, w === 3 ? regs[OP_HI] : 0, b, bh);
  rmwWrite(cpu, insn, w, off, r, regs[RES_HI]);
}

// op r/m, reg
function evGv(cpu: X86Cpu, insn: DecodedInsn, fn: AluOp, write: boolean): void {
  const w = insn.width;
  const g = insn.reg;
  if (w >= 2) toE(cpu, insn, fn, write, cpu.regs[g << 1], w === 3 ? cpu.regs[(g << 1) | 1] : 0);
  else toE(cpu, insn, fn, write, readReg(cpu, insn, g, w), 0);
}

// op reg, r/m
function gvEv(cpu: X86Cpu, insn: DecodedInsn, fn: AluOp, write: boolean): void {
  const w = insn.width;
  const regs = cpu.regs;
  const g = insn.reg;
  let b: number;
  let bh = 0;
  if (insn.mod === 3) {
    const rm = insn.rm;
    if (w >= 2) {
      b = regs[rm << 1];
      if (w === 3) bh = regs[(rm << 1) | 1];
    } else b = readReg(cpu, insn, rm, w);
  } else {
    computeEa(cpu, insn);
    b = readMem(cpu, regs[EA_HI], regs[EA_LO], w);
    if (w === 3) bh = regs[OP_HI];
  }
  if (w >= 2) {
    const r = fn(cpu, w, regs[g << 1], w === 3 ? regs[(g << 1) | 1] : 0, b, bh);
    if (write) {
      regs[g << 1] = r;
      regs[(g << 1) | 1] = w === 3 ? regs[RES_HI] : 0;
    }
    return;
  }
  const r = fn(cpu, w, readReg(cpu, insn, g, w), 0, b, bh);
  if (write) writeReg(cpu, insn, g, w, r, 0);
}

// op AL/rAX, imm
function raxI(cpu: X86Cpu, insn: DecodedInsn, fn: AluOp, write: boolean): void {
  const w = insn.width;
  const regs = cpu.regs;
  if (w >= 2) {
    const r = fn(cpu, w, regs[0], w === 3 ? regs[1] : 0, insn.imm, insn.immHi);
    if (write) {
      regs[0] = r;
      regs[1] = w === 3 ? regs[RES_HI] : 0;
    }
    return;
  }
  const r = fn(cpu, w, readReg(cpu, insn, RAX, w), 0, insn.imm, 0);
  if (write) writeReg(cpu, insn, RAX, w, r, 0);
}

/** 00/01: add r/m, reg. */
export function opAddEvGv(cpu: X86Cpu, insn: DecodedInsn): void {
  evGv(cpu, insn, aluAdd, true);
}
/** 08/09: or r/m, reg. */
export function opOrEvGv(cpu: X86Cpu, insn: DecodedInsn): void {
  evGv(cpu, insn, aluOr, true);
}
/** 10/11: adc r/m, reg. */
export function opAdcEvGv(cpu: X86Cpu, insn: DecodedInsn): void {
  evGv(cpu, insn, aluAdc, true);
}
/** 18/19: sbb r/m, reg. */
export function opSbbEvGv(cpu: X86Cpu, insn: DecodedInsn): void {
  evGv(cpu, insn, aluSbb, true);
}
/** 20/21: and r/m, reg. */
export function opAndEvGv(cpu: X86Cpu, insn: DecodedInsn): void {
  evGv(cpu, insn, aluAnd, true);
}
/** 28/29: sub r/m, reg. */
export function opSubEvGv(cpu: X86Cpu, insn: DecodedInsn): void {
  evGv(cpu, insn, aluSub, true);
}
/** 30/31: xor r/m, reg. */
export function opXorEvGv(cpu: X86Cpu, insn: DecodedInsn): void {
  evGv(cpu, insn, aluXor, true);
}
/** 38/39: cmp r/m, reg. */
export function opCmpEvGv(cpu: X86Cpu, insn: DecodedInsn): void {
  evGv(cpu, insn, aluSub, false);
}

/** 02/03: add reg, r/m. */
export function opAddGvEv(cpu: X86Cpu, insn: DecodedInsn): void {
  gvEv(cpu, insn, aluAdd, true);
}
/** 0A/0B: or reg, r/m. */
export function opOrGvEv(cpu: X86Cpu, insn: DecodedInsn): void {
  gvEv(cpu, insn, aluOr, true);
}
/** 12/13: adc reg, r/m. */
export function opAdcGvEv(cpu: X86Cpu, insn: DecodedInsn): void {
  gvEv(cpu, insn, aluAdc, true);
}
/** 1A/1B: sbb reg, r/m. */
export function opSbbGvEv(cpu: X86Cpu, insn: DecodedInsn): void {
  gvEv(cpu, insn, aluSbb, true);
}
/** 22/23: and reg, r/m. */
export function opAndGvEv(cpu: X86Cpu, insn: DecodedInsn): void {
  gvEv(cpu, insn, aluAnd, true);
}
/** 2A/2B: sub reg, r/m. */
export function opSubGvEv(cpu: X86Cpu, insn: DecodedInsn): void {
  gvEv(cpu, insn, aluSub, true);
}
/** 32/33: xor reg, r/m. */
export function opXorGvEv(cpu: X86Cpu, insn: DecodedInsn): void {
  gvEv(cpu, insn, aluXor, true);
}
/** 3A/3B: cmp reg, r/m. */
export function opCmpGvEv(cpu: X86Cpu, insn: DecodedInsn): void {
  gvEv(cpu, insn, aluSub, false);
}

/** 04/05: add AL/rAX, imm. */
export function opAddRaxI(cpu: X86Cpu, insn: DecodedInsn): void {
  raxI(cpu, insn, aluAdd, true);
}
/** 0C/0D: or AL/rAX, imm. */
export function opOrRaxI(cpu: X86Cpu, insn: DecodedInsn): void {
  raxI(cpu, insn, aluOr, true);
}
/** 14/15: adc AL/rAX, imm. */
export function opAdcRaxI(cpu: X86Cpu, insn: DecodedInsn): void {
  raxI(cpu, insn, aluAdc, true);
}
/** 1C/1D: sbb AL/rAX, imm. */
export function opSbbRaxI(cpu: X86Cpu, insn: DecodedInsn): void {
  raxI(cpu, insn, aluSbb, true);
}
/** 24/25: and AL/rAX, imm. */
export function opAndRaxI(cpu: X86Cpu, insn: DecodedInsn): void {
  raxI(cpu, insn, aluAnd, true);
}
/** 2C/2D: sub AL/rAX, imm. */
export function opSubRaxI(cpu: X86Cpu, insn: DecodedInsn): void {
  raxI(cpu, insn, aluSub, true);
}
/** 34/35: xor AL/rAX, imm. */
export function opXorRaxI(cpu: X86Cpu, insn: DecodedInsn): void {
  raxI(cpu, insn, aluXor, true);
}
/** 3C/3D: cmp AL/rAX, imm. */
export function opCmpRaxI(cpu: X86Cpu, insn: DecodedInsn): void {
  raxI(cpu, insn, aluSub, false);
}

/** 80–83 /0: add r/m, imm. */
export function opAddEvI(cpu: X86Cpu, insn: DecodedInsn): void {
  toE(cpu, insn, aluAdd, true, insn.imm, insn.immHi);
}
/** 80–83 /1: or r/m, imm. */
export function opOrEvI(cpu: X86Cpu, insn: DecodedInsn): void {
  toE(cpu, insn, aluOr, true, insn.imm, insn.immHi);
}
/** 80–83 /2: adc r/m, imm. */
export function opAdcEvI(cpu: X86Cpu, insn: DecodedInsn): void {
  toE(cpu, insn, aluAdc, true, insn.imm, insn.immHi);
}
/** 80–83 /3: sbb r/m, imm. */
export function opSbbEvI(cpu: X86Cpu, insn: DecodedInsn): void {
  toE(cpu, insn, aluSbb, true, insn.imm, insn.immHi);
}
/** 80–83 /4: and r/m, imm. */
export function opAndEvI(cpu: X86Cpu, insn: DecodedInsn): void {
  toE(cpu, insn, aluAnd, true, insn.imm, insn.immHi);
}
/** 80–83 /5: sub r/m, imm. */
export function opSubEvI(cpu: X86Cpu, insn: DecodedInsn): void {
  toE(cpu, insn, aluSub, true, insn.imm, insn.immHi);
}
/** 80–83 /6: xor r/m, imm. */
export function opXorEvI(cpu: X86Cpu, insn: DecodedInsn): void {
  toE(cpu, insn, aluXor, true, insn.imm, insn.immHi);
}
/** 80–83 /7: cmp r/m, imm. */
export function opCmpEvI(cpu: X86Cpu, insn: DecodedInsn): void {
  toE(cpu, insn, aluSub, false, insn.imm, insn.immHi);
}

// ---------------------------------------------------------------------------
// TEST (AND without the write)

function test(cpu: X86Cpu, w: number, a: number, ah: number, b: number, bh: number): void {
  record(cpu, LF_LOGIC, w, a, ah, b, bh, (a & b) >>> 0, (ah & bh) >>> 0);
}

/** 84/85: test r/m, reg. */
export function opTestEvGv(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const regs = cpu.regs;
  const g = insn.reg;
  if (w >= 2 && insn.mod === 3) {
    const rm = insn.rm;
    test(
      cpu,
      w,
      regs[rm << 1],
      w === 3 ? regs[(rm << 1) | 1] : 0,
      regs[g << 1],
      w === 3 ? regs[(g << 1) | 1] : 0,
    );
    return;
  }
  const a = readE(cpu, insn, w);
  const ah = w === 3 ? regs[OP_HI] : 0;
  const b = readReg(cpu, insn, g, w);
  test(cpu, w, a, ah, b, w === 3 ? regs[OP_HI] : 0);
}

/** A8/A9: test AL/rAX, imm. */
export function opTestRaxI(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const a = readReg(cpu, insn, RAX, w);
  test(cpu, w, a, w === 3 ? cpu.regs[OP_HI] : 0, insn.imm, insn.immHi);
}

/** F6/F7 /0, /1: test r/m, imm. */
export function opTestEvI(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const a = readE(cpu, insn, w);
  test(cpu, w, a, w === 3 ? cpu.regs[OP_HI] : 0, insn.imm, insn.immHi);
}
