// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * String instructions MOVS/CMPS/STOS/LODS/SCAS with REP/REPE/REPNE. Each
 * iteration commits on its own, so a fault mid-way leaves rCX/rSI/rDI
 * describing the iterations done and RIP at the instruction, as on
 * hardware. With EFLAGS.TF set only one iteration runs per step (the
 * single-step trap comes after each iteration, RIP staying on the
 * instruction until rCX runs out).
 *
 * @module
 */

import type { X86Cpu } from "./cpu.ts";
import type { DecodedInsn } from "./decode.ts";
import { getZf } from "./flags.ts";
import { ALU_OPS } from "./alu.ts";
import { readMem, readReg, writeMem, writeReg } from "./modrm.ts";
import {
  BRANCH_RIP,
  EA_HI,
  EA_LO,
  FLAG_DF,
  FLAG_TF,
  OP_HI,
  RAX,
  RCX,
  RDI,
  RIP_HI,
  RIP_LO,
  RSI,
} from "./regs.ts";

const TWO32 = 4294967296;
const INV32 = 1 / TWO32;
const PREFIX_F2 = 4;
const PREFIX_F3 = 8;
/** Iterations run before a REP instruction yields (it resumes at the next step). */
const REP_CHUNK = 1 << 20;

const KIND_MOVS = 0;
const KIND_CMPS = 1;
const KIND_STOS = 2;
const KIND_LODS = 3;
const KIND_SCAS = 4;

// Address of string register r at the address size, into cpu.regs[EA_HI]/eaLo.
function strAddr(cpu: X86Cpu, r: number, asz: number, seg: number): void {
  const regs = cpu.regs;
  if (asz === 8) {
    cpu.regs[EA_LO] = regs[r << 1];
    cpu.regs[EA_HI] = regs[(r << 1) | 1];
  } else {
    cpu.regs[EA_LO] = asz === 4 ? regs[r << 1] : cpu.regs16[r << 2];
    cpu.regs[EA_HI] = 0;
  }
  if (seg >= 4) {
    const s = cpu.regs[EA_LO] + (seg === 5 ? cpu.gsBaseLo : cpu.fsBaseLo);
    const l = s >>> 0;
    cpu.regs[EA_LO] = l;
    cpu.regs[EA_HI] = cpu.mode === 64
      ? (cpu.regs[EA_HI] + (seg === 5 ? cpu.gsBaseHi : cpu.fsBaseHi) + (s - l) * INV32) >>> 0
      : 0;
  }
}

function advance(cpu: X86Cpu, r: number, asz: number, delta: number): void {
  const regs = cpu.regs;
  if (asz === 8) {
    const s = regs[r << 1] + delta;
    const l = s >>> 0;
    regs[r << 1] = l;
    regs[(r << 1) | 1] = (regs[(r << 1) | 1] + (s - l) * INV32) >>> 0;
  } else if (asz === 4) {
    regs[r << 1] = (regs[r << 1] + delta) >>> 0;
    if (cpu.mode === 64) regs[(r << 1) | 1] = 0;
  } else {
    cpu.regs16[r << 2] = (cpu.regs16[r << 2] + delta) & 0xffff;
  }
}

function countIsZero(cpu: X86Cpu, asz: number): boolean {
  const regs = cpu.regs;
  if (asz === 8) return regs[RCX << 1] === 0 && regs[(RCX << 1) | 1] === 0;
  if (asz === 4) return regs[RCX << 1] === 0;
  return cpu.regs16[RCX << 2] === 0;
}

// One iteration; returns false if a REPE/REPNE condition ends the loop.
function iterate(cpu: X86Cpu, insn: DecodedInsn, kind: number, delta: number): void {
  const w = insn.width;
  const asz = insn.addrsize;
  const srcSeg = insn.segment;
  switch (kind) {
    case KIND_MOVS: {
      strAddr(cpu, RSI, asz, srcSeg);
      const v = readMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], w);
      const vh = cpu.regs[OP_HI];
      strAddr(cpu, RDI, asz, -1);
      writeMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], w, v, vh);
      advance(cpu, RSI, asz, delta);
      advance(cpu, RDI, asz, delta);
      return;
    }
    case KIND_CMPS: {
      strAddr(cpu, RSI, asz, srcSeg);
      const a = readMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], w);
      const ah = w === 3 ? cpu.regs[OP_HI] : 0;
      strAddr(cpu, RDI, asz, -1);
      const b = readMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], w);
      const bh = w === 3 ? cpu.regs[OP_HI] : 0;
      ALU_OPS[7](cpu, w, a, ah, b, bh);
      advance(cpu, RSI, asz, delta);
      advance(cpu, RDI, asz, delta);
      return;
    }
    case KIND_STOS: {
      const v = readReg(cpu, insn, RAX, w);
      strAddr(cpu, RDI, asz, -1);
      writeMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], w, v, w === 3 ? cpu.regs[1] : 0);
      advance(cpu, RDI, asz, delta);
      return;
    }
    case KIND_LODS: {
      strAddr(cpu, RSI, asz, srcSeg);
      const v = readMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], w);
      writeReg(cpu, insn, RAX, w, v, cpu.regs[OP_HI]);
      advance(cpu, RSI, asz, delta);
      return;
    }
    default: {
      strAddr(cpu, RDI, asz, -1);
      const b = readMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], w);
      const bh = w === 3 ? cpu.regs[OP_HI] : 0;
      const a = readReg(cpu, insn, RAX, w);
      ALU_OPS[7](cpu, w, a, w === 3 ? cpu.regs[1] : 0, b, bh);
      advance(cpu, RDI, asz, delta);
    }
  }
}

function stringOp(cpu: X86Cpu, insn: DecodedInsn, kind: number): void {
  const size = 1 << insn.width;
  const delta = (cpu.flagsBase & FLAG_DF) !== 0 ? -size : size;
  const rep = insn.prefixes & (PREFIX_F2 | PREFIX_F3);
  if (rep === 0) {
    iterate(cpu, insn, kind, delta);
    return;
  }
  const asz = insn.addrsize;
  const conditional = kind === KIND_CMPS || kind === KIND_SCAS;
  const stepOne = (cpu.flagsBase & FLAG_TF) !== 0;
  for (let n = 0;; n++) {
    if (countIsZero(cpu, asz)) return;
    if (n === (stepOne ? 1 : REP_CHUNK)) {
      // Not done: stay on this instruction and continue at the next step.
      cpu.regs[RIP_LO] = insn.addrLo;
      cpu.regs[RIP_HI] = insn.addrHi;
      cpu.branch = BRANCH_RIP;
      return;
    }
    iterate(cpu, insn, kind, delta);
    advance(cpu, RCX, asz, -1);
    if (conditional && (getZf(cpu.lf) === 1) === (rep === PREFIX_F2)) return;
  }
}

/** A4/A5: movs. */
export function opMovs(cpu: X86Cpu, insn: DecodedInsn): void {
  stringOp(cpu, insn, KIND_MOVS);
}

/** A6/A7: cmps. */
export function opCmps(cpu: X86Cpu, insn: DecodedInsn): void {
  stringOp(cpu, insn, KIND_CMPS);
}

/** AA/AB: stos. */
export function opStos(cpu: X86Cpu, insn: DecodedInsn): void {
  stringOp(cpu, insn, KIND_STOS);
}

/** AC/AD: lods. */
export function opLods(cpu: X86Cpu, insn: DecodedInsn): void {
  stringOp(cpu, insn, KIND_LODS);
}

/** AE/AF: scas. */
export function opScas(cpu: X86Cpu, insn: DecodedInsn): void {
  stringOp(cpu, insn, KIND_SCAS);
}
