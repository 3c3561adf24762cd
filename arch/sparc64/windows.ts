// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * sparc64 register windows (SPARC V9 §5.2.10, §6.4, A.21, A.45, A.46,
 * A.47): `save`, `restore`, `return`, `flushw`, `saved`, `restored` with
 * real spill/fill/clean_window traps into the guest's table, and the
 * host-side `flushWindows` (a `flushw` without traps, for the unwinder
 * and jprobes). NWINDOWS is 8: CWP counts up on `save`, and the outs of
 * window `w` are the ins of window `w + 1`.
 *
 * @module
 */

import { PF_USER, PF_WRITE } from "../types.ts";
import { operand2 } from "./alu.ts";
import type { Sparc64Cpu } from "./cpu.ts";
import type { Sparc64DecodedInsn } from "./decode.ts";
import {
  NWINDOWS,
  R_CANRESTORE,
  R_CANSAVE,
  R_CLEANWIN,
  R_CWP,
  R_OTHERWIN,
  R_T0_HI,
  R_T0_LO,
  R_WINDOWS,
  R_WSTATE,
  STACK_BIAS,
  TT_CLEAN_WINDOW,
  TT_FILL_NORMAL,
  TT_FILL_OTHER,
  TT_SPILL_NORMAL,
  TT_SPILL_OTHER,
  TT_UNALIGNED,
} from "./regs.ts";
import { delayedTransfer, enterTrap, hostTrap } from "./traps.ts";
import { setRd } from "./alu.ts";

const TWO32 = 4294967296;
// The window counters are 3-bit registers: arithmetic wraps mod NWINDOWS.
const W = NWINDOWS - 1;

// The spill trap of the window state: OTHER when OTHERWIN ≠ 0.
function spillTrap(cpu: Sparc64Cpu): void {
  const R = cpu.regs;
  const w = R[R_WSTATE];
  const tt = R[R_OTHERWIN] !== 0
    ? TT_SPILL_OTHER + 4 * ((w >>> 3) & 7)
    : TT_SPILL_NORMAL + 4 * (w & 7);
  enterTrap(cpu, tt, R[R_CANSAVE] + 2);
}

// The fill trap: CWP − 1.
function fillTrap(cpu: Sparc64Cpu): void {
  const R = cpu.regs;
  const w = R[R_WSTATE];
  const tt = R[R_OTHERWIN] !== 0
    ? TT_FILL_OTHER + 4 * ((w >>> 3) & 7)
    : TT_FILL_NORMAL + 4 * (w & 7);
  enterTrap(cpu, tt, -1);
}

// rs1 + op2 in the current window into R_T0_LO/HI.
function sum(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  operand2(cpu, insn);
  const a = cpu.rmap[insn.rs1];
  const s = R[a] + R[R_T0_LO];
  R[R_T0_HI] = R[a + 1] + R[R_T0_HI] + (s >= TWO32 ? 1 : 0);
  R[R_T0_LO] = s;
}

/**
 * `save rs1, op2, rd`: a new window (spill trap when CANSAVE = 0,
 * clean_window when CLEANWIN = CANRESTORE); rd is written in the new one.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSave(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  if (R[R_CANSAVE] === 0) return spillTrap(cpu);
  if (R[R_CLEANWIN] === R[R_CANRESTORE]) return enterTrap(cpu, TT_CLEAN_WINDOW, 1);
  sum(cpu, insn);
  R[R_CWP] = (R[R_CWP] + 1) & W;
  R[R_CANSAVE] = (R[R_CANSAVE] - 1) & W;
  R[R_CANRESTORE] = (R[R_CANRESTORE] + 1) & W;
  cpu.remap();
  setRd(cpu, insn.rd, R[R_T0_HI], R[R_T0_LO]);
}

/**
 * `restore rs1, op2, rd` (fill trap when CANRESTORE = 0).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opRestore(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  if (R[R_CANRESTORE] === 0) return fillTrap(cpu);
  sum(cpu, insn);
  R[R_CWP] = (R[R_CWP] - 1) & W;
  R[R_CANSAVE] = (R[R_CANSAVE] + 1) & W;
  R[R_CANRESTORE] = (R[R_CANRESTORE] - 1) & W;
  cpu.remap();
  setRd(cpu, insn.rd, R[R_T0_HI], R[R_T0_LO]);
}

/**
 * `return rs1 + op2`: jump (delayed) and restore the caller's window.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opReturn(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  if (R[R_CANRESTORE] === 0) return fillTrap(cpu);
  sum(cpu, insn);
  const lo = R[R_T0_LO];
  const hi = R[R_T0_HI];
  if ((lo & 3) !== 0) hostTrap(cpu, TT_UNALIGNED, 0, hi, lo);
  R[R_CWP] = (R[R_CWP] - 1) & W;
  R[R_CANSAVE] = (R[R_CANSAVE] + 1) & W;
  R[R_CANRESTORE] = (R[R_CANRESTORE] - 1) & W;
  cpu.remap();
  delayedTransfer(cpu, hi, lo);
}

/**
 * `flushw`: a spill trap while any window but the current one is in use.
 *
 * @param cpu The CPU.
 * @param _insn The instruction.
 */
export function opFlushw(cpu: Sparc64Cpu, _insn: Sparc64DecodedInsn): void {
  if (cpu.regs[R_CANSAVE] !== NWINDOWS - 2) spillTrap(cpu);
}

/** `saved` (end of a spill handler). @param cpu The CPU. @param _insn The instruction. */
export function opSaved(cpu: Sparc64Cpu, _insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  R[R_CANSAVE] = (R[R_CANSAVE] + 1) & W;
  if (R[R_OTHERWIN] === 0) R[R_CANRESTORE] = (R[R_CANRESTORE] - 1) & W;
  else R[R_OTHERWIN]--;
}

/** `restored` (end of a fill handler). @param cpu The CPU. @param _insn The instruction. */
export function opRestored(cpu: Sparc64Cpu, _insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  R[R_CANRESTORE] = (R[R_CANRESTORE] + 1) & W;
  if (R[R_CLEANWIN] < NWINDOWS - 1) R[R_CLEANWIN]++;
  if (R[R_OTHERWIN] === 0) R[R_CANSAVE] = (R[R_CANSAVE] - 1) & W;
  else R[R_OTHERWIN]--;
}

/**
 * Writes every window CANRESTORE and OTHERWIN hold (the OTHER ones as user
 * accesses) to its save area at `%sp + 2047` (`%l0`–`%l7`, `%i0`–`%i7`, 8
 * bytes each), as `spill_0_normal` would, then CANSAVE = 6, CANRESTORE =
 * OTHERWIN = 0. Every access is checked first: a fault leaves memory and
 * the window state untouched.
 *
 * @param cpu The CPU.
 * @returns False if a save area cannot be written.
 */
export function flushSparc64Windows(cpu: Sparc64Cpu): boolean {
  const R = cpu.regs;
  const mem = cpu.mem;
  const cwp = R[R_CWP];
  const canrestore = R[R_CANRESTORE];
  const n = canrestore + R[R_OTHERWIN];
  const addrs: number[] = [];
  for (let k = 1; k <= n && k < NWINDOWS; k++) {
    const w = (cwp - k) & (NWINDOWS - 1);
    const sp = R_WINDOWS + 32 * ((w + 1) & (NWINDOWS - 1)) + 16 + 12; // %o6 of w = %i6 of w + 1
    const s = R[sp] + STACK_BIAS;
    const lo = s >>> 0;
    const hi = (R[sp + 1] + (s >= TWO32 ? 1 : 0)) >>> 0;
    if ((lo & 7) !== 0) return false;
    const access = PF_WRITE | (k > canrestore ? PF_USER : 0);
    try {
      mem.translate(hi, lo, access);
      const e = lo + 127;
      mem.translate(e >= TWO32 ? (hi + 1) >>> 0 : hi, e >>> 0, access);
    } catch {
      return false;
    }
    addrs.push(w, hi, lo);
  }
  for (let i = 0; i < addrs.length; i += 3) {
    const base = R_WINDOWS + 32 * addrs[i];
    const hi = addrs[i + 1];
    const lo = addrs[i + 2];
    for (let j = 0; j < 16; j++) {
      const a = lo + 8 * j;
      const ah = a >= TWO32 ? (hi + 1) >>> 0 : hi;
      mem.write32(ah, a >>> 0, R[base + 2 * j + 1]);
      mem.write32(ah, (a + 4) >>> 0, R[base + 2 * j]);
    }
  }
  R[R_CANSAVE] = NWINDOWS - 2;
  R[R_CANRESTORE] = 0;
  R[R_OTHERWIN] = 0;
  return true;
}
