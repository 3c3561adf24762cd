// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The special load and store forms, beyond one register at a time in guest
 * order (Power ISA Book I §3.3.6–3.3.7): `lmw`/`stmw` (load/store multiple word)
 * and the byte-reversed forms `lhbrx`, `lwbrx`, `ldbrx`, `sthbrx`, `stwbrx`,
 * `stdbrx`. They use `load_store.ts`'s effective addresses and accessors
 * directly, with the same page checks; the reservation pair is in
 * `reservation.ts`.
 *
 * @module
 */

import type { Ppc64Cpu } from "./cpu.ts";
import type { Ppc64DecodedInsn } from "./decode.ts";
import {
  eaD,
  eaX,
  load16,
  load32,
  load64,
  setRt,
  store16,
  store32,
  store64,
} from "./load_store.ts";
import { R_EA_HI, R_EA_LO, R_TMP_HI } from "./regs.ts";

const TWO32 = 4294967296;

// Next byte address after (hi, lo) + i: the high half.
function hiPlus(hi: number, lo: number, i: number): number {
  return lo + i >= TWO32 ? (hi + 1) >>> 0 : hi;
}

/** `lmw` RT,D(RA): words into RT…r31 (high halves 0). @param cpu The CPU. @param insn The instruction. */
export function opLmw(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  const hi = g[R_EA_HI];
  const lo = g[R_EA_LO];
  for (let r = insn.rt; r < 32; r++) {
    const i = 4 * (r - insn.rt);
    const v = load32(cpu, hiPlus(hi, lo, i), (lo + i) >>> 0);
    g[r << 1] = v;
    g[(r << 1) + 1] = 0;
  }
}

/** `stmw` RS,D(RA): low words of RS…r31. @param cpu The CPU. @param insn The instruction. */
export function opStmw(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaD(g, insn);
  const hi = g[R_EA_HI];
  const lo = g[R_EA_LO];
  for (let r = insn.rt; r < 32; r++) {
    const i = 4 * (r - insn.rt);
    store32(cpu, hiPlus(hi, lo, i), (lo + i) >>> 0, g[r << 1]);
  }
}

function swap16(v: number): number {
  return ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** `lhbrx` RT,RA,RB: byte-reversed halfword. @param cpu The CPU. @param insn The instruction. */
export function opLhbrx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  setRt(g, insn, 0, swap16(load16(cpu, g[R_EA_HI], g[R_EA_LO])));
}

/** `lwbrx` RT,RA,RB: byte-reversed word. @param cpu The CPU. @param insn The instruction. */
export function opLwbrx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  setRt(g, insn, 0, swap32(load32(cpu, g[R_EA_HI], g[R_EA_LO])));
}

/** `ldbrx` RT,RA,RB: byte-reversed doubleword. @param cpu The CPU. @param insn The instruction. */
export function opLdbrx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  const lo = load64(cpu, g[R_EA_HI], g[R_EA_LO]);
  setRt(g, insn, swap32(lo), swap32(g[R_TMP_HI]));
}

/** `sthbrx` RS,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opSthbrx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  store16(cpu, g[R_EA_HI], g[R_EA_LO], swap16(g[insn.rt << 1]));
}

/** `stwbrx` RS,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opStwbrx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  store32(cpu, g[R_EA_HI], g[R_EA_LO], swap32(g[insn.rt << 1]));
}

/** `stdbrx` RS,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opStdbrx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  eaX(g, insn);
  const s = insn.rt << 1;
  store64(cpu, g[R_EA_HI], g[R_EA_LO], swap32(g[s]), swap32(g[s + 1]));
}
