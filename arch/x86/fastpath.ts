// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Operand-shape specializations picked once, when the decode cache binds a
 * handler to an instruction (`insn.exec`): register-to-register moves and
 * `[base + disp]` loads, stores and `lea` in 32/64-bit forms, the shapes
 * gcc emits most. Each does exactly what the generic handler in `move.ts`
 * does for that shape, with the address arithmetic and the page-local
 * memory access inlined. `DISPATCH` stays the canonical table.
 *
 * @module
 */

import type { X86Cpu } from "./cpu.ts";
import type { DecodedInsn } from "./decode.ts";
import { readMem, writeMem } from "./modrm.ts";
import type { Handler } from "./opcodes.ts";
import { OP_HI } from "./regs.ts";
import { opInt3Loop } from "./system.ts";

// Effective address of [base + disp] (64-bit addressing, no index, no FS/GS):
// low half returned, high half in regs[OP_HI]. Integer-only arithmetic.
function eaBaseDisp(cpu: X86Cpu, insn: DecodedInsn): number {
  const regs = cpu.regs;
  const b = insn.base << 1;
  const l0 = regs[b];
  const d = insn.disp;
  const l = (l0 + d) >>> 0;
  regs[OP_HI] = (regs[b | 1] + (d < 0 ? -1 : 0) + (l < l0 ? 1 : 0)) >>> 0;
  return l;
}

/** 8B: mov r64, r64. */
function opMovRR64(cpu: X86Cpu, insn: DecodedInsn): void {
  const regs = cpu.regs;
  const d = insn.reg << 1;
  const s = insn.rm << 1;
  regs[d] = regs[s];
  regs[d | 1] = regs[s | 1];
}

/** 89: mov r64, r64 (ModRM.rm is the destination). */
function opMovRR64Rev(cpu: X86Cpu, insn: DecodedInsn): void {
  const regs = cpu.regs;
  const d = insn.rm << 1;
  const s = insn.reg << 1;
  regs[d] = regs[s];
  regs[d | 1] = regs[s | 1];
}

/** 8B: mov r32, r32. */
function opMovRR32(cpu: X86Cpu, insn: DecodedInsn): void {
  const regs = cpu.regs;
  const d = insn.reg << 1;
  regs[d] = regs[insn.rm << 1];
  regs[d | 1] = 0;
}

/** 89: mov r32, r32 (ModRM.rm is the destination). */
function opMovRR32Rev(cpu: X86Cpu, insn: DecodedInsn): void {
  const regs = cpu.regs;
  const d = insn.rm << 1;
  regs[d] = regs[insn.reg << 1];
  regs[d | 1] = 0;
}

/** 8B: mov r64, [base + disp]. */
function opMovLoad64(cpu: X86Cpu, insn: DecodedInsn): void {
  const regs = cpu.regs;
  const lo = eaBaseDisp(cpu, insn);
  const hi = regs[OP_HI];
  const g = insn.reg << 1;
  if ((lo & 0xfff) <= 0xff8) {
    const off = cpu.mem.translate(hi, lo, cpu.accRead);
    const dv = cpu.dv;
    regs[g] = dv.getUint32(off, true);
    regs[g | 1] = dv.getUint32(off + 4, true);
    return;
  }
  const v = readMem(cpu, hi, lo, 3);
  regs[g | 1] = regs[OP_HI];
  regs[g] = v;
}

/** 8B: mov r32, [base + disp]. */
function opMovLoad32(cpu: X86Cpu, insn: DecodedInsn): void {
  const regs = cpu.regs;
  const lo = eaBaseDisp(cpu, insn);
  const hi = regs[OP_HI];
  const g = insn.reg << 1;
  const v = (lo & 0xfff) <= 0xffc
    ? cpu.dv.getUint32(cpu.mem.translate(hi, lo, cpu.accRead), true)
    : readMem(cpu, hi, lo, 2);
  regs[g] = v;
  regs[g | 1] = 0;
}

/** 89: mov [base + disp], r64. */
function opMovStore64(cpu: X86Cpu, insn: DecodedInsn): void {
  const regs = cpu.regs;
  const lo = eaBaseDisp(cpu, insn);
  const hi = regs[OP_HI];
  const g = insn.reg << 1;
  if ((lo & 0xfff) <= 0xff8) {
    const off = cpu.mem.translate(hi, lo, cpu.accWrite);
    const dv = cpu.dv;
    dv.setUint32(off, regs[g], true);
    dv.setUint32(off + 4, regs[g | 1], true);
    return;
  }
  writeMem(cpu, hi, lo, 3, regs[g], regs[g | 1]);
}

/** 89: mov [base + disp], r32. */
function opMovStore32(cpu: X86Cpu, insn: DecodedInsn): void {
  const regs = cpu.regs;
  const lo = eaBaseDisp(cpu, insn);
  const hi = regs[OP_HI];
  const v = regs[insn.reg << 1];
  if ((lo & 0xfff) <= 0xffc) {
    cpu.dv.setUint32(cpu.mem.translate(hi, lo, cpu.accWrite), v, true);
    return;
  }
  writeMem(cpu, hi, lo, 2, v, 0);
}

/** 8D: lea r64, [base + index * scale + disp]. */
function opLea64Index(cpu: X86Cpu, insn: DecodedInsn): void {
  const regs = cpu.regs;
  let l = eaBaseDisp(cpu, insn);
  let h = regs[OP_HI];
  const s = insn.scale;
  const x = insn.index << 1;
  const il = regs[x];
  const ih = regs[x | 1];
  const sl = (il << s) >>> 0;
  const sh = s === 0 ? ih : (ih << s) | (il >>> (32 - s));
  const n = (l + sl) >>> 0;
  h = (h + sh + (n < l ? 1 : 0)) >>> 0;
  l = n;
  const g = insn.reg << 1;
  regs[g] = l;
  regs[g | 1] = h;
}

/** 8D: lea r64, [base + disp]. */
function opLea64(cpu: X86Cpu, insn: DecodedInsn): void {
  const regs = cpu.regs;
  const lo = eaBaseDisp(cpu, insn);
  const g = insn.reg << 1;
  regs[g | 1] = regs[OP_HI];
  regs[g] = lo;
}

/**
 * A specialized handler for `insn`'s operand shape, or `generic` when none
 * applies. Called once per cached instruction.
 *
 * @param insn A valid decoded instruction.
 * @param generic Its `DISPATCH` handler.
 * @returns The handler to bind.
 *
 * @example A register move gets a specialized handler
 * ```ts
 * import { specialize } from "./fastpath.ts";
 * import { decodeX86 } from "./decode.ts";
 * import { DISPATCH } from "./opcodes.ts";
 * import assert from "node:assert/strict";
 * const insn = decodeX86(new Uint8Array([0x48, 0x89, 0xe5]), 0, 64); // mov rbp, rsp
 * assert.notEqual(specialize(insn, DISPATCH[insn.dispatch]), DISPATCH[insn.dispatch]);
 * ```
 */
export function specialize(insn: DecodedInsn, generic: Handler): Handler {
  const op = insn.dispatch;
  if (op === 0xcc) return opInt3Loop;
  if (op !== 0x89 && op !== 0x8b && op !== 0x8d) return generic;
  const w = insn.width;
  if (w < 2) return generic;
  if (insn.mod === 3) {
    if (op === 0x8d) return generic;
    if (w === 3) return op === 0x8b ? opMovRR64 : opMovRR64Rev;
    return op === 0x8b ? opMovRR32 : opMovRR32Rev;
  }
  const based = insn.base >= 0 && insn.ripRelative === 0 && insn.addrsize === 8;
  if (op === 0x8d && based && insn.index >= 0 && w === 3) return opLea64Index;
  const simple = based && insn.index < 0 && (insn.segment < 4 || op === 0x8d);
  if (!simple) return generic;
  if (op === 0x8d) return w === 3 ? opLea64 : generic;
  if (op === 0x8b) return w === 3 ? opMovLoad64 : opMovLoad32;
  return w === 3 ? opMovStore64 : opMovStore32;
}
