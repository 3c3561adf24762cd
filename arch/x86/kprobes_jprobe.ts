// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The x86 half of jprobes and kretprobes (i386 and x86_64): a jprobe's
 * `setjmp`/`longjmp` (registers, lazy flags and a copy of the top of the
 * stack saved at the hit, restored at the break), its call into the probe
 * function, and a kretprobe's swap of the return address for the
 * trampoline's. Built by `makeX86Kprobes()` (kprobes.ts) into the x86 Kprobes
 * half; the helpers here stay private to this module (hot paths).
 * Linux: setjmp_pre_handler(), longjmp_break_handler(),
 * arch_prepare_kretprobe() (arch/x86/kernel/kprobes).
 *
 * @module
 */

import type { ArchContext, ArchCpu, GuestMemory, JprobeSave, KprobesArch } from "../types.ts";
import { PF_WRITE } from "../types.ts";
import { FLAG_IF, PAGE_HI, PAGE_LO, RAX, RIP_HI, RIP_LO, RSP } from "./regs.ts";
import type { X86Cpu } from "./cpu.ts";
import { setEflags } from "./traps.ts";
import { stackPageOffset } from "./_kprobes_step.ts";
import { hi32, lo32 } from "../_common/u64.ts";

/** Linux: MAX_STACK_SIZE (64 bytes on i386 and x86_64). */
export const MAX_STACK_SIZE = 64;

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
 * Builds the jprobe and kretprobe methods of the x86 Kprobes half
 * (`makeX86Kprobes()` puts them in the object it returns).
 *
 * @param mode 64 (x86_64) or 32 (i386).
 * @param saveContext The arch's register-file save (a jprobe's first save).
 * @param restoreContext The arch's full restore (when the segments differ).
 * @returns The methods, and `maxStackSize`.
 *
 * @example The stack copy's size
 * ```ts
 * import { makeX86JprobeHalf } from "./kprobes_jprobe.ts";
 * import assert from "node:assert/strict";
 * const half = makeX86JprobeHalf(64, () => null as never, () => {});
 * assert.equal(half.maxStackSize, 64);
 * ```
 */
export function makeX86JprobeHalf(
  mode: 64 | 32,
  saveContext: (cpu: ArchCpu) => ArchContext,
  restoreContext: (cpu: ArchCpu, ctx: ArchContext) => void,
): Required<
  Pick<
    KprobesArch,
    | "maxStackSize"
    | "setjmpPreHandler"
    | "longjmpBreakHandler"
    | "jprobeCallIn"
    | "prepareKretprobe"
    | "prepareKretprobeHalves"
    | "setPcHalves"
  >
> {
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

  return {
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
