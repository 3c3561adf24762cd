// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Lazy flags inside a translated block (`jit.ts`). The last flag-setting
 * instruction of the block keeps its operands and result in the block
 * function's locals (`fa fah fb fbh fr frh fc`, kind in `fo`, width in
 * `fw`) instead of the CPU's lazy-flags record; the record is written once,
 * at the block's exit (or when a fault leaves it, or before a handler that
 * reads it runs). A later writer simply overwrites the locals, so dead flag
 * writes cost nothing (V8 drops the unused values). While the writer's kind
 * and width are known at translation time, jcc/setcc/cmovcc/adc/inc read the
 * flags as expressions over those locals, with the same formulas as
 * `flags.ts` (and the same operand compares as its `testCc` fast paths).
 *
 * @module
 */

import {
  LAZY_A,
  LAZY_AH,
  LAZY_B,
  LAZY_BH,
  LAZY_CF,
  LAZY_OP,
  LAZY_R,
  LAZY_RH,
  LAZY_W,
  type LazyFlags,
  LF_ADC,
  LF_ADD,
  LF_DEC,
  LF_INC,
  LF_LOGIC,
  LF_SBB,
  LF_SUB,
  recordLazy,
  SIGN_SHIFT,
} from "./flags.ts";

/** Translation-time flag state: who wrote the flags last inside the block. */
export interface FlagState {
  /** `LF_*` kind of a writer whose values are in the locals, or -1: `cpu.lf` is current. */
  kind: number;
  /** That writer's width, 0–3. */
  w: number;
}

/**
 * Whether `kind` also keeps a carry in `LAZY_CF` (ADC/SBB carry in, INC/DEC
 * preserved CF).
 *
 * @param kind `LF_*` kind.
 * @returns True for ADC, SBB, INC and DEC.
 */
export function keepsCarry(kind: number): boolean {
  return kind === LF_ADC || kind === LF_SBB || kind === LF_INC || kind === LF_DEC;
}

/**
 * Writes a writer's values into the lazy-flags record, exactly the slots the
 * interpreter's `record` writes (`recordLazy()`, plus the carry). Used by
 * a block's fault path, where the kind is known only at run time.
 *
 * @param lf The record (`cpu.lf`).
 * @param kind `LF_*` kind.
 * @param w Width 0–3.
 * @param a First operand low half.
 * @param ah First operand high half.
 * @param b Second operand low half.
 * @param bh Second operand high half.
 * @param r Result low half.
 * @param rh Result high half.
 * @param c Carry in / preserved carry.
 */
export function flushFlags(
  lf: LazyFlags,
  kind: number,
  w: number,
  a: number,
  ah: number,
  b: number,
  bh: number,
  r: number,
  rh: number,
  c: number,
): void {
  recordLazy(lf, kind, w, a, ah, b, bh, r, rh);
  if (keepsCarry(kind)) lf[LAZY_CF] = c;
}

/**
 * Code that writes the pending writer (if any) into `lf`, inline.
 *
 * @param s The flag state.
 * @returns JavaScript statements.
 */
export function emitFlush(s: FlagState): string {
  if (s.kind < 0) return "";
  let c = `lf[${LAZY_OP}]=${s.kind};lf[${LAZY_W}]=${s.w};lf[${LAZY_A}]=fa;lf[${LAZY_B}]=fb;` +
    `lf[${LAZY_R}]=fr;`;
  if (s.w === 3) c += `lf[${LAZY_AH}]=fah;lf[${LAZY_BH}]=fbh;lf[${LAZY_RH}]=frh;`;
  if (keepsCarry(s.kind)) c += `lf[${LAZY_CF}]=fc;`;
  return c;
}

// Unsigned (xh, xl) < (yh, yl).
function below(xh: string, xl: string, yh: string, yl: string): string {
  return `(${xh}<${yh}||(${xh}===${yh}&&${xl}<${yl}))`;
}

/**
 * CF as a 0/1 expression.
 *
 * @param s The flag state.
 * @returns A JavaScript expression.
 */
export function cfExpr(s: FlagState): string {
  const w3 = s.w === 3;
  switch (s.kind) {
    case LF_ADD:
      return `(${w3 ? below("frh", "fr", "fah", "fa") : "fr<fa"}?1:0)`;
    case LF_ADC:
      return `(fc===0?(${w3 ? below("frh", "fr", "fah", "fa") : "fr<fa"}?1:0):(${
        w3 ? "!" + below("fah", "fa", "frh", "fr") : "fr<=fa"
      }?1:0))`;
    case LF_SUB:
      return `(${w3 ? below("fah", "fa", "fbh", "fb") : "fa<fb"}?1:0)`;
    case LF_SBB:
      return `(fc===0?(${w3 ? below("fah", "fa", "fbh", "fb") : "fa<fb"}?1:0):(${
        w3 ? "!" + below("fbh", "fb", "fah", "fa") : "fa<=fb"
      }?1:0))`;
    case LF_LOGIC:
      return "0";
    case LF_INC:
    case LF_DEC:
      return "fc";
    default:
      return "getCf(lf)";
  }
}

function zfBool(s: FlagState): string {
  return s.w === 3 ? "(fr===0&&frh===0)" : "(fr===0)";
}

function sfBit(s: FlagState): string {
  return s.w === 3 ? "(frh>>>31)" : `((fr>>>${SIGN_SHIFT[s.w]})&1)`;
}

function ofBit(s: FlagState): string {
  const w3 = s.w === 3;
  const sh = SIGN_SHIFT[s.w];
  switch (s.kind) {
    case LF_ADD:
    case LF_ADC:
    case LF_INC:
      return w3 ? "(((fah^frh)&(fbh^frh))>>>31)" : `((((fa^fr)&(fb^fr))>>>${sh})&1)`;
    case LF_SUB:
    case LF_SBB:
    case LF_DEC:
      return w3 ? "(((fah^fbh)&(fah^frh))>>>31)" : `((((fa^fb)&(fa^fr))>>>${sh})&1)`;
    default:
      return "0";
  }
}

/**
 * Condition code `cc` (0 O … 15 G) as a boolean expression, as `testCc`
 * evaluates it.
 *
 * @param s The flag state.
 * @param cc Condition 0–15.
 * @returns A JavaScript expression.
 */
export function ccExpr(s: FlagState, cc: number): string {
  if (s.kind < 0) return `testCc(lf,${cc})`;
  const neg = (cc & 1) !== 0;
  const not = (e: string) => (neg ? `!${e}` : e);
  if (s.kind === LF_SUB) {
    // Compares straight from the operands, as testCc's fast paths.
    if (s.w === 3) {
      const lt = below("fah", "fa", "fbh", "fb");
      const le = "(fah<fbh||(fah===fbh&&fa<=fb))";
      const slt = "((fah|0)<(fbh|0)||(fah===fbh&&fa<fb))";
      const sle = "((fah|0)<(fbh|0)||(fah===fbh&&fa<=fb))";
      switch (cc >> 1) {
        case 1:
          return not(lt);
        case 2:
          return not("(fa===fb&&fah===fbh)");
        case 3:
          return not(le);
        case 6:
          return not(slt);
        case 7:
          return not(sle);
      }
    } else {
      const sh = 31 - SIGN_SHIFT[s.w];
      const sa = sh === 0 ? "(fa|0)" : `(fa<<${sh})`;
      const sb = sh === 0 ? "(fb|0)" : `(fb<<${sh})`;
      switch (cc >> 1) {
        case 1:
          return not("(fa<fb)");
        case 2:
          return not("(fa===fb)");
        case 3:
          return not("(fa<=fb)");
        case 6:
          return not(`(${sa}<${sb})`);
        case 7:
          return not(`(${sa}<=${sb})`);
      }
    }
  }
  const zf = zfBool(s);
  const sf = sfBit(s);
  const of = ofBit(s);
  let e: string;
  switch (cc >> 1) {
    case 0:
      e = `(${of}===1)`;
      break;
    case 1:
      e = `(${cfExpr(s)}===1)`;
      break;
    case 2:
      e = zf;
      break;
    case 3:
      e = `(${cfExpr(s)}===1||${zf})`;
      break;
    case 4:
      e = `(${sf}===1)`;
      break;
    case 5:
      e = "(PARITY[fr&255]===1)";
      break;
    case 6:
      e = `(${sf}!==${of})`;
      break;
    default:
      e = `(${zf}||${sf}!==${of})`;
      break;
  }
  return not(e);
}
