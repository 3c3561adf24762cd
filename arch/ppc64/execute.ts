// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The ppc64 step loop: cached fetch (the current page's slot array indexed
 * by page offset), dispatch through `PPC64_DISPATCH[insn.dispatch]`,
 * threaded successors (`insn.next`/`insn.target`) so NIP lives in the
 * register file only off the fast path, the retirement count, and the
 * slow path for events — pending stops, interrupt delivery at instruction
 * boundaries when MSR.EE = 1, and the MSR.SE trace interrupt after exactly
 * one instruction. One `try/catch` per `run()` turns the preallocated
 * `Fault` into `STOP_TRAP` with NIP on the faulting instruction.
 *
 * @module
 */

import { Fault } from "../_common/fault.ts";
import { PF_INSTR, STOP_BUDGET, type StopReason } from "../types.ts";
import type { Ppc64Cpu } from "./cpu.ts";
import { decodePpc64, type Ppc64DecodedInsn } from "./decode.ts";
import { PPC64_DISPATCH } from "./opcodes.ts";
import { MSR_SE, R_MSR_LO, R_NIP_HI, R_NIP_LO, R_PAGE_HI, R_PAGE_LO, VEC_TRACE } from "./regs.ts";
import {
  BR_NONE,
  BR_TARGET,
  deliverPpc64Interrupt,
  EVT_FLUSH,
  EVT_IRQ,
  EVT_STOP,
  stopWithInterrupt,
  syncPpc64Events,
  takePpc64Fault,
} from "./traps.ts";

const TWO32 = 4294967296;

/**
 * Decodes `word` as the instruction at `(hi, lo)`, its successor and
 * branch target filled as the decode cache keeps them (the fetch path's and
 * Kprobes' emulation record's shared step).
 *
 * @param word The instruction word.
 * @param hi Address high half.
 * @param lo Address low half (word-aligned).
 * @returns A fresh decoded instruction.
 */
export function placePpc64(word: number, hi: number, lo: number): Ppc64DecodedInsn {
  const insn = decodePpc64(word);
  insn.addrLo = lo;
  insn.addrHi = hi;
  const n = lo + 4;
  insn.nextLo = n >>> 0;
  insn.nextHi = n >= TWO32 ? (hi + 1) >>> 0 : hi;
  if (insn.relative !== 0) {
    const d = insn.imm;
    if (insn.aa !== 0) {
      insn.targetLo = d >>> 0;
      insn.targetHi = d < 0 ? 0xffffffff : 0;
    } else {
      const t = lo + d;
      const tl = t >>> 0;
      insn.targetLo = tl;
      insn.targetHi = (hi + (t - tl) / TWO32) >>> 0;
    }
  }
  return insn;
}

/**
 * The decoded instruction at `(hi, lo)`: switches the CPU's current page
 * (checking execute permission for the current MSR.PR) and decodes into
 * the cache on a miss. Throws the memory's fault when the word cannot be
 * fetched.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half (word-aligned).
 * @returns The instruction (shared with the cache).
 */
export function fetchPpc64(cpu: Ppc64Cpu, hi: number, lo: number): Ppc64DecodedInsn {
  const regs = cpu.regs;
  const pageLo = (lo & ~0xfff) >>> 0;
  const access = PF_INSTR | cpu.accRead;
  if (hi !== regs[R_PAGE_HI] || pageLo !== regs[R_PAGE_LO] || cpu.page === null) {
    cpu.mem.translate(hi, lo, access);
    cpu.page = cpu.cache.page(hi, lo);
    regs[R_PAGE_HI] = hi;
    regs[R_PAGE_LO] = pageLo;
  }
  const idx = lo & 0xfff;
  const page = cpu.page;
  const cached = page[idx];
  if (cached !== null) return cached;
  const off = cpu.mem.translate(hi, lo, access);
  const insn = placePpc64(cpu.dv.getUint32(off), hi, lo);
  page[idx] = insn;
  return insn;
}

/**
 * Returns the pending stop and clears it (the run loop's exit with
 * `EVT_STOP`).
 *
 * @param cpu The CPU.
 * @returns The stop recorded by an instruction.
 */
export function takeStopPpc64(cpu: Ppc64Cpu): StopReason {
  const r = cpu.pendingStop;
  cpu.pendingStop = -1;
  syncPpc64Events(cpu);
  return r;
}

// Leaves NIP in the register file after `insn` retired, per `cpu.branch`.
function settleNip(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const regs = cpu.regs;
  const b = cpu.branch;
  if (b === BR_NONE) {
    regs[R_NIP_LO] = insn.nextLo;
    regs[R_NIP_HI] = insn.nextHi;
  } else if (b === BR_TARGET) {
    regs[R_NIP_LO] = insn.targetLo;
    regs[R_NIP_HI] = insn.targetHi;
  }
  cpu.branch = BR_NONE;
}

/**
 * The slow path at a boundary with events pending (NIP in the register
 * file): stops, interrupt delivery, one instruction, the trace interrupt.
 * Shared by the interpreter's loop and the block translator's.
 *
 * @param cpu The CPU, between instructions.
 * @returns A stop, or -1 to run on.
 */
export function slowStepPpc64(cpu: Ppc64Cpu): number {
  if ((cpu.events & EVT_STOP) !== 0) return takeStopPpc64(cpu);
  if ((cpu.events & EVT_FLUSH) !== 0) cpu.events &= ~EVT_FLUSH;
  const regs = cpu.regs;
  cpu.cur = null;
  if ((cpu.events & EVT_IRQ) !== 0) deliverPpc64Interrupt(cpu);
  const traced = (regs[R_MSR_LO] & MSR_SE) !== 0;
  cpu.noTrace = 0;
  const insn = fetchPpc64(cpu, regs[R_NIP_HI], regs[R_NIP_LO]);
  cpu.cur = insn;
  PPC64_DISPATCH[insn.dispatch](cpu, insn);
  cpu.clock[0]++;
  cpu.cur = null;
  settleNip(cpu, insn);
  if (traced && cpu.noTrace === 0) {
    // Trace interrupt after the instruction; a pending stop waits for the next run.
    return stopWithInterrupt(cpu, VEC_TRACE, regs[R_NIP_HI], regs[R_NIP_LO], 0);
  }
  if ((cpu.events & EVT_STOP) !== 0) return takeStopPpc64(cpu);
  return -1;
}

/**
 * The instruction at NIP through the current page's slots, else a fetch
 * that checks execute permission (and may fault). The interpreter's loop and
 * the translator's share it.
 *
 * @param cpu The CPU.
 * @returns The decoded instruction at NIP.
 */
export function lookupPpc64Nip(cpu: Ppc64Cpu): Ppc64DecodedInsn {
  const regs = cpu.regs;
  const lo = regs[R_NIP_LO];
  const hi = regs[R_NIP_HI];
  const d = (lo - regs[R_PAGE_LO]) >>> 0;
  const page = cpu.page;
  if (hi === regs[R_PAGE_HI] && d < 4096 && page !== null) {
    const insn = page[d];
    if (insn !== null) return insn;
  }
  cpu.cur = null;
  return fetchPpc64(cpu, hi, lo);
}

// Threaded dispatch: follow next/target links; NIP is in the register
// file only while `insn` is null (and at exit).
function loop(cpu: Ppc64Cpu, budget: number): StopReason {
  const dispatch = PPC64_DISPATCH;
  const regs = cpu.regs;
  const clock = cpu.clock;
  let insn: Ppc64DecodedInsn | null = null;
  while (budget > 0) {
    if (cpu.events !== 0) {
      if (insn !== null) {
        regs[R_NIP_LO] = insn.addrLo;
        regs[R_NIP_HI] = insn.addrHi;
        insn = null;
      }
      const r = slowStepPpc64(cpu);
      // A trap or hypercall the host's stop hook handles in place (a kprobe
      // hit) does not leave the loop.
      if (r >= 0 && (r === STOP_BUDGET || cpu.stopHook === null || !cpu.stopHook(r))) return r;
      cpu.branch = BR_NONE;
      budget--;
      continue;
    }
    if (insn === null) insn = lookupPpc64Nip(cpu);
    cpu.cur = insn;
    dispatch[insn.dispatch](cpu, insn);
    clock[0]++;
    budget--;
    const b = cpu.branch;
    let next: Ppc64DecodedInsn | null;
    if (b === BR_NONE) {
      next = insn.next;
      if (next === null) {
        regs[R_NIP_LO] = insn.nextLo;
        regs[R_NIP_HI] = insn.nextHi;
        if (cpu.events === 0) {
          next = lookupPpc64Nip(cpu);
          insn.next = next;
          cpu.cache.link(insn, insn.addrHi, insn.addrLo, next.addrHi, next.addrLo);
        }
      }
    } else if (b === BR_TARGET) {
      cpu.branch = BR_NONE;
      next = insn.target;
      if (next === null) {
        regs[R_NIP_LO] = insn.targetLo;
        regs[R_NIP_HI] = insn.targetHi;
        if (cpu.events === 0) {
          next = lookupPpc64Nip(cpu);
          insn.target = next;
          cpu.cache.link(insn, insn.addrHi, insn.addrLo, next.addrHi, next.addrLo);
        }
      }
    } else {
      cpu.branch = BR_NONE;
      next = null;
    }
    insn = next;
  }
  cpu.cur = null;
  if (insn !== null) {
    regs[R_NIP_LO] = insn.addrLo;
    regs[R_NIP_HI] = insn.addrHi;
  }
  if ((cpu.events & EVT_STOP) !== 0) return takeStopPpc64(cpu);
  return STOP_BUDGET;
}

/**
 * Runs `cpu` for up to `budget` instructions.
 *
 * @param cpu The CPU.
 * @param budget Instruction budget.
 * @returns Why it stopped.
 */
export function runPpc64(cpu: Ppc64Cpu, budget: number): StopReason {
  cpu.syncMemory();
  try {
    return loop(cpu, budget);
  } catch (e) {
    return endRunWithFault(cpu, e);
  }
}

/**
 * Turns what a run loop caught into `STOP_TRAP` with NIP on the faulting
 * instruction (`cpu.cur`, else NIP in the register file); anything but a
 * `Fault` is rethrown.
 *
 * @param cpu The CPU.
 * @param e What the loop threw.
 * @returns `STOP_TRAP`.
 */
export function endRunWithFault(cpu: Ppc64Cpu, e: unknown): StopReason {
  cpu.branch = BR_NONE;
  const cur = cpu.cur;
  cpu.cur = null;
  if (!(e instanceof Fault)) throw e;
  const regs = cpu.regs;
  if (cur !== null) return takePpc64Fault(cpu, e, cur.addrHi, cur.addrLo);
  return takePpc64Fault(cpu, e, regs[R_NIP_HI], regs[R_NIP_LO]);
}
