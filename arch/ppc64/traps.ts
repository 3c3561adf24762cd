// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * ppc64 interrupts. Two kinds, as the ABI splits them:
 *
 * - **Guest-vectored** (system call 0xc00, external 0x500, decrementer
 *   0x900, and anything the host forwards with `deliverInterrupt`): the
 *   hardware sequence of Power ISA Book III-S §6.5 — SRR0 ← the address to
 *   resume at, SRR1 ← MSR with bits 33–36 and 42–47 cleared (plus a
 *   reason), MSR ← EE, PR, SE, FP, BE, FE0/1, IR, DR, RI, LE cleared (SF
 *   set, HV and ME kept), NIP ← `vectorBase` + vector.
 * - **Host-handled** (program 0x700, data storage 0x300, instruction
 *   storage 0x400, alignment 0x600, trace 0xd00): `run()` stops with
 *   `STOP_TRAP`. SRR0, SRR1, DAR and DSISR are written as the hardware
 *   would (so a `pt_regs` built from them reads like Linux's), but MSR is
 *   left alone and NIP stays at SRR0 — the faulting instruction, or the
 *   next one for a trace interrupt — so the host can fix things up and
 *   simply run on, as x86's host handlers do.
 *
 * @module
 */

import type { Fault } from "../_common/fault.ts";
import { PF_INSTR, PF_PROT, PF_USER, PF_WRITE, STOP_TRAP, type StopReason } from "../types.ts";
import type { Ppc64Cpu } from "./cpu.ts";
import {
  DSISR_NOPAGE,
  DSISR_PROT,
  DSISR_STORE,
  MSR_EE,
  MSR_HV_HI,
  MSR_ME,
  MSR_PR,
  MSR_SE,
  MSR_SF_HI,
  R_DAR_HI,
  R_DAR_LO,
  R_DSISR,
  R_MSR_HI,
  R_MSR_LO,
  R_NIP_HI,
  R_NIP_LO,
  R_SRR0_HI,
  R_SRR0_LO,
  R_SRR1_HI,
  R_SRR1_LO,
  SRR1_ISI_NOPAGE,
  SRR1_ISI_PROT,
  SRR1_REASON_MASK,
  SRR1_TRAP,
  VEC_ALIGNMENT,
  VEC_DATA_STORAGE,
  VEC_INSTR_STORAGE,
  VEC_PROGRAM,
} from "./regs.ts";

/** `cpu.events` bit: a stop is pending (`pendingStop`). */
export const EVT_STOP = 1;
/** `cpu.events` bit: MSR.SE is set: step one instruction at a time. */
export const EVT_TRACE = 2;
/** `cpu.events` bit: an interrupt is pending and MSR.EE = 1. */
export const EVT_IRQ = 4;
/** `cpu.events` bit: text changed: drop the current instruction, re-fetch from NIP. */
export const EVT_FLUSH = 8;

/** `cpu.branch`: the handler fell through to the next instruction. */
export const BR_NONE = 0;
/** `cpu.branch`: the handler took its static target (`insn.targetLo/Hi`). */
export const BR_TARGET = 1;
/** `cpu.branch`: the handler wrote NIP into the register file. */
export const BR_NIP = 2;

/**
 * Throws a program interrupt (0x700) with an SRR1 reason.
 *
 * @param cpu The CPU.
 * @param reason `SRR1_TRAP`, `SRR1_ILLEGAL` or `SRR1_PRIVILEGED`.
 * @returns Never.
 *
 * @example An illegal instruction
 * ```ts
 * import { Ppc64Cpu } from "./cpu.ts";
 * import { raiseProgramInterrupt } from "./traps.ts";
 * import { SRR1_ILLEGAL } from "./regs.ts";
 * import { Memory } from "../../kernel-model/memory.ts";
 * import assert from "node:assert/strict";
 * const cpu = new Ppc64Cpu(new Memory({ littleEndian: false }));
 * assert.throws(() => raiseProgramInterrupt(cpu, SRR1_ILLEGAL));
 * assert.equal(cpu.fault.vector, 0x700);
 * ```
 */
export function raiseProgramInterrupt(cpu: Ppc64Cpu, reason: number): never {
  throw cpu.fault.set(VEC_PROGRAM, reason, 0, 0);
}

/**
 * A taken trap (`tw`, `twi`, `td`, `tdi`, Kprobes' breakpoint): the program
 * interrupt with the trap reason, taken without unwinding the run loop. NIP
 * stays on the trap word, no trace interrupt follows, and `run()` returns
 * `STOP_TRAP` at the boundary. A probe hit costs a flag, not a throw.
 *
 * @param cpu The CPU, executing the trap (`cpu.cur`).
 */
export function takeProgramTrap(cpu: Ppc64Cpu): void {
  const cur = cpu.cur!;
  takePpc64Fault(cpu, cpu.fault.set(VEC_PROGRAM, SRR1_TRAP, 0, 0), cur.addrHi, cur.addrLo);
  cpu.branch = BR_NIP;
  cpu.noTrace = 1;
  // The trap does not retire; the run loop counts every dispatched word.
  cpu.clock[0]--;
  requestStop(cpu, STOP_TRAP);
}

/**
 * Throws an alignment interrupt (0x600) for the access at `(hi, lo)`.
 *
 * @param cpu The CPU.
 * @param hi High half of the effective address.
 * @param lo Low half of the effective address.
 * @param dsisr DSISR value (instruction-derived bits).
 * @returns Never.
 */
export function raiseAlignmentInterrupt(
  cpu: Ppc64Cpu,
  hi: number,
  lo: number,
  dsisr: number,
): never {
  throw cpu.fault.set(VEC_ALIGNMENT, dsisr, hi >>> 0, lo >>> 0);
}

/**
 * Records a stop for the next instruction boundary (rfid to user mode,
 * hypercall, wait).
 *
 * @param cpu The CPU.
 * @param reason A `STOP_*` value.
 */
export function requestStop(cpu: Ppc64Cpu, reason: StopReason): void {
  cpu.pendingStop = reason;
  cpu.events |= EVT_STOP;
}

/**
 * Recomputes `cpu.events` from MSR.SE, MSR.EE, pending interrupts and stops.
 *
 * @param cpu The CPU.
 */
export function syncPpc64Events(cpu: Ppc64Cpu): void {
  const msr = cpu.regs[R_MSR_LO];
  cpu.events = (cpu.events & EVT_FLUSH) |
    (cpu.pendingStop >= 0 ? EVT_STOP : 0) |
    ((msr & MSR_SE) !== 0 ? EVT_TRACE : 0) |
    ((msr & MSR_EE) !== 0 && cpu.irqPending !== 0 ? EVT_IRQ : 0);
}

/**
 * Writes MSR and updates what depends on it: the access codes of user
 * mode (PR), the fetch page (re-checked for the new privilege) and the
 * events (SE, EE).
 *
 * @param cpu The CPU.
 * @param hi New MSR high half.
 * @param lo New MSR low half.
 */
export function writeMsr(cpu: Ppc64Cpu, hi: number, lo: number): void {
  const regs = cpu.regs;
  const oldPr = regs[R_MSR_LO] & MSR_PR;
  regs[R_MSR_HI] = hi;
  regs[R_MSR_LO] = lo;
  const pr = lo & MSR_PR;
  if (pr !== oldPr) {
    cpu.accRead = pr !== 0 ? PF_USER : 0;
    cpu.accWrite = cpu.accRead | PF_WRITE;
    cpu.page = null;
  }
  syncPpc64Events(cpu);
}

/**
 * The hardware interrupt sequence into a guest vector: SRR0/SRR1, the
 * interrupt MSR, NIP = `vectorBase` + `vector`.
 *
 * @param cpu The CPU.
 * @param vector Vector offset (0xc00, 0x500, 0x900 …).
 * @param srr0Hi High half of the address to resume at.
 * @param srr0Lo Low half of the address to resume at.
 * @param reason Bits OR-ed into SRR1 (0 for most interrupts).
 */
export function enterInterrupt(
  cpu: Ppc64Cpu,
  vector: number,
  srr0Hi: number,
  srr0Lo: number,
  reason: number,
): void {
  const regs = cpu.regs;
  regs[R_SRR0_HI] = srr0Hi;
  regs[R_SRR0_LO] = srr0Lo;
  regs[R_SRR1_HI] = regs[R_MSR_HI];
  regs[R_SRR1_LO] = (regs[R_MSR_LO] & ~SRR1_REASON_MASK) | reason;
  writeMsr(cpu, (regs[R_MSR_HI] & MSR_HV_HI) | MSR_SF_HI, regs[R_MSR_LO] & MSR_ME);
  const t = cpu.vectorBaseLo + vector;
  regs[R_NIP_LO] = t;
  regs[R_NIP_HI] = cpu.vectorBaseHi + (t > 0xffffffff ? 1 : 0);
  cpu.noTrace = 1;
}

/**
 * Delivers the lowest pending interrupt (MSR.EE = 1 is the caller's
 * check): SRR0 is the current NIP.
 *
 * @param cpu The CPU, between instructions (NIP in the register file).
 */
export function deliverPpc64Interrupt(cpu: Ppc64Cpu): void {
  const pending = cpu.irqPending;
  if (pending === 0) return;
  const bit = 31 - Math.clz32(pending & -pending);
  cpu.irqPending = pending & ~(1 << bit);
  enterInterrupt(cpu, bit << 7, cpu.regs[R_NIP_HI], cpu.regs[R_NIP_LO], 0);
}

/**
 * Fills the state of a host-handled interrupt (SRR0/SRR1, DAR/DSISR,
 * `trapVector`, `trapErrorCode`, NIP = SRR0) from a caught fault and
 * returns `STOP_TRAP`. Memory faults (vector 14 with `PF_*` bits) become
 * a data storage interrupt (0x300: DSISR not-present 0x40000000 or
 * protection 0x08000000, | store 0x02000000) or, for a fetch, an
 * instruction storage interrupt (0x400: the same reason bits in SRR1).
 *
 * @param cpu The CPU.
 * @param f The fault.
 * @param nipHi High half of the faulting instruction's address.
 * @param nipLo Low half of the faulting instruction's address.
 * @returns `STOP_TRAP`.
 */
export function takePpc64Fault(cpu: Ppc64Cpu, f: Fault, nipHi: number, nipLo: number): StopReason {
  const regs = cpu.regs;
  let vector = f.vector;
  let reason = 0;
  let code = f.errorCode;
  cpu.trapAccess = 0;
  if (vector === 14) {
    cpu.trapAccess = code;
    if ((code & PF_INSTR) !== 0) {
      vector = VEC_INSTR_STORAGE;
      reason = (code & PF_PROT) !== 0 ? SRR1_ISI_PROT : SRR1_ISI_NOPAGE;
      code = reason;
      // An ISI reports the fetch address in SRR0.
      nipHi = f.addrHi;
      nipLo = f.addrLo;
    } else {
      vector = VEC_DATA_STORAGE;
      code = ((code & PF_PROT) !== 0 ? DSISR_PROT : DSISR_NOPAGE) |
        ((code & PF_WRITE) !== 0 ? DSISR_STORE : 0);
      regs[R_DSISR] = code;
      regs[R_DAR_HI] = f.addrHi;
      regs[R_DAR_LO] = f.addrLo;
    }
  } else if (vector === VEC_ALIGNMENT) {
    regs[R_DSISR] = code;
    regs[R_DAR_HI] = f.addrHi;
    regs[R_DAR_LO] = f.addrLo;
  } else if (vector === VEC_PROGRAM) {
    reason = code;
  }
  regs[R_SRR0_HI] = nipHi;
  regs[R_SRR0_LO] = nipLo;
  regs[R_SRR1_HI] = regs[R_MSR_HI];
  regs[R_SRR1_LO] = (regs[R_MSR_LO] & ~SRR1_REASON_MASK) | reason;
  regs[R_NIP_HI] = nipHi;
  regs[R_NIP_LO] = nipLo;
  cpu.trapVector = vector;
  cpu.trapErrorCode = code >>> 0;
  cpu.trapNipHi = nipHi;
  cpu.trapNipLo = nipLo;
  return STOP_TRAP;
}

/**
 * Stops with a host-handled interrupt that has no fault record (trace):
 * SRR0 = NIP = `(hi, lo)`, SRR1 = MSR | `reason`.
 *
 * @param cpu The CPU.
 * @param vector The vector (0xd00).
 * @param hi High half of SRR0.
 * @param lo Low half of SRR0.
 * @param reason SRR1 reason bits.
 * @returns `STOP_TRAP`.
 */
export function stopWithInterrupt(
  cpu: Ppc64Cpu,
  vector: number,
  hi: number,
  lo: number,
  reason: number,
): StopReason {
  const regs = cpu.regs;
  regs[R_SRR0_HI] = hi;
  regs[R_SRR0_LO] = lo;
  regs[R_SRR1_HI] = regs[R_MSR_HI];
  regs[R_SRR1_LO] = (regs[R_MSR_LO] & ~SRR1_REASON_MASK) | reason;
  regs[R_NIP_HI] = hi;
  regs[R_NIP_LO] = lo;
  cpu.trapVector = vector;
  cpu.trapErrorCode = reason;
  cpu.trapAccess = 0;
  cpu.trapNipHi = hi;
  cpu.trapNipLo = lo;
  return STOP_TRAP;
}
