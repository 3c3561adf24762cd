// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The SPARC V9 opcode table, data first: one slot per (op, op2) or
 * (op, op3) encoding plus the variants that share an op3 (`rd`/`membar`/
 * `stbar`, `wr`/`sir`, `saved`/`restored`, `done`/`retry`), each with a
 * mnemonic, a format and `F_*` flags. `decode.ts` reads it to fill a
 * `Sparc64DecodedInsn`; the interpreter's dispatch table and the Capstone
 * cross-check index the same slots.
 *
 * Slot numbers: op 0 → `op2` (0–7); op 1 (`call`) → 8; op 2 → 16 + `op3`;
 * op 3 → 80 + `op3`; variants and the invalid slot from 144. Mnemonics are
 * SPARC V9 base forms (`lduw`, `stw`, `bicc` conditions spelled out later
 * by the decoder), not assembler aliases (`nop`, `mov`, `cmp`, `ret`).
 *
 * @module
 */

/** Sets integer condition codes (icc and xcc). */
export const F_CC: number = 1 << 0;
/** Loads from memory. */
export const F_LOAD: number = 1 << 1;
/** Stores to memory. */
export const F_STORE: number = 1 << 2;
/** Alternate-space access: an ASI from `imm_asi` (i = 0) or `%asi` (i = 1). */
export const F_ALT: number = 1 << 3;
/** PC-relative control transfer (`call`, `Bicc`, `BPcc`, `BPr`, `FBfcc`, `FBPfcc`). */
export const F_BRANCH: number = 1 << 4;
/** Delayed control transfer: the next instruction is a delay slot. */
export const F_DCTI: number = 1 << 5;
/** Privileged: `privileged_opcode` in user mode (or, for ASIs below 0x80, `privileged_action`). */
export const F_PRIV: number = 1 << 6;
/** Floating point (the image has none; `fp_disabled` with PSTATE.PEF = 0). */
export const F_FP: number = 1 << 7;
/** Has the rs1/rs2-or-simm13 operand pair (i bit at 13). */
export const F_RS: number = 1 << 8;
/** Register-window instruction (`save`, `restore`, `flushw`, `saved`, `restored`, `return`). */
export const F_WINDOW: number = 1 << 9;
/** Implementation-dependent (IMPDEP1/2, VIS): the image uses none. */
export const F_IMPDEP: number = 1 << 10;

/** Slot of the first op = 2 (arithmetic) encoding: 16 + op3. */
export const SLOT_OP2: number = 16;
/** Slot of the first op = 3 (memory) encoding: 80 + op3. */
export const SLOT_OP3: number = 80;
/** `membar` (op3 0x28, rs1 15, i 1). */
export const SLOT_MEMBAR: number = 144;
/** `stbar` (op3 0x28, rs1 15, i 0). */
export const SLOT_STBAR: number = 145;
/** `sir` (op3 0x30, rd 15). */
export const SLOT_SIR: number = 146;
/** `restored` (op3 0x31, fcn 1); fcn 0 is `saved` at the op3 slot. */
export const SLOT_RESTORED: number = 147;
/** `retry` (op3 0x3e, fcn 1); fcn 0 is `done` at the op3 slot. */
export const SLOT_RETRY: number = 148;
/** Every word this decoder rejects: `illegal_instruction`. */
export const SPARC64_ILLEGAL_SLOT: number = 149;
/** Number of slots. */
export const SPARC64_SLOTS: number = 150;

// Slot formats.
/** Illegal. */
export const FMT_NONE: number = 0;
/** `illtrap const22`. */
export const FMT_ILLTRAP: number = 1;
/** `Bicc`/`FBfcc`: a, cond, disp22. */
export const FMT_B22: number = 2;
/** `BPcc`/`FBPfcc`: a, cond, cc1 cc0, p, disp19. */
export const FMT_B19: number = 3;
/** `BPr`: a, rcond, d16hi‖d16lo, p, rs1. */
export const FMT_BR: number = 4;
/** `sethi imm22, rd`. */
export const FMT_SETHI: number = 5;
/** `call disp30`. */
export const FMT_CALL: number = 6;
/** rd, rs1, rs2 or simm13. */
export const FMT_ARITH: number = 7;
/** Shifts: x bit, shcnt32/shcnt64. */
export const FMT_SHIFT: number = 8;
/** `MOVcc`: cc2 cc1 cc0, cond, rs2 or simm11. */
export const FMT_MOVCC: number = 9;
/** `MOVr`: rcond, rs2 or simm10. */
export const FMT_MOVR: number = 10;
/** `Tcc`: cond, cc1 cc0, rs2 or software trap number. */
export const FMT_TCC: number = 11;
/** Memory: rd, [rs1 + rs2 or simm13], ASI for alternate forms. */
export const FMT_MEM: number = 12;
/** `membar`: mmask and cmask. */
export const FMT_MEMBAR: number = 13;
/** No operands (`flushw`, `saved`, `done`, `stbar`). */
export const FMT_NOARGS: number = 14;
/** `rd %asr/%y/%ccr…, rd` and `rdpr %preg, rd`: rs1 names the register. */
export const FMT_RDREG: number = 15;
/** `wr rs1, rs2|simm13, %asr` and `wrpr …, %preg`: rd names the register. */
export const FMT_WRREG: number = 16;
/** FPop1/FPop2: opf. */
export const FMT_FPOP: number = 17;
/** `casa`/`casxa`: rd, [rs1], rs2, ASI. */
export const FMT_CAS: number = 18;

const N = SPARC64_SLOTS;
/** Mnemonic per slot ("" = illegal). */
export const SPARC64_MNEMONIC: string[] = new Array<string>(N).fill("");
/** Format per slot (`FMT_*`). */
export const SPARC64_FORMAT: Uint8Array = new Uint8Array(N);
/** `F_*` flags per slot. */
export const SPARC64_FLAGS: Uint16Array = new Uint16Array(N);
/** Memory access size in bytes per slot (loads, stores, atomics), else 0. */
export const SPARC64_SIZE: Uint8Array = new Uint8Array(N);

function def(slot: number, name: string, format: number, flags = 0, size = 0): void {
  SPARC64_MNEMONIC[slot] = name;
  SPARC64_FORMAT[slot] = format;
  SPARC64_FLAGS[slot] = flags;
  SPARC64_SIZE[slot] = size;
}

// op = 0: op2.
def(0, "illtrap", FMT_ILLTRAP);
def(1, "bpcc", FMT_B19, F_BRANCH | F_DCTI);
def(2, "bicc", FMT_B22, F_BRANCH | F_DCTI);
def(3, "bpr", FMT_BR, F_BRANCH | F_DCTI);
def(4, "sethi", FMT_SETHI);
def(5, "fbpfcc", FMT_B19, F_BRANCH | F_DCTI | F_FP);
def(6, "fbfcc", FMT_B22, F_BRANCH | F_DCTI | F_FP);
// op = 1.
def(8, "call", FMT_CALL, F_BRANCH | F_DCTI);

const A = SLOT_OP2;
const R = F_RS;
// deno-fmt-ignore
const OP2: [number, string, number, number][] = [
  // op3, mnemonic, format, flags
  [0x00, "add", FMT_ARITH, R],      [0x01, "and", FMT_ARITH, R],      [0x02, "or", FMT_ARITH, R],       [0x03, "xor", FMT_ARITH, R],
  [0x04, "sub", FMT_ARITH, R],      [0x05, "andn", FMT_ARITH, R],     [0x06, "orn", FMT_ARITH, R],      [0x07, "xnor", FMT_ARITH, R],
  [0x08, "addc", FMT_ARITH, R],     [0x09, "mulx", FMT_ARITH, R],     [0x0a, "umul", FMT_ARITH, R],     [0x0b, "smul", FMT_ARITH, R],
  [0x0c, "subc", FMT_ARITH, R],     [0x0d, "udivx", FMT_ARITH, R],    [0x0e, "udiv", FMT_ARITH, R],     [0x0f, "sdiv", FMT_ARITH, R],
  [0x10, "addcc", FMT_ARITH, R | F_CC],  [0x11, "andcc", FMT_ARITH, R | F_CC],  [0x12, "orcc", FMT_ARITH, R | F_CC],  [0x13, "xorcc", FMT_ARITH, R | F_CC],
  [0x14, "subcc", FMT_ARITH, R | F_CC],  [0x15, "andncc", FMT_ARITH, R | F_CC], [0x16, "orncc", FMT_ARITH, R | F_CC], [0x17, "xnorcc", FMT_ARITH, R | F_CC],
  [0x18, "addccc", FMT_ARITH, R | F_CC], [0x1a, "umulcc", FMT_ARITH, R | F_CC], [0x1b, "smulcc", FMT_ARITH, R | F_CC],
  [0x1c, "subccc", FMT_ARITH, R | F_CC], [0x1e, "udivcc", FMT_ARITH, R | F_CC], [0x1f, "sdivcc", FMT_ARITH, R | F_CC],
  [0x20, "taddcc", FMT_ARITH, R | F_CC], [0x21, "tsubcc", FMT_ARITH, R | F_CC], [0x22, "taddcctv", FMT_ARITH, R | F_CC], [0x23, "tsubcctv", FMT_ARITH, R | F_CC],
  [0x24, "mulscc", FMT_ARITH, R | F_CC], [0x25, "sll", FMT_SHIFT, R],   [0x26, "srl", FMT_SHIFT, R],      [0x27, "sra", FMT_SHIFT, R],
  [0x28, "rd", FMT_RDREG, 0],       [0x2a, "rdpr", FMT_RDREG, F_PRIV], [0x2b, "flushw", FMT_NOARGS, F_WINDOW], [0x2c, "movcc", FMT_MOVCC, 0],
  [0x2d, "sdivx", FMT_ARITH, R],    [0x2e, "popc", FMT_ARITH, R],     [0x2f, "movr", FMT_MOVR, R],
  [0x30, "wr", FMT_WRREG, R],       [0x31, "saved", FMT_NOARGS, F_PRIV | F_WINDOW], [0x32, "wrpr", FMT_WRREG, R | F_PRIV],
  [0x34, "fpop1", FMT_FPOP, F_FP],  [0x35, "fpop2", FMT_FPOP, F_FP],  [0x36, "impdep1", FMT_NONE, F_IMPDEP], [0x37, "impdep2", FMT_NONE, F_IMPDEP],
  [0x38, "jmpl", FMT_ARITH, R | F_DCTI], [0x39, "return", FMT_ARITH, R | F_DCTI | F_WINDOW], [0x3a, "tcc", FMT_TCC, 0], [0x3b, "flush", FMT_MEM, R],
  [0x3c, "save", FMT_ARITH, R | F_WINDOW], [0x3d, "restore", FMT_ARITH, R | F_WINDOW], [0x3e, "done", FMT_NOARGS, F_PRIV],
];
for (const [op3, name, fmt, flags] of OP2) def(A + op3, name, fmt, flags);

const M = SLOT_OP3;
const LD = F_RS | F_LOAD;
const ST = F_RS | F_STORE;
const LDA = LD | F_ALT;
const STA = ST | F_ALT;
// deno-fmt-ignore
const OP3: [number, string, number, number][] = [
  // op3, mnemonic, flags, size
  [0x00, "lduw", LD, 4],  [0x01, "ldub", LD, 1],  [0x02, "lduh", LD, 2],  [0x03, "ldd", LD, 8],
  [0x04, "stw", ST, 4],   [0x05, "stb", ST, 1],   [0x06, "sth", ST, 2],   [0x07, "std", ST, 8],
  [0x08, "ldsw", LD, 4],  [0x09, "ldsb", LD, 1],  [0x0a, "ldsh", LD, 2],  [0x0b, "ldx", LD, 8],
  [0x0d, "ldstub", LD | F_STORE, 1], [0x0e, "stx", ST, 8], [0x0f, "swap", LD | F_STORE, 4],
  [0x10, "lduwa", LDA, 4], [0x11, "lduba", LDA, 1], [0x12, "lduha", LDA, 2], [0x13, "ldda", LDA, 8],
  [0x14, "stwa", STA, 4],  [0x15, "stba", STA, 1],  [0x16, "stha", STA, 2],  [0x17, "stda", STA, 8],
  [0x18, "ldswa", LDA, 4], [0x19, "ldsba", LDA, 1], [0x1a, "ldsha", LDA, 2], [0x1b, "ldxa", LDA, 8],
  [0x1d, "ldstuba", LDA | F_STORE, 1], [0x1e, "stxa", STA, 8], [0x1f, "swapa", LDA | F_STORE, 4],
  [0x20, "ldf", LD | F_FP, 4],  [0x21, "ldfsr", LD | F_FP, 4], [0x22, "ldqf", LD | F_FP, 16], [0x23, "lddf", LD | F_FP, 8],
  [0x24, "stf", ST | F_FP, 4],  [0x25, "stfsr", ST | F_FP, 4], [0x26, "stqf", ST | F_FP, 16], [0x27, "stdf", ST | F_FP, 8],
  [0x2d, "prefetch", F_RS, 0],
  [0x30, "ldfa", LDA | F_FP, 4], [0x32, "ldqfa", LDA | F_FP, 16], [0x33, "lddfa", LDA | F_FP, 8],
  [0x34, "stfa", STA | F_FP, 4], [0x36, "stqfa", STA | F_FP, 16], [0x37, "stdfa", STA | F_FP, 8],
  [0x3c, "casa", LDA | F_STORE, 4], [0x3d, "prefetcha", F_RS | F_ALT, 0], [0x3e, "casxa", LDA | F_STORE, 8],
];
for (const [op3, name, flags, size] of OP3) {
  def(M + op3, name, op3 === 0x3c || op3 === 0x3e ? FMT_CAS : FMT_MEM, flags, size);
}

def(SLOT_MEMBAR, "membar", FMT_MEMBAR);
def(SLOT_STBAR, "stbar", FMT_NOARGS);
def(SLOT_SIR, "sir", FMT_ARITH, F_PRIV);
def(SLOT_RESTORED, "restored", FMT_NOARGS, F_PRIV | F_WINDOW);
def(SLOT_RETRY, "retry", FMT_NOARGS, F_PRIV);

/** Integer condition names by `cond` (Bicc, BPcc, Tcc, MOVcc on icc/xcc). */
// deno-fmt-ignore
export const ICC_COND_NAMES: readonly string[] = [
  "n", "e", "le", "l", "leu", "cs", "neg", "vs",
  "a", "ne", "g", "ge", "gu", "cc", "pos", "vc",
];
/** Floating-point condition names by `cond` (FBfcc, FBPfcc, MOVcc on fccN). */
// deno-fmt-ignore
export const FCC_COND_NAMES: readonly string[] = [
  "n", "ne", "lg", "ul", "l", "ug", "g", "u",
  "a", "e", "ue", "ge", "uge", "le", "ule", "o",
];
/** Register-condition names by `rcond` (BPr, MOVr); "" = reserved. */
export const RCOND_NAMES: readonly string[] = ["", "z", "lez", "lz", "", "nz", "gz", "gez"];

/**
 * The slot of a word before variant selection (op/op2/op3 only).
 *
 * @param word Instruction word.
 * @returns Slot number (0–143).
 *
 * @example `save %sp, -176, %sp` is op 2, op3 0x3c
 * ```ts
 * import { sparc64Slot, SLOT_OP2 } from "./opcodes.ts";
 * import assert from "node:assert/strict";
 * assert.equal(sparc64Slot(0x9de3bf50), SLOT_OP2 + 0x3c);
 * ```
 */
export function sparc64Slot(word: number): number {
  const op = word >>> 30;
  if (op === 0) return (word >>> 22) & 7;
  if (op === 1) return 8;
  return (op === 2 ? SLOT_OP2 : SLOT_OP3) + ((word >>> 19) & 0x3f);
}
