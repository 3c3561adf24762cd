// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The ppc64 block translator's run loop and block cache: the second tier
 * above the interpreter. Every block entry (the address reached after a
 * branch, after a block, or after an instruction the translator leaves to
 * the interpreter) counts hits per 4 KiB page slot; at `cpu.jitThreshold`
 * hits the block starting there is compiled by `jit_compile.ts` into one
 * JS function with every instruction specialised. Blocks never cross a
 * page, so a text write drops exactly the blocks of the pages it touches
 * (the listener in `cpu.ts` calls {@linkcode JitCache.invalidate}).
 *
 * The loop keeps the interpreter's contract: events (stops, interrupts,
 * MSR.SE, text flushes) are checked before every block and handled by the
 * interpreter's slow path, a block runs only when the budget covers all of
 * it, and a fault inside a block leaves NIP on the faulting instruction
 * with the retired count and every earlier effect exact. Blocks are
 * chained: each remembers the block found at its fall-through and at its
 * static target.
 *
 * @module
 */

import { PF_INSTR, STOP_BUDGET, type StopReason } from "../types.ts";
import type { Ppc64Cpu } from "./cpu.ts";
import { endRunWithFault, fetchPpc64, slowStepPpc64, takeStopPpc64 } from "./execute.ts";
import {
  compilePpc64Block,
  JIT_ENDS_BLOCK,
  JIT_MAX_BLOCK,
  type JitCompiled,
} from "./jit_compile.ts";
import { flushJitTlb } from "./jit_mem.ts";
import { PPC64_DISPATCH } from "./opcodes.ts";
import { R_NIP_HI, R_NIP_LO } from "./regs.ts";
import { BR_NONE, BR_TARGET, EVT_STOP } from "./traps.ts";

/** Hits of a block entry before it is compiled (`Ppc64Cpu.jitThreshold`'s default). */
export const PPC64_JIT_DEFAULT_THRESHOLD = 32;

const TWO20 = 1048576;

/** The generated code of one block: runs it and returns the id of its exit (-1: left early). */
export type JitBlockFn = (cpu: Ppc64Cpu) => number;

/** One compiled block (internal hot data). */
export class JitBlock {
  /** The generated function. */
  readonly fn: JitBlockFn;
  /** Instructions on its longest path (what the budget must cover). */
  readonly len: number;
  /** Start address, low half. */
  readonly lo: number;
  /** Start address, high half. */
  readonly hi: number;
  /** Instructions retired at each exit. */
  readonly lens: Int32Array;
  /** Per exit: 1 for a constant target, 0 for an indirect branch. */
  readonly direct: Uint8Array;
  /** Per exit: the block found at its target last time (an inline cache). */
  readonly links: (JitBlock | null)[];
  /** Set when a text write dropped the block's page. */
  dead = false;

  /**
   * Wraps a compiled block.
   *
   * @param hi Start address, high half.
   * @param lo Start address, low half.
   * @param made What `compilePpc64Block` made.
   */
  constructor(hi: number, lo: number, made: JitCompiled) {
    this.fn = made.fn;
    this.len = made.len;
    this.hi = hi;
    this.lo = lo;
    this.lens = made.lens;
    this.direct = made.direct;
    this.links = new Array<JitBlock | null>(made.lens.length).fill(null);
  }
}

// Marks an entry whose first instruction the translator leaves to the interpreter.
const NO_BLOCK = new JitBlock(0, 0, {
  fn: () => -1,
  len: 0,
  lens: new Int32Array(0),
  direct: new Uint8Array(0),
  source: "",
});

/** The blocks and entry counters of one 4 KiB page, one slot per word. */
class JitPage {
  readonly blocks: (JitBlock | null)[] = new Array<JitBlock | null>(1024).fill(null);
  readonly hits: Int32Array = new Int32Array(1024);
}

/**
 * Compiled blocks by address, one table per privilege (a block is linked
 * only to blocks validated for the same MSR.PR), with per-page block lists
 * for invalidation.
 *
 * @example A fresh cache has nothing to drop
 * ```ts
 * import { JitCache } from "./jit.ts";
 * import assert from "node:assert/strict";
 * const cache = new JitCache();
 * cache.invalidate(0xc0000000, 0x1000, 4);
 * assert.equal(cache.compiled, 0);
 * ```
 */
export class JitCache {
  #kernel = new Map<number, JitPage>();
  #user = new Map<number, JitPage>();
  #lastKey = -1;
  #lastAcc = -1;
  #lastPage: JitPage | null = null;
  /** Blocks compiled so far (a statistic for tests and benches). */
  compiled = 0;
  /** Blocks dropped by text writes so far. */
  dropped = 0;
  /**
   * Whether the last instruction fell through or took a static target:
   * the interpreter then fetches the next one before looking at the
   * budget, so a fetch fault there is raised even when the budget is spent.
   */
  eager = false;

  /**
   * The block to run at `(hi, lo)`, or null to interpret: counts the
   * entry and compiles the block when it is hot. Checks execute
   * permission on a page change as the interpreter's fetch does (and
   * throws the same fault).
   *
   * @param cpu The CPU (its `jitThreshold` and access rights).
   * @param hi NIP high half.
   * @param lo NIP low half.
   * @returns The block, or null.
   */
  enter(cpu: Ppc64Cpu, hi: number, lo: number): JitBlock | null {
    const key = hi * TWO20 + (lo >>> 12);
    const acc = cpu.accRead;
    let page = this.#lastPage;
    if (key !== this.#lastKey || acc !== this.#lastAcc || page === null) {
      cpu.mem.translate(hi, lo, PF_INSTR | acc);
      const map = acc === 0 ? this.#kernel : this.#user;
      page = map.get(key) ?? null;
      if (page === null) {
        page = new JitPage();
        map.set(key, page);
      }
      this.#lastKey = key;
      this.#lastAcc = acc;
      this.#lastPage = page;
    }
    const idx = (lo & 0xfff) >>> 2;
    const b = page.blocks[idx];
    if (b !== null) return b === NO_BLOCK ? null : b;
    if (++page.hits[idx] < cpu.jitThreshold) return null;
    const made = compilePpc64Block(cpu, hi, lo);
    if (made === null) {
      page.blocks[idx] = NO_BLOCK;
      return null;
    }
    const blk = new JitBlock(hi, lo, made);
    page.blocks[idx] = blk;
    this.compiled++;
    return blk;
  }

  /**
   * Drops the blocks of every page `[addr, addr + length)` touches (blocks
   * end at page boundaries, so no other page holds a stale copy).
   *
   * @param hi High half of the first written address.
   * @param lo Low half of the first written address.
   * @param length Bytes written (≥ 1).
   */
  invalidate(hi: number, lo: number, length: number): void {
    if (this.#kernel.size === 0 && this.#user.size === 0) return;
    const first = hi * TWO20 + (lo >>> 12);
    const last = hi * TWO20 + Math.floor(((lo >>> 0) + Math.max(length, 1) - 1) / 4096);
    for (let key = first; key <= last; key++) {
      this.#drop(this.#kernel, key);
      this.#drop(this.#user, key);
    }
    this.#lastKey = -1;
    this.#lastPage = null;
  }

  #drop(map: Map<number, JitPage>, key: number): void {
    const page = map.get(key);
    if (page === undefined) return;
    for (const b of page.blocks) {
      if (b !== null && b !== NO_BLOCK) {
        b.dead = true;
        this.dropped++;
      }
    }
    map.delete(key);
  }
}

// Interprets from NIP up to where a block starting there would end (a
// branch, an instruction the translator leaves alone, a page end, the
// block size), following the interpreter's threaded successors; returns
// the budget left. Sets `cache.eager` as the last instruction left NIP.
function interpretRun(cpu: Ppc64Cpu, budget: number): number {
  const regs = cpu.regs;
  const clock = cpu.clock;
  const dispatch = PPC64_DISPATCH;
  const ends = JIT_ENDS_BLOCK;
  let insn = fetchPpc64(cpu, regs[R_NIP_HI], regs[R_NIP_LO]);
  let n = 0;
  for (;;) {
    cpu.cur = insn;
    dispatch[insn.dispatch](cpu, insn);
    clock[0]++;
    budget--;
    cpu.cur = null;
    const b = cpu.branch;
    if (b !== BR_NONE) {
      if (b === BR_TARGET) {
        regs[R_NIP_LO] = insn.targetLo;
        regs[R_NIP_HI] = insn.targetHi;
      }
      cpu.branch = BR_NONE;
      cpu.jit.eager = b === BR_TARGET;
      return budget;
    }
    cpu.jit.eager = true;
    if (
      budget === 0 || cpu.events !== 0 || ends[insn.dispatch] !== 0 ||
      (insn.nextLo & 0xfff) === 0 || ++n >= JIT_MAX_BLOCK
    ) {
      regs[R_NIP_LO] = insn.nextLo;
      regs[R_NIP_HI] = insn.nextHi;
      return budget;
    }
    let next = insn.next;
    if (next === null) {
      next = fetchPpc64(cpu, insn.nextHi, insn.nextLo);
      insn.next = next;
    }
    insn = next;
  }
}

// The second-tier loop: blocks where compiled, the interpreter elsewhere.
function jitLoop(cpu: Ppc64Cpu, budget: number): StopReason {
  const regs = cpu.regs;
  const clock = cpu.clock;
  const cache = cpu.jit;
  const tlb = cpu.tlb;
  let blk: JitBlock | null = null;
  let eager = false;
  while (budget > 0) {
    if (cpu.events !== 0) {
      blk = null;
      eager = false;
      const r = slowStepPpc64(cpu);
      flushJitTlb(tlb);
      if (r >= 0) return r;
      budget--;
      continue;
    }
    if (blk === null || blk.dead) blk = cache.enter(cpu, regs[R_NIP_HI], regs[R_NIP_LO]);
    if (blk === null || blk.len > budget) {
      blk = null;
      budget = interpretRun(cpu, budget);
      flushJitTlb(tlb);
      eager = cache.eager;
      continue;
    }
    // Chained blocks. A block that returns normally leaves no event behind
    // (a store that raises one makes it leave early), so none is checked.
    for (;;) {
      const x: number = blk.fn(cpu);
      if (x < 0) {
        // Left early after a store: an event is pending.
        clock[0] += cpu.jitRetired;
        budget -= cpu.jitRetired;
        eager = false;
        blk = null;
        break;
      }
      const n = blk.lens[x];
      clock[0] += n;
      budget -= n;
      const direct = blk.direct[x] === 1;
      const next: JitBlock | null = blk.links[x];
      if (
        next !== null && !next.dead && next.len <= budget &&
        (direct || (next.lo === regs[R_NIP_LO] && next.hi === regs[R_NIP_HI]))
      ) {
        blk = next;
        continue;
      }
      eager = direct;
      const from = blk;
      blk = null;
      if (budget > 0) {
        blk = cache.enter(cpu, regs[R_NIP_HI], regs[R_NIP_LO]);
        if (blk !== null) from.links[x] = blk;
      }
      break;
    }
  }
  cpu.cur = null;
  // The interpreter fetches past a fall-through or static branch before it
  // looks at the budget: a fetch fault there is raised now, not next run.
  if (eager && cpu.events === 0) fetchPpc64(cpu, regs[R_NIP_HI], regs[R_NIP_LO]);
  if ((cpu.events & EVT_STOP) !== 0) return takeStopPpc64(cpu);
  return STOP_BUDGET;
}

/**
 * Runs `cpu` for up to `budget` instructions with the block translator
 * (`cpu.run` calls it when `cpu.jitThreshold >= 0`): the same stops,
 * counts and state as `runPpc64`.
 *
 * @param cpu The CPU.
 * @param budget Instruction budget.
 * @returns Why it stopped.
 */
export function runPpc64Jit(cpu: Ppc64Cpu, budget: number): StopReason {
  cpu.syncMemory();
  flushJitTlb(cpu.tlb);
  try {
    return jitLoop(cpu, budget);
  } catch (e) {
    return endRunWithFault(cpu, e);
  }
}
