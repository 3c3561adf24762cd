// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The block translator, the interpreter's second tier (v86-style). A block
 * head the run loop has entered `cpu.jitThreshold` times is translated: the
 * run of cached instructions from it (through not-taken conditional
 * branches, which become side exits, and direct jumps and calls whose
 * target is in the same page) up to a return, an indirect branch or the
 * page's end, is turned into one JavaScript function (built
 * with `new Function`) in which every instruction is specialised by
 * `jit_emit_ops.ts` (operand shapes, widths, registers, immediates and
 * displacements folded; flags kept in locals and written back only at the
 * exits; page-local memory accesses inlined with `mem.translate`'s
 * permission checks). Plain computational instructions without an inline
 * form (shifts, multiplies, bit and string operations …) call their
 * interpreter handler in place; anything else (system instructions, int3,
 * far transfers, x87 …) ends the block before it, and the interpreter runs
 * it.
 *
 * The rules that keep results identical to the interpreter's:
 * - A block lies within one 4 KiB page and never includes an instruction
 *   that straddles into the next one. Its function hangs off its head's
 *   cached `DecodedInsn` (`insn.block`), so a text write (probe arming,
 *   `kernel_write`, module text, a guest store to an executable page), which
 *   drops the written page and the one before it from the decode cache,
 *   drops their blocks with them: the page's decode slots are its block list.
 * - The run loop enters a block only with no events pending (so never with
 *   EFLAGS.TF set: single-stepping stays in the interpreter) and with at
 *   least `block.length` instructions of budget left, so a block never
 *   overruns a budget. Interrupts and stops are seen at block boundaries,
 *   where the interpreter would see them too, because nothing inside a
 *   block raises them (a handler that does ends the block after itself).
 * - Faults are precise: before an instruction that can fault the block sets
 *   its index `i`; the fault path writes the pending flags back, sets the
 *   clock to exactly the instructions retired and hands that instruction to
 *   `cpu.cur` for the trap code, which puts RIP on it. Every instruction
 *   does its faulting accesses before any register write, as its handler does.
 * - A store that reaches an executable page flushes the decode cache (the
 *   memory's text-write listener sets `cpu.events`); the block checks the
 *   events after each store and leaves at once, as the interpreter does.
 *
 * @module
 */

import { Fault } from "../_common/fault.ts";
import type { X86Cpu } from "./cpu.ts";
import type { DecodedInsn, JitBlockRef } from "./decode.ts";
import { getCf, PARITY, testCc } from "./flags.ts";
import { emitFlush, type FlagState, flushFlags } from "./jit_emit_flags.ts";
import { emitInsn, type OpCtx } from "./jit_emit_ops.ts";
import { probeWrite, readMem, writeMem } from "./modrm.ts";
import { BRANCH_TARGET } from "./regs.ts";
import { blockCallIn, isVmcall } from "./system.ts";

/**
 * The default `cpu.jitThreshold`: interpreted entries before a block head is
 * translated. A new block function costs far more than its translation:
 * V8 runs it unoptimized for its first several hundred calls (~150–200 ns
 * per guest instruction there, against the interpreter's ~17), then
 * compiles it twice on its background threads (Maglev, then TurboFan after
 * some thousands of calls: tens of ms of CPU each for a 40-instruction
 * block, taken from the other core of a 2-core machine). A block pays that
 * back at ~0.1 µs per call saved once optimized, so only after some 10⁴
 * calls. At 256 the bench's fork/execve rounds, whose blocks run 20 times a
 * round, ran 2.5–4× slower than interpreted for their first ~40 rounds;
 * at 32768 only code that loops (the kprobe_bench do_fork loop, string and
 * copy loops) is translated, within its first milliseconds. Measured with
 * `deno task bench --json` and a `cpu.jitThreshold` sweep (BENCHMARKS.md).
 */
export const DEFAULT_JIT_THRESHOLD = 32768;
/** Most instructions in one block. */
export const JIT_MAX_BLOCK = 64;
// Placeholder for the block's length in code emitted before it is known.
const LEN = "__LEN__";

// Whether `insn` is a relative branch to `head`.
function targets(insn: DecodedInsn, head: DecodedInsn): boolean {
  return insn.targetLo === head.addrLo && insn.targetHi === head.addrHi;
}

/** `hits` of a head that cannot start a block: it counts up from here and is never reached. */
const NEVER = -1_000_000_000;

/** A translated block; see the module doc. */
export class JitBlock implements JitBlockRef {
  /** Most instructions one run retires. */
  readonly length: number;
  /** Runs the block (see `JitBlockRef.run`). */
  readonly run: (cpu: X86Cpu, budget: number) => DecodedInsn;
  /** The generated source, for tests and debugging. */
  readonly source: string;

  /**
   * Wraps a generated function.
   *
   * @param length Instructions in the block.
   * @param run The function.
   * @param source Its source text.
   */
  constructor(
    length: number,
    run: (cpu: X86Cpu, budget: number) => DecodedInsn,
    source: string,
  ) {
    this.length = length;
    this.run = run;
    this.source = source;
  }
}

// Instructions without an inline form whose handlers are plain computation:
// no control transfer, no clock, privilege or event state (a handler that
// still sets `cpu.branch`, a REP chunk or a store to text, ends the block).
// deno-fmt-ignore
const PLAIN_RANGES: readonly [number, number][] = [
  [0x00, 0x05], [0x08, 0x0d], [0x10, 0x15], [0x18, 0x1d], [0x20, 0x25], [0x28, 0x2d],
  [0x30, 0x35], [0x38, 0x3d], [0x50, 0x5f], [0x68, 0x6b], [0x80, 0x81], [0x83, 0x8b],
  [0x8d, 0x8d], [0x90, 0x99], [0xa4, 0xa9], [0xaa, 0xaf], [0xb0, 0xbf], [0xc0, 0xc1],
  [0xc6, 0xc7], [0xc9, 0xc9], [0xd0, 0xd3], [0xf6, 0xf7], [0xfe, 0xfe],
  [0x11f, 0x11f], [0x140, 0x14f], [0x190, 0x19f], [0x1a3, 0x1a5], [0x1ab, 0x1ad],
  [0x1af, 0x1b1], [0x1b3, 0x1b3], [0x1b6, 0x1b7], [0x1ba, 0x1bf], [0x1c0, 0x1c1],
  [0x1c8, 0x1cf],
];
const PLAIN: Uint8Array = (() => {
  const t = new Uint8Array(0x400);
  for (const [a, b] of PLAIN_RANGES) t.fill(1, a, b + 1);
  return t;
})();

function isPlain(insn: DecodedInsn, mode: 64 | 32): boolean {
  if (insn.invalid !== 0 || (insn.prefixes & 64) !== 0) return false;
  const op = insn.opcode;
  if (op === 0xff) return (insn.reg & 7) <= 1 || (insn.reg & 7) === 6;
  if (op === 0x63) return mode === 64;
  if (op >= 0x40 && op <= 0x4f) return mode === 32;
  return op < 0x400 && PLAIN[op] === 1;
}

/** The run loop's cached fetch: the decoded instruction at `(hi, lo)`. */
export type Fetch = (cpu: X86Cpu, hi: number, lo: number, flags: number) => DecodedInsn | null;

// Helpers handed to every generated function.
const HELPERS = ["I", "H", "rdm", "wrm", "pw", "getCf", "testCc", "PARITY", "fl", "tf", "ci"];

/** Words of a translator TLB: 256 entries of (page | access | generation, high half, page offset, unused). */
export const JIT_TLB_WORDS = 1024;
/** Generation step in a TLB tag (bits 3–11; the access code uses bits 1–2). */
const TLB_GEN_STEP = 8;
const TLB_GEN_MAX = 0xff8;

/**
 * Empties a CPU's translator TLBs, by moving to the next generation (and
 * clearing them outright when the generations wrap). The run loop calls it
 * when a run starts: mappings and protections change only between runs
 * (host calls), never while guest code runs.
 *
 * @param cpu The CPU.
 */
export function flushJitTlb(cpu: X86Cpu): void {
  let g = cpu.jitTlbGen + TLB_GEN_STEP;
  if (g > TLB_GEN_MAX) {
    cpu.jitTlbRead.fill(1); // bit 0 is never set in a tag
    cpu.jitTlbWrite.fill(1);
    g = TLB_GEN_STEP;
  }
  cpu.jitTlbGen = g;
}

// A TLB miss: translates (faulting as the interpreter does) and remembers
// the page, unless the access was a write that reached an executable page
// (the text-write listener set an event): those must notify every time.
// `tag` is the access code with the generation.
function tlbFill(cpu: X86Cpu, hi: number, lo: number, tag: number, tlb: Int32Array): number {
  const off = cpu.mem.translate(hi, lo, tag & 7);
  if (cpu.events === 0) {
    const j = (lo >>> 10) & 1020;
    tlb[j] = (lo & -4096) | tag;
    tlb[j + 1] = hi | 0;
    tlb[j + 2] = off - (lo & 4095);
  }
  return off;
}

/**
 * Translates the block starting at `head` (a cached instruction the run
 * loop is about to execute), or returns null (and marks `head` so it is not
 * tried again) when its first instruction has no translation.
 *
 * @param cpu The CPU.
 * @param head The block's first instruction.
 * @param fetch The run loop's cached fetch (`fetchDecode` in `execute.ts`),
 * used to decode the instructions after `head` in its page.
 * @returns The block (also stored in `head.block`), or null.
 *
 * @example Translate a loop
 * ```ts
 * import { X86Cpu } from "./cpu.ts";
 * import { compileBlock } from "./jit.ts";
 * import { fetchDecode } from "./execute.ts";
 * import { Memory, PROT_EXEC, PROT_READ } from "../../kernel-model/memory.ts";
 * import assert from "node:assert/strict";
 * const mem = new Memory({ littleEndian: true });
 * mem.map(0x1000n, 0x1000, PROT_READ | PROT_EXEC);
 * // add eax, ecx; dec ecx; jnz -6; hlt
 * mem.writeBytes(0x1000n, new Uint8Array([0x01, 0xc8, 0xff, 0xc9, 0x75, 0xfa, 0xf4]));
 * const cpu = new X86Cpu(mem, { mode: 64 });
 * cpu.setRip(0x1000n);
 * const block = compileBlock(cpu, cpu.decodeAt(0, 0x1000), fetchDecode);
 * assert.equal(block?.length, 3); // hlt ends it: the interpreter runs it
 * ```
 */
export function compileBlock(cpu: X86Cpu, head: DecodedInsn, fetch: Fetch): JitBlock | null {
  const mode = cpu.mode;
  const hi = head.addrHi;
  const pageLo = (head.addrLo & ~0xfff) >>> 0;
  const page = cpu.cache.page(hi, head.addrLo);
  const insns: DecodedInsn[] = [];
  const parts: string[] = [];
  let flags: FlagState = { kind: -1, w: 0 };
  let inline = 0;
  let terminal = false;
  // How the last instruction so far leaves: 0 on to the next, or
  // BRANCH_TARGET for a followed jmp/call.
  let lastBranch = 0;
  let insn: DecodedInsn | null = head;
  const exitAt = (k: number, branch: number): string =>
    `{${emitFlush(flags)}clock[0]=base+${k + 1};${
      branch !== 0 ? `cpu.branch=${branch};` : ""
    }return I[${k}];}`;
  // A jump back to the head loops inside the function while the budget
  // lasts (flags written back: the head's code expects them in cpu.lf).
  const backEdge = (k: number): string =>
    `if(base-c0+${k + 1}+${LEN}<=budget){${emitFlush(flags)}fo=-1;base+=${k + 1};continue L;}`;
  while (insn !== null && insns.length < JIT_MAX_BLOCK) {
    const k = insns.length;
    const ctx: OpCtx = {
      mode,
      k,
      insn,
      flags,
      stackSize: cpu.stackSize,
      exit: (branch) =>
        branch === BRANCH_TARGET && targets(insn!, head)
          ? `{${backEdge(k)}${exitAt(k, branch)}}`
          : exitAt(k, branch),
    };
    if (k === 0 && cpu.callIn !== null && isVmcall(insn)) {
      // An optimized kprobe's detour: its call-in and the relocated
      // instructions after it run as one block. The handlers see the clock
      // before the vmcall, as in the interpreter; they may run guest code
      // (the clock moves on: the block goes on from there) and leave
      // events (the block stops after the vmcall).
      // (A jump back to the head loops without storing the clock: store it.)
      parts.push("clock[0]=base;if(!ci(cpu,I[0])){clock[0]+=1;return I[0];}base=clock[0];");
      insns.push(insn);
      inline++;
      lastBranch = 0;
      insn = nextInPage(cpu, fetch, insn, page, hi, pageLo);
      continue;
    }
    const e = emitInsn(ctx);
    if (e !== null) {
      flags = ctx.flags;
      parts.push(e.faults ? `i=${k};${e.code}` : e.code);
      const branch = e.jumps ? BRANCH_TARGET : 0;
      if (e.stores && !e.terminal) parts.push(`if(cpu.events!==0)${exitAt(k, branch)}`);
      insns.push(insn);
      inline++;
      if (e.terminal) {
        terminal = true;
        break;
      }
      if (e.jumps) {
        // Go on at the target when it is in this page and new to the block
        // (should the block end right there, its last exit takes the jump).
        const d: number = (insn.targetLo - pageLo) >>> 0;
        const t: DecodedInsn | null = insn.targetHi === hi && d < 4096 ? page[d] : null;
        if (
          t === null || insns.includes(t) || insns.length >= JIT_MAX_BLOCK ||
          t.length > 4096 - d
        ) {
          parts.push((t === head ? backEdge(k) : "") + exitAt(k, BRANCH_TARGET));
          terminal = true;
          break;
        }
        lastBranch = BRANCH_TARGET;
        insn = t;
        continue;
      }
      lastBranch = 0;
    } else if (isPlain(insn, mode)) {
      // The handler reads and writes cpu.lf and may read the clock.
      parts.push(
        `i=${k};${emitFlush(flags)}fo=-1;clock[0]=base+${k};H[${k}](cpu,I[${k}]);` +
          `if(cpu.branch!==0){clock[0]=base+${k + 1};return I[${k}];}`,
      );
      flags = { kind: -1, w: 0 };
      insns.push(insn);
      lastBranch = 0;
    } else break;
    insn = nextInPage(cpu, fetch, insn, page, hi, pageLo);
  }
  if (inline === 0) {
    head.hits = NEVER;
    return null;
  }
  if (!terminal) parts.push(exitAt(insns.length - 1, lastBranch));
  const code = parts.join("\n").replaceAll(LEN, String(insns.length));
  const body = `"use strict";return function(cpu,budget){` + prologue(code) +
    "let base=clock[0],i=0,fo=-1,fw=0,fa=0,fah=0,fb=0,fbh=0,fr=0,frh=0,fc=0;" +
    "let a=0,ah=0,b=0,bh=0,r=0,rh=0,c=0,s=0,v=0,vh=0,el=0,eh=0,o=-1;" +
    // The loop only for a block that jumps back to its head.
    `try{${code.includes("continue L") ? `const c0=base;L:for(;;){${code}}` : code}}` +
    "catch(e){if(fo>=0)fl(lf,fo,fw,fa,fah,fb,fbh,fr,frh,fc);" +
    "clock[0]=base+i;cpu.cur=I[i];throw e;}}";
  const make = new Function(...HELPERS, body);
  const run = make(
    insns,
    insns.map((x) => x.exec),
    readMem,
    writeMem,
    probeWrite,
    getCf,
    testCc,
    PARITY,
    flushFlags,
    tlbFill,
    blockCallIn,
  ) as (cpu: X86Cpu, budget: number) => DecodedInsn;
  const block = new JitBlock(insns.length, run, body);
  head.block = block;
  // The run loop counted a hit on every instruction it interpreted, so the
  // rest of the block reached the threshold with its head: left so, each
  // would become the head of an overlapping block of its own the first
  // time a run starts or resumes there (after a budget ran out mid-block),
  // and such blocks, run a few times per run, stay in V8's slow unoptimized
  // tiers for long. From here on only entries from the run loop count.
  for (let j = 1; j < insns.length; j++) {
    if (insns[j].block === null && insns[j].hits > 0) insns[j].hits = 0;
  }
  return block;
}

// The CPU fields a block's code uses, loaded into locals once at its entry.
// Only those the code names: until V8 optimizes a new block function (some
// hundreds of calls), every load here costs an inline-cache call per run.
const LOCALS: readonly [string, string][] = [
  ["regs", "cpu.regs"],
  ["regs16", "cpu.regs16"],
  ["regs8", "cpu.regs8"],
  ["dv", "cpu.dv"],
  ["u8", "cpu.u8"],
  ["tr", "cpu.jitTlbRead"],
  ["tw", "cpu.jitTlbWrite"],
  ["ra", "cpu.accRead|cpu.jitTlbGen"],
  ["wa", "cpu.accWrite|cpu.jitTlbGen"],
];

function prologue(code: string): string {
  let c = "const lf=cpu.lf,clock=cpu.clock";
  for (const [name, value] of LOCALS) {
    if (new RegExp(`\\b${name}\\b`).test(code)) c += `,${name}=${value}`;
  }
  return c + ";";
}

// The cached instruction after `insn` when it starts and ends in the same
// page as the block, else null (the block ends there).
function nextInPage(
  cpu: X86Cpu,
  fetch: Fetch,
  insn: DecodedInsn,
  page: (DecodedInsn | null)[],
  hi: number,
  pageLo: number,
): DecodedInsn | null {
  const d = (insn.nextLo - pageLo) >>> 0;
  if (insn.nextHi !== hi || d >= 4096) return null;
  let next = page[d];
  if (next === null) {
    // Decoding near the page end could fetch the next page: stop there.
    if (d > 4096 - 15) return null;
    try {
      next = fetch(cpu, hi, insn.nextLo, 0);
    } catch (e) {
      if (e instanceof Fault) return null;
      throw e;
    }
    if (next === null || page[d] !== next) return null;
  }
  return next.length <= 4096 - d ? next : null;
}
