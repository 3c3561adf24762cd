// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Instruction emitters of the block translator (`jit.ts`): each turns one
 * decoded instruction into JavaScript that does exactly what its handler in
 * `alu.ts`, `move.ts`, `stack.ts` or `control.ts` does for that operand
 * shape, with widths, registers, immediates and displacements folded as
 * constants and the flags kept in the block's locals (`jit_emit_flags.ts`).
 * The families inlined are the ones the kernel's hot paths are made of:
 * mov/lea/movzx/movsx/movsxd, the eight ALU operations in all forms,
 * test, inc/dec, neg/not, push/pop, jcc (a side exit when taken), direct
 * jmp/call (followed inside the page), and the block-ending ret and
 * indirect call/jmp. Anything else returns null (`jit.ts` calls the
 * interpreter's handler for a known-plain instruction, or ends the block).
 *
 * @module
 */

import { LF_ADC, LF_ADD, LF_DEC, LF_INC, LF_LOGIC, LF_SBB, LF_SUB } from "./flags.ts";
import {
  type EmitCtx,
  emitEa,
  emitLoad,
  emitRmwLoad,
  emitRmwStore,
  emitStore,
  regHi,
  regLo,
  setReg,
} from "./jit_emit_mem.ts";
import { ccExpr, cfExpr, type FlagState } from "./jit_emit_flags.ts";
import { BRANCH_RIP, BRANCH_TARGET, RAX, RIP_HI, RIP_LO } from "./regs.ts";

/** What an emitter produced for one instruction. */
export interface Emitted {
  /** The statements. */
  code: string;
  /** It may throw a fault (the block sets its index first). */
  faults: boolean;
  /** It stores to memory (a store to an executable page may flush the block). */
  stores: boolean;
  /** It ends the block (its code contains every exit). */
  terminal: boolean;
  /**
   * A direct jmp/call: the block may go on at its static target (same page,
   * not yet in the block), else it must exit there with `BRANCH_TARGET`.
   */
  jumps: boolean;
}

/** The translation state an emitter reads and updates. */
export interface OpCtx extends EmitCtx {
  /** Flag state before the instruction; emitters update it. */
  flags: FlagState;
  /** Stack width in bytes (8 or 4). */
  stackSize: number;
  /** An exit after this instruction: flags written back, clock advanced, `cpu.branch` set if given. */
  exit: (branch: number) => string;
}

const MASK = ["255", "65535", "-1", "-1"];
const KIND = [LF_ADD, LF_LOGIC, LF_ADC, LF_SBB, LF_LOGIC, LF_SUB, LF_LOGIC, LF_SUB];

function out(
  code: string,
  faults: boolean,
  stores: boolean,
  terminal = false,
  jumps = false,
): Emitted {
  return { code, faults, stores, terminal, jumps };
}

// The flag locals after a writer of `kind` at width `w` with operands in
// a/ah/b/bh, result r/rh and carry c.
function setFlags(ctx: OpCtx, kind: number, w: number): string {
  ctx.flags = { kind, w };
  let c = `fo=${kind};fw=${w};fa=a;fb=b;fr=r;`;
  if (w === 3) c += "fah=ah;fbh=bh;frh=rh;";
  if (kind === LF_ADC || kind === LF_SBB || kind === LF_INC || kind === LF_DEC) c += "fc=c;";
  return c;
}

// r/rh = a op b at width w (ALU_OPS), flags recorded in the locals.
function aluCore(ctx: OpCtx, op: number, w: number): string {
  const m = MASK[w];
  let c: string;
  switch (op) {
    case 0:
      c = w === 3 ? "r=(a+b)>>>0;rh=(ah+bh+(r<a?1:0))>>>0;" : `r=((a+b)&${m})>>>0;`;
      break;
    case 1:
      c = "r=(a|b)>>>0;rh=(ah|bh)>>>0;";
      break;
    case 4:
      c = "r=(a&b)>>>0;rh=(ah&bh)>>>0;";
      break;
    case 6:
      c = "r=(a^b)>>>0;rh=(ah^bh)>>>0;";
      break;
    case 2:
      c = `c=${cfExpr(ctx.flags)};s=a+b+c;` +
        (w === 3 ? "r=s>>>0;rh=(ah+bh+(s>=4294967296?1:0))>>>0;" : `r=(s&${m})>>>0;`);
      break;
    case 3:
      c = `c=${cfExpr(ctx.flags)};s=a-b-c;` +
        (w === 3 ? "r=s>>>0;rh=(ah-bh-(s<0?1:0))>>>0;" : `r=(s&${m})>>>0;`);
      break;
    default:
      c = w === 3 ? "r=(a-b)>>>0;rh=(ah-bh-(a<b?1:0))>>>0;" : `r=((a-b)&${m})>>>0;`;
  }
  return c + setFlags(ctx, KIND[op], w);
}

// a/ah from the r/m operand (register or memory load).
function readE(ctx: OpCtx, w: number): string | null {
  const insn = ctx.insn;
  if (insn.mod === 3) {
    return `a=${regLo(insn, insn.rm, w)};ah=${w === 3 ? regHi(insn.rm) : "0"};`;
  }
  const ea = emitEa(ctx, true);
  if (ea === null) return null;
  return ea + emitLoad(w) + `a=v;ah=${w === 3 ? "vh" : "0"};`;
}

// `op E, b` where b/bh are set by `src`: register or read-modify-write.
function toE(ctx: OpCtx, op: number, w: number, src: string, write: boolean): Emitted | null {
  const insn = ctx.insn;
  if (insn.mod === 3) {
    const rm = insn.rm;
    let c = `a=${regLo(insn, rm, w)};ah=${w === 3 ? regHi(rm) : "0"};` + src + aluCore(ctx, op, w);
    if (write) c += setReg(insn, rm, w, "r", "rh");
    return out(c, false, false);
  }
  const ea = emitEa(ctx, true);
  if (ea === null) return null;
  if (!write) {
    const c = ea + emitLoad(w) + `a=v;ah=${w === 3 ? "vh" : "0"};` + src + aluCore(ctx, op, w);
    return out(c, true, false);
  }
  const c = ea + emitRmwLoad(w) + `a=v;ah=${w === 3 ? "vh" : "0"};` + src + aluCore(ctx, op, w) +
    emitRmwStore(w, "r", "rh");
  return out(c, true, true);
}

function immSrc(ctx: OpCtx): string {
  return `b=${ctx.insn.imm};bh=${ctx.insn.immHi};`;
}

function emitAlu(ctx: OpCtx): Emitted | null {
  const insn = ctx.insn;
  const opc = insn.opcode;
  const w = insn.width;
  const g = insn.reg;
  if (opc < 0x40) {
    const op = opc >> 3;
    const form = opc & 7;
    const write = op !== 7;
    const gSrc = `b=${regLo(insn, g, w)};bh=${w === 3 ? regHi(g) : "0"};`;
    if (form <= 1) return toE(ctx, op, w, gSrc, write);
    if (form <= 3) {
      // op G, E: E read first (it may fault), then G.
      const e = readE(ctx, w);
      if (e === null) return null;
      let c = e + "b=a;bh=ah;" + `a=${regLo(insn, g, w)};ah=${w === 3 ? regHi(g) : "0"};` +
        aluCore(ctx, op, w);
      if (write) c += setReg(insn, g, w, "r", "rh");
      return out(c, insn.mod !== 3, false);
    }
    let c = `a=${regLo(insn, RAX, w)};ah=${w === 3 ? regHi(RAX) : "0"};` + immSrc(ctx) +
      aluCore(ctx, op, w);
    if (write) c += setReg(insn, RAX, w, "r", "rh");
    return out(c, false, false);
  }
  const op = g & 7;
  return toE(ctx, op, w, immSrc(ctx), op !== 7);
}

function emitTest(ctx: OpCtx): Emitted | null {
  const insn = ctx.insn;
  const w = insn.width;
  let src: string;
  let e: string | null;
  if (insn.opcode === 0xa8 || insn.opcode === 0xa9) {
    e = `a=${regLo(insn, RAX, w)};ah=${w === 3 ? regHi(RAX) : "0"};`;
    src = immSrc(ctx);
  } else {
    e = readE(ctx, w);
    src = insn.opcode <= 0x85
      ? `b=${regLo(insn, insn.reg, w)};bh=${w === 3 ? regHi(insn.reg) : "0"};`
      : immSrc(ctx);
  }
  if (e === null) return null;
  const c = e + src + "r=(a&b)>>>0;rh=(ah&bh)>>>0;" + setFlags(ctx, LF_LOGIC, w);
  return out(c, insn.mod !== 3 && insn.opcode !== 0xa8 && insn.opcode !== 0xa9, false);
}

// inc/dec/neg/not on E (or the register of 40+r/48+r).
function emitUnary(ctx: OpCtx, which: number, r: number): Emitted | null {
  const insn = ctx.insn;
  const w = insn.width;
  const m = MASK[w];
  let body: string;
  switch (which) {
    case 0: // inc
    case 1: // dec
      body = `c=${cfExpr(ctx.flags)};s=a${which === 1 ? "-" : "+"}1;` +
        (w === 3 ? "r=s>>>0;rh=(ah+(s<0?-1:s>=4294967296?1:0))>>>0;" : `r=(s&${m})>>>0;rh=0;`) +
        "b=1;bh=0;" + setFlags(ctx, which === 1 ? LF_DEC : LF_INC, w);
      break;
    case 2: // not
      body = `r=(~a&${m})>>>0;rh=${w === 3 ? "~ah>>>0" : "0"};`;
      break;
    default: // neg: 0 - a
      body = "b=a;bh=ah;a=0;ah=0;" +
        (w === 3 ? "r=(a-b)>>>0;rh=(ah-bh-(a<b?1:0))>>>0;" : `r=((a-b)&${m})>>>0;`) +
        setFlags(ctx, LF_SUB, w);
  }
  if (r >= 0 || insn.mod === 3) {
    const reg = r >= 0 ? r : insn.rm;
    const c = `a=${regLo(insn, reg, w)};ah=${w === 3 ? regHi(reg) : "0"};` + body +
      setReg(insn, reg, w, "r", "rh");
    return out(c, false, false);
  }
  const ea = emitEa(ctx, true);
  if (ea === null) return null;
  const c = ea + emitRmwLoad(w) + `a=v;ah=${w === 3 ? "vh" : "0"};` + body +
    emitRmwStore(w, "r", "rh");
  return out(c, true, true);
}

function emitMov(ctx: OpCtx): Emitted | null {
  const insn = ctx.insn;
  const opc = insn.opcode;
  const w = insn.width;
  const g = insn.reg;
  switch (opc) {
    case 0x88:
    case 0x89: {
      if (insn.mod === 3) {
        const c = `a=${regLo(insn, g, w)};ah=${w === 3 ? regHi(g) : "0"};` +
          setReg(insn, insn.rm, w, "a", "ah");
        return out(c, false, false);
      }
      const ea = emitEa(ctx, true);
      if (ea === null) return null;
      const c = ea + `a=${regLo(insn, g, w)};ah=${w === 3 ? regHi(g) : "0"};` +
        emitStore(w, "a", "ah");
      return out(c, true, true);
    }
    case 0x8a:
    case 0x8b: {
      const e = readE(ctx, w);
      if (e === null) return null;
      return out(e + setReg(insn, g, w, "a", "ah"), insn.mod !== 3, false);
    }
    case 0xc6:
    case 0xc7: {
      if ((g & 7) !== 0) return null;
      if (insn.mod === 3) {
        return out(setReg(insn, insn.rm, w, `${insn.imm}`, `${insn.immHi}`), false, false);
      }
      const ea = emitEa(ctx, true);
      if (ea === null) return null;
      return out(ea + emitStore(w, `${insn.imm}`, `${insn.immHi}`), true, true);
    }
    case 0x8d: {
      if (insn.mod === 3) return null;
      const ea = emitEa(ctx, false);
      if (ea === null) return null;
      return out(ea + setReg(insn, g, w, "el", "eh"), false, false);
    }
    case 0x1b6:
    case 0x1b7:
    case 0x1be:
    case 0x1bf: {
      const sw = (opc & 1) === 0 ? 0 : 1;
      const e = readE(ctx, sw);
      if (e === null) return null;
      let c = e;
      if (opc < 0x1be) c += setReg(insn, g, w, "a", "0");
      else {
        c += `s=${sw === 0 ? "(a<<24)>>24" : "(a<<16)>>16"};` +
          setReg(insn, g, w, w === 1 ? "s&65535" : "s>>>0", "(s<0?4294967295:0)");
      }
      return out(c, insn.mod !== 3, false);
    }
    case 0x63: {
      if (ctx.mode !== 64) return null;
      const e = readE(ctx, 2);
      if (e === null) return null;
      const c = e +
        (w === 3
          ? setReg(insn, g, 3, "a", "((a&2147483648)!==0?4294967295:0)")
          : setReg(insn, g, w, w === 1 ? "a&65535" : "a", "0"));
      return out(c, insn.mod !== 3, false);
    }
  }
  if (opc >= 0xb0 && opc <= 0xb7) {
    return out(setReg(insn, insn.rm, 0, `${insn.imm}`, "0"), false, false);
  }
  if (opc >= 0xb8 && opc <= 0xbf) {
    return out(setReg(insn, insn.rm, w, `${insn.imm}`, `${insn.immHi}`), false, false);
  }
  return null;
}

// Stores (lo, hi) below RSP and moves RSP, as stack.ts push() does.
function pushCode(ctx: OpCtx, lo: string, hi: string): string {
  const s = ctx.stackSize;
  return `{const sl=regs[8];el=(sl-${s})>>>0;eh=${
    s === 8 ? `(regs[9]-(sl<${s}?1:0))>>>0` : "0"
  };}` + emitStore(s === 8 ? 3 : 2, lo, hi) + "regs[8]=el;regs[9]=eh;";
}

// Loads the stack top into v/vh (vh 0 at 4 bytes) without moving RSP.
function topCode(ctx: OpCtx): string {
  const s = ctx.stackSize;
  return `el=regs[8];eh=${s === 8 ? "regs[9]" : "0"};` + emitLoad(s === 8 ? 3 : 2) +
    (s === 8 ? "" : "vh=0;");
}

function addSpCode(ctx: OpCtx, delta: number): string {
  return `{const sl=regs[8];const l=(sl+${delta})>>>0;regs[8]=l;regs[9]=${
    ctx.stackSize === 8 ? "(regs[9]+(l<sl?1:0))>>>0" : "0"
  };}`;
}

function emitStack(ctx: OpCtx): Emitted | null {
  const insn = ctx.insn;
  const opc = insn.opcode;
  if (insn.opsize !== ctx.stackSize) return null;
  const r = insn.rm;
  if (opc >= 0x50 && opc <= 0x57) {
    return out(
      `v=regs[${r << 1}];vh=regs[${(r << 1) | 1}];` + pushCode(ctx, "v", "vh"),
      true,
      true,
    );
  }
  if (opc >= 0x58 && opc <= 0x5f) {
    const c = topCode(ctx) + addSpCode(ctx, ctx.stackSize) +
      `regs[${r << 1}]=v;regs[${(r << 1) | 1}]=vh;`;
    return out(c, true, false);
  }
  if (opc === 0x68 || opc === 0x6a) {
    return out(pushCode(ctx, `${insn.imm}`, `${insn.immHi}`), true, true);
  }
  return null;
}

function emitControl(ctx: OpCtx): Emitted | null {
  const insn = ctx.insn;
  const opc = insn.opcode;
  if ((opc >= 0x70 && opc <= 0x7f) || (opc >= 0x180 && opc <= 0x18f)) {
    // Taken: a side exit; not taken: the block goes on.
    return out(`if(${ccExpr(ctx.flags, insn.cc)})${ctx.exit(BRANCH_TARGET)}`, false, false);
  }
  if (opc === 0xeb || opc === 0xe9) return out("", false, false, false, true);
  if (opc === 0xe8) {
    if (insn.opsize === 2 && ctx.mode === 32) return null;
    return out(pushCode(ctx, `${insn.nextLo}`, `${insn.nextHi}`), true, true, false, true);
  }
  if (opc === 0xc3 || opc === 0xc2) {
    if (insn.opsize === 2) return null;
    const c = topCode(ctx) + addSpCode(ctx, ctx.stackSize + (opc === 0xc2 ? insn.imm : 0)) +
      `regs[${RIP_LO}]=v;regs[${RIP_HI}]=${ctx.mode === 64 ? "vh" : "0"};` + ctx.exit(BRANCH_RIP);
    return out(c, true, false, true);
  }
  if (opc === 0xff && ((insn.reg & 7) === 2 || (insn.reg & 7) === 4)) {
    const w = insn.width;
    if (w !== (ctx.stackSize === 8 ? 3 : 2) || insn.opsize !== ctx.stackSize) return null;
    const e = readE(ctx, w);
    if (e === null) return null;
    let c = e;
    if ((insn.reg & 7) === 2) c += pushCode(ctx, `${insn.nextLo}`, `${insn.nextHi}`);
    c += `regs[${RIP_LO}]=a;regs[${RIP_HI}]=${w === 3 ? "ah" : "0"};` + ctx.exit(BRANCH_RIP);
    return out(c, true, false, true);
  }
  return null;
}

/**
 * Specialised code for `ctx.insn`, or null when it has no inline form.
 *
 * @param ctx The translation context (its flag state is updated).
 * @returns The emitted code, or null.
 */
export function emitInsn(ctx: OpCtx): Emitted | null {
  const insn = ctx.insn;
  const opc = insn.opcode;
  if (insn.invalid !== 0 || (insn.prefixes & 0x50) !== 0) return null; // LOCK, VEX
  if (opc < 0x40 && (opc & 7) < 6 && (opc & 0xc0) === 0) return emitAlu(ctx);
  if (opc === 0x80 || opc === 0x81 || opc === 0x83) return emitAlu(ctx);
  if (opc === 0x84 || opc === 0x85 || opc === 0xa8 || opc === 0xa9) return emitTest(ctx);
  if ((opc === 0xf6 || opc === 0xf7) && (insn.reg & 7) <= 1) return emitTest(ctx);
  if ((opc === 0xf6 || opc === 0xf7) && (insn.reg & 7) <= 3) {
    return emitUnary(ctx, insn.reg & 7, -1);
  }
  if ((opc === 0xfe || opc === 0xff) && (insn.reg & 7) <= 1) {
    return emitUnary(ctx, insn.reg & 7, -1);
  }
  if (ctx.mode === 32 && opc >= 0x40 && opc <= 0x4f) {
    return emitUnary(ctx, (opc & 8) !== 0 ? 1 : 0, insn.rm);
  }
  if (opc === 0x90 && insn.rm === RAX) return out("", false, false); // nop, pause
  if (opc === 0x11f) return out("", false, false); // nop r/m
  const mov = emitMov(ctx);
  if (mov !== null) return mov;
  if ((opc >= 0x50 && opc <= 0x5f) || opc === 0x68 || opc === 0x6a) return emitStack(ctx);
  return emitControl(ctx);
}
