// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Operand code for the block translator (`jit.ts`): registers by width with
 * their indices folded, effective addresses with base, index, scale,
 * displacement and segment base folded, and page-local memory accesses
 * inlined (a software TLB in front of `mem.translate` and its permission
 * checks, then a `DataView` access); accesses that cross a page take the
 * interpreter's
 * own `readMem`/`writeMem`/`probeWrite`, so they fault exactly as it does.
 * Every function returns JavaScript source text for the block body, where
 * `cpu o` and `regs regs16 regs8 u8 dv ra wa tr tw` are the block
 * function's locals (the latter declared only when the code names them:
 * `LOCALS` in `jit.ts`).
 *
 * @module
 */

import type { DecodedInsn } from "./decode.ts";
import { reg8Index } from "./modrm.ts";
import { OP_HI, SEG_FS, SEG_GS } from "./regs.ts";

/** Translation context of one instruction. */
export interface EmitCtx {
  /** 64 (long mode) or 32 (protected mode). */
  mode: 64 | 32;
  /** Index of the instruction in its block. */
  k: number;
  /** The instruction. */
  insn: DecodedInsn;
}

/**
 * Expression reading register `r` at width `w` (the low half at width 3).
 *
 * @param insn The instruction (its REX picks AH…BH or SPL…DIL).
 * @param r Register 0–15.
 * @param w Width 0–3.
 * @returns A JavaScript expression.
 */
export function regLo(insn: DecodedInsn, r: number, w: number): string {
  if (w >= 2) return `regs[${r << 1}]`;
  if (w === 1) return `regs16[${r << 2}]`;
  return `regs8[${reg8Index(insn, r)}]`;
}

/**
 * Expression reading register `r`'s high half.
 *
 * @param r Register 0–15.
 * @returns A JavaScript expression.
 */
export function regHi(r: number): string {
  return `regs[${(r << 1) | 1}]`;
}

/**
 * Statements writing register `r` at width `w` as `writeReg` does (32-bit
 * writes zero the high half; 8/16-bit writes keep the rest).
 *
 * @param insn The instruction.
 * @param r Register 0–15.
 * @param w Width 0–3.
 * @param lo Low half (a side-effect-free expression).
 * @param hi High half (width 3).
 * @returns JavaScript statements.
 */
export function setReg(insn: DecodedInsn, r: number, w: number, lo: string, hi: string): string {
  if (w === 3) return `regs[${r << 1}]=${lo};regs[${(r << 1) | 1}]=${hi};`;
  if (w === 2) return `regs[${r << 1}]=${lo};regs[${(r << 1) | 1}]=0;`;
  if (w === 1) return `regs16[${r << 2}]=${lo};`;
  return `regs8[${reg8Index(insn, r)}]=${lo};`;
}

/**
 * Statements computing the memory operand's address into `el`/`eh`
 * (declared by the caller), as `computeEa` (or `computeEaNoSegment` for
 * `lea`) does; null for 16-bit addressing (left to the interpreter).
 *
 * @param ctx The context.
 * @param segment Whether an FS/GS override applies (false for `lea`).
 * @returns JavaScript statements, or null.
 */
export function emitEa(ctx: EmitCtx, segment: boolean): string | null {
  const insn = ctx.insn;
  const asz = insn.addrsize;
  if (asz === 2) return null;
  const b = insn.base;
  const x = insn.index;
  const s = insn.scale;
  const d = insn.disp;
  let c: string;
  if (asz === 8) {
    if (insn.ripRelative !== 0) c = `el=${insn.nextLo};eh=${insn.nextHi};`;
    else if (b >= 0) c = `el=regs[${b << 1}];eh=regs[${(b << 1) | 1}];`;
    else c = "el=0;eh=0;";
    if (d !== 0) c += `{const n=(el+${d})>>>0;eh=(eh+${d < 0 ? -1 : 0}+(n<el?1:0))|0;el=n;}`;
    if (x >= 0) {
      const sh = s === 0
        ? `regs[${(x << 1) | 1}]`
        : `((regs[${(x << 1) | 1}]<<${s})|(regs[${x << 1}]>>>${32 - s}))`;
      c += `{const n=(el+((regs[${x << 1}]<<${s})>>>0))>>>0;eh=(eh+${sh}+(n<el?1:0))|0;el=n;}`;
    }
    c += "eh=eh>>>0;";
  } else {
    const terms: string[] = [];
    if (insn.ripRelative !== 0) terms.push(String(insn.nextLo));
    else if (b >= 0) terms.push(`regs[${b << 1}]`);
    if (d !== 0) terms.push(String(d));
    if (x >= 0) terms.push(s === 0 ? `regs[${x << 1}]` : `((regs[${x << 1}]<<${s})>>>0)`);
    c = `el=(${terms.length === 0 ? "0" : terms.join("+")})>>>0;eh=0;`;
  }
  if (segment && insn.segment >= SEG_FS) {
    const f = insn.segment === SEG_GS ? "gs" : "fs";
    c += ctx.mode === 64
      ? `{const t=el+cpu.${f}BaseLo;const l=t>>>0;eh=(eh+cpu.${f}BaseHi+(t>=4294967296?1:0))>>>0;el=l;}`
      : `el=(el+cpu.${f}BaseLo)>>>0;eh=0;`;
  }
  return c;
}

/**
 * Statements loading `1 << w` bytes at `(eh, el)` into `v` (and `vh` at
 * width 3), declared by the caller.
 *
 * @param w Width 0–3.
 * @returns JavaScript statements.
 */
export function emitLoad(w: number): string {
  const t = tlb("tr", "ra");
  switch (w) {
    case 0:
      return `${t}v=u8[o];`;
    case 1:
      return `if((el&4095)<=4094){${t}v=dv.getUint16(o,true);}else v=rdm(cpu,eh,el,1);`;
    case 2:
      return `if((el&4095)<=4092){${t}v=dv.getUint32(o,true);}else v=rdm(cpu,eh,el,2);`;
    default:
      return `if((el&4095)<=4088){${t}v=dv.getUint32(o,true);vh=dv.getUint32(o+4,true);}` +
        `else{v=rdm(cpu,eh,el,3);vh=regs[${OP_HI}];}`;
  }
}

/**
 * Statements setting `o` to the backing offset of `(eh, el)` through the
 * block's software TLB (`tr` for reads, `tw` for writes: per CPU, a new
 * generation when a run starts, filled from `mem.translate` by `tf` in
 * `jit.ts`). A
 * hit skips the call; a miss translates, so it faults as the interpreter
 * does.
 *
 * @param table `tr` or `tw`.
 * @param access `ra` or `wa` (the access code with the TLB generation).
 * @returns JavaScript statements.
 */
export function tlb(table: string, access: string): string {
  return `{const j=(el>>>10)&1020;o=${table}[j]===((el&-4096)|${access})&&` +
    `${table}[j+1]===(eh|0)?${table}[j+2]+(el&4095):tf(cpu,eh,el,${access},${table});}`;
}

/**
 * Statements storing `1 << w` bytes of `(hi, lo)` at `(eh, el)`.
 *
 * @param w Width 0–3.
 * @param lo Low half (an expression evaluated once).
 * @param hi High half (width 3).
 * @returns JavaScript statements.
 */
export function emitStore(w: number, lo: string, hi: string): string {
  const t = tlb("tw", "wa");
  switch (w) {
    case 0:
      return `${t}u8[o]=${lo};`;
    case 1:
      return `if((el&4095)<=4094){${t}dv.setUint16(o,${lo},true);}else wrm(cpu,eh,el,1,${lo},0);`;
    case 2:
      return `if((el&4095)<=4092){${t}dv.setUint32(o,${lo},true);}else wrm(cpu,eh,el,2,${lo},0);`;
    default:
      return `if((el&4095)<=4088){${t}dv.setUint32(o,${lo},true);dv.setUint32(o+4,${hi},true);}` +
        `else wrm(cpu,eh,el,3,${lo},${hi});`;
  }
}

/**
 * Statements beginning a read-modify-write at `(eh, el)`: checks the
 * operand writable (both pages when it crosses one) and loads it into
 * `v`/`vh`, leaving the backing offset in `o` (-1 when crossing), as
 * `beginRmw` + `rmwRead` do.
 *
 * @param w Width 0–3.
 * @returns JavaScript statements.
 */
export function emitRmwLoad(w: number): string {
  const size = 1 << w;
  let c = `if((el&4095)<=${4096 - size})${tlb("tw", "wa")}else{o=-1;pw(cpu,eh,el,${size});}`;
  switch (w) {
    case 0:
      return c + "v=u8[o];";
    case 1:
      return c + "v=o>=0?dv.getUint16(o,true):rdm(cpu,eh,el,1);";
    case 2:
      return c + "v=o>=0?dv.getUint32(o,true):rdm(cpu,eh,el,2);";
    default:
      c += "if(o>=0){v=dv.getUint32(o,true);vh=dv.getUint32(o+4,true);}";
      return c + `else{v=rdm(cpu,eh,el,3);vh=regs[${OP_HI}];}`;
  }
}

/**
 * Statements completing a read-modify-write begun by `emitRmwLoad`.
 *
 * @param w Width 0–3.
 * @param lo Low half.
 * @param hi High half (width 3).
 * @returns JavaScript statements.
 */
export function emitRmwStore(w: number, lo: string, hi: string): string {
  switch (w) {
    case 0:
      return `u8[o]=${lo};`;
    case 1:
      return `if(o>=0)dv.setUint16(o,${lo},true);else wrm(cpu,eh,el,1,${lo},0);`;
    case 2:
      return `if(o>=0)dv.setUint32(o,${lo},true);else wrm(cpu,eh,el,2,${lo},0);`;
    default:
      return `if(o>=0){dv.setUint32(o,${lo},true);dv.setUint32(o+4,${hi},true);}` +
        `else wrm(cpu,eh,el,3,${lo},${hi});`;
  }
}
