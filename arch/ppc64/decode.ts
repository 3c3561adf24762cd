// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The ppc64 decoder: one big-endian instruction word into a monomorphic
 * {@linkcode Ppc64DecodedInsn}. Pure: it reads the word and the tables of
 * `opcodes.ts`, never registers or memory. Fields are extracted once
 * (RT/RS, RA, RB, immediates sign-extended, rotate masks expanded to 64-bit
 * halves, SPR numbers unswapped) so the semantics in `fixed_point.ts`,
 * `rotate.ts`, `load_store.ts`, `branch.ts`, `cr.ts` and `system.ts` only
 * index registers. Used by the interpreter through the decode cache, by
 * the Kprobes analyzer (is this a relative branch, `mtmsrd`, `rfid`?) and
 * by the Capstone cross-check.
 *
 * Mnemonics are the base forms in Capstone's spelling (`addi`, `or`,
 * `rlwinm.`, `bc`, `bclrl`, `cmpwi`, `lwsync`); Capstone's simplified
 * aliases (`li`, `mr`, `beq`, `blr`, `nop` …) are a display matter and
 * live in the cross-check test's alias table.
 *
 * @module
 */

import {
  F_BRANCH,
  F_CMP,
  F_CR0,
  F_OE,
  F_RC,
  F_RC_ALWAYS,
  IK_BD,
  IK_DS,
  IK_LI,
  IK_SI,
  IK_SIS,
  IK_UI,
  IK_UIS,
  immKindOf,
  maskKindOf,
  MK_RLDIC,
  MK_RLDL,
  MK_RLDR,
  MK_RLW,
  MK_SRADI,
  PPC64_FLAGS,
  PPC64_ILLEGAL_SLOT,
  PPC64_MNEMONIC,
  PPC64_RESERVED,
  PPC64_XO,
  ppc64Slot,
} from "./opcodes.ts";

/**
 * One decoded instruction: numbers plus the mnemonic. Internal hot data
 * (public fields, no accessors), filled by {@linkcode decodePpc64}; the
 * address fields and successor links are filled by the CPU's fetch.
 */
export class Ppc64DecodedInsn {
  /** The instruction word. */
  word = 0;
  /** Length in bytes: always 4. */
  length = 4;
  /** Primary opcode (bits 0–5). */
  opcd = 0;
  /** Extended opcode of the form (X/XO/XL/XFX: 10 bits; MD/MDS: 3–4 bits; DS: 2 bits), or -1. */
  xo: number = -1;
  /** Index into the dispatch table (`PPC64_ILLEGAL_SLOT` when undefined here). */
  dispatch: number = PPC64_ILLEGAL_SLOT;
  /** 1 if executing the word raises the illegal-instruction program interrupt. */
  illegal = 1;
  /** `F_*` flags of the table entry. */
  flags = 0;
  /** Base mnemonic in Capstone's spelling (with `.` for record and `o` for OE forms). */
  mnemonic = "(bad)";
  /** RT, RS, BO, TO, BT or BF‖L (bits 6–10). */
  rt = 0;
  /** RA, BI or BA (bits 11–15). */
  ra = 0;
  /** RB, SH (M form) or BB (bits 16–20). */
  rb = 0;
  /** The immediate: SI/D/DS (sign-extended), UI, LI/BD byte displacement, SH, or the sc LEV. */
  imm = 0;
  /** 64-bit immediate operand, low half (`addis`, `oris` … pre-shifted; sign-extended). */
  immLo = 0;
  /** 64-bit immediate operand, high half. */
  immHi = 0;
  /** BO of a conditional branch. */
  bo = 0;
  /** BI of a conditional branch (or BC of isel). */
  bi = 0;
  /** AA bit. */
  aa = 0;
  /** LK bit. */
  lk = 0;
  /** Rc bit (record form: CR0 is set). */
  rc = 0;
  /** OE bit (XER.OV/SO are set). */
  oe = 0;
  /** L bit of compares (1: doubleword), of mtmsrd and mtcrf/mfcr (one field); sync's L field. */
  l = 0;
  /** CR field of compares and mcrf (BF), 0–7. */
  bf = 0;
  /** Rotate/shift amount of immediate rotates and shifts (0–63). */
  sh = 0;
  /** MB (begin of the mask). */
  mb = 0;
  /** ME (end of the mask). */
  me = 0;
  /** Rotate mask, low half (bits 32–63). */
  maskLo = 0;
  /** Rotate mask, high half (bits 0–31). */
  maskHi = 0;
  /** SPR number (unswapped) of mfspr/mtspr/mftb. */
  spr = 0;
  /** FXM of mtcrf/mtocrf/mfocrf. */
  fxm = 0;
  /** 1 for `b`/`bc` (target fixed by the address), 0 otherwise. */
  relative = 0;
  /** Address, low half (set by the fetch). */
  addrLo = 0;
  /** Address, high half. */
  addrHi = 0;
  /** Address of the next instruction, low half. */
  nextLo = 0;
  /** Address of the next instruction, high half. */
  nextHi = 0;
  /** Static branch target, low half (relative branches). */
  targetLo = 0;
  /** Static branch target, high half. */
  targetHi = 0;
  /** Threaded successor on fall-through (interpreter cache; may be null). */
  next: Ppc64DecodedInsn | null = null;
  /** Threaded successor at the static target. */
  target: Ppc64DecodedInsn | null = null;
  /** Block-translator entries counted at this address (see `jit.ts`). */
  jitHits = 0;
  /** The compiled block starting here (a `Ppc64JitBlock`), once hot. */
  jitBlock: object | null = null;
}

/** Fills `out.maskHi/maskLo` with MASK(mb, me) in IBM bit numbering (0 = MSB of 64). */
function setMask64(out: Ppc64DecodedInsn, mb: number, me: number): void {
  // Ones from bit mb through me (wrapping when mb > me).
  const hi0 = ones(mb, me, 0);
  const lo0 = ones(mb, me, 32);
  if (mb <= me) {
    out.maskHi = hi0;
    out.maskLo = lo0;
  } else {
    out.maskHi = (ones(0, me, 0) | ones(mb, 63, 0)) >>> 0;
    out.maskLo = (ones(0, me, 32) | ones(mb, 63, 32)) >>> 0;
  }
}

/** Ones at IBM bits [a, b] ∩ [base, base + 31], as a 32-bit word of that half. */
function ones(a: number, b: number, base: number): number {
  const from = Math.max(a, base) - base;
  const to = Math.min(b, base + 31) - base;
  if (from > to || a > b) return 0;
  const left = 0xffffffff >>> from;
  const right = to === 31 ? 0 : 0xffffffff >>> (to + 1);
  return (left ^ right) >>> 0;
}

/**
 * Decodes one instruction word.
 *
 * @param word The 32-bit instruction (as read big-endian).
 * @param out Record to fill (a new one if omitted); address fields are left alone.
 * @returns `out`.
 *
 * @example Decode `addi r3,r1,16` and `trap`
 * ```ts
 * import { decodePpc64 } from "./decode.ts";
 * import assert from "node:assert/strict";
 * const d = decodePpc64(0x38610010);
 * assert.equal(d.mnemonic, "addi");
 * assert.deepEqual([d.rt, d.ra, d.imm], [3, 1, 16]);
 * assert.equal(decodePpc64(0x7fe00008).mnemonic, "tw");
 * assert.equal(decodePpc64(0).illegal, 1);
 * ```
 */
export function decodePpc64(word: number, out?: Ppc64DecodedInsn): Ppc64DecodedInsn {
  const d = out ?? new Ppc64DecodedInsn();
  word >>>= 0;
  d.word = word;
  d.length = 4;
  const opcd = word >>> 26;
  d.opcd = opcd;
  d.rt = (word >>> 21) & 31;
  d.ra = (word >>> 16) & 31;
  d.rb = (word >>> 11) & 31;
  d.rc = word & 1;
  d.oe = 0;
  d.lk = 0;
  d.aa = 0;
  d.bo = 0;
  d.bi = 0;
  d.l = 0;
  d.bf = 0;
  d.sh = 0;
  d.mb = 0;
  d.me = 0;
  d.maskLo = 0;
  d.maskHi = 0;
  d.spr = 0;
  d.fxm = 0;
  d.imm = 0;
  d.immLo = 0;
  d.immHi = 0;
  d.relative = 0;
  d.next = null;
  d.target = null;
  d.jitHits = 0;
  d.jitBlock = null;

  const s = ppc64Slot(word);
  d.xo = PPC64_XO[s];
  const flags = PPC64_FLAGS[s];
  d.flags = flags;
  let name = PPC64_MNEMONIC[s];
  if (name === "" || (word & PPC64_RESERVED[s]) !== 0) return illegal(d);
  if ((flags & F_RC_ALWAYS) !== 0 && d.rc === 0) return illegal(d);
  if (opcd === 17 && (word & 2) === 0) return illegal(d); // sc needs bit 30 set
  d.dispatch = s;
  d.illegal = 0;

  // Immediates.
  const kind = immKindOf(flags);
  const si = (word << 16) >> 16;
  if (kind === IK_SI) {
    d.imm = si;
    d.immLo = si >>> 0;
    d.immHi = si < 0 ? 0xffffffff : 0;
  } else if (kind === IK_UI) {
    d.imm = word & 0xffff;
    d.immLo = d.imm;
  } else if (kind === IK_SIS) {
    d.imm = si;
    d.immLo = (si << 16) >>> 0;
    d.immHi = si < 0 ? 0xffffffff : 0;
  } else if (kind === IK_UIS) {
    d.imm = word & 0xffff;
    d.immLo = ((word & 0xffff) << 16) >>> 0;
  } else if (kind === IK_DS) {
    const ds = ((word & 0xfffc) << 16) >> 16;
    d.imm = ds;
    d.immLo = ds >>> 0;
    d.immHi = ds < 0 ? 0xffffffff : 0;
  } else if (kind === IK_LI) {
    d.imm = ((word & 0x03fffffc) << 6) >> 6;
    d.aa = (word >>> 1) & 1;
    d.lk = word & 1;
    d.rc = 0;
  } else if (kind === IK_BD) {
    d.imm = ((word & 0xfffc) << 16) >> 16;
    d.aa = (word >>> 1) & 1;
    d.lk = word & 1;
    d.rc = 0;
    d.bo = d.rt;
    d.bi = d.ra;
  }
  if ((flags & F_BRANCH) !== 0) d.relative = 1;

  // Rotate and shift fields and masks.
  const mk = maskKindOf(flags);
  if (mk === MK_RLW) {
    d.sh = opcd === 23 ? 0 : d.rb; // rlwnm rotates by RB
    d.mb = (word >>> 6) & 31;
    d.me = (word >>> 1) & 31;
    setMask64(d, d.mb + 32, d.me + 32);
  } else if (mk !== 0) {
    const m6 = ((word >>> 6) & 31) | (((word >>> 5) & 1) << 5);
    const sh6 = d.rb | (((word >>> 1) & 1) << 5);
    if (mk === MK_RLDL) {
      d.sh = sh6;
      d.mb = m6;
      d.me = 63;
    } else if (mk === MK_RLDR) {
      d.sh = sh6;
      d.mb = 0;
      d.me = m6;
    } else if (mk === MK_RLDIC) {
      d.sh = sh6;
      d.mb = m6;
      d.me = 63 - sh6;
    } else if (mk === MK_SRADI) {
      d.sh = sh6;
    }
    if (mk !== MK_SRADI) setMask64(d, d.mb, d.me);
    // MDS forms (rldcl, rldcr) take the amount from RB: no SH field.
    if (d.opcd === 30 && (d.xo & 8) !== 0) d.sh = 0;
  }

  // Form-specific fields and mnemonic variants.
  switch (opcd) {
    case 10: // cmpli
    case 11: // cmpi
      d.bf = d.rt >>> 2;
      d.l = d.rt & 1;
      break;
    case 16: // bc
      name = "bc" + (d.lk !== 0 ? "l" : "") + (d.aa !== 0 ? "a" : "");
      break;
    case 17: // sc
      d.imm = (word >>> 5) & 0x7f;
      break;
    case 18: // b
      name = "b" + (d.lk !== 0 ? "l" : "") + (d.aa !== 0 ? "a" : "");
      break;
    case 19:
      if (d.xo === 16 || d.xo === 528) {
        d.bo = d.rt;
        d.bi = d.ra;
        d.lk = word & 1;
        d.rc = 0;
        if (d.lk !== 0) name += "l";
      } else if (d.xo === 0) {
        d.bf = d.rt >>> 2;
      }
      break;
    case 31:
      xForm31(d, word);
      if (d.xo === 598) name = d.l === 1 ? "lwsync" : d.l === 2 ? "ptesync" : "sync";
      if ((d.xo === 19 || d.xo === 144) && d.l === 1) name = d.xo === 19 ? "mfocrf" : "mtocrf";
      // mfcr has no FXM; mfocrf needs one (exactly one, says the ISA; Capstone takes any).
      if (d.xo === 19 && (d.l === 0) === (d.fxm !== 0)) {
        return illegal(d);
      }
      // mtocrf names one CR field; with FXM = 0 it names none (Capstone refuses it too).
      if (d.xo === 144 && d.l === 1 && d.fxm === 0) return illegal(d);
      break;
  }
  if ((flags & F_CMP) !== 0) {
    // cmp/cmpl/cmpi/cmpli: w or d by L.
    const base = name;
    const imm = base.endsWith("i");
    const stem = imm ? base.slice(0, -1) : base;
    name = stem + (d.l !== 0 ? "d" : "w") + (imm ? "i" : "");
  }
  if ((flags & F_OE) !== 0) {
    d.oe = (word >>> 10) & 1;
    if (d.oe !== 0) name += "o";
  }
  // Without an Rc bit the low bit belongs to another field.
  if ((flags & F_RC) === 0) d.rc = 0;
  else if (d.rc !== 0) name += ".";
  if ((flags & (F_RC_ALWAYS | F_CR0)) !== 0) d.rc = 1;
  d.mnemonic = name;
  return d;
}

// X-form extras on primary opcode 31.
function xForm31(d: Ppc64DecodedInsn, word: number): void {
  switch (d.xo) {
    case 0: // cmp
    case 32: // cmpl
      d.bf = d.rt >>> 2;
      d.l = d.rt & 1;
      break;
    case 19: // mfcr / mfocrf
    case 144: // mtcrf / mtocrf
      d.l = (word >>> 20) & 1;
      d.fxm = (word >>> 12) & 0xff;
      break;
    case 178: // mtmsrd
    case 146: // mtmsr
      d.l = (word >>> 16) & 1;
      break;
    case 598: // sync
      d.l = (word >>> 21) & 3;
      break;
    case 339: // mfspr
    case 467: // mtspr
    case 371: // mftb
      d.spr = ((word >>> 16) & 31) | (((word >>> 11) & 31) << 5);
      break;
    case 824: // srawi
      d.sh = d.rb;
      break;
    default:
      if ((d.xo & 31) === 15) d.bi = (word >>> 6) & 31; // isel
  }
}

function illegal(d: Ppc64DecodedInsn): Ppc64DecodedInsn {
  d.dispatch = PPC64_ILLEGAL_SLOT;
  d.illegal = 1;
  d.flags = 0;
  d.mnemonic = "(bad)";
  d.rc = 0;
  return d;
}

/**
 * Whether the word is a relative branch (`b`/`bl`/`bc`/`bcl`, AA = 0),
 * whose displacement must be fixed up when executed out of line.
 *
 * @param word Instruction word.
 * @returns True for `b`/`bc` family with AA = 0.
 *
 * @example A `bl` is relative, a `blr` is not
 * ```ts
 * import { isRelativeBranch } from "./decode.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isRelativeBranch(0x48000009), true);
 * assert.equal(isRelativeBranch(0x4e800020), false);
 * ```
 */
export function isRelativeBranch(word: number): boolean {
  const op = word >>> 26;
  return (op === 16 || op === 18) && (word & 2) === 0;
}
