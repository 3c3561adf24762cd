// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The one-operand ALU forms and the exchanging ones: INC/DEC (CF kept),
 * NOT/NEG, group 3's dispatch (TEST, NOT, NEG, then MUL…IDIV in
 * `muldiv.ts`) and group 4, then XADD and CMPXCHG/CMPXCHG8B/CMPXCHG16B.
 * XADD, NEG and CMPXCHG compute through `alu.ts`'s ADD and SUB
 * (`ALU_OPS[0]`, `ALU_OPS[5]`), bound to module constants so they stay
 * direct, inlinable calls. Memory destinations are probed writable before
 * anything changes.
 *
 * @module
 */

import type { X86Cpu } from "./cpu.ts";
import type { DecodedInsn } from "./decode.ts";
import { ALU_OPS, opTestEvI } from "./alu.ts";
import {
  getArithFlags,
  getCf,
  LAZY_CF,
  LF_DEC,
  LF_INC,
  recordLazy,
  setArithFlags,
  WIDTH_MASK,
} from "./flags.ts";
import {
  beginRmw,
  computeEa,
  probeWrite,
  readMem,
  readReg,
  rmwRead,
  rmwWrite,
  writeMem,
  writeReg,
} from "./modrm.ts";
import { opMulDivEv } from "./muldiv.ts";
import { EA_HI, EA_LO, FLAG_ZF, OP_HI, RAX, RBX, RCX, RDX, RES_HI } from "./regs.ts";
import { raise } from "./traps.ts";

const TWO32 = 4294967296;

// ADD and SUB with their flags (XADD, NEG, CMPXCHG), bound once to module
// constants so V8 calls them directly, as alu.ts's handlers do.
const aluAdd = ALU_OPS[0];
const aluSub = ALU_OPS[5];

// As alu.ts's: record the lazy flags; keep a 64-bit result's high half.
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

// ---------------------------------------------------------------------------
// INC/DEC, NOT/NEG, groups 3 and 4

function incDec(cpu: X86Cpu, w: number, a: number, ah: number, dec: boolean): number {
  const cf = getCf(cpu.lf);
  let r: number;
  let rh = 0;
  if (w === 3) {
    const s = dec ? a - 1 : a + 1;
    r = s >>> 0;
    rh = (ah + (s < 0 ? -1 : s >= TWO32 ? 1 : 0)) >>> 0;
  } else r = ((dec ? a - 1 : a + 1) & WIDTH_MASK[w]) >>> 0;
  record(cpu, dec ? LF_DEC : LF_INC, w, a, ah, 1, 0, r, rh);
  cpu.lf[LAZY_CF] = cf;
  return r;
}

/** 40+r/48+r (protected mode): inc/dec r. */
export function opIncDecZv(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const r = insn.rm;
  const v = incDec(cpu, w, readReg(cpu, insn, r, w), 0, (insn.opcode & 8) !== 0);
  writeReg(cpu, insn, r, w, v, 0);
}

function incDecE(cpu: X86Cpu, insn: DecodedInsn, dec: boolean): void {
  const w = insn.width;
  const regs = cpu.regs;
  if (insn.mod === 3 && w >= 2) {
    const rm = insn.rm;
    regs[rm << 1] = incDec(cpu, w, regs[rm << 1], w === 3 ? regs[(rm << 1) | 1] : 0, dec);
    regs[(rm << 1) | 1] = w === 3 ? regs[RES_HI] : 0;
    return;
  }
  const off = beginRmw(cpu, insn, w);
  const a = rmwRead(cpu, insn, w, off);
  const r = incDec(cpu, w, a, w === 3 ? regs[OP_HI] : 0, dec);
  rmwWrite(cpu, insn, w, off, r, regs[RES_HI]);
}

/** FE/FF /0: inc r/m. */
export function opIncEv(cpu: X86Cpu, insn: DecodedInsn): void {
  incDecE(cpu, insn, false);
}

/** FE/FF /1: dec r/m. */
export function opDecEv(cpu: X86Cpu, insn: DecodedInsn): void {
  incDecE(cpu, insn, true);
}

/** F6/F7 /2: not r/m (no flags). */
export function opNotEv(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const off = beginRmw(cpu, insn, w);
  const a = rmwRead(cpu, insn, w, off);
  const ah = w === 3 ? cpu.regs[OP_HI] : 0;
  rmwWrite(cpu, insn, w, off, (~a & WIDTH_MASK[w]) >>> 0, w === 3 ? ~ah >>> 0 : 0);
}

/** F6/F7 /3: neg r/m (0 − r/m). */
export function opNegEv(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const off = beginRmw(cpu, insn, w);
  const a = rmwRead(cpu, insn, w, off);
  const r = aluSub(cpu, w, 0, 0, a, w === 3 ? cpu.regs[OP_HI] : 0);
  rmwWrite(cpu, insn, w, off, r, cpu.regs[RES_HI]);
}

/** F6/F7: group 3 (test, not, neg, mul, imul, div, idiv) by ModRM.reg. */
export function opGrp3Ev(cpu: X86Cpu, insn: DecodedInsn): void {
  const op = insn.reg & 7;
  if (op <= 1) opTestEvI(cpu, insn);
  else if (op === 2) opNotEv(cpu, insn);
  else if (op === 3) opNegEv(cpu, insn);
  else opMulDivEv(cpu, insn);
}

/** FE: group 4 (inc/dec r/m8). */
export function opGrp4Eb(cpu: X86Cpu, insn: DecodedInsn): void {
  const op = insn.reg & 7;
  if (op > 1) raise(cpu, 6, 0);
  incDecE(cpu, insn, op === 1);
}

// ---------------------------------------------------------------------------
// Atomics (one CPU runs at a time: atomic by construction)

/** 0F C0/C1: xadd r/m, reg. */
export function opXadd(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const off = beginRmw(cpu, insn, w);
  const d = rmwRead(cpu, insn, w, off);
  const dh = w === 3 ? cpu.regs[OP_HI] : 0;
  const s = readReg(cpu, insn, insn.reg, w);
  const sh = w === 3 ? cpu.regs[OP_HI] : 0;
  const r = aluAdd(cpu, w, d, dh, s, sh);
  const rh = cpu.regs[RES_HI];
  writeReg(cpu, insn, insn.reg, w, d, dh);
  rmwWrite(cpu, insn, w, off, r, rh);
}

/** 0F B0/B1: cmpxchg r/m, reg. */
export function opCmpxchg(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const off = beginRmw(cpu, insn, w);
  const d = rmwRead(cpu, insn, w, off);
  const dh = w === 3 ? cpu.regs[OP_HI] : 0;
  const a = readReg(cpu, insn, RAX, w);
  const ah = w === 3 ? cpu.regs[OP_HI] : 0;
  aluSub(cpu, w, a, ah, d, dh);
  if (a === d && ah === dh) {
    const s = readReg(cpu, insn, insn.reg, w);
    rmwWrite(cpu, insn, w, off, s, w === 3 ? cpu.regs[OP_HI] : 0);
  } else {
    // The destination is written back unchanged (memory), then rAX loads it.
    if (off !== -2) rmwWrite(cpu, insn, w, off, d, dh);
    writeReg(cpu, insn, RAX, w, d, dh);
  }
}

/**
 * 0F C7 /1: cmpxchg8b m64 / cmpxchg16b m128 (REX.W; 16-byte aligned).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function cmpxchg8b(cpu: X86Cpu, insn: DecodedInsn): void {
  computeEa(cpu, insn);
  const wide = (insn.rex & 8) !== 0;
  const regs = cpu.regs;
  const eaLo = regs[EA_LO];
  const eaHi = regs[EA_HI];
  if (wide && (eaLo & 15) !== 0) raise(cpu, 13, 0);
  // Probe the whole operand writable first.
  probeWrite(cpu, eaHi, eaLo, wide ? 16 : 8);
  const f = getArithFlags(cpu.lf) & ~FLAG_ZF;
  if (!wide) {
    const lo = readMem(cpu, eaHi, eaLo, 3);
    const hi = regs[OP_HI];
    if (lo === regs[RAX << 1] && hi === regs[RDX << 1]) {
      writeMem(cpu, eaHi, eaLo, 3, regs[RBX << 1], regs[RCX << 1]);
      setArithFlags(cpu.lf, f | FLAG_ZF);
    } else {
      regs[RAX << 1] = lo;
      regs[(RAX << 1) | 1] = 0;
      regs[RDX << 1] = hi;
      regs[(RDX << 1) | 1] = 0;
      setArithFlags(cpu.lf, f);
    }
    return;
  }
  const q0 = readMem(cpu, eaHi, eaLo, 3);
  const q0h = regs[OP_HI];
  const q1 = readMem(cpu, eaHi, (eaLo + 8) >>> 0, 3);
  const q1h = regs[OP_HI];
  if (q0 === regs[0] && q0h === regs[1] && q1 === regs[4] && q1h === regs[5]) {
    writeMem(cpu, eaHi, eaLo, 3, regs[6], regs[7]);
    writeMem(cpu, eaHi, (eaLo + 8) >>> 0, 3, regs[2], regs[3]);
    setArithFlags(cpu.lf, f | FLAG_ZF);
  } else {
    regs[0] = q0;
    regs[1] = q0h;
    regs[4] = q1;
    regs[5] = q1h;
    setArithFlags(cpu.lf, f);
  }
}
