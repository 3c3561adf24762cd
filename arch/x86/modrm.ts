// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Effective addresses (16/32/64-bit, RIP-relative, FS/GS bases) and operand
 * access for instruction handlers: registers by width (with AH…BH for
 * legacy byte registers) and guest memory through `GuestMemory.translate`
 * plus a `DataView`, with page-crossing accesses checked on both pages
 * before anything is written.
 *
 * @module
 */

import { PF_WRITE } from "../types.ts";
import type { X86Cpu } from "./cpu.ts";
import type { DecodedInsn } from "./decode.ts";
import { EA_HI, EA_LO, OP_HI, SEG_FS, SEG_GS } from "./regs.ts";

const TWO32 = 4294967296;
const INV32 = 1 / TWO32;

/**
 * Computes the memory operand's address into `cpu.regs[EA_HI]`/`cpu.regs[EA_LO]`.
 * RIP-relative operands are relative to `insn.nextLo/nextHi`, the address
 * after the instruction.
 *
 * @param cpu The CPU.
 * @param insn The instruction (mod ≠ 3 or a moffs form).
 */
export function computeEa(cpu: X86Cpu, insn: DecodedInsn): void {
  computeEaNoSegment(cpu, insn);
  if (insn.segment >= SEG_FS) addSegmentBase(cpu, insn.segment);
}

/**
 * Like `computeEa` but without the FS/GS base (`lea`).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function computeEaNoSegment(cpu: X86Cpu, insn: DecodedInsn): void {
  // Integer-only: wrapping 32-bit adds with unsigned compares for carries.
  const regs = cpu.regs;
  const base = insn.base;
  let l: number;
  let h: number;
  if (insn.ripRelative !== 0) {
    l = insn.nextLo;
    h = insn.nextHi;
  } else if (base >= 0) {
    l = regs[base << 1];
    h = regs[(base << 1) | 1];
  } else {
    l = 0;
    h = 0;
  }
  const d = insn.disp;
  if (d !== 0) {
    const n = (l + d) >>> 0;
    h = (h + (d < 0 ? -1 : 0) + (n < l ? 1 : 0)) | 0;
    l = n;
  }
  const index = insn.index;
  if (index >= 0) {
    const s = insn.scale;
    const il = regs[index << 1];
    const ih = regs[(index << 1) | 1];
    const sl = (il << s) >>> 0;
    const sh = s === 0 ? ih : (ih << s) | (il >>> (32 - s));
    const n = (l + sl) >>> 0;
    h = (h + sh + (n < l ? 1 : 0)) | 0;
    l = n;
  }
  const asz = insn.addrsize;
  if (asz === 8) {
    regs[EA_LO] = l;
    regs[EA_HI] = h;
  } else {
    regs[EA_LO] = asz === 4 ? l : l & 0xffff;
    regs[EA_HI] = 0;
  }
}

/**
 * Adds the FS or GS base to `cpu.regs[EA_HI]/eaLo` (64-bit wrap; 32-bit in
 * protected mode).
 *
 * @param cpu The CPU.
 * @param seg `SEG_FS` or `SEG_GS`.
 */
export function addSegmentBase(cpu: X86Cpu, seg: number): void {
  const bl = seg === SEG_GS ? cpu.gsBaseLo : cpu.fsBaseLo;
  const bh = seg === SEG_GS ? cpu.gsBaseHi : cpu.fsBaseHi;
  const s = cpu.regs[EA_LO] + bl;
  const l = s >>> 0;
  cpu.regs[EA_LO] = l;
  cpu.regs[EA_HI] = cpu.mode === 64 ? (cpu.regs[EA_HI] + bh + (s - l) * INV32) >>> 0 : 0;
}

/**
 * Sets `cpu.regs[EA_HI]/eaLo` to `(hi, lo) + delta` (64-bit wrap), for string and
 * stack addresses.
 *
 * @param cpu The CPU.
 * @param hi High half.
 * @param lo Low half.
 * @param delta Signed offset.
 */
export function setEaOffset(cpu: X86Cpu, hi: number, lo: number, delta: number): void {
  const s = lo + delta;
  const l = s >>> 0;
  cpu.regs[EA_LO] = l;
  cpu.regs[EA_HI] = (hi + (s - l) * INV32) >>> 0;
}

// ---------------------------------------------------------------------------
// Registers

/**
 * Index into `regs8` of byte register `r` (AH…BH when there is no REX).
 *
 * @param insn The instruction (its REX decides).
 * @param r Register number 0–15.
 * @returns The byte index.
 */
export function reg8Index(insn: DecodedInsn, r: number): number {
  return insn.rex === 0 && r >= 4 && r < 8 ? ((r - 4) << 3) | 1 : r << 3;
}

/**
 * Reads register `r` at width `w` (0–2: the value; 3: low half, high in
 * `cpu.regs[OP_HI]`).
 *
 * @param cpu The CPU.
 * @param insn The instruction (for byte-register naming).
 * @param r Register number.
 * @param w Width 0–3.
 * @returns The low 32 bits (unsigned).
 */
export function readReg(cpu: X86Cpu, insn: DecodedInsn, r: number, w: number): number {
  switch (w) {
    case 0:
      return cpu.regs8[reg8Index(insn, r)];
    case 1:
      return cpu.regs16[r << 2];
    case 2:
      return cpu.regs[r << 1];
    default:
      cpu.regs[OP_HI] = cpu.regs[(r << 1) | 1];
      return cpu.regs[r << 1];
  }
}

/**
 * Writes register `r` at width `w`: 32-bit writes zero the high half,
 * 8/16-bit writes keep the rest.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 * @param r Register number.
 * @param w Width 0–3.
 * @param lo Low 32 bits.
 * @param hi High 32 bits (width 3 only).
 */
export function writeReg(
  cpu: X86Cpu,
  insn: DecodedInsn,
  r: number,
  w: number,
  lo: number,
  hi: number,
): void {
  switch (w) {
    case 0:
      cpu.regs8[reg8Index(insn, r)] = lo;
      break;
    case 1:
      cpu.regs16[r << 2] = lo;
      break;
    case 2:
      cpu.regs[r << 1] = lo;
      cpu.regs[(r << 1) | 1] = 0;
      break;
    default:
      cpu.regs[r << 1] = lo;
      cpu.regs[(r << 1) | 1] = hi;
  }
}

// ---------------------------------------------------------------------------
// Memory

/**
 * Reads `1 << w` bytes at `(hi, lo)`; width 3 leaves the high half in
 * `cpu.regs[OP_HI]`.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @param w Width 0–3.
 * @returns The low 32 bits.
 */
export function readMem(cpu: X86Cpu, hi: number, lo: number, w: number): number {
  const size = 1 << w;
  if ((lo & 0xfff) > 0x1000 - size) return readSlow(cpu, hi, lo, size);
  const off = cpu.mem.translate(hi, lo, cpu.accRead);
  switch (w) {
    case 0:
      return cpu.u8[off];
    case 1:
      return cpu.dv.getUint16(off, true);
    case 2:
      return cpu.dv.getUint32(off, true);
    default:
      cpu.regs[OP_HI] = cpu.dv.getUint32(off + 4, true);
      return cpu.dv.getUint32(off, true);
  }
}

/**
 * Reads a little-endian 32-bit value at `(hi, lo)`.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @returns The value.
 */
export function readMem32(cpu: X86Cpu, hi: number, lo: number): number {
  if ((lo & 0xfff) > 0xffc) return readSlow(cpu, hi, lo, 4);
  return cpu.dv.getUint32(cpu.mem.translate(hi, lo, cpu.accRead), true);
}

/**
 * Reads a little-endian 64-bit value: returns the low half, high in `cpu.regs[OP_HI]`.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @returns The low half.
 */
export function readMem64(cpu: X86Cpu, hi: number, lo: number): number {
  if ((lo & 0xfff) > 0xff8) return readSlow(cpu, hi, lo, 8);
  const off = cpu.mem.translate(hi, lo, cpu.accRead);
  cpu.regs[OP_HI] = cpu.dv.getUint32(off + 4, true);
  return cpu.dv.getUint32(off, true);
}

function readSlow(cpu: X86Cpu, hi: number, lo: number, size: number): number {
  let v = 0;
  let vh = 0;
  for (let i = 0; i < size; i++) {
    const t = lo + i;
    const b = cpu.u8[cpu.mem.translate(t >= TWO32 ? (hi + 1) >>> 0 : hi, t >>> 0, cpu.accRead)];
    if (i < 4) v += b * 2 ** (8 * i);
    else vh += b * 2 ** (8 * (i - 4));
  }
  cpu.regs[OP_HI] = vh;
  return v;
}

/**
 * Checks that `size` bytes at `(hi, lo)` are writable and returns the
 * backing offset, or -1 if the range crosses a page (both pages checked;
 * use `writeMem` then). After this no write to the range can fault.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @param size Bytes.
 * @returns The offset into `cpu.u8`, or -1.
 */
export function probeWrite(cpu: X86Cpu, hi: number, lo: number, size: number): number {
  const off = cpu.mem.translate(hi, lo, cpu.accWrite);
  if ((lo & 0xfff) <= 0x1000 - size) return off;
  // The next page's first byte: a fault names it, as CR2 does on hardware.
  const t = (lo | 0xfff) + 1;
  cpu.mem.translate(t >= TWO32 ? (hi + 1) >>> 0 : hi, t >>> 0, cpu.accWrite);
  return -1;
}

/**
 * Writes `1 << w` bytes at `(hi, lo)`; a page-crossing write checks both
 * pages before storing.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @param w Width 0–3.
 * @param v Low 32 bits.
 * @param vh High 32 bits (width 3).
 */
export function writeMem(
  cpu: X86Cpu,
  hi: number,
  lo: number,
  w: number,
  v: number,
  vh: number,
): void {
  const size = 1 << w;
  const off = probeWrite(cpu, hi, lo, size);
  if (off >= 0) {
    storeAt(cpu, off, w, v, vh);
    return;
  }
  for (let i = 0; i < size; i++) {
    const t = lo + i;
    const b = i < 4 ? (v >>> (8 * i)) & 0xff : (vh >>> (8 * (i - 4))) & 0xff;
    cpu.u8[cpu.mem.translate(t >= TWO32 ? (hi + 1) >>> 0 : hi, t >>> 0, cpu.accWrite)] = b;
  }
}

/**
 * Stores at a backing offset returned by `probeWrite`.
 *
 * @param cpu The CPU.
 * @param off Offset into `cpu.u8`.
 * @param w Width 0–3.
 * @param v Low 32 bits.
 * @param vh High 32 bits.
 */
export function storeAt(cpu: X86Cpu, off: number, w: number, v: number, vh: number): void {
  switch (w) {
    case 0:
      cpu.u8[off] = v;
      break;
    case 1:
      cpu.dv.setUint16(off, v, true);
      break;
    case 2:
      cpu.dv.setUint32(off, v, true);
      break;
    default:
      cpu.dv.setUint32(off, v, true);
      cpu.dv.setUint32(off + 4, vh, true);
  }
}

/**
 * Loads from a backing offset returned by `probeWrite` (read-modify-write).
 *
 * @param cpu The CPU.
 * @param off Offset into `cpu.u8`.
 * @param w Width 0–3.
 * @returns Low 32 bits; high in `cpu.regs[OP_HI]` for width 3.
 */
export function loadAt(cpu: X86Cpu, off: number, w: number): number {
  switch (w) {
    case 0:
      return cpu.u8[off];
    case 1:
      return cpu.dv.getUint16(off, true);
    case 2:
      return cpu.dv.getUint32(off, true);
    default:
      cpu.regs[OP_HI] = cpu.dv.getUint32(off + 4, true);
      return cpu.dv.getUint32(off, true);
  }
}

// ---------------------------------------------------------------------------
// E operands

/**
 * Reads the ModRM r/m operand at width `w`.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 * @param w Width 0–3.
 * @returns Low 32 bits; high in `cpu.regs[OP_HI]` for width 3.
 */
export function readE(cpu: X86Cpu, insn: DecodedInsn, w: number): number {
  if (insn.mod === 3) return readReg(cpu, insn, insn.rm, w);
  computeEa(cpu, insn);
  return readMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], w);
}

/**
 * Writes the ModRM r/m operand at width `w` (memory: `computeEa` first).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 * @param w Width 0–3.
 * @param v Low 32 bits.
 * @param vh High 32 bits.
 */
export function writeE(cpu: X86Cpu, insn: DecodedInsn, w: number, v: number, vh: number): void {
  if (insn.mod === 3) writeReg(cpu, insn, insn.rm, w, v, vh);
  else writeMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], w, v, vh);
}

/**
 * Begins a read-modify-write of the r/m operand: for memory, computes the
 * address and checks it writable (so the final write cannot fault) and
 * returns the backing offset (or -1 when the operand crosses a page); for
 * registers returns -2.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 * @param w Width 0–3.
 * @returns -2 register, -1 page-crossing memory, else a backing offset.
 */
export function beginRmw(cpu: X86Cpu, insn: DecodedInsn, w: number): number {
  if (insn.mod === 3) return -2;
  computeEa(cpu, insn);
  return probeWrite(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], 1 << w);
}

/**
 * Reads the r/m operand of a read-modify-write begun by `beginRmw`.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 * @param w Width 0–3.
 * @param off The value `beginRmw` returned.
 * @returns Low 32 bits; high in `cpu.regs[OP_HI]`.
 */
export function rmwRead(cpu: X86Cpu, insn: DecodedInsn, w: number, off: number): number {
  if (off === -2) return readReg(cpu, insn, insn.rm, w);
  if (off >= 0) return loadAt(cpu, off, w);
  return readMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], w);
}

/**
 * Completes a read-modify-write begun by `beginRmw`.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 * @param w Width 0–3.
 * @param off The value `beginRmw` returned.
 * @param v Low 32 bits.
 * @param vh High 32 bits.
 */
export function rmwWrite(
  cpu: X86Cpu,
  insn: DecodedInsn,
  w: number,
  off: number,
  v: number,
  vh: number,
): void {
  if (off === -2) writeReg(cpu, insn, insn.rm, w, v, vh);
  else if (off >= 0) storeAt(cpu, off, w, v, vh);
  else writeMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], w, v, vh);
}

/** Access code for a write (`PF_WRITE`, plus `PF_USER` at CPL 3). */
export function writeAccess(cpl: number): number {
  return cpl === 3 ? PF_WRITE | 4 : PF_WRITE;
}
