// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Shifts and rotates: group 2 (`/reg` ROL 0, ROR 1, RCL 2, RCR 3, SHL 4,
 * SHR 5, SAL 6, SAR 7) by imm8, 1 or CL, and SHLD/SHRD. Counts are masked
 * to 5 bits (6 for 64-bit operands); a zero count changes nothing.
 *
 * @module
 */

import type { X86Cpu } from "./cpu.ts";
import type { DecodedInsn } from "./decode.ts";
import { getArithFlags, getCf, setArithFlags, setResult, SIGN_SHIFT, WIDTH_MASK } from "./flags.ts";
import { beginRmw, readReg, rmwRead, rmwWrite } from "./modrm.ts";
import { FLAG_CF, FLAG_OF, OP_HI, RCX, RES_HI } from "./regs.ts";

const BITS = [8, 16, 32, 64];

/**
 * Shifts/rotates `(ah, a)` at width `w` by `count` (already masked) with
 * ModRM `/reg` operation `op`, recording flags; returns the low half,
 * high in `cpu.regs[RES_HI]`. A zero count leaves value and flags unchanged.
 *
 * @param cpu The CPU.
 * @param op ROL 0, ROR 1, RCL 2, RCR 3, SHL 4, SHR 5, SAL 6, SAR 7.
 * @param w Width 0–3.
 * @param a Low half.
 * @param ah High half.
 * @param count Shift count (masked to 5 or 6 bits).
 * @returns The result low half.
 */
export function shift(
  cpu: X86Cpu,
  op: number,
  w: number,
  a: number,
  ah: number,
  count: number,
): number {
  cpu.regs[RES_HI] = ah;
  if (count === 0) return a;
  if (w === 3) return shift64(cpu, op, a, ah, count);
  const bits = BITS[w];
  const mask = WIDTH_MASK[w];
  const ss = SIGN_SHIFT[w];
  let r: number;
  let cf: number;
  switch (op) {
    case 0: { // rol
      const c = count % bits;
      r = c === 0 ? a : (((a << c) | (a >>> (bits - c))) & mask) >>> 0;
      cf = r & 1;
      rotateFlags(cpu, cf, ((r >>> ss) & 1) ^ cf);
      return r;
    }
    case 1: { // ror
      const c = count % bits;
      r = c === 0 ? a : (((a >>> c) | (a << (bits - c))) & mask) >>> 0;
      cf = (r >>> ss) & 1;
      rotateFlags(cpu, cf, cf ^ ((r >>> (ss - 1)) & 1));
      return r;
    }
    case 2: { // rcl
      let c = count % (bits + 1);
      r = a;
      cf = getCf(cpu.lf);
      while (c-- > 0) {
        const out = (r >>> ss) & 1;
        r = (((r << 1) | cf) & mask) >>> 0;
        cf = out;
      }
      rotateFlags(cpu, cf, ((r >>> ss) & 1) ^ cf);
      return r;
    }
    case 3: { // rcr
      let c = count % (bits + 1);
      r = a;
      cf = getCf(cpu.lf);
      const of = ((a >>> ss) & 1) ^ cf;
      while (c-- > 0) {
        const out = r & 1;
        r = ((r >>> 1) | (cf << ss)) >>> 0;
        cf = out;
      }
      rotateFlags(cpu, cf, of);
      return r;
    }
    case 4:
    case 6: // shl/sal
      r = count < 32 ? ((a << count) & mask) >>> 0 : 0;
      cf = count <= bits ? (a >>> (bits - count)) & 1 : 0;
      setResult(cpu.lf, w, r, 0, cf, ((r >>> ss) & 1) ^ cf);
      return r;
    case 5: // shr
      r = a >>> count;
      cf = (a >>> (count - 1)) & 1;
      if (count > bits) cf = 0;
      setResult(cpu.lf, w, r, 0, cf, (a >>> ss) & 1);
      return r;
    default: { // sar
      const sa = (a << (31 - ss)) >> (31 - ss);
      r = ((sa >> Math.min(count, 31)) & mask) >>> 0;
      cf = (sa >> Math.min(count - 1, 31)) & 1;
      setResult(cpu.lf, w, r, 0, cf, 0);
      return r;
    }
  }
}

function rotateFlags(cpu: X86Cpu, cf: number, of: number): void {
  setArithFlags(cpu.lf, (getArithFlags(cpu.lf) & ~(FLAG_CF | FLAG_OF)) | cf | (of << 11));
}

/**
 * Logical left shift of a 64-bit value by 0–63; high half in `cpu.regs[RES_HI]`.
 *
 * @param cpu The CPU (scratch).
 * @param a Low half.
 * @param ah High half.
 * @param c Count 0–63.
 * @returns Low half.
 */
export function shl64(cpu: X86Cpu, a: number, ah: number, c: number): number {
  if (c === 0) {
    cpu.regs[RES_HI] = ah;
    return a;
  }
  if (c < 32) {
    cpu.regs[RES_HI] = ((ah << c) | (a >>> (32 - c))) >>> 0;
    return (a << c) >>> 0;
  }
  cpu.regs[RES_HI] = (a << (c - 32)) >>> 0;
  return 0;
}

/**
 * Right shift of a 64-bit value by 0–63 (arithmetic if `sar`); high half
 * in `cpu.regs[RES_HI]`.
 *
 * @param cpu The CPU (scratch).
 * @param a Low half.
 * @param ah High half.
 * @param c Count 0–63.
 * @param sar Arithmetic shift.
 * @returns Low half.
 */
export function shr64(cpu: X86Cpu, a: number, ah: number, c: number, sar: boolean): number {
  if (c === 0) {
    cpu.regs[RES_HI] = ah;
    return a;
  }
  if (c < 32) {
    cpu.regs[RES_HI] = sar ? (ah >> c) >>> 0 : ah >>> c;
    return ((a >>> c) | (ah << (32 - c))) >>> 0;
  }
  cpu.regs[RES_HI] = sar ? (ah >> 31) >>> 0 : 0;
  return sar ? (ah >> (c - 32)) >>> 0 : ah >>> (c - 32);
}

/**
 * Bit `i` (0–63) of a 64-bit value.
 *
 * @param a Low half.
 * @param ah High half.
 * @param i Bit index.
 * @returns 0 or 1.
 */
export function bit64(a: number, ah: number, i: number): number {
  return i < 32 ? (a >>> i) & 1 : (ah >>> (i - 32)) & 1;
}

function shift64(cpu: X86Cpu, op: number, a: number, ah: number, count: number): number {
  let r: number;
  let rh: number;
  let cf: number;
  switch (op) {
    case 0: { // rol
      const lo = shl64(cpu, a, ah, count);
      const hi = cpu.regs[RES_HI];
      const lo2 = shr64(cpu, a, ah, (64 - count) & 63, false);
      r = count === 0 ? a : (lo | lo2) >>> 0;
      rh = count === 0 ? ah : (hi | cpu.regs[RES_HI]) >>> 0;
      cf = r & 1;
      cpu.regs[RES_HI] = rh;
      rotateFlags(cpu, cf, (rh >>> 31) ^ cf);
      return r;
    }
    case 1: { // ror
      const lo = shr64(cpu, a, ah, count, false);
      const hi = cpu.regs[RES_HI];
      const lo2 = shl64(cpu, a, ah, (64 - count) & 63);
      r = (lo | lo2) >>> 0;
      rh = (hi | cpu.regs[RES_HI]) >>> 0;
      cf = rh >>> 31;
      cpu.regs[RES_HI] = rh;
      rotateFlags(cpu, cf, cf ^ ((rh >>> 30) & 1));
      return r;
    }
    case 2: // rcl
    case 3: { // rcr
      let c = count % 65;
      r = a;
      rh = ah;
      cf = getCf(cpu.lf);
      const of0 = (ah >>> 31) ^ cf;
      while (c-- > 0) {
        if (op === 2) {
          const out = rh >>> 31;
          rh = ((rh << 1) | (r >>> 31)) >>> 0;
          r = ((r << 1) | cf) >>> 0;
          cf = out;
        } else {
          const out = r & 1;
          r = ((r >>> 1) | (rh << 31)) >>> 0;
          rh = ((rh >>> 1) | (cf << 31)) >>> 0;
          cf = out;
        }
      }
      cpu.regs[RES_HI] = rh;
      rotateFlags(cpu, cf, op === 2 ? (rh >>> 31) ^ cf : of0);
      return r;
    }
    case 4:
    case 6:
      cf = bit64(a, ah, 64 - count);
      r = shl64(cpu, a, ah, count);
      rh = cpu.regs[RES_HI];
      setResult(cpu.lf, 3, r, rh, cf, (rh >>> 31) ^ cf);
      return r;
    case 5:
      cf = bit64(a, ah, count - 1);
      r = shr64(cpu, a, ah, count, false);
      setResult(cpu.lf, 3, r, cpu.regs[RES_HI], cf, ah >>> 31);
      return r;
    default:
      cf = bit64(a, ah, count - 1);
      r = shr64(cpu, a, ah, count, true);
      setResult(cpu.lf, 3, r, cpu.regs[RES_HI], cf, 0);
      return r;
  }
}

/** C0/C1, D0/D1, D2/D3: group 2 shifts and rotates by imm8, 1 or CL. */
export function opGrp2(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const op = insn.opcode;
  const raw = op <= 0xc1 ? insn.imm : op <= 0xd1 ? 1 : cpu.regs8[RCX << 3];
  const count = raw & (w === 3 ? 63 : 31);
  const off = beginRmw(cpu, insn, w);
  const a = rmwRead(cpu, insn, w, off);
  const ah = w === 3 ? cpu.regs[OP_HI] : 0;
  const r = shift(cpu, insn.reg & 7, w, a, ah, count);
  if (count !== 0) rmwWrite(cpu, insn, w, off, r, cpu.regs[RES_HI]);
}

/** 0F A4/A5 (shld) and 0F AC/AD (shrd) by imm8 or CL. */
export function opShxd(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const op = insn.opcode;
  const left = op <= 0x1a5;
  const raw = (op & 1) === 0 ? insn.imm : cpu.regs8[RCX << 3];
  const count = raw & (w === 3 ? 63 : 31);
  const off = beginRmw(cpu, insn, w);
  const d = rmwRead(cpu, insn, w, off);
  const dh = w === 3 ? cpu.regs[OP_HI] : 0;
  const s = readReg(cpu, insn, insn.reg, w);
  const sh = w === 3 ? cpu.regs[OP_HI] : 0;
  if (count === 0) return;
  let r: number;
  let rh = 0;
  let cf: number;
  if (w === 3) {
    if (left) {
      cf = bit64(d, dh, 64 - count);
      const lo = shl64(cpu, d, dh, count);
      const hi = cpu.regs[RES_HI];
      const lo2 = shr64(cpu, s, sh, (64 - count) & 63, false);
      r = (lo | lo2) >>> 0;
      rh = (hi | cpu.regs[RES_HI]) >>> 0;
    } else {
      cf = bit64(d, dh, count - 1);
      const lo = shr64(cpu, d, dh, count, false);
      const hi = cpu.regs[RES_HI];
      const lo2 = shl64(cpu, s, sh, (64 - count) & 63);
      r = (lo | lo2) >>> 0;
      rh = (hi | cpu.regs[RES_HI]) >>> 0;
    }
    setResult(cpu.lf, 3, r, rh, cf, ((rh ^ dh) >>> 31) & 1);
  } else {
    const ss = SIGN_SHIFT[w];
    if (w === 2) {
      if (left) {
        r = ((d << count) | (s >>> (32 - count))) >>> 0;
        cf = (d >>> (32 - count)) & 1;
      } else {
        r = ((d >>> count) | (s << (32 - count))) >>> 0;
        cf = (d >>> (count - 1)) & 1;
      }
    } else if (left) {
      // 16-bit: d:s fits a double exactly; counts above 16 are undefined.
      const shifted = (d * 65536 + s) * 2 ** count;
      r = Math.floor(shifted / 65536) % 65536;
      cf = count > 16 ? 0 : Math.floor(shifted / 2 ** 32) % 2;
    } else {
      const cat = s * 65536 + d;
      r = Math.floor(cat / 2 ** count) % 65536;
      cf = Math.floor(cat / 2 ** (count - 1)) % 2;
    }
    r = r >>> 0;
    setResult(cpu.lf, w, r, 0, cf, ((r ^ d) >>> ss) & 1);
  }
  rmwWrite(cpu, insn, w, off, r, rh);
}
