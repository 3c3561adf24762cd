// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The sparc64 half of Kprobes, as Linux's arch/sparc/kernel/kprobes.c: the
 * breakpoint is `ta 0x70`; the probed word is copied into a slot followed
 * by `ta 0x71`, and "single-stepping" runs the copy with TPC = the slot and
 * TNPC = the `ta 0x71` after it, so the copy's delay slot (if it is a
 * branch) is that second breakpoint. At the second trap the PCs are put
 * back: relative transfers (`call`, Bicc, BPcc, BPr) get their target moved
 * from the slot to the probe (`relbranch_fixup()`), `call`, `jmpl` and
 * `rd %pc` get the probe's address in their destination (`retpc_fixup()`),
 * and TPC becomes the TNPC the probe was hit with, so an instruction in a
 * delay slot continues at its branch's target.
 *
 * Where Linux is loose, the port is exact (each case has a test):
 * - a plain instruction continues at `orig_tnpc`, `orig_tnpc + 4` (Linux
 *   gives `addr + 8` for the second, wrong in a taken branch's delay slot);
 * - an annulled conditional branch that is not taken skips its delay slot
 *   in the slot too: a second `ta 0x71` waits at slot + 8, and the probe
 *   resumes at `orig_tnpc + 4`; `ba,a` (which never runs its delay slot)
 *   is copied without the annul bit, so its delay slot is the breakpoint,
 *   and resumes at its target;
 * - interrupts are held off during the step by clearing PSTATE.IE instead
 *   of raising the PIL (Linux's `regs->tstate |= TSTATE_PIL`), so the
 *   `rdpr %pil` and `wrpr …, %pil` of `local_irq_save()`/`restore()` run in
 *   the slot as they would in place; `rdpr %pstate` and `wrpr …, %pstate`
 *   are fixed up instead;
 * - software traps, `done`/`retry` and invalid words are refused.
 *
 * The per-CPU step state (`ArchStepState`) holds PSTATE.IE at the hit in
 * `savedFlags` and the TNPC at the hit in `oldFlags` (a number: exact for
 * every address below 2^53).
 *
 * Return probes swap `%o7` at the function's entry (before its `save`) for
 * `kretprobe_trampoline − 8`, as Linux's arch_prepare_kretprobe(); jprobes
 * save the whole register file (every window, both global sets) and send
 * the CPU to the jprobe trampoline, as 2.6's setjmp_pre_handler() saved
 * `pt_regs`; no stack is copied (the arguments are in `%o0`–`%o5` and the
 * handler runs on the host).
 *
 * @module
 */

import type {
  ArchCpu,
  ArchProbe,
  ArchStepState,
  GuestMemory,
  JprobeSave,
  KprobeBlacklistEntry,
  KprobesArch,
  PrepareContext,
} from "../types.ts";
import type { Sparc64Context, Sparc64Cpu } from "./cpu.ts";
import { decodeSparc64 } from "./decode.ts";
import { R_NPC_HI, R_NPC_LO, R_PC_HI, R_PC_LO, R_PSTATE } from "./regs.ts";

const EINVAL = 22;
const ENOMEM = 12;
const EILSEQ = 84;

/** Linux: BREAKPOINT_INSTRUCTION (`ta 0x70`). */
export const SPARC64_BREAKPOINT = 0x91d02070;
/** Linux: BREAKPOINT_INSTRUCTION_2 (`ta 0x71`), after the copy in a slot. */
export const SPARC64_BREAKPOINT_2 = 0x91d02071;

const KERNEL_BASE = 0x400000;
/** PSTATE.IE. */
const PSTATE_IE = 2;
const REG_O7 = 15;

/** How the step is undone (Linux: the cases of relbranch_fixup() and retpc_fixup()). */
const K_PLAIN = 0; // continue at orig_tnpc
const K_BRANCH = 1; // Bicc, BPcc, BPr, FBfcc, FBPfcc (annulled or not, but ba,a)
const K_BA_A = 2; // ba,a (and fba,a): copied as ba, resumes at its target
const K_CALL = 3; // call: relative target, %o7 = the probe
const K_JMPL = 4; // jmpl, return: absolute target; jmpl's rd = the probe
const K_RDPC = 5; // rd %pc, rd: rd = the probe
const K_RDPSTATE = 6; // rdpr %pstate, rd: IE as at the hit
const K_WRPSTATE = 7; // wrpr …, %pstate: PSTATE is the instruction's

/**
 * Linux 6.1's rules for sparc64 have no NOKPROBE entry code of their own
 * (etrap, rtrap and the trap table are plain `.text` there, where a probe
 * would recurse); the guest's trap entry and exit are refused as the other
 * arches refuse theirs. The trap table itself has no sized symbols and is
 * refused by address in prepareKprobe().
 */
const SPARC64_BLACKLIST: readonly KprobeBlacklistEntry[] = [
  {
    symbols: ["startup_64", "secondary_startup_64", "sparc64_ttable_tl0", "sparc64_ttable_tl1"],
    reason: "exception vector (head text)",
  },
  {
    symbols: ["etrap", "rtrap", "linux_sparc_syscall", "timer_interrupt", "ret_from_fork"],
    reason: "trap entry and exit code (etrap/rtrap)",
  },
];

/** Arch-private decode of a probed word. Linux: `struct arch_specific_insn`. */
export interface Sparc64ArchInsn {
  /** The instruction word as the image has it. */
  word: number;
  /** The word copied into the slot (`ba,a` loses its annul bit). */
  copy: number;
  /** K_* fixup kind. */
  kind: number;
  /** Destination register of `jmpl` / `rd %pc` / `rdpr %pstate` (0: none). */
  rd: number;
  /** The probe address (below 2^53: a number). */
  addr: number;
  /** The slot address. */
  slot: number;
}

/**
 * Classifies a probed word: its fixup kind, destination register and
 * whether it may run out of line at all.
 *
 * @param word The instruction word.
 * @returns `[kind, rd]`, or null for a word that cannot be stepped.
 *
 * @example `call` is fixed up, `ta 5` cannot be stepped
 * ```ts
 * import { classifySparc64Probe } from "./kprobes.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(classifySparc64Probe(0x40000010), [3, 15]);
 * assert.equal(classifySparc64Probe(0x91d02005), null);
 * ```
 */
export function classifySparc64Probe(word: number): [number, number] | null {
  const w = word >>> 0;
  if (decodeSparc64(w).illegal !== 0) return null;
  const op = w >>> 30;
  const rd = (w >>> 25) & 0x1f;
  if (op === 1) return [K_CALL, REG_O7];
  if (op === 0) {
    const op2 = (w >>> 22) & 7;
    if (op2 === 1 || op2 === 2 || op2 === 3 || op2 === 5 || op2 === 6) {
      const annul = (w >>> 29) & 1;
      const cond = (w >>> 25) & 0xf;
      return [annul === 1 && cond === 8 && op2 !== 3 ? K_BA_A : K_BRANCH, 0];
    }
    return [K_PLAIN, 0];
  }
  if (op === 3) return [K_PLAIN, 0];
  const op3 = (w >>> 19) & 0x3f;
  const rs1 = (w >>> 14) & 0x1f;
  switch (op3) {
    case 0x38: // jmpl
      return [K_JMPL, rd];
    case 0x39: // return
      return [K_JMPL, 0];
    case 0x3a: // Tcc: the breakpoints, hypercalls, halt, BUG()
    case 0x3e: // done, retry
      return null;
    case 0x28: // rd %asr
      return rs1 === 5 ? [K_RDPC, rd] : [K_PLAIN, 0];
    case 0x2a: // rdpr
      return rs1 === 6 ? [K_RDPSTATE, rd] : [K_PLAIN, 0];
    case 0x32: // wrpr
      return rd === 6 ? [K_WRPSTATE, 0] : [K_PLAIN, 0];
  }
  return [K_PLAIN, 0];
}

function wordBytes(w: number): Uint8Array {
  return new Uint8Array([w >>> 24, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff]);
}

const TWO32 = 0x100000000;

/** PC and nPC from numbers (addresses below 2^53), no BigInt on the hit path. */
function setPcs(c: Sparc64Cpu, pc: number, npc: number): void {
  const r = c.regs;
  r[R_PC_LO] = pc >>> 0;
  r[R_PC_HI] = Math.floor(pc / TWO32) >>> 0;
  r[R_NPC_LO] = npc >>> 0;
  r[R_NPC_HI] = Math.floor(npc / TWO32) >>> 0;
}

function pcOf(c: Sparc64Cpu): number {
  return c.regs[R_PC_HI] * TWO32 + c.regs[R_PC_LO];
}

function npcOf(c: Sparc64Cpu): number {
  return c.regs[R_NPC_HI] * TWO32 + c.regs[R_NPC_LO];
}

/** Sets or clears PSTATE.IE (no AG change, so no register remap). */
function setIe(c: Sparc64Cpu, ie: number): void {
  c.writePstate(((c.regs[R_PSTATE] & ~PSTATE_IE) | ie) >>> 0);
}

/**
 * The sparc64 Kprobes half.
 *
 * @returns The arch half.
 *
 * @example The breakpoint word
 * ```ts
 * import { makeSparc64Kprobes } from "./kprobes.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual([...makeSparc64Kprobes().breakpoint], [0x91, 0xd0, 0x20, 0x70]);
 * ```
 */
export function makeSparc64Kprobes(): KprobesArch {
  const bp = wordBytes(SPARC64_BREAKPOINT);
  // The jprobe handler's address as a number, converted once per handler.
  let lastEntry = -1n;
  let entryPc = 0;
  return {
    breakpoint: bp,
    // The copy, then `ta 0x71` at +4 (its delay slot) and at +8 (where an
    // annulled, untaken branch goes on).
    maxInsnSize: 12,
    maxStackSize: 0,
    blacklist: SPARC64_BLACKLIST,

    prepareKprobe(p: ArchProbe, ctx: PrepareContext): number {
      if ((p.addr & 3n) !== 0n) {
        ctx.refuse("not word-aligned");
        return -EILSEQ;
      }
      const base = BigInt(KERNEL_BASE);
      const fs = ctx.functionStart;
      if (
        p.addr >= base && p.addr < base + 0x8000n &&
        (fs === undefined || fs === base || fs === base + 0x60n || fs === base + 0x4000n)
      ) {
        ctx.refuse("exception vector (trap table)");
        return -EINVAL;
      }
      const text = ctx.readText(p.addr, 4);
      if (text.length < 4) {
        ctx.refuse("not mapped");
        return -EINVAL;
      }
      const word = ((text[0] << 24) | (text[1] << 16) | (text[2] << 8) | text[3]) >>> 0;
      const cls = classifySparc64Probe(word);
      if (cls === null) {
        ctx.refuse("an instruction that can't be single stepped");
        return -EINVAL;
      }
      const slot = ctx.getInsnSlot();
      if (slot === 0n) return -ENOMEM;
      p.slot = slot;
      const copy = cls[0] === K_BA_A ? (word & ~(1 << 29)) >>> 0 : word;
      const bytes = new Uint8Array(12);
      bytes.set(wordBytes(copy), 0);
      bytes.set(wordBytes(SPARC64_BREAKPOINT_2), 4);
      bytes.set(wordBytes(SPARC64_BREAKPOINT_2), 8);
      ctx.memory.pokeText(Number(slot >> 32n), Number(slot & 0xffffffffn), bytes);
      p.saved = wordBytes(word);
      const ai: Sparc64ArchInsn = {
        word,
        copy,
        kind: cls[0],
        rd: cls[1],
        addr: Number(p.addr),
        slot: Number(slot),
      };
      p.ainsn = ai;
      return 0;
    },

    armKprobe(p: ArchProbe, memory: GuestMemory): void {
      memory.pokeText(Number(p.addr >> 32n), Number(p.addr & 0xffffffffn), bp);
    },

    disarmKprobe(p: ArchProbe, memory: GuestMemory): void {
      memory.pokeText(Number(p.addr >> 32n), Number(p.addr & 0xffffffffn), p.saved);
    },

    breakpointLo: (cpu: ArchCpu) => (cpu as Sparc64Cpu).pcLo(),
    breakpointHi: (cpu: ArchCpu) => (cpu as Sparc64Cpu).pcHi(),

    isBreakpoint(memory: GuestMemory, addr: bigint): boolean {
      try {
        return memory.read32(Number(addr >> 32n), Number(addr & 0xffffffffn)) ===
          SPARC64_BREAKPOINT;
      } catch {
        return false;
      }
    },

    setupSingleStep(p: ArchProbe, cpu: ArchCpu, state: ArchStepState): void {
      const c = cpu as Sparc64Cpu;
      const ai = p.ainsn as Sparc64ArchInsn;
      // Linux: set_current_kprobe() keeps TNPC, prepare_singlestep() masks
      // interrupts and points TPC/TNPC at the copy and the breakpoint after it.
      state.savedFlags = c.regs[R_PSTATE] & PSTATE_IE;
      state.oldFlags = npcOf(c);
      setIe(c, 0);
      setPcs(c, ai.slot, ai.slot + 4);
    },

    resumeExecution(p: ArchProbe, cpu: ArchCpu, state: ArchStepState, _memory: GuestMemory): void {
      const c = cpu as Sparc64Cpu;
      const ai = p.ainsn as Sparc64ArchInsn;
      const orig = state.oldFlags;
      const npc = npcOf(c);
      switch (ai.kind) {
        case K_BRANCH:
          if (pcOf(c) === ai.slot + 8) setPcs(c, orig + 4, orig + 8); // annulled, not taken
          else if (npc === ai.slot + 8) setPcs(c, orig, orig + 4); // not taken
          else setPcs(c, orig, ai.addr + (npc - ai.slot));
          break;
        case K_BA_A: {
          const target = ai.addr + (npc - ai.slot);
          setPcs(c, target, target + 4);
          break;
        }
        case K_CALL:
          setPcs(c, orig, ai.addr + (npc - ai.slot));
          c.setReg(REG_O7, BigInt(ai.addr));
          break;
        case K_JMPL:
          setPcs(c, orig, npc);
          if (ai.rd !== 0) c.setReg(ai.rd, BigInt(ai.addr));
          break;
        case K_RDPC:
          setPcs(c, orig, orig + 4);
          if (ai.rd !== 0) c.setReg(ai.rd, BigInt(ai.addr));
          break;
        case K_RDPSTATE:
          setPcs(c, orig, orig + 4);
          if (ai.rd !== 0) c.setReg(ai.rd, c.getReg(ai.rd) | BigInt(state.savedFlags));
          break;
        default:
          setPcs(c, orig, orig + 4);
      }
      if (ai.kind !== K_WRPSTATE) setIe(c, (c.regs[R_PSTATE] & PSTATE_IE) | state.savedFlags);
    },

    abortSingleStep(p: ArchProbe, cpu: ArchCpu, state: ArchStepState): void {
      const c = cpu as Sparc64Cpu;
      // Linux: kprobe_fault_handler(): TPC back to the probe, TNPC as it was.
      setPcs(c, Number(p.addr), state.oldFlags);
      setIe(c, state.savedFlags);
    },

    traceFlagSet: () => false,

    setjmpPreHandler(cpu: ArchCpu, _memory: GuestMemory, save: JprobeSave, entry: bigint): void {
      const c = cpu as Sparc64Cpu;
      // Linux: setjmp_pre_handler() copies pt_regs; here that is the whole
      // register file, every window included, so nothing the handler's
      // guest calls do to the windows can leak back.
      // The CPU's save buffer is reused from hit to hit (no allocation).
      const prev = save.context as Sparc64Context | null;
      if (prev !== null && prev?.regs?.length === c.regs.length) prev.regs.set(c.regs);
      else save.context = c.saveState();
      // %sp + 2047 in halves, as x86 keeps them (no BigInt per hit).
      const sp = c.rmap[14];
      const spLo = c.regs[sp] + 2047;
      save.stackLo = spLo >>> 0;
      save.stackHi = (c.regs[sp + 1] + (spLo > 0xffffffff ? 1 : 0)) >>> 0;
      setIe(c, 0);
      if (entry !== lastEntry) {
        lastEntry = entry;
        entryPc = Number(entry);
      }
      setPcs(c, entryPc, entryPc + 4);
    },

    jprobeCallIn(cpu: ArchCpu, lo: number, hi: number, nr: number): void {
      // `mov nr, %g1`, then at the `ta 0x70` past the `ta 0x7f`.
      const c = cpu as Sparc64Cpu;
      const g1 = c.wmap[1];
      c.regs[g1] = nr;
      c.regs[g1 + 1] = 0;
      c.hypercallNr = nr;
      setPcs(c, hi * TWO32 + lo, hi * TWO32 + lo + 4);
    },

    longjmpBreakHandler(cpu: ArchCpu, _memory: GuestMemory, save: JprobeSave): void {
      (cpu as Sparc64Cpu).restoreState(save.context as Sparc64Context);
    },

    prepareKretprobe(cpu: ArchCpu, _memory: GuestMemory, trampoline: bigint): bigint {
      const c = cpu as Sparc64Cpu;
      // Linux: arch_prepare_kretprobe(): ret_addr normalized to %o7 + 8.
      const ret = BigInt.asUintN(64, c.getReg(REG_O7) + 8n);
      c.setReg(REG_O7, BigInt.asUintN(64, trampoline - 8n));
      return ret;
    },

    prepareKretprobeHalves(
      cpu: ArchCpu,
      _memory: GuestMemory,
      trampolineLo: number,
      trampolineHi: number,
      out: Uint32Array,
    ): void {
      const r = (cpu as Sparc64Cpu).regs;
      const o7 = (cpu as Sparc64Cpu).wmap[REG_O7];
      const lo = r[o7] + 8;
      out[0] = lo >>> 0;
      out[1] = (r[o7 + 1] + (lo > 0xffffffff ? 1 : 0)) >>> 0;
      const t = trampolineLo - 8;
      r[o7] = t >>> 0;
      r[o7 + 1] = (trampolineHi - (t < 0 ? 1 : 0)) >>> 0;
    },

    setPcHalves(cpu: ArchCpu, lo: number, hi: number): void {
      const r = (cpu as Sparc64Cpu).regs;
      const n = lo + 4;
      r[R_PC_LO] = lo;
      r[R_PC_HI] = hi;
      r[R_NPC_LO] = n >>> 0;
      r[R_NPC_HI] = (hi + (n > 0xffffffff ? 1 : 0)) >>> 0;
    },
  };
}
