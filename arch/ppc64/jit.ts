// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The ppc64 block translator's run loop and block lists: the second tier
 * above the interpreter. The loop interprets as the interpreter does
 * (threaded successors, the same fetches) and, at every block entry (the
 * instruction reached after a branch, after a block, or after an
 * instruction the translator leaves to the interpreter), counts a hit on
 * the decoded instruction; at `cpu.jitThreshold` hits the block starting
 * there is compiled by `jit_compile.ts` into one JS function with every
 * instruction specialised, and runs from then on. Blocks never cross a
 * 4 KiB page, so a text write drops exactly the blocks of the pages it
 * touches (the listener in `cpu.ts` calls {@linkcode JitCache.invalidate};
 * the decode cache drops the instructions that point at them).
 *
 * The loop keeps the interpreter's contract: events (stops, interrupts,
 * MSR.SE, text flushes) are checked before every block and handled by the
 * interpreter's slow path, a block runs only when the budget covers all of
 * it, and a fault inside a block leaves NIP on the faulting instruction
 * with the retired count and every earlier effect exact. Blocks are
 * chained: each exit remembers the block it reached last time.
 *
 * @module
 */

import { STOP_BUDGET, type StopReason } from "../types.ts";
import type { Ppc64Cpu } from "./cpu.ts";
import type { Ppc64DecodedInsn } from "./decode.ts";
import { endRunWithFault, lookupPpc64Nip, slowStepPpc64, takeStopPpc64 } from "./execute.ts";
import {
  compilePpc64Block,
  JIT_ENDS_BLOCK,
  type JitCompiled,
  PPC64_JIT_MAX_BLOCK,
} from "./jit_compile.ts";
import { flushPpc64JitTlb } from "./jit_mem.ts";
import { PPC64_DISPATCH } from "./opcodes.ts";
import { R_NIP_HI, R_NIP_LO } from "./regs.ts";
import { BR_NONE, BR_TARGET, EVT_STOP } from "./traps.ts";

/**
 * Hits of a block entry before it is compiled (`Ppc64Cpu.jitThreshold`'s
 * default). As x86's `DEFAULT_JIT_THRESHOLD` (see there): a new block
 * function is slower than the interpreter until V8 has optimized it, so a
 * block must be hot enough to pay that back. At 1000 the bench's
 * fork/execve rounds took 23 ms of CPU against 10 ms interpreted; at 32768,
 * 7 ms (the copy and clear loops still translate).
 */
export const PPC64_JIT_DEFAULT_THRESHOLD = 32768;

const TWO20 = 1048576;

/**
 * The generated code of one block: runs it, counts what it retired and
 * returns the next block to run (chained through its exit's inline cache)
 * or null with the exit in `cpu.jitExit` (see `JitCompiled.fn`).
 */
export type JitBlockFn = (cpu: Ppc64Cpu, end: number) => Ppc64JitBlock | null;

/** One compiled block (internal hot data). */
export class Ppc64JitBlock {
  /** The generated function. */
  readonly fn: JitBlockFn;
  /** Instructions on its longest path (what the budget must cover). */
  readonly len: number;
  /** Start address, low half. */
  readonly lo: number;
  /** Start address, high half. */
  readonly hi: number;
  /** The data access code it was compiled under (`cpu.accRead`: 0 kernel, `PF_USER` user). */
  readonly acc: number;
  /** Instructions retired at each exit. */
  readonly lens: Int32Array;
  /** Per exit: 1 for a constant target, 0 for an indirect branch. */
  readonly direct: Uint8Array;
  /** Per exit: the block found at its target last time (an inline cache the code reads). */
  readonly links: (Ppc64JitBlock | null)[];
  /** Set when a text write dropped the block's page. */
  dead = false;

  /**
   * Wraps a compiled block.
   *
   * @param hi Start address, high half.
   * @param lo Start address, low half.
   * @param acc The access code it runs under.
   * @param made What `compilePpc64Block` made.
   */
  constructor(hi: number, lo: number, acc: number, made: JitCompiled) {
    this.fn = made.fn as JitBlockFn;
    this.len = made.len;
    this.hi = hi;
    this.lo = lo;
    this.acc = acc;
    this.lens = made.lens;
    this.direct = made.direct;
    this.links = made.links as (Ppc64JitBlock | null)[];
  }
}

// Marks an entry whose first instruction the translator leaves to the interpreter.
const NO_BLOCK = new Ppc64JitBlock(0, 0, -1, {
  fn: () => null,
  len: 0,
  lens: new Int32Array(0),
  direct: new Uint8Array(0),
  links: [],
  source: "",
});

/**
 * The compiled blocks of a CPU by page, for invalidation; the blocks
 * themselves hang off the decoded instructions they start at.
 *
 * @example A fresh cache has nothing to drop
 * ```ts
 * import { JitCache } from "./jit.ts";
 * import assert from "node:assert/strict";
 * const cache = new JitCache();
 * cache.invalidate(0xc0000000, 0x1000, 4);
 * assert.equal(cache.dropped, 0);
 * ```
 */
export class JitCache {
  #pages = new Map<number, Ppc64JitBlock[]>();
  /** Blocks compiled so far (a statistic for tests and benches). */
  compiled = 0;
  /** Blocks dropped by text writes so far. */
  dropped = 0;
  /** The instruction an interpreted stretch stopped before (null: NIP is in the register file). */
  next: Ppc64DecodedInsn | null = null;

  /**
   * The block to run at `insn`, or null to interpret: counts the entry
   * and compiles the block when it is hot.
   *
   * @param cpu The CPU (its `jitThreshold` and access rights).
   * @param insn The instruction at the entry (fetched: its page may be executed).
   * @returns The block, or null.
   */
  enter(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): Ppc64JitBlock | null {
    const b = insn.jitBlock as Ppc64JitBlock | null;
    if (b !== null) {
      if (!b.dead) return b.acc === cpu.accRead ? b : null;
      insn.jitBlock = null;
    }
    if (++insn.jitHits < cpu.jitThreshold) return null;
    const hi = insn.addrHi;
    const lo = insn.addrLo;
    const made = compilePpc64Block(cpu, hi, lo);
    if (made === null) {
      insn.jitBlock = NO_BLOCK;
      return null;
    }
    const blk = new Ppc64JitBlock(hi, lo, cpu.accRead, made);
    insn.jitBlock = blk;
    const key = hi * TWO20 + (lo >>> 12);
    const list = this.#pages.get(key);
    if (list === undefined) this.#pages.set(key, [blk]);
    else list.push(blk);
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
    this.next = null;
    if (this.#pages.size === 0) return;
    const first = hi * TWO20 + (lo >>> 12);
    const last = hi * TWO20 + Math.floor(((lo >>> 0) + Math.max(length, 1) - 1) / 4096);
    for (let key = first; key <= last; key++) {
      const list = this.#pages.get(key);
      if (list === undefined) continue;
      for (const b of list) b.dead = true;
      this.dropped += list.length;
      this.#pages.delete(key);
    }
  }
}

// Interprets from `insn` as the interpreter's loop does, up to the next
// block entry (after a branch, an instruction the translator leaves alone,
// a page end, the block size) or the end of the budget; leaves the entry's
// instruction in `cpu.jit.next` (null when NIP went through the register
// file) with NIP in the register file, and returns the budget left.
// Its next/target step repeats execute.ts's loop on purpose: as a shared
// function it cost that loop 1.5-2% (ppc64_interp_bench with jitThreshold -1).
function interpretRun(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn, budget: number): number {
  const regs = cpu.regs;
  const clock = cpu.clock;
  const dispatch = PPC64_DISPATCH;
  const ends = JIT_ENDS_BLOCK;
  let n = 0;
  for (;;) {
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
    const boundary = b !== BR_NONE || ends[insn.dispatch] !== 0 ||
      (insn.nextLo & 0xfff) === 0 || ++n >= PPC64_JIT_MAX_BLOCK;
    if (next === null || boundary || budget <= 0 || cpu.events !== 0) {
      cpu.cur = null;
      if (next !== null) {
        regs[R_NIP_LO] = next.addrLo;
        regs[R_NIP_HI] = next.addrHi;
      }
      cpu.jit.next = next;
      return budget;
    }
    insn = next;
  }
}

// The second-tier loop: blocks where compiled, the interpreter elsewhere.
// The budget is kept as the clock value to stop at.
function jitLoop(cpu: Ppc64Cpu, budget: number): StopReason {
  const clock = cpu.clock;
  const cache = cpu.jit;
  const tlb = cpu.tlb;
  const end = clock[0] + budget;
  let blk: Ppc64JitBlock | null = null;
  cache.next = null;
  while (clock[0] < end) {
    if (cpu.events !== 0) {
      blk = null;
      cache.next = null;
      const r = slowStepPpc64(cpu);
      flushPpc64JitTlb(tlb);
      // A trap or hypercall the host's stop hook handles in place (a kprobe
      // hit) does not leave the loop, as in the interpreter's.
      if (r >= 0) {
        if (r === STOP_BUDGET || cpu.stopHook === null || !cpu.stopHook(r)) return r;
        cpu.branch = BR_NONE;
        flushPpc64JitTlb(tlb);
      }
      continue;
    }
    if (blk === null) {
      let insn = cache.next;
      if (insn === null) insn = lookupPpc64Nip(cpu);
      blk = cache.enter(cpu, insn);
      if (blk === null || clock[0] + blk.len > end) {
        blk = null;
        interpretRun(cpu, insn, end - clock[0]);
        flushPpc64JitTlb(tlb);
        continue;
      }
    }
    cache.next = null;
    // Chained blocks: each returns the next while its exit's cache holds one.
    // A block that returns normally leaves no event behind (a store that
    // raises one makes it leave early), so none is checked.
    let next: Ppc64JitBlock | null = blk.fn(cpu, end);
    while (next !== null) {
      blk = next;
      next = blk.fn(cpu, end);
    }
    const x = cpu.jitExit;
    const from: Ppc64JitBlock = blk;
    blk = null;
    if (x < 0) continue; // left early after a store: an event is pending
    // As the interpreter, fetch past a constant target before looking at
    // the budget (a fetch fault there is raised now), not past LR/CTR.
    const more = clock[0] < end;
    if (more || from.direct[x] === 1) {
      const insn = lookupPpc64Nip(cpu);
      cache.next = insn;
      if (more) {
        blk = cache.enter(cpu, insn);
        if (blk !== null) {
          from.links[x] = blk;
          if (clock[0] + blk.len > end) blk = null;
          else cache.next = null;
        }
      }
    }
  }
  cpu.cur = null;
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
  flushPpc64JitTlb(cpu.tlb);
  try {
    return jitLoop(cpu, budget);
  } catch (e) {
    return endRunWithFault(cpu, e);
  }
}
