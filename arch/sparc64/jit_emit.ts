// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Code emitters of the sparc64 block translator: the integer ALU (`add`/
 * `sub` with carry and icc/xcc, the logical family, immediate shifts,
 * `sethi`), the plain loads and stores, and the condition tests of the
 * branches. Each emitter returns JS statements that do exactly what the
 * interpreter's handler does for that one decoded instruction, or null
 * when the form is not specialised (the caller then calls the handler or
 * ends the block).
 *
 * Registers: the generated code sees the register file as `g` and the
 * current window through two locals, `wb` (word index of the window's
 * locals; its ins follow at `wb + 16`) and `ob` (its outs, the next
 * window's ins), which the block recomputes after an inline `save` or
 * `restore`. The global set (PSTATE.AG), PSTATE.AM and the access mode are
 * constants of the block (it is compiled for them and runs only under
 * them), so globals are constant indices, `%g0` reads as the literal 0 and
 * a write to it disappears. Register numbers, immediates and operand forms
 * are numbers in the source, so V8 sees constants.
 *
 * @module
 */

import { PF_WRITE } from "../types.ts";
import type { Sparc64DecodedInsn } from "./decode.ts";
import { CC_XCC } from "./decode.ts";
import { R_CCR, TT_UNALIGNED } from "./regs.ts";

/** What a block is compiled for: constants of the CPU state it runs under. */
export interface Sparc64JitContext {
  /** Word index of `%g0` of the global set in use (0, or 16 with PSTATE.AG). */
  globals: number;
  /** PSTATE.AM: addresses masked to 32 bits. */
  am: boolean;
  /** The data access code (`PF_USER` in user mode, else 0). */
  acc: number;
}

/**
 * A number as a JS literal (hex for big values).
 *
 * @param v The number.
 * @returns Its source text.
 */
export function jsNum(v: number): string {
  return v > 9 ? `0x${v.toString(16)}` : String(v);
}

/**
 * The `g[...]` index expression of register `r`'s half (0 low, 1 high); `r`
 * must not be 0.
 *
 * @param c The block's context.
 * @param r Register 1–31.
 * @param half 0 for the low half, 1 for the high half.
 * @returns The index expression.
 */
export function regIndex(c: Sparc64JitContext, r: number, half: number): string {
  if (r < 8) return jsNum(c.globals + 2 * r + half);
  if (r < 16) return `ob + ${2 * (r - 8) + half}`;
  if (r < 24) return `wb + ${2 * (r - 16) + half}`;
  return `wb + ${16 + 2 * (r - 24) + half}`;
}

/** Register `r`'s low half as an expression (`0` for `%g0`). @param c Context. @param r Register. @returns Code. */
export function regLo(c: Sparc64JitContext, r: number): string {
  return r === 0 ? "0" : `g[${regIndex(c, r, 0)}]`;
}

/** Register `r`'s high half as an expression. @param c Context. @param r Register. @returns Code. */
export function regHi(c: Sparc64JitContext, r: number): string {
  return r === 0 ? "0" : `g[${regIndex(c, r, 1)}]`;
}

/**
 * Writes `(h, l)` to register `r` (nothing for `%g0`).
 *
 * @param c Context.
 * @param r Register.
 * @param h High half expression.
 * @param l Low half expression.
 * @returns Code.
 */
export function setReg(c: Sparc64JitContext, r: number, h: string, l: string): string {
  if (r === 0) return "";
  return `g[${regIndex(c, r, 0)}] = ${l}; g[${regIndex(c, r, 1)}] = ${h};`;
}

// The second operand's halves: rs2 or the sign-extended immediate.
function op2(c: Sparc64JitContext, insn: Sparc64DecodedInsn): [string, string] {
  if (insn.i !== 0) return [jsNum(insn.imm < 0 ? 0xffffffff : 0), jsNum(insn.imm >>> 0)];
  return [regHi(c, insn.rs2), regLo(c, insn.rs2)];
}

function operands(c: Sparc64JitContext, insn: Sparc64DecodedInsn): string {
  const [bh, bl] = op2(c, insn);
  return `const al = ${regLo(c, insn.rs1)}, ah = ${regHi(c, insn.rs1)}, ` +
    `bl = ${bl}, bh = ${bh};`;
}

const CCR = `g[${R_CCR}]`;

/**
 * `add`, `addcc`, `addc`, `addccc`, `sub`, `subcc` (`cmp`), `subc`,
 * `subccc` (op3 0x00/0x04/0x08/0x0c and the cc forms): as `doAdd`/`doSub`.
 *
 * @param c Context.
 * @param insn The instruction.
 * @returns Code.
 */
export function emitAddSub(c: Sparc64JitContext, insn: Sparc64DecodedInsn): string {
  const cc = (insn.op3 & 0x10) !== 0;
  const sub = (insn.op3 & 4) !== 0;
  const carry = (insn.op3 & 8) !== 0 ? ` ${sub ? "-" : "+"} (${CCR} & 1)` : "";
  if (!cc && insn.rd === 0) return "";
  let code = `{ ${operands(c, insn)} `;
  if (!sub) {
    code += `const s = al + bl${carry}; const l = s >>> 0; const c32 = s > 0xffffffff ? 1 : 0; ` +
      `const t = ah + bh + c32; const h = t >>> 0;`;
    if (cc) {
      code += ` const iv = (~(al ^ bl) & (al ^ l)) >>> 31, xv = (~(ah ^ bh) & (ah ^ h)) >>> 31; ` +
        `${CCR} = ((((h >>> 31) << 3) | ((l | h) === 0 ? 4 : 0) | (xv << 1) | ` +
        `(t > 0xffffffff ? 1 : 0)) << 4) | ((l >>> 31) << 3) | (l === 0 ? 4 : 0) | (iv << 1) | c32;`;
    }
  } else {
    code += `const s = al - bl${carry}; const l = s >>> 0; const b32 = s < 0 ? 1 : 0; ` +
      `const t = ah - bh - b32; const h = t >>> 0;`;
    if (cc) {
      code += ` const iv = ((al ^ bl) & (al ^ l)) >>> 31, xv = ((ah ^ bh) & (ah ^ h)) >>> 31; ` +
        `${CCR} = ((((h >>> 31) << 3) | ((l | h) === 0 ? 4 : 0) | (xv << 1) | ` +
        `(t < 0 ? 1 : 0)) << 4) | ((l >>> 31) << 3) | (l === 0 ? 4 : 0) | (iv << 1) | b32;`;
    }
  }
  return code + ` ${setReg(c, insn.rd, "h", "l")} }`;
}

// The logical operators by op3 & 7 (and, or, xor, -, andn, orn, xnor).
const LOGIC: Record<number, (a: string, b: string) => string> = {
  1: (a, b) => `${a} & ${b}`,
  2: (a, b) => `${a} | ${b}`,
  3: (a, b) => `${a} ^ ${b}`,
  5: (a, b) => `${a} & ~${b}`,
  6: (a, b) => `${a} | ~${b}`,
  7: (a, b) => `~(${a} ^ ${b})`,
};

/**
 * `and`, `or` (`mov`, `clr`), `xor`, `andn`, `orn`, `xnor` and their cc
 * forms: as `logic`.
 *
 * @param c Context.
 * @param insn The instruction.
 * @returns Code, or null for another op3.
 */
export function emitLogic(c: Sparc64JitContext, insn: Sparc64DecodedInsn): string | null {
  const f = LOGIC[insn.op3 & 7];
  if (f === undefined) return null;
  const cc = (insn.op3 & 0x10) !== 0;
  if (!cc && insn.rd === 0) return "";
  const [bh, bl] = op2(c, insn);
  if (!cc && (insn.op3 & 7) === 2 && insn.rs1 === 0) {
    // mov: rd = op2.
    return `{ const l = ${bl}, h = ${bh}; ${setReg(c, insn.rd, "h", "l")} }`;
  }
  const al = regLo(c, insn.rs1);
  const ah = regHi(c, insn.rs1);
  let code = `{ const l = (${f(al, bl)}) >>> 0, h = (${f(ah, bh)}) >>> 0;`;
  if (cc) {
    code += ` ${CCR} = ((((h >>> 31) << 3) | ((l | h) === 0 ? 4 : 0)) << 4) | ` +
      `((l >>> 31) << 3) | (l === 0 ? 4 : 0);`;
  }
  return code + ` ${setReg(c, insn.rd, "h", "l")} }`;
}

/** `sethi %hi(imm), rd`. @param c Context. @param insn The instruction. @returns Code. */
export function emitSethi(c: Sparc64JitContext, insn: Sparc64DecodedInsn): string {
  return setReg(c, insn.rd, "0", jsNum(insn.imm));
}

/**
 * `sll`/`srl`/`sra` and the `x` forms with an immediate count, the count
 * folded (as `opShift`); register counts are left to the handler.
 *
 * @param c Context.
 * @param insn The instruction.
 * @returns Code, or null for a register count.
 */
export function emitShift(c: Sparc64JitContext, insn: Sparc64DecodedInsn): string | null {
  if (insn.i === 0) return null;
  if (insn.rd === 0) return "";
  const n = insn.shcnt;
  const kind = insn.op3 & 3;
  const lo = regLo(c, insn.rs1);
  const hi = regHi(c, insn.rs1);
  let h: string;
  let l: string;
  if (kind === 1) {
    if (n >= 32) [h, l] = [`${lo} << ${n - 32}`, "0"];
    else if (n !== 0) [h, l] = [`(${hi} << ${n}) | (${lo} >>> ${32 - n})`, `${lo} << ${n}`];
    else [h, l] = [hi, lo];
  } else if (insn.x === 0) {
    if (kind === 2) return `{ const l = ${lo} >>> ${n}; ${setReg(c, insn.rd, "0", "l")} }`;
    return `{ const l = (${lo} | 0) >> ${n}; ${setReg(c, insn.rd, "l >> 31", "l")} }`;
  } else if (kind === 2) {
    if (n >= 32) [h, l] = ["0", `${hi} >>> ${n - 32}`];
    else if (n !== 0) [h, l] = [`${hi} >>> ${n}`, `(${lo} >>> ${n}) | (${hi} << ${32 - n})`];
    else [h, l] = [hi, lo];
  } else if (n >= 32) {
    [h, l] = [`(${hi} | 0) >> 31`, `(${hi} | 0) >> ${n - 32}`];
  } else if (n !== 0) {
    [h, l] = [`(${hi} | 0) >> ${n}`, `(${lo} >>> ${n}) | (${hi} << ${32 - n})`];
  } else {
    [h, l] = [hi, lo];
  }
  return `{ const l = ${l}, h = ${h}; ${setReg(c, insn.rd, "h", "l")} }`;
}

/**
 * The effective address `rs1 + (rs2 | simm13)` into the locals `eh`,
 * `el` (masked under PSTATE.AM), then the alignment check of `size`
 * (`mem_address_not_aligned` with the address, as `plainOffset`).
 *
 * @param c Context.
 * @param insn The instruction.
 * @param size Access size in bytes.
 * @returns Code.
 */
export function emitEa(c: Sparc64JitContext, insn: Sparc64DecodedInsn, size: number): string {
  const [bh, bl] = op2(c, insn);
  let code: string;
  if (insn.rs1 === 0 && insn.i !== 0) {
    code = `const el = ${bl}, eh = ${c.am ? "0" : bh};`;
  } else if (insn.i !== 0 && insn.imm === 0) {
    code = `const el = ${regLo(c, insn.rs1)}, eh = ${c.am ? "0" : regHi(c, insn.rs1)};`;
  } else {
    code = `const s = ${regLo(c, insn.rs1)} + ${bl}; const el = s >>> 0, eh = ` +
      (c.am ? "0;" : `(${regHi(c, insn.rs1)} + ${bh} + (s > 0xffffffff ? 1 : 0)) >>> 0;`);
  }
  if (size > 1) {
    code += ` if ((el & ${size - 1}) !== 0) throw cpu.fault.set(${TT_UNALIGNED}, 0, eh, el);`;
  }
  return code;
}

// Load size by op3 & 3: uw/sw 4, ub/sb 1, uh/sh 2, x 8.
const LOAD_SIZE = [4, 1, 2, 8];

/**
 * The plain loads (`lduw`, `ldub`, `lduh`, `ldsw`, `ldsb`, `ldsh`, `ldx`)
 * as `opLoadPlain`: address, alignment, `mem.translate` (the same
 * permission checks and faults), then rd.
 *
 * @param c Context.
 * @param insn The instruction.
 * @returns Code.
 */
export function emitLoad(c: Sparc64JitContext, insn: Sparc64DecodedInsn): string {
  const k = insn.op3;
  const size = LOAD_SIZE[k & 3];
  let code = `{ ${emitEa(c, insn, size)} const o = mem.translate(eh, el, ${c.acc}); `;
  switch (k) {
    case 0:
      code += `const l = dv.getUint32(o), h = 0;`;
      break;
    case 1:
      code += `const l = u8[o], h = 0;`;
      break;
    case 2:
      code += `const l = dv.getUint16(o), h = 0;`;
      break;
    case 8:
      code += `const l = dv.getInt32(o), h = l >> 31;`;
      break;
    case 9:
      code += `const l = dv.getInt8(o), h = l >> 31;`;
      break;
    case 10:
      code += `const l = dv.getInt16(o), h = l >> 31;`;
      break;
    default:
      code += `const h = dv.getUint32(o), l = dv.getUint32(o + 4);`;
  }
  return code + ` ${setReg(c, insn.rd, "h", "l")} }`;
}

/**
 * The plain stores (`stw`, `stb`, `sth`, `stx`) as `opStorePlain`, then
 * `after` (a store into an executable page told the text-write listeners).
 *
 * @param c Context.
 * @param insn The instruction.
 * @param after Code run after the store.
 * @returns Code.
 */
export function emitStore(c: Sparc64JitContext, insn: Sparc64DecodedInsn, after: string): string {
  const k = insn.op3;
  const size = k === 14 ? 8 : k === 4 ? 4 : k === 5 ? 1 : 2;
  let code = `{ ${emitEa(c, insn, size)} const o = mem.translate(eh, el, ${c.acc | PF_WRITE}); `;
  const l = regLo(c, insn.rd);
  switch (size) {
    case 4:
      code += `dv.setUint32(o, ${l});`;
      break;
    case 1:
      code += `u8[o] = ${l};`;
      break;
    case 2:
      code += `dv.setUint16(o, ${l} & 0xffff);`;
      break;
    default:
      code += `dv.setUint32(o, ${regHi(c, insn.rd)}); dv.setUint32(o + 4, ${l});`;
  }
  return code + ` ${after} }`;
}

/**
 * The condition of a `Bicc`/`BPcc` (through `SPARC64_COND_TABLE`, bound as
 * `CT`) or a `BPr` (sign and zero of rs1) as a JS expression.
 *
 * @param c Context.
 * @param insn The branch.
 * @returns The expression (truthy when taken).
 */
export function emitCond(c: Sparc64JitContext, insn: Sparc64DecodedInsn): string {
  if (insn.op2 === 3) {
    const lo = regLo(c, insn.rs1);
    const hi = regHi(c, insn.rs1);
    const zero = `(${lo} | ${hi}) === 0`;
    const neg = `(${hi} & 0x80000000) !== 0`;
    switch (insn.rcond) {
      case 1:
        return zero;
      case 2:
        return `(${zero} || ${neg})`;
      case 3:
        return neg;
      case 5:
        return `!(${zero})`;
      case 6:
        return `!(${zero} || ${neg})`;
      default:
        return `!(${neg})`;
    }
  }
  if (insn.cond === 8) return "true";
  if (insn.cond === 0) return "false";
  const f = insn.op2 === 1 && insn.cc === CC_XCC ? `(${CCR} >>> 4)` : `(${CCR} & 15)`;
  return `CT[${insn.cond << 4} | ${f}] !== 0`;
}
