// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * sparc64 traps, in two kinds (ABI.md "The trap table (sparc64)"):
 *
 * - **Guest-delivered** (window spill/fill/clean, interrupt level 14, `ta
 *   0x6d` from user mode): full SPARC V9 trap entry — TL += 1, TSTATE/TPC/
 *   TNPC/TT of the new level, PSTATE = PRIV | AG (IE, AM, RED cleared),
 *   PC = `%tba` (+ 0x4000 above TL 0) + TT·32.
 * - **Host-taken** (everything else): `hostTrap()` throws the CPU's
 *   preallocated `Fault` with the trap type; the run loop stops with
 *   `STOP_TRAP`, PC on the trapping instruction, nPC its nPC and every
 *   effect of the instruction absent (nothing commits before the throw).
 *   A `Tcc` the host takes (Kprobes' `ta 0x70`/`ta 0x71`) leaves the same
 *   state without a throw (`takeSparc64Trap()`): the loop offers the stop
 *   to `cpu.stopHook` and goes on when the hook handled it.
 *
 * Also `retry`/`done` (Linux: the return half of rtrap) and the interrupt
 * check at instruction boundaries.
 *
 * @module
 */

import type { Fault } from "../_common/fault.ts";
import { STOP_TRAP, STOP_USER } from "../types.ts";
import type { Sparc64Cpu } from "./cpu.ts";
import type { Sparc64DecodedInsn } from "./decode.ts";
import {
  MAXTL,
  NWINDOWS,
  PSTATE_AG,
  PSTATE_AM,
  PSTATE_CLE,
  PSTATE_IE,
  PSTATE_MASK,
  PSTATE_PRIV,
  PSTATE_RED,
  PSTATE_TLE,
  R_ASI,
  R_CCR,
  R_CWP,
  R_NPC_HI,
  R_NPC_LO,
  R_PC_HI,
  R_PC_LO,
  R_PIL,
  R_PSTATE,
  R_SOFTINT,
  R_TBA_HI,
  R_TBA_LO,
  R_TL,
  R_TRAP,
  T_TNPC,
  T_TPC,
  T_TSTATE,
  T_TT,
  TT_DATA_ACCESS,
  TT_ILLEGAL,
  TT_INSN_ACCESS,
  TT_INTERRUPT,
} from "./regs.ts";
import { PF_INSTR } from "../types.ts";

/** `events` bit: an instruction recorded a stop (`pendingStop`). */
export const SPARC64_EVT_STOP = 1;
/** `events` bit: an interrupt is deliverable at the next boundary. */
export const SPARC64_EVT_IRQ = 2;

/**
 * Throws the CPU's fault for a host-taken trap.
 *
 * @param cpu The CPU.
 * @param tt Trap type.
 * @param errorCode `PF_*` bits for access faults, else 0.
 * @param addrHi Fault address, high half (0 if none).
 * @param addrLo Fault address, low half.
 * @returns Never.
 */
export function hostTrap(
  cpu: Sparc64Cpu,
  tt: number,
  errorCode = 0,
  addrHi = 0,
  addrLo = 0,
): never {
  throw cpu.fault.set(tt, errorCode, addrHi, addrLo);
}

/**
 * A host-taken `Tcc` trap (Kprobes' `ta 0x70`/`ta 0x71`, the kretprobe
 * trampoline's breakpoint, any other `ta` the guest does not take) without
 * unwinding the run loop: the same state as a thrown trap (PC back on the
 * `ta`, nPC its nPC, `trapVector` the trap type, the `ta` not retired), and
 * the loop offers `STOP_TRAP` to the stop hook at the boundary. A probe hit
 * costs a flag, not a throw.
 *
 * @param cpu The CPU, executing the trap from its run loop.
 * @param insn The `ta` (`cpu.cur`).
 * @param tt Trap type.
 */
export function takeSparc64Trap(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn, tt: number): void {
  const r = cpu.regs;
  // The loop moved PC/nPC on before dispatch: PC holds the ta's nPC.
  r[R_NPC_LO] = r[R_PC_LO];
  r[R_NPC_HI] = r[R_PC_HI];
  r[R_PC_LO] = insn.addrLo;
  r[R_PC_HI] = insn.addrHi;
  cpu.trapVector = tt;
  cpu.trapErrorCode = 0;
  // The trap does not retire; the run loop counts every dispatched word.
  cpu.clock[0]--;
  setStop(cpu, STOP_TRAP);
}

/**
 * The highest pending interrupt level SOFTINT asks for (TICK_INT, bit 0,
 * and STICK_INT, bit 16, count as 14), or 0.
 *
 * @param softint SOFTINT.
 * @returns 1–15, or 0 for none.
 */
export function pendingLevel(softint: number): number {
  let bits = softint & 0xfffe;
  if ((softint & 0x10001) !== 0) bits |= 1 << 14; // TICK_INT, STICK_INT
  if (bits === 0) return 0;
  return 31 - Math.clz32(bits);
}

/**
 * Recomputes `cpu.events` after PSTATE, PIL, TL or SOFTINT changed.
 *
 * @param cpu The CPU.
 */
export function syncSparc64Events(cpu: Sparc64Cpu): void {
  const r = cpu.regs;
  let e = cpu.pendingStop >= 0 ? SPARC64_EVT_STOP : 0;
  if (
    r[R_SOFTINT] !== 0 && (r[R_PSTATE] & PSTATE_IE) !== 0 && r[R_TL] === 0 &&
    pendingLevel(r[R_SOFTINT]) > r[R_PIL]
  ) {
    e |= SPARC64_EVT_IRQ;
  }
  cpu.events = e;
}

/**
 * Records a stop for the end of the current instruction.
 *
 * @param cpu The CPU.
 * @param reason The stop.
 */
export function setStop(cpu: Sparc64Cpu, reason: number): void {
  cpu.pendingStop = reason;
  cpu.events |= SPARC64_EVT_STOP;
}

/**
 * SPARC V9 trap entry into the guest's table with TPC/TNPC = the trapping
 * instruction and its nPC (inside an instruction, `cpu.cur`), or the
 * current PC/nPC (at a boundary: interrupts, the host's `deliverTrap`),
 * then CWP moved by `cwpDelta` (window traps), PC/nPC at the vector. At TL = MAXTL the trap is
 * taken by the host instead (the CPU would enter error state).
 *
 * @param cpu The CPU.
 * @param tt Trap type.
 * @param cwpDelta Added to CWP after TSTATE is saved (spill: CANSAVE + 2, fill: −1, clean: 1).
 */
export function enterTrap(cpu: Sparc64Cpu, tt: number, cwpDelta = 0): void {
  const r = cpu.regs;
  const tl = r[R_TL];
  if (tl >= MAXTL) hostTrap(cpu, tt);
  const pstate = r[R_PSTATE];
  const t = R_TRAP + 8 * tl; // record of level tl + 1
  r[t + T_TSTATE] = ((r[R_ASI] & 0xff) << 24 | (pstate & PSTATE_MASK) << 8 | r[R_CWP]) >>> 0;
  r[t + T_TSTATE + 1] = r[R_CCR] & 0xff;
  const cur = cpu.cur;
  if (cur !== null) {
    // Inside an instruction: PC/nPC already moved on; the trapped pair is
    // the instruction and its nPC (now in PC).
    r[t + T_TPC] = cur.addrLo;
    r[t + T_TPC + 1] = cur.addrHi;
    r[t + T_TNPC] = r[R_PC_LO];
    r[t + T_TNPC + 1] = r[R_PC_HI];
  } else {
    r[t + T_TPC] = r[R_PC_LO];
    r[t + T_TPC + 1] = r[R_PC_HI];
    r[t + T_TNPC] = r[R_NPC_LO];
    r[t + T_TNPC + 1] = r[R_NPC_HI];
  }
  r[t + T_TT] = tt;
  r[R_TL] = tl + 1;
  let ps = (pstate & ~(PSTATE_IE | PSTATE_AM | PSTATE_RED | PSTATE_CLE)) | PSTATE_PRIV | PSTATE_AG;
  if ((pstate & PSTATE_TLE) !== 0) ps |= PSTATE_CLE;
  r[R_CWP] = (r[R_CWP] + cwpDelta) & (NWINDOWS - 1);
  cpu.writePstate(ps);
  cpu.remap();
  const off = (tl > 0 ? 0x4000 : 0) + tt * 32;
  const lo = (r[R_TBA_LO] & ~0x7fff) + off;
  const hi = r[R_TBA_HI];
  r[R_PC_LO] = lo;
  r[R_PC_HI] = hi;
  r[R_NPC_LO] = lo + 4;
  r[R_NPC_HI] = hi;
}

/**
 * A delayed control transfer by the executing instruction: PC already
 * holds the delay slot (the loop moved it on), nPC becomes the target.
 *
 * @param cpu The CPU.
 * @param hi Target high half.
 * @param lo Target low half.
 */
export function delayedTransfer(cpu: Sparc64Cpu, hi: number, lo: number): void {
  const r = cpu.regs;
  r[R_NPC_LO] = lo;
  r[R_NPC_HI] = hi;
}

/**
 * `retry` (resume at TPC/TNPC) and `done` (at TNPC/TNPC + 4): CCR, ASI,
 * PSTATE and CWP from TSTATE, TL −= 1; a cleared PSTATE.PRIV records
 * `STOP_USER`. Illegal at TL 0.
 *
 * @param cpu The CPU.
 * @param retry True for `retry`.
 */
export function returnFromTrap(cpu: Sparc64Cpu, retry: boolean): void {
  const r = cpu.regs;
  const tl = r[R_TL];
  if (tl === 0) hostTrap(cpu, TT_ILLEGAL);
  const t = R_TRAP + 8 * (tl - 1);
  const tsLo = r[t + T_TSTATE];
  if (retry) {
    r[R_PC_LO] = r[t + T_TPC];
    r[R_PC_HI] = r[t + T_TPC + 1];
    r[R_NPC_LO] = r[t + T_TNPC];
    r[R_NPC_HI] = r[t + T_TNPC + 1];
  } else {
    const lo = r[t + T_TNPC];
    const hi = r[t + T_TNPC + 1];
    r[R_PC_LO] = lo;
    r[R_PC_HI] = hi;
    const n = lo + 4;
    r[R_NPC_LO] = n;
    r[R_NPC_HI] = n > 0xffffffff ? hi + 1 : hi;
  }
  r[R_CCR] = r[t + T_TSTATE + 1] & 0xff;
  r[R_ASI] = tsLo >>> 24;
  r[R_CWP] = tsLo & (NWINDOWS - 1);
  r[R_TL] = tl - 1;
  const ps = (tsLo >>> 8) & PSTATE_MASK;
  cpu.writePstate(ps);
  cpu.remap();
  if ((ps & PSTATE_PRIV) === 0) setStop(cpu, STOP_USER);
}

/**
 * Delivers the highest pending interrupt through the guest table (at a
 * boundary, when `SPARC64_EVT_IRQ` says one is deliverable).
 *
 * @param cpu The CPU, between instructions.
 */
export function deliverSparc64Interrupt(cpu: Sparc64Cpu): void {
  const level = pendingLevel(cpu.regs[R_SOFTINT]);
  enterTrap(cpu, TT_INTERRUPT + level);
}

/**
 * Turns a caught fault into the CPU's stop state: the trap type (memory
 * faults become 0x030 or 0x008), `PF_*` error code and fault address.
 *
 * @param cpu The CPU.
 * @param f The fault (the CPU's own or the memory's).
 */
export function recordSparc64Fault(cpu: Sparc64Cpu, f: Fault): void {
  if (f === cpu.fault) {
    cpu.trapVector = f.vector;
    cpu.trapErrorCode = f.errorCode;
  } else {
    cpu.trapVector = (f.errorCode & PF_INSTR) !== 0 ? TT_INSN_ACCESS : TT_DATA_ACCESS;
    cpu.trapErrorCode = f.errorCode;
  }
  if (cpu.trapVector === TT_DATA_ACCESS || cpu.trapVector === TT_INSN_ACCESS) {
    cpu.faultHi = f.addrHi;
    cpu.faultLo = f.addrLo;
  } else if (cpu.trapVector === 0x034) {
    cpu.faultHi = f.addrHi;
    cpu.faultLo = f.addrLo;
  }
}
