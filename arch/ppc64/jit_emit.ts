// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Code emitters of the block translator for the fixed-point family:
 * add/subtract with CA (OE forms are left to the handler), the logical
 * instructions and immediates, sign extension, leading-zero counts, the
 * rotates and shifts with their masks folded as constants, the compares,
 * `mfcr`/`mtcrf` and the LR/CTR/XER moves. Each emitter returns JS
 * statements over `g` (the register file, GPR `r` at `g[2r]` low and
 * `g[2r + 1]` high, XER at 86, CR at 87) that do exactly what the
 * interpreter's handler does for that one decoded instruction, or null
 * when the instruction's form is not specialised (the caller then calls
 * the handler or ends the block). Register numbers, immediates and masks
 * are numbers in the source, so V8 sees constants.
 *
 * @module
 */

import type { Ppc64DecodedInsn } from "./decode.ts";
import {
  R_CR,
  R_CTR_HI,
  R_CTR_LO,
  R_LR_HI,
  R_LR_LO,
  R_XER,
  SPR_CTR,
  SPR_LR,
  SPR_XER,
  XER_CA,
} from "./regs.ts";

/**
 * Emits the code of one instruction, or null to leave it to the handler.
 * `after` is the code a store runs when its translation may have told the
 * text-write listeners (stores place it themselves; others ignore it).
 */
export type JitEmitter = (insn: Ppc64DecodedInsn, after: string) => string | null;

/** `g[...]` of GPR `r`'s low half. */
export function gprLo(r: number): string {
  return `g[${2 * r}]`;
}

/** `g[...]` of GPR `r`'s high half. */
export function gprHi(r: number): string {
  return `g[${2 * r + 1}]`;
}

/** A number as a JS literal (hex for big masks, so the source reads like the ISA). */
export function jsNum(v: number): string {
  return v >= 0 && v > 9 ? `0x${v.toString(16)}` : String(v);
}

/**
 * CR0 from the 32-bit locals `h`, `l` (as `setCr0`: LT/GT/EQ of the
 * signed 64-bit value, SO from XER).
 *
 * @param h Name of the high half.
 * @param l Name of the low half.
 * @returns The statement.
 */
export function emitCr0(h: string, l: string): string {
  return `g[${R_CR}] = (g[${R_CR}] & 0x0fffffff) | (((${h} & 0x80000000) !== 0 ? 8 : ` +
    `(${h} | ${l}) !== 0 ? 4 : 2) | (g[${R_XER}] >>> 31)) << 28;`;
}

// RA = (h, l) from locals, CR0 when Rc (the interpreter's `logical`/`result`).
function toRa(insn: Ppc64DecodedInsn, h: string, l: string): string {
  const a = insn.ra;
  let c = `${gprLo(a)} = ${l}; ${gprHi(a)} = ${h};`;
  if (insn.rc !== 0) c += " " + emitCr0(h, l);
  return c;
}

// { const h = H, l = L; RA = (h, l); CR0 }.
function logical(insn: Ppc64DecodedInsn, h: string, l: string): string {
  return `{ const h = ${h}, l = ${l}; ${toRa(insn, "h", "l")} }`;
}

const CA_IN = `((g[${R_XER}] >>> 29) & 1)`;

// RT = x + y + cin with CA and CR0 as the form asks (no OE: the caller checks).
function arith(
  insn: Ppc64DecodedInsn,
  xh: string,
  xl: string,
  yh: string,
  yl: string,
  cin: string,
  setsCa: boolean,
): string | null {
  if (insn.oe !== 0) return null;
  const t = insn.rt;
  let c = `{ const l = ${xl} + ${yl}${cin === "0" ? "" : " + " + cin}; ` +
    `const s = ${xh} + ${yh} + (l > 0xffffffff ? 1 : 0); ${gprLo(t)} = l; ${gprHi(t)} = s;`;
  if (setsCa) {
    c += ` g[${R_XER}] = s > 0xffffffff ? g[${R_XER}] | ${jsNum(XER_CA)} : ` +
      `g[${R_XER}] & ${jsNum(~XER_CA >>> 0)};`;
  }
  if (insn.rc !== 0) c += ` const rh = s >>> 0, rl = l >>> 0; ${emitCr0("rh", "rl")}`;
  return c + " }";
}

const notLo = (r: number) => `(~${gprLo(r)} >>> 0)`;
const notHi = (r: number) => `(~${gprHi(r)} >>> 0)`;

/** `add`. @param insn The instruction. @returns Code or null. */
export function emitAdd(insn: Ppc64DecodedInsn): string | null {
  return arith(insn, gprHi(insn.ra), gprLo(insn.ra), gprHi(insn.rb), gprLo(insn.rb), "0", false);
}

/** `addc`. @param insn The instruction. @returns Code or null. */
export function emitAddc(insn: Ppc64DecodedInsn): string | null {
  return arith(insn, gprHi(insn.ra), gprLo(insn.ra), gprHi(insn.rb), gprLo(insn.rb), "0", true);
}

/** `adde`. @param insn The instruction. @returns Code or null. */
export function emitAdde(insn: Ppc64DecodedInsn): string | null {
  return arith(insn, gprHi(insn.ra), gprLo(insn.ra), gprHi(insn.rb), gprLo(insn.rb), CA_IN, true);
}

/** `addze`. @param insn The instruction. @returns Code or null. */
export function emitAddze(insn: Ppc64DecodedInsn): string | null {
  return arith(insn, gprHi(insn.ra), gprLo(insn.ra), "0", "0", CA_IN, true);
}

/** `addme`. @param insn The instruction. @returns Code or null. */
export function emitAddme(insn: Ppc64DecodedInsn): string | null {
  return arith(insn, gprHi(insn.ra), gprLo(insn.ra), "0xffffffff", "0xffffffff", CA_IN, true);
}

/** `subf`. @param insn The instruction. @returns Code or null. */
export function emitSubf(insn: Ppc64DecodedInsn): string | null {
  return arith(insn, notHi(insn.ra), notLo(insn.ra), gprHi(insn.rb), gprLo(insn.rb), "1", false);
}

/** `subfc`. @param insn The instruction. @returns Code or null. */
export function emitSubfc(insn: Ppc64DecodedInsn): string | null {
  return arith(insn, notHi(insn.ra), notLo(insn.ra), gprHi(insn.rb), gprLo(insn.rb), "1", true);
}

/** `subfe`. @param insn The instruction. @returns Code or null. */
export function emitSubfe(insn: Ppc64DecodedInsn): string | null {
  return arith(insn, notHi(insn.ra), notLo(insn.ra), gprHi(insn.rb), gprLo(insn.rb), CA_IN, true);
}

/** `subfze`. @param insn The instruction. @returns Code or null. */
export function emitSubfze(insn: Ppc64DecodedInsn): string | null {
  return arith(insn, notHi(insn.ra), notLo(insn.ra), "0", "0", CA_IN, true);
}

/** `subfme`. @param insn The instruction. @returns Code or null. */
export function emitSubfme(insn: Ppc64DecodedInsn): string | null {
  return arith(insn, notHi(insn.ra), notLo(insn.ra), "0xffffffff", "0xffffffff", CA_IN, true);
}

/** `neg`. @param insn The instruction. @returns Code or null. */
export function emitNeg(insn: Ppc64DecodedInsn): string | null {
  return arith(insn, notHi(insn.ra), notLo(insn.ra), "0", "0", "1", false);
}

/** `addic`, `addic.`. @param insn The instruction. @returns Code or null. */
export function emitAddic(insn: Ppc64DecodedInsn): string | null {
  return arith(
    insn,
    gprHi(insn.ra),
    gprLo(insn.ra),
    jsNum(insn.immHi),
    jsNum(insn.immLo),
    "0",
    true,
  );
}

/** `subfic`. @param insn The instruction. @returns Code or null. */
export function emitSubfic(insn: Ppc64DecodedInsn): string | null {
  return arith(
    insn,
    notHi(insn.ra),
    notLo(insn.ra),
    jsNum(insn.immHi),
    jsNum(insn.immLo),
    "1",
    true,
  );
}

/** `addi`, `addis` (`li`, `lis`). @param insn The instruction. @returns Code. */
export function emitAddi(insn: Ppc64DecodedInsn): string {
  const t = insn.rt;
  if (insn.ra === 0) {
    return `${gprLo(t)} = ${jsNum(insn.immLo)}; ${gprHi(t)} = ${jsNum(insn.immHi)};`;
  }
  const a = insn.ra;
  if (insn.immLo === 0 && insn.immHi === 0) {
    return t === a ? "" : `${gprLo(t)} = ${gprLo(a)}; ${gprHi(t)} = ${gprHi(a)};`;
  }
  if (insn.immLo === 0) {
    return `{ const l = ${gprLo(a)}; ${gprHi(t)} = ${gprHi(a)} + ${jsNum(insn.immHi)}; ${
      gprLo(t)
    } = l; }`;
  }
  return `{ const l = ${gprLo(a)} + ${jsNum(insn.immLo)}; ` +
    `${gprHi(t)} = ${gprHi(a)} + ${jsNum(insn.immHi)} + (l > 0xffffffff ? 1 : 0); ${
      gprLo(t)
    } = l; }`;
}

// Binary logical ops: [high expression, low expression] of (s, b).
function binary(insn: Ppc64DecodedInsn, op: (x: string, y: string) => string): string {
  const s = insn.rt;
  const b = insn.rb;
  return logical(insn, op(gprHi(s), gprHi(b)), op(gprLo(s), gprLo(b)));
}

/** `and`. @param insn The instruction. @returns Code. */
export function emitAnd(insn: Ppc64DecodedInsn): string {
  return binary(insn, (x, y) => `${x} & ${y}`);
}

/** `or` (`mr`). @param insn The instruction. @returns Code. */
export function emitOr(insn: Ppc64DecodedInsn): string {
  if (insn.rt === insn.rb) {
    if (insn.rc === 0) {
      const s = insn.rt;
      const a = insn.ra;
      return s === a ? "" : `${gprLo(a)} = ${gprLo(s)}; ${gprHi(a)} = ${gprHi(s)};`;
    }
    return logical(insn, gprHi(insn.rt), gprLo(insn.rt));
  }
  return binary(insn, (x, y) => `${x} | ${y}`);
}

/** `xor`. @param insn The instruction. @returns Code. */
export function emitXor(insn: Ppc64DecodedInsn): string {
  return binary(insn, (x, y) => `${x} ^ ${y}`);
}

/** `nand`. @param insn The instruction. @returns Code. */
export function emitNand(insn: Ppc64DecodedInsn): string {
  return binary(insn, (x, y) => `~(${x} & ${y})`);
}

/** `nor`. @param insn The instruction. @returns Code. */
export function emitNor(insn: Ppc64DecodedInsn): string {
  return binary(insn, (x, y) => `~(${x} | ${y})`);
}

/** `andc`. @param insn The instruction. @returns Code. */
export function emitAndc(insn: Ppc64DecodedInsn): string {
  return binary(insn, (x, y) => `${x} & ~${y}`);
}

/** `orc`. @param insn The instruction. @returns Code. */
export function emitOrc(insn: Ppc64DecodedInsn): string {
  return binary(insn, (x, y) => `${x} | ~${y}`);
}

/** `eqv`. @param insn The instruction. @returns Code. */
export function emitEqv(insn: Ppc64DecodedInsn): string {
  return binary(insn, (x, y) => `~(${x} ^ ${y})`);
}

/** `andi.`, `andis.`. @param insn The instruction. @returns Code. */
export function emitAndiDot(insn: Ppc64DecodedInsn): string {
  return logical(insn, "0", `${gprLo(insn.rt)} & ${jsNum(insn.immLo)}`);
}

/** `ori`, `oris` (`nop`). @param insn The instruction. @returns Code. */
export function emitOri(insn: Ppc64DecodedInsn): string {
  const s = insn.rt;
  const a = insn.ra;
  if (insn.immLo === 0 && s === a) return "";
  return `${gprLo(a)} = ${gprLo(s)} | ${jsNum(insn.immLo)}; ${gprHi(a)} = ${gprHi(s)};`;
}

/** `xori`, `xoris`. @param insn The instruction. @returns Code. */
export function emitXori(insn: Ppc64DecodedInsn): string {
  const s = insn.rt;
  const a = insn.ra;
  if (insn.immLo === 0 && s === a) return "";
  return `${gprLo(a)} = ${gprLo(s)} ^ ${jsNum(insn.immLo)}; ${gprHi(a)} = ${gprHi(s)};`;
}

/** `extsb`. @param insn The instruction. @returns Code. */
export function emitExtsb(insn: Ppc64DecodedInsn): string {
  return `{ const l = (${gprLo(insn.rt)} << 24) >> 24, h = l >> 31; ${toRa(insn, "h", "l")} }`;
}

/** `extsh`. @param insn The instruction. @returns Code. */
export function emitExtsh(insn: Ppc64DecodedInsn): string {
  return `{ const l = (${gprLo(insn.rt)} << 16) >> 16, h = l >> 31; ${toRa(insn, "h", "l")} }`;
}

/** `extsw`. @param insn The instruction. @returns Code. */
export function emitExtsw(insn: Ppc64DecodedInsn): string {
  return `{ const l = ${gprLo(insn.rt)} | 0, h = l >> 31; ${toRa(insn, "h", "l")} }`;
}

/** `cntlzw`. @param insn The instruction. @returns Code. */
export function emitCntlzw(insn: Ppc64DecodedInsn): string {
  return logical(insn, "0", `Math.clz32(${gprLo(insn.rt)})`);
}

/** `cntlzd`. @param insn The instruction. @returns Code. */
export function emitCntlzd(insn: Ppc64DecodedInsn): string {
  const s = insn.rt;
  return `{ const x = ${gprHi(s)}; const h = 0, l = x !== 0 ? Math.clz32(x) : ` +
    `32 + Math.clz32(${gprLo(s)}); ${toRa(insn, "h", "l")} }`;
}

// A CR field write of the 4-bit local `r` (with SO from XER) into field `bf`.
function crField(bf: number): string {
  const shift = 28 - 4 * bf;
  return `g[${R_CR}] = (g[${R_CR}] & ${jsNum(~(15 << shift) >>> 0)}) | ` +
    `((r | (g[${R_XER}] >>> 31)) << ${shift});`;
}

// Signed/unsigned 64-bit compare of (ah, al) with (bh, bl) into `r`.
function cmp64(ah: string, al: string, bh: string, bl: string, signed: boolean): string {
  const sh = signed ? "| 0" : ">>> 0";
  return `const ah = ${ah} ${sh}, bh = ${bh} ${sh}, al = ${al}, bl = ${bl}; ` +
    `const r = ah !== bh ? (ah < bh ? 8 : 4) : al !== bl ? (al < bl ? 8 : 4) : 2;`;
}

/** `cmpw`, `cmpd`. @param insn The instruction. @returns Code. */
export function emitCmp(insn: Ppc64DecodedInsn): string {
  const a = insn.ra;
  const b = insn.rb;
  const body = insn.l !== 0
    ? cmp64(gprHi(a), gprLo(a), gprHi(b), gprLo(b), true)
    : `const x = ${gprLo(a)} | 0, y = ${gprLo(b)} | 0; const r = x < y ? 8 : x > y ? 4 : 2;`;
  return `{ ${body} ${crField(insn.bf)} }`;
}

/** `cmplw`, `cmpld`. @param insn The instruction. @returns Code. */
export function emitCmpl(insn: Ppc64DecodedInsn): string {
  const a = insn.ra;
  const b = insn.rb;
  const body = insn.l !== 0
    ? cmp64(gprHi(a), gprLo(a), gprHi(b), gprLo(b), false)
    : `const x = ${gprLo(a)}, y = ${gprLo(b)}; const r = x < y ? 8 : x > y ? 4 : 2;`;
  return `{ ${body} ${crField(insn.bf)} }`;
}

/** `cmpwi`, `cmpdi`. @param insn The instruction. @returns Code. */
export function emitCmpi(insn: Ppc64DecodedInsn): string {
  const a = insn.ra;
  const imm = String(insn.imm);
  const body = insn.l !== 0
    ? cmp64(gprHi(a), gprLo(a), jsNum(insn.immHi), jsNum(insn.immLo), true)
    : `const x = ${gprLo(a)} | 0; const r = x < ${imm} ? 8 : x > ${imm} ? 4 : 2;`;
  return `{ ${body} ${crField(insn.bf)} }`;
}

/** `cmplwi`, `cmpldi`. @param insn The instruction. @returns Code. */
export function emitCmpli(insn: Ppc64DecodedInsn): string {
  const a = insn.ra;
  const imm = jsNum(insn.imm);
  const body = insn.l !== 0
    ? cmp64(gprHi(a), gprLo(a), "0", imm, false)
    : `const x = ${gprLo(a)}; const r = x < ${imm} ? 8 : x > ${imm} ? 4 : 2;`;
  return `{ ${body} ${crField(insn.bf)} }`;
}

/** `mfcr` (all of CR; `mfocrf` is left to the handler). @param insn The instruction. @returns Code or null. */
export function emitMfcr(insn: Ppc64DecodedInsn): string | null {
  if (insn.l !== 0) return null;
  return `${gprLo(insn.rt)} = g[${R_CR}]; ${gprHi(insn.rt)} = 0;`;
}

/** `mtcrf`, `mtocrf` with the field mask folded. @param insn The instruction. @returns Code. */
export function emitMtcrf(insn: Ppc64DecodedInsn): string {
  let m = 0;
  for (let i = 0; i < 8; i++) if ((insn.fxm & (0x80 >>> i)) !== 0) m |= 0xf0000000 >>> (4 * i);
  m >>>= 0;
  return `g[${R_CR}] = (g[${R_CR}] & ${jsNum(~m >>> 0)}) | (${gprLo(insn.rt)} & ${jsNum(m)});`;
}

/** `mfspr` of LR, CTR or XER (others: null). @param insn The instruction. @returns Code or null. */
export function emitMfspr(insn: Ppc64DecodedInsn): string | null {
  const t = insn.rt;
  switch (insn.spr) {
    case SPR_LR:
      return `${gprLo(t)} = g[${R_LR_LO}]; ${gprHi(t)} = g[${R_LR_HI}];`;
    case SPR_CTR:
      return `${gprLo(t)} = g[${R_CTR_LO}]; ${gprHi(t)} = g[${R_CTR_HI}];`;
    case SPR_XER:
      return `${gprLo(t)} = g[${R_XER}]; ${gprHi(t)} = 0;`;
  }
  return null;
}

/** `mtspr` of LR, CTR or XER (others: null). @param insn The instruction. @returns Code or null. */
export function emitMtspr(insn: Ppc64DecodedInsn): string | null {
  const s = insn.rt;
  switch (insn.spr) {
    case SPR_LR:
      return `g[${R_LR_LO}] = ${gprLo(s)}; g[${R_LR_HI}] = ${gprHi(s)};`;
    case SPR_CTR:
      return `g[${R_CTR_LO}] = ${gprLo(s)}; g[${R_CTR_HI}] = ${gprHi(s)};`;
    case SPR_XER:
      return `g[${R_XER}] = ${gprLo(s)} & 0xe000007f;`;
  }
  return null;
}
