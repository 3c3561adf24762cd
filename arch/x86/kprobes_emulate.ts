// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * A kprobe hit without the single-step trap on x86 (i386 and x86_64), as
 * Linux 6.1 runs one: **emulation** of the instructions that only move the
 * instruction pointer, the stack or EFLAGS.IF (jmp, jcc, call, ret, loop,
 * call/jmp through a register, cli/sti/pushf/popf; and `push r`, the most
 * probed instruction of all, which 6.1 single-steps), and **boosting** of
 * the rest that can run out of line and fall through: the slot holds the
 * copy followed by a `jmp rel32` back to the next instruction, and the CPU
 * resumes in the slot with no trace flag.
 *
 * Emulation is the interpreter's own handler run on the trapped registers,
 * on a record decoded from the original bytes at the probed address (no
 * second ISA implementation): a fault it raises is the original
 * instruction's fault, at the probed address.
 *
 * Linux: prepare_emulation(), kprobe_emulate_*(), can_boost() and
 * prepare_singlestep() (arch/x86/kernel/kprobes/core.c).
 *
 * @module
 */

import type { X86Cpu } from "./cpu.ts";
import { type DecodedInsn, decodeX86 } from "./decode.ts";
import { DISPATCH } from "./opcodes.ts";
import { BRANCH_NONE, BRANCH_RIP, BRANCH_TARGET, RIP_HI, RIP_LO } from "./regs.ts";

const TWO32 = 4294967296;
const INV32 = 1 / TWO32;

/** Linux: JMP32_INSN_SIZE, the boost's jump back. */
export const BOOST_JMP_SIZE = 5;

/**
 * Does a kprobe hit run `d` in place? Linux 6.1 prepare_emulation()'s
 * `emulate_op` cases (near forms only: a far `lret` is single-stepped or
 * boosted), with `call`/`jmp` through a register only (6.1 refuses the
 * memory forms; here they single-step), plus `push r` (50–57 with REX.B).
 *
 * @param d The decoded original instruction.
 * @returns True when it is emulated.
 *
 * @example The common function entry
 * ```ts
 * import { emulable } from "./kprobes_emulate.ts";
 * import { decodeX86 } from "./decode.ts";
 * import assert from "node:assert/strict";
 * assert.equal(emulable(decodeX86(new Uint8Array([0x55]), 0, 64)), true); // push %rbp
 * assert.equal(emulable(decodeX86(new Uint8Array([0x48, 0x89, 0xe5]), 0, 64)), false); // mov
 * ```
 */
export function emulable(d: DecodedInsn): boolean {
  if (d.invalid || d.length <= 0) return false;
  const op = d.opcode;
  if (op >= 0x180 && op <= 0x18f) return true; // jcc rel32
  if ((op >> 8) !== 0) return false;
  if (op >= 0x50 && op <= 0x57) return true; // push r
  if (op >= 0x70 && op <= 0x7f) return true; // jcc rel8
  if (op >= 0xe0 && op <= 0xe3) return true; // loopne, loope, loop, jcxz
  switch (op) {
    case 0xe8: // call rel
    case 0xe9: // jmp rel32
    case 0xeb: // jmp rel8
    case 0xc2: // ret imm16
    case 0xc3: // ret
    case 0x9c: // pushf
    case 0x9d: // popf
    case 0xfa: // cli
    case 0xfb: // sti
      return true;
    case 0xff: // call/jmp near through a register
      return d.mod === 3 && (d.reg === 2 || d.reg === 4);
  }
  return false;
}

/**
 * Decodes `bytes` as the instruction at `(hi, lo)`, with the successor and
 * branch-target addresses the interpreter's handlers read, as the decode
 * cache fills them.
 *
 * @param bytes The original instruction bytes.
 * @param mode 64 or 32.
 * @param hi High half of its address.
 * @param lo Low half of its address.
 * @returns The record, bound to its handler.
 *
 * @example A short jump
 * ```ts
 * import { placeInsn } from "./kprobes_emulate.ts";
 * import assert from "node:assert/strict";
 * const insn = placeInsn(new Uint8Array([0xeb, 0x10]), 64, 0xffffffff, 0x81000000);
 * assert.equal(insn.nextLo, 0x81000002);
 * assert.equal(insn.targetLo, 0x81000012);
 * ```
 */
export function placeInsn(bytes: Uint8Array, mode: 64 | 32, hi: number, lo: number): DecodedInsn {
  const insn = decodeX86(bytes, 0, mode);
  insn.addrLo = lo;
  insn.addrHi = mode === 64 ? hi : 0;
  const n = lo + insn.length;
  insn.nextLo = n >>> 0;
  insn.nextHi = mode === 64 ? (hi + (n >= TWO32 ? 1 : 0)) >>> 0 : 0;
  if (insn.relative !== 0) {
    const t = insn.nextLo + insn.imm;
    const tl = t >>> 0;
    if (mode === 64) {
      insn.targetLo = tl;
      insn.targetHi = (insn.nextHi + (t - tl) * INV32) >>> 0;
    } else {
      insn.targetLo = insn.opsize === 2 ? tl & 0xffff : tl;
      insn.targetHi = 0;
    }
  }
  insn.exec = DISPATCH[insn.dispatch];
  return insn;
}

/**
 * Runs `insn` (from {@linkcode placeInsn}) on the CPU's registers as the
 * run loop would: RIP on it while it executes, then past it or at its
 * target, one more retired instruction. A fault propagates with
 * `cpu.cur` on `insn`, so the run loop reports it at `insn`'s address.
 * Linux: kprobe_emulate_*() (arch/x86/kernel/kprobes/core.c).
 *
 * @param cpu The CPU, stopped at the breakpoint.
 * @param insn The placed instruction.
 *
 * @example A `push %rbp` run off its address
 * ```ts
 * import { placeInsn, runInPlace } from "./kprobes_emulate.ts";
 * import { X86Cpu } from "./cpu.ts";
 * import { Memory, PROT_READ, PROT_WRITE } from "../../kernel-model/memory.ts";
 * import assert from "node:assert/strict";
 * const mem = new Memory({ littleEndian: true });
 * mem.map(0x8000n, 0x1000, PROT_READ | PROT_WRITE);
 * const cpu = new X86Cpu(mem, { mode: 64 });
 * cpu.setReg(4, 0x9000n); // rsp
 * cpu.setReg(5, 0x1234n); // rbp
 * runInPlace(cpu, placeInsn(new Uint8Array([0x55]), 64, 0, 0x1000));
 * assert.equal(cpu.getRip(), 0x1001n);
 * assert.equal(mem.readU64(0x8ff8n), 0x1234n);
 * assert.equal(cpu.tsc, 1);
 * ```
 */
export function runInPlace(cpu: X86Cpu, insn: DecodedInsn): void {
  const regs = cpu.regs;
  regs[RIP_LO] = insn.addrLo;
  regs[RIP_HI] = insn.addrHi;
  cpu.branch = BRANCH_NONE;
  cpu.cur = insn;
  insn.exec(cpu, insn);
  cpu.clock[0]++;
  cpu.cur = null;
  const b = cpu.branch;
  if (b === BRANCH_TARGET) {
    regs[RIP_LO] = insn.targetLo;
    regs[RIP_HI] = insn.targetHi;
  } else if (b !== BRANCH_RIP) {
    regs[RIP_LO] = insn.nextLo;
    regs[RIP_HI] = insn.nextHi;
  }
  cpu.branch = BRANCH_NONE;
}

/**
 * Writes the boost's `jmp rel32` at `buf[at]`, from `from` (the jump's own
 * address) to `to`. Linux: synthesize_reljump().
 *
 * @param buf The slot's bytes.
 * @param at Offset of the jump in `buf`.
 * @param from Address of the jump.
 * @param to Its target.
 * @returns False when the target is out of a 32-bit displacement's reach.
 *
 * @example Back to the instruction after a probe
 * ```ts
 * import { synthesizeRelJump } from "./kprobes_emulate.ts";
 * import assert from "node:assert/strict";
 * const slot = new Uint8Array(8);
 * assert.equal(synthesizeRelJump(slot, 1, 0x2001n, 0x1001n), true);
 * assert.deepEqual([...slot.subarray(1, 6)], [0xe9, 0xfb, 0xef, 0xff, 0xff]);
 * ```
 */
export function synthesizeRelJump(buf: Uint8Array, at: number, from: bigint, to: bigint): boolean {
  const rel = to - (from + BigInt(BOOST_JMP_SIZE));
  if (rel < -0x80000000n || rel > 0x7fffffffn) return false;
  const v = Number(BigInt.asUintN(32, rel));
  buf[at] = 0xe9;
  buf[at + 1] = v & 0xff;
  buf[at + 2] = (v >>> 8) & 0xff;
  buf[at + 3] = (v >>> 16) & 0xff;
  buf[at + 4] = v >>> 24;
  return true;
}
