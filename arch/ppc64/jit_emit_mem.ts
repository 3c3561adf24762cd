// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Code emitters of the block translator for loads, stores and branches.
 *
 * Memory: the effective address is computed into the locals `eh`, `el`
 * (uint32 halves, as the interpreter's `eaD`/`eaX` leave them) and the
 * access goes to the helpers of `jit_mem.ts` (bound in the block as
 * `J8`…`J64` and `W8`…`W64`): the same permission checks, faults and
 * text-write notifications as the interpreter, behind a translation cache. Loads and
 * stores of the forms the kernel's hot paths use are specialised (`lbz`,
 * `lhz`, `lha`, `lwz`, `lwa`, `ld`, `stb`, `sth`, `stw`, `std`, their
 * update and indexed forms); the rest call their handlers.
 *
 * Branches: `bc` decrements CTR and tests CR as its BO/BI constants say;
 * taken, it leaves the block through an exit the compiler numbers (NIP
 * written, the exit's id returned), not taken, execution goes on in the
 * block. `b`/`bl` and unconditional `bclr`/`bcctr` end the block.
 *
 * @module
 */

import type { Ppc64DecodedInsn } from "./decode.ts";
import { gprHi, gprLo, jsNum } from "./jit_emit.ts";
import { R_CR, R_CTR_HI, R_CTR_LO, R_LR_HI, R_LR_LO, R_TMP_HI } from "./regs.ts";

/** EA = (RA|0) + D into the locals `eh`, `el`. @param insn The instruction. @returns Code. */
export function emitEaD(insn: Ppc64DecodedInsn): string {
  if (insn.ra === 0) return `const eh = ${jsNum(insn.immHi)}, el = ${jsNum(insn.immLo)};`;
  const a = insn.ra;
  if (insn.immLo === 0 && insn.immHi === 0) return `const eh = ${gprHi(a)}, el = ${gprLo(a)};`;
  return `const t = ${gprLo(a)} + ${jsNum(insn.immLo)}; const el = t >>> 0, ` +
    `eh = (${gprHi(a)} + ${jsNum(insn.immHi)} + (t > 0xffffffff ? 1 : 0)) >>> 0;`;
}

/** EA = (RA|0) + RB into the locals `eh`, `el`. @param insn The instruction. @returns Code. */
export function emitEaX(insn: Ppc64DecodedInsn): string {
  const b = insn.rb;
  if (insn.ra === 0) return `const eh = ${gprHi(b)}, el = ${gprLo(b)};`;
  const a = insn.ra;
  return `const t = ${gprLo(b)} + ${gprLo(a)}; const el = t >>> 0, ` +
    `eh = (${gprHi(b)} + ${gprHi(a)} + (t > 0xffffffff ? 1 : 0)) >>> 0;`;
}

// The inline fast path: the page is the one `cpu.tlb` (bound as `T`)
// holds for the direction and the access stays inside it; `o` is then
// the host offset. Misses go to the `jit_mem.ts` helpers (J8…J64, W8…W64).
function hit(size: number, write: boolean): string {
  const [p, h] = write ? [3, 4] : [0, 1];
  const inPage = size === 1 ? "" : `x <= ${0x1000 - size} && `;
  return `${inPage}(el >>> 12) === T[${p}] && eh === T[${h}]`;
}

function base(write: boolean): string {
  return `const o = T[${write ? 5 : 2}] + x;`;
}

const GET = ["", "u8[o]", "dv.getUint16(o)", "", "dv.getUint32(o)"];
const SET = ["", "u8[o] = V", "dv.setUint16(o, V)", "", "dv.setUint32(o, V)"];

// Loads of `size` bytes into the local `v` (and `w`, the high word, for 8).
function load(size: number): string {
  const x = "const x = el & 0xfff; ";
  if (size === 8) {
    return `${x}let v, w; if (${hit(8, false)}) { ${base(false)} w = dv.getUint32(o); ` +
      `v = dv.getUint32(o + 4); } else { v = J64(cpu, eh, el); w = g[${R_TMP_HI}]; }`;
  }
  return `${x}let v; if (${hit(size, false)}) { ${base(false)} v = ${GET[size]}; } ` +
    `else v = J${8 * size}(cpu, eh, el);`;
}

// Stores of `size` bytes of GPR `s`, then `upd` on both paths and `after`
// on the helper's (a miss may have told the text-write listeners).
function store(size: number, s: number, upd: string, after: string): string {
  const x = "const x = el & 0xfff; ";
  if (size === 8) {
    return `${x}if (${hit(8, true)}) { ${base(true)} dv.setUint32(o, ${gprHi(s)}); ` +
      `dv.setUint32(o + 4, ${gprLo(s)});${upd} } ` +
      `else { W64(cpu, eh, el, ${gprHi(s)}, ${gprLo(s)});${upd} ${after} }`;
  }
  return `${x}if (${hit(size, true)}) { ${base(true)} ${
    SET[size].replace("V", gprLo(s))
  };${upd} } ` +
    `else { W${8 * size}(cpu, eh, el, ${gprLo(s)});${upd} ${after} }`;
}

// RA = EA (update forms), after RT as in the interpreter.
function update(insn: Ppc64DecodedInsn, upd: boolean): string {
  return upd ? ` ${gprLo(insn.ra)} = el; ${gprHi(insn.ra)} = eh;` : "";
}

/** How a load extends its value into RT. */
type Extend = "zero" | "half" | "word" | "double";

function setRt(insn: Ppc64DecodedInsn, ext: Extend): string {
  const t = insn.rt;
  switch (ext) {
    case "zero":
      return `${gprLo(t)} = v; ${gprHi(t)} = 0;`;
    case "half":
      return `{ const s = (v << 16) >> 16; ${gprLo(t)} = s; ${gprHi(t)} = s >> 31; }`;
    case "word":
      return `{ const s = v | 0; ${gprLo(t)} = s; ${gprHi(t)} = s >> 31; }`;
  }
  return `${gprLo(t)} = v; ${gprHi(t)} = w;`;
}

function loadEmitter(size: number, ext: Extend, indexed: boolean, upd: boolean) {
  return (insn: Ppc64DecodedInsn): string =>
    `{ ${indexed ? emitEaX(insn) : emitEaD(insn)} ${load(size)} ${setRt(insn, ext)}${
      update(insn, upd)
    } }`;
}

function storeEmitter(size: number, indexed: boolean, upd: boolean) {
  return (insn: Ppc64DecodedInsn, after: string): string =>
    `{ ${indexed ? emitEaX(insn) : emitEaD(insn)} ${
      store(size, insn.rt, update(insn, upd), after)
    } }`;
}

/** `lbz`. */
export const emitLbz: (insn: Ppc64DecodedInsn) => string = loadEmitter(1, "zero", false, false);
/** `lbzu`. */
export const emitLbzu: (insn: Ppc64DecodedInsn) => string = loadEmitter(1, "zero", false, true);
/** `lbzx`. */
export const emitLbzx: (insn: Ppc64DecodedInsn) => string = loadEmitter(1, "zero", true, false);
/** `lhz`. */
export const emitLhz: (insn: Ppc64DecodedInsn) => string = loadEmitter(2, "zero", false, false);
/** `lhzu`. */
export const emitLhzu: (insn: Ppc64DecodedInsn) => string = loadEmitter(2, "zero", false, true);
/** `lhzx`. */
export const emitLhzx: (insn: Ppc64DecodedInsn) => string = loadEmitter(2, "zero", true, false);
/** `lha`. */
export const emitLha: (insn: Ppc64DecodedInsn) => string = loadEmitter(2, "half", false, false);
/** `lwz`. */
export const emitLwz: (insn: Ppc64DecodedInsn) => string = loadEmitter(4, "zero", false, false);
/** `lwzu`. */
export const emitLwzu: (insn: Ppc64DecodedInsn) => string = loadEmitter(4, "zero", false, true);
/** `lwzx`. */
export const emitLwzx: (insn: Ppc64DecodedInsn) => string = loadEmitter(4, "zero", true, false);
/** `lwa`. */
export const emitLwa: (insn: Ppc64DecodedInsn) => string = loadEmitter(4, "word", false, false);
/** `lwax`. */
export const emitLwax: (insn: Ppc64DecodedInsn) => string = loadEmitter(4, "word", true, false);
/** `ld`. */
export const emitLd: (insn: Ppc64DecodedInsn) => string = loadEmitter(8, "double", false, false);
/** `ldu`. */
export const emitLdu: (insn: Ppc64DecodedInsn) => string = loadEmitter(8, "double", false, true);
/** `ldx`. */
export const emitLdx: (insn: Ppc64DecodedInsn) => string = loadEmitter(8, "double", true, false);
/** `lbzux`. */
export const emitLbzux: (insn: Ppc64DecodedInsn) => string = loadEmitter(1, "zero", true, true);
/** `lhzux`. */
export const emitLhzux: (insn: Ppc64DecodedInsn) => string = loadEmitter(2, "zero", true, true);
/** `lhau`. */
export const emitLhau: (insn: Ppc64DecodedInsn) => string = loadEmitter(2, "half", false, true);
/** `lhax`. */
export const emitLhax: (insn: Ppc64DecodedInsn) => string = loadEmitter(2, "half", true, false);
/** `lwzux`. */
export const emitLwzux: (insn: Ppc64DecodedInsn) => string = loadEmitter(4, "zero", true, true);
/** `lwaux`. */
export const emitLwaux: (insn: Ppc64DecodedInsn) => string = loadEmitter(4, "word", true, true);
/** `ldux`. */
export const emitLdux: (insn: Ppc64DecodedInsn) => string = loadEmitter(8, "double", true, true);
/** `stbux`. */
export const emitStbux: (insn: Ppc64DecodedInsn, after: string) => string = storeEmitter(
  1,
  true,
  true,
);
/** `sthu`. */
export const emitSthu: (insn: Ppc64DecodedInsn, after: string) => string = storeEmitter(
  2,
  false,
  true,
);
/** `sthux`. */
export const emitSthux: (insn: Ppc64DecodedInsn, after: string) => string = storeEmitter(
  2,
  true,
  true,
);
/** `stwux`. */
export const emitStwux: (insn: Ppc64DecodedInsn, after: string) => string = storeEmitter(
  4,
  true,
  true,
);
/** `stb`. */
export const emitStb: (insn: Ppc64DecodedInsn, after: string) => string = storeEmitter(
  1,
  false,
  false,
);
/** `stbu`. */
export const emitStbu: (insn: Ppc64DecodedInsn, after: string) => string = storeEmitter(
  1,
  false,
  true,
);
/** `stbx`. */
export const emitStbx: (insn: Ppc64DecodedInsn, after: string) => string = storeEmitter(
  1,
  true,
  false,
);
/** `sth`. */
export const emitSth: (insn: Ppc64DecodedInsn, after: string) => string = storeEmitter(
  2,
  false,
  false,
);
/** `sthx`. */
export const emitSthx: (insn: Ppc64DecodedInsn, after: string) => string = storeEmitter(
  2,
  true,
  false,
);
/** `stw`. */
export const emitStw: (insn: Ppc64DecodedInsn, after: string) => string = storeEmitter(
  4,
  false,
  false,
);
/** `stwu`. */
export const emitStwu: (insn: Ppc64DecodedInsn, after: string) => string = storeEmitter(
  4,
  false,
  true,
);
/** `stwx`. */
export const emitStwx: (insn: Ppc64DecodedInsn, after: string) => string = storeEmitter(
  4,
  true,
  false,
);
/** `std`. */
export const emitStd: (insn: Ppc64DecodedInsn, after: string) => string = storeEmitter(
  8,
  false,
  false,
);
/** `stdu`. */
export const emitStdu: (insn: Ppc64DecodedInsn, after: string) => string = storeEmitter(
  8,
  false,
  true,
);
/** `stdx`. */
export const emitStdx: (insn: Ppc64DecodedInsn, after: string) => string = storeEmitter(
  8,
  true,
  false,
);
/** `stdux`. */
export const emitStdux: (insn: Ppc64DecodedInsn, after: string) => string = storeEmitter(
  8,
  true,
  true,
);

/** How branch emitters leave a block (allocated by the compiler, one id per exit). */
export interface JitExits {
  /**
   * Code that leaves to a constant address after `n` instructions.
   *
   * @param hi Target high half.
   * @param lo Target low half.
   * @param n Instructions retired at this exit.
   * @returns The statements (ending in `return`).
   */
  to(hi: number, lo: number, n: number): string;
  /**
   * Code that leaves to the address in the locals `th`, `tl` after `n`
   * instructions (an indirect branch).
   *
   * @param n Instructions retired at this exit.
   * @returns The statements (ending in `return`).
   */
  toLocal(n: number): string;
}

/** A branch's code and whether it ends the block (else execution falls through on not-taken). */
export interface JitBranch {
  /** The statements. */
  code: string;
  /** True when no path falls through to the next instruction. */
  ends: boolean;
}

/**
 * LR = the address after the branch when LK = 1 (else nothing).
 *
 * @param insn The branch.
 * @returns The statements (with a leading space), or "".
 */
export function linkCode(insn: Ppc64DecodedInsn): string {
  return link(insn);
}

// LR = the address after the branch (LK = 1).
function link(insn: Ppc64DecodedInsn): string {
  return insn.lk !== 0
    ? ` g[${R_LR_LO}] = ${jsNum(insn.nextLo)}; g[${R_LR_HI}] = ${jsNum(insn.nextHi)};`
    : "";
}

// The condition of BO/BI as an expression (after CTR's decrement), or "true".
function condition(bo: number, bi: number): string {
  const parts: string[] = [];
  if ((bo & 4) === 0) {
    parts.push(`((g[${R_CTR_LO}] | g[${R_CTR_HI}]) ${(bo & 2) !== 0 ? "===" : "!=="} 0)`);
  }
  if ((bo & 16) === 0) parts.push(`((g[${R_CR}] >>> ${31 - bi}) & 1) === ${(bo >>> 3) & 1}`);
  return parts.length === 0 ? "true" : parts.join(" && ");
}

// CTR -= 1 when BO says so.
function decrement(bo: number): string {
  if ((bo & 4) !== 0) return "";
  return `{ const c = g[${R_CTR_LO}]; if (c === 0) g[${R_CTR_HI}] = g[${R_CTR_HI}] - 1; ` +
    `g[${R_CTR_LO}] = c - 1; } `;
}

/**
 * `b`, `bl`, `ba`, `bla`: ends the block.
 *
 * @param insn The instruction.
 * @param ex The block's exits.
 * @param n Instructions retired once it has run.
 * @returns The code.
 */
export function emitB(insn: Ppc64DecodedInsn, ex: JitExits, n: number): JitBranch {
  return { code: `${link(insn)} ${ex.to(insn.targetHi, insn.targetLo, n)}`, ends: true };
}

/**
 * `bc`, `bcl` (`beq`, `bdnz` …): a side exit when taken, else on to the
 * next instruction; ends the block when it always branches.
 *
 * @param insn The instruction.
 * @param ex The block's exits.
 * @param n Instructions retired once it has run.
 * @returns The code.
 */
export function emitBc(insn: Ppc64DecodedInsn, ex: JitExits, n: number): JitBranch {
  const cond = condition(insn.bo, insn.bi);
  const taken = ex.to(insn.targetHi, insn.targetLo, n);
  if (cond === "true") return { code: `${decrement(insn.bo)}${link(insn)} ${taken}`, ends: true };
  return {
    code: `${decrement(insn.bo)}{ const tk = ${cond};${link(insn)} if (tk) { ${taken} } }`,
    ends: false,
  };
}

// bclr/bcctr: to (th, tl) when taken.
function indirect(insn: Ppc64DecodedInsn, read: string, bo: number, ex: JitExits, n: number) {
  const cond = condition(bo, insn.bi);
  const code = `{ ${read} ${decrement(bo)}const tk = ${cond};${link(insn)} ` +
    `if (tk) { ${ex.toLocal(n)} } }`;
  return { code, ends: cond === "true" };
}

/**
 * `bclr`, `bclrl` (`blr`, `beqlr` …): an indirect exit when taken.
 *
 * @param insn The instruction.
 * @param ex The block's exits.
 * @param n Instructions retired once it has run.
 * @returns The code.
 */
export function emitBclr(insn: Ppc64DecodedInsn, ex: JitExits, n: number): JitBranch {
  const read = `const tl = (g[${R_LR_LO}] & ~3) >>> 0, th = g[${R_LR_HI}];`;
  return indirect(insn, read, insn.bo, ex, n);
}

/**
 * `bcctr`, `bcctrl` (`bctr`, `bctrl`; BO's decrement bit is taken as set).
 *
 * @param insn The instruction.
 * @param ex The block's exits.
 * @param n Instructions retired once it has run.
 * @returns The code.
 */
export function emitBcctr(insn: Ppc64DecodedInsn, ex: JitExits, n: number): JitBranch {
  const read = `const tl = (g[${R_CTR_LO}] & ~3) >>> 0, th = g[${R_CTR_HI}];`;
  return indirect(insn, read, insn.bo | 4, ex, n);
}
