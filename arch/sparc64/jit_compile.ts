// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Block formation and code generation for the sparc64 block translator.
 *
 * A block starts at a hot entry (PC with nPC = PC + 4) and runs on through
 * the code: `call`, `ba` and `bn` are followed (the delay slot, then the
 * target, in any page), a conditional branch (`Bicc`, `BPcc`, `BPr`) goes
 * on along the direction the interpreter took more often before the block
 * was compiled (its successors' entry counts) and leaves by a side exit on
 * the other, with the annul bits as the interpreter has them (`ba,a` skips
 * its slot, a conditional `,a` skips it when not taken); `jmpl` (`ret`,
 * `retl`, indirect calls) and `return` end it after their delay slot. It
 * also ends before an instruction the translator leaves to the interpreter,
 * at an address it already holds, or at {@linkcode SPARC64_JIT_MAX_BLOCK}
 * instructions. A transfer whose delay slot the translator cannot run
 * ends the block before it. Past every followed transfer a budget check
 * lets the block go on only when the budget covers the next stretch.
 *
 * Each instruction becomes specialised JS from `jit_emit.ts`; the
 * multiply/divide family, the alternate-space and atomic memory forms,
 * `movcc`/`movr`, `popc`, tagged arithmetic and register-count shifts call
 * their interpreter handler with the decoded record bound as a constant
 * (those handlers read and write registers and memory only). `save`,
 * `restore` and `return` are inline: when the window state asks for a
 * spill, fill or clean_window trap the block leaves before them and the
 * interpreter takes the trap. Left to the interpreter (they end a block):
 * `Tcc` (Kprobes' `ta 0x70`/`0x71` stop exactly as interpreted), `rd`/`wr`
 * (`%tick` reads the clock, which a block updates only at its exits),
 * privileged and window-trap instructions (`rdpr`, `wrpr`, `done`,
 * `retry`, `flushw`, `saved`, `restored`), floating point, illegal words.
 *
 * The function keeps `i`, the fault site of the instruction that may fault
 * next; its `catch` puts PC on that instruction and nPC on its nPC (for a
 * delay slot the transfer's target, kept in `nl`/`nh`), adds the
 * instructions retired before it to the clock and rethrows to the run
 * loop. After a store it checks `cpu.jitFlush` (a store into an executable
 * page may have dropped this very block) and leaves right after the store
 * when set.
 *
 * @module
 */

import { Fault } from "../_common/fault.ts";
import * as ALU from "./alu.ts";
import type { Sparc64Cpu } from "./cpu.ts";
import type { Sparc64DecodedInsn } from "./decode.ts";
import { SPARC64_DISPATCH, type Sparc64Handler } from "./dispatch.ts";
import { fetchSparc64 } from "./execute.ts";
import * as E from "./jit_emit.ts";
import * as LS from "./load_store.ts";
import * as MD from "./muldiv.ts";
import { F_DCTI, F_STORE, SPARC64_SLOTS } from "./opcodes.ts";
import {
  NWINDOWS,
  R_CANRESTORE,
  R_CANSAVE,
  R_CLEANWIN,
  R_CWP,
  R_NPC_HI,
  R_NPC_LO,
  R_PC_HI,
  R_PC_LO,
  SPARC64_READ_MAPS,
  SPARC64_WRITE_MAPS,
} from "./regs.ts";
import { opRestore, opReturn, opSave } from "./windows.ts";
import { opBicc, opBpcc, opBpr, opCall, opJmpl } from "./branch.ts";

/** Most instructions in one block. */
export const SPARC64_JIT_MAX_BLOCK = 64;

const TWO32 = 4294967296;
const TWO20 = 1048576;

type Emit = (c: E.Sparc64JitContext, insn: Sparc64DecodedInsn, after: string) => string | null;

// Specialised emitters by interpreter handler.
const SPECIALISED = new Map<Sparc64Handler, Emit>([
  [ALU.opSparc64Add, E.emitAddSub],
  [ALU.opAddcc, E.emitAddSub],
  [ALU.opSparc64Addc, E.emitAddSub],
  [ALU.opAddccc, E.emitAddSub],
  [ALU.opSub, E.emitAddSub],
  [ALU.opSubcc, E.emitAddSub],
  [ALU.opSubc, E.emitAddSub],
  [ALU.opSubccc, E.emitAddSub],
  [ALU.opLogic, E.emitLogic],
  [ALU.opLogicCc, E.emitLogic],
  [ALU.opSethi, E.emitSethi],
  [ALU.opShift, E.emitShift],
  [LS.opLoadPlain, E.emitLoad],
  [LS.opStorePlain, E.emitStore],
  [LS.opSparc64Nop, () => ""],
]);

// Handlers that read and write only registers and memory (no PC/nPC,
// clock, PSTATE, events or `cpu.cur`): called directly when not specialised.
const PURE = new Set<unknown>([
  ...Object.values(ALU),
  ...Object.values(MD),
  ...Object.values(LS),
]);
PURE.delete(LS.opFpDisabled);

const BRANCHES = new Set<Sparc64Handler>([opBicc, opBpcc, opBpr, opCall, opJmpl, opReturn]);

/** 1 for dispatch slots whose instructions end a block: transfers and what the translator leaves alone. */
export const SPARC64_JIT_ENDS_BLOCK: Uint8Array = new Uint8Array(SPARC64_SLOTS);
for (let s = 0; s < SPARC64_SLOTS; s++) {
  const h = SPARC64_DISPATCH[s];
  const simple = SPECIALISED.has(h) || PURE.has(h) || h === opSave || h === opRestore;
  SPARC64_JIT_ENDS_BLOCK[s] = simple ? 0 : 1;
}

/** What the translator made of a block. */
export interface Sparc64JitCompiled {
  /**
   * The block's function: runs it, leaves PC/nPC in the register file,
   * adds what it retired to the clock and returns the next block when its
   * exit's inline cache holds one that fits before the clock reaches `end`;
   * else null with the exit's id in `cpu.jitExit` (-1: an exit that no
   * block follows).
   */
  fn: (cpu: Sparc64Cpu, end: number) => unknown;
  /**
   * Instructions on its longest path to the first budget check (what the
   * budget must cover to enter it); past each check the block goes on only
   * when the budget covers the next stretch, else it leaves there.
   */
  len: number;
  /** Per exit: the block reached last time (filled by the run loop; read by `fn`). */
  links: (object | null)[];
  /** Keys (`hi · 2^20 + page number`) of the pages its instructions lie in. */
  pages: number[];
  /** The generated source (for tests and debugging). */
  source: string;
  /** Word, address high and low half of every instruction it was made from. */
  words: number[];
}

function pcPair(lo: number, hi: number): [number, number] {
  const n = lo + 4;
  return [n >>> 0, n >= TWO32 ? (hi + 1) >>> 0 : hi];
}

// Numbers the exits of one block and writes their code.
class Exits {
  count = 0;
  readonly #b: Build;
  constructor(b: Build) {
    this.#b = b;
  }
  // PC = (lo, hi) constants, nPC = PC + 4; chained through L[id].
  to(lo: number, hi: number, n: number): string {
    const id = this.count++;
    const [nl, nh] = pcPair(lo, hi);
    return `${this.#b.sync}g[${R_PC_LO}] = ${E.jsNum(lo)}; g[${R_PC_HI}] = ${E.jsNum(hi)}; ` +
      `g[${R_NPC_LO}] = ${E.jsNum(nl)}; g[${R_NPC_HI}] = ${E.jsNum(nh)}; ` +
      `{ const t = clk[0] + ${n}; clk[0] = t; const b = L[${id}]; ` +
      `if (b !== null && !b.dead && t + b.len <= end) return b; } cpu.jitExit = ${id}; return null;`;
  }
  // PC = the locals (jl, jh) of an indirect transfer, nPC = PC + 4.
  toLocal(n: number): string {
    const id = this.count++;
    return `${this.#b.sync}g[${R_PC_LO}] = jl; g[${R_PC_HI}] = jh; { const x = jl + 4; ` +
      `g[${R_NPC_LO}] = x; g[${R_NPC_HI}] = x > 0xffffffff ? jh + 1 : jh; } ` +
      `{ const t = clk[0] + ${n}; clk[0] = t; const b = L[${id}]; ` +
      `if (b !== null && !b.dead && b.lo === jl && b.hi === jh && t + b.len <= end) return b; } ` +
      `cpu.jitExit = ${id}; return null;`;
  }
}

// PC/nPC as given (expressions), n retired, no chaining (an exit into the
// middle of a transfer, or after a text write).
function rawExit(
  pre: string,
  pcLo: string,
  pcHi: string,
  npcLo: string,
  npcHi: string,
  n: number,
): string {
  return `${pre}g[${R_PC_LO}] = ${pcLo}; g[${R_PC_HI}] = ${pcHi}; g[${R_NPC_LO}] = ${npcLo}; ` +
    `g[${R_NPC_HI}] = ${npcHi}; clk[0] += ${n}; cpu.jitExit = -1; return null;`;
}

// Where the instruction at index k goes on: constants, or (in a delay slot) the locals nl/nh.
interface Next {
  lo: string;
  hi: string;
  // Its successor (nPC while it runs).
  nlo: string;
  nhi: string;
  // The successor's successor (constants only; unused in a delay slot).
  nnlo: string;
  nnhi: string;
}

const WINDOW = `wb = 32 + 32 * w; ob = 48 + 32 * ((w + 1) & 7);`;

// `cpu.remap()` for the current CWP under the block's global set. Inline
// window changes leave the maps alone; every exit after one, the catch and
// every handler call bring them up to date.
function syncMaps(c: E.Sparc64JitContext): string {
  const w = `g[${R_CWP}]${c.globals !== 0 ? ` + ${NWINDOWS}` : ""}`;
  return `cpu.rmap = RM[${w}]; cpu.wmap = WM[${w}]; `;
}

// Inline save/restore: leave before it when it would trap.
function emitWindow(
  b: Build,
  insn: Sparc64DecodedInsn,
  save: boolean,
  here: Next,
  k: number,
): string {
  const c = b.c;
  const trap = save
    ? `g[${R_CANSAVE}] === 0 || g[${R_CLEANWIN}] === g[${R_CANRESTORE}]`
    : `g[${R_CANRESTORE}] === 0`;
  const [bh, bl] = insn.i !== 0
    ? [E.jsNum(insn.imm < 0 ? 0xffffffff : 0), E.jsNum(insn.imm >>> 0)]
    : [E.regHi(c, insn.rs2), E.regLo(c, insn.rs2)];
  const d = save ? 1 : 7;
  return `if (${trap}) { ${rawExit(b.sync, here.lo, here.hi, here.nlo, here.nhi, k)} } ` +
    `{ const s = ${E.regLo(c, insn.rs1)} + ${bl}; const l = s >>> 0; ` +
    `const h = (${E.regHi(c, insn.rs1)} + ${bh} + (s > 0xffffffff ? 1 : 0)) >>> 0; ` +
    `const w = (g[${R_CWP}] + ${d}) & 7; g[${R_CWP}] = w; ` +
    `g[${R_CANSAVE}] = (g[${R_CANSAVE}] + ${8 - d}) & 7; ` +
    `g[${R_CANRESTORE}] = (g[${R_CANRESTORE}] + ${d}) & 7; ${WINDOW} ` +
    `${E.setReg(c, insn.rd, "h", "l")} }`;
}

/** The compiler's state for one block. */
interface Build {
  c: E.Sparc64JitContext;
  refs: unknown[];
  /** Per fault site: address halves, instructions retired before it, 1 in a delay slot. */
  siteLo: number[];
  siteHi: number[];
  siteK: number[];
  siteSlot: number[];
  /** Keys (`hi · 2^20 + page number`) of the pages the block's instructions lie in. */
  pages: Set<number>;
  /** Transfers so far (names their locals). */
  transfers: number;
  /** Word, address high and low half of every instruction compiled. */
  words: number[];
  /** The map update exits need: empty until the block changes the window. */
  sync: string;
}

// Records a fault site; returns the code that marks it as the next one.
function site(b: Build, lo: number, hi: number, k: number, slot: boolean): string {
  b.siteLo.push(lo);
  b.siteHi.push(hi);
  b.siteK.push(k);
  b.siteSlot.push(slot ? 1 : 0);
  return `i = ${b.siteLo.length - 1}; `;
}

// The code of one non-transfer instruction with k retired before it, or
// null to end the block before it.
function emitSimple(
  b: Build,
  insn: Sparc64DecodedInsn,
  k: number,
  here: Next,
  slot: boolean,
): string | null {
  if (insn.illegal !== 0 || (insn.flags & F_DCTI) !== 0) return null;
  const h = SPARC64_DISPATCH[insn.dispatch];
  // After a store that may have told the text-write listeners: leave past it.
  const flushExit = slot
    ? `if (cpu.jitFlush !== 0) { const nl4 = nl + 4; ` +
      rawExit(b.sync, "nl", "nh", "nl4 >>> 0", "nl4 > 0xffffffff ? nh + 1 : nh", k + 1) + " }"
    : `if (cpu.jitFlush !== 0) { ${
      rawExit(b.sync, here.nlo, here.nhi, here.nnlo, here.nnhi, k + 1)
    } }`;
  let code: string | null = null;
  let mayFault = (insn.flags & F_STORE) !== 0;
  if (h === opSave || h === opRestore) {
    b.sync = syncMaps(b.c);
    code = emitWindow(b, insn, h === opSave, here, k);
  } else {
    const special = SPECIALISED.get(h);
    if (special !== undefined) code = special(b.c, insn, flushExit);
    if (code === null) {
      if (!PURE.has(h)) return null;
      const n = b.refs.length;
      b.refs.push(h, insn);
      code = `${b.sync}c${n}(cpu, c${n + 1});` +
        ((insn.flags & F_STORE) !== 0 ? " " + flushExit : "");
      mayFault = true;
    }
    if (h === LS.opLoadPlain || h === LS.opStorePlain) mayFault = true;
    if (/throw /.test(code)) mayFault = true;
  }
  const mark = mayFault ? site(b, insn.addrLo, insn.addrHi, k, slot) : "";
  b.words.push(insn.word, insn.addrHi, insn.addrLo);
  return `/* ${insn.mnemonic} */ ${mark}${code}`;
}

// The instruction at (hi, lo) for the compiler, or null when it cannot be
// fetched (the interpreter then raises the fault when it gets there).
function fetchAt(cpu: Sparc64Cpu, hi: number, lo: number): Sparc64DecodedInsn | null {
  try {
    return fetchSparc64(cpu, hi, lo);
  } catch (e) {
    if (e instanceof Fault) return null;
    throw e;
  }
}

// Block entries counted at (hi, lo) so far (0 when not decoded).
function hitsAt(cpu: Sparc64Cpu, hi: number, lo: number): number {
  return cpu.cache.page(hi, lo)[lo & 0xfff]?.jitHits ?? 0;
}

function pageKey(hi: number, lo: number): number {
  return hi * TWO20 + (lo >>> 12);
}

function nextOf(lo: number, hi: number): Next {
  const [nlo, nhi] = pcPair(lo, hi);
  const [nnlo, nnhi] = pcPair(nlo, nhi);
  return {
    lo: E.jsNum(lo),
    hi: E.jsNum(hi),
    nlo: E.jsNum(nlo),
    nhi: E.jsNum(nhi),
    nnlo: E.jsNum(nnlo),
    nnhi: E.jsNum(nnhi),
  };
}

/**
 * Translates the block at `(hi, lo)` (execute permission already checked;
 * entered with nPC = PC + 4), or returns null when its first instruction
 * is left to the interpreter. Conditional branches are side exits (the
 * block goes on along the not-taken path); `call`, `ba` and `bn` are
 * followed (the block goes on at their target after the delay slot), into
 * other pages too: the block is then listed under every page it reads.
 *
 * @param cpu The CPU (its decode cache supplies the instructions).
 * @param hi Block address, high half.
 * @param lo Block address, low half.
 * @param c The state the block is compiled for.
 * @returns The block, or null.
 */
export function compileSparc64Block(
  cpu: Sparc64Cpu,
  hi: number,
  lo: number,
  c: E.Sparc64JitContext,
): Sparc64JitCompiled | null {
  const b: Build = {
    c,
    refs: [],
    siteLo: [],
    siteHi: [],
    siteK: [],
    siteSlot: [],
    pages: new Set(),
    transfers: 0,
    words: [],
    sync: "",
  };
  const body: string[] = [];
  const ex = new Exits(b);
  const seen = new Set<string>();
  let pcLo = lo;
  let pcHi = hi;
  let k = 0;
  let len = 0; // the most instructions retired since the last budget check
  const segs: number[] = []; // per stretch between budget checks: the most retired by its end
  let ended = false;
  while (k < SPARC64_JIT_MAX_BLOCK) {
    const at = `${pcHi}:${pcLo}`;
    if (seen.has(at)) break;
    const insn = fetchAt(cpu, pcHi, pcLo);
    if (insn === null) break;
    const h = SPARC64_DISPATCH[insn.dispatch];
    if (insn.illegal === 0 && BRANCHES.has(h)) {
      const t = emitTransfer(b, ex, insn, k, cpu);
      if (t === null) break;
      seen.add(at);
      b.pages.add(pageKey(pcHi, pcLo));
      b.words.push(insn.word, insn.addrHi, insn.addrLo);
      body.push(t.code);
      len = Math.max(len, t.len);
      if (t.cont === null) {
        ended = true;
        break;
      }
      [pcLo, pcHi, k] = t.cont;
      // A budget check: the rest runs only when its next stretch fits.
      segs.push(Math.max(len, k));
      len = k;
      body.push(`if (clk[0] + @@${segs.length}@@ > end) { ${ex.to(pcLo, pcHi, k)} }`);
      continue;
    }
    const code = emitSimple(b, insn, k, nextOf(pcLo, pcHi), false);
    if (code === null) break;
    seen.add(at);
    b.pages.add(pageKey(pcHi, pcLo));
    body.push(code);
    k++;
    [pcLo, pcHi] = pcPair(pcLo, pcHi);
  }
  if (k === 0 && len === 0) return null;
  if (!ended) {
    body.push(ex.to(pcLo, pcHi, k));
    len = Math.max(len, k);
  }
  segs.push(len);
  let joined = body.join("\n    ");
  for (let n = 1; n < segs.length; n++) joined = joined.replace(`@@${n}@@`, String(segs[n]));
  const links: (object | null)[] = new Array<object | null>(ex.count).fill(null);
  const faults = b.siteLo.length > 0;
  const arr = (v: number[]) => `[${v.map(E.jsNum).join(", ")}]`;
  const consts = b.refs.map((_, n) => `const c${n} = c[${n}];`).join(" ") +
    (faults
      ? ` const SL = ${arr(b.siteLo)}, SH = ${arr(b.siteHi)}, SK = ${arr(b.siteK)}, ` +
        `SS = ${arr(b.siteSlot)};`
      : "");
  const all = joined;
  let head = "const g = cpu.regs, clk = cpu.clock;";
  if (/\bmem\./.test(all)) head += " const mem = cpu.mem;";
  if (/\bdv\./.test(all)) head += " const dv = cpu.dv;";
  if (/\bu8\[/.test(all)) head += " const u8 = cpu.u8;";
  if (/\b[wo]b\b/.test(all)) {
    head += ` let wb = 32 + 32 * g[${R_CWP}], ob = 48 + 32 * ((g[${R_CWP}] + 1) & 7);`;
  }
  if (/\bnl\b/.test(all)) head += " let nl = 0, nh = 0;";
  const code = faults
    ? `let i = 0;\n  try {\n    ${all}\n  } catch (e) {\n    ` +
      `const s = i; g[${R_PC_LO}] = SL[s]; g[${R_PC_HI}] = SH[s]; ` +
      `if (SS[s] !== 0) { g[${R_NPC_LO}] = nl; g[${R_NPC_HI}] = nh; } else { ` +
      `const x = SL[s] + 4; g[${R_NPC_LO}] = x; g[${R_NPC_HI}] = x > 0xffffffff ? SH[s] + 1 : SH[s]; } ` +
      `clk[0] += SK[s]; ${b.sync}cpu.cur = null; throw e;\n  }`
    : all;
  const name = `sparc64_${hi.toString(16)}_${lo.toString(16).padStart(8, "0")}`;
  const source =
    `"use strict"; ${consts}\nreturn function ${name}(cpu, end) {\n  ${head}\n  ${code}\n};`;
  const make = new Function("CT", "RM", "WM", "c", "L", source);
  const fn = make(ALU.SPARC64_COND_TABLE, SPARC64_READ_MAPS, SPARC64_WRITE_MAPS, b.refs, links);
  return { fn, len: segs[0], links, pages: [...b.pages], source, words: b.words };
}

/** A translated transfer with its delay slot. */
interface Transfer {
  code: string;
  /** Instructions retired at its exits. */
  len: number;
  /** Where the block goes on (PC low, high, retired) or null when it ends. */
  cont: [number, number, number] | null;
}

// A transfer with k retired before it, and its delay slot, or null to end
// the block before the transfer.
function emitTransfer(
  b: Build,
  ex: Exits,
  insn: Sparc64DecodedInsn,
  k: number,
  cpu: Sparc64Cpu,
): Transfer | null {
  const c = b.c;
  const hi = insn.addrHi;
  const [ds, dsHi] = pcPair(insn.addrLo, hi);
  const [afterLo, afterHi] = pcPair(ds, dsHi); // the fall-through past the slot
  const isJmpl = insn.op === 2;
  const isCall = insn.op === 1;
  const cond = isJmpl || isCall ? "true" : E.emitCond(c, insn);
  const always = cond === "true";
  const annul = insn.annul !== 0;
  const tl = E.jsNum(insn.targetLo);
  const th = E.jsNum(insn.targetHi);
  const name = `/* ${insn.mnemonic} */ `;
  // ba,a: the slot never runs; bn,a: neither the branch nor the slot.
  if (always && annul && !isJmpl && !isCall) {
    return { code: name, len: k + 1, cont: [insn.targetLo, insn.targetHi, k + 1] };
  }
  if (cond === "false" && annul) return { code: name, len: k + 1, cont: [afterLo, afterHi, k + 1] };
  const slotInsn = fetchAt(cpu, dsHi, ds);
  if (slotInsn === null) return null;
  // `return` changes the window before its slot runs.
  const sync = b.sync;
  if (isJmpl && insn.op3 === 0x39) b.sync = syncMaps(c);
  const here: Next = {
    lo: E.jsNum(ds),
    hi: E.jsNum(dsHi),
    nlo: "nl",
    nhi: "nh",
    nnlo: "",
    nnhi: "",
  };
  const slotCode = emitSimple(b, slotInsn, k + 1, here, true);
  if (slotCode === null) {
    b.sync = sync;
    return null;
  }
  b.pages.add(pageKey(dsHi, ds));
  let code = name;
  if (isJmpl) {
    const [bh, bl] = insn.i !== 0
      ? [E.jsNum(insn.imm < 0 ? 0xffffffff : 0), E.jsNum(insn.imm >>> 0)]
      : [E.regHi(c, insn.rs2), E.regLo(c, insn.rs2)];
    const mark = site(b, insn.addrLo, hi, k, false);
    if (insn.op3 === 0x39) {
      // return: a fill trap leaves before it; the target is computed in the
      // callee's window, the slot runs in the caller's.
      code +=
        `if (g[${R_CANRESTORE}] === 0) { ${
          rawExit(b.sync, E.jsNum(insn.addrLo), E.jsNum(hi), E.jsNum(ds), E.jsNum(dsHi), k)
        } } ${mark}const js = ${E.regLo(c, insn.rs1)} + ${bl}; const jl = js >>> 0; ` +
        `const jh = (${E.regHi(c, insn.rs1)} + ${bh} + (js > 0xffffffff ? 1 : 0)) >>> 0; ` +
        `if ((jl & 3) !== 0) throw cpu.fault.set(0x34, 0, jh, jl); ` +
        `{ const w = (g[${R_CWP}] + 7) & 7; g[${R_CWP}] = w; ` +
        `g[${R_CANSAVE}] = (g[${R_CANSAVE}] + 1) & 7; ` +
        `g[${R_CANRESTORE}] = (g[${R_CANRESTORE}] + 7) & 7; ${WINDOW} } ` +
        `nl = jl; nh = jh;\n    `;
    } else {
      code += `${mark}const js = ${E.regLo(c, insn.rs1)} + ${bl}; const jl = js >>> 0; ` +
        `const jh = ${
          c.am ? "0" : `(${E.regHi(c, insn.rs1)} + ${bh} + (js > 0xffffffff ? 1 : 0)) >>> 0`
        }; if ((jl & 3) !== 0) throw cpu.fault.set(0x34, 0, jh, jl); ` +
        `${E.setReg(c, insn.rd, c.am ? "0" : E.jsNum(hi), E.jsNum(insn.addrLo))} ` +
        `nl = jl; nh = jh;\n    `;
    }
    return { code: code + slotCode + "\n    " + ex.toLocal(k + 2), len: k + 2, cont: null };
  }
  if (isCall) {
    const tHi = c.am ? 0 : insn.targetHi;
    code += `${E.setReg(c, 15, c.am ? "0" : E.jsNum(hi), E.jsNum(insn.addrLo))} ` +
      `nl = ${tl}; nh = ${E.jsNum(tHi)};\n    `;
    return { code: code + slotCode, len: k + 2, cont: [insn.targetLo, tHi, k + 2] };
  }
  if (always || cond === "false") {
    const [nl, nh] = always ? [tl, th] : [E.jsNum(afterLo), E.jsNum(afterHi)];
    const cont: [number, number, number] = always
      ? [insn.targetLo, insn.targetHi, k + 2]
      : [afterLo, afterHi, k + 2];
    return { code: `${code}nl = ${nl}; nh = ${nh};\n    ${slotCode}`, len: k + 2, cont };
  }
  // The block goes on along the path the interpreter saw more often (its
  // successors' entry counts); the other one is the side exit.
  if (hitsAt(cpu, insn.targetHi, insn.targetLo) > hitsAt(cpu, afterHi, afterLo)) {
    const cont: [number, number, number] = [insn.targetLo, insn.targetHi, k + 2];
    if (annul) {
      code += `if (!(${cond})) { ${ex.to(afterLo, afterHi, k + 1)} } nl = ${tl}; nh = ${th};\n    `;
      return { code: code + slotCode, len: k + 2, cont };
    }
    const tk = `tk${b.transfers++}`;
    code += `const ${tk} = ${cond}; if (${tk}) { nl = ${tl}; nh = ${th}; } else { ` +
      `nl = ${E.jsNum(afterLo)}; nh = ${E.jsNum(afterHi)}; }\n    ${slotCode}\n    ` +
      `if (!${tk}) { ${ex.to(afterLo, afterHi, k + 2)} }`;
    return { code, len: k + 2, cont };
  }
  const taken = ex.to(insn.targetLo, insn.targetHi, k + 2);
  if (annul) {
    // Taken: the slot, then the target; not taken: the slot is skipped.
    code += `if (${cond}) { nl = ${tl}; nh = ${th};\n    ${slotCode}\n    ${taken} }`;
    return { code, len: k + 2, cont: [afterLo, afterHi, k + 1] };
  }
  const tk = `tk${b.transfers++}`;
  code += `const ${tk} = ${cond}; if (${tk}) { nl = ${tl}; nh = ${th}; } else { ` +
    `nl = ${E.jsNum(afterLo)}; nh = ${E.jsNum(afterHi)}; }\n    ${slotCode}\n    ` +
    `if (${tk}) { ${taken} }`;
  return { code, len: k + 2, cont: [afterLo, afterHi, k + 2] };
}
