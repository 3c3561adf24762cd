// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The ppc64 half of Kprobes: the `trap` breakpoint (0x7fe00008), copying
 * the probed word into a slot, single-stepping it with MSR.SE and external
 * interrupts off, and fixing up relative branches and `bl` afterwards; return
 * probes swap the link register at entry; jprobes save the registers (the
 * arguments live in r3–r10, so no stack is copied).
 * Linux: arch/ppc64/kernel/kprobes.c (2.6.12).
 *
 * A hit of a probe with no post_handler does not single-step: the probed
 * word runs in place on the trapped registers, by the interpreter's own
 * handler for it (Linux 6.1 try_to_emulate() / emulate_step(); the
 * interpreter implements every word a kprobe accepts, so every one is
 * emulated). A fault it raises is the original instruction's, at the
 * probed address.
 *
 * @module
 */

import { makePpc64OptKprobes } from "./kprobes_opt.ts";
import {
  type ArchCpu,
  type ArchProbe,
  type ArchStepState,
  type GuestMemory,
  type JprobeSave,
  type KprobeBlacklistEntry,
  type KprobesArch,
  type PrepareContext,
  STEP_EMULATE,
  STEP_SINGLE,
} from "../types.ts";
import type { Ppc64Cpu } from "./cpu.ts";
import type { Ppc64DecodedInsn } from "./decode.ts";
import { placePpc64 } from "./execute.ts";
import { PPC64_DISPATCH } from "./opcodes.ts";
import {
  R_LR_HI,
  R_LR_LO,
  R_MSR_HI,
  R_MSR_LO,
  R_NIP_HI,
  R_NIP_LO,
  R_PAGE_HI,
  R_PAGE_LO,
} from "./regs.ts";
import type { DecodePage } from "../_common/decode_cache.ts";
import { BR_NONE as BRANCH_NONE, BR_TARGET, writeMsr } from "./traps.ts";
import { hi32, lo32 } from "../_common/u64.ts";

const EINVAL = 22;
const ENOMEM = 12;

/** Linux: BREAKPOINT_INSTRUCTION on ppc64 (`trap`, tw 31,0,0). */
export const PPC64_BREAKPOINT = 0x7fe00008;
const MSR_EE = 0x8000;
const MSR_SE = 0x400;

/**
 * Linux 6.1 on ppc64 refuses `_stext`…`__head_end` (the boot code and the
 * exception vectors, arch_within_kprobe_blacklist()) and marks the common
 * exception handlers and the interrupt return path `_ASM_NOKPROBE_SYMBOL`
 * (EXC_COMMON_BEGIN, system_call_common, interrupt_return); the guest's
 * counterparts.
 */
const PPC64_BLACKLIST: readonly KprobeBlacklistEntry[] = [
  {
    symbols: ["startup_64", "secondary_startup_64", "decrementer_pSeries", "system_call_pSeries"],
    reason: "exception vector (head text)",
  },
  {
    symbols: ["system_call_common", "decrementer_common", "ret_from_except"],
    reason: "exception entry code (NOKPROBE_SYMBOL)",
  },
];

const BR_NONE = 0; // not a branch: nip moves to addr + 4
const BR_RELATIVE = 1; // b/bc with AA=0: relocate the target
const BR_ABSOLUTE = 2; // AA=1, bclr, bcctr: nip is already right

/** Arch-private decode of a probed word. Linux: `struct arch_specific_insn`. */
export interface Ppc64ArchInsn {
  /** The instruction word. */
  word: number;
  /** BR_* kind. */
  branch: number;
  /** LK: the branch sets LR to the next instruction. */
  link: boolean;
  /** Slot address halves (hot path: no BigInt; slots share the kernel's high half). */
  slotLo: number;
  /** High half of the slot address. */
  slotHi: number;
  /** Low half of the probed address. */
  addrLo: number;
  /** `addr - slot`, added to a relative branch's target computed in the slot. */
  delta: number;
  /** The word decoded at the probed address, for emulation. */
  emu: Ppc64DecodedInsn;
  /** The probed page's decode page (of `pageCpu`, in generation `pageGen`), or null. */
  page: DecodePage<Ppc64DecodedInsn> | null;
  /** Decode-cache generation `page` belongs to. */
  pageGen: number;
  /** The CPU whose decode cache `page` belongs to. */
  pageCpu: Ppc64Cpu | null;
}

/**
 * Linux 6.1: can_single_step() (arch/powerpc/include/asm/probes.h): trap
 * words, `sc`, the rfi family and power-saving instructions, mtmsr/mtmsrd.
 */
function canSingleStep(word: number): boolean {
  const op = word >>> 26;
  const xo = (word >>> 1) & 0x3ff;
  if (op === 2 || op === 3 || op === 17) return false; // tdi, twi, sc
  if (op === 19) return !PPC64_OP19_NO_STEP.has(xo);
  if (op === 31) return xo !== 4 && xo !== 68 && xo !== 146 && xo !== 178; // tw, td, mtmsr, mtmsrd
  return true;
}

/** rfid, rfmci, rfdi, rfi, rfci, rfscv, hrfid, urfid, stop, doze, nap, sleep, rvwinkle. */
const PPC64_OP19_NO_STEP = new Set([18, 38, 39, 50, 51, 82, 274, 306, 370, 402, 434, 466, 498]);

function classify(word: number): { branch: number; link: boolean } {
  const op = word >>> 26;
  const link = (word & 1) === 1;
  if (op === 18 || op === 16) {
    const aa = (word >>> 1) & 1;
    return { branch: aa === 1 ? BR_ABSOLUTE : BR_RELATIVE, link };
  }
  if (op === 19) {
    const xo = (word >>> 1) & 0x3ff;
    if (xo === 16 || xo === 528) return { branch: BR_ABSOLUTE, link }; // bclr, bcctr
  }
  return { branch: BR_NONE, link: false };
}

/**
 * The ppc64 Kprobes half.
 *
 * @returns The arch half.
 *
 * @example The breakpoint word
 * ```ts
 * import { makePpc64Kprobes } from "./kprobes.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual([...makePpc64Kprobes().breakpoint], [0x7f, 0xe0, 0x00, 0x08]);
 * ```
 */
export function makePpc64Kprobes(): KprobesArch {
  const bp = new Uint8Array([0x7f, 0xe0, 0x00, 0x08]);
  return {
    breakpoint: bp,
    maxInsnSize: 4,
    maxStackSize: 0,
    blacklist: PPC64_BLACKLIST,
    optimized: makePpc64OptKprobes(),

    prepareKprobe(p: ArchProbe, ctx: PrepareContext): number {
      if ((p.addr & 3n) !== 0n) {
        ctx.refuse("not word-aligned");
        return -EINVAL;
      }
      const text = ctx.readText(p.addr, 4);
      if (text.length < 4) {
        ctx.refuse("not mapped");
        return -EINVAL;
      }
      const word = ((text[0] << 24) | (text[1] << 16) | (text[2] << 8) | text[3]) >>> 0;
      if (!canSingleStep(word)) {
        ctx.refuse("an instruction that can't be single stepped");
        return -EINVAL;
      }
      const slot = ctx.getInsnSlot();
      if (slot === 0n) return -ENOMEM;
      p.slot = slot;
      const bytes = new Uint8Array([
        word >>> 24,
        (word >>> 16) & 0xff,
        (word >>> 8) & 0xff,
        word & 0xff,
      ]);
      ctx.memory.pokeText(hi32(slot), lo32(slot), bytes);
      p.saved = bytes;
      const ai: Ppc64ArchInsn = {
        word,
        ...classify(word),
        slotLo: lo32(slot),
        slotHi: hi32(slot),
        addrLo: lo32(p.addr),
        delta: Number(p.addr - slot),
        emu: placePpc64(word, hi32(p.addr), lo32(p.addr)),
        page: null,
        pageGen: -1,
        pageCpu: null,
      };
      p.ainsn = ai;
      return 0;
    },

    armKprobe(p: ArchProbe, memory: GuestMemory): void {
      memory.pokeText(hi32(p.addr), lo32(p.addr), bp);
    },

    disarmKprobe(p: ArchProbe, memory: GuestMemory): void {
      memory.pokeText(hi32(p.addr), lo32(p.addr), p.saved);
    },

    breakpointLo: (cpu: ArchCpu) => (cpu as Ppc64Cpu).nipLo,
    breakpointHi: (cpu: ArchCpu) => (cpu as Ppc64Cpu).nipHi,

    isBreakpoint(memory: GuestMemory, addr: bigint): boolean {
      try {
        return memory.read32(hi32(addr), lo32(addr)) === PPC64_BREAKPOINT;
      } catch {
        return false;
      }
    },

    setupSingleStep(p: ArchProbe, cpu: ArchCpu, state: ArchStepState): void {
      const c = cpu as Ppc64Cpu;
      const ai = p.ainsn as Ppc64ArchInsn;
      const lo = c.msrLo;
      state.oldFlags = state.savedFlags = lo & (MSR_SE | MSR_EE);
      writeMsr(c, c.msrHi, ((lo | MSR_SE) & ~MSR_EE) >>> 0);
      c.nipHi = ai.slotHi;
      c.nipLo = ai.slotLo;
    },

    stepMode(_p: ArchProbe, cpu: ArchCpu, _boost: boolean): number {
      // The guest's own tracing (MSR.SE at the hit) keeps the trace interrupt.
      return ((cpu as Ppc64Cpu).msrLo & MSR_SE) !== 0 ? STEP_SINGLE : STEP_EMULATE;
    },

    emulateStep(p: ArchProbe, cpu: ArchCpu, state: ArchStepState): void {
      // Linux: emulate_step() on pt_regs, here the interpreter's handler on
      // the register file: NIP on the word while it runs, then past it or
      // at its target, one more retired instruction (as the step would).
      const c = cpu as Ppc64Cpu;
      const insn = (p.ainsn as Ppc64ArchInsn).emu;
      const regs = c.regs;
      state.oldFlags = state.savedFlags = regs[R_MSR_LO] & (MSR_SE | MSR_EE);
      regs[R_NIP_LO] = insn.addrLo;
      regs[R_NIP_HI] = insn.addrHi;
      c.branch = BRANCH_NONE;
      c.cur = insn;
      PPC64_DISPATCH[insn.dispatch](c, insn);
      c.clock[0]++;
      c.cur = null;
      const b = c.branch;
      if (b === BRANCH_NONE) {
        regs[R_NIP_LO] = insn.nextLo;
        regs[R_NIP_HI] = insn.nextHi;
      } else if (b === BR_TARGET) {
        regs[R_NIP_LO] = insn.targetLo;
        regs[R_NIP_HI] = insn.targetHi;
      }
      c.branch = BRANCH_NONE;
      // The run loop reached the trap by a threaded link (its current page
      // may be another): give it the probed page, where NIP usually is.
      const lo = regs[R_NIP_LO];
      const hi = regs[R_NIP_HI];
      if (hi !== insn.addrHi || ((lo ^ insn.addrLo) & ~0xfff) !== 0) return;
      const pageLo = (lo & ~0xfff) >>> 0;
      if (c.page !== null && regs[R_PAGE_LO] === pageLo && regs[R_PAGE_HI] === hi) return;
      const ai = p.ainsn as Ppc64ArchInsn;
      if (ai.pageGen !== c.cache.generation || ai.pageCpu !== c || ai.page === null) {
        c.decodeAt(hi, lo);
        ai.page = c.page;
        ai.pageGen = c.cache.generation;
        ai.pageCpu = c;
        return;
      }
      c.page = ai.page;
      regs[R_PAGE_LO] = pageLo;
      regs[R_PAGE_HI] = hi;
    },

    resumeExecution(p: ArchProbe, cpu: ArchCpu, state: ArchStepState, _memory: GuestMemory): void {
      const c = cpu as Ppc64Cpu;
      const ai = p.ainsn as Ppc64ArchInsn;
      // Kernel text and the slots share the high half of their addresses.
      if (ai.branch === BR_NONE) c.nipLo = (ai.addrLo + 4) >>> 0;
      else if (ai.branch === BR_RELATIVE) c.nipLo = (c.nipLo + ai.delta) >>> 0;
      else if (c.nipLo === ((ai.slotLo + 4) >>> 0) && c.nipHi === ai.slotHi) {
        // A conditional bclr/bcctr/absolute bc not taken falls through to
        // the word after the slot: continue after the probe instead.
        c.nipLo = (ai.addrLo + 4) >>> 0;
      }
      if (ai.link && c.regs[R_LR_LO] === ((ai.slotLo + 4) >>> 0)) {
        c.regs[R_LR_LO] = (ai.addrLo + 4) >>> 0;
      }
      writeMsr(c, c.msrHi, ((c.msrLo & ~(MSR_SE | MSR_EE)) | (state.savedFlags & MSR_EE)) >>> 0);
    },

    abortSingleStep(p: ArchProbe, cpu: ArchCpu, state: ArchStepState): void {
      const c = cpu as Ppc64Cpu;
      c.setPc(p.addr);
      writeMsr(c, c.msrHi, ((c.msrLo & ~(MSR_SE | MSR_EE)) | (state.oldFlags & MSR_EE)) >>> 0);
    },

    traceFlagSet: (cpu: ArchCpu) => ((cpu as Ppc64Cpu).msrLo & MSR_SE) !== 0,

    setjmpPreHandler(cpu: ArchCpu, _memory: GuestMemory, save: JprobeSave, entry: bigint): void {
      const c = cpu as Ppc64Cpu;
      // Linux saves the pt_regs (GPRs, NIP, MSR, CTR, LR, XER, CR), all in
      // the register buffer; the SPR file is not the handler's to change.
      const saved = save.context instanceof Uint32Array && save.context.length === c.regs.length
        ? save.context
        : new Uint32Array(c.regs.length);
      saved.set(c.regs);
      save.context = saved;
      save.stackAddr = c.getReg(1);
      writeMsr(c, c.msrHi, (c.msrLo & ~MSR_EE) >>> 0);
      c.nipHi = hi32(entry);
      c.nipLo = lo32(entry);
    },

    longjmpBreakHandler(cpu: ArchCpu, _memory: GuestMemory, save: JprobeSave): void {
      const c = cpu as Ppc64Cpu;
      const saved = save.context as Uint32Array;
      c.regs.set(saved);
      writeMsr(c, saved[R_MSR_HI], saved[R_MSR_LO]);
      c.nipLo = saved[R_NIP_LO];
    },

    jprobeCallIn(cpu: ArchCpu, lo: number, hi: number, nr: number): void {
      // `li r0, nr`, then past the `sc 1`.
      const c = cpu as Ppc64Cpu;
      c.regs[0] = nr;
      c.regs[1] = 0;
      c.regs[R_NIP_LO] = lo & ~3;
      c.regs[R_NIP_HI] = hi;
      c.page = null;
    },

    prepareKretprobe(cpu: ArchCpu, _memory: GuestMemory, trampoline: bigint): bigint {
      const c = cpu as Ppc64Cpu;
      const ret = c.getLr();
      c.setLr(trampoline);
      return ret;
    },

    prepareKretprobeHalves(
      cpu: ArchCpu,
      _memory: GuestMemory,
      trampolineLo: number,
      trampolineHi: number,
      out: Uint32Array,
    ): void {
      const regs = (cpu as Ppc64Cpu).regs;
      out[0] = regs[R_LR_LO];
      out[1] = regs[R_LR_HI];
      regs[R_LR_LO] = trampolineLo;
      regs[R_LR_HI] = trampolineHi;
    },

    setPcHalves(cpu: ArchCpu, lo: number, hi: number): void {
      const c = cpu as Ppc64Cpu;
      c.regs[R_NIP_LO] = lo & ~3;
      c.regs[R_NIP_HI] = hi;
      c.page = null;
    },
  };
}
