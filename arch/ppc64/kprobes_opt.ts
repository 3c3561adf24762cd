// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Optimized kprobes on ppc64: the trap word is replaced by a `b` (±32 MiB)
 * to a detour buffer in the instruction-slot area. The buffer's `sc 1` is
 * the call-in (the host runs the handlers there with every register as at
 * the probe), then comes the probed instruction, copied, and a `b` back to
 * the next word:
 *
 * ```
 * detour+0  44 00 00 22   sc 1     (Linux: optprobe_template_call_handler)
 * detour+4  <insn>                 (Linux: emulated; here run in place)
 * detour+8  b addr+4
 * ```
 *
 * The call-in runs inside the `sc 1` (the CPU's `callIn` hook, from the
 * interpreter's handler or at the head of the detour's translated block):
 * no stop, and the run loop goes on at the copied instruction.
 *
 * As Linux's can_optimize() (arch/powerpc/kernel/optprobes.c), a branch is
 * never optimized (Linux emulates unconditional ones; here no branch moves),
 * and the detour must be within reach of a `b` both ways. One word is
 * replaced, so no jump of the function can land inside it.
 *
 * @module
 */

import type {
  ArchCpu,
  ArchProbe,
  GuestMemory,
  OptKprobesArch,
  OptPrepareContext,
} from "../types.ts";
import type { Ppc64Cpu } from "./cpu.ts";
import { R_NIP_HI, R_NIP_LO } from "./regs.ts";
import { hi32, lo32 } from "../_common/u64.ts";

const EINVAL = 22;
const ERANGE = 34;

/** Bytes of one ppc64 detour buffer: `sc 1`, the instruction, `b` back, a spare word. */
export const PPC64_DETOUR_SIZE = 16;
/** `sc 1`: the host's hypercall (ABI.md). */
const SC_1 = 0x44000022;

function writeWord(buf: Uint8Array, at: number, w: number): void {
  buf[at] = w >>> 24;
  buf[at + 1] = (w >>> 16) & 0xff;
  buf[at + 2] = (w >>> 8) & 0xff;
  buf[at + 3] = w & 0xff;
}

/** `b` from `from` to `to`, or -1 when out of the ±32 MiB reach. */
function branchWord(from: bigint, to: bigint): number {
  const d = to - from;
  if (d < -0x2000000n || d > 0x1fffffcn || (d & 3n) !== 0n) return -1;
  return (0x48000000 | (Number(BigInt.asUintN(26, d)) & 0x3fffffc)) >>> 0;
}

/** Does the word move the program counter or read it (branches, `sc`, traps, rfid…)? */
function movesPc(word: number): boolean {
  const op = word >>> 26;
  if (op === 16 || op === 18) return true; // bc, b
  if (op === 17 || op === 2 || op === 3) return true; // sc, tdi, twi
  if (op === 19) {
    const xo = (word >>> 1) & 0x3ff;
    // bclr, bcctr, bctar, rfid and relatives: anything but the CR logic ops and isync.
    return !(xo === 0 || xo === 33 || xo === 129 || xo === 150 || xo === 193 || xo === 225 ||
      xo === 257 || xo === 289 || xo === 417 || xo === 449);
  }
  if (op === 31) {
    const xo = (word >>> 1) & 0x3ff;
    return xo === 4 || xo === 68 || xo === 146 || xo === 178; // tw, td, mtmsr, mtmsrd
  }
  return false;
}

/**
 * Builds the ppc64 optimized-kprobe half.
 *
 * @returns The arch half.
 *
 * @example The detour size
 * ```ts
 * import { makePpc64OptKprobes } from "./kprobes_opt.ts";
 * import assert from "node:assert/strict";
 * assert.equal(makePpc64OptKprobes().detourSize, 16);
 * ```
 */
export function makePpc64OptKprobes(): OptKprobesArch {
  return {
    detourSize: PPC64_DETOUR_SIZE,
    callInEnd: 4,

    prepareOptimized(
      p: ArchProbe,
      detour: bigint,
      buf: Uint8Array,
      ctx: OptPrepareContext,
    ): number {
      if (ctx.inExceptionTable(p.addr)) {
        ctx.refuse("an instruction that may fault into a fixup");
        return -EINVAL;
      }
      const text = ctx.readText(p.addr, 4);
      if (text.length < 4) return -EINVAL;
      const word = ((text[0] << 24) | (text[1] << 16) | (text[2] << 8) | text[3]) >>> 0;
      if (movesPc(word)) {
        ctx.refuse("a branch or trap, which the detour cannot run in place");
        return -EINVAL;
      }
      const there = branchWord(p.addr, detour);
      const back = branchWord(detour + 8n, p.addr + 4n);
      if (there < 0 || back < 0) {
        ctx.refuse("detour buffer out of reach of a branch");
        return -ERANGE;
      }
      buf.fill(0);
      writeWord(buf, 0, SC_1);
      writeWord(buf, 4, word);
      writeWord(buf, 8, back);
      writeWord(buf, 12, 0x7fe00008); // trap: never reached
      return 4;
    },

    optimize(p: ArchProbe, detour: bigint, memory: GuestMemory): void {
      const b = new Uint8Array(4);
      writeWord(b, 0, branchWord(p.addr, detour));
      memory.pokeText(hi32(p.addr), lo32(p.addr), b);
    },

    unoptimize(p: ArchProbe, _original: Uint8Array, memory: GuestMemory): void {
      const b = new Uint8Array(4);
      writeWord(b, 0, 0x7fe00008);
      memory.pokeText(hi32(p.addr), lo32(p.addr), b);
    },

    pcLo(cpu: ArchCpu): number {
      return (cpu as Ppc64Cpu).regs[R_NIP_LO];
    },

    pcHi(cpu: ArchCpu): number {
      return (cpu as Ppc64Cpu).regs[R_NIP_HI];
    },

    enterHandler(p: ArchProbe, cpu: ArchCpu): void {
      // A trap-word hit shows NIP at the probe itself.
      const ai = p.ainsn as { addrLo: number };
      const r = (cpu as Ppc64Cpu).regs;
      r[R_NIP_LO] = ai.addrLo;
    },

    leaveHandler(_p: ArchProbe, cpu: ArchCpu, lo: number, hi: number): void {
      const r = (cpu as Ppc64Cpu).regs;
      r[R_NIP_LO] = lo;
      r[R_NIP_HI] = hi;
    },
  };
}
