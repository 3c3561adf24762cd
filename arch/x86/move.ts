// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Data movement: MOV (all forms incl. moffs and `movabs`), MOVZX, MOVSX,
 * MOVSXD, LEA, XCHG (incl. NOP/PAUSE at 90), CMOVcc, SETcc, BSWAP, XLAT,
 * segment-register moves.
 *
 * @module
 */

import type { X86Cpu } from "./cpu.ts";
import type { DecodedInsn } from "./decode.ts";
import { testCc } from "./flags.ts";
import {
  beginRmw,
  computeEa,
  computeEaNoSegment,
  readE,
  readMem,
  readReg,
  reg8Index,
  rmwRead,
  rmwWrite,
  writeE,
  writeMem,
  writeReg,
} from "./modrm.ts";
import { EA_HI, EA_LO, OP_HI, RAX, RBX } from "./regs.ts";
import { loadSegment } from "./stack.ts";
import { raise } from "./traps.ts";

/** 88/89: mov r/m, reg. */
export function opMovEvGv(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const g = insn.reg;
  const regs = cpu.regs;
  if (insn.mod === 3) {
    const rm = insn.rm;
    if (w === 3) {
      regs[rm << 1] = regs[g << 1];
      regs[(rm << 1) | 1] = regs[(g << 1) | 1];
    } else if (w === 2) {
      regs[rm << 1] = regs[g << 1];
      regs[(rm << 1) | 1] = 0;
    } else writeReg(cpu, insn, rm, w, readReg(cpu, insn, g, w), 0);
    return;
  }
  computeEa(cpu, insn);
  if (w >= 2) writeMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], w, regs[g << 1], regs[(g << 1) | 1]);
  else writeMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], w, readReg(cpu, insn, g, w), 0);
}

/** 8A/8B: mov reg, r/m. */
export function opMovGvEv(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const g = insn.reg;
  const regs = cpu.regs;
  if (w === 3) {
    let lo: number;
    let hi: number;
    if (insn.mod === 3) {
      lo = regs[insn.rm << 1];
      hi = regs[(insn.rm << 1) | 1];
    } else {
      computeEa(cpu, insn);
      lo = readMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], 3);
      hi = cpu.regs[OP_HI];
    }
    regs[g << 1] = lo;
    regs[(g << 1) | 1] = hi;
    return;
  }
  const v = readE(cpu, insn, w);
  writeReg(cpu, insn, g, w, v, 0);
}

/** C6/C7 /0: mov r/m, imm. */
export function opMovEvI(cpu: X86Cpu, insn: DecodedInsn): void {
  if ((insn.reg & 7) !== 0) raise(cpu, 6, 0);
  if (insn.mod !== 3) computeEa(cpu, insn);
  writeE(cpu, insn, insn.width, insn.imm, insn.immHi);
}

/** B0+r: mov r8, imm8. */
export function opMovZbIb(cpu: X86Cpu, insn: DecodedInsn): void {
  cpu.regs8[reg8Index(insn, insn.rm)] = insn.imm;
}

/** B8+r: mov r, imm (movabs with REX.W). */
export function opMovZvIv(cpu: X86Cpu, insn: DecodedInsn): void {
  writeReg(cpu, insn, insn.rm, insn.width, insn.imm, insn.immHi);
}

/** A0–A3: mov AL/rAX to or from an absolute offset. */
export function opMovMoffs(cpu: X86Cpu, insn: DecodedInsn): void {
  cpu.regs[EA_LO] = insn.imm;
  cpu.regs[EA_HI] = insn.addrsize === 8 ? insn.immHi : 0;
  if (insn.segment >= 4) {
    const base = insn.segment === 5 ? cpu.gsBaseLo : cpu.fsBaseLo;
    const baseHi = insn.segment === 5 ? cpu.gsBaseHi : cpu.fsBaseHi;
    const s = cpu.regs[EA_LO] + base;
    cpu.regs[EA_LO] = s >>> 0;
    cpu.regs[EA_HI] = (cpu.regs[EA_HI] + baseHi + (s >= 4294967296 ? 1 : 0)) >>> 0;
  }
  const w = insn.width;
  if ((insn.opcode & 2) === 0) {
    const v = readMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], w);
    writeReg(cpu, insn, RAX, w, v, cpu.regs[OP_HI]);
  } else {
    const v = readReg(cpu, insn, RAX, w);
    writeMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], w, v, w === 3 ? cpu.regs[OP_HI] : 0);
  }
}

/** 8D: lea reg, m. */
export function opLeaGvM(cpu: X86Cpu, insn: DecodedInsn): void {
  computeEaNoSegment(cpu, insn); // segment overrides do not apply to lea
  writeReg(cpu, insn, insn.reg, insn.width, cpu.regs[EA_LO], cpu.regs[EA_HI]);
}

/** 0F B6/B7: movzx reg, r/m8/16. */
export function opMovzx(cpu: X86Cpu, insn: DecodedInsn): void {
  const v = readE(cpu, insn, insn.opcode === 0x1b6 ? 0 : 1);
  writeReg(cpu, insn, insn.reg, insn.width, v, 0);
}

/** 0F BE/BF: movsx reg, r/m8/16. */
export function opMovsx(cpu: X86Cpu, insn: DecodedInsn): void {
  const byte = insn.opcode === 0x1be;
  const v = readE(cpu, insn, byte ? 0 : 1);
  const s = byte ? (v << 24) >> 24 : (v << 16) >> 16;
  const w = insn.width;
  writeReg(cpu, insn, insn.reg, w, w === 1 ? s & 0xffff : s >>> 0, s < 0 ? 0xffffffff : 0);
}

/** 63: movsxd reg, r/m32. */
export function opMovsxd(cpu: X86Cpu, insn: DecodedInsn): void {
  const v = readE(cpu, insn, 2);
  const w = insn.width;
  if (w === 3) writeReg(cpu, insn, insn.reg, 3, v, (v & 0x80000000) !== 0 ? 0xffffffff : 0);
  else writeReg(cpu, insn, insn.reg, w, w === 1 ? v & 0xffff : v, 0);
}

/** 86/87: xchg r/m, reg. */
export function opXchgEvGv(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const off = beginRmw(cpu, insn, w);
  const a = rmwRead(cpu, insn, w, off);
  const ah = w === 3 ? cpu.regs[OP_HI] : 0;
  const b = readReg(cpu, insn, insn.reg, w);
  const bh = w === 3 ? cpu.regs[OP_HI] : 0;
  rmwWrite(cpu, insn, w, off, b, bh);
  writeReg(cpu, insn, insn.reg, w, a, ah);
}

/** 90+r: xchg r, rAX (90 without REX.B is nop/pause). */
export function opXchgZvRax(cpu: X86Cpu, insn: DecodedInsn): void {
  const r = insn.rm;
  if (r === RAX) return;
  const w = insn.width;
  const a = readReg(cpu, insn, r, w);
  const ah = cpu.regs[OP_HI];
  const b = readReg(cpu, insn, RAX, w);
  const bh = cpu.regs[OP_HI];
  writeReg(cpu, insn, r, w, b, bh);
  writeReg(cpu, insn, RAX, w, a, ah);
}

/** 0F 40–4F: cmovcc reg, r/m (the source is read even if false). */
export function opCmovcc(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const v = readE(cpu, insn, w);
  const vh = w === 3 ? cpu.regs[OP_HI] : 0;
  if (testCc(cpu.lf, insn.cc)) writeReg(cpu, insn, insn.reg, w, v, vh);
  else if (w === 2) cpu.regs[(insn.reg << 1) | 1] = 0; // 32-bit cmov zero-extends regardless
}

/** 0F 90–9F: setcc r/m8. */
export function opSetcc(cpu: X86Cpu, insn: DecodedInsn): void {
  if (insn.mod !== 3) computeEa(cpu, insn);
  writeE(cpu, insn, 0, testCc(cpu.lf, insn.cc) ? 1 : 0, 0);
}

function sw(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** 0F C8+r: bswap r32/r64. */
export function opBswap(cpu: X86Cpu, insn: DecodedInsn): void {
  const r = insn.rm;
  const regs = cpu.regs;
  const lo = regs[r << 1];
  if (insn.width === 3) {
    const hi = regs[(r << 1) | 1];
    regs[r << 1] = sw(hi);
    regs[(r << 1) | 1] = sw(lo);
  } else if (insn.width === 2) {
    regs[r << 1] = sw(lo);
    regs[(r << 1) | 1] = 0;
  } else {
    cpu.regs16[r << 2] = 0; // 16-bit bswap is undefined; hardware clears it
  }
}

/** D7: xlat (AL = [rBX + AL]). */
export function opXlat(cpu: X86Cpu, insn: DecodedInsn): void {
  const s = cpu.regs[RBX << 1] + cpu.regs8[0];
  const lo = s >>> 0;
  const hi = insn.addrsize === 8 ? (cpu.regs[(RBX << 1) | 1] + (s >= 4294967296 ? 1 : 0)) >>> 0 : 0;
  cpu.regs8[0] = readMem(cpu, hi, insn.addrsize === 2 ? lo & 0xffff : lo, 0);
}

/** 8C: mov r/m, Sreg. */
export function opMovEvSw(cpu: X86Cpu, insn: DecodedInsn): void {
  const seg = insn.reg & 7;
  if (seg > 5) raise(cpu, 6, 0);
  const v = cpu.sreg[seg];
  if (insn.mod === 3) writeReg(cpu, insn, insn.rm, insn.width, v, 0);
  else {
    computeEa(cpu, insn);
    writeMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], 1, v, 0);
  }
}

/** 8E: mov Sreg, r/m16 (mov ss sets the interrupt shadow). */
export function opMovSwEw(cpu: X86Cpu, insn: DecodedInsn): void {
  const seg = insn.reg & 7;
  if (seg > 5 || seg === 1) raise(cpu, 6, 0);
  const v = readE(cpu, insn, 1);
  loadSegment(cpu, seg, v);
  if (seg === 2) cpu.shadowTsc = cpu.clock[0] + 1;
}
