// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The x86 half of Kprobes (i386 and x86_64): the `int3` breakpoint, copying
 * the probed instruction into a slot with its RIP-relative displacement
 * fixed, single-stepping it with EFLAGS.TF and interrupts off, and the
 * post-step fixups of `resume_execution()`; the jprobe and kretprobe
 * methods come from kprobes_jprobe.ts.
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
  type KprobeBlacklistEntry,
  type KprobesArch,
  type PrepareContext,
  STEP_BOOST,
  STEP_EMULATE,
  STEP_SINGLE,
} from "../types.ts";
import { decodeX86 } from "./decode.ts";
import { FLAG_IF, FLAG_TF, RIP_HI, RIP_LO, RSP } from "./regs.ts";
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
  switchPage,
} from "./_kprobes_step.ts";
import {
  BOOST_JMP_SIZE,
  emulable,
  placeInsn,
  runInPlace,
  synthesizeRelJump,
} from "./kprobes_emulate.ts";
import { makeX86JprobeHalf } from "./kprobes_jprobe.ts";
import { hi32, lo32 } from "../_common/u64.ts";

const EILSEQ = 84;
const ENOMEM = 12;
const EINVAL = 22;
const EOPNOTSUPP = 95;

/** One-byte opcodes Linux refuses: int3, iret, far call and far jmp absolute. */
const UNSUPPORTED = new Set([0xcc, 0xcf, 0x9a, 0xea]);

/** Linux: MAX_INSN_SIZE. */
export const MAX_INSN_SIZE = 16;
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
  const jprobe = makeX86JprobeHalf(mode, saveContext, restoreContext);
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

    maxStackSize: jprobe.maxStackSize,

    setjmpPreHandler: jprobe.setjmpPreHandler,
    longjmpBreakHandler: jprobe.longjmpBreakHandler,
    jprobeCallIn: jprobe.jprobeCallIn,
    prepareKretprobe: jprobe.prepareKretprobe,
    prepareKretprobeHalves: jprobe.prepareKretprobeHalves,
    setPcHalves: jprobe.setPcHalves,
  };
}
