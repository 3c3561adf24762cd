// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The x86 decoder: legacy prefixes, REX, VEX (length only), opcode maps,
 * ModRM/SIB, displacement and immediates into a monomorphic
 * {@linkcode DecodedInsn} (the record and its `PREFIX_*` bits are in
 * `decoded_insn.ts`, re-exported here). Pure: it reads bytes and the encoding table in
 * `opcodes.ts`, never registers or memory. Used by the interpreter (through
 * the decode cache), the Kprobes analyzer (`can_probe`, relative-branch and
 * RIP-relative fix-ups) and the Capstone cross-check.
 *
 * @module
 */

import {
  A_ALT_ADDR,
  A_DEFINED,
  A_ESCAPE,
  A_FORCE_REG,
  A_I64,
  A_IMM_SHIFT,
  A_LOCK,
  A_MEM,
  A_MODRM,
  A_NOEXEC,
  A_O64,
  A_PREFIX,
  A_SIZE_SHIFT,
  ATTR,
  CC_NAMES,
  GROUP_ATTR,
  GROUP_MNEMONIC,
  GROUP_OF,
  GROUP_SLOT_OF,
  GRP15_F3_REG,
  GRP15_REG,
  GRP7_REG,
  GRP9_REG,
  IMM_AP,
  IMM_B,
  IMM_BS,
  IMM_GROUP,
  IMM_JB,
  IMM_JZ,
  IMM_NONE,
  IMM_O,
  IMM_V,
  IMM_W,
  IMM_WB,
  IMM_Z,
  MNEMONIC,
  SIZE_B,
  SIZE_D64,
  SIZE_F64,
} from "./opcodes.ts";
import {
  DecodedInsn,
  MAX_INSN_LENGTH,
  PREFIX_66,
  PREFIX_67,
  PREFIX_F2,
  PREFIX_F3,
  PREFIX_LOCK,
  PREFIX_SEG,
  PREFIX_VEX,
  UD_SLOT,
} from "./decoded_insn.ts";

// The record and its constants live in decoded_insn.ts; the decoder is their
// one import path for handlers, the cache and the translator.
export * from "./decoded_insn.ts";

const REG16_BASE = [3, 3, 5, 5, 6, 7, 5, 3]; // bx bx bp bp si di bp bx
const REG16_INDEX = [6, 7, 6, 7, -1, -1, -1, -1]; // si di si di

function fail(out: DecodedInsn): DecodedInsn {
  out.length = 0;
  out.dispatch = UD_SLOT;
  out.invalid = 1;
  out.mnemonic = "(bad)";
  return out;
}

/**
 * Decodes one instruction.
 *
 * @param bytes Code bytes.
 * @param offset Where the instruction starts in `bytes`.
 * @param mode 64 for long mode, 32 for protected mode.
 * @param out Optional record to fill instead of allocating one.
 * @returns The decoded instruction; `length` 0 if `bytes` ends too early.
 *
 * @example Decode a RIP-relative load
 * ```ts
 * import { decodeX86 } from "./decode.ts";
 * import assert from "node:assert/strict";
 * // mov rax, [rip + 0x10]
 * const insn = decodeX86(new Uint8Array([0x48, 0x8b, 0x05, 0x10, 0, 0, 0]), 0, 64);
 * assert.equal(insn.length, 7);
 * assert.equal(insn.mnemonic, "mov");
 * assert.equal(insn.ripRelative, 1);
 * assert.equal(insn.dispOffset, 3);
 * assert.equal(insn.disp, 0x10);
 * ```
 */
export function decodeX86(
  bytes: Uint8Array,
  offset: number,
  mode: 64 | 32,
  out: DecodedInsn = new DecodedInsn(),
): DecodedInsn {
  const end = Math.min(bytes.length, offset + MAX_INSN_LENGTH);
  const long = mode === 64;
  let p = offset;
  let prefixes = 0;
  let segment = -1;
  let rex = 0;
  let lastRep = 0;
  out.modrm = -1;
  out.mod = 0;
  out.reg = 0;
  out.rm = 0;
  out.sib = -1;
  out.scale = 0;
  out.index = -1;
  out.base = -1;
  out.dispOffset = -1;
  out.dispSize = 0;
  out.disp = 0;
  out.ripRelative = 0;
  out.immOffset = -1;
  out.immSize = 0;
  out.imm = 0;
  out.immHi = 0;
  out.imm2 = 0;
  out.cc = 0;
  out.relative = 0;

  // Prefixes and REX.
  let b = 0;
  for (;;) {
    if (p >= end) return fail(out);
    b = bytes[p];
    if ((ATTR[b] & A_PREFIX) !== 0) {
      if (b === 0x66) prefixes |= PREFIX_66;
      else if (b === 0x67) prefixes |= PREFIX_67;
      else if (b === 0xf0) prefixes |= PREFIX_LOCK;
      else if (b === 0xf2) lastRep = PREFIX_F2;
      else if (b === 0xf3) lastRep = PREFIX_F3;
      else {
        prefixes |= PREFIX_SEG;
        segment = b === 0x26
          ? 0
          : b === 0x2e
          ? 1
          : b === 0x36
          ? 2
          : b === 0x3e
          ? 3
          : b === 0x64
          ? 4
          : 5;
      }
      if (b === 0xf2 || b === 0xf3) prefixes |= b === 0xf2 ? PREFIX_F2 : PREFIX_F3;
      rex = 0; // a legacy prefix after REX voids it
      p++;
      continue;
    }
    if (long && (b & 0xf0) === 0x40) {
      rex = b;
      p++;
      continue;
    }
    break;
  }
  out.prefixes = prefixes;
  out.segment = segment;
  out.rex = rex;

  // Opcode map.
  let map = 0;
  let vex = false;
  let evex = false;
  let vexL = 0;
  if (b === 0x0f) {
    if (++p >= end) return fail(out);
    b = bytes[p];
    map = 1;
    if (b === 0x38 || b === 0x3a) {
      map = b === 0x38 ? 2 : 3;
      if (++p >= end) return fail(out);
      b = bytes[p];
    }
  } else if (
    (b === 0xc4 || b === 0xc5 || b === 0x62) &&
    (long || (p + 1 < end && (bytes[p + 1] & 0xc0) === 0xc0))
  ) {
    // VEX and EVEX (62 in long mode, or with ModRM.mod = 3 bits in
    // protected mode, where 62 /r is BOUND): decoded for the length; execution raises #UD.
    vex = true;
    prefixes |= PREFIX_VEX;
    out.prefixes = prefixes;
    if (b === 0x62) {
      evex = true;
      if (p + 4 >= end) return fail(out);
      const p0 = bytes[p + 1];
      const p1 = bytes[p + 2];
      map = p0 & 7;
      if (map < 1 || map > 3) map = 1;
      rex = 0x40 | ((p0 & 0x80) === 0 ? 4 : 0) | ((p0 & 0x40) === 0 ? 2 : 0) |
        ((p0 & 0x20) === 0 ? 1 : 0) | ((p1 & 0x80) !== 0 ? 8 : 0);
      vexL = p1;
      p += 4;
    } else if (b === 0xc5) {
      if (p + 2 >= end) return fail(out);
      const v = bytes[p + 1];
      rex = 0x40 | ((v & 0x80) === 0 ? 4 : 0);
      vexL = v;
      map = 1;
      p += 2;
    } else {
      if (p + 3 >= end) return fail(out);
      const v1 = bytes[p + 1];
      const v2 = bytes[p + 2];
      map = v1 & 0x1f;
      if (map < 1 || map > 3) map = 1;
      rex = 0x40 | ((v1 & 0x80) === 0 ? 4 : 0) | ((v1 & 0x40) === 0 ? 2 : 0) |
        ((v1 & 0x20) === 0 ? 1 : 0) | ((v2 & 0x80) !== 0 ? 8 : 0);
      vexL = v2;
      p += 3;
    }
    out.rex = 0;
    if (p >= end) return fail(out);
    b = bytes[p];
  }
  void vexL;
  const opcode = (map << 8) | b;
  out.opcode = opcode;
  out.opcodeOffset = p;
  p++;
  let attrs = ATTR[opcode];
  let mnemonic = MNEMONIC[opcode];
  let ud = (attrs & A_DEFINED) === 0 || (attrs & A_ESCAPE) !== 0 ||
    (long ? (attrs & A_I64) !== 0 : (attrs & A_O64) !== 0);
  if (vex) {
    // An imm8 follows in map 0F3A and for the map-0F encodings that take
    // one (pshufd/pshufhw/pshuflw, the shift-by-immediate groups 71–73,
    // cmpps, pinsrw, pextrw, shufps).
    const imm8 = map === 3 || (opcode >= 0x170 && opcode <= 0x173) || opcode === 0x1c2 ||
      (opcode >= 0x1c4 && opcode <= 0x1c6);
    attrs = A_DEFINED | A_MODRM | A_NOEXEC | (imm8 ? IMM_B << A_IMM_SHIFT : 0);
    mnemonic = evex ? "evex" : "vex";
    ud = false;
    // VEX forms without ModRM: vzeroupper/vzeroall (0F 77); EVEX has none.
    if (opcode === 0x177 && !evex) attrs &= ~A_MODRM;
  }

  // Address size.
  const addrsize = long
    ? ((prefixes & PREFIX_67) !== 0 ? 4 : 8)
    : (prefixes & PREFIX_67) !== 0
    ? 2
    : 4;
  out.addrsize = addrsize;

  // ModRM, SIB, displacement.
  let mod = 0;
  let reg = 0;
  let rm = 0;
  if ((attrs & A_MODRM) !== 0) {
    if (p >= end) return fail(out);
    const m = bytes[p++];
    out.modrm = m;
    mod = m >> 6;
    reg = ((m >> 3) & 7) | ((rex & 4) << 1);
    rm = (m & 7) | ((rex & 1) << 3);
    if ((attrs & A_FORCE_REG) !== 0) mod = 3;
    if (mod !== 3) {
      let dispSize = mod === 1 ? 1 : 0;
      if (addrsize === 2) {
        if (mod === 2) dispSize = 2;
        if (mod === 0 && (m & 7) === 6) {
          dispSize = 2;
        } else {
          out.base = REG16_BASE[m & 7];
          out.index = REG16_INDEX[m & 7];
        }
      } else {
        if (mod === 2) dispSize = 4;
        if ((m & 7) === 4) {
          if (p >= end) return fail(out);
          const sib = bytes[p++];
          out.sib = sib;
          out.scale = sib >> 6;
          const index = ((sib >> 3) & 7) | ((rex & 2) << 2);
          out.index = index === 4 ? -1 : index;
          if ((sib & 7) === 5 && mod === 0) dispSize = 4;
          else out.base = (sib & 7) | ((rex & 1) << 3);
        } else if ((m & 7) === 5 && mod === 0) {
          dispSize = 4;
          if (long) out.ripRelative = 1;
        } else {
          out.base = rm;
        }
      }
      if (dispSize !== 0) {
        if (p + dispSize > end) return fail(out);
        out.dispOffset = p - offset;
        out.dispSize = dispSize;
        if (dispSize === 1) out.disp = (bytes[p] << 24) >> 24;
        else if (dispSize === 2) out.disp = ((bytes[p] | (bytes[p + 1] << 8)) << 16) >> 16;
        else {out.disp = bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) |
            (bytes[p + 3] << 24);}
        p += dispSize;
      }
    }
  } else if (
    (opcode & 0xff0) === 0x050 || (opcode & 0xff0) === 0x0b0 ||
    (opcode & 0xff8) === 0x090 || (opcode & 0xff8) === 0x1c8 ||
    (!long && (opcode & 0xff0) === 0x040)
  ) {
    rm = (b & 7) | ((rex & 1) << 3);
  }
  out.mod = mod;
  out.reg = reg;
  out.rm = rm;

  // Groups resolve on ModRM.reg (and on mod/rm for register forms).
  const group = GROUP_OF[opcode];
  let immKind = (attrs >> A_IMM_SHIFT) & 15;
  let sizeRule = (attrs >> A_SIZE_SHIFT) & 3;
  let lockable = (attrs & A_LOCK) !== 0;
  let memOnly = (attrs & A_MEM) !== 0;
  if (group !== "") {
    const r = reg & 7;
    const ga = GROUP_ATTR[group][r];
    mnemonic = GROUP_MNEMONIC[group][r];
    if ((ga & A_DEFINED) === 0) ud = true;
    const gImm = (ga >> A_IMM_SHIFT) & 15;
    if (gImm !== 0) immKind = gImm === IMM_GROUP ? (sizeRule === SIZE_B ? IMM_B : IMM_Z) : gImm;
    const gSize = (ga >> A_SIZE_SHIFT) & 3;
    if (gSize === SIZE_D64 || gSize === SIZE_F64) sizeRule = gSize;
    lockable = (ga & A_LOCK) !== 0;
    memOnly = (ga & A_MEM) !== 0;
    if (mod === 3) {
      const rmLow = rm & 7;
      if (group === "grp7") {
        const name = GRP7_REG[r * 8 + rmLow];
        mnemonic = name ?? "";
        ud = name === undefined || (name === "swapgs" && !long);
        memOnly = false;
      } else if (group === "grp9") {
        mnemonic = (prefixes & PREFIX_F3) !== 0 && r === 7 ? "rdpid" : GRP9_REG[r];
        ud = mnemonic === "";
        memOnly = false;
        if (r >= 6) sizeRule = 0;
      } else if (group === "grp15") {
        mnemonic = (prefixes & PREFIX_F3) !== 0 ? GRP15_F3_REG[r] : GRP15_REG[r];
        ud = mnemonic === "";
        memOnly = false;
      } else if (group === "grp11" && r === 7 && rmLow === 0) {
        mnemonic = b === 0xc6 ? "xabort" : "xbegin";
        immKind = b === 0xc6 ? IMM_B : IMM_JZ;
        ud = false;
      }
    } else if (group === "grp9" && r === 1 && (rex & 8) !== 0) {
      mnemonic = "cmpxchg16b";
    }
    if (group === "grp7" && mod !== 3) memOnly = r !== 4 && r !== 6;
  }
  if (memOnly && mod === 3) ud = true;
  // Groups 15 and 9 run only the fences, clflush(opt) and cmpxchg8b/16b; the
  // other members (fxsave…xsaveopt, rdfsbase…, rdrand, rdseed, rdpid,
  // vmptrld…) raise #UD in the interpreter, and with 66/F2 (F3) a fence
  // encoding is another instruction (tpause, umwait, pcommit, incssp).
  if (opcode === 0x1ae) {
    const r = reg & 7;
    const p = prefixes & (PREFIX_66 | PREFIX_F2 | PREFIX_F3);
    if (mod === 3 ? r < 5 || p !== 0 : r !== 7 || (p & (PREFIX_F2 | PREFIX_F3)) !== 0) ud = true;
    else if (mod !== 3 && p === PREFIX_66) mnemonic = "clflushopt";
  } else if (opcode === 0x1c7 && (mod === 3 || (reg & 7) !== 1)) {
    ud = true;
  }
  // movnti (NP 0F C3), emms (NP 0F 77), vmread/vmwrite (NP 0F 78/79): a 66,
  // F2 or F3 prefix makes them #UD (66/F2 0F 78/79 are AMD's extrq/insertq).
  if (
    (opcode === 0x1c3 || opcode === 0x177 || opcode === 0x178 || opcode === 0x179) && !vex &&
    (prefixes & (PREFIX_66 | PREFIX_F2 | PREFIX_F3)) !== 0
  ) ud = true;
  // mov r/m, Sreg and mov Sreg, r/m: no segment register 6 or 7; CS cannot be loaded.
  if (
    (opcode === 0x8c || opcode === 0x8e) && ((reg & 7) > 5 || (opcode === 0x8e && (reg & 7) === 1))
  ) {
    ud = true;
  }
  if ((prefixes & PREFIX_LOCK) !== 0 && (!lockable || mod === 3)) ud = true;
  if ((attrs & A_NOEXEC) !== 0) ud = true;

  // Operand size.
  let opsize: number;
  const w = (rex & 8) !== 0;
  const o16 = (prefixes & PREFIX_66) !== 0;
  if (sizeRule === SIZE_B) opsize = 1;
  else if (long && sizeRule === SIZE_F64) opsize = 8;
  else if (long && sizeRule === SIZE_D64) opsize = o16 && !w ? 2 : 8; // REX.W beats 66
  else opsize = w ? 8 : o16 ? 2 : 4;
  out.opsize = opsize;
  out.width = opsize === 1 ? 0 : opsize === 2 ? 1 : opsize === 4 ? 2 : 3;

  // Immediates.
  if (immKind !== IMM_NONE) {
    let n = 0;
    switch (immKind) {
      case IMM_B:
      case IMM_BS:
      case IMM_JB:
        n = 1;
        break;
      case IMM_W:
        n = 2;
        break;
      case IMM_WB:
        n = 3;
        break;
      case IMM_Z:
        n = opsize === 2 ? 2 : 4;
        break;
      case IMM_JZ:
        n = opsize === 2 && !long ? 2 : 4;
        break;
      case IMM_V:
        n = opsize;
        break;
      case IMM_O:
        n = addrsize;
        break;
      case IMM_AP:
        n = opsize === 2 ? 4 : 6;
        break;
    }
    if (p + n > end) return fail(out);
    out.immOffset = p - offset;
    out.immSize = immKind === IMM_WB ? 2 : immKind === IMM_AP ? n - 2 : n;
    const b0 = bytes[p];
    const u16 = n >= 2 ? b0 | (bytes[p + 1] << 8) : b0;
    const s32 = n >= 4 ? (u16 | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) : 0;
    switch (immKind) {
      case IMM_B:
        out.imm = b0;
        break;
      case IMM_BS: {
        const v = (b0 << 24) >> 24;
        out.imm = opsize === 2 ? v & 0xffff : opsize === 1 ? b0 : v >>> 0;
        out.immHi = opsize === 8 && v < 0 ? 0xffffffff : 0;
        break;
      }
      case IMM_W:
        out.imm = u16;
        break;
      case IMM_WB:
        out.imm = u16;
        out.imm2 = bytes[p + 2];
        break;
      case IMM_Z:
        if (n === 2) out.imm = u16;
        else {
          out.imm = s32 >>> 0;
          out.immHi = opsize === 8 && s32 < 0 ? 0xffffffff : 0;
        }
        break;
      case IMM_JB:
        out.imm = (b0 << 24) >> 24;
        out.immHi = out.imm < 0 ? 0xffffffff : 0;
        break;
      case IMM_JZ:
        out.imm = n === 2 ? (u16 << 16) >> 16 : s32;
        out.immHi = out.imm < 0 ? 0xffffffff : 0;
        break;
      case IMM_V:
      case IMM_O:
        if (n === 2) out.imm = u16;
        else out.imm = s32 >>> 0;
        if (n === 8) {
          out.immHi =
            (bytes[p + 4] | (bytes[p + 5] << 8) | (bytes[p + 6] << 16) | (bytes[p + 7] << 24)) >>>
            0;
        }
        break;
      case IMM_AP:
        out.imm = n === 4 ? u16 : s32 >>> 0;
        out.imm2 = bytes[p + n - 2] | (bytes[p + n - 1] << 8);
        break;
    }
    p += n;
    if (immKind === IMM_JB || immKind === IMM_JZ) out.relative = 1;
  }

  const length = p - offset;
  out.length = length;
  if (length > MAX_INSN_LENGTH) ud = true;

  // Mandatory-prefix forms and special spellings.
  if (
    (opcode & 0xff0) === 0x070 || (opcode & 0xff0) === 0x180 || (opcode & 0xff0) === 0x190 ||
    (opcode & 0xff0) === 0x140
  ) {
    out.cc = opcode & 15;
    mnemonic = mnemonic.replace("$cc", CC_NAMES[opcode & 15]);
  }
  if (mnemonic.includes("/")) {
    const alts = mnemonic.split("/");
    const size = (attrs & A_ALT_ADDR) !== 0 ? addrsize : opsize;
    mnemonic = alts[size === 2 ? 0 : size === 4 ? 1 : Math.min(2, alts.length - 1)];
  }
  const f3 = (prefixes & PREFIX_F3) !== 0 && lastRep === PREFIX_F3;
  switch (opcode) {
    case 0x090:
      if ((rex & 1) !== 0) mnemonic = "xchg";
      else if (f3) mnemonic = "pause";
      break;
    case 0x0a0:
    case 0x0a1:
    case 0x0a2:
    case 0x0a3:
      if (long && addrsize === 8) mnemonic = "movabs";
      break;
    case 0x1b8:
      if (!f3) ud = true;
      break;
    case 0x10b: // ud2, ud1, ud0: defined to raise #UD
    case 0x1b9:
    case 0x1ff:
      ud = true;
      break;
    case 0x1bc:
      if (f3) mnemonic = "tzcnt";
      break;
    case 0x1bd:
      if (f3) mnemonic = "lzcnt";
      break;
    case 0x11e:
      if (f3 && out.modrm === 0xfa) mnemonic = "endbr64";
      else if (f3 && out.modrm === 0xfb) mnemonic = "endbr32";
      break;
    case 0x2f0:
    case 0x2f1:
      if ((prefixes & PREFIX_F2) !== 0) mnemonic = "crc32";
      break;
  }
  if (opcode >= 0x0b8 && opcode <= 0x0bf && opsize === 8) mnemonic = "movabs";

  // Capstone spells REP/LOCK into the mnemonic.
  if ((prefixes & PREFIX_LOCK) !== 0 && !ud) mnemonic = "lock " + mnemonic;
  if (lastRep !== 0 && isStringOp(opcode)) {
    const repe = opcode === 0xa6 || opcode === 0xa7 || opcode === 0xae || opcode === 0xaf;
    mnemonic = (lastRep === PREFIX_F2 ? "repne " : repe ? "repe " : "rep ") + mnemonic;
  } else if (lastRep === PREFIX_F2 && isBranch(opcode, reg & 7)) {
    mnemonic = "bnd " + mnemonic;
  }
  out.mnemonic = mnemonic === "" ? "(bad)" : mnemonic;
  const slot = GROUP_SLOT_OF[opcode];
  out.dispatch = ud ? UD_SLOT : slot !== 0 ? slot + (reg & 7) : opcode;
  out.invalid = ud ? 1 : 0;
  return out;
}

function isStringOp(opcode: number): boolean {
  return (opcode >= 0xa4 && opcode <= 0xa7) || (opcode >= 0xaa && opcode <= 0xaf) ||
    (opcode >= 0x6c && opcode <= 0x6f);
}

function isBranch(opcode: number, reg: number): boolean {
  return opcode === 0xc3 || opcode === 0xc2 || opcode === 0xe8 || opcode === 0xe9 ||
    (opcode & 0xff0) === 0x070 || (opcode & 0xff0) === 0x180 ||
    (opcode === 0xff && reg >= 2 && reg <= 5);
}

/**
 * Length of the instruction at `offset`, or 0 if `bytes` ends too early.
 * Linux: insn_get_length() as used by can_probe().
 *
 * @param bytes Code bytes.
 * @param offset Start of the instruction.
 * @param mode 64 or 32.
 * @returns The length in bytes.
 *
 * @example Walk a function
 * ```ts
 * import { insnLength } from "./decode.ts";
 * import assert from "node:assert/strict";
 * // push rbp; mov rbp, rsp; pop rbp; ret
 * const code = new Uint8Array([0x55, 0x48, 0x89, 0xe5, 0x5d, 0xc3]);
 * assert.deepEqual([insnLength(code, 0, 64), insnLength(code, 1, 64)], [1, 3]);
 * ```
 */
export function insnLength(bytes: Uint8Array, offset: number, mode: 64 | 32): number {
  return decodeX86(bytes, offset, mode, SCRATCH).length;
}

const SCRATCH = new DecodedInsn();
