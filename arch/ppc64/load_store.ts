// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Loads and stores (Power ISA Book I §3.3.2–3.3.8, Book II §4): every width
 * in D, DS and X (indexed) forms with and without update, `lwa`, `dcbz`,
 * and the cache hints as no-ops; `lmw`/`stmw` and the byte-reversed forms
 * are in `load_store_special.ts`, the reservation pair in `reservation.ts`. Memory is big-endian; an
 * access that crosses a page is checked byte by byte and a store writes
 * nothing unless every byte is writable. Faults are the memory's
 * preallocated `Fault`, turned into a data storage interrupt (0x300) by
 * the run loop. As on POWER5, ordinary loads and stores of any width work
 * at any address (the hardware handles most misaligned accesses and traps
 * the rest to a kernel fix-up with the same result): only `larx`/`stcx.`
 * raise the alignment interrupt.
 *
 * @module
 */

import type { Ppc64Cpu } from "./cpu.ts";
import type { Ppc64DecodedInsn } from "./decode.ts";
import { CACHE_LINE_SIZE, R_EA_HI, R_EA_LO, R_TMP_HI } from "./regs.ts";

const TWO32 = 4294967296;

/**
 * EA = (RA|0) + D (D, DS forms) into `regs[R_EA_HI/LO]`.
 *
 * @param g The register file.
 * @param insn The instruction.
 */
export function eaD(g: Uint32Array, insn: Ppc64DecodedInsn): void {
  let hi = 0;
  let lo = 0;
  if (insn.ra !== 0) {
    const a = insn.ra << 1;
    lo = g[a];
    hi = g[a + 1];
  }
  const t = lo + insn.immLo;
  g[R_EA_LO] = t;
  g[R_EA_HI] = hi + insn.immHi + (t > 0xffffffff ? 1 : 0);
}

/**
 * EA = (RA|0) + RB (X form) into `regs[R_EA_HI/LO]`.
 *
 * @param g The register file.
 * @param insn The instruction.
 */
export function eaX(g: Uint32Array, insn: Ppc64DecodedInsn): void {
  const b = insn.rb << 1;
  let hi = g[b + 1];
  let lo = g[b];
  if (insn.ra !== 0) {
    const a = insn.ra << 1;
    const t = lo + g[a];
    hi = hi + g[a + 1] + (t > 0xffffffff ? 1 : 0);
    lo = t;
  }
  g[R_EA_LO] = lo;
  g[R_EA_HI] = hi;
}

// Next byte address after (hi, lo) + i: the high half.
function hiPlus(hi: number, lo: number, i: number): number {
  return lo + i >= TWO32 ? (hi + 1) >>> 0 : hi;
}

function loadSlow(cpu: Ppc64Cpu, hi: number, lo: number, size: number): number {
  let v = 0;
  for (let i = 0; i < size; i++) {
    const off = cpu.mem.translate(hiPlus(hi, lo, i), (lo + i) >>> 0, cpu.accRead);
    v = v * 256 + cpu.u8[off];
  }
  return v;
}

function storeSlow(cpu: Ppc64Cpu, hi: number, lo: number, size: number, v: number): void {
  for (let i = 0; i < size; i++) cpu.mem.translate(hiPlus(hi, lo, i), (lo + i) >>> 0, cpu.accWrite);
  for (let i = 0; i < size; i++) {
    const off = cpu.mem.translate(hiPlus(hi, lo, i), (lo + i) >>> 0, cpu.accWrite);
    cpu.u8[off] = v >>> (8 * (size - 1 - i));
  }
}

/**
 * Reads a byte as the guest (data access rights of the current MSR.PR).
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @returns The byte.
 */
export function load8(cpu: Ppc64Cpu, hi: number, lo: number): number {
  return cpu.u8[cpu.mem.translate(hi, lo, cpu.accRead)];
}

/**
 * Reads a big-endian halfword as the guest.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @returns The value.
 */
export function load16(cpu: Ppc64Cpu, hi: number, lo: number): number {
  if ((lo & 0xfff) > 0xffe) return loadSlow(cpu, hi, lo, 2);
  return cpu.dv.getUint16(cpu.mem.translate(hi, lo, cpu.accRead));
}

/**
 * Reads a big-endian word as the guest.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @returns The value.
 */
export function load32(cpu: Ppc64Cpu, hi: number, lo: number): number {
  if ((lo & 0xfff) > 0xffc) return loadSlow(cpu, hi, lo, 4);
  return cpu.dv.getUint32(cpu.mem.translate(hi, lo, cpu.accRead));
}

/**
 * Reads a big-endian doubleword as the guest.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @returns The low half; the high half is left in `regs[R_TMP_HI]`.
 */
export function load64(cpu: Ppc64Cpu, hi: number, lo: number): number {
  if ((lo & 0xfff) > 0xff8) {
    const h = loadSlow(cpu, hi, lo, 4);
    const l = loadSlow(cpu, hiPlus(hi, lo, 4), (lo + 4) >>> 0, 4);
    cpu.regs[R_TMP_HI] = h;
    return l;
  }
  const off = cpu.mem.translate(hi, lo, cpu.accRead);
  cpu.regs[R_TMP_HI] = cpu.dv.getUint32(off);
  return cpu.dv.getUint32(off + 4);
}

/**
 * Writes a byte as the guest.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @param v The byte (low 8 bits).
 */
export function store8(cpu: Ppc64Cpu, hi: number, lo: number, v: number): void {
  cpu.u8[cpu.mem.translate(hi, lo, cpu.accWrite)] = v;
}

/**
 * Writes a big-endian halfword as the guest.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @param v The value (low 16 bits).
 */
export function store16(cpu: Ppc64Cpu, hi: number, lo: number, v: number): void {
  if ((lo & 0xfff) > 0xffe) return storeSlow(cpu, hi, lo, 2, v);
  cpu.dv.setUint16(cpu.mem.translate(hi, lo, cpu.accWrite), v);
}

/**
 * Writes a big-endian word as the guest.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @param v The value.
 */
export function store32(cpu: Ppc64Cpu, hi: number, lo: number, v: number): void {
  if ((lo & 0xfff) > 0xffc) return storeSlow(cpu, hi, lo, 4, v);
  cpu.dv.setUint32(cpu.mem.translate(hi, lo, cpu.accWrite), v);
}

/**
 * Writes a big-endian doubleword as the guest (nothing unless all 8 bytes are writable).
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @param vh High half of the value.
 * @param vl Low half of the value.
 */
export function store64(cpu: Ppc64Cpu, hi: number, lo: number, vh: number, vl: number): void {
  if ((lo & 0xfff) > 0xff8) {
    const h2 = hiPlus(hi, lo, 7);
    cpu.mem.translate(h2, (lo + 7) >>> 0, cpu.accWrite);
    storeSlow(cpu, hi, lo, 4, vh);
    storeSlow(cpu, hiPlus(hi, lo, 4), (lo + 4) >>> 0, 4, vl);
    return;
  }
  const off = cpu.mem.translate(hi, lo, cpu.accWrite);
  cpu.dv.setUint32(off, vh);
  cpu.dv.setUint32(off + 4, vl);
}

/**
 * RT = (hi, lo).
 *
 * @param g The register file.
 * @param insn The instruction.
 * @param hi High half.
 * @param lo Low half.
 */
export function setRt(g: Uint32Array, insn: Ppc64DecodedInsn, hi: number, lo: number): void {
  const t = insn.rt << 1;
  g[t] = lo;
  g[t + 1] = hi;
}

// RA = EA (update forms).
function updateRa(g: Uint32Array, insn: Ppc64DecodedInsn): void {
  const a = insn.ra << 1;
  g[a] = g[R_EA_LO];
  g[a + 1] = g[R_EA_HI];
}

/** `lbz` RT,D(RA). @param cpu The CPU. @param insn The instruction. */
export function opLbz(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  setRt(g, insn, 0, load8(cpu, g[R_EA_HI], g[R_EA_LO]));
}

/** `lbzu` RT,D(RA). @param cpu The CPU. @param insn The instruction. */
export function opLbzu(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  setRt(g, insn, 0, load8(cpu, g[R_EA_HI], g[R_EA_LO]));
  updateRa(g, insn);
}

/** `lbzx` RT,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opLbzx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  setRt(g, insn, 0, load8(cpu, g[R_EA_HI], g[R_EA_LO]));
}

/** `lbzux` RT,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opLbzux(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  setRt(g, insn, 0, load8(cpu, g[R_EA_HI], g[R_EA_LO]));
  updateRa(g, insn);
}

/** `lhz` RT,D(RA). @param cpu The CPU. @param insn The instruction. */
export function opLhz(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  setRt(g, insn, 0, load16(cpu, g[R_EA_HI], g[R_EA_LO]));
}

/** `lhzu` RT,D(RA). @param cpu The CPU. @param insn The instruction. */
export function opLhzu(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  setRt(g, insn, 0, load16(cpu, g[R_EA_HI], g[R_EA_LO]));
  updateRa(g, insn);
}

/** `lhzx` RT,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opLhzx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  setRt(g, insn, 0, load16(cpu, g[R_EA_HI], g[R_EA_LO]));
}

/** `lhzux` RT,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opLhzux(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  setRt(g, insn, 0, load16(cpu, g[R_EA_HI], g[R_EA_LO]));
  updateRa(g, insn);
}

/** `lha` RT,D(RA): sign-extended. @param cpu The CPU. @param insn The instruction. */
export function opLha(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  const v = (load16(cpu, g[R_EA_HI], g[R_EA_LO]) << 16) >> 16;
  setRt(g, insn, v >> 31, v);
}

/** `lhau` RT,D(RA). @param cpu The CPU. @param insn The instruction. */
export function opLhau(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  const v = (load16(cpu, g[R_EA_HI], g[R_EA_LO]) << 16) >> 16;
  setRt(g, insn, v >> 31, v);
  updateRa(g, insn);
}

/** `lhax` RT,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opLhax(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  const v = (load16(cpu, g[R_EA_HI], g[R_EA_LO]) << 16) >> 16;
  setRt(g, insn, v >> 31, v);
}

/** `lhaux` RT,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opLhaux(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  const v = (load16(cpu, g[R_EA_HI], g[R_EA_LO]) << 16) >> 16;
  setRt(g, insn, v >> 31, v);
  updateRa(g, insn);
}

/** `lwz` RT,D(RA). @param cpu The CPU. @param insn The instruction. */
export function opLwz(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  setRt(g, insn, 0, load32(cpu, g[R_EA_HI], g[R_EA_LO]));
}

/** `lwzu` RT,D(RA). @param cpu The CPU. @param insn The instruction. */
export function opLwzu(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  setRt(g, insn, 0, load32(cpu, g[R_EA_HI], g[R_EA_LO]));
  updateRa(g, insn);
}

/** `lwzx` RT,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opLwzx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  setRt(g, insn, 0, load32(cpu, g[R_EA_HI], g[R_EA_LO]));
}

/** `lwzux` RT,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opLwzux(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  setRt(g, insn, 0, load32(cpu, g[R_EA_HI], g[R_EA_LO]));
  updateRa(g, insn);
}

/** `lwa` RT,DS(RA): sign-extended word. @param cpu The CPU. @param insn The instruction. */
export function opLwa(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  const v = load32(cpu, g[R_EA_HI], g[R_EA_LO]) | 0;
  setRt(g, insn, v >> 31, v);
}

/** `lwax` RT,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opLwax(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  const v = load32(cpu, g[R_EA_HI], g[R_EA_LO]) | 0;
  setRt(g, insn, v >> 31, v);
}

/** `lwaux` RT,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opLwaux(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  const v = load32(cpu, g[R_EA_HI], g[R_EA_LO]) | 0;
  setRt(g, insn, v >> 31, v);
  updateRa(g, insn);
}

/** `ld` RT,DS(RA). @param cpu The CPU. @param insn The instruction. */
export function opLd(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  const lo = load64(cpu, g[R_EA_HI], g[R_EA_LO]);
  setRt(g, insn, g[R_TMP_HI], lo);
}

/** `ldu` RT,DS(RA). @param cpu The CPU. @param insn The instruction. */
export function opLdu(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  const lo = load64(cpu, g[R_EA_HI], g[R_EA_LO]);
  setRt(g, insn, g[R_TMP_HI], lo);
  updateRa(g, insn);
}

/** `ldx` RT,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opLdx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  const lo = load64(cpu, g[R_EA_HI], g[R_EA_LO]);
  setRt(g, insn, g[R_TMP_HI], lo);
}

/** `ldux` RT,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opLdux(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  const lo = load64(cpu, g[R_EA_HI], g[R_EA_LO]);
  setRt(g, insn, g[R_TMP_HI], lo);
  updateRa(g, insn);
}

/** `stb` RS,D(RA). @param cpu The CPU. @param insn The instruction. */
export function opStb(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  store8(cpu, g[R_EA_HI], g[R_EA_LO], g[insn.rt << 1]);
}

/** `stbu` RS,D(RA). @param cpu The CPU. @param insn The instruction. */
export function opStbu(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  store8(cpu, g[R_EA_HI], g[R_EA_LO], g[insn.rt << 1]);
  updateRa(g, insn);
}

/** `stbx` RS,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opStbx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  store8(cpu, g[R_EA_HI], g[R_EA_LO], g[insn.rt << 1]);
}

/** `stbux` RS,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opStbux(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  store8(cpu, g[R_EA_HI], g[R_EA_LO], g[insn.rt << 1]);
  updateRa(g, insn);
}

/** `sth` RS,D(RA). @param cpu The CPU. @param insn The instruction. */
export function opSth(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  store16(cpu, g[R_EA_HI], g[R_EA_LO], g[insn.rt << 1]);
}

/** `sthu` RS,D(RA). @param cpu The CPU. @param insn The instruction. */
export function opSthu(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  store16(cpu, g[R_EA_HI], g[R_EA_LO], g[insn.rt << 1]);
  updateRa(g, insn);
}

/** `sthx` RS,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opSthx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  store16(cpu, g[R_EA_HI], g[R_EA_LO], g[insn.rt << 1]);
}

/** `sthux` RS,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opSthux(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  store16(cpu, g[R_EA_HI], g[R_EA_LO], g[insn.rt << 1]);
  updateRa(g, insn);
}

/** `stw` RS,D(RA). @param cpu The CPU. @param insn The instruction. */
export function opStw(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  store32(cpu, g[R_EA_HI], g[R_EA_LO], g[insn.rt << 1]);
}

/** `stwu` RS,D(RA). @param cpu The CPU. @param insn The instruction. */
export function opStwu(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  store32(cpu, g[R_EA_HI], g[R_EA_LO], g[insn.rt << 1]);
  updateRa(g, insn);
}

/** `stwx` RS,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opStwx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  store32(cpu, g[R_EA_HI], g[R_EA_LO], g[insn.rt << 1]);
}

/** `stwux` RS,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opStwux(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  store32(cpu, g[R_EA_HI], g[R_EA_LO], g[insn.rt << 1]);
  updateRa(g, insn);
}

/** `std` RS,DS(RA). @param cpu The CPU. @param insn The instruction. */
export function opStd(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  const s = insn.rt << 1;
  store64(cpu, g[R_EA_HI], g[R_EA_LO], g[s + 1], g[s]);
}

/** `stdu` RS,DS(RA). @param cpu The CPU. @param insn The instruction. */
export function opStdu(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  const s = insn.rt << 1;
  store64(cpu, g[R_EA_HI], g[R_EA_LO], g[s + 1], g[s]);
  updateRa(g, insn);
}

/** `stdx` RS,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opStdx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  const s = insn.rt << 1;
  store64(cpu, g[R_EA_HI], g[R_EA_LO], g[s + 1], g[s]);
}

/** `stdux` RS,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opStdux(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  const s = insn.rt << 1;
  store64(cpu, g[R_EA_HI], g[R_EA_LO], g[s + 1], g[s]);
  updateRa(g, insn);
}

/**
 * `dcbz` RA,RB: zeroes the 128-byte block holding the EA (a store for
 * access rights and faults).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opDcbz(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  const lo = (g[R_EA_LO] & -CACHE_LINE_SIZE) >>> 0;
  const off = cpu.mem.translate(g[R_EA_HI], lo, cpu.accWrite);
  cpu.u8.fill(0, off, off + CACHE_LINE_SIZE);
}

/**
 * `dcbf`, `dcbst`, `dcbt`, `dcbtst`, `icbi`: cache management with no
 * architectural effect here (text writes invalidate the decode cache on
 * their own).
 *
 * @param _cpu The CPU.
 * @param _insn The instruction.
 */
export function opDcbf(_cpu: Ppc64Cpu, _insn: Ppc64DecodedInsn): void {}
