// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The x86 half of Kprobes (i386 and x86_64): the `int3` breakpoint, copying
 * the probed instruction into a slot with its RIP-relative displacement
 * fixed, single-stepping it with EFLAGS.TF and interrupts off, and the
 * post-step fixups of `resume_execution()`.
 * Linux: arch/x86/kernel/kprobes.c (2.6.12 x86_64 and later `can_probe`).
 *
 * @module
 */

import {
  type ArchContext,
  type ArchCpu,
  type ArchProbe,
  type ArchStepState,
  type GuestMemory,
  type JprobeSave,
  type KprobeBlacklistEntry,
  type KprobesArch,
  type PrepareContext,
  STEP_BOOST,
  STEP_EMULATE,
  STEP_SINGLE,
} from "../types.ts";
import { PF_WRITE } from "../types.ts";
import { decodeX86 } from "./decode.ts";
import { FLAG_IF, FLAG_TF, PAGE_HI, PAGE_LO, RAX, RIP_HI, RIP_LO, RSP } from "./regs.ts";
import type { X86Cpu } from "./cpu.ts";
import type { DecodePage } from "../_common/decode_cache.ts";
import type { DecodedInsn } from "./decode.ts";
import { setEflags } from "./traps.ts";
import { canBoost, makeX86OptKprobes } from "./kprobes_opt.ts";
import {
  classify,
  enterProbedPage,
  enterSlot,
  FIX_CALL,
  FIX_PUSHF,
  FIX_RIP,
  IF_MODIFIER,
  pushInPlace,
  stackPageOffset,
  switchPage,
} from "./_kprobes_step.ts";
import {
  BOOST_JMP_SIZE,
  emulable,
  placeInsn,
  runInPlace,
  synthesizeRelJump,
} from "./kprobes_emulate.ts";
import { hi32, lo32 } from "../_common/u64.ts";

const EILSEQ = 84;
const ENOMEM = 12;
const EINVAL = 22;
const EOPNOTSUPP = 95;

/** One-byte opcodes Linux refuses: int3, iret, far call and far jmp absolute. */
const UNSUPPORTED = new Set([0xcc, 0xcf, 0x9a, 0xea]);

/** Linux: MAX_INSN_SIZE. */
export const MAX_INSN_SIZE = 16;
/** Linux: MAX_STACK_SIZE (64 bytes on i386 and x86_64). */
export const MAX_STACK_SIZE = 64;
/** Linux: BREAKPOINT_INSTRUCTION. */
export const BREAKPOINT_INSTRUCTION = 0xcc;

/**
 * Linux 6.1 refuses `.entry.text` (arch_populate_kprobe_blacklist()); the
 * guest's entry.S functions that Linux keeps there. `ret_from_fork` and the
 * stack switch `__switch_to` (Linux's `__switch_to_asm`) live in `.text` in
 * Linux 6.1 and stay probeable.
 */
const X86_BLACKLIST: readonly KprobeBlacklistEntry[] = [
  {
    symbols: ["entry_INT80", "timer_interrupt", "ret_from_intr"],
    reason: "entry code (.entry.text)",
  },
];

/** The arch-private decode kept with a probe. Linux: `struct arch_specific_insn`. */
export interface X86ArchInsn {
  /** Instruction length. */
  length: number;
  /** FIX_* and IF_MODIFIER bits. */
  fix: number;
  /** Mnemonic, for listings. */
  mnemonic: string;
  /** Slot address halves (hot path: no BigInt). */
  slotLo: number;
  /** High half of the slot address. */
  slotHi: number;
  /** `addr - slot`: added to addresses computed in the slot. */
  delta: number;
  /**
   * The slot's decode page, kept at hand for the single-step (valid while
   * the decode cache's generation is `pageGen`), or null.
   */
  slotPage: DecodePage<DecodedInsn> | null;
  /** The probed instruction's decode page, for the return from the slot, or null. */
  probePage: DecodePage<DecodedInsn> | null;
  /** Low half of the probed page's address. */
  probePageLo: number;
  /** High half of the probed page's address. */
  probePageHi: number;
  /** Decode-cache generation both pages belong to (-1: none yet). */
  pageGen: number;
  /** The CPU whose decode cache the kept pages belong to (each CPU has its own). */
  pageCpu: X86Cpu | null;
  /** Low half of `addr + 1`: RIP as the handlers of a hit see it. */
  hitLo: number;
  /** High half of `addr + 1`. */
  hitHi: number;
  /** Low half of the probed address. */
  addrLo: number;
  /** High half of the probed address. */
  addrHi: number;
  /**
   * The original instruction decoded at the probed address, run in place by
   * a hit ({@linkcode emulable}), or null. Linux: `emulate_op`.
   */
  emu: DecodedInsn | null;
  /** The slot's copy is followed by a jump back: a hit may resume in the slot. Linux: `boostable`. */
  boost: boolean;
  /** `emu` is a 64-bit `push r`: that register (run by pushInPlace()), else -1. */
  pushReg: number;
}

const TWO32 = 4294967296;

/** A saved x86 register file: what arch.ts's saveContext() returns (jprobes keep one). */
export interface X86Context {
  /** Copy of the register buffer. */
  regs: Uint32Array;
  /** RIP low half. */
  ripLo: number;
  /** RIP high half. */
  ripHi: number;
  /** EFLAGS (unused when `lf` is set). */
  flags: number;
  /** CS selector. */
  cs: number;
  /** SS selector. */
  ss: number;
  /**
   * A jprobe's save: the lazy arithmetic flags as they were (nothing
   * materialised per hit), with `flagsBase`; restoring it gives the same
   * EFLAGS as `flags` would.
   */
  lf?: Uint32Array;
  /** The non-arithmetic EFLAGS bits, with `lf`. */
  flagsBase?: number;
}

/** What the x86 half keeps with a jprobe save area: word views for the stack copy. */
interface X86StackCopy {
  /** `stack`'s bytes as words. */
  words?: Int32Array;
  /** The `stack` array `words` views. */
  wordsOf?: Uint8Array;
  /** Guest RAM as words (null when its bytes are not 4-aligned). */
  ram?: Int32Array | null;
  /** The bytes `ram` views. */
  ramOf?: Uint8Array;
}

/**
 * Copies a jprobe's stack window between guest memory at `(hi, lo)` and
 * `save.stack` (`back`: into memory), one translation per page rather than
 * one per word, a word at a time when both sides are aligned. The window
 * never wraps: it ends at the top of a 16 KiB stack.
 */
function copyStack(
  memory: GuestMemory,
  hi: number,
  lo: number,
  save: JprobeSave,
  back: boolean,
): void {
  const s = save as JprobeSave & X86StackCopy;
  const u8 = memory.u8;
  if (s.ramOf !== u8) {
    s.ramOf = u8;
    s.ram = (u8.byteOffset & 3) === 0
      ? new Int32Array(u8.buffer, u8.byteOffset, u8.byteLength >>> 2)
      : null;
  }
  const buf = save.stack;
  const n = buf.length;
  const words = s.wordsOf === buf ? s.words! : null;
  const ram = s.ram ?? null;
  if (words !== null && ram !== null && (lo & 0xfff) + n <= 4096) {
    // The usual case: an aligned window on one page, one translation.
    const off = memory.translate(hi, lo, back ? PF_WRITE : 0);
    if ((off & 3) === 0) {
      const w = off >>> 2;
      const m = n >>> 2;
      if (back) { for (let j = 0; j < m; j++) ram[w + j] = words[j]; }
      else for (let j = 0; j < m; j++) words[j] = ram[w + j];
      return;
    }
  }
  let i = 0;
  while (i < n) {
    const a = (lo + i) >>> 0;
    const len = Math.min(n - i, 4096 - (a & 0xfff));
    const off = memory.translate(hi, a, back ? PF_WRITE : 0);
    if (words !== null && ram !== null && ((off | i | len) & 3) === 0) {
      const w = off >>> 2;
      const k = i >>> 2;
      const m = len >>> 2;
      if (back) { for (let j = 0; j < m; j++) ram[w + j] = words[k + j]; }
      else for (let j = 0; j < m; j++) words[k + j] = ram[w + j];
    } else if (back) { for (let j = 0; j < len; j++) u8[off + j] = buf[i + j]; }
    else for (let j = 0; j < len; j++) buf[i + j] = u8[off + j];
    i += len;
  }
}

/**
 * Builds the x86 Kprobes half for a CPU mode.
 *
 * @param mode 64 (x86_64) or 32 (i386).
 * @returns The arch half.
 *
 * @example The breakpoint byte
 * ```ts
 * import { X86_64 } from "./arch.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual([...X86_64.kprobes.breakpoint], [0xcc]);
 * ```
 */
export function makeX86Kprobes(
  mode: 64 | 32,
  saveContext: (cpu: ArchCpu) => ArchContext,
  restoreContext: (cpu: ArchCpu, ctx: ArchContext) => void,
): KprobesArch {
  const ptr = mode / 8;
  // Memos of pure functions (an address → its halves), so the same answer
  // for every kernel: the jprobe trampoline's address, split once (setjmp
  // runs on every hit).
  let lastEntry = -1n;
  let entryLo = 0;
  let entryHi = 0;
  // The kretprobe trampoline's address, split once.
  let lastTramp = -1n;
  let trampLo = 0;
  let trampHi = 0;
  /**
   * Linux: can_probe(): is `addr` an instruction boundary of its function?
   * Decodes the original text (`readText` lays every armed probe's saved
   * bytes over its int3), so another probe's breakpoint never shifts the walk.
   */
  function canProbe(ctx: PrepareContext, addr: bigint): boolean {
    const start = ctx.functionStart;
    // Linux: no symbol (kallsyms_lookup_size_offset() fails) is no probe.
    if (start === undefined || start > addr) return false;
    let a = start;
    while (a < addr) {
      const bytes = ctx.readText(a, MAX_INSN_SIZE);
      const d = decodeX86(bytes, 0, mode);
      if (d.length <= 0 || d.length > bytes.length) return false;
      a += BigInt(d.length);
    }
    return a === addr;
  }

  return {
    breakpoint: new Uint8Array([BREAKPOINT_INSTRUCTION]),
    maxInsnSize: MAX_INSN_SIZE,
    blacklist: X86_BLACKLIST,
    optimized: makeX86OptKprobes(mode),

    prepareKprobe(p: ArchProbe, ctx: PrepareContext): number {
      const memory = ctx.memory;
      if (!canProbe(ctx, p.addr)) {
        ctx.refuse("not on an instruction boundary");
        return -EILSEQ;
      }
      const bytes = ctx.readText(p.addr, MAX_INSN_SIZE);
      if (bytes.length === 0) {
        ctx.refuse("not mapped");
        return -EINVAL;
      }
      const d = decodeX86(bytes, 0, mode);
      if (d.length <= 0 || d.length > bytes.length || d.invalid) {
        ctx.refuse("not a valid instruction");
        return -EILSEQ;
      }
      if ((d.opcode >> 8) === 0 && UNSUPPORTED.has(d.opcode & 0xff)) {
        // Linux 6.1 prepare_emulation(): int3, iret, far call/jmp.
        ctx.refuse(`${d.mnemonic} cannot be single-stepped out of line`);
        return -EOPNOTSUPP;
      }
      const slot = ctx.getInsnSlot();
      if (slot === 0n) return -ENOMEM;
      p.slot = slot;
      const copy = bytes.slice(0, d.length);
      if (d.ripRelative && d.dispOffset >= 0) {
        // Linux: fix_riprel(): the displacement is relative to the next instruction.
        const disp = BigInt(
          copy[d.dispOffset] | (copy[d.dispOffset + 1] << 8) | (copy[d.dispOffset + 2] << 16) |
            (copy[d.dispOffset + 3] << 24),
        );
        const nd = disp + (p.addr - slot);
        if (nd < -0x80000000n || nd > 0x7fffffffn) {
          ctx.refuse("RIP-relative operand out of reach of the instruction slot");
          return -EINVAL;
        }
        const v = Number(BigInt.asUintN(32, nd));
        copy[d.dispOffset] = v & 0xff;
        copy[d.dispOffset + 1] = (v >>> 8) & 0xff;
        copy[d.dispOffset + 2] = (v >>> 16) & 0xff;
        copy[d.dispOffset + 3] = (v >>> 24) & 0xff;
      }
      // Linux prepare_singlestep(): a boostable copy is followed by a jump
      // back to the next instruction; can_boost() refuses an instruction a
      // fault there would fix up through __ex_table (by its address).
      let boost = canBoost(d) && MAX_INSN_SIZE - d.length >= BOOST_JMP_SIZE &&
        !(ctx.inExceptionTable?.(p.addr) ?? false);
      let slotBytes = copy;
      if (boost) {
        slotBytes = new Uint8Array(d.length + BOOST_JMP_SIZE);
        slotBytes.set(copy);
        const len = BigInt(d.length);
        boost = synthesizeRelJump(slotBytes, d.length, slot + len, p.addr + len);
        if (!boost) slotBytes = copy;
      }
      memory.pokeText(hi32(slot), lo32(slot), slotBytes);
      p.saved = bytes.slice(0, 1);
      // Two-byte and longer opcodes (jcc rel32, setcc…) only need rip relocated.
      const fix = (d.opcode >> 8) !== 0 ? FIX_RIP : classify(d.opcode & 0xff, d.reg);
      const ainsn: X86ArchInsn = {
        length: d.length,
        fix,
        mnemonic: d.mnemonic,
        slotLo: lo32(slot),
        slotHi: hi32(slot),
        delta: Number(p.addr - slot),
        slotPage: null,
        probePage: null,
        probePageLo: 0,
        probePageHi: 0,
        pageGen: -1,
        pageCpu: null,
        hitLo: lo32(p.addr + 1n),
        hitHi: mode === 64 ? hi32(p.addr + 1n) : 0,
        addrLo: lo32(p.addr),
        addrHi: hi32(p.addr),
        emu: emulable(d)
          ? placeInsn(bytes.subarray(0, d.length), mode, hi32(p.addr), lo32(p.addr))
          : null,
        boost,
        pushReg: mode === 64 && (d.opcode >> 8) === 0 && (d.opcode & 0xf8) === 0x50 &&
            d.opsize === 8
          ? d.rm
          : -1,
      };
      p.ainsn = ainsn;
      return 0;
    },

    armKprobe(p: ArchProbe, memory: GuestMemory): void {
      memory.pokeText(hi32(p.addr), lo32(p.addr), new Uint8Array([BREAKPOINT_INSTRUCTION]));
    },

    disarmKprobe(p: ArchProbe, memory: GuestMemory): void {
      memory.pokeText(hi32(p.addr), lo32(p.addr), p.saved);
    },

    breakpointLo(cpu: ArchCpu): number {
      return ((cpu as X86Cpu).regs[RIP_LO] - 1) >>> 0;
    },

    breakpointHi(cpu: ArchCpu): number {
      const c = cpu as X86Cpu;
      const r = c.regs;
      return r[RIP_LO] === 0 ? (r[RIP_HI] - 1) >>> 0 : r[RIP_HI];
    },

    isBreakpoint(memory: GuestMemory, addr: bigint): boolean {
      try {
        return memory.read8(hi32(addr), lo32(addr)) === BREAKPOINT_INSTRUCTION;
      } catch {
        return false;
      }
    },

    setupSingleStep(p: ArchProbe, cpu: ArchCpu, state: ArchStepState): void {
      // Only TF and IF change: the lazy arithmetic flags stay as they are.
      const c = cpu as X86Cpu;
      const ai = p.ainsn as X86ArchInsn;
      const base = c.flagsBase;
      state.oldFlags = state.savedFlags = base & (FLAG_TF | FLAG_IF);
      if ((ai.fix & IF_MODIFIER) !== 0) state.savedFlags &= ~FLAG_IF;
      setEflags(c, (base | FLAG_TF) & ~FLAG_IF);
      enterSlot(ai, c);
    },

    stepMode(p: ArchProbe, cpu: ArchCpu, boost: boolean): number {
      // The guest's own single-stepping (TF set at the hit) keeps the trap.
      if (((cpu as X86Cpu).flagsBase & FLAG_TF) !== 0) return STEP_SINGLE;
      const ai = p.ainsn as X86ArchInsn;
      if (ai.emu !== null) return STEP_EMULATE;
      return boost && ai.boost ? STEP_BOOST : STEP_SINGLE;
    },

    emulateStep(p: ArchProbe, cpu: ArchCpu, state: ArchStepState): void {
      const c = cpu as X86Cpu;
      const ai = p.ainsn as X86ArchInsn;
      state.oldFlags = state.savedFlags = c.flagsBase & (FLAG_TF | FLAG_IF);
      if (ai.pushReg < 0 || !pushInPlace(ai, c)) runInPlace(c, ai.emu!);
      // The run loop reached the int3 by a threaded link (its current page
      // may be the caller's): give it the probed page, where RIP usually is.
      enterProbedPage(ai, c);
    },

    setupBoost(p: ArchProbe, cpu: ArchCpu): void {
      enterSlot(p.ainsn as X86ArchInsn, cpu as X86Cpu);
    },

    resumeExecution(_p: ArchProbe, cpu: ArchCpu, state: ArchStepState, memory: GuestMemory): void {
      const c = cpu as X86Cpu;
      const ai = _p.ainsn as X86ArchInsn;
      const fix = ai.fix;
      if ((fix & (FIX_CALL | FIX_PUSHF)) !== 0) {
        const spLo = c.regs[RSP * 2];
        const spHi = mode === 64 ? c.regs[RSP * 2 + 1] : 0;
        const v = memory.read32(spHi, spLo);
        if ((fix & FIX_PUSHF) !== 0) {
          memory.write32(spHi, spLo, ((v & ~(FLAG_TF | FLAG_IF)) | state.oldFlags) >>> 0);
        } else {
          // The pushed return address points into the slot: move it back.
          const r = v + ai.delta;
          memory.write32(spHi, spLo, r >>> 0);
          const carry = Math.floor(r / TWO32);
          if (mode === 64 && carry !== 0) {
            const h = (spLo + 4) >>> 0;
            const hh = h < spLo ? (spHi + 1) >>> 0 : spHi;
            memory.write32(hh, h, (memory.read32(hh, h) + carry) >>> 0);
          }
        }
      }
      const regs = c.regs;
      if ((fix & FIX_RIP) !== 0) {
        const r = regs[RIP_LO] + ai.delta;
        regs[RIP_LO] = r >>> 0;
        if (mode === 64) regs[RIP_HI] = (regs[RIP_HI] + Math.floor(r / TWO32)) >>> 0;
        // Back on the probed page (usually): its decode page is at hand.
        if (
          ai.probePage !== null && ai.pageGen === c.cache.generation && ai.pageCpu === c &&
          regs[RIP_HI] === ai.probePageHi && ((regs[RIP_LO] - ai.probePageLo) >>> 0) < 4096
        ) {
          switchPage(c, ai.probePage, ai.probePageLo | 0, ai.probePageHi | 0);
        }
      }
      setEflags(c, (c.flagsBase & ~FLAG_TF) | state.savedFlags);
    },

    abortSingleStep(p: ArchProbe, cpu: ArchCpu, state: ArchStepState): void {
      const c = cpu as X86Cpu;
      c.ripLo = lo32(p.addr);
      c.ripHi = hi32(p.addr);
      setEflags(c, (c.flagsBase & ~FLAG_TF) | state.oldFlags);
    },

    traceFlagSet(cpu: ArchCpu): boolean {
      return ((cpu as X86Cpu).flagsBase & FLAG_TF) !== 0;
    },

    maxStackSize: MAX_STACK_SIZE,

    setjmpPreHandler(cpu: ArchCpu, memory: GuestMemory, save: JprobeSave, entry: bigint): void {
      const c = cpu as X86Cpu;
      const regs = c.regs;
      // The save area is reused hit after hit (no allocation per hit); the
      // lazy flags are kept as they are, not materialised.
      let ctx = save.context as X86Context | null;
      if (
        ctx === null || ctx.lf === undefined || !(ctx.regs instanceof Uint32Array) ||
        ctx.regs.length !== regs.length
      ) {
        ctx = saveContext(c) as X86Context;
        ctx.lf = new Uint32Array(c.lf.length);
        save.context = ctx;
      }
      ctx.regs.set(regs);
      ctx.lf!.set(c.lf);
      ctx.flagsBase = c.flagsBase;
      ctx.ripLo = regs[RIP_LO];
      ctx.ripHi = regs[RIP_HI];
      ctx.cs = c.sreg[1];
      ctx.ss = c.sreg[2];
      const spLo = regs[RSP * 2];
      const spHi = mode === 64 ? regs[RSP * 2 + 1] : 0;
      save.stackLo = spLo;
      save.stackHi = spHi;
      // Linux MIN_STACK_SIZE(): no further than the top of the kernel stack.
      const n = Math.min(MAX_STACK_SIZE, 0x4000 - (spLo & 0x3fff)) & ~3;
      if (save.stack.length !== n) {
        const words = new Int32Array(n >>> 2);
        const bytes = new Uint8Array(words.buffer);
        (save as JprobeSave & X86StackCopy).words = words;
        (save as JprobeSave & X86StackCopy).wordsOf = bytes;
        save.stack = bytes;
      }
      copyStack(memory, spHi, spLo, save, false);
      setEflags(c, c.flagsBase & ~FLAG_IF);
      if (entry !== lastEntry) {
        lastEntry = entry;
        entryLo = lo32(entry);
        entryHi = hi32(entry);
      }
      regs[RIP_LO] = entryLo;
      regs[RIP_HI] = entryHi;
    },

    longjmpBreakHandler(cpu: ArchCpu, memory: GuestMemory, save: JprobeSave): void {
      const c = cpu as X86Cpu;
      const ctx = save.context as X86Context;
      if (ctx.cs === c.sreg[1] && ctx.ss === c.sreg[2] && ctx.lf !== undefined) {
        // Same segments (always, in the kernel): no CS reload, no lost decode
        // page (whose address the register file also holds: keep it).
        const regs = c.regs;
        const pl = regs[PAGE_LO];
        const ph = regs[PAGE_HI];
        regs.set(ctx.regs);
        regs[PAGE_LO] = pl;
        regs[PAGE_HI] = ph;
        c.lf.set(ctx.lf);
        setEflags(c, ctx.flagsBase!);
      } else restoreContext(cpu, ctx);
      const spLo = save.stackLo ?? lo32(save.stackAddr);
      const spHi = save.stackHi ?? hi32(save.stackAddr);
      copyStack(memory, spHi, spLo, save, true);
    },

    jprobeCallIn(cpu: ArchCpu, lo: number, hi: number, nr: number): void {
      // `mov $nr, %eax` (zero-extended into rax), then past the `vmcall`.
      const regs = (cpu as X86Cpu).regs;
      regs[RAX * 2] = nr;
      regs[RAX * 2 + 1] = 0;
      regs[RIP_LO] = lo;
      regs[RIP_HI] = mode === 64 ? hi : 0;
    },

    prepareKretprobe(cpu: ArchCpu, memory: GuestMemory, trampoline: bigint): bigint {
      const c = cpu as X86Cpu;
      const spLo = c.regs[RSP * 2];
      const spHi = mode === 64 ? c.regs[RSP * 2 + 1] : 0;
      const lo = memory.read32(spHi, spLo);
      let ret = BigInt(lo);
      if (ptr === 8) {
        const h = (spLo + 4) >>> 0;
        const hh = h < spLo ? (spHi + 1) >>> 0 : spHi;
        ret |= BigInt(memory.read32(hh, h)) << 32n;
        memory.write32(hh, h, trampoline === lastTramp ? trampHi : hi32(trampoline));
      }
      if (trampoline !== lastTramp) {
        lastTramp = trampoline;
        trampLo = lo32(trampoline);
        trampHi = hi32(trampoline);
      }
      memory.write32(spHi, spLo, trampLo);
      return ret;
    },

    prepareKretprobeHalves(
      cpu: ArchCpu,
      memory: GuestMemory,
      trampolineLo: number,
      trampolineHi: number,
      out: Uint32Array,
    ): void {
      const c = cpu as X86Cpu;
      const spLo = c.regs[RSP * 2];
      const spHi = mode === 64 ? c.regs[RSP * 2 + 1] : 0;
      if ((spLo & 0xfff) <= 0x1000 - ptr) {
        // The return address within one page (always, on an aligned
        // stack): one translation, checked for the write, for both halves.
        // The stack page kept by the CPU (no memory call per hit), else
        // translated here.
        let off = memory === c.mem ? stackPageOffset(c, spHi | 0, spLo & ~0xfff) : -1;
        if (off >= 0) off += spLo & 0xfff;
        else {
          try {
            off = memory.translate(spHi, spLo, PF_WRITE);
          } catch {
            // Not writable: the word-by-word path faults where it should.
          }
        }
        if (off >= 0 && c.u8 === memory.u8) {
          // The CPU's own view of the same bytes.
          const dv = c.dv;
          out[0] = dv.getUint32(off, true);
          dv.setUint32(off, trampolineLo, true);
          out[1] = 0;
          if (ptr === 8) {
            out[1] = dv.getUint32(off + 4, true);
            dv.setUint32(off + 4, trampolineHi, true);
          }
          return;
        }
        if (off >= 0) {
          const u8 = memory.u8;
          out[0] = u8[off] | (u8[off + 1] << 8) | (u8[off + 2] << 16) | (u8[off + 3] << 24);
          u8[off] = trampolineLo;
          u8[off + 1] = trampolineLo >>> 8;
          u8[off + 2] = trampolineLo >>> 16;
          u8[off + 3] = trampolineLo >>> 24;
          out[1] = 0;
          if (ptr === 8) {
            out[1] = u8[off + 4] | (u8[off + 5] << 8) | (u8[off + 6] << 16) | (u8[off + 7] << 24);
            u8[off + 4] = trampolineHi;
            u8[off + 5] = trampolineHi >>> 8;
            u8[off + 6] = trampolineHi >>> 16;
            u8[off + 7] = trampolineHi >>> 24;
          }
          return;
        }
      }
      out[0] = memory.read32(spHi, spLo);
      out[1] = 0;
      if (ptr === 8) {
        const h = (spLo + 4) >>> 0;
        const hh = h < spLo ? (spHi + 1) >>> 0 : spHi;
        out[1] = memory.read32(hh, h);
        memory.write32(hh, h, trampolineHi);
      }
      memory.write32(spHi, spLo, trampolineLo);
    },

    setPcHalves(cpu: ArchCpu, lo: number, hi: number): void {
      const c = cpu as X86Cpu;
      c.regs[RIP_LO] = lo;
      c.regs[RIP_HI] = mode === 64 ? hi : 0;
    },
  };
}
