// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The frame-pointer unwinder for `dump_stack()` and Oops call traces: the
 * first frame is read from the stack when the PC sits in a prologue (a
 * probe at function entry traps before `push %rbp`), then the `rbp` chain.
 * Linux: print_context_stack() with CONFIG_FRAME_POINTER.
 *
 * @module
 */

import type { GuestMemory } from "../types.ts";
import type { X86Cpu } from "./cpu.ts";
import { decodeX86 } from "./decode.ts";
import { RBP, RSP } from "./regs.ts";

const MAX_FRAMES = 32;
const MAX_PROLOGUE = 8;

/**
 * Where the return address is when `pc` sits in the prologue of the function
 * at `start`, before `mov %rsp,%rbp` ran; undefined once the frame is set up.
 * An int3 at the entry (a kprobe) means the entry instruction has not run.
 */
function prologueReturnSlot(
  memory: GuestMemory,
  start: bigint,
  pc: bigint,
  sp: bigint,
  size: number,
): bigint | undefined {
  let pushed = false;
  let a = start;
  for (let i = 0; i < MAX_PROLOGUE && a < pc; i++) {
    const b0 = read(memory, a, 4);
    if (b0 === undefined) return undefined;
    const op = Number(b0 & 0xffn);
    if (op === 0xcc && a === start) return sp;
    if (op === 0x55) pushed = true;
    // mov %rsp,%rbp (48 89 e5) or mov %esp,%ebp (89 e5): the frame exists.
    if ((Number(b0 & 0xffffffn) === 0xe58948) || (Number(b0 & 0xffffn) === 0xe589)) {
      return undefined;
    }
    const bytes = new Uint8Array(16);
    for (let k = 0; k < 16; k += 4) {
      const w = read(memory, a + BigInt(k), 4);
      if (w === undefined) break;
      bytes[k] = Number(w & 0xffn);
      bytes[k + 1] = Number((w >> 8n) & 0xffn);
      bytes[k + 2] = Number((w >> 16n) & 0xffn);
      bytes[k + 3] = Number((w >> 24n) & 0xffn);
    }
    const d = decodeX86(bytes, 0, size === 8 ? 64 : 32);
    if (d.length <= 0) return undefined;
    a += BigInt(d.length);
  }
  return pushed ? sp + BigInt(size) : sp;
}

function read(memory: GuestMemory, a: bigint, size: number): bigint | undefined {
  try {
    const hi = Number((a >> 32n) & 0xffffffffn);
    const lo = Number(a & 0xffffffffn);
    const v = BigInt(memory.read32(hi, lo));
    if (size === 4) return v;
    const b = a + 4n;
    return (BigInt(memory.read32(Number((b >> 32n) & 0xffffffffn), Number(b & 0xffffffffn))) <<
      32n) | v;
  } catch {
    return undefined;
  }
}

/**
 * Return addresses of the call chain, innermost first, starting with the PC.
 *
 * @param cpu The CPU whose state to unwind.
 * @param memory Guest memory.
 * @param symbolStart Start of the function containing an address (undefined: not text).
 * @param size Pointer size in bytes (8 or 4).
 * @returns The addresses.
 */
export function unwindX86(
  cpu: X86Cpu,
  memory: GuestMemory,
  symbolStart: (pc: bigint) => bigint | undefined,
  size: number,
): bigint[] {
  const mask = size === 8 ? 0xffffffffffffffffn : 0xffffffffn;
  const pc = cpu.getRip() & mask;
  const out = [pc];
  const sp = cpu.getReg(RSP) & mask;
  let bp = cpu.getReg(RBP) & mask;
  const start = symbolStart(pc);
  if (start !== undefined) {
    // In the prologue the caller's return address is still at the stack top.
    const at = prologueReturnSlot(memory, start, pc, sp, size);
    if (at !== undefined) {
      const ret = read(memory, at, size);
      if (ret !== undefined && symbolStart(ret) !== undefined) out.push(ret);
    }
  }
  for (let i = 0; i < MAX_FRAMES && bp !== 0n; i++) {
    const ret = read(memory, bp + BigInt(size), size);
    if (ret === undefined || symbolStart(ret) === undefined) break;
    out.push(ret);
    const next = read(memory, bp, size);
    if (next === undefined || next <= bp) break;
    bp = next;
  }
  return out;
}
