// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Code emitters of the block translator for loads, stores and branches.
 *
 * Memory: the effective address is computed into the locals `eh`, `el`
 * (uint32 halves, as the interpreter's `eaD`/`eaX` leave them), then an
 * access within one page goes straight to `mem.translate` (the same
 * permission check, the same fault, the same text-write notification)
 * and the big-endian `DataView` `dv` or the byte array `u8`; a page-
 * crossing access calls the interpreter's `load16`…`store64` (bound in
 * the block as `L16`…`S64`), which check every byte first. Loads and
 * stores of the forms the kernel's hot paths use are specialised (`lbz`,
 * `lhz`, `lha`, `lwz`, `lwa`, `ld`, `stb`, `sth`, `stw`, `std`, their
 * update and indexed forms); the rest call their handlers.
 *
 * Branches end a block: `b`/`bl` return `EXIT_TAKEN`; `bc` decrements CTR
 * and tests CR as its BO/BI constants say and returns `EXIT_TAKEN` or
 * `EXIT_FALL`; `bclr`/`bcctr` write NIP and return `EXIT_INDIRECT` (or
 * `EXIT_FALL`). Every exit leaves NIP in the register file.
 *
 * @module
 */

import type { Ppc64DecodedInsn } from "./decode.ts";
import { hi, lo, num } from "./jit_emit.ts";
import {
  R_CR,
  R_CTR_HI,
  R_CTR_LO,
  R_LR_HI,
  R_LR_LO,
  R_NIP_HI,
  R_NIP_LO,
  R_TMP_HI,
} from "./regs.ts";

// Exit codes (as jit.ts's EXIT_*; repeated to keep the import graph acyclic).
const FALL = 0;
const TAKEN = 1;
const INDIRECT = 2;

/** EA = (RA|0) + D into the locals `eh`, `el`. @param insn The instruction. @returns Code. */
export function eaD(insn: Ppc64DecodedInsn): string {
  if (insn.ra === 0) return `const eh = ${num(insn.immHi)}, el = ${num(insn.immLo)};`;
  const a = insn.ra;
  if (insn.immLo === 0 && insn.immHi === 0) return `const eh = ${hi(a)}, el = ${lo(a)};`;
  return `const t = ${lo(a)} + ${num(insn.immLo)}; const el = t >>> 0, ` +
    `eh = (${hi(a)} + ${num(insn.immHi)} + (t > 0xffffffff ? 1 : 0)) >>> 0;`;
}

/** EA = (RA|0) + RB into the locals `eh`, `el`. @param insn The instruction. @returns Code. */
export function eaX(insn: Ppc64DecodedInsn): string {
  const b = insn.rb;
  if (insn.ra === 0) return `const eh = ${hi(b)}, el = ${lo(b)};`;
  const a = insn.ra;
  return `const t = ${lo(b)} + ${lo(a)}; const el = t >>> 0, ` +
    `eh = (${hi(b)} + ${hi(a)} + (t > 0xffffffff ? 1 : 0)) >>> 0;`;
}

// Loads of `size` bytes into the local `v` (and `vh` for 8).
function load(size: number): string {
  switch (size) {
    case 1:
      return "const v = u8[mem.translate(eh, el, ar)];";
    case 2:
      return "const v = (el & 0xfff) > 0xffe ? L16(cpu, eh, el) : " +
        "dv.getUint16(mem.translate(eh, el, ar));";
    case 4:
      return "const v = (el & 0xfff) > 0xffc ? L32(cpu, eh, el) : " +
        "dv.getUint32(mem.translate(eh, el, ar));";
  }
  return `let v, vh; if ((el & 0xfff) > 0xff8) { v = L64(cpu, eh, el); vh = g[${R_TMP_HI}]; } ` +
    `else { const o = mem.translate(eh, el, ar); vh = dv.getUint32(o); v = dv.getUint32(o + 4); }`;
}

// Stores of `size` bytes of GPR `s`.
function store(size: number, s: number): string {
  switch (size) {
    case 1:
      return `u8[mem.translate(eh, el, aw)] = ${lo(s)};`;
    case 2:
      return `if ((el & 0xfff) > 0xffe) S16(cpu, eh, el, ${lo(s)}); ` +
        `else dv.setUint16(mem.translate(eh, el, aw), ${lo(s)});`;
    case 4:
      return `if ((el & 0xfff) > 0xffc) S32(cpu, eh, el, ${lo(s)}); ` +
        `else dv.setUint32(mem.translate(eh, el, aw), ${lo(s)});`;
  }
  return `if ((el & 0xfff) > 0xff8) S64(cpu, eh, el, ${hi(s)}, ${lo(s)}); ` +
    `else { const o = mem.translate(eh, el, aw); dv.setUint32(o, ${hi(s)}); ` +
    `dv.setUint32(o + 4, ${lo(s)}); }`;
}

// RA = EA (update forms), after RT as in the interpreter.
function update(insn: Ppc64DecodedInsn, upd: boolean): string {
  return upd ? ` ${lo(insn.ra)} = el; ${hi(insn.ra)} = eh;` : "";
}

/** How a load extends its value into RT. */
type Extend = "zero" | "half" | "word" | "double";

function setRt(insn: Ppc64DecodedInsn, ext: Extend): string {
  const t = insn.rt;
  switch (ext) {
    case "zero":
      return `${lo(t)} = v; ${hi(t)} = 0;`;
    case "half":
      return `{ const s = (v << 16) >> 16; ${lo(t)} = s; ${hi(t)} = s >> 31; }`;
    case "word":
      return `{ const s = v | 0; ${lo(t)} = s; ${hi(t)} = s >> 31; }`;
  }
  return `${lo(t)} = v; ${hi(t)} = vh;`;
}

function loadEmitter(size: number, ext: Extend, indexed: boolean, upd: boolean) {
  return (insn: Ppc64DecodedInsn): string =>
    `{ ${indexed ? eaX(insn) : eaD(insn)} ${load(size)} ${setRt(insn, ext)}${
      update(insn, upd)
    } }`;
}

function storeEmitter(size: number, indexed: boolean, upd: boolean) {
  return (insn: Ppc64DecodedInsn): string =>
    `{ ${indexed ? eaX(insn) : eaD(insn)} ${store(size, insn.rt)}${update(insn, upd)} }`;
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
export const emitStbux: (insn: Ppc64DecodedInsn) => string = storeEmitter(1, true, true);
/** `sthu`. */
export const emitSthu: (insn: Ppc64DecodedInsn) => string = storeEmitter(2, false, true);
/** `sthux`. */
export const emitSthux: (insn: Ppc64DecodedInsn) => string = storeEmitter(2, true, true);
/** `stwux`. */
export const emitStwux: (insn: Ppc64DecodedInsn) => string = storeEmitter(4, true, true);
/** `stb`. */
export const emitStb: (insn: Ppc64DecodedInsn) => string = storeEmitter(1, false, false);
/** `stbu`. */
export const emitStbu: (insn: Ppc64DecodedInsn) => string = storeEmitter(1, false, true);
/** `stbx`. */
export const emitStbx: (insn: Ppc64DecodedInsn) => string = storeEmitter(1, true, false);
/** `sth`. */
export const emitSth: (insn: Ppc64DecodedInsn) => string = storeEmitter(2, false, false);
/** `sthx`. */
export const emitSthx: (insn: Ppc64DecodedInsn) => string = storeEmitter(2, true, false);
/** `stw`. */
export const emitStw: (insn: Ppc64DecodedInsn) => string = storeEmitter(4, false, false);
/** `stwu`. */
export const emitStwu: (insn: Ppc64DecodedInsn) => string = storeEmitter(4, false, true);
/** `stwx`. */
export const emitStwx: (insn: Ppc64DecodedInsn) => string = storeEmitter(4, true, false);
/** `std`. */
export const emitStd: (insn: Ppc64DecodedInsn) => string = storeEmitter(8, false, false);
/** `stdu`. */
export const emitStdu: (insn: Ppc64DecodedInsn) => string = storeEmitter(8, false, true);
/** `stdx`. */
export const emitStdx: (insn: Ppc64DecodedInsn) => string = storeEmitter(8, true, false);
/** `stdux`. */
export const emitStdux: (insn: Ppc64DecodedInsn) => string = storeEmitter(8, true, true);

// NIP = (h, l) constants and return `code`.
function exitTo(h: number, l: number, code: number): string {
  return `g[${R_NIP_LO}] = ${num(l)}; g[${R_NIP_HI}] = ${num(h)}; return ${code};`;
}

// LR = the address after the branch (LK = 1).
function link(insn: Ppc64DecodedInsn): string {
  return insn.lk !== 0
    ? ` g[${R_LR_LO}] = ${num(insn.nextLo)}; g[${R_LR_HI}] = ${num(insn.nextHi)};`
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

/** `b`, `bl`, `ba`, `bla`. @param insn The instruction. @returns Code. */
export function emitB(insn: Ppc64DecodedInsn): string {
  return `${link(insn)} ${exitTo(insn.targetHi, insn.targetLo, TAKEN)}`;
}

/** `bc`, `bcl` (`beq`, `bdnz` …). @param insn The instruction. @returns Code. */
export function emitBc(insn: Ppc64DecodedInsn): string {
  const cond = condition(insn.bo, insn.bi);
  const taken = exitTo(insn.targetHi, insn.targetLo, TAKEN);
  const fall = exitTo(insn.nextHi, insn.nextLo, FALL);
  if (cond === "true") return `${decrement(insn.bo)}${link(insn)} ${taken}`;
  return `${decrement(insn.bo)}{ const tk = ${cond};${link(insn)} ` +
    `if (tk) { ${taken} } ${fall} }`;
}

/** `bclr`, `bclrl` (`blr`, `beqlr` …). @param insn The instruction. @returns Code. */
export function emitBclr(insn: Ppc64DecodedInsn): string {
  const cond = condition(insn.bo, insn.bi);
  const fall = exitTo(insn.nextHi, insn.nextLo, FALL);
  return `{ const tl = g[${R_LR_LO}] & ~3, th = g[${R_LR_HI}]; ${decrement(insn.bo)}` +
    `const tk = ${cond};${link(insn)} if (tk) { g[${R_NIP_LO}] = tl; g[${R_NIP_HI}] = th; ` +
    `return ${INDIRECT}; } ${fall} }`;
}

/** `bcctr`, `bcctrl` (`bctr`, `bctrl`; BO's decrement bit is taken as set). @param insn The instruction. @returns Code. */
export function emitBcctr(insn: Ppc64DecodedInsn): string {
  const bo = insn.bo | 4;
  const cond = condition(bo, insn.bi);
  const fall = exitTo(insn.nextHi, insn.nextLo, FALL);
  return `{ const tl = g[${R_CTR_LO}] & ~3, th = g[${R_CTR_HI}]; ` +
    `const tk = ${cond};${link(insn)} if (tk) { g[${R_NIP_LO}] = tl; g[${R_NIP_HI}] = th; ` +
    `return ${INDIRECT}; } ${fall} }`;
}
