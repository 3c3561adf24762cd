// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * sparc64 loads, stores and atomics (SPARC V9 A.9, A.27–A.31, A.52–A.55):
 * `ld{u,s}{b,h,w}`, `ldx`, `ldd`, the stores, `ldstub`, `swap`, `casa`/
 * `casxa` and their alternate-space forms. Addresses are `rs1 + rs2` or
 * `rs1 + simm13` (`[rs1]` for CAS), masked to 32 bits under PSTATE.AM,
 * and must be size-aligned (`mem_address_not_aligned`, 0x034). ASIs (ABI.md):
 * PRIMARY 0x80/SECONDARY 0x81 (and their no-fault forms) and NUCLEUS 0x04
 * are the one flat address space; AS_IF_USER 0x10/0x11 are checked as user
 * accesses; SCRATCHPAD 0x20 reaches the 8 per-CPU registers at `8·k` with
 * `ldxa`/`stxa`; an ASI below 0x80 in user mode is `privileged_action`; any
 * other ASI (the little-endian ones) is a `data_access_exception`. Memory
 * is written only after every check, registers only after memory.
 *
 * @module
 */

import { PF_USER, PF_WRITE } from "../types.ts";
import type { Sparc64Cpu } from "./cpu.ts";
import { ASI_REG, type Sparc64DecodedInsn } from "./decode.ts";
import {
  ASI_AIUP,
  ASI_AIUS,
  ASI_NUCLEUS,
  ASI_PNF,
  ASI_PRIMARY,
  ASI_SCRATCHPAD,
  ASI_SECONDARY,
  ASI_SNF,
  PSTATE_AM,
  PSTATE_PRIV,
  R_ADDR_HI,
  R_ADDR_LO,
  R_ASI,
  R_PSTATE,
  R_SCRATCHPAD,
  TT_DATA_ACCESS,
  TT_FP_DISABLED,
  TT_PRIVILEGED_ACTION,
  TT_UNALIGNED,
} from "./regs.ts";
import { setRd } from "./alu.ts";
import { hostTrap } from "./traps.ts";

const TWO32 = 4294967296;
/** Access code of a scratchpad ASI (not a memory access). */
const ACC_SCRATCHPAD = -1;
// Load size by op3 & 3: uw/sw 4, ub/sb 1, uh/sh 2, x 8.
const LOAD_SIZE = [4, 1, 2, 8];

// EA = rs1 + (rs2 | simm13), or [rs1] for CAS; into R_ADDR_LO/HI.
function effectiveAddress(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn, rs1Only: boolean): void {
  const R = cpu.regs;
  const a = cpu.rmap[insn.rs1];
  let lo = R[a];
  let hi = R[a + 1];
  if (!rs1Only) {
    let bl: number;
    let bh: number;
    if (insn.i !== 0) {
      bl = insn.imm >>> 0;
      bh = insn.imm < 0 ? 0xffffffff : 0;
    } else {
      const b = cpu.rmap[insn.rs2];
      bl = R[b];
      bh = R[b + 1];
    }
    const s = lo + bl;
    lo = s >>> 0;
    hi = (hi + bh + (s >= TWO32 ? 1 : 0)) >>> 0;
  }
  if ((R[R_PSTATE] & PSTATE_AM) !== 0) hi = 0;
  R[R_ADDR_LO] = lo;
  R[R_ADDR_HI] = hi;
}

// The PF_* access code (without PF_WRITE) of the instruction's ASI, or ACC_SCRATCHPAD.
function accessOf(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn, alt: boolean): number {
  if (!alt) return cpu.accUser;
  const R = cpu.regs;
  const asi = insn.asi === ASI_REG ? R[R_ASI] & 0xff : insn.asi;
  const priv = (R[R_PSTATE] & PSTATE_PRIV) !== 0;
  if (asi < 0x80 && !priv) hostTrap(cpu, TT_PRIVILEGED_ACTION, 0, R[R_ADDR_HI], R[R_ADDR_LO]);
  switch (asi) {
    case ASI_PRIMARY:
    case ASI_SECONDARY:
    case ASI_PNF:
    case ASI_SNF:
    case ASI_NUCLEUS:
      return cpu.accUser;
    case ASI_AIUP:
    case ASI_AIUS:
      return PF_USER;
    case ASI_SCRATCHPAD:
      return ACC_SCRATCHPAD;
  }
  return hostTrap(cpu, TT_DATA_ACCESS, 0, R[R_ADDR_HI], R[R_ADDR_LO]);
}

// Alignment check of R_EA for `size` bytes.
function checkAligned(cpu: Sparc64Cpu, size: number): void {
  const R = cpu.regs;
  if ((R[R_ADDR_LO] & (size - 1)) !== 0) hostTrap(cpu, TT_UNALIGNED, 0, R[R_ADDR_HI], R[R_ADDR_LO]);
}

// Scratchpad register index of R_EA (8-byte accesses at 0–0x38 only).
function scratchpadIndex(cpu: Sparc64Cpu, size: number): number {
  const R = cpu.regs;
  const lo = R[R_ADDR_LO];
  if (size !== 8 || R[R_ADDR_HI] !== 0 || lo > 0x38 || (lo & 7) !== 0) {
    hostTrap(cpu, TT_DATA_ACCESS, 0, R[R_ADDR_HI], lo);
  }
  return R_SCRATCHPAD + 2 * (lo >>> 3);
}

// The effective address of a plain (implicit-ASI) access, checked for
// alignment, as an offset into the memory's bytes.
function plainOffset(
  cpu: Sparc64Cpu,
  insn: Sparc64DecodedInsn,
  size: number,
  write: number,
): number {
  const R = cpu.regs;
  const a = cpu.rmap[insn.rs1];
  let bl: number;
  let bh: number;
  if (insn.i !== 0) {
    bl = insn.imm >>> 0;
    bh = insn.imm < 0 ? 0xffffffff : 0;
  } else {
    const b = cpu.rmap[insn.rs2];
    bl = R[b];
    bh = R[b + 1];
  }
  const s = R[a] + bl;
  const lo = s >>> 0;
  let hi = (R[a + 1] + bh + (s >= TWO32 ? 1 : 0)) >>> 0;
  if ((R[R_PSTATE] & PSTATE_AM) !== 0) hi = 0;
  if ((lo & (size - 1)) !== 0) hostTrap(cpu, TT_UNALIGNED, 0, hi, lo);
  return cpu.mem.translate(hi, lo, cpu.accUser | write);
}

/**
 * The plain loads (implicit ASI): `lduw`/`ldub`/`lduh`/`ldsw`/`ldsb`/
 * `ldsh`/`ldx`, the interpreter's fast path.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opLoadPlain(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const k = insn.op3;
  const off = plainOffset(cpu, insn, LOAD_SIZE[k & 3], 0);
  const dv = cpu.dv;
  let lo: number;
  let hi = 0;
  switch (k) {
    case 0:
      lo = dv.getUint32(off);
      break;
    case 1:
      lo = dv.getUint8(off);
      break;
    case 2:
      lo = dv.getUint16(off);
      break;
    case 8:
      lo = dv.getUint32(off);
      hi = (lo & 0x80000000) !== 0 ? 0xffffffff : 0;
      break;
    case 9:
      lo = dv.getInt8(off) >>> 0;
      hi = (lo & 0x80000000) !== 0 ? 0xffffffff : 0;
      break;
    case 10:
      lo = dv.getInt16(off) >>> 0;
      hi = (lo & 0x80000000) !== 0 ? 0xffffffff : 0;
      break;
    default: // 11 ldx
      hi = dv.getUint32(off);
      lo = dv.getUint32(off + 4);
  }
  const d = cpu.wmap[insn.rd];
  cpu.regs[d] = lo;
  cpu.regs[d + 1] = hi;
}

/**
 * The plain stores (implicit ASI): `stw`/`stb`/`sth`/`stx`.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opStorePlain(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const k = insn.op3;
  const size = k === 14 ? 8 : k === 4 ? 4 : k === 5 ? 1 : 2;
  const off = plainOffset(cpu, insn, size, PF_WRITE);
  const R = cpu.regs;
  const d = cpu.rmap[insn.rd];
  const dv = cpu.dv;
  switch (size) {
    case 4:
      dv.setUint32(off, R[d]);
      break;
    case 1:
      dv.setUint8(off, R[d] & 0xff);
      break;
    case 2:
      dv.setUint16(off, R[d] & 0xffff);
      break;
    default:
      dv.setUint32(off, R[d + 1]);
      dv.setUint32(off + 4, R[d]);
  }
}

/**
 * Every load: `lduw`/`ldub`/`lduh`/`ldsw`/`ldsb`/`ldsh`/`ldx` and the
 * alternate forms (op3 bit 4).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opLoad(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  effectiveAddress(cpu, insn, false);
  const k = insn.op3 & 0xf;
  const size = LOAD_SIZE[k & 3];
  const acc = accessOf(cpu, insn, (insn.op3 & 0x10) !== 0);
  checkAligned(cpu, size);
  if (acc === ACC_SCRATCHPAD) {
    const s = scratchpadIndex(cpu, size);
    setRd(cpu, insn.rd, R[s + 1], R[s]);
    return;
  }
  const off = cpu.mem.translate(R[R_ADDR_HI], R[R_ADDR_LO], acc);
  const dv = cpu.dv;
  let lo: number;
  let hi = 0;
  switch (k) {
    case 0:
      lo = dv.getUint32(off);
      break;
    case 1:
      lo = dv.getUint8(off);
      break;
    case 2:
      lo = dv.getUint16(off);
      break;
    case 8:
      lo = dv.getUint32(off);
      hi = (lo & 0x80000000) !== 0 ? 0xffffffff : 0;
      break;
    case 9:
      lo = dv.getInt8(off) >>> 0;
      hi = (lo & 0x80000000) !== 0 ? 0xffffffff : 0;
      break;
    case 10:
      lo = dv.getInt16(off) >>> 0;
      hi = (lo & 0x80000000) !== 0 ? 0xffffffff : 0;
      break;
    default: // 11 ldx
      hi = dv.getUint32(off);
      lo = dv.getUint32(off + 4);
  }
  setRd(cpu, insn.rd, hi, lo);
}

/**
 * Every store: `stw`/`stb`/`sth`/`stx` and the alternate forms.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opStore(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  effectiveAddress(cpu, insn, false);
  const k = insn.op3 & 0xf;
  const size = k === 14 ? 8 : k === 4 ? 4 : k === 5 ? 1 : 2;
  const acc = accessOf(cpu, insn, (insn.op3 & 0x10) !== 0);
  checkAligned(cpu, size);
  const d = cpu.rmap[insn.rd];
  if (acc === ACC_SCRATCHPAD) {
    const s = scratchpadIndex(cpu, size);
    R[s] = R[d];
    R[s + 1] = R[d + 1];
    return;
  }
  const off = cpu.mem.translate(R[R_ADDR_HI], R[R_ADDR_LO], acc | PF_WRITE);
  const dv = cpu.dv;
  switch (size) {
    case 4:
      dv.setUint32(off, R[d]);
      break;
    case 1:
      dv.setUint8(off, R[d] & 0xff);
      break;
    case 2:
      dv.setUint16(off, R[d] & 0xffff);
      break;
    default:
      dv.setUint32(off, R[d + 1]);
      dv.setUint32(off + 4, R[d]);
  }
}

/**
 * `ldd`/`ldda`: two words into the even/odd pair rd, rd + 1.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opLdd(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  effectiveAddress(cpu, insn, false);
  const acc = accessOf(cpu, insn, (insn.op3 & 0x10) !== 0);
  checkAligned(cpu, 8);
  if (acc === ACC_SCRATCHPAD) hostTrap(cpu, TT_DATA_ACCESS, 0, R[R_ADDR_HI], R[R_ADDR_LO]);
  const off = cpu.mem.translate(R[R_ADDR_HI], R[R_ADDR_LO], acc);
  const a = cpu.dv.getUint32(off);
  const b = cpu.dv.getUint32(off + 4);
  setRd(cpu, insn.rd, 0, a);
  setRd(cpu, insn.rd + 1, 0, b);
}

/**
 * `std`/`stda`: the low words of rd, rd + 1.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSparc64Std(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  effectiveAddress(cpu, insn, false);
  const acc = accessOf(cpu, insn, (insn.op3 & 0x10) !== 0);
  checkAligned(cpu, 8);
  if (acc === ACC_SCRATCHPAD) hostTrap(cpu, TT_DATA_ACCESS, 0, R[R_ADDR_HI], R[R_ADDR_LO]);
  const off = cpu.mem.translate(R[R_ADDR_HI], R[R_ADDR_LO], acc | PF_WRITE);
  cpu.dv.setUint32(off, R[cpu.rmap[insn.rd]]);
  cpu.dv.setUint32(off + 4, R[cpu.rmap[insn.rd + 1]]);
}

/**
 * `ldstub`/`ldstuba`: rd = the byte, the byte = 0xff.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opLdstub(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  effectiveAddress(cpu, insn, false);
  const acc = accessOf(cpu, insn, (insn.op3 & 0x10) !== 0);
  if (acc === ACC_SCRATCHPAD) hostTrap(cpu, TT_DATA_ACCESS, 0, R[R_ADDR_HI], R[R_ADDR_LO]);
  const off = cpu.mem.translate(R[R_ADDR_HI], R[R_ADDR_LO], acc | PF_WRITE);
  const v = cpu.u8[off];
  cpu.u8[off] = 0xff;
  setRd(cpu, insn.rd, 0, v);
}

/**
 * `swap`/`swapa`: exchange rd's low word with memory (rd zero-extended).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSwap(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  effectiveAddress(cpu, insn, false);
  const acc = accessOf(cpu, insn, (insn.op3 & 0x10) !== 0);
  checkAligned(cpu, 4);
  if (acc === ACC_SCRATCHPAD) hostTrap(cpu, TT_DATA_ACCESS, 0, R[R_ADDR_HI], R[R_ADDR_LO]);
  const off = cpu.mem.translate(R[R_ADDR_HI], R[R_ADDR_LO], acc | PF_WRITE);
  const v = cpu.dv.getUint32(off);
  cpu.dv.setUint32(off, R[cpu.rmap[insn.rd]]);
  setRd(cpu, insn.rd, 0, v);
}

/**
 * `casa`/`casxa` (`cas`, `casx`): if `[rs1]` equals rs2, store rd; rd =
 * the old memory value (a write access either way, as V9 says).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opCas(cpu: Sparc64Cpu, insn: Sparc64DecodedInsn): void {
  const R = cpu.regs;
  effectiveAddress(cpu, insn, true);
  const x = insn.op3 === 0x3e;
  const acc = accessOf(cpu, insn, true);
  checkAligned(cpu, x ? 8 : 4);
  if (acc === ACC_SCRATCHPAD) hostTrap(cpu, TT_DATA_ACCESS, 0, R[R_ADDR_HI], R[R_ADDR_LO]);
  const off = cpu.mem.translate(R[R_ADDR_HI], R[R_ADDR_LO], acc | PF_WRITE);
  const dv = cpu.dv;
  const b = cpu.rmap[insn.rs2];
  const d = cpu.rmap[insn.rd];
  if (x) {
    const mh = dv.getUint32(off);
    const ml = dv.getUint32(off + 4);
    if (mh === R[b + 1] && ml === R[b]) {
      dv.setUint32(off, R[d + 1]);
      dv.setUint32(off + 4, R[d]);
    }
    setRd(cpu, insn.rd, mh, ml);
  } else {
    const m = dv.getUint32(off);
    if (m === R[b]) dv.setUint32(off, R[d]);
    setRd(cpu, insn.rd, 0, m);
  }
}

/** `prefetch`/`prefetcha`, `flush`: no effect here. @param _cpu The CPU. @param _insn The instruction. */
export function opSparc64Nop(_cpu: Sparc64Cpu, _insn: Sparc64DecodedInsn): void {}

/** Floating-point loads, stores and FPops: `fp_disabled`. @param cpu The CPU. @param _insn The instruction. */
export function opFpDisabled(cpu: Sparc64Cpu, _insn: Sparc64DecodedInsn): void {
  hostTrap(cpu, TT_FP_DISABLED);
}
