// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The sparc64 block translator's run loop and block lists: the second tier
 * above the interpreter (as ppc64's `jit.ts`). The loop interprets as the
 * interpreter does and, at every block entry (the instruction reached
 * after a transfer's delay slot, after a block, or after an instruction
 * the translator leaves to the interpreter) where nPC = PC + 4, counts a
 * hit on the decoded instruction; at `cpu.jitThreshold` hits the block
 * starting there is compiled by `jit_compile.ts` into one JS function with
 * every instruction specialised, and runs from then on. A block is listed
 * under every page its instructions lie in, so a text write drops exactly
 * the blocks that read the pages it touches (the listener in `cpu.ts`
 * calls {@linkcode Sparc64JitCache.invalidate}); an entry whose block was
 * dropped compiles again on its next entry, and gets its old function back
 * when its words are unchanged (an `execve` of the same program).
 *
 * A block is compiled for the global set (PSTATE.AG), PSTATE.AM and the
 * access mode (PSTATE.PRIV) it was entered under, and runs only under
 * them; the window (CWP) is read at its entry, so one block serves every
 * depth of a call chain. The loop keeps the interpreter's contract: events
 * (stops, interrupts) are checked before every block and taken as the
 * interpreter takes them (nothing a block runs raises one), a block runs
 * only when the budget covers its stretch to its first budget check, and
 * a fault inside a block leaves PC on the faulting instruction, nPC on its
 * nPC, with the retired count and every earlier effect exact. Blocks are
 * chained: each exit remembers the block it reached last time.
 *
 * @module
 */

import { Fault } from "../_common/fault.ts";
import { STOP_HYPERCALL, STOP_TRAP, type StopReason } from "../types.ts";
import type { Sparc64Cpu } from "./cpu.ts";
import type { Sparc64DecodedInsn } from "./decode.ts";
import { SPARC64_DISPATCH } from "./dispatch.ts";
import { endSparc64Loop, fetchSparc64, runSparc64Loop, takeStopSparc64 } from "./execute.ts";
import {
  compileSparc64Block,
  SPARC64_JIT_ENDS_BLOCK,
  SPARC64_JIT_MAX_BLOCK,
  type Sparc64JitCompiled,
} from "./jit_compile.ts";
import { F_DCTI } from "./opcodes.ts";
import {
  PSTATE_AG,
  PSTATE_AM,
  PSTATE_PRIV,
  R_ALT_GLOBALS,
  R_FETCH_PAGE_HI,
  R_FETCH_PAGE_LO,
  R_NPC_HI,
  R_NPC_LO,
  R_PC_HI,
  R_PC_LO,
  R_PSTATE,
} from "./regs.ts";
import { deliverSparc64Interrupt, SPARC64_EVT_IRQ, SPARC64_EVT_STOP } from "./traps.ts";
import { syncSparc64Events } from "./traps.ts";

/**
 * Hits of a block entry before it is compiled (`Sparc64Cpu.jitThreshold`'s
 * default), as ppc64's and x86's: a new block function is slower than the
 * interpreter until V8 has optimized it, so only looping code pays back.
 */
export const SPARC64_JIT_DEFAULT_THRESHOLD = 32768;

const TWO20 = 1048576;
const TWO32 = 4294967296;
const KEY_BITS = PSTATE_AG | PSTATE_AM | PSTATE_PRIV;

/**
 * The generated code of one block: runs it, counts what it retired and
 * returns the next block to run (chained through its exit's inline cache)
 * or null with the exit in `cpu.jitExit`.
 */
export type Sparc64JitBlockFn = (cpu: Sparc64Cpu, end: number) => Sparc64JitBlock | null;

/** One compiled block (internal hot data). */
export class Sparc64JitBlock {
  /** The generated function. */
  readonly fn: Sparc64JitBlockFn;
  /** Instructions on its longest path (what the budget must cover). */
  readonly len: number;
  /** Start address, low half. */
  readonly lo: number;
  /** Start address, high half. */
  readonly hi: number;
  /** PSTATE's AG, AM and PRIV bits it was compiled under. */
  readonly key: number;
  /** Per exit: the block found at its target last time (an inline cache the code reads). */
  readonly links: (Sparc64JitBlock | null)[];
  /** Set when a text write dropped the block's page. */
  dead = false;

  /**
   * Wraps a compiled block.
   *
   * @param hi Start address, high half.
   * @param lo Start address, low half.
   * @param key The PSTATE bits it runs under.
   * @param made What `compileSparc64Block` made.
   */
  constructor(hi: number, lo: number, key: number, made: Sparc64JitCompiled) {
    this.fn = made.fn as Sparc64JitBlockFn;
    this.len = made.len;
    this.hi = hi;
    this.lo = lo;
    this.key = key;
    this.links = made.links as (Sparc64JitBlock | null)[];
  }
}

// Marks an entry whose first instruction the translator leaves to the interpreter.
const NO_BLOCK = new Sparc64JitBlock(0, 0, -1, {
  fn: () => null,
  len: 0,
  links: [],
  pages: [],
  source: "",
  words: [],
});

/**
 * The compiled blocks of a CPU by page, for invalidation; the blocks
 * themselves hang off the decoded instructions they start at.
 *
 * @example A fresh cache has nothing to drop
 * ```ts
 * import { Sparc64JitCache } from "./jit.ts";
 * import assert from "node:assert/strict";
 * const cache = new Sparc64JitCache();
 * cache.invalidate(0, 0x400000, 4);
 * assert.equal(cache.dropped, 0);
 * ```
 */
export class Sparc64JitCache {
  #pages = new Map<number, Sparc64JitBlock[]>();
  // The last code made for each entry, kept across text writes: by page
  // key, then by page offset | PSTATE key << 12.
  #graves = new Map<number, Map<number, Sparc64JitCompiled>>();
  /** Blocks compiled so far (a statistic for tests and benches). */
  compiled = 0;
  /** Blocks dropped by text writes so far. */
  dropped = 0;

  /**
   * The block to run at `insn`, or null to interpret: counts the entry
   * and compiles the block when it is hot.
   *
   * @param cpu The CPU (its `jitThreshold` and PSTATE).
   * @param insn The instruction at the entry (fetched: its page may be executed).
   * @returns The block, or null.
   */
  enter(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): Sparc64JitBlock | null {
    const key = cpu.regs[R_PSTATE] & KEY_BITS;
    const b = insn.jitBlock as Sparc64JitBlock | null;
    if (b !== null) {
      if (!b.dead) return b.key === key ? b : null;
      insn.jitBlock = null;
    }
    const hi = insn.addrHi;
    const lo = insn.addrLo;
    // An entry whose block a text write dropped compiles again at once: a
    // rewrite with the same bytes (execve of the same program) gets the
    // same code back, and with it V8's optimized function.
    const graves = this.#graves.get(hi * TWO20 + (lo >>> 12));
    const at = (lo & 0xfff) | (key << 12);
    const grave = graves === undefined ? undefined : graves.get(at);
    if (++insn.jitHits < cpu.jitThreshold && grave === undefined) return null;
    let made = grave !== undefined && sameWords(cpu, grave.words) ? grave : null;
    if (made === null) {
      made = compileSparc64Block(cpu, hi, lo, {
        globals: (key & PSTATE_AG) !== 0 ? R_ALT_GLOBALS : 0,
        am: (key & PSTATE_AM) !== 0,
        acc: cpu.accUser,
      });
      if (made === null) {
        insn.jitBlock = NO_BLOCK;
        return null;
      }
      if (graves === undefined) this.#graves.set(hi * TWO20 + (lo >>> 12), new Map([[at, made]]));
      else graves.set(at, made);
    }
    const blk = new Sparc64JitBlock(hi, lo, key, made);
    insn.jitBlock = blk;
    for (const pageKey of made.pages) {
      const list = this.#pages.get(pageKey);
      if (list === undefined) this.#pages.set(pageKey, [blk]);
      else list.push(blk);
    }
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
    if (this.#pages.size === 0) return;
    const first = hi * TWO20 + (lo >>> 12);
    const last = hi * TWO20 + Math.floor(((lo >>> 0) + Math.max(length, 1) - 1) / 4096);
    for (let key = first; key <= last; key++) {
      const list = this.#pages.get(key);
      if (list === undefined) continue;
      for (const b of list) {
        if (!b.dead) this.dropped++;
        b.dead = true;
      }
      this.#pages.delete(key);
    }
  }
}

// Whether every instruction a block was made from is still there (fetched
// as the block would: a page that is no longer executable says no).
function sameWords(cpu: Sparc64Cpu, words: number[]): boolean {
  try {
    for (let i = 0; i < words.length; i += 3) {
      if (fetchSparc64(cpu, words[i + 1], words[i + 2]).word !== words[i]) return false;
    }
    return true;
  } catch (e) {
    if (e instanceof Fault) return false;
    throw e;
  }
}

// The instruction at PC: the current page's slot, else a fetch (which may fault).
function lookupPc(cpu: Sparc64Cpu): Sparc64DecodedInsn {
  const regs = cpu.regs;
  const lo = regs[R_PC_LO];
  const hi = regs[R_PC_HI];
  const page = cpu.page;
  const d = (lo - regs[R_FETCH_PAGE_LO]) >>> 0;
  if (page !== null && d < 4096 && hi === regs[R_FETCH_PAGE_HI]) {
    const insn = page[d];
    if (insn !== null) return insn;
  }
  cpu.cur = null;
  return fetchSparc64(cpu, hi, lo);
}

// Interprets from PC as the interpreter's loop does, up to the next block
// entry (after a transfer's delay slot, a jump, an instruction the
// translator leaves alone, a page end, the block size) with nPC = PC + 4,
// an event or the end of the budget; returns the budget left.
function interpretRun(cpu: Sparc64Cpu, left: number): number {
  const regs = cpu.regs;
  const clock = cpu.clock;
  const dispatch = SPARC64_DISPATCH;
  const ends = SPARC64_JIT_ENDS_BLOCK;
  let n = 0;
  let slot = false;
  for (;;) {
    left--;
    // lookupPc() inline, as the interpreter's loop has it.
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
    const nl = regs[R_NPC_LO];
    const nh = regs[R_NPC_HI];
    regs[R_PC_LO] = nl;
    regs[R_PC_HI] = nh;
    const x = nl + 4;
    regs[R_NPC_LO] = x;
    if (x >= TWO32) regs[R_NPC_HI] = nh + 1;
    dispatch[insn.dispatch](cpu, insn);
    clock[0]++;
    if (left <= 0 || cpu.events !== 0) return left;
    const wasSlot = slot;
    const pl = regs[R_PC_LO];
    const next = (insn.addrLo + 4) >>> 0;
    // A transfer whose delay slot runs next (not annulled): go on through it.
    slot = (insn.flags & F_DCTI) !== 0 && pl === next;
    const boundary = wasSlot || pl !== next || ends[insn.dispatch] !== 0 ||
      (next & 0xfff) === 0 || ++n >= SPARC64_JIT_MAX_BLOCK;
    if (boundary && regs[R_NPC_LO] === ((pl + 4) >>> 0) && !slot) {
      // A block entry: back to the loop when a block starts here or is
      // due (counting the hit here), else go on interpreting.
      const nd = (pl - regs[R_FETCH_PAGE_LO]) >>> 0;
      const pg = cpu.page;
      if (pg === null || nd >= 4096 || regs[R_PC_HI] !== regs[R_FETCH_PAGE_HI]) return left;
      const nx = pg[nd];
      if (nx === null) return left;
      const jb = nx.jitBlock;
      if (jb === null) {
        // Its first entry since it was decoded goes to the loop too: a
        // block a text write dropped there compiles again at once.
        if (nx.jitHits === 0 || nx.jitHits + 1 >= cpu.jitThreshold) return left;
        nx.jitHits++;
      } else if (jb !== NO_BLOCK) return left;
      n = 0;
    }
  }
}

// Every compiled block is called from here. The call site sees many
// functions from the start (below), so V8 never inlines blocks into the run
// loop: an inlined block made the loop deoptimize ("wrong call target") and
// recompile (tens of ms of compiler time) whenever other blocks got hot.
function callBlock(fn: Sparc64JitBlockFn, cpu: Sparc64Cpu, end: number): Sparc64JitBlock | null {
  return fn(cpu, end);
}
{
  const fns: Sparc64JitBlockFn[] = [];
  for (let i = 0; i < 8; i++) {
    fns.push(new Function("cpu", "end", `return ${i} < 0 ? cpu : null;`) as Sparc64JitBlockFn);
  }
  for (let i = 0; i < 64; i++) callBlock(fns[i & 7], null as unknown as Sparc64Cpu, 0);
}

// Whether nPC = PC + 4 (a block may start at PC).
function sequential(regs: Uint32Array): boolean {
  const pl = regs[R_PC_LO];
  const x = pl + 4;
  return regs[R_NPC_LO] === (x >>> 0) &&
    regs[R_NPC_HI] === (x >= TWO32 ? (regs[R_PC_HI] + 1) >>> 0 : regs[R_PC_HI]);
}

// The second-tier loop: blocks where compiled, the interpreter elsewhere.
function jitLoop(cpu: Sparc64Cpu): StopReason {
  const regs = cpu.regs;
  const clock = cpu.clock;
  const cache = cpu.jit;
  let left = cpu.budget;
  let from: Sparc64JitBlock | null = null; // the block whose exit `exit` led here
  let exit = -1;
  while (left > 0) {
    cpu.budget = left;
    cpu.loopStart = clock[0];
    if (cpu.events !== 0) {
      from = null;
      if ((cpu.events & SPARC64_EVT_STOP) !== 0) {
        const r = takeStopSparc64(cpu);
        cpu.cur = null;
        // A trap or hypercall the host's stop hook handles in place (a
        // kprobe hit) does not leave the loop, as in the interpreter's.
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
    let blk: Sparc64JitBlock | null = null;
    if (cpu.events === 0 && sequential(regs)) {
      blk = cache.enter(cpu, lookupPc(cpu));
      if (from !== null && blk !== null) from.links[exit] = blk;
    }
    from = null;
    if (blk === null || blk.len > left) {
      left = interpretRun(cpu, left);
      continue;
    }
    cpu.jitFlush = 0;
    const c0 = clock[0];
    let next: Sparc64JitBlock | null = callBlock(blk.fn, cpu, c0 + left);
    while (next !== null) {
      blk = next;
      next = callBlock(blk.fn, cpu, c0 + left);
    }
    const ran = clock[0] - c0;
    left -= ran;
    exit = cpu.jitExit;
    if (exit >= 0) from = blk;
    // A block that left before its first instruction (a `save` or
    // `restore` that traps): the interpreter takes it.
    else if (ran === 0 && left > 0 && cpu.events === 0) left = interpretRun(cpu, left);
  }
  return endSparc64Loop(cpu);
}

/**
 * Runs `cpu` for up to `budget` instructions with the block translator
 * (`cpu.run` calls it when `cpu.jitThreshold >= 0`): the same stops,
 * counts and state as `runSparc64`.
 *
 * @param cpu The CPU.
 * @param budget Instruction budget.
 * @returns Why it stopped.
 */
export function runSparc64Jit(cpu: Sparc64Cpu, budget: number): StopReason {
  return runSparc64Loop(cpu, budget, jitLoop);
}
