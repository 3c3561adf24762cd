// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The SPARC V9 decoder: one big-endian instruction word into a monomorphic
 * {@linkcode Sparc64DecodedInsn}. Pure: it reads the word and the tables of
 * `opcodes.ts`, never registers or memory. Fields are extracted once
 * (immediates sign-extended, displacements in bytes, ASI and condition
 * fields split out) so the semantics only index registers. Meant for the
 * interpreter through the decode cache, for the Kprobes analyzer (is this
 * a PC-relative branch, a `call`, a `jmpl`, a delayed control transfer?)
 * and for the Capstone cross-check.
 *
 * Mnemonics are V9 base forms with the condition spelled out and the
 * annul and prediction suffixes (`bne,a,pt`, `brz,pn`, `movrnz`, `tne`,
 * `sllx`, `lduw`); assembler aliases (`nop`, `mov`, `cmp`, `ret`, `clr`)
 * are a display matter and live in the cross-check test.
 *
 * @module
 */

import {
  F_ALT,
  FCC_COND_NAMES,
  FMT_B19,
  FMT_B22,
  FMT_BR,
  FMT_CALL,
  FMT_CAS,
  FMT_FPOP,
  FMT_ILLTRAP,
  FMT_MOVCC,
  FMT_MOVR,
  FMT_NOARGS,
  FMT_NONE,
  FMT_RDREG,
  FMT_SETHI,
  FMT_SHIFT,
  FMT_TCC,
  FMT_WRREG,
  ICC_COND_NAMES,
  RCOND_NAMES,
  SLOT_MEMBAR,
  SLOT_RESTORED,
  SLOT_RETRY,
  SLOT_SIR,
  SLOT_STBAR,
  SPARC64_FLAGS,
  SPARC64_FORMAT,
  SPARC64_ILLEGAL_SLOT,
  SPARC64_MNEMONIC,
  sparc64Slot,
} from "./opcodes.ts";

/** `Sparc64DecodedInsn.cc` of an icc condition (BPcc/Tcc cc1‖cc0 = 00, MOVcc cc2‖cc1‖cc0 = 100). */
export const CC_ICC: number = 0;
/** `Sparc64DecodedInsn.cc` of an xcc condition (cc1‖cc0 = 10, MOVcc 110). */
export const CC_XCC: number = 2;
/** `Sparc64DecodedInsn.asi` when the ASI comes from the `%asi` register (i = 1). */
export const ASI_REG: number = -1;

/**
 * One decoded instruction: numbers plus the mnemonic. Internal hot data
 * (public fields, no accessors), filled by {@linkcode decodeSparc64}; the
 * address fields and successor links are for the CPU's fetch.
 */
export class Sparc64DecodedInsn {
  /** The instruction word. */
  word = 0;
  /** Length in bytes: always 4. */
  length = 4;
  /** op (bits 31:30): 0 branches/sethi, 1 call, 2 arithmetic, 3 memory. */
  op = 0;
  /** op2 (bits 24:22) of op 0, else -1. */
  op2: number = -1;
  /** op3 (bits 24:19) of op 2 and 3, else -1. */
  op3: number = -1;
  /** Index into the dispatch table (`SPARC64_ILLEGAL_SLOT` when invalid). */
  dispatch: number = SPARC64_ILLEGAL_SLOT;
  /** 1 if executing the word raises `illegal_instruction`: every invalid word, and `illtrap`. */
  illegal = 1;
  /** `F_*` flags of the slot. */
  flags = 0;
  /** `FMT_*` format of the slot. */
  format: number = FMT_NONE;
  /** Mnemonic (V9 base form with condition and suffixes). */
  mnemonic = "(bad)";
  /** rd (bits 29:25); for rd/wr/rdpr/wrpr forms the register number, for saved/done/prefetch the fcn. */
  rd = 0;
  /** rs1 (bits 18:14). */
  rs1 = 0;
  /** rs2 (bits 4:0), meaningful when `i` = 0. */
  rs2 = 0;
  /** The i bit (13): 1 when the second operand is an immediate. */
  i = 0;
  /** simm13 (bits 12:0), sign-extended. */
  simm13 = 0;
  /**
   * The second operand when `i` = 1, ready to use: simm13, simm11 (MOVcc),
   * simm10 (MOVr), the shift count, or the software trap number (Tcc); for
   * `sethi` the value imm22 << 10 (unsigned); for `illtrap` const22.
   */
  imm = 0;
  /** imm22 (bits 21:0) of `sethi` and `illtrap`. */
  imm22 = 0;
  /** Byte displacement of a PC-relative transfer: disp30, disp22, disp19 or d16 times 4, sign-extended. */
  disp = 0;
  /** Annul bit (29) of branches. */
  annul = 0;
  /** cond (Bicc/BPcc/FBfcc/Tcc: bits 28:25; MOVcc: bits 17:14). */
  cond = 0;
  /** rcond of BPr (bits 27:25) and MOVr (bits 12:10). */
  rcond = 0;
  /**
   * Condition-code selector: `CC_ICC` (0) or `CC_XCC` (2) for BPcc, Tcc and
   * integer MOVcc; fccN (0–3) for FBPfcc and floating MOVcc.
   */
  cc = 0;
  /** 1 when MOVcc tests an fcc (cc2 = 0) or the branch is FBfcc/FBPfcc. */
  fcc = 0;
  /** Prediction bit p (19) of BPcc, BPr, FBPfcc: 1 = predict taken. */
  predict = 0;
  /** x bit (12) of shifts: 1 for the 64-bit forms. */
  x = 0;
  /** Shift count of immediate shifts (shcnt32 or shcnt64). */
  shcnt = 0;
  /** membar mmask (bits 3:0). */
  mmask = 0;
  /** membar cmask (bits 6:4). */
  cmask = 0;
  /** ASI of alternate-space forms: imm_asi (bits 12:5) or `ASI_REG` (-1); 0 for others. */
  asi = 0;
  /** Software trap number of `Tcc` with i = 1 (bits 6:0). */
  swTrap = 0;
  /** opf (bits 13:5) of FPop1/FPop2. */
  opf = 0;
  /** 1 for PC-relative transfers (`call`, Bicc, BPcc, BPr, FBfcc, FBPfcc). */
  relative = 0;
  /** Address, low half (set by the fetch). */
  addrLo = 0;
  /** Address, high half. */
  addrHi = 0;
  /** Static branch target, low half (relative transfers). */
  targetLo = 0;
  /** Static branch target, high half. */
  targetHi = 0;
  /** Threaded successor on fall-through (interpreter cache; may be null). */
  next: Sparc64DecodedInsn | null = null;
  /** Threaded successor at the static target. */
  target: Sparc64DecodedInsn | null = null;
  /** Interpreted entries of a block starting here (the block translator's hotness count). */
  jitHits = 0;
  /** The compiled block starting here (`jit.ts`), or null. */
  jitBlock: object | null = null;
}

/**
 * Decodes one instruction word.
 *
 * @param word The 32-bit instruction (as read big-endian).
 * @param out Record to fill (a new one if omitted); address fields are left alone.
 * @returns `out`.
 *
 * @example Decode `save %sp, -176, %sp` and the kprobe breakpoint
 * ```ts
 * import { decodeSparc64 } from "./decode.ts";
 * import assert from "node:assert/strict";
 * const d = decodeSparc64(0x9de3bf50);
 * assert.equal(d.mnemonic, "save");
 * assert.deepEqual([d.rd, d.rs1, d.i, d.imm], [14, 14, 1, -176]);
 * const ta = decodeSparc64(0x91d02070);
 * assert.deepEqual([ta.mnemonic, ta.swTrap], ["ta", 0x70]);
 * assert.equal(decodeSparc64(0x00000000).mnemonic, "illtrap");
 * ```
 */
export function decodeSparc64(word: number, out?: Sparc64DecodedInsn): Sparc64DecodedInsn {
  const d = out ?? new Sparc64DecodedInsn();
  word >>>= 0;
  d.word = word;
  d.length = 4;
  const op = word >>> 30;
  d.op = op;
  d.op2 = op === 0 ? (word >>> 22) & 7 : -1;
  d.op3 = op >= 2 ? (word >>> 19) & 0x3f : -1;
  d.rd = (word >>> 25) & 31;
  d.rs1 = (word >>> 14) & 31;
  d.rs2 = word & 31;
  d.i = (word >>> 13) & 1;
  d.simm13 = (word << 19) >> 19;
  d.imm = d.i !== 0 ? d.simm13 : 0;
  d.imm22 = 0;
  d.disp = 0;
  d.annul = 0;
  d.cond = 0;
  d.rcond = 0;
  d.cc = 0;
  d.fcc = 0;
  d.predict = 0;
  d.x = 0;
  d.shcnt = 0;
  d.mmask = 0;
  d.cmask = 0;
  d.asi = 0;
  d.swTrap = 0;
  d.opf = 0;
  d.relative = 0;
  d.next = null;
  d.target = null;
  d.jitHits = 0;
  d.jitBlock = null;

  let s = sparc64Slot(word);
  let name = SPARC64_MNEMONIC[s];
  if (name === "") return illegal(d);
  const fmt = SPARC64_FORMAT[s];
  switch (fmt) {
    case FMT_ILLTRAP:
    case FMT_SETHI:
      d.imm22 = word & 0x3fffff;
      d.imm = fmt === FMT_SETHI ? (d.imm22 << 10) >>> 0 : d.imm22;
      d.i = 0;
      break;
    case FMT_CALL:
      d.disp = (word << 2) | 0; // disp30 × 4, sign from bit 29
      d.relative = 1;
      break;
    case FMT_B22:
    case FMT_B19:
      d.annul = (word >>> 29) & 1;
      d.cond = (word >>> 25) & 15;
      d.relative = 1;
      d.i = 0;
      d.imm = 0;
      d.fcc = s === 5 || s === 6 ? 1 : 0;
      if (fmt === FMT_B22) {
        d.disp = ((word << 10) >> 10) * 4;
      } else {
        d.disp = ((word << 13) >> 13) * 4;
        d.cc = (word >>> 20) & 3;
        d.predict = (word >>> 19) & 1;
        if (d.fcc === 0 && (d.cc & 1) !== 0) return illegal(d); // BPcc cc0 = 1 is reserved
      }
      name = (d.fcc !== 0 ? "fb" + FCC_COND_NAMES[d.cond] : "b" + ICC_COND_NAMES[d.cond]) +
        (d.annul !== 0 ? ",a" : "") + (fmt === FMT_B19 ? (d.predict !== 0 ? ",pt" : ",pn") : "");
      break;
    case FMT_BR: {
      d.annul = (word >>> 29) & 1;
      d.rcond = (word >>> 25) & 7;
      d.predict = (word >>> 19) & 1;
      if ((word & 0x10000000) !== 0 || RCOND_NAMES[d.rcond] === "") return illegal(d);
      const d16 = (((word >>> 20) & 3) << 14) | (word & 0x3fff);
      d.disp = ((d16 << 16) >> 16) * 4;
      d.relative = 1;
      d.i = 0;
      d.imm = 0;
      name = "br" + RCOND_NAMES[d.rcond] + (d.annul !== 0 ? ",a" : "") +
        (d.predict !== 0 ? ",pt" : ",pn");
      break;
    }
    case FMT_SHIFT:
      d.x = (word >>> 12) & 1;
      if (d.i !== 0) {
        d.shcnt = word & (d.x !== 0 ? 63 : 31);
        d.imm = d.shcnt;
      }
      if (d.x !== 0) name += "x";
      break;
    case FMT_MOVCC: {
      const cc2 = (word >>> 18) & 1;
      d.cc = (word >>> 11) & 3;
      d.cond = (word >>> 14) & 15;
      d.fcc = cc2 === 0 ? 1 : 0;
      if (cc2 !== 0 && (d.cc & 1) !== 0) return illegal(d);
      if (d.i !== 0) d.imm = (word << 21) >> 21; // simm11
      name = "mov" + (d.fcc !== 0 ? FCC_COND_NAMES[d.cond] : ICC_COND_NAMES[d.cond]);
      break;
    }
    case FMT_MOVR:
      d.rcond = (word >>> 10) & 7;
      if (RCOND_NAMES[d.rcond] === "") return illegal(d);
      if (d.i !== 0) d.imm = (word << 22) >> 22; // simm10
      name = "movr" + RCOND_NAMES[d.rcond];
      break;
    case FMT_TCC:
      d.cond = (word >>> 25) & 15;
      d.cc = (word >>> 11) & 3;
      if ((d.cc & 1) !== 0 || (word & 0x20000000) !== 0) return illegal(d);
      if (d.i !== 0) {
        d.swTrap = word & 0x7f;
        d.imm = d.swTrap;
      }
      name = "t" + ICC_COND_NAMES[d.cond];
      break;
    case FMT_RDREG:
      if (d.op3 === 0x28) {
        if (d.rs1 === 15 && d.rd === 0) {
          s = d.i !== 0 ? SLOT_MEMBAR : SLOT_STBAR;
          name = SPARC64_MNEMONIC[s];
          d.mmask = word & 15;
          d.cmask = (word >>> 4) & 7;
        } else if (d.rs1 === 1 || (d.rs1 >= 7 && d.rs1 <= 15) || d.i !== 0) {
          return illegal(d);
        }
      } else if ((d.rs1 > 15 && d.rs1 !== 31) || d.i !== 0) {
        return illegal(d); // rdpr: 0-15 and %ver (31)
      }
      d.imm = 0;
      break;
    case FMT_WRREG:
      if (d.op3 === 0x30) {
        if (d.rd === 15) {
          if (d.rs1 !== 0 || d.i === 0) return illegal(d);
          s = SLOT_SIR;
          name = "sir";
        } else if (d.rd === 1 || d.rd === 4 || d.rd === 5 || (d.rd >= 7 && d.rd <= 14)) {
          return illegal(d);
        }
      } else if (d.rd > 14) {
        return illegal(d); // wrpr: 0-14
      }
      break;
    case FMT_FPOP:
      d.opf = (word >>> 5) & 0x1ff;
      d.i = 0;
      d.imm = 0;
      break;
    default:
      // FMT_ARITH, FMT_MEM, FMT_CAS, FMT_NOARGS, FMT_NONE
      if (d.op3 === 0x31 && d.op === 2) {
        if (d.rd > 1) return illegal(d);
        if (d.rd === 1) s = SLOT_RESTORED;
        name = SPARC64_MNEMONIC[s];
      } else if (d.op3 === 0x3e && d.op === 2) {
        if (d.rd > 1) return illegal(d);
        if (d.rd === 1) s = SLOT_RETRY;
        name = SPARC64_MNEMONIC[s];
      } else if (d.op3 === 0x2e && d.op === 2 && d.rs1 !== 0) {
        return illegal(d); // popc: rs1 must be 0
      } else if ((d.op3 === 0x39 || d.op3 === 0x3b) && d.op === 2 && d.rd !== 0) {
        return illegal(d); // return, flush: rd is reserved
      } else if (d.op === 3 && (d.op3 & 0x28) === 0 && (d.op3 & 3) === 3 && (d.rd & 1) !== 0) {
        return illegal(d); // ldd, std, ldda, stda: an odd rd is illegal_instruction
      } else if (d.op === 3 && (d.op3 === 0x2d || d.op3 === 0x3d) && d.rd >= 5 && d.rd <= 15) {
        return illegal(d); // prefetch fcn 5-15 are reserved
      } else if (fmt === FMT_NONE) {
        return illegal(d); // IMPDEP1/2 (VIS): not on this CPU
      }
  }
  const flags = SPARC64_FLAGS[s];
  if ((word & reservedMask(s, fmt, d.i, d.x, flags)) !== 0) return illegal(d);
  if ((flags & F_ALT) !== 0 || fmt === FMT_CAS) d.asi = d.i !== 0 ? ASI_REG : (word >>> 5) & 0xff;
  if (fmt === FMT_CAS) d.imm = 0;
  d.dispatch = s;
  d.illegal = s === 0 ? 1 : 0; // illtrap decodes (const22 for messages) but traps
  d.flags = flags;
  d.format = SPARC64_FORMAT[s];
  d.mnemonic = name;
  return d;
}

// Bits V9 reserves (must be zero) for a slot, its i bit and (shifts) x bit.
function reservedMask(slot: number, fmt: number, i: number, x: number, flags: number): number {
  switch (fmt) {
    case FMT_ILLTRAP:
      return 0x3e000000; // rd
    case FMT_SHIFT:
      return i === 0 ? 0xfe0 : x !== 0 ? 0xfc0 : 0xfe0;
    case FMT_MOVCC:
      return i === 0 ? 0x7e0 : 0;
    case FMT_MOVR:
      return i === 0 ? 0x3e0 : 0;
    case FMT_TCC:
      return i === 0 ? 0x7e0 : 0x780;
    case FMT_RDREG:
      if (slot === SLOT_MEMBAR) return 0x1f80;
      return 0x3fff; // rd, stbar, rdpr: nothing below rs1
    case FMT_NOARGS:
      return slot === SPARC64_FLUSHW_SLOT ? 0x3e07ffff : 0x7ffff;
    case FMT_FPOP:
    case FMT_B22:
    case FMT_B19:
    case FMT_BR:
    case FMT_SETHI:
    case FMT_CALL:
      return 0;
    default:
      // rs2 forms: imm_asi (bits 12:5) is reserved unless the ASI is explicit;
      // with i = 1, casa/casxa take the ASI from %asi and reserve them too.
      if (fmt === FMT_CAS) return i !== 0 ? 0x1fe0 : 0;
      if (i !== 0) return 0;
      return (flags & F_ALT) !== 0 ? 0 : 0x1fe0;
  }
}

const SPARC64_FLUSHW_SLOT = 16 + 0x2b;

function illegal(d: Sparc64DecodedInsn): Sparc64DecodedInsn {
  d.dispatch = SPARC64_ILLEGAL_SLOT;
  d.illegal = 1;
  d.flags = 0;
  d.format = FMT_NONE;
  d.mnemonic = "(bad)";
  d.relative = 0;
  return d;
}

/**
 * Whether the word is a PC-relative control transfer (`call`, Bicc, BPcc,
 * BPr, FBfcc, FBPfcc), whose displacement must be fixed up when it runs
 * out of line (Linux: the relative-branch cases of `relbranch_fixup()`).
 *
 * @param word Instruction word.
 * @returns True for `call` and the conditional branch families.
 *
 * @example `call` is relative, `jmpl` (`ret`) is not
 * ```ts
 * import { isRelativeBranch } from "./decode.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isRelativeBranch(0x40000010), true);
 * assert.equal(isRelativeBranch(0x81c7e008), false);
 * ```
 */
export function isRelativeBranch(word: number): boolean {
  const op = word >>> 30;
  if (op === 1) return true;
  if (op !== 0) return false;
  const op2 = (word >>> 22) & 7;
  return op2 === 1 || op2 === 2 || op2 === 3 || op2 === 5 || op2 === 6;
}
