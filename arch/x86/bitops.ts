// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Bit instructions: BT/BTS/BTR/BTC (register and imm8 offsets, bit strings
 * in memory addressed by a signed register offset), BSF/BSR, TZCNT/LZCNT
 * (F3) and POPCNT.
 *
 * @module
 */

import type { X86Cpu } from "./cpu.ts";
import type { DecodedInsn } from "./decode.ts";
import { getArithFlags, setArithFlags } from "./flags.ts";
import { computeEa, readE, readMem, readReg, writeMem, writeReg } from "./modrm.ts";
import { EA_HI, EA_LO, FLAG_CF, FLAG_ZF, OP_HI } from "./regs.ts";
import { bit64 } from "./shift.ts";
import { raise } from "./traps.ts";

const TWO32 = 4294967296;
const INV32 = 1 / TWO32;
const BITS = [8, 16, 32, 64];

function setCfOnly(cpu: X86Cpu, cf: number): void {
  setArithFlags(cpu.lf, (getArithFlags(cpu.lf) & ~FLAG_CF) | cf);
}

function bitOp(
  cpu: X86Cpu,
  insn: DecodedInsn,
  kind: number,
  offLo: number,
  offHi: number,
  fromReg: boolean,
): void {
  const w = insn.width;
  const bits = BITS[w];
  const bit = offLo & (bits - 1);
  if (insn.mod === 3) {
    const a = readReg(cpu, insn, insn.rm, w);
    const ah = w === 3 ? cpu.regs[OP_HI] : 0;
    const cf = w === 3 ? bit64(a, ah, bit) : (a >>> bit) & 1;
    setCfOnly(cpu, cf);
    if (kind === 0) return;
    let r = a;
    let rh = ah;
    const m = bit < 32 ? (1 << bit) >>> 0 : 0;
    const mh = bit >= 32 ? (1 << (bit - 32)) >>> 0 : 0;
    if (kind === 1) {
      r = (r | m) >>> 0;
      rh = (rh | mh) >>> 0;
    } else if (kind === 2) {
      r = (r & ~m) >>> 0;
      rh = (rh & ~mh) >>> 0;
    } else {
      r = (r ^ m) >>> 0;
      rh = (rh ^ mh) >>> 0;
    }
    writeReg(cpu, insn, insn.rm, w, r, rh);
    return;
  }
  computeEa(cpu, insn);
  if (fromReg) {
    // Signed bit offset selects the operand-sized unit relative to the address.
    const signed = w === 3
      ? (offHi | 0) * TWO32 + offLo
      : w === 2
      ? offLo | 0
      : (offLo << 16) >> 16;
    const unit = Math.floor(signed / bits) * (bits / 8);
    const s = cpu.regs[EA_LO] + unit;
    const l = s >>> 0;
    cpu.regs[EA_HI] = insn.addrsize === 8
      ? (cpu.regs[EA_HI] + Math.floor((s - l) * INV32)) >>> 0
      : 0;
    cpu.regs[EA_LO] = l;
  }
  // Operate on the byte holding the bit: same result, narrower access.
  const byteOff = bit >>> 3;
  const s = cpu.regs[EA_LO] + byteOff;
  const lo = s >>> 0;
  const hi = (cpu.regs[EA_HI] + (s - lo) * INV32) >>> 0;
  const b = bit & 7;
  if (kind === 0) {
    setCfOnly(cpu, (readMem(cpu, hi, lo, 0) >>> b) & 1);
    return;
  }
  const v = readMem(cpu, hi, lo, 0);
  const nv = kind === 1 ? v | (1 << b) : kind === 2 ? v & ~(1 << b) : v ^ (1 << b);
  writeMem(cpu, hi, lo, 0, nv & 0xff, 0);
  setCfOnly(cpu, (v >>> b) & 1);
}

/** 0F A3/AB/B3/BB: bt/bts/btr/btc r/m, reg. */
export function opBtEvGv(cpu: X86Cpu, insn: DecodedInsn): void {
  const op = insn.opcode;
  const kind = op === 0x1a3 ? 0 : op === 0x1ab ? 1 : op === 0x1b3 ? 2 : 3;
  const v = readReg(cpu, insn, insn.reg, insn.width);
  bitOp(cpu, insn, kind, v, insn.width === 3 ? cpu.regs[OP_HI] : 0, true);
}

/** 0F BA: group 8, bt/bts/btr/btc r/m, imm8. */
export function opGrp8EvIb(cpu: X86Cpu, insn: DecodedInsn): void {
  const r = insn.reg & 7;
  if (r < 4) raise(cpu, 6, 0);
  bitOp(cpu, insn, r - 4, insn.imm, 0, false);
}

function ctz64(a: number, ah: number): number {
  if (a !== 0) return 31 - Math.clz32(a & -a);
  return 32 + (31 - Math.clz32(ah & -ah));
}

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** 0F BC/BD: bsf/bsr, and with F3 tzcnt/lzcnt. */
export function opBitScan(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const a = readE(cpu, insn, w);
  const ah = w === 3 ? cpu.regs[OP_HI] : 0;
  const bits = BITS[w];
  const forward = insn.opcode === 0x1bc;
  const zero = a === 0 && ah === 0;
  let idx: number;
  if (zero) idx = -1;
  else if (forward) idx = ctz64(a, ah);
  else idx = ah !== 0 ? 63 - Math.clz32(ah) : 31 - Math.clz32(a);
  if ((insn.prefixes & 8) !== 0) {
    // tzcnt / lzcnt
    const r = zero ? bits : forward ? idx : bits - 1 - idx;
    writeReg(cpu, insn, insn.reg, w, r, 0);
    const f = getArithFlags(cpu.lf) & ~(FLAG_CF | FLAG_ZF);
    setArithFlags(cpu.lf, f | (zero ? FLAG_CF : 0) | (r === 0 ? FLAG_ZF : 0));
    return;
  }
  const f = getArithFlags(cpu.lf) & ~FLAG_ZF;
  if (zero) {
    setArithFlags(cpu.lf, f | FLAG_ZF);
    return;
  }
  setArithFlags(cpu.lf, f);
  writeReg(cpu, insn, insn.reg, w, idx, 0);
}

/** F3 0F B8: popcnt. */
export function opPopcnt(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const a = readE(cpu, insn, w);
  const ah = w === 3 ? cpu.regs[OP_HI] : 0;
  const n = popcount32(a) + popcount32(ah);
  writeReg(cpu, insn, insn.reg, w, n, 0);
  setArithFlags(cpu.lf, n === 0 ? FLAG_ZF : 0);
}
