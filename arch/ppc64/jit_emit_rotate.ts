// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Code emitters of the block translator for rotates and shifts: the
 * immediate forms (`rlwinm`, `rlwimi`, `rldicl`, `rldicr`, `rldic`,
 * `rldimi`, `srawi`, `sradi`) with the rotate amount and mask folded as
 * constants, and the register-amount shifts the kernel's hot paths use
 * (`slw`, `srw`, `sld`, `srd`). The others (`rlwnm`, `rldcl`, `rldcr`,
 * `sraw`, `srad`) call the interpreter's handler. Same conventions as
 * `jit_emit.ts`.
 *
 * @module
 */

import type { Ppc64DecodedInsn } from "./decode.ts";
import { emitCr0, gprHi, gprLo, jsNum } from "./jit_emit.ts";
import { R_XER, XER_CA } from "./regs.ts";

// RA = (h, l) from locals, CR0 when Rc (the interpreter's `result`).
function toRa(insn: Ppc64DecodedInsn, h: string, l: string): string {
  const a = insn.ra;
  let c = `${gprLo(a)} = ${l}; ${gprHi(a)} = ${h};`;
  if (insn.rc !== 0) c += " " + emitCr0(h, l);
  return c;
}

// `x & mask` with the constant folded (0, all ones, or an AND).
function masked(x: string, mask: number): string {
  if (mask === 0) return "0";
  if (mask === 0xffffffff) return `(${x} | 0)`;
  return `(${x} & ${jsNum(mask)})`;
}

// ROTL32 of the expression `x` by the constant n.
function rotl32(x: string, n: number): string {
  return n === 0 ? x : `((${x} << ${n}) | (${x} >>> ${32 - n}))`;
}

// Declares `rh`, `rl`: (xh, xl) rotated left by the constant n (0–63).
function rotl64(xh: string, xl: string, n: number): string {
  if (n >= 32) {
    const t = xh;
    xh = xl;
    xl = t;
    n -= 32;
  }
  if (n === 0) return `const rh = ${xh}, rl = ${xl};`;
  return `const xh = ${xh}, xl = ${xl}; const rh = (xh << ${n}) | (xl >>> ${32 - n}), ` +
    `rl = (xl << ${n}) | (xh >>> ${32 - n});`;
}

/** `rlwinm` (`slwi`, `srwi`, `clrlwi` …). @param insn The instruction. @returns Code. */
export function emitRlwinm(insn: Ppc64DecodedInsn): string {
  return `{ const x = ${gprLo(insn.rt)}; const r = ${rotl32("x", insn.sh)}; ` +
    `const h = ${masked("r", insn.maskHi)}, l = ${masked("r", insn.maskLo)}; ` +
    `${toRa(insn, "h", "l")} }`;
}

/** `rlwimi`. @param insn The instruction. @returns Code. */
export function emitRlwimi(insn: Ppc64DecodedInsn): string {
  const a = insn.ra;
  const mh = insn.maskHi;
  const ml = insn.maskLo;
  return `{ const x = ${gprLo(insn.rt)}; const r = ${rotl32("x", insn.sh)}; ` +
    `const h = (r & ${jsNum(mh)}) | (${gprHi(a)} & ${jsNum(~mh >>> 0)}), ` +
    `l = (r & ${jsNum(ml)}) | (${gprLo(a)} & ${jsNum(~ml >>> 0)}); ${toRa(insn, "h", "l")} }`;
}

/** `rldicl`, `rldicr`, `rldic`. @param insn The instruction. @returns Code. */
export function emitRldicl(insn: Ppc64DecodedInsn): string {
  const s = insn.rt;
  return `{ ${rotl64(gprHi(s), gprLo(s), insn.sh)} const h = ${masked("rh", insn.maskHi)}, ` +
    `l = ${masked("rl", insn.maskLo)}; ${toRa(insn, "h", "l")} }`;
}

/** `rldimi`. @param insn The instruction. @returns Code. */
export function emitRldimi(insn: Ppc64DecodedInsn): string {
  const s = insn.rt;
  const a = insn.ra;
  const mh = insn.maskHi;
  const ml = insn.maskLo;
  return `{ ${rotl64(gprHi(s), gprLo(s), insn.sh)} ` +
    `const h = (rh & ${jsNum(mh)}) | (${gprHi(a)} & ${jsNum(~mh >>> 0)}), ` +
    `l = (rl & ${jsNum(ml)}) | (${gprLo(a)} & ${jsNum(~ml >>> 0)}); ${toRa(insn, "h", "l")} }`;
}

/** `slw`. @param insn The instruction. @returns Code. */
export function emitSlw(insn: Ppc64DecodedInsn): string {
  return `{ const n = ${gprLo(insn.rb)} & 63; const h = 0, l = n < 32 ? ${
    gprLo(insn.rt)
  } << n : 0; ` +
    `${toRa(insn, "h", "l")} }`;
}

/** `srw`. @param insn The instruction. @returns Code. */
export function emitSrw(insn: Ppc64DecodedInsn): string {
  return `{ const n = ${gprLo(insn.rb)} & 63; const h = 0, l = n < 32 ? ${
    gprLo(insn.rt)
  } >>> n : 0; ` +
    `${toRa(insn, "h", "l")} }`;
}

/** `sld`. @param insn The instruction. @returns Code. */
export function emitSld(insn: Ppc64DecodedInsn): string {
  const s = insn.rt;
  return `{ const n = ${gprLo(insn.rb)} & 127; const xh = ${gprHi(s)}, xl = ${
    gprLo(s)
  }; let h, l; ` +
    `if (n >= 64) { h = 0; l = 0; } else if (n >= 32) { h = xl << (n - 32); l = 0; } ` +
    `else if (n === 0) { h = xh; l = xl; } ` +
    `else { h = (xh << n) | (xl >>> (32 - n)); l = xl << n; } ${toRa(insn, "h", "l")} }`;
}

/** `srd`. @param insn The instruction. @returns Code. */
export function emitSrd(insn: Ppc64DecodedInsn): string {
  const s = insn.rt;
  return `{ const n = ${gprLo(insn.rb)} & 127; const xh = ${gprHi(s)}, xl = ${
    gprLo(s)
  }; let h, l; ` +
    `if (n >= 64) { h = 0; l = 0; } else if (n >= 32) { h = 0; l = xh >>> (n - 32); } ` +
    `else if (n === 0) { h = xh; l = xl; } ` +
    `else { h = xh >>> n; l = (xl >>> n) | (xh << (32 - n)); } ${toRa(insn, "h", "l")} }`;
}

const SET_CA = `g[${R_XER}] = g[${R_XER}] | ${jsNum(XER_CA)};`;
const CLEAR_CA = `g[${R_XER}] = g[${R_XER}] & ${jsNum(~XER_CA >>> 0)};`;

/** `srawi` (shift folded). @param insn The instruction. @returns Code. */
export function emitSrawi(insn: Ppc64DecodedInsn): string {
  const n = insn.sh;
  if (n === 0) {
    return `{ const x = ${gprLo(insn.rt)} | 0; ${CLEAR_CA} const l = x, h = l >> 31; ` +
      `${toRa(insn, "h", "l")} }`;
  }
  return `{ const x = ${gprLo(insn.rt)} | 0; ` +
    `if (x < 0 && (x & ${jsNum((2 ** n - 1) >>> 0)}) !== 0) ${SET_CA} else ${CLEAR_CA} ` +
    `const l = x >> ${n}, h = l >> 31; ${toRa(insn, "h", "l")} }`;
}

/** `sradi` (shift folded). @param insn The instruction. @returns Code. */
export function emitSradi(insn: Ppc64DecodedInsn): string {
  const n = insn.sh;
  const s = insn.rt;
  let body: string;
  if (n === 0) {
    body = `const h = xh, l = xl; const lost = 0;`;
  } else if (n >= 32) {
    const k = n - 32;
    body = `const h = xh >> 31, l = xh >> ${k}; const lost = xl | ${
      k === 0 ? "0" : `(xh & ${jsNum((2 ** k - 1) >>> 0)})`
    };`;
  } else {
    body = `const h = xh >> ${n}, l = (xl >>> ${n}) | (xh << ${32 - n}); ` +
      `const lost = xl & ${jsNum((2 ** n - 1) >>> 0)};`;
  }
  return `{ const xh = ${gprHi(s)} | 0, xl = ${gprLo(s)}; ${body} ` +
    `if (xh < 0 && lost !== 0) ${SET_CA} else ${CLEAR_CA} ${toRa(insn, "h", "l")} }`;
}
