// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The step loop. Threaded dispatch: every cached instruction knows its own
 * address, its successor and (for relative branches) its static target,
 * linked lazily, and carries its bound handler (`insn.exec`, specialized by
 * operand shape in `fastpath.ts`), so the hot path is "call the handler,
 * follow a link" with RIP materialized in `regs` only when a handler writes
 * it or the loop stops. Handlers report control flow through `cpu.branch`.
 * Events (pending stops, external interrupts at instruction boundaries, the
 * EFLAGS.TF single-step trap after exactly one instruction, text flushes)
 * take the slow path. One `try/catch` per `run()` turns the preallocated
 * `Fault` into `STOP_TRAP` with RIP back on the faulting instruction (or on
 * the address whose fetch faulted).
 *
 * @module
 */

import { Fault } from "../_common/fault.ts";
import { PF_INSTR, STOP_BUDGET, STOP_TRAP, type StopReason } from "../types.ts";
import type { X86Cpu } from "./cpu.ts";
import { type DecodedInsn, decodeX86 } from "./decode.ts";
import { specialize } from "./fastpath.ts";
import { compileBlock, flushJitTlb } from "./jit.ts";
import { DISPATCH } from "./opcodes.ts";
import {
  BRANCH_BREAK,
  BRANCH_NONE,
  BRANCH_RIP,
  BRANCH_TARGET,
  DR6_BS,
  FLAG_TF,
  PAGE_HI,
  PAGE_LO,
  RIP_HI,
  RIP_LO,
} from "./regs.ts";
import { deliverPendingInterrupt, syncEvents, takeFault } from "./traps.ts";

const TWO32 = 4294967296;
const INV32 = 1 / TWO32;
const EV_STOP = 1;
const EV_IRQ = 4;
const EV_FLUSH = 8;

/**
 * The decoded instruction at `(hi, lo)`: switches the CPU's current page
 * (checking execute permission) and decodes into the cache on a miss.
 * Throws the memory's fault when the bytes cannot be fetched.
 *
 * @param cpu The CPU.
 * @param hi Address high half.
 * @param lo Address low half.
 * @param _flags Reserved.
 * @returns The instruction, or null (never, when faults propagate).
 */
export function fetchDecode(
  cpu: X86Cpu,
  hi: number,
  lo: number,
  _flags: number,
): DecodedInsn | null {
  const pageLo = (lo & ~0xfff) >>> 0;
  const access = PF_INSTR | cpu.accRead;
  if (hi !== cpu.regs[PAGE_HI] || pageLo !== cpu.regs[PAGE_LO] || cpu.page === null) {
    const cur = cpu.page;
    const curLo = cpu.regs[PAGE_LO];
    const curHi = cpu.regs[PAGE_HI];
    if (cpu.prevPage !== null && pageLo === cpu.prevPageLo && hi === cpu.prevPageHi) {
      // Back to the page before (a probe's slot or detour and the probed
      // code, a call and its return): checked when it was entered.
      cpu.page = cpu.prevPage;
    } else {
      if (cpu.prev2Page !== null && pageLo === cpu.prev2PageLo && hi === cpu.prev2PageHi) {
        // The one before that, on the same terms.
        cpu.page = cpu.prev2Page;
      } else {
        cpu.mem.translate(hi, lo, access);
        cpu.page = cpu.cache.page(hi, lo);
      }
      cpu.prev2Page = cpu.prevPage;
      cpu.prev2PageLo = cpu.prevPageLo;
      cpu.prev2PageHi = cpu.prevPageHi;
    }
    cpu.prevPage = cur;
    cpu.prevPageLo = curLo;
    cpu.prevPageHi = curHi;
    cpu.regs[PAGE_HI] = hi;
    cpu.regs[PAGE_LO] = pageLo;
  }
  const idx = lo & 0xfff;
  const cached = cpu.page[idx];
  if (cached !== null) return cached;
  const page = cpu.page;
  const off = cpu.mem.translate(hi, lo, access);
  const inPage = 4096 - idx;
  let insn: DecodedInsn;
  if (inPage >= 15) {
    insn = decodeX86(cpu.u8, off, cpu.mode);
  } else {
    // Straddles a page: decode with what this page holds; fetch the next
    // page only if the instruction needs it (faulting with its address).
    const buf = cpu.fetchBuf;
    buf.fill(0);
    buf.set(cpu.u8.subarray(off, off + inPage));
    insn = decodeX86(buf, 0, cpu.mode);
    if (insn.length === 0 || insn.length > inPage) {
      const s = lo + inPage;
      const nlo = s >>> 0;
      const nhi = cpu.mode === 64 ? (hi + (s - nlo) * INV32) >>> 0 : 0;
      const noff = cpu.mem.translate(nhi, nlo, access);
      buf.set(cpu.u8.subarray(noff, noff + 15 - inPage), inPage);
      insn = decodeX86(buf, 0, cpu.mode);
    }
  }
  insn.addrLo = lo;
  insn.addrHi = hi;
  const n = lo + insn.length;
  insn.nextLo = n >>> 0;
  insn.nextHi = cpu.mode === 64 ? (hi + (n >= TWO32 ? 1 : 0)) >>> 0 : 0;
  if (insn.relative !== 0) {
    const t = insn.nextLo + insn.imm;
    const tl = t >>> 0;
    if (cpu.mode === 64) {
      insn.targetLo = tl;
      insn.targetHi = (insn.nextHi + (t - tl) * INV32) >>> 0;
    } else {
      insn.targetLo = insn.opsize === 2 ? tl & 0xffff : tl;
      insn.targetHi = 0;
    }
  }
  insn.exec = specialize(insn, DISPATCH[insn.dispatch]);
  page[idx] = insn;
  return insn;
}

function takeStop(cpu: X86Cpu): StopReason {
  let r: number;
  if (cpu.pendingTrap >= 0) {
    cpu.trapVector = cpu.pendingTrap;
    cpu.trapErrorCode = 0;
    cpu.pendingTrap = -1;
    r = STOP_TRAP;
  } else {
    r = cpu.pendingStop;
    cpu.pendingStop = -1;
  }
  syncEvents(cpu);
  return r;
}

// Leaves RIP in regs after `insn` retired, per the handler's `cpu.branch`.
function settleRip(cpu: X86Cpu, insn: DecodedInsn): void {
  const regs = cpu.regs;
  const b = cpu.branch;
  if (b === BRANCH_TARGET) {
    regs[RIP_LO] = insn.targetLo;
    regs[RIP_HI] = insn.targetHi;
  } else if (b !== BRANCH_RIP) {
    regs[RIP_LO] = insn.nextLo;
    regs[RIP_HI] = insn.nextHi;
  }
  cpu.branch = BRANCH_NONE;
}

// The slow path at an instruction boundary with events pending (RIP in
// regs): stops, interrupt delivery, one instruction, the single-step trap.
// Returns a stop or -1.
function slowStep(cpu: X86Cpu): StopReason {
  if (cpu.clockCarry !== 0) carryClock(cpu);
  if ((cpu.events & EV_STOP) !== 0) return takeStop(cpu);
  if ((cpu.events & EV_FLUSH) !== 0) cpu.events &= ~EV_FLUSH;
  if ((cpu.events & EV_IRQ) !== 0 && cpu.clock[0] !== cpu.shadowTsc) {
    cpu.cur = null;
    deliverPendingInterrupt(cpu);
  }
  const tf = (cpu.flagsBase & FLAG_TF) !== 0;
  const regs = cpu.regs;
  cpu.cur = null;
  const insn = fetchDecode(cpu, regs[RIP_HI], regs[RIP_LO], 0)!;
  cpu.cur = insn;
  DISPATCH[insn.dispatch](cpu, insn);
  cpu.clock[0]++;
  if (cpu.clockCarry !== 0) carryClock(cpu);
  cpu.cur = null;
  settleRip(cpu, insn);
  if (tf) {
    if (cpu.pendingTrap >= 0) return takeStop(cpu);
    // Single-step trap after the instruction; a pending stop waits.
    cpu.dr6 = (cpu.dr6 | DR6_BS) >>> 0;
    cpu.trapVector = 1;
    cpu.trapErrorCode = 0;
    return STOP_TRAP;
  }
  if ((cpu.events & EV_STOP) !== 0) return takeStop(cpu);
  return -1;
}

// Guest code run inside an in-place vmcall (system.ts callInPlace()) while
// the loop held the clock in a local: its count goes on the clock now.
function carryClock(cpu: X86Cpu): void {
  cpu.clock[0] += cpu.clockCarry;
  cpu.clockCarry = 0;
}

// Looks up the instruction at RIP through the current page, the one
// before or the one before that, else the cache.
function lookupRip(cpu: X86Cpu): DecodedInsn {
  const regs = cpu.regs;
  const lo = regs[RIP_LO];
  const hi = regs[RIP_HI];
  const d = (lo - regs[PAGE_LO]) >>> 0;
  const page = cpu.page;
  if (hi === regs[PAGE_HI] && d < 4096 && page !== null) {
    const insn = page[d];
    if (insn !== null) return insn;
  } else if (page !== null && keptPage(cpu)) {
    const insn = cpu.page![lo & 0xfff];
    if (insn !== null) return insn;
  }
  cpu.cur = null;
  return fetchDecode(cpu, hi, lo, 0)!;
}

// RIP on the page before or the one before that (a return, the way back
// from a probe's slot): makes it current as fetchDecode() would, without
// the call, whose uint32 arguments above 2^31 would be two new heap
// numbers when it is not inlined (once per interpreted return across
// pages, e.g. per probe hit). Reads RIP from regs; true when switched.
function keptPage(cpu: X86Cpu): boolean {
  const regs = cpu.regs;
  const hi = regs[RIP_HI];
  const pageLo = (regs[RIP_LO] & ~0xfff) >>> 0;
  const cur = cpu.page;
  const curLo = regs[PAGE_LO];
  const curHi = regs[PAGE_HI];
  if (cpu.prevPage !== null && pageLo === cpu.prevPageLo && hi === cpu.prevPageHi) {
    cpu.page = cpu.prevPage;
  } else if (cpu.prev2Page !== null && pageLo === cpu.prev2PageLo && hi === cpu.prev2PageHi) {
    cpu.page = cpu.prev2Page;
    cpu.prev2Page = cpu.prevPage;
    cpu.prev2PageLo = cpu.prevPageLo;
    cpu.prev2PageHi = cpu.prevPageHi;
  } else return false;
  cpu.prevPage = cur;
  cpu.prevPageLo = curLo;
  cpu.prevPageHi = curHi;
  regs[PAGE_HI] = hi;
  regs[PAGE_LO] = pageLo;
  return true;
}

// Sequential successor not linked yet: look it up and link it.
function linkNext(cpu: X86Cpu, insn: DecodedInsn): DecodedInsn {
  cpu.regs[RIP_LO] = insn.nextLo;
  cpu.regs[RIP_HI] = insn.nextHi;
  const next = lookupRip(cpu);
  insn.next = next;
  cpu.cache.link(insn, insn.addrHi, insn.addrLo, next.addrHi, next.addrLo);
  return next;
}

// After a handler set `cpu.branch`: the next instruction (linking static
// targets), or null with RIP in regs when events need the slow path.
function afterBranch(cpu: X86Cpu, insn: DecodedInsn): DecodedInsn | null {
  const regs = cpu.regs;
  const b = cpu.branch;
  cpu.branch = BRANCH_NONE;
  const events = cpu.events;
  let next: DecodedInsn | null = null;
  if (b === BRANCH_TARGET) {
    next = insn.target;
    if (next === null) {
      regs[RIP_LO] = insn.targetLo;
      regs[RIP_HI] = insn.targetHi;
      if (events === 0) {
        next = lookupRip(cpu);
        insn.target = next;
        cpu.cache.link(insn, insn.addrHi, insn.addrLo, next.addrHi, next.addrLo);
      }
    }
  } else if (b === BRANCH_RIP) {
    if (events === 0) next = lookupRip(cpu);
  } else {
    next = insn.next;
    if (next === null) {
      regs[RIP_LO] = insn.nextLo;
      regs[RIP_HI] = insn.nextHi;
      if (events === 0) {
        next = lookupRip(cpu);
        insn.next = next;
        cpu.cache.link(insn, insn.addrHi, insn.addrLo, next.addrHi, next.addrLo);
      }
    }
  }
  if (events !== 0 && next !== null) {
    regs[RIP_LO] = next.addrLo;
    regs[RIP_HI] = next.addrHi;
    next = null;
  }
  return next;
}

// Threaded dispatch: follow `next`/`target` links; RIP lives in regs only
// when `insn` is null (or at exit). Handlers that change `events` also set
// `cpu.branch` (BRANCH_EVENT at least), so the fall-through path need not
// look at `events`. The executing instruction is the local `insn` (a field
// store per step would cost a write barrier); a fault hands it to
// `cpu.cur` on the way out, and every lookup runs with `insn` null so a
// fetch fault leaves RIP at the address that could not be fetched.
function loop(cpu: X86Cpu, budget: number): StopReason {
  const clock = cpu.clock;
  const threshold = cpu.jitThreshold;
  let starved = false;
  let insn: DecodedInsn | null = null;
  // The retired count lives in a register and is stored (never re-loaded)
  // each step; the slow path re-reads it.
  let tsc = clock[0];
  cpu.branch = BRANCH_NONE;
  try {
    while (budget > 0) {
      if (insn === null) {
        if (cpu.events !== 0) {
          const r = slowStep(cpu);
          tsc = clock[0];
          // A breakpoint, single-step or hypercall the host's stop hook
          // handles in place (a kprobe hit) does not leave the loop.
          if (r >= 0 && (r === STOP_BUDGET || cpu.stopHook === null || !cpu.stopHook(r))) {
            return r;
          }
          tsc = clock[0];
          cpu.branch = BRANCH_NONE;
          budget--;
          continue;
        }
        insn = lookupRip(cpu);
      }
      let prev: DecodedInsn;
      let block = insn.block;
      if (block === null && threshold >= 0 && !starved && insn.hits++ >= threshold) {
        block = compileBlock(cpu, insn, fetchDecode);
      }
      if (block !== null && budget >= block.length) {
        // A translated block (jit.ts): it advances the clock itself, and on
        // a fault hands `cpu.cur` the faulting instruction.
        insn = null;
        prev = block.run(cpu, budget);
        const t = clock[0];
        budget -= t - tsc;
        tsc = t;
      } else {
        // A block too long for the budget left: the interpreter finishes
        // the run, translating nothing more (else every instruction of the
        // block would become the head of a shorter, overlapping one).
        if (block !== null) starved = true;
        insn.exec(cpu, insn);
        clock[0] = ++tsc;
        budget--;
        prev = insn;
      }
      if (cpu.branch === BRANCH_NONE) {
        insn = prev.next;
        if (insn === null) insn = linkNext(cpu, prev);
      } else {
        insn = null;
        if (cpu.branch === BRANCH_BREAK) {
          // An int3 (opInt3Loop): the stop hook takes it here, as below
          // after a slow step, or the loop returns the trap.
          const r = breakStop(cpu, budget);
          if (r >= 0) return r;
          tsc = clock[0];
          budget--;
          continue;
        }
        insn = afterBranch(cpu, prev);
      }
    }
  } catch (e) {
    if (insn !== null) cpu.cur = insn;
    throw e;
  }
  return leave(cpu, insn);
}

// After an int3 the fast path ran (RIP past it): the #BP trap as takeStop()
// would leave it, offered to the stop hook while budget is left (the slow
// step would offer it on the next pass), as the path through trap() does.
// Returns the stop, or -1 when the hook handled it.
function breakStop(cpu: X86Cpu, budget: number): StopReason {
  cpu.branch = BRANCH_NONE;
  cpu.trapVector = 3;
  cpu.trapErrorCode = 0;
  syncEvents(cpu);
  if (budget <= 0 || !cpu.stopHook!(STOP_TRAP)) return STOP_TRAP;
  cpu.branch = BRANCH_NONE;
  return -1;
}

// The budget ran out: RIP to the next instruction (if the loop holds it).
// A function of its own so that the loop's optimized code does not
// deoptimize on a path it rarely takes.
function leave(cpu: X86Cpu, insn: DecodedInsn | null): StopReason {
  if (cpu.clockCarry !== 0) carryClock(cpu);
  if (insn !== null) {
    cpu.regs[RIP_LO] = insn.addrLo;
    cpu.regs[RIP_HI] = insn.addrHi;
  }
  if ((cpu.events & EV_STOP) !== 0) return takeStop(cpu);
  return STOP_BUDGET;
}

/**
 * Runs `cpu` for up to `budget` instructions.
 *
 * @param cpu The CPU.
 * @param budget Instruction budget.
 * @returns Why it stopped.
 */
export function runCpu(cpu: X86Cpu, budget: number): StopReason {
  cpu.syncMemory();
  if (cpu.jitThreshold >= 0) flushJitTlb(cpu);
  try {
    return loop(cpu, budget);
  } catch (e) {
    cpu.branch = BRANCH_NONE;
    if (!(e instanceof Fault)) {
      cpu.cur = null;
      throw e;
    }
    takeFault(cpu, e);
    cpu.cur = null;
    return STOP_TRAP;
  }
}
