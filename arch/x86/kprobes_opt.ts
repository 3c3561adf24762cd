// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Optimized kprobes on x86 (i386 and x86_64): a 5-byte `jmp rel32` over the
 * probed instructions to a detour buffer in the instruction-slot area. The
 * buffer's `vmcall` is the call-in (the host runs the handlers there with
 * every register as at the probe), then come the probed instructions,
 * relocated, and a `jmp rel32` back after them:
 *
 * ```
 * detour+0   0f 01 c1         vmcall            (Linux: the template's call of optimized_callback)
 * detour+3   <copied insns>   RIP-relative displacements fixed
 * detour+3+n e9 <rel32>       jmp addr+n
 * ```
 *
 * The call-in runs inside the `vmcall` (the CPU's `callIn` hook, from the
 * interpreter's handler or at the head of the detour's translated block):
 * no stop, and the run loop goes on at the relocated instructions.
 *
 * The rules are Linux 6.1's: can_optimize() decodes the whole function and
 * refuses one with an indirect jump, a relative jump into the replaced
 * bytes after the first, or an `__ex_table` entry; every copied instruction
 * must be boostable (can_boost(): no relative branch or call, no int3/int n,
 * no LOCK/REP/hlt, no group 2/3/4, no CS or address-size prefix); no other
 * probe may sit inside the replaced bytes (arch_check_optimized_kprobe()).
 * Linux: arch/x86/kernel/kprobes/opt.c, core.c can_boost().
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
import type { X86Cpu } from "./cpu.ts";
import type { X86ArchInsn } from "./kprobes.ts";
import type { DecodedInsn } from "./decode.ts";
import { decodeX86 } from "./decode.ts";
import { RIP_HI, RIP_LO } from "./regs.ts";
import { hi32, lo32 } from "../_common/u64.ts";

const EILSEQ = 84;
const EINVAL = 22;
const ERANGE = 34;

/** Linux: JMP32_INSN_SIZE. */
export const JMP32_INSN_SIZE = 5;
/** Bytes of the detour's call-in (`vmcall`). */
export const CALL_IN_SIZE = 3;
/** Bytes of one detour buffer: call-in, at most 4 + 15 copied bytes, the jump back. */
export const DETOUR_SIZE = 32;
const MAX_INSN_SIZE = 15;

/**
 * Two-byte opcodes (0F xx) that may run out of line. Linux: twobyte_is_boostable.
 */
// deno-fmt-ignore
const TWOBYTE_BOOSTABLE = new Uint8Array([
  /*       0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f */
  /* 00 */ 0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0,
  /* 10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
  /* 20 */ 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  /* 30 */ 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  /* 40 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  /* 50 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  /* 60 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1,
  /* 70 */ 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1,
  /* 80 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  /* 90 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  /* a0 */ 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 1, 0, 1,
  /* b0 */ 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1,
  /* c0 */ 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
  /* d0 */ 0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 0, 1,
  /* e0 */ 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 0, 1,
  /* f0 */ 0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0,
]);

/**
 * Can the one-byte opcode `op` (with ModRM reg field `reg`) run out of line
 * and fall through? Linux: the switch of can_boost().
 */
function oneByteBoostable(op: number, reg: number): boolean {
  if (op === 0x62 || op === 0x9a || op === 0xd6 || op === 0xeb || op === 0xfe) return false;
  if (op >= 0x70 && op <= 0x7f) return false; // jcc
  if (op === 0xc0 || op === 0xc1 || (op >= 0xd0 && op <= 0xd3)) return false; // group 2
  if (op >= 0xcc && op <= 0xce) return false; // int3, int n, into
  if (op >= 0xd8 && op <= 0xdf) return false; // x87
  if (op >= 0xe0 && op <= 0xe3) return false; // loop, jcxz
  if (op === 0xe8 || op === 0xe9) return false; // call, jmp rel32
  if (op >= 0xf0 && op <= 0xf4) return false; // lock, rep, hlt
  if (op === 0xf6 || op === 0xf7) return false; // group 3
  if (op === 0xff) return reg === 4; // group 5: only an indirect jmp
  return true;
}

/**
 * Can `d` run out of line and fall through to the instruction after it?
 * Two-byte opcodes by Linux's table; one-byte ones by its switch, with no CS
 * override and no address-size prefix; no three-byte opcode. (The caller
 * checks `__ex_table`.) Linux: can_boost() (arch/x86/kernel/kprobes/core.c).
 *
 * @param d A decoded instruction.
 * @returns True when it is boostable.
 *
 * @example
 * ```ts
 * import { canBoost } from "./kprobes_opt.ts";
 * import { decodeX86 } from "./decode.ts";
 * import assert from "node:assert/strict";
 * assert.equal(canBoost(decodeX86(new Uint8Array([0x48, 0x89, 0xe5]), 0, 64)), true); // mov
 * assert.equal(canBoost(decodeX86(new Uint8Array([0x74, 0x02]), 0, 64)), false); // je
 * ```
 */
export function canBoost(d: DecodedInsn): boolean {
  const map = d.opcode >> 8;
  if (map === 1) return TWOBYTE_BOOSTABLE[d.opcode & 0xff] === 1;
  return map === 0 && d.segment !== 1 && (d.prefixes & 2) === 0 && // no CS, no 0x67
    oneByteBoostable(d.opcode, d.reg);
}

/** Is `d` a relative jump (jcc, jmp, loop, jcxz)? Its target is `next + imm`. */
function isRelativeJump(op: number): boolean {
  if (op >= 0x70 && op <= 0x7f) return true;
  if (op >= 0xe0 && op <= 0xe3) return true;
  if (op === 0xe9 || op === 0xeb) return true;
  return op >= 0x180 && op <= 0x18f; // 0F 80–8F jcc rel32
}

function writeRel32(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v & 0xff;
  buf[at + 1] = (v >>> 8) & 0xff;
  buf[at + 2] = (v >>> 16) & 0xff;
  buf[at + 3] = (v >>> 24) & 0xff;
}

/**
 * Builds the x86 optimized-kprobe half for a CPU mode.
 *
 * @param mode 64 (x86_64) or 32 (i386).
 * @returns The arch half.
 *
 * @example The detour size
 * ```ts
 * import { makeX86OptKprobes } from "./kprobes_opt.ts";
 * import assert from "node:assert/strict";
 * assert.equal(makeX86OptKprobes(64).detourSize, 32);
 * ```
 */
export function makeX86OptKprobes(mode: 64 | 32): OptKprobesArch {
  const wrap = mode === 64 ? 64 : 32;
  /**
   * Linux: can_optimize(): a function with an `__ex_table` entry, an
   * indirect jump or a relative jump into the bytes after the first of the
   * jump cannot be optimized.
   */
  function canOptimize(addr: bigint, ctx: OptPrepareContext): boolean {
    const start = ctx.functionStart;
    if (start === undefined || start > addr) {
      ctx.refuse("not in a known function");
      return false;
    }
    const end = start + ctx.functionSize;
    if (end - addr < BigInt(JMP32_INSN_SIZE)) {
      ctx.refuse("too close to the end of its function for a 5-byte jump");
      return false;
    }
    const lo = addr + 1n;
    const hi = addr + BigInt(JMP32_INSN_SIZE) - 1n;
    for (let a = start; a < end;) {
      if (ctx.inExceptionTable(a)) {
        ctx.refuse("its function has an exception-table entry");
        return false;
      }
      const bytes = ctx.readText(a, MAX_INSN_SIZE);
      if (bytes.length === 0) return false;
      const d = decodeX86(bytes, 0, mode);
      if (d.length <= 0 || d.length > bytes.length) {
        ctx.refuse("its function does not decode");
        return false;
      }
      const op = d.opcode;
      if (op === 0xff && (d.reg === 4 || d.reg === 5)) {
        ctx.refuse("its function has an indirect jump");
        return false;
      }
      if (op === 0xea) {
        ctx.refuse("its function has an indirect jump");
        return false;
      }
      if (isRelativeJump(op)) {
        const next = a + BigInt(d.length);
        const t = BigInt.asUintN(wrap, next + BigInt(d.imm | 0));
        if (t >= lo && t <= hi + 1n) {
          ctx.refuse("a jump in its function targets the replaced bytes");
          return false;
        }
      }
      a += BigInt(d.length);
    }
    return true;
  }

  return {
    detourSize: DETOUR_SIZE,
    callInEnd: CALL_IN_SIZE,

    prepareOptimized(
      p: ArchProbe,
      detour: bigint,
      buf: Uint8Array,
      ctx: OptPrepareContext,
    ): number {
      if (!canOptimize(p.addr, ctx)) return -EILSEQ;
      const rel = detour - (p.addr + BigInt(JMP32_INSN_SIZE));
      if (rel < -0x80000000n || rel > 0x7fffffffn) {
        ctx.refuse("detour buffer out of reach of a 32-bit jump");
        return -ERANGE;
      }
      buf.fill(0xcc);
      buf[0] = 0x0f;
      buf[1] = 0x01;
      buf[2] = 0xc1; // vmcall
      // Linux: copy_optimized_instructions().
      let len = 0;
      while (len < JMP32_INSN_SIZE) {
        const a = p.addr + BigInt(len);
        if (ctx.inExceptionTable(a)) {
          ctx.refuse("an instruction that may fault into a fixup");
          return -EINVAL;
        }
        const bytes = ctx.readText(a, MAX_INSN_SIZE);
        const d = decodeX86(bytes, 0, mode);
        if (d.length <= 0 || d.length > bytes.length || d.invalid) {
          ctx.refuse("an instruction that does not decode");
          return -EILSEQ;
        }
        if (!canBoost(d)) {
          ctx.refuse(`${d.mnemonic || "an instruction"} at +${len} cannot run out of line`);
          return -EINVAL;
        }
        if (len > 0 && ctx.probeAt(a)) {
          ctx.refuse("another probe inside the replaced bytes");
          return -EINVAL;
        }
        for (let i = 1; i < d.length; i++) {
          if (ctx.probeAt(a + BigInt(i))) {
            ctx.refuse("another probe inside the replaced bytes");
            return -EINVAL;
          }
        }
        const at = CALL_IN_SIZE + len;
        buf.set(bytes.subarray(0, d.length), at);
        if (d.ripRelative && d.dispOffset >= 0) {
          // Linux: __copy_instruction()'s RIP-relative fix.
          const disp = BigInt(
            bytes[d.dispOffset] | (bytes[d.dispOffset + 1] << 8) |
              (bytes[d.dispOffset + 2] << 16) | (bytes[d.dispOffset + 3] << 24),
          );
          const nd = disp + (a - (detour + BigInt(at)));
          if (nd < -0x80000000n || nd > 0x7fffffffn) {
            ctx.refuse("RIP-relative operand out of reach of the detour buffer");
            return -ERANGE;
          }
          writeRel32(buf, at + d.dispOffset, Number(BigInt.asUintN(32, nd)));
        }
        len += d.length;
      }
      const fnEnd = (ctx.functionStart ?? 0n) + ctx.functionSize;
      if (p.addr + BigInt(len) > fnEnd) {
        ctx.refuse("the replaced instructions run past the end of the function");
        return -EINVAL;
      }
      // The jump back after the copied instructions.
      const at = CALL_IN_SIZE + len;
      buf[at] = 0xe9;
      const back = p.addr + BigInt(len) - (detour + BigInt(at + JMP32_INSN_SIZE));
      writeRel32(buf, at + 1, Number(BigInt.asUintN(32, back)));
      return len;
    },

    optimize(p: ArchProbe, detour: bigint, memory: GuestMemory): void {
      const jmp = new Uint8Array(JMP32_INSN_SIZE);
      jmp[0] = 0xe9;
      const rel = detour - (p.addr + BigInt(JMP32_INSN_SIZE));
      writeRel32(jmp, 1, Number(BigInt.asUintN(32, rel)));
      memory.pokeText(hi32(p.addr), lo32(p.addr), jmp);
    },

    unoptimize(p: ArchProbe, original: Uint8Array, memory: GuestMemory): void {
      const bytes = original.slice(0, JMP32_INSN_SIZE);
      bytes[0] = 0xcc;
      memory.pokeText(hi32(p.addr), lo32(p.addr), bytes);
    },

    pcLo(cpu: ArchCpu): number {
      return (cpu as X86Cpu).regs[RIP_LO];
    },

    pcHi(cpu: ArchCpu): number {
      return (cpu as X86Cpu).regs[RIP_HI];
    },

    enterHandler(p: ArchProbe, cpu: ArchCpu): void {
      const r = (cpu as X86Cpu).regs;
      const ai = p.ainsn as X86ArchInsn;
      r[RIP_LO] = ai.hitLo;
      r[RIP_HI] = ai.hitHi;
    },

    leaveHandler(_p: ArchProbe, cpu: ArchCpu, lo: number, hi: number): void {
      // The call-in runs inside the `vmcall` (system.ts callInPlace()): the
      // run loop goes on at its linked successor, on the decode page it was
      // on (switching to the detour's would make the probed function's
      // return miss it).
      const r = (cpu as X86Cpu).regs;
      r[RIP_LO] = lo;
      r[RIP_HI] = hi;
    },
  };
}
