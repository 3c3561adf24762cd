// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Block formation and code generation for the ppc64 block translator.
 *
 * A block starts at a hot entry and runs to the first branch (included),
 * the first instruction the translator leaves to the interpreter
 * (excluded), the end of the 4 KiB page, or {@linkcode PPC64_JIT_MAX_BLOCK}
 * instructions. Each instruction becomes specialised JS from the emitters
 * of `jit_emit*.ts`; instructions without one whose handler is known to
 * touch nothing but registers and memory (multiply/divide, CR logic,
 * `isel`, the reservation pair, the rarer loads and stores …) become a
 * direct call of their handler with the decoded record bound as a
 * constant. Left to the interpreter (they end a block): traps, `sc`,
 * `rfid`, `mtmsr[d]`, `wait`, `mftb`, `mfspr`/`mtspr` of SPRs other than
 * XER, LR, CTR, DSISR, DAR, SRR0/1 and SPRG0–3 (the time base, DEC, PIR …
 * read the clock, which a block only updates at its exits), illegal words.
 *
 * The function is built with `new Function` once per block. It keeps
 * `i`, the index of the instruction that may fault next; its `catch`
 * puts NIP on that instruction and adds the `i` instructions retired
 * before it to the clock, then rethrows to the run loop. After a store
 * that went through `mem.translate` it checks `cpu.events` (a store into
 * an executable page may have dropped this very block) and leaves early
 * when something is pending. Each exit adds its retired count to the
 * clock and hands back the next block from its inline cache.
 *
 * @module
 */

import type { Ppc64Cpu } from "./cpu.ts";
import type { Ppc64DecodedInsn } from "./decode.ts";
import * as CR from "./cr.ts";
import { fetchPpc64 } from "./execute.ts";
import * as FX from "./fixed_point.ts";
import * as E from "./jit_emit.ts";
import * as M from "./jit_emit_mem.ts";
import * as JM from "./jit_mem.ts";
import * as ROT from "./jit_emit_rotate.ts";
import * as LS from "./load_store.ts";
import * as MD from "./muldiv.ts";
import {
  F_ANY_BRANCH,
  F_LOAD,
  F_STORE,
  PPC64_DISPATCH,
  PPC64_FLAGS,
  PPC64_SLOTS,
  type Ppc64Handler,
} from "./opcodes.ts";
import { R_NIP_HI, R_NIP_LO, SPR_DAR, SPR_DSISR, SPR_SPRG0, SPR_SRR0, SPR_SRR1 } from "./regs.ts";
import * as RES from "./reservation.ts";
import * as ROTATE from "./rotate.ts";
import { blockCallInPpc64, opMfmsr, opMfspr, opMtspr, opSync } from "./system.ts";

/** Most instructions in one block. */
export const PPC64_JIT_MAX_BLOCK = 64;

type Emitter = E.JitEmitter;

// Specialised emitters by interpreter handler.
const SPECIALISED = new Map<Ppc64Handler, Emitter>([
  [FX.opAdd, E.emitAdd],
  [FX.opAddc, E.emitAddc],
  [FX.opAdde, E.emitAdde],
  [FX.opAddze, E.emitAddze],
  [FX.opAddme, E.emitAddme],
  [FX.opSubf, E.emitSubf],
  [FX.opSubfc, E.emitSubfc],
  [FX.opSubfe, E.emitSubfe],
  [FX.opSubfze, E.emitSubfze],
  [FX.opSubfme, E.emitSubfme],
  [FX.opNeg, E.emitNeg],
  [FX.opAddic, E.emitAddic],
  [FX.opSubfic, E.emitSubfic],
  [FX.opAddi, E.emitAddi],
  [FX.opAnd, E.emitAnd],
  [FX.opOr, E.emitOr],
  [FX.opXor, E.emitXor],
  [FX.opNand, E.emitNand],
  [FX.opNor, E.emitNor],
  [FX.opAndc, E.emitAndc],
  [FX.opOrc, E.emitOrc],
  [FX.opEqv, E.emitEqv],
  [FX.opAndiDot, E.emitAndiDot],
  [FX.opOri, E.emitOri],
  [FX.opXori, E.emitXori],
  [FX.opExtsb, E.emitExtsb],
  [FX.opExtsh, E.emitExtsh],
  [FX.opExtsw, E.emitExtsw],
  [FX.opCntlzw, E.emitCntlzw],
  [FX.opCntlzd, E.emitCntlzd],
  [CR.opCmp, E.emitCmp],
  [CR.opCmpl, E.emitCmpl],
  [CR.opCmpi, E.emitCmpi],
  [CR.opCmpli, E.emitCmpli],
  [CR.opMfcr, E.emitMfcr],
  [CR.opMtcrf, E.emitMtcrf],
  [opMfspr, E.emitMfspr],
  [opMtspr, E.emitMtspr],
  [opSync, () => ""],
  [LS.opDcbf, () => ""],
  [ROTATE.opRlwinm, ROT.emitRlwinm],
  [ROTATE.opRlwimi, ROT.emitRlwimi],
  [ROTATE.opRldicl, ROT.emitRldicl],
  [ROTATE.opRldimi, ROT.emitRldimi],
  [ROTATE.opSlw, ROT.emitSlw],
  [ROTATE.opSrw, ROT.emitSrw],
  [ROTATE.opSld, ROT.emitSld],
  [ROTATE.opSrd, ROT.emitSrd],
  [ROTATE.opSrawi, ROT.emitSrawi],
  [ROTATE.opSradi, ROT.emitSradi],
  [LS.opLbz, M.emitLbz],
  [LS.opLbzu, M.emitLbzu],
  [LS.opLbzx, M.emitLbzx],
  [LS.opLbzux, M.emitLbzux],
  [LS.opLhz, M.emitLhz],
  [LS.opLhzu, M.emitLhzu],
  [LS.opLhzx, M.emitLhzx],
  [LS.opLhzux, M.emitLhzux],
  [LS.opLha, M.emitLha],
  [LS.opLhau, M.emitLhau],
  [LS.opLhax, M.emitLhax],
  [LS.opLwz, M.emitLwz],
  [LS.opLwzu, M.emitLwzu],
  [LS.opLwzx, M.emitLwzx],
  [LS.opLwzux, M.emitLwzux],
  [LS.opLwa, M.emitLwa],
  [LS.opLwax, M.emitLwax],
  [LS.opLwaux, M.emitLwaux],
  [LS.opLd, M.emitLd],
  [LS.opLdu, M.emitLdu],
  [LS.opLdx, M.emitLdx],
  [LS.opLdux, M.emitLdux],
  [LS.opStb, M.emitStb],
  [LS.opStbu, M.emitStbu],
  [LS.opStbx, M.emitStbx],
  [LS.opStbux, M.emitStbux],
  [LS.opSth, M.emitSth],
  [LS.opSthu, M.emitSthu],
  [LS.opSthx, M.emitSthx],
  [LS.opSthux, M.emitSthux],
  [LS.opStw, M.emitStw],
  [LS.opStwu, M.emitStwu],
  [LS.opStwx, M.emitStwx],
  [LS.opStwux, M.emitStwux],
  [LS.opStd, M.emitStd],
  [LS.opStdu, M.emitStdu],
  [LS.opStdx, M.emitStdx],
  [LS.opStdux, M.emitStdux],
]);

// Handlers that read and write only registers and memory (no NIP, clock,
// MSR, events or `cpu.cur`): called directly when not specialised.
const PURE = new Set<unknown>([
  ...Object.values(FX),
  ...Object.values(MD),
  ...Object.values(ROTATE),
  ...Object.values(CR),
  ...Object.values(LS),
  ...Object.values(RES),
  opMfmsr,
]);

// SPRs whose mfspr/mtspr handlers touch only registers (no time base, DEC or PIR).
const PLAIN_SPRS = new Set([
  SPR_DSISR,
  SPR_DAR,
  SPR_SRR0,
  SPR_SRR1,
  SPR_SPRG0,
  SPR_SPRG0 + 1,
  SPR_SPRG0 + 2,
  SPR_SPRG0 + 3,
]);

/**
 * 1 for dispatch slots that end a block: branches, and instructions the
 * translator leaves to the interpreter (`mfspr`/`mtspr` are 0: whether
 * they are translated depends on the SPR).
 */
export const JIT_ENDS_BLOCK: Uint8Array = new Uint8Array(PPC64_SLOTS);

for (let s = 0; s < PPC64_SLOTS; s++) {
  const h = PPC64_DISPATCH[s];
  const branch = (PPC64_FLAGS[s] & F_ANY_BRANCH) !== 0;
  JIT_ENDS_BLOCK[s] = branch || (!SPECIALISED.has(h) && !PURE.has(h)) ? 1 : 0;
}

/** What the translator made of a block. */
export interface JitCompiled {
  /**
   * The block's function: runs it, leaves NIP in the register file, adds
   * what it retired to the clock and returns the next block when its exit's
   * inline cache holds one that fits before the clock reaches `end`; else
   * null with the exit's id in `cpu.jitExit` (-1: left early after a store
   * raised an event).
   */
  fn: (cpu: Ppc64Cpu, end: number) => unknown;
  /** Instructions in the block (its longest path). */
  len: number;
  /** Instructions retired at each exit. */
  lens: Int32Array;
  /** Per exit: 1 for a constant target (fall-through, `b`, `bc`), 0 for LR/CTR. */
  direct: Uint8Array;
  /** Per exit: the block reached last time (filled by the run loop; read by `fn`). */
  links: (object | null)[];
  /** The generated source (for tests and debugging). */
  source: string;
}

// The code of one non-branch instruction, or null to end the block before it.
function emitInsn(insn: Ppc64DecodedInsn, refs: unknown[], after: string): string | null {
  if (insn.illegal !== 0) return null;
  const h = PPC64_DISPATCH[insn.dispatch];
  const special = SPECIALISED.get(h);
  if (special !== undefined) {
    const code = special(insn, after);
    if (code !== null) return code;
  }
  const sprOk = (h !== opMfspr && h !== opMtspr) || PLAIN_SPRS.has(insn.spr);
  if (!sprOk || (!PURE.has(h) && h !== opMfspr && h !== opMtspr)) return null;
  const n = refs.length;
  refs.push(h, insn);
  return `c${n}(cpu, c${n + 1});`;
}

// The code of a branch, or null for one left to the interpreter.
function emitBranch(insn: Ppc64DecodedInsn, ex: M.JitExits, n: number): M.JitBranch | null {
  switch (insn.opcd) {
    case 18:
      return M.emitB(insn, ex, n);
    case 16:
      return M.emitBc(insn, ex, n);
    case 19:
      if (insn.xo === 16) return M.emitBclr(insn, ex, n);
      if (insn.xo === 528) return M.emitBcctr(insn, ex, n);
  }
  return null;
}

// Numbers the exits of one block. Each exit writes NIP, adds its retired count to the clock and returns
// the block its inline cache (`L[id]`, the block's `links`) holds when that
// block is alive, starts at NIP (checked for LR/CTR exits) and fits before
// `end`; else it records its id in `cpu.jitExit` and returns null.
class Exits implements M.JitExits {
  readonly lens: number[] = [];
  readonly direct: number[] = [];
  to(hi: number, lo: number, n: number): string {
    const id = this.#add(n, 1);
    return `g[${R_NIP_LO}] = ${E.jsNum(lo)}; g[${R_NIP_HI}] = ${E.jsNum(hi)}; ` +
      `{ const t = clk[0] + ${n}; clk[0] = t; const b = L[${id}]; ` +
      `if (b !== null && !b.dead && t + b.len <= end) return b; } cpu.jitExit = ${id}; return null;`;
  }
  toLocal(n: number): string {
    const id = this.#add(n, 0);
    return `g[${R_NIP_LO}] = tl; g[${R_NIP_HI}] = th; ` +
      `{ const t = clk[0] + ${n}; clk[0] = t; const b = L[${id}]; ` +
      `if (b !== null && !b.dead && b.lo === tl && b.hi === th && t + b.len <= end) return b; } ` +
      `cpu.jitExit = ${id}; return null;`;
  }
  #add(n: number, direct: number): number {
    this.lens.push(n);
    this.direct.push(direct);
    return this.lens.length - 1;
  }
}

// An unconditional `b`/`bl` (AA = 0) to an instruction of the same page not
// yet in the block: compiled through, so the block goes on at the target.
function followable(insn: Ppc64DecodedInsn, hi: number, lo: number, seen: Set<number>): boolean {
  return insn.opcd === 18 && insn.aa === 0 && insn.targetHi === hi &&
    insn.targetLo >>> 12 === lo >>> 12 && !seen.has(insn.targetLo);
}

/**
 * Translates the block at `(hi, lo)` (execute permission already checked
 * for the page), or returns null when its first instruction is left to
 * the interpreter. Conditional branches are side exits: the block goes on
 * along the not-taken path; an unconditional `b`/`bl` to the same page is
 * followed (the block goes on at its target).
 *
 * @param cpu The CPU (its decode cache supplies the instructions).
 * @param hi Block address, high half.
 * @param lo Block address, low half.
 * @returns The block, or null.
 */
export function compilePpc64Block(cpu: Ppc64Cpu, hi: number, lo: number): JitCompiled | null {
  const refs: unknown[] = [];
  const body: string[] = [];
  const ex = new Exits();
  const links: (object | null)[] = [];
  const addrs: number[] = [];
  const seen = new Set<number>();
  let faults = false;
  let ended = false;
  let addr = lo;
  let nextHi = hi; // where execution goes on after the last compiled instruction
  let nextLo = lo;
  let k = 0;
  while (k < PPC64_JIT_MAX_BLOCK) {
    const insn = fetchPpc64(cpu, hi, addr);
    addrs.push(addr);
    seen.add(addr);
    let line: string;
    if (k === 0 && insn.opcd === 17 && insn.imm === 1 && cpu.callIn !== null) {
      // An optimized kprobe's detour: its call-in and the copied
      // instruction run as one block. Guest code the handlers run moves the
      // clock on (the exits add to it); an event (the stop when not taken,
      // text the handlers wrote) leaves at once, the `sc` counted.
      refs.push(blockCallInPpc64, insn);
      body.push(
        `/* sc 1 */ if (!c0(cpu, c1)) { clk[0] += 1; cpu.jitExit = -1; return null; }`,
      );
      k++;
      nextHi = insn.nextHi;
      nextLo = insn.nextLo;
      if ((insn.nextLo & 0xfff) === 0) break;
      addr = insn.nextLo;
      continue;
    }
    if (followable(insn, hi, lo, seen) && k + 1 < PPC64_JIT_MAX_BLOCK) {
      // `b`/`bl` within the page: the block goes on at the target.
      body.push(`/* ${insn.mnemonic} */${M.linkCode(insn)}`);
      k++;
      addr = nextLo = insn.targetLo;
      continue;
    }
    if ((insn.flags & F_ANY_BRANCH) !== 0) {
      const br = emitBranch(insn, ex, k + 1);
      if (br === null) break;
      line = `/* ${insn.mnemonic} */ ${br.code}`;
      ended = br.ends;
    } else {
      // After a store that told the text-write listeners: leave, NIP past it.
      const after = `if (cpu.events !== 0) { g[${R_NIP_LO}] = ${E.jsNum(insn.nextLo)}; ` +
        `g[${R_NIP_HI}] = ${E.jsNum(insn.nextHi)}; clk[0] += ${k + 1}; cpu.jitExit = -1; ` +
        `return null; }`;
      const code = emitInsn(insn, refs, after);
      if (code === null) break;
      const mayFault = (insn.flags & (F_LOAD | F_STORE)) !== 0 || /^c\d/.test(code);
      line = `/* ${insn.mnemonic} */ ${mayFault ? `i = ${k}; ` : ""}${code}`;
      if (mayFault) faults = true;
      if ((insn.flags & F_STORE) !== 0 && !code.includes(after)) line += " " + after;
    }
    body.push(line);
    k++;
    nextHi = insn.nextHi;
    nextLo = insn.nextLo;
    if (ended || (insn.nextLo & 0xfff) === 0) break;
    addr = insn.nextLo;
  }
  if (k === 0) return null;
  if (!ended) body.push(ex.to(nextHi, nextLo, k));
  for (let x = 0; x < ex.lens.length; x++) links.push(null);
  const consts = refs.map((_, n) => `const c${n} = c[${n}];`).join(" ") +
    (faults ? ` const A = [${addrs.map(E.jsNum).join(", ")}];` : "");
  const all = body.join("\n");
  let head = "const g = cpu.regs, clk = cpu.clock;";
  if (/\bT\[/.test(all)) head += " const T = cpu.tlb;";
  if (/\bdv\./.test(all)) head += " const dv = cpu.dv;";
  if (/\bu8\[/.test(all)) head += " const u8 = cpu.u8;";
  const code = faults
    ? `let i = 0;\n  try {\n    ${body.join("\n    ")}\n  } catch (e) {\n    ` +
      `g[${R_NIP_LO}] = A[i]; g[${R_NIP_HI}] = ${E.jsNum(hi)}; ` +
      `clk[0] += i; throw e;\n  }`
    : body.join("\n  ");
  const name = `ppc64_${hi.toString(16)}_${lo.toString(16).padStart(8, "0")}`;
  const source =
    `"use strict"; ${consts}\nreturn function ${name}(cpu, end) {\n  ${head}\n  ${code}\n};`;
  const make = new Function("J8", "J16", "J32", "J64", "W8", "W16", "W32", "W64", "c", "L", source);
  const fn = make(
    JM.jitLoad8,
    JM.jitLoad16,
    JM.jitLoad32,
    JM.jitLoad64,
    JM.jitStore8,
    JM.jitStore16,
    JM.jitStore32,
    JM.jitStore64,
    refs,
    links,
  );
  return {
    fn,
    len: k,
    lens: Int32Array.from(ex.lens),
    direct: Uint8Array.from(ex.direct),
    links,
    source,
  };
}
