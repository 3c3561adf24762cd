// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Stack helpers and PUSH/POP/PUSHF/POPF/ENTER/LEAVE. A push writes memory
 * before moving RSP; a pop reads before moving it, so a fault leaves no
 * trace.
 *
 * @module
 */

import type { X86Cpu } from "./cpu.ts";
import type { DecodedInsn } from "./decode.ts";
import { getArithFlags, setArithFlags } from "./flags.ts";
import { computeEa, readE, readMem, writeMem, writeReg } from "./modrm.ts";
import { EA_HI, EA_LO, FLAG_RF, FLAG_VM, OP_HI, RBP, RSP } from "./regs.ts";
import { raise, setEflags } from "./traps.ts";

const TWO32 = 4294967296;
const INV32 = 1 / TWO32;
const WIDTH_OF = [0, 0, 1, 0, 2, 0, 0, 0, 3];

/**
 * Pushes `size` bytes (2, 4 or 8).
 *
 * @param cpu The CPU.
 * @param size Bytes.
 * @param lo Low 32 bits of the value.
 * @param hi High 32 bits.
 */
export function push(cpu: X86Cpu, size: number, lo: number, hi: number): void {
  const regs = cpu.regs;
  const sl = regs[8];
  const l = (sl - size) >>> 0;
  const h = cpu.stackSize === 8 ? (regs[9] - (sl < size ? 1 : 0)) >>> 0 : 0;
  writeMem(cpu, h, l, WIDTH_OF[size], lo, hi);
  regs[8] = l;
  regs[9] = h;
}

/**
 * Reads `size` bytes at `rsp + offset` without moving RSP.
 *
 * @param cpu The CPU.
 * @param size Bytes (2, 4, 8).
 * @param offset Byte offset from RSP.
 * @returns Low 32 bits; high in `cpu.regs[OP_HI]`.
 */
export function readStack(cpu: X86Cpu, size: number, offset: number): number {
  const regs = cpu.regs;
  const sl = regs[8];
  const l = (sl + offset) >>> 0;
  const h = cpu.stackSize === 8 ? (regs[9] + (l < sl ? 1 : 0)) >>> 0 : 0;
  const v = readMem(cpu, h, l, WIDTH_OF[size]);
  if (size !== 8) regs[OP_HI] = 0;
  return v;
}

/**
 * Adds `delta` to RSP (ESP in protected mode).
 *
 * @param cpu The CPU.
 * @param delta Signed byte count.
 */
export function addSp(cpu: X86Cpu, delta: number): void {
  const regs = cpu.regs;
  const sl = regs[8];
  const l = (sl + delta) >>> 0;
  regs[8] = l;
  if (cpu.stackSize === 8) {
    regs[9] = (regs[9] + (delta < 0 ? (l > sl ? -1 : 0) : (l < sl ? 1 : 0))) >>> 0;
  } else regs[9] = 0;
}

/**
 * Pops `size` bytes.
 *
 * @param cpu The CPU.
 * @param size Bytes.
 * @returns Low 32 bits; high in `cpu.regs[OP_HI]`.
 */
export function pop(cpu: X86Cpu, size: number): number {
  const v = readStack(cpu, size, 0);
  addSp(cpu, size);
  return v;
}

/** 50+r: push r. */
export function opPushZv(cpu: X86Cpu, insn: DecodedInsn): void {
  const r = insn.rm;
  const size = insn.opsize;
  if (size === 2) push(cpu, 2, cpu.regs16[r << 2], 0);
  else push(cpu, size, cpu.regs[r << 1], cpu.regs[(r << 1) | 1]);
}

/** 58+r: pop r. */
export function opPopZv(cpu: X86Cpu, insn: DecodedInsn): void {
  const size = insn.opsize;
  const v = pop(cpu, size);
  const r = insn.rm;
  if (size === 2) cpu.regs16[r << 2] = v;
  else {
    cpu.regs[r << 1] = v;
    cpu.regs[(r << 1) | 1] = size === 8 ? cpu.regs[OP_HI] : 0;
  }
}

/** 68 / 6A: push imm. */
export function opPushI(cpu: X86Cpu, insn: DecodedInsn): void {
  push(cpu, insn.opsize, insn.imm, insn.immHi);
}

/** 8F /0: pop r/m (the address uses RSP after the pop, as the SDM says). */
export function opPopEv(cpu: X86Cpu, insn: DecodedInsn): void {
  const size = insn.opsize;
  const w = WIDTH_OF[size];
  const v = readStack(cpu, size, 0);
  const vh = cpu.regs[OP_HI];
  if (insn.mod === 3) {
    addSp(cpu, size);
    writeReg(cpu, insn, insn.rm, w, v, vh);
    return;
  }
  const saveLo = cpu.regs[8];
  const saveHi = cpu.regs[9];
  addSp(cpu, size);
  computeEa(cpu, insn);
  cpu.regs[8] = saveLo;
  cpu.regs[9] = saveHi;
  writeMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], w, v, vh);
  addSp(cpu, size);
}

/** FF /6: push r/m. */
export function opPushEv(cpu: X86Cpu, insn: DecodedInsn): void {
  const size = insn.opsize;
  const v = readE(cpu, insn, WIDTH_OF[size]);
  push(cpu, size, v, size === 8 ? cpu.regs[OP_HI] : 0);
}

/** 9C: pushf/pushfq (RF and VM read as zero). */
export function opPushf(cpu: X86Cpu, insn: DecodedInsn): void {
  const flags = (cpu.flagsBase | getArithFlags(cpu.lf)) & ~(FLAG_RF | FLAG_VM);
  push(cpu, insn.opsize, insn.opsize === 2 ? flags & 0xffff : flags >>> 0, 0);
}

/** 9D: popf/popfq (IF and IOPL changes follow CPL/IOPL rules). */
export function opPopf(cpu: X86Cpu, insn: DecodedInsn): void {
  const size = insn.opsize;
  let v = pop(cpu, size);
  if (size === 2) v = (cpu.flagsBase & 0xffff0000) | v;
  writeFlagsChecked(cpu, v);
}

/**
 * Writes EFLAGS as popf/iret do at the current CPL: IOPL only at CPL 0,
 * IF only when CPL ≤ IOPL; RF and VM are not loaded.
 *
 * @param cpu The CPU.
 * @param v The new flags.
 */
export function writeFlagsChecked(cpu: X86Cpu, v: number): void {
  let mask = 0x00254dd5 | 0x0200 | 0x3000; // arith, TF, DF, OF, NT, AC, ID, IF, IOPL
  const iopl = (cpu.flagsBase >> 12) & 3;
  if (cpu.cpl !== 0) mask &= ~0x3000;
  if (cpu.cpl > iopl) mask &= ~0x0200;
  const merged = ((cpu.flagsBase | getArithFlags(cpu.lf)) & ~mask) | (v & mask);
  setArithFlags(cpu.lf, merged);
  setEflags(cpu, merged);
}

/** C9: leave. */
export function opLeave(cpu: X86Cpu, insn: DecodedInsn): void {
  const size = insn.opsize;
  const regs = cpu.regs;
  const bpLo = regs[RBP << 1];
  const bpHi = cpu.stackSize === 8 ? regs[(RBP << 1) | 1] : 0;
  const v = readMem(cpu, bpHi, bpLo, WIDTH_OF[size]);
  const vh = size === 8 ? cpu.regs[OP_HI] : 0;
  regs[RSP << 1] = bpLo;
  regs[(RSP << 1) | 1] = bpHi;
  addSp(cpu, size);
  if (size === 2) cpu.regs16[RBP << 2] = v;
  else {
    regs[RBP << 1] = v;
    regs[(RBP << 1) | 1] = vh;
  }
}

/** C8: enter imm16, imm8 (frame built below RSP, committed at the end). */
export function opEnter(cpu: X86Cpu, insn: DecodedInsn): void {
  const size = insn.opsize;
  const w = WIDTH_OF[size];
  const level = insn.imm2 & 31;
  const regs = cpu.regs;
  const long = cpu.stackSize === 8;
  const bpLo = regs[RBP << 1];
  const bpHi = long ? regs[(RBP << 1) | 1] : 0;
  let spLo = regs[8];
  let spHi = long ? regs[9] : 0;
  let s = spLo - size;
  spLo = s >>> 0;
  spHi = long ? (spHi + (s - spLo) * INV32) >>> 0 : 0;
  writeMem(cpu, spHi, spLo, w, bpLo, bpHi);
  const frameLo = spLo;
  const frameHi = spHi;
  for (let i = 1; i < level; i++) {
    // Copy the enclosing frame pointers.
    const t = bpLo - i * size;
    const l = t >>> 0;
    const v = readMem(cpu, long ? (bpHi + (t - l) * INV32) >>> 0 : 0, l, w);
    const vh = size === 8 ? cpu.regs[OP_HI] : 0;
    s = spLo - size;
    spLo = s >>> 0;
    spHi = long ? (spHi + (s - spLo) * INV32) >>> 0 : 0;
    writeMem(cpu, spHi, spLo, w, v, vh);
  }
  if (level > 0) {
    s = spLo - size;
    spLo = s >>> 0;
    spHi = long ? (spHi + (s - spLo) * INV32) >>> 0 : 0;
    writeMem(cpu, spHi, spLo, w, frameLo, frameHi);
  }
  s = spLo - insn.imm;
  spLo = s >>> 0;
  spHi = long ? (spHi + (s - spLo) * INV32) >>> 0 : 0;
  if (size === 2) cpu.regs16[RBP << 2] = frameLo;
  else {
    regs[RBP << 1] = frameLo;
    regs[(RBP << 1) | 1] = frameHi;
  }
  regs[8] = spLo;
  regs[9] = spHi;
}

/** 0F A0/A8 (push fs/gs), 06/0E/16/1E (push es/cs/ss/ds, 32-bit). */
export function opPushSreg(cpu: X86Cpu, insn: DecodedInsn): void {
  const op = insn.opcode;
  const seg = op === 0x1a0 ? 4 : op === 0x1a8 ? 5 : op >> 3;
  push(cpu, insn.opsize, cpu.sreg[seg], 0);
}

/** 0F A1/A9 (pop fs/gs), 07/17/1F (pop es/ss/ds, 32-bit). */
export function opPopSreg(cpu: X86Cpu, insn: DecodedInsn): void {
  const op = insn.opcode;
  const seg = op === 0x1a1 ? 4 : op === 0x1a9 ? 5 : op >> 3;
  const v = readStack(cpu, insn.opsize, 0);
  loadSegment(cpu, seg, v & 0xffff);
  addSp(cpu, insn.opsize);
  if (seg === 2) cpu.shadowTsc = cpu.clock[0] + 1;
}

/**
 * Loads a data segment register. Long mode keeps bases flat except FS/GS,
 * whose bases come from MSRs (a selector load zeroes them, as on hardware
 * for null selectors); protected mode reads the base from the GDT.
 *
 * @param cpu The CPU.
 * @param seg Segment number (not CS).
 * @param selector The selector.
 */
export function loadSegment(cpu: X86Cpu, seg: number, selector: number): void {
  if (seg === 1) raise(cpu, 6, 0);
  if (cpu.mode === 32 && (seg === 4 || seg === 5) && (selector & ~3) !== 0) {
    const off = cpu.gdtBaseLo + (selector & ~7);
    const lo = readMem(cpu, 0, off >>> 0, 2);
    const hi = readMem(cpu, 0, (off + 4) >>> 0, 2);
    const base = (((lo >>> 16) & 0xffff) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
    if (seg === 4) cpu.fsBaseLo = base;
    else cpu.gsBaseLo = base;
  }
  cpu.sreg[seg] = selector;
}
