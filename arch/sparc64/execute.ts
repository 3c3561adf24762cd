// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The sparc64 step loop: cached fetch at PC (the current page's slot array
 * indexed by page offset), PC = nPC and nPC += 4 before dispatch through
 * `SPARC64_DISPATCH[insn.dispatch]` (a delayed transfer then only writes
 * nPC; annulling branches, trap entry and retry/done write both); a
 * host-taken trap (a thrown `Fault`, raised before a handler changes
 * anything) puts PC back on the trapping instruction and nPC on its nPC,
 * so none of its effects remain. The slow path at
 * a boundary takes recorded stops and delivers interrupts. One
 * `try/catch` per loop entry turns the fault into `STOP_TRAP`.
 *
 * @module
 */

import { Fault } from "../_common/fault.ts";
import { PF_INSTR, STOP_BUDGET, STOP_HYPERCALL, STOP_TRAP, type StopReason } from "../types.ts";
import type { Sparc64Cpu } from "./cpu.ts";
import { decodeSparc64, type Sparc64DecodedInsn } from "./decode.ts";
import { SPARC64_DISPATCH } from "./dispatch.ts";
import {
  NEAR_PAGES,
  R_FETCH_PAGE_HI,
  R_FETCH_PAGE_LO,
  R_NPC_HI,
  R_NPC_LO,
  R_PC_HI,
  R_PC_LO,
  TT_UNALIGNED,
} from "./regs.ts";
import {
  deliverSparc64Interrupt,
  recordSparc64Fault,
  SPARC64_EVT_IRQ,
  SPARC64_EVT_STOP,
} from "./traps.ts";
import { syncSparc64Events } from "./traps.ts";

const TWO32 = 4294967296;

/**
 * The decoded instruction at `(hi, lo)`: switches the CPU's current page
 * (checking execute permission, as a user access in user mode) and
 * decodes into the cache on a miss. Throws the memory's fault when the
 * word cannot be fetched, the CPU's 0x034 when `lo` is not word-aligned.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @returns The instruction (shared with the cache).
 */
export function fetchSparc64(cpu: Sparc64Cpu, hi: number, lo: number): Sparc64DecodedInsn {
  const regs = cpu.regs;
  if ((lo & 3) !== 0) throw cpu.fault.set(TT_UNALIGNED, 0, hi, lo);
  const pageLo = (lo & ~0xfff) >>> 0;
  const access = PF_INSTR | cpu.accUser;
  if (cpu.page === null || hi !== regs[R_FETCH_PAGE_HI] || pageLo !== regs[R_FETCH_PAGE_LO]) {
    cpu.mem.translate(hi, lo, access);
    const slot = (lo >>> 12) & (NEAR_PAGES - 1);
    let next = cpu.nearPages[slot];
    if (next === null || cpu.nearHi[slot] !== hi || cpu.nearLo[slot] !== pageLo) {
      next = cpu.cache.page(hi, lo);
      cpu.nearPages[slot] = next;
      cpu.nearHi[slot] = hi;
      cpu.nearLo[slot] = pageLo;
    }
    cpu.page = next;
    regs[R_FETCH_PAGE_HI] = hi;
    regs[R_FETCH_PAGE_LO] = pageLo;
  }
  const idx = lo & 0xfff;
  const page = cpu.page;
  const cached = page[idx];
  if (cached !== null) return cached;
  const off = cpu.mem.translate(hi, lo, access);
  const insn = decodeSparc64(cpu.dv.getUint32(off));
  insn.addrLo = lo;
  insn.addrHi = hi;
  if (insn.relative !== 0) {
    const t = lo + insn.disp;
    const tl = t >>> 0;
    insn.targetLo = tl;
    insn.targetHi = (hi + (t - tl) / TWO32) >>> 0;
  }
  page[idx] = insn;
  return insn;
}

/**
 * Returns the pending stop and clears it.
 *
 * @param cpu The CPU.
 * @returns The stop recorded by an instruction.
 */
export function takeStopSparc64(cpu: Sparc64Cpu): StopReason {
  const r = cpu.pendingStop;
  cpu.pendingStop = -1;
  syncSparc64Events(cpu);
  return r;
}

// Runs until the budget is spent or a stop; faults propagate. PC/nPC
// commit after each handler: nPC, nPC + 4 unless the handler set
// `cpu.branch` and wrote the next pair.
function loop(cpu: Sparc64Cpu): StopReason {
  const regs = cpu.regs;
  const clock = cpu.clock;
  const dispatch = SPARC64_DISPATCH;
  const start = clock[0];
  let left = cpu.budget;
  cpu.loopStart = start;
  while (left > 0) {
    if (cpu.events !== 0) {
      if ((cpu.events & SPARC64_EVT_STOP) !== 0) {
        const r = takeStopSparc64(cpu);
        // Between instructions now (a trap the hook delivers to the guest
        // takes PC/nPC, not the stopping instruction's pair).
        cpu.cur = null;
        // A trap or hypercall the host's stop hook handles in place (a
        // kprobe hit) does not leave the loop.
        if (
          (r !== STOP_HYPERCALL && r !== STOP_TRAP) || cpu.stopHook === null || !cpu.stopHook(r)
        ) {
          cpu.budget = left;
          return r;
        }
        continue;
      }
      if ((cpu.events & SPARC64_EVT_IRQ) !== 0) {
        cpu.cur = null;
        deliverSparc64Interrupt(cpu);
        syncSparc64Events(cpu);
      }
    }
    left--;
    const lo = regs[R_PC_LO];
    const hi = regs[R_PC_HI];
    const page = cpu.page;
    const d = (lo - regs[R_FETCH_PAGE_LO]) >>> 0;
    let insn: Sparc64DecodedInsn | null = null;
    if (page !== null && d < 4096 && hi === regs[R_FETCH_PAGE_HI]) insn = page[d];
    if (insn === null) {
      cpu.cur = null;
      insn = fetchSparc64(cpu, hi, lo);
    }
    cpu.cur = insn;
    // PC = nPC, nPC += 4 before the handler: a delayed transfer then only
    // writes nPC. A fault puts the pair back (runSparc64).
    const nl = regs[R_NPC_LO];
    const nh = regs[R_NPC_HI];
    regs[R_PC_LO] = nl;
    regs[R_PC_HI] = nh;
    const n = nl + 4;
    regs[R_NPC_LO] = n;
    if (n >= TWO32) regs[R_NPC_HI] = nh + 1;
    dispatch[insn.dispatch](cpu, insn);
    clock[0]++;
  }
  return endSparc64Loop(cpu);
}

/**
 * A run loop's exit (this interpreter's and the translator's), out of line:
 * code after a hot loop that V8 compiled on stack replacement has no type
 * feedback and would deoptimize every run.
 *
 * @param cpu The CPU.
 * @returns The pending stop, else `STOP_BUDGET`.
 */
export function endSparc64Loop(cpu: Sparc64Cpu): StopReason {
  cpu.cur = null;
  cpu.budget = 0;
  if ((cpu.events & SPARC64_EVT_STOP) !== 0) return takeStopSparc64(cpu);
  return STOP_BUDGET;
}

/**
 * Runs `cpu` for up to `budget` instructions.
 *
 * @param cpu The CPU.
 * @param budget Instruction budget.
 * @returns Why it stopped.
 */
export function runSparc64(cpu: Sparc64Cpu, budget: number): StopReason {
  return runSparc64Loop(cpu, budget, loop);
}

/**
 * Runs `cpu` for up to `budget` instructions in `runLoop` (the interpreter's
 * or the translator's), taking each fault it throws and going on after it.
 *
 * @param cpu The CPU.
 * @param budget Instruction budget.
 * @param runLoop The loop: runs until `cpu.budget` is spent or a stop.
 * @returns Why it stopped.
 */
export function runSparc64Loop(
  cpu: Sparc64Cpu,
  budget: number,
  runLoop: (cpu: Sparc64Cpu) => StopReason,
): StopReason {
  cpu.syncMemory();
  cpu.budget = budget;
  for (;;) {
    try {
      return runLoop(cpu);
    } catch (e) {
      const r = takeRunFaultSparc64(cpu, e);
      if (r >= 0) return r;
    }
  }
}

/**
 * What a run loop does with what it caught: a `Fault` puts PC back on the
 * trapping instruction (`cpu.cur`; none when PC/nPC are already exact),
 * spends the retired instructions and the trapping one from `cpu.budget`
 * (`cpu.loopStart` is the clock when that budget was last set), records
 * the trap and offers `STOP_TRAP` to the stop hook; anything else is
 * rethrown. Shared by the interpreter's loop and the block translator's.
 *
 * @param cpu The CPU.
 * @param e What the loop threw.
 * @returns `STOP_TRAP`, or -1 when the hook handled it and the loop goes on.
 */
export function takeRunFaultSparc64(cpu: Sparc64Cpu, e: unknown): number {
  const cur = cpu.cur;
  cpu.cur = null;
  if (cur !== null) {
    // The trapping instruction: PC back on it, nPC back to its nPC.
    const regs = cpu.regs;
    regs[R_NPC_LO] = regs[R_PC_LO];
    regs[R_NPC_HI] = regs[R_PC_HI];
    regs[R_PC_LO] = cur.addrLo;
    regs[R_PC_HI] = cur.addrHi;
  }
  // Retired since the loop started, plus the trapping instruction.
  cpu.budget -= cpu.clock[0] - cpu.loopStart + 1;
  if (!(e instanceof Fault)) throw e;
  recordSparc64Fault(cpu, e);
  // The trapping instruction did not retire; its budget unit is spent.
  if (cpu.stopHook === null || !cpu.stopHook(STOP_TRAP)) return STOP_TRAP;
  return -1;
}
