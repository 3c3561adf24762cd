// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The ppc64 opcode tables: the primary-opcode grid and the extended-opcode
 * rows of primary opcodes 19 (XL form), 30 (MD/MDS), 31 (X/XO/XFX/XS/A),
 * 58 and 62 (DS), flattened at load into dense per-slot arrays — mnemonic,
 * `F_*` flags (immediate kind, rotate-mask kind, record/OE forms, memory
 * access, privilege), reserved-bit mask, canonical extended opcode and
 * handler — that the decoder, the dispatch loop, the Kprobes analyzer and
 * the Capstone cross-check all read.
 *
 * Slot of a word ({@linkcode ppc64Slot}): the primary opcode for simple
 * forms; `SLOT_X19 + XO[21:30]`, `SLOT_X30 + word[27:30]`,
 * `SLOT_X31 + XO[21:30]`, `SLOT_X58/62 + word[30:31]` otherwise. XO-form
 * entries (with an OE bit) fill both `xo` and `xo | 512`; `isel` (A form)
 * fills every XO whose low five bits are 15; `sradi` (XS form) fills
 * both values of its SH[5] bit. Every other slot is the illegal
 * instruction (floating point, vector and MMU management included: the
 * kernel is built with -msoft-float and there is no MMU to manage).
 *
 * @module
 */

import { opB, opBc, opBcctr, opBclr } from "./branch.ts";
import type { Ppc64Cpu } from "./cpu.ts";
import {
  opCmp,
  opCmpi,
  opCmpl,
  opCmpli,
  opCrand,
  opCrandc,
  opCreqv,
  opCrnand,
  opCrnor,
  opCror,
  opCrorc,
  opCrxor,
  opIsel,
  opMcrf,
  opMfcr,
  opMtcrf,
} from "./cr.ts";
import type { Ppc64DecodedInsn } from "./decode.ts";
import {
  opAdd,
  opAddc,
  opAdde,
  opAddi,
  opAddic,
  opAddme,
  opAddze,
  opAnd,
  opAndc,
  opAndiDot,
  opCmpb,
  opCntlzd,
  opCntlzw,
  opEqv,
  opExtsb,
  opExtsh,
  opExtsw,
  opNand,
  opNeg,
  opNor,
  opOr,
  opOrc,
  opOri,
  opPopcntb,
  opPopcntd,
  opPopcntw,
  opSubf,
  opSubfc,
  opSubfe,
  opSubfic,
  opSubfme,
  opSubfze,
  opXor,
  opXori,
} from "./fixed_point.ts";
import {
  opDcbf,
  opDcbz,
  opLbz,
  opLbzu,
  opLbzux,
  opLbzx,
  opLd,
  opLdu,
  opLdux,
  opLdx,
  opLha,
  opLhau,
  opLhaux,
  opLhax,
  opLhz,
  opLhzu,
  opLhzux,
  opLhzx,
  opLwa,
  opLwaux,
  opLwax,
  opLwz,
  opLwzu,
  opLwzux,
  opLwzx,
  opStb,
  opStbu,
  opStbux,
  opStbx,
  opStd,
  opStdu,
  opStdux,
  opStdx,
  opSth,
  opSthu,
  opSthux,
  opSthx,
  opStw,
  opStwu,
  opStwux,
  opStwx,
} from "./load_store.ts";
import {
  opLdbrx,
  opLhbrx,
  opLmw,
  opLwbrx,
  opStdbrx,
  opSthbrx,
  opStmw,
  opStwbrx,
} from "./load_store_special.ts";
import {
  opDivd,
  opDivdu,
  opDivw,
  opDivwu,
  opMulhd,
  opMulhdu,
  opMulhw,
  opMulhwu,
  opMulld,
  opMulli,
  opMullw,
} from "./muldiv.ts";
import {
  opLbarx,
  opLdarx,
  opLharx,
  opLwarx,
  opStbcx,
  opStdcx,
  opSthcx,
  opStwcx,
} from "./reservation.ts";
import {
  opRldcl,
  opRldicl,
  opRldimi,
  opRlwimi,
  opRlwinm,
  opRlwnm,
  opSld,
  opSlw,
  opSrad,
  opSradi,
  opSraw,
  opSrawi,
  opSrd,
  opSrw,
} from "./rotate.ts";
import {
  opIllegal,
  opMfmsr,
  opMfspr,
  opMftb,
  opMtmsr,
  opMtmsrd,
  opMtspr,
  opRfid,
  opSc,
  opSync,
  opTd,
  opTdi,
  opTw,
  opTwi,
  opWait,
} from "./system.ts";

/** An instruction's semantics. */
export type Ppc64Handler = (cpu: Ppc64Cpu, insn: Ppc64DecodedInsn) => void;

/** Flag: the Rc bit selects a record form (CR0 set, mnemonic + "."). */
export const F_RC = 1 << 0;
/** Flag: the OE bit selects an overflow form (XER.OV set, mnemonic + "o"). */
export const F_OE = 1 << 1;
/** Flag: a compare, named `…w`/`…d` by its L bit. */
export const F_CMP = 1 << 2;
/** Flag: privileged (program interrupt in problem state). */
export const F_PRIV = 1 << 3;
/** Flag: `b`/`bc`: a target fixed by the instruction's address (or absolute with AA). */
export const F_BRANCH = 1 << 4;
/** Flag: the Rc bit must be 1 (`stwcx.`, `stdcx.` …). */
export const F_RC_ALWAYS = 1 << 5;
/** Flag: always sets CR0 without an Rc bit (`andi.`, `andis.`, `addic.`). */
export const F_CR0 = 1 << 6;
/** Flag: reads memory. */
export const F_LOAD = 1 << 7;
/** Flag: writes memory. */
export const F_STORE = 1 << 8;
/** Flag: update form (RA ← EA). */
export const F_UPDATE = 1 << 9;
/** Flag: any branch (`b`, `bc`, `bclr`, `bcctr`), including to LR or CTR. */
export const F_ANY_BRANCH = 1 << 10;
/** Flag: changes MSR or enters an interrupt (`mtmsr[d]`, `rfid`, `sc`): not single-steppable out of line. */
export const F_MSR = 1 << 11;

/** Shift of the immediate-kind field in the flags. */
export const IK_SHIFT = 12;
/** No immediate. */
export const IK_NONE = 0;
/** SI: signed 16-bit. */
export const IK_SI = 1;
/** UI: unsigned 16-bit. */
export const IK_UI = 2;
/** SI << 16 (`addis`). */
export const IK_SIS = 3;
/** UI << 16 (`oris`, `xoris`, `andis.`). */
export const IK_UIS = 4;
/** DS << 2, signed (`ld`, `std`, `lwa`). */
export const IK_DS = 5;
/** LI << 2, signed 26-bit (`b`). */
export const IK_LI = 6;
/** BD << 2, signed 16-bit (`bc`). */
export const IK_BD = 7;

/** Shift of the rotate-mask-kind field in the flags. */
export const MK_SHIFT = 16;
/** Word rotate: SH, MB, ME; mask MASK(MB + 32, ME + 32). */
export const MK_RLW = 1;
/** Doubleword rotate with MASK(MB, 63) (`rldicl`, `rldcl`). */
export const MK_RLDL = 2;
/** Doubleword rotate with MASK(0, ME) (`rldicr`, `rldcr`). */
export const MK_RLDR = 3;
/** Doubleword rotate with MASK(MB, 63 - SH) (`rldic`, `rldimi`). */
export const MK_RLDIC = 4;
/** `sradi`: 6-bit SH only. */
export const MK_SRADI = 5;

/**
 * The immediate kind of a flags word.
 *
 * @param flags `F_*` flags of a slot.
 * @returns One of `IK_*`.
 *
 * @example `addis` has a shifted immediate
 * ```ts
 * import { IK_SIS, immKindOf, PPC64_FLAGS } from "./opcodes.ts";
 * import assert from "node:assert/strict";
 * assert.equal(immKindOf(PPC64_FLAGS[15]), IK_SIS);
 * ```
 */
export function immKindOf(flags: number): number {
  return (flags >>> IK_SHIFT) & 15;
}

/**
 * The rotate-mask kind of a flags word.
 *
 * @param flags `F_*` flags of a slot.
 * @returns One of `MK_*` (0 for none).
 *
 * @example `rlwinm` is a word rotate
 * ```ts
 * import { maskKindOf, MK_RLW, PPC64_FLAGS } from "./opcodes.ts";
 * import assert from "node:assert/strict";
 * assert.equal(maskKindOf(PPC64_FLAGS[21]), MK_RLW);
 * ```
 */
export function maskKindOf(flags: number): number {
  return (flags >>> MK_SHIFT) & 15;
}

const SI = IK_SI << IK_SHIFT;
const UI = IK_UI << IK_SHIFT;
const SIS = IK_SIS << IK_SHIFT;
const UIS = IK_UIS << IK_SHIFT;
const DS = IK_DS << IK_SHIFT;
const LI = IK_LI << IK_SHIFT;
const BD = IK_BD << IK_SHIFT;
const RLW = MK_RLW << MK_SHIFT;
const RLDL = MK_RLDL << MK_SHIFT;
const RLDR = MK_RLDR << MK_SHIFT;
const RLDIC = MK_RLDIC << MK_SHIFT;
const SRADI = MK_SRADI << MK_SHIFT;
const L = F_LOAD;
const S = F_STORE;
const U = F_UPDATE;

/** Reserved-bit masks: bit 31 (Rc), the RB, RA and RT fields. */
const RC0 = 0x1;
const RB0 = 0xf800;
const RA0 = 0x1f0000;
const RT0 = 0x3e00000;

/** First slot of opcode 19's extended opcodes. */
export const SLOT_X19 = 64;
/** First slot of opcode 31's extended opcodes. */
export const SLOT_X31: number = SLOT_X19 + 1024;
/** First slot of opcode 30's MD/MDS sub-opcodes. */
export const SLOT_X30: number = SLOT_X31 + 1024;
/** First slot of opcode 58's DS sub-opcodes. */
export const SLOT_X58: number = SLOT_X30 + 16;
/** First slot of opcode 62's DS sub-opcodes. */
export const SLOT_X62: number = SLOT_X58 + 4;
/** The illegal-instruction slot. */
export const PPC64_ILLEGAL_SLOT: number = SLOT_X62 + 4;
/** Number of dispatch slots. */
export const PPC64_SLOTS: number = PPC64_ILLEGAL_SLOT + 1;

/** One row: slot key, mnemonic, flags, reserved mask, handler. */
type Row = readonly [
  key: number,
  mnemonic: string,
  flags: number,
  reserved: number,
  h: Ppc64Handler,
];

// Primary opcodes. "=19", "=30", "=31", "=58", "=62" escape to the rows below; "" is illegal.
// deno-fmt-ignore
const PRIMARY: readonly string[] = [
  /* 00 */ "", "", "tdi", "twi", "", "", "", "mulli", "subfic", "", "cmpli", "cmpi", "addic", "addic.", "addi", "addis",
  /* 10 */ "bc", "sc", "b", "=19", "rlwimi", "rlwinm", "", "rlwnm", "ori", "oris", "xori", "xoris", "andi.", "andis.", "=30", "=31",
  /* 20 */ "lwz", "lwzu", "lbz", "lbzu", "stw", "stwu", "stb", "stbu", "lhz", "lhzu", "lha", "lhau", "sth", "sthu", "lmw", "stmw",
  /* 30 */ "", "", "", "", "", "", "", "", "", "", "=58", "", "", "", "=62", "",
];

// Handlers of the primary grid (opIllegal for "" and escapes).
// deno-fmt-ignore
const PRIMARY_HANDLERS: readonly Ppc64Handler[] = [
  /* 00 */ opIllegal, opIllegal, opTdi, opTwi, opIllegal, opIllegal, opIllegal, opMulli, opSubfic, opIllegal, opCmpli, opCmpi, opAddic, opAddic, opAddi, opAddi,
  /* 10 */ opBc, opSc, opB, opIllegal, opRlwimi, opRlwinm, opIllegal, opRlwnm, opOri, opOri, opXori, opXori, opAndiDot, opAndiDot, opIllegal, opIllegal,
  /* 20 */ opLwz, opLwzu, opLbz, opLbzu, opStw, opStwu, opStb, opStbu, opLhz, opLhzu, opLha, opLhau, opSth, opSthu, opLmw, opStmw,
  /* 30 */ opIllegal, opIllegal, opIllegal, opIllegal, opIllegal, opIllegal, opIllegal, opIllegal, opIllegal, opIllegal, opIllegal, opIllegal, opIllegal, opIllegal, opIllegal, opIllegal,
];

// Flags and reserved bits of the primary grid.
// deno-fmt-ignore
const PRIMARY_ATTRS: readonly (readonly [number, number])[] = [
  /* 00 */ [0, 0], [0, 0], [SI, 0], [SI, 0], [0, 0], [0, 0], [0, 0], [SI, 0], [SI, 0], [0, 0], [F_CMP | UI, 0x400000], [F_CMP | SI, 0x400000], [SI, 0], [SI | F_CR0, 0], [SI, 0], [SIS, 0],
  /* 10 */ [BD | F_BRANCH | F_ANY_BRANCH, 0], [F_MSR, 0], [LI | F_BRANCH | F_ANY_BRANCH, 0], [0, 0], [RLW | F_RC, 0], [RLW | F_RC, 0], [0, 0], [RLW | F_RC, 0], [UI, 0], [UIS, 0], [UI, 0], [UIS, 0], [UI | F_CR0, 0], [UIS | F_CR0, 0], [0, 0], [0, 0],
  /* 20 */ [SI | L, 0], [SI | L | U, 0], [SI | L, 0], [SI | L | U, 0], [SI | S, 0], [SI | S | U, 0], [SI | S, 0], [SI | S | U, 0], [SI | L, 0], [SI | L | U, 0], [SI | L, 0], [SI | L | U, 0], [SI | S, 0], [SI | S | U, 0], [SI | L, 0], [SI | S, 0],
  /* 30 */ [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0],
];

// Opcode 19, keyed by XO[21:30].
// deno-fmt-ignore
const OP19: readonly Row[] = [
  [0,   "mcrf",   0,                   0x0063f801, opMcrf],
  [16,  "bclr",   F_ANY_BRANCH,        0x0000e000, opBclr],
  [18,  "rfid",   F_PRIV | F_MSR,      0x03fff801, opRfid],
  [33,  "crnor",  0,                   RC0,        opCrnor],
  [129, "crandc", 0,                   RC0,        opCrandc],
  [150, "isync",  0,                   0x03fff801, opSync],
  [193, "crxor",  0,                   RC0,        opCrxor],
  [225, "crnand", 0,                   RC0,        opCrnand],
  [257, "crand",  0,                   RC0,        opCrand],
  [289, "creqv",  0,                   RC0,        opCreqv],
  [417, "crorc",  0,                   RC0,        opCrorc],
  [449, "cror",   0,                   RC0,        opCror],
  [528, "bcctr",  F_ANY_BRANCH,        0x0000e000, opBcctr],
];

// Opcode 30, keyed by word[27:30] (MD: XO[27:29] ‖ SH[5]; MDS: XO[27:30]).
// deno-fmt-ignore
const OP30: readonly Row[] = [
  [0, "rldicl", RLDL | F_RC,  0, opRldicl], [1, "rldicl", RLDL | F_RC,  0, opRldicl],
  [2, "rldicr", RLDR | F_RC,  0, opRldicl], [3, "rldicr", RLDR | F_RC,  0, opRldicl],
  [4, "rldic",  RLDIC | F_RC, 0, opRldicl], [5, "rldic",  RLDIC | F_RC, 0, opRldicl],
  [6, "rldimi", RLDIC | F_RC, 0, opRldimi], [7, "rldimi", RLDIC | F_RC, 0, opRldimi],
  [8, "rldcl",  RLDL | F_RC,  0, opRldcl],
  [9, "rldcr",  RLDR | F_RC,  0, opRldcl],
];

// Opcode 31, keyed by XO[21:30]; F_OE rows also fill key | 512.
// deno-fmt-ignore
const OP31: readonly Row[] = [
  [0,    "cmp",     F_CMP,                 0x00400001, opCmp],
  [4,    "tw",      0,                     RC0,        opTw],
  [8,    "subfc",   F_OE | F_RC,           0,          opSubfc],
  [9,    "mulhdu",  F_RC,                  0,          opMulhdu],
  [10,   "addc",    F_OE | F_RC,           0,          opAddc],
  [11,   "mulhwu",  F_RC,                  0,          opMulhwu],
  [19,   "mfcr",    0,                     0x00000801, opMfcr],
  [20,   "lwarx",   L,                     0,          opLwarx],
  [21,   "ldx",     L,                     RC0,        opLdx],
  [23,   "lwzx",    L,                     RC0,        opLwzx],
  [24,   "slw",     F_RC,                  0,          opSlw],
  [26,   "cntlzw",  F_RC,                  RB0,        opCntlzw],
  [27,   "sld",     F_RC,                  0,          opSld],
  [28,   "and",     F_RC,                  0,          opAnd],
  [32,   "cmpl",    F_CMP,                 0x00400001, opCmpl],
  [40,   "subf",    F_OE | F_RC,           0,          opSubf],
  [52,   "lbarx",   L,                     0,          opLbarx],
  [53,   "ldux",    L | U,                 RC0,        opLdux],
  [54,   "dcbst",   0,                     RT0 | RC0,  opDcbf],
  [55,   "lwzux",   L | U,                 RC0,        opLwzux],
  [58,   "cntlzd",  F_RC,                  RB0,        opCntlzd],
  [30,   "wait",    0,                     0x03fff801, opWait],
  [60,   "andc",    F_RC,                  0,          opAndc],
  [62,   "wait",    0,                     0x039ff801, opWait],
  [68,   "td",      0,                     RC0,        opTd],
  [73,   "mulhd",   F_RC,                  0,          opMulhd],
  [75,   "mulhw",   F_RC,                  0,          opMulhw],
  [83,   "mfmsr",   F_PRIV,                RA0 | RB0 | RC0, opMfmsr],
  [84,   "ldarx",   L,                     0,          opLdarx],
  [86,   "dcbf",    0,                     0x03800001, opDcbf],
  [87,   "lbzx",    L,                     RC0,        opLbzx],
  [104,  "neg",     F_OE | F_RC,           RB0,        opNeg],
  [116,  "lharx",   L,                     0,          opLharx],
  [119,  "lbzux",   L | U,                 RC0,        opLbzux],
  [122,  "popcntb", 0,                     RB0 | RC0,  opPopcntb],
  [124,  "nor",     F_RC,                  0,          opNor],
  [136,  "subfe",   F_OE | F_RC,           0,          opSubfe],
  [138,  "adde",    F_OE | F_RC,           0,          opAdde],
  [144,  "mtcrf",   0,                     0x00000801, opMtcrf],
  [146,  "mtmsr",   F_PRIV | F_MSR,        0,          opMtmsr],
  [149,  "stdx",    S,                     RC0,        opStdx],
  [150,  "stwcx.",  S | F_RC_ALWAYS,       0,          opStwcx],
  [151,  "stwx",    S,                     RC0,        opStwx],
  [178,  "mtmsrd",  F_PRIV | F_MSR,        0,          opMtmsrd],
  [181,  "stdux",   S | U,                 RC0,        opStdux],
  [183,  "stwux",   S | U,                 RC0,        opStwux],
  [200,  "subfze",  F_OE | F_RC,           RB0,        opSubfze],
  [202,  "addze",   F_OE | F_RC,           RB0,        opAddze],
  [214,  "stdcx.",  S | F_RC_ALWAYS,       0,          opStdcx],
  [215,  "stbx",    S,                     RC0,        opStbx],
  [232,  "subfme",  F_OE | F_RC,           RB0,        opSubfme],
  [233,  "mulld",   F_OE | F_RC,           0,          opMulld],
  [234,  "addme",   F_OE | F_RC,           RB0,        opAddme],
  [235,  "mullw",   F_OE | F_RC,           0,          opMullw],
  [246,  "dcbtst",  0,                     RC0,        opDcbf],
  [247,  "stbux",   S | U,                 RC0,        opStbux],
  [266,  "add",     F_OE | F_RC,           0,          opAdd],
  [278,  "dcbt",    0,                     RC0,        opDcbf],
  [279,  "lhzx",    L,                     RC0,        opLhzx],
  [284,  "eqv",     F_RC,                  0,          opEqv],
  [311,  "lhzux",   L | U,                 RC0,        opLhzux],
  [316,  "xor",     F_RC,                  0,          opXor],
  [339,  "mfspr",   0,                     RC0,        opMfspr],
  [341,  "lwax",    L,                     RC0,        opLwax],
  [343,  "lhax",    L,                     RC0,        opLhax],
  [371,  "mftb",    0,                     RC0,        opMftb],
  [373,  "lwaux",   L | U,                 RC0,        opLwaux],
  [375,  "lhaux",   L | U,                 RC0,        opLhaux],
  [378,  "popcntw", 0,                     RB0 | RC0,  opPopcntw],
  [407,  "sthx",    S,                     RC0,        opSthx],
  [412,  "orc",     F_RC,                  0,          opOrc],
  [439,  "sthux",   S | U,                 RC0,        opSthux],
  [444,  "or",      F_RC,                  0,          opOr],
  [457,  "divdu",   F_OE | F_RC,           0,          opDivdu],
  [459,  "divwu",   F_OE | F_RC,           0,          opDivwu],
  [467,  "mtspr",   0,                     RC0,        opMtspr],
  [476,  "nand",    F_RC,                  0,          opNand],
  [489,  "divd",    F_OE | F_RC,           0,          opDivd],
  [491,  "divw",    F_OE | F_RC,           0,          opDivw],
  [506,  "popcntd", 0,                     RB0 | RC0,  opPopcntd],
  [508,  "cmpb",    0,                     RC0,        opCmpb],
  [532,  "ldbrx",   L,                     RC0,        opLdbrx],
  [534,  "lwbrx",   L,                     RC0,        opLwbrx],
  [536,  "srw",     F_RC,                  0,          opSrw],
  [539,  "srd",     F_RC,                  0,          opSrd],
  [598,  "sync",    0,                     0x039ff801, opSync],
  [660,  "stdbrx",  S,                     RC0,        opStdbrx],
  [662,  "stwbrx",  S,                     RC0,        opStwbrx],
  [694,  "stbcx.",  S | F_RC_ALWAYS,       0,          opStbcx],
  [726,  "sthcx.",  S | F_RC_ALWAYS,       0,          opSthcx],
  [790,  "lhbrx",   L,                     RC0,        opLhbrx],
  [792,  "sraw",    F_RC,                  0,          opSraw],
  [794,  "srad",    F_RC,                  0,          opSrad],
  [824,  "srawi",   F_RC,                  0,          opSrawi],
  [826,  "sradi",   SRADI | F_RC,          0,          opSradi],
  [827,  "sradi",   SRADI | F_RC,          0,          opSradi],
  [854,  "eieio",   0,                     0x03fff801, opSync],
  [918,  "sthbrx",  S,                     RC0,        opSthbrx],
  [922,  "extsh",   F_RC,                  RB0,        opExtsh],
  [954,  "extsb",   F_RC,                  RB0,        opExtsb],
  [982,  "icbi",    0,                     RT0 | RC0,  opDcbf],
  [986,  "extsw",   F_RC,                  RB0,        opExtsw],
  [1014, "dcbz",    S,                     RT0 | RC0,  opDcbz],
];

// Opcodes 58 and 62, keyed by word[30:31].
// deno-fmt-ignore
const OP58: readonly Row[] = [
  [0, "ld",  DS | L,     0, opLd],
  [1, "ldu", DS | L | U, 0, opLdu],
  [2, "lwa", DS | L,     0, opLwa],
];
// deno-fmt-ignore
const OP62: readonly Row[] = [
  [0, "std",  DS | S,     0, opStd],
  [1, "stdu", DS | S | U, 0, opStdu],
];

/** Mnemonic per slot (`""` for illegal slots). */
export const PPC64_MNEMONIC: string[] = new Array<string>(PPC64_SLOTS).fill("");
/** `F_*` flags per slot. */
export const PPC64_FLAGS: Uint32Array = new Uint32Array(PPC64_SLOTS);
/** Bits that must be zero in a word of this slot (else it is illegal). */
export const PPC64_RESERVED: Uint32Array = new Uint32Array(PPC64_SLOTS);
/** Canonical extended opcode per slot (XO without OE/SH bits), -1 for none. */
export const PPC64_XO: Int16Array = new Int16Array(PPC64_SLOTS).fill(-1);
/** The dispatch table: handler per slot (`opIllegal` for illegal slots). */
export const PPC64_DISPATCH: Ppc64Handler[] = new Array<Ppc64Handler>(PPC64_SLOTS).fill(opIllegal);

function fill(slot: number, row: Row, xo: number): void {
  PPC64_MNEMONIC[slot] = row[1];
  PPC64_FLAGS[slot] = row[2];
  PPC64_RESERVED[slot] = row[3];
  PPC64_XO[slot] = xo;
  PPC64_DISPATCH[slot] = row[4];
}

for (let op = 0; op < 64; op++) {
  const name = PRIMARY[op];
  if (name === "" || name.startsWith("=")) continue;
  const [flags, reserved] = PRIMARY_ATTRS[op];
  fill(op, [op, name, flags, reserved, PRIMARY_HANDLERS[op]], -1);
}
for (const row of OP19) fill(SLOT_X19 + row[0], row, row[0]);
for (const row of OP30) fill(SLOT_X30 + row[0], row, row[0] >= 8 ? row[0] : row[0] >>> 1);
for (const row of OP31) {
  const xo = row[1] === "sradi" ? 413 : row[0];
  fill(SLOT_X31 + row[0], row, xo);
  if ((row[2] & F_OE) !== 0) fill(SLOT_X31 + (row[0] | 512), row, xo);
}
for (let bc = 0; bc < 32; bc++) fill(SLOT_X31 + ((bc << 5) | 15), [15, "isel", 0, RC0, opIsel], 15);
for (const row of OP58) fill(SLOT_X58 + row[0], row, row[0]);
for (const row of OP62) fill(SLOT_X62 + row[0], row, row[0]);

/**
 * The dispatch slot of an instruction word (see the module doc).
 *
 * @param word The instruction.
 * @returns An index into the `PPC64_*` per-slot tables.
 *
 * @example `add` and `blr`
 * ```ts
 * import { PPC64_MNEMONIC, ppc64Slot } from "./opcodes.ts";
 * import assert from "node:assert/strict";
 * assert.equal(PPC64_MNEMONIC[ppc64Slot(0x7c632214)], "add");
 * assert.equal(PPC64_MNEMONIC[ppc64Slot(0x4e800020)], "bclr");
 * ```
 */
export function ppc64Slot(word: number): number {
  const op = word >>> 26;
  switch (op) {
    case 19:
      return SLOT_X19 + ((word >>> 1) & 0x3ff);
    case 30:
      return SLOT_X30 + ((word >>> 1) & 15);
    case 31:
      return SLOT_X31 + ((word >>> 1) & 0x3ff);
    case 58:
      return SLOT_X58 + (word & 3);
    case 62:
      return SLOT_X62 + (word & 3);
    default:
      return op;
  }
}
