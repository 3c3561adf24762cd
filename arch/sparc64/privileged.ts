// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * sparc64 state-register and trap instructions (SPARC V9 A.42–A.44,
 * A.61–A.63, A.24, A.61): `rd`/`wr` of the ASRs (`%y`, `%ccr`, `%asi`,
 * `%tick`, `%pc`, `%fprs`, `%set_softint` 20, `%clear_softint` 21,
 * `%softint` 22, `%tick_cmpr` 23, `%stick` 24), `rdpr`/`wrpr` of the
 * privileged registers, `Tcc` (ABI.md: `ta 0x7f` hypercall, `ta 0x7e`
 * halt, `ta 0x6d` from user mode into the guest table, every other trap to
 * the host), `done`/`retry`, `sir`, `illtrap` and invalid words. `wr` and
 * `wrpr` write `rs1 XOR op2`. `%tick` is the retired-instruction count.
 *
 * @module
 */

import { STOP_HALT, STOP_HYPERCALL } from "../types.ts";
import { operand2, setRd, SPARC64_COND_TABLE } from "./alu.ts";
import type { Sparc64Cpu } from "./cpu.ts";
import { CC_XCC, type Sparc64DecodedInsn } from "./decode.ts";
import {
  MAXTL,
  NWINDOWS,
  PSTATE_PRIV,
  R_ASI,
  R_CANRESTORE,
  R_CANSAVE,
  R_CCR,
  R_CLEANWIN,
  R_CWP,
  R_FPRS,
  R_OTHERWIN,
  R_PIL,
  R_PSTATE,
  R_SOFTINT,
  R_T0_HI,
  R_T0_LO,
  R_TBA_HI,
  R_TBA_LO,
  R_TICK_CMPR_HI,
  R_TICK_CMPR_LO,
  R_TL,
  R_TRAP,
  R_WSTATE,
  R_Y,
  T_TNPC,
  T_TPC,
  T_TSTATE,
  T_TT,
  TT_FP_DISABLED,
  TT_ILLEGAL,
  TT_PRIVILEGED_OPCODE,
  TT_SIR,
  TT_SYSCALL,
  TT_TRAP_INSN,
} from "./regs.ts";
import {
  enterTrap,
  hostTrap,
  returnFromTrap,
  setStop,
  syncSparc64Events,
  takeSparc64Trap,
} from "./traps.ts";

const TWO32 = 4294967296;

/** `%ver`: manufacturer 0x17, implementation 0x10 (UltraSPARC), MAXTL 5, MAXWIN 7 (high half). */
export const SPARC64_VER_HI = 0x00170010;
/** `%ver` low half. */
export const SPARC64_VER_LO: number = (MAXTL << 8) | (NWINDOWS - 1);

function isUser(cpu: Sparc64Cpu): boolean {
  return (cpu.regs[R_PSTATE] & PSTATE_PRIV) === 0;
}

/**
 * `illtrap` and every invalid word: `illegal_instruction`.
 *
 * @param cpu The CPU.
 * @param _insn The instruction.
 */
export function opSparc64Illegal(cpu: Sparc64Cpu, _insn: Sparc64DecodedInsn): void {
  hostTrap(cpu, TT_ILLEGAL);
}

/**
 * `rd %asr, rd`.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opRd(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  const asr = insn.rs1;
  if (asr >= 16 && isUser(cpu)) hostTrap(cpu, TT_PRIVILEGED_OPCODE);
  let hi = 0;
  let lo = 0;
  switch (asr) {
    case 0:
      lo = R[R_Y];
      break;
    case 2:
      lo = R[R_CCR];
      break;
    case 3:
      lo = R[R_ASI];
      break;
    case 4:
    case 24: {
      const t = cpu.clock[0];
      lo = t >>> 0;
      hi = Math.floor(t / TWO32) >>> 0;
      break;
    }
    case 5:
      lo = insn.addrLo;
      hi = insn.addrHi;
      break;
    case 6:
      lo = R[R_FPRS];
      break;
    case 19:
      return hostTrap(cpu, TT_FP_DISABLED);
    case 22:
      lo = R[R_SOFTINT];
      break;
    case 23:
    case 25:
      lo = R[R_TICK_CMPR_LO];
      hi = R[R_TICK_CMPR_HI];
      break;
    default:
      return hostTrap(cpu, TT_ILLEGAL);
  }
  setRd(cpu, insn.rd, hi, lo);
}

// rs1 XOR op2 into R_T0_LO/HI.
function xorOperands(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  operand2(cpu, insn);
  const a = cpu.rmap[insn.rs1];
  R[R_T0_LO] ^= R[a];
  R[R_T0_HI] ^= R[a + 1];
}

/**
 * `wr rs1, op2, %asr`.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opWr(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  const asr = insn.rd;
  if (asr >= 16 && isUser(cpu)) hostTrap(cpu, TT_PRIVILEGED_OPCODE);
  xorOperands(cpu, insn);
  const lo = R[R_T0_LO];
  switch (asr) {
    case 0:
      R[R_Y] = lo;
      break;
    case 2:
      R[R_CCR] = lo & 0xff;
      break;
    case 3:
      R[R_ASI] = lo & 0xff;
      break;
    case 6:
      R[R_FPRS] = lo & 7;
      break;
    case 19:
      return hostTrap(cpu, TT_FP_DISABLED);
    case 20:
      R[R_SOFTINT] |= lo & 0x1ffff;
      syncSparc64Events(cpu);
      break;
    case 21:
      R[R_SOFTINT] &= ~lo & 0x1ffff;
      syncSparc64Events(cpu);
      break;
    case 22:
      R[R_SOFTINT] = lo & 0x1ffff;
      syncSparc64Events(cpu);
      break;
    case 23:
    case 25:
      R[R_TICK_CMPR_LO] = lo;
      R[R_TICK_CMPR_HI] = R[R_T0_HI];
      break;
    case 24:
      cpu.clock[0] = R[R_T0_HI] * TWO32 + lo;
      break;
    default:
      return hostTrap(cpu, TT_ILLEGAL);
  }
}

/**
 * `rdpr %preg, rd` (privileged).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opRdpr(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  const p = insn.rs1;
  const tl = R[R_TL];
  let hi = 0;
  let lo = 0;
  if (p <= 3) {
    if (tl === 0) hostTrap(cpu, TT_ILLEGAL);
    const t = R_TRAP + 8 * (tl - 1);
    const o = p === 0 ? T_TPC : p === 1 ? T_TNPC : p === 2 ? T_TSTATE : T_TT;
    lo = R[t + o];
    hi = p === 3 ? 0 : R[t + o + 1];
  } else {
    switch (p) {
      case 4: {
        const c = cpu.clock[0];
        lo = c >>> 0;
        hi = Math.floor(c / TWO32) >>> 0;
        break;
      }
      case 5:
        lo = R[R_TBA_LO];
        hi = R[R_TBA_HI];
        break;
      case 6:
        lo = R[R_PSTATE];
        break;
      case 7:
        lo = tl;
        break;
      case 8:
        lo = R[R_PIL];
        break;
      case 9:
        lo = R[R_CWP];
        break;
      case 10:
        lo = R[R_CANSAVE];
        break;
      case 11:
        lo = R[R_CANRESTORE];
        break;
      case 12:
        lo = R[R_CLEANWIN];
        break;
      case 13:
        lo = R[R_OTHERWIN];
        break;
      case 14:
        lo = R[R_WSTATE];
        break;
      case 31:
        lo = SPARC64_VER_LO;
        hi = SPARC64_VER_HI;
        break;
      default:
        return hostTrap(cpu, TT_ILLEGAL);
    }
  }
  setRd(cpu, insn.rd, hi, lo);
}

/**
 * `wrpr rs1, op2, %preg` (privileged).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opWrpr(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  const p = insn.rd;
  const tl = R[R_TL];
  if (p <= 3 && tl === 0) hostTrap(cpu, TT_ILLEGAL);
  xorOperands(cpu, insn);
  const lo = R[R_T0_LO];
  const hi = R[R_T0_HI];
  const w = NWINDOWS - 1;
  if (p <= 3) {
    const t = R_TRAP + 8 * (tl - 1);
    if (p === 3) {
      R[t + T_TT] = lo & 0x1ff;
      return;
    }
    const o = p === 0 ? T_TPC : p === 1 ? T_TNPC : T_TSTATE;
    if (p === 2) {
      R[t + o] = lo & 0xff03ff07; // ASI, PSTATE (10 bits), CWP
      R[t + o + 1] = hi & 0xff;
    } else {
      R[t + o] = lo & ~3;
      R[t + o + 1] = hi;
    }
    return;
  }
  switch (p) {
    case 4:
      cpu.clock[0] = (hi & 0x7fffffff) * TWO32 + lo;
      break;
    case 5:
      R[R_TBA_LO] = lo & ~0x7fff;
      R[R_TBA_HI] = hi;
      break;
    case 6:
      cpu.writePstate(lo);
      cpu.remap();
      break;
    case 7:
      R[R_TL] = Math.min(lo & 7, MAXTL);
      syncSparc64Events(cpu);
      break;
    case 8:
      R[R_PIL] = lo & 15;
      syncSparc64Events(cpu);
      break;
    case 9:
      R[R_CWP] = lo & w;
      cpu.remap();
      break;
    case 10:
      R[R_CANSAVE] = lo & w;
      break;
    case 11:
      R[R_CANRESTORE] = lo & w;
      break;
    case 12:
      R[R_CLEANWIN] = lo & w;
      break;
    case 13:
      R[R_OTHERWIN] = lo & w;
      break;
    case 14:
      R[R_WSTATE] = lo & 0x3f;
      break;
    default:
      hostTrap(cpu, TT_ILLEGAL);
  }
}

/**
 * `Tcc`: when the condition holds, trap type 0x100 + ((rs1 + op2) & 0x7f).
 * In privileged mode `ta 0x7f` stops with `STOP_HYPERCALL` (`hypercallNr`
 * = `%g1`) and `ta 0x7e` with `STOP_HALT`, both with PC past the `ta`; in
 * user mode `ta 0x6d` enters the guest's system-call vector; every other
 * trap is the host's (`STOP_TRAP`, PC on the `ta`, taken in the run loop
 * without a throw: `takeSparc64Trap()`).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opTcc(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  const f = insn.cc === CC_XCC ? R[R_CCR] >>> 4 : R[R_CCR] & 15;
  if (SPARC64_COND_TABLE[(insn.cond << 4) | f] === 0) return;
  operand2(cpu, insn);
  const tt = TT_TRAP_INSN + ((R[cpu.rmap[insn.rs1]] + R[R_T0_LO]) & 0x7f);
  if (!isUser(cpu)) {
    if (tt === TT_TRAP_INSN + 0x7f) {
      cpu.hypercallNr = R[cpu.rmap[1]];
      return setStop(cpu, STOP_HYPERCALL);
    }
    if (tt === TT_TRAP_INSN + 0x7e) return setStop(cpu, STOP_HALT);
  } else if (tt === TT_SYSCALL) {
    return enterTrap(cpu, tt);
  }
  takeSparc64Trap(cpu, insn, tt);
}

/** `done`: return from a trap handler past the trapped instruction. @param cpu The CPU. @param _insn The instruction. */
export function opDone(cpu: Sparc64Cpu, _insn: Sparc64DecodedInsn): void {
  returnFromTrap(cpu, false);
}

/** `retry`: return from a trap handler to the trapped instruction. @param cpu The CPU. @param _insn The instruction. */
export function opRetry(cpu: Sparc64Cpu, _insn: Sparc64DecodedInsn): void {
  returnFromTrap(cpu, true);
}

/** `sir`: software-initiated reset, taken by the host (TT 0x004). @param cpu The CPU. @param _insn The instruction. */
export function opSir(cpu: Sparc64Cpu, _insn: Sparc64DecodedInsn): void {
  hostTrap(cpu, TT_SIR);
}
