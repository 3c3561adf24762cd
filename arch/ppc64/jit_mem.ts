// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The memory path of compiled blocks: loads and stores through a
 * one-entry-per-direction translation cache (`cpu.tlb`) in front of
 * `mem.translate`, so a block's code stays short and a page checked once
 * is not checked again until something may have changed its rights.
 *
 * The cache is only trusted while nothing but compiled code runs: the run
 * loop flushes it when a run starts and after every instruction the
 * interpreter executes (MSR.PR, and with it the access rights, changes only
 * there; page rights change only in host code, between runs). A store
 * whose translation told the text-write listeners (a writable, executable
 * page) is not cached, so every such store notifies, as in the
 * interpreter. An access that crosses a page goes to the interpreter's
 * `load16`…`store64`, which check every byte first.
 *
 * @module
 */

import type { Ppc64Cpu } from "./cpu.ts";
import { load16, load32, load64, store16, store32, store64 } from "./load_store.ts";
import { R_TMP_HI } from "./regs.ts";

/** `cpu.tlb` word: page number (`lo >>> 12`) of the cached read page, 0xffffffff for none. */
export const TLB_READ_PAGE = 0;
/** `cpu.tlb` word: high address half of the cached read page. */
export const TLB_READ_HI = 1;
/** `cpu.tlb` word: host offset of the cached read page. */
export const TLB_READ_BASE = 2;
/** `cpu.tlb` word: page number of the cached write page, 0xffffffff for none. */
export const TLB_WRITE_PAGE = 3;
/** `cpu.tlb` word: high address half of the cached write page. */
export const TLB_WRITE_HI = 4;
/** `cpu.tlb` word: host offset of the cached write page. */
export const TLB_WRITE_BASE = 5;

/**
 * Forgets both cached pages.
 *
 * @param tlb The CPU's `tlb`.
 */
export function flushPpc64JitTlb(tlb: Uint32Array): void {
  tlb[TLB_READ_PAGE] = 0xffffffff;
  tlb[TLB_WRITE_PAGE] = 0xffffffff;
}

// Host offset of (hi, lo) for a read within one page.
function readOffset(cpu: Ppc64Cpu, hi: number, lo: number): number {
  const t = cpu.tlb;
  if (lo >>> 12 === t[TLB_READ_PAGE] && hi === t[TLB_READ_HI]) {
    return t[TLB_READ_BASE] + (lo & 0xfff);
  }
  const o = cpu.mem.translate(hi, lo, cpu.accRead);
  t[TLB_READ_PAGE] = lo >>> 12;
  t[TLB_READ_HI] = hi;
  t[TLB_READ_BASE] = o - (lo & 0xfff);
  return o;
}

// Host offset of (hi, lo) for a write within one page.
function writeOffset(cpu: Ppc64Cpu, hi: number, lo: number): number {
  const t = cpu.tlb;
  if (lo >>> 12 === t[TLB_WRITE_PAGE] && hi === t[TLB_WRITE_HI]) {
    return t[TLB_WRITE_BASE] + (lo & 0xfff);
  }
  const o = cpu.mem.translate(hi, lo, cpu.accWrite);
  if (cpu.events === 0) {
    // No listener heard of it: not an executable page.
    t[TLB_WRITE_PAGE] = lo >>> 12;
    t[TLB_WRITE_HI] = hi;
    t[TLB_WRITE_BASE] = o - (lo & 0xfff);
  }
  return o;
}

/**
 * A byte load for compiled code.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @returns The byte.
 */
export function jitLoad8(cpu: Ppc64Cpu, hi: number, lo: number): number {
  return cpu.u8[readOffset(cpu, hi, lo)];
}

/**
 * A big-endian halfword load for compiled code.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @returns The value.
 */
export function jitLoad16(cpu: Ppc64Cpu, hi: number, lo: number): number {
  if ((lo & 0xfff) > 0xffe) return load16(cpu, hi, lo);
  return cpu.dv.getUint16(readOffset(cpu, hi, lo));
}

/**
 * A big-endian word load for compiled code.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @returns The value.
 */
export function jitLoad32(cpu: Ppc64Cpu, hi: number, lo: number): number {
  if ((lo & 0xfff) > 0xffc) return load32(cpu, hi, lo);
  return cpu.dv.getUint32(readOffset(cpu, hi, lo));
}

/**
 * A big-endian doubleword load for compiled code.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @returns The low half; the high half is left in `regs[R_TMP_HI]`.
 */
export function jitLoad64(cpu: Ppc64Cpu, hi: number, lo: number): number {
  if ((lo & 0xfff) > 0xff8) return load64(cpu, hi, lo);
  const o = readOffset(cpu, hi, lo);
  const dv = cpu.dv;
  cpu.regs[R_TMP_HI] = dv.getUint32(o);
  return dv.getUint32(o + 4);
}

/**
 * A byte store for compiled code.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @param v The byte (low 8 bits).
 */
export function jitStore8(cpu: Ppc64Cpu, hi: number, lo: number, v: number): void {
  cpu.u8[writeOffset(cpu, hi, lo)] = v;
}

/**
 * A big-endian halfword store for compiled code.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @param v The value (low 16 bits).
 */
export function jitStore16(cpu: Ppc64Cpu, hi: number, lo: number, v: number): void {
  if ((lo & 0xfff) > 0xffe) return store16(cpu, hi, lo, v);
  cpu.dv.setUint16(writeOffset(cpu, hi, lo), v);
}

/**
 * A big-endian word store for compiled code.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @param v The value.
 */
export function jitStore32(cpu: Ppc64Cpu, hi: number, lo: number, v: number): void {
  if ((lo & 0xfff) > 0xffc) return store32(cpu, hi, lo, v);
  cpu.dv.setUint32(writeOffset(cpu, hi, lo), v);
}

/**
 * A big-endian doubleword store for compiled code.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @param vh High half of the value.
 * @param vl Low half of the value.
 */
export function jitStore64(cpu: Ppc64Cpu, hi: number, lo: number, vh: number, vl: number): void {
  if ((lo & 0xfff) > 0xff8) return store64(cpu, hi, lo, vh, vl);
  const o = writeOffset(cpu, hi, lo);
  const dv = cpu.dv;
  dv.setUint32(o, vh);
  dv.setUint32(o + 4, vl);
}
