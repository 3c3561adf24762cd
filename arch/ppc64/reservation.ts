// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Load-and-reserve and store-conditional (Power ISA Book II §4.4.2):
 * `lbarx`/`lharx`/`lwarx`/`ldarx` and `stbcx.`/`sthcx.`/`stwcx.`/`stdcx.`.
 *
 * Alignment: as on POWER5, ordinary loads and stores of any width work at
 * any address (the hardware handles most misaligned accesses; the rest
 * trap to a kernel fix-up that gives the same result). Only the
 * load-and-reserve / store-conditional instructions require natural
 * alignment and raise the alignment interrupt (0x600, DAR = EA).
 *
 * Reservations: `larx` records the address, size and the value it loaded;
 * `stcx.` succeeds when the address and size match and memory still holds
 * that value (as QEMU does), so a store by another CPU between the two —
 * CPUs are interleaved in one thread — makes it fail unless it wrote the
 * same value back. Every `stcx.` clears the reservation.
 *
 * @module
 */

import type { Ppc64Cpu } from "./cpu.ts";
import type { Ppc64DecodedInsn } from "./decode.ts";
import {
  eaX,
  load16,
  load32,
  load64,
  load8,
  setRt,
  store16,
  store32,
  store64,
  store8,
} from "./load_store.ts";
import {
  R_CR,
  R_EA_HI,
  R_EA_LO,
  R_RESV_HI,
  R_RESV_LO,
  R_RESV_SIZE,
  R_RESV_VAL_HI,
  R_RESV_VAL_LO,
  R_TMP_HI,
  R_XER,
} from "./regs.ts";
import { raiseAlignmentInterrupt } from "./traps.ts";

// DSISR of an alignment interrupt for an X-form instruction (ISA 2.0x §6.5.8).
function alignmentDsisr(insn: Ppc64DecodedInsn): number {
  const w = insn.word;
  return (((w >>> 1) & 3) << 15) | (((w >>> 6) & 1) << 14) | (((w >>> 7) & 15) << 10) |
    (insn.rt << 5) | insn.ra;
}

// EA for a larx/stcx. of `size` bytes; alignment interrupt if misaligned.
function eaAtomic(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn, size: number): void {
  const g = cpu.regs;
  eaX(g, insn);
  if ((g[R_EA_LO] & (size - 1)) !== 0) {
    raiseAlignmentInterrupt(cpu, g[R_EA_HI], g[R_EA_LO], alignmentDsisr(insn));
  }
}

function loadSized(cpu: Ppc64Cpu, hi: number, lo: number, size: number): number {
  if (size === 8) return load64(cpu, hi, lo);
  cpu.regs[R_TMP_HI] = 0;
  if (size === 4) return load32(cpu, hi, lo);
  return size === 2 ? load16(cpu, hi, lo) : load8(cpu, hi, lo);
}

// Load and reserve of `size` bytes (zero-extended into RT).
function larx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn, size: number): void {
  const g = cpu.regs;
  eaAtomic(cpu, insn, size);
  const hi = g[R_EA_HI];
  const lo = g[R_EA_LO];
  const vl = loadSized(cpu, hi, lo, size);
  const vh = g[R_TMP_HI];
  g[R_RESV_HI] = hi;
  g[R_RESV_LO] = lo;
  g[R_RESV_VAL_HI] = vh;
  g[R_RESV_VAL_LO] = vl;
  g[R_RESV_SIZE] = size;
  setRt(g, insn, vh, vl);
}

// Store conditional of `size` bytes; CR0 = 00 ‖ success ‖ SO.
function stcx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn, size: number): void {
  const g = cpu.regs;
  eaAtomic(cpu, insn, size);
  const hi = g[R_EA_HI];
  const lo = g[R_EA_LO];
  let ok = g[R_RESV_SIZE] === size && g[R_RESV_HI] === hi && g[R_RESV_LO] === lo;
  g[R_RESV_SIZE] = 0;
  if (ok) {
    const vl = loadSized(cpu, hi, lo, size);
    ok = vl === g[R_RESV_VAL_LO] && g[R_TMP_HI] === g[R_RESV_VAL_HI];
  }
  if (ok) {
    const s = insn.rt << 1;
    if (size === 8) store64(cpu, hi, lo, g[s + 1], g[s]);
    else if (size === 4) store32(cpu, hi, lo, g[s]);
    else if (size === 2) store16(cpu, hi, lo, g[s]);
    else store8(cpu, hi, lo, g[s]);
  }
  g[R_CR] = (g[R_CR] & 0x0fffffff) | (((ok ? 2 : 0) | (g[R_XER] >>> 31)) << 28);
}

/** `lbarx` RT,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opLbarx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  larx(cpu, insn, 1);
}

/** `lharx` RT,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opLharx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  larx(cpu, insn, 2);
}

/** `lwarx` RT,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opLwarx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  larx(cpu, insn, 4);
}

/** `ldarx` RT,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opLdarx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  larx(cpu, insn, 8);
}

/** `stbcx.` RS,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opStbcx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  stcx(cpu, insn, 1);
}

/** `sthcx.` RS,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opSthcx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  stcx(cpu, insn, 2);
}

/** `stwcx.` RS,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opStwcx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  stcx(cpu, insn, 4);
}

/** `stdcx.` RS,RA,RB. @param cpu The CPU. @param insn The instruction. */
export function opStdcx(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  stcx(cpu, insn, 8);
}
