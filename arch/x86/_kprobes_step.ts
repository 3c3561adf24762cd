// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Where an x86 kprobe hit's step runs, private to the x86 Kprobes half
 * (kprobes.ts): the slot's and the probed instruction's decode pages kept
 * at hand per decode-cache generation and CPU, and the classes of
 * instructions whose results `resume_execution()` fixes up.
 * Linux: the `fix_*` cases of resume_execution() (arch/x86/kernel/kprobes).
 *
 * @module
 */

import type { DecodePage } from "../_common/decode_cache.ts";
import type { X86Cpu } from "./cpu.ts";
import type { DecodedInsn } from "./decode.ts";
import type { X86ArchInsn } from "./kprobes.ts";
import { PF_INSTR } from "../types.ts";
import { PAGE_HI, PAGE_LO, RIP_HI, RIP_LO, RSP } from "./regs.ts";

// How the post-step fixup treats an instruction (Linux: the switch in
// resume_execution()): {@linkcode classify}'s bits.
/** Relocate RIP from the slot back to the probe. */
export const FIX_RIP = 1;
/** Relocate the pushed return address. */
export const FIX_CALL = 2;
/** Clear TF from the pushed flags. */
export const FIX_PUSHF = 4;
/** cli, sti, popf, iret: IF is theirs to set. */
export const IF_MODIFIER = 8;

/**
 * Makes `page` (at `(hi, lo)`, checked when it was kept) the CPU's current
 * decode page, the current one becoming the page before, and that one the
 * page before it (as the run loop's fetch does). `lo` and `hi` come as
 * int32 (`x | 0`): a uint32 above 2^31 passed to a call V8 does not inline
 * is a new heap number, two per probe hit.
 */
export function switchPage(c: X86Cpu, page: DecodePage<DecodedInsn>, lo: number, hi: number): void {
  const r = c.regs;
  if (c.page === page && (r[PAGE_LO] | 0) === lo && (r[PAGE_HI] | 0) === hi) return;
  if (c.prevPage !== page || (c.prevPageLo | 0) !== lo || (c.prevPageHi | 0) !== hi) {
    c.prev2Page = c.prevPage;
    c.prev2PageLo = c.prevPageLo;
    c.prev2PageHi = c.prevPageHi;
  }
  c.prevPage = c.page;
  c.prevPageLo = r[PAGE_LO];
  c.prevPageHi = r[PAGE_HI];
  c.page = page;
  r[PAGE_LO] = lo;
  r[PAGE_HI] = hi;
}

/** Drops the pages kept in `ai` when they belong to another CPU or decode-cache generation. */
export function checkPages(ai: X86ArchInsn, c: X86Cpu): void {
  const gen = c.cache.generation;
  if (ai.pageGen !== gen || ai.pageCpu !== c) {
    ai.slotPage = null;
    ai.probePage = null;
    ai.pageGen = gen;
    ai.pageCpu = c;
  }
}

/**
 * After an emulated hit: makes the probed page the CPU's current decode
 * page when RIP is on it (fetched once per decode-cache generation, then
 * kept in `ai`).
 */
export function enterProbedPage(ai: X86ArchInsn, c: X86Cpu): void {
  const regs = c.regs;
  const hi = regs[RIP_HI];
  const lo = regs[RIP_LO];
  if (hi !== ai.addrHi || ((lo ^ ai.addrLo) & ~0xfff) !== 0) return;
  const pageLo = (lo & ~0xfff) >>> 0;
  if (c.page !== null && regs[PAGE_LO] === pageLo && regs[PAGE_HI] === hi) return;
  checkPages(ai, c);
  if (ai.probePage !== null) {
    switchPage(c, ai.probePage, ai.probePageLo | 0, ai.probePageHi | 0);
    return;
  }
  c.decodeAt(hi, lo);
  ai.probePage = c.page;
  ai.probePageLo = pageLo;
  ai.probePageHi = hi;
}

/**
 * Sends the CPU to the probe's slot (RIP and the slot's decode page, kept at
 * hand per decode-cache generation, with the probed page for the way back).
 */
export function enterSlot(ai: X86ArchInsn, c: X86Cpu): void {
  const regs = c.regs;
  checkPages(ai, c);
  // The page of the int3 is the probed page: keep it for the way back.
  if (ai.probePage === null && c.page !== null) {
    const pl = regs[PAGE_LO];
    const ph = regs[PAGE_HI];
    const d = (ai.addrLo - pl) >>> 0;
    if (ph === ai.addrHi && d < 4096) {
      ai.probePage = c.page;
      ai.probePageLo = pl;
      ai.probePageHi = ph;
    }
  }
  regs[RIP_LO] = ai.slotLo;
  regs[RIP_HI] = ai.slotHi;
  if (ai.slotPage !== null) {
    switchPage(c, ai.slotPage, ai.slotLo & ~0xfff, ai.slotHi | 0);
  } else {
    // First step from this slot in this generation: fetch it once.
    c.decodeAt(ai.slotHi, ai.slotLo);
    ai.slotPage = c.page;
  }
}

/** Classifies an instruction for resume_execution(). */
export function classify(opcode: number, reg: number): number {
  switch (opcode) {
    case 0x9c: // pushf
      return FIX_RIP | FIX_PUSHF;
    case 0x9d: // popf
    case 0xfa: // cli
    case 0xfb: // sti
      return FIX_RIP | IF_MODIFIER;
    case 0xcf: // iret
      return IF_MODIFIER;
    case 0xc2: // ret imm16
    case 0xc3: // ret
    case 0xca: // lret imm16
    case 0xcb: // lret
    case 0xea: // jmp far
      return 0;
    case 0xe8: // call rel32
      return FIX_RIP | FIX_CALL;
    case 0xff:
      if (reg === 2 || reg === 3) return FIX_CALL; // call indirect: target is absolute
      if (reg === 4 || reg === 5) return 0; // jmp indirect
      return FIX_RIP;
    default:
      return FIX_RIP;
  }
}

/**
 * The offset into the CPU's bytes of the stack page at `(hi, page)` (int32
 * halves, page-aligned) for a write by a probe hit, or -1. The translation
 * is kept in the CPU while the memory's protections stay the same, for a
 * page the CPU may write that is not executable (a write to text must reach
 * the decode caches): a hit then calls no memory method, whose uint32
 * arguments above 2^31 would each be a new heap number.
 */
export function stackPageOffset(c: X86Cpu, hi: number, page: number): number {
  const m = c.mem;
  const gen = m.protectCount;
  if (gen === undefined || c.u8 !== m.u8) return -1;
  if (
    c.hitStackLo === page && c.hitStackHi === hi && c.hitStackGen === gen &&
    c.hitStackAcc === c.accWrite
  ) {
    return c.hitStackOff;
  }
  return keepStackPage(c, hi, page, gen);
}

function keepStackPage(c: X86Cpu, hi: number, page: number, gen: number): number {
  const m = c.mem;
  let off: number;
  try {
    off = m.translate(hi >>> 0, page >>> 0, c.accWrite);
  } catch {
    return -1;
  }
  try {
    m.translate(hi >>> 0, page >>> 0, PF_INSTR);
    return -1; // executable: every write must be seen by the decode caches
  } catch {
    // Not executable: the translation can be kept.
  }
  c.hitStackHi = hi;
  c.hitStackLo = page;
  c.hitStackOff = off;
  c.hitStackGen = gen;
  c.hitStackAcc = c.accWrite;
  return off;
}

/**
 * An emulated 64-bit `push r` (`ai.pushReg`, the usual first instruction
 * of a probed function) stored through {@linkcode stackPageOffset}: as
 * runInPlace() of the instruction (the store, RSP, RIP after it, one
 * retired instruction) without the interpreter's memory calls.
 *
 * @returns false (nothing done) when the push crosses a page or the page
 * cannot be kept: runInPlace() then runs it (and faults as the push would).
 */
export function pushInPlace(ai: X86ArchInsn, c: X86Cpu): boolean {
  const regs = c.regs;
  const sl = regs[RSP * 2] | 0;
  if ((sl & 0xfff) < 8) return false;
  const base = stackPageOffset(c, regs[RSP * 2 + 1] | 0, sl & ~0xfff);
  if (base < 0) return false;
  const l = sl - 8;
  const off = base + (l & 0xfff);
  const r = ai.pushReg << 1;
  const dv = c.dv;
  dv.setUint32(off, regs[r], true);
  dv.setUint32(off + 4, regs[r | 1], true);
  regs[RSP * 2] = l;
  const e = ai.emu!;
  regs[RIP_LO] = e.nextLo;
  regs[RIP_HI] = e.nextHi;
  c.clock[0]++;
  c.cur = null;
  return true;
}
