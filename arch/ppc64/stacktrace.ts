// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The ppc64 back-chain unwinder for `dump_stack()` and Oops call traces
 * (Linux: show_stack() in arch/ppc64/kernel/process.c). Every frame
 * starts with the back chain (the caller's r1) and a function saves its
 * return address at 16 bytes into its caller's frame, before `stdu r1`.
 * When the PC sits in a function that has not pushed its frame yet (a
 * probe on the entry, a leaf function), the return address is still in
 * LR.
 *
 * @module
 */

import type { GuestMemory } from "../types.ts";
import type { Ppc64Cpu } from "./cpu.ts";

const MAX_FRAMES = 32;
const MAX_PROLOGUE = 64;
const LR_SAVE = 16n;

function read64(memory: GuestMemory, a: bigint): bigint | undefined {
  try {
    const hi = Number((a >> 32n) & 0xffffffffn);
    const lo = Number(a & 0xffffffffn);
    const h = memory.read32(hi, lo);
    const b = a + 4n;
    const l = memory.read32(Number((b >> 32n) & 0xffffffffn), Number(b & 0xffffffffn));
    return (BigInt(h) << 32n) | BigInt(l);
  } catch {
    return undefined;
  }
}

function read32(memory: GuestMemory, a: bigint): number | undefined {
  try {
    return memory.read32(Number((a >> 32n) & 0xffffffffn), Number(a & 0xffffffffn));
  } catch {
    return undefined;
  }
}

/**
 * Whether the function starting at `start` has pushed its frame before
 * `pc`: a `stdu r1,d(r1)` or `stdux r1,r1,rB` lies in `[start, pc)`.
 *
 * @param memory Guest memory.
 * @param start Function entry.
 * @param pc Current PC.
 * @returns True once the frame exists.
 *
 * @example A PC on the entry has no frame
 * ```ts
 * import { hasFrame } from "./stacktrace.ts";
 * import { Memory, PROT_READ } from "../../kernel-model/memory.ts";
 * import assert from "node:assert/strict";
 * const mem = new Memory({ littleEndian: false });
 * mem.map(0x1000n, 0x1000, PROT_READ);
 * mem.writeU32(0x1000n, 0x7c0802a6); // mflr r0
 * mem.writeU32(0x1004n, 0xf821ff91); // stdu r1,-112(r1)
 * assert.equal(hasFrame(mem, 0x1000n, 0x1000n), false);
 * assert.equal(hasFrame(mem, 0x1000n, 0x1008n), true);
 * ```
 */
export function hasFrame(memory: GuestMemory, start: bigint, pc: bigint): boolean {
  for (let i = 0; i < MAX_PROLOGUE; i++) {
    const a = start + BigInt(4 * i);
    if (a >= pc) return false;
    const w = read32(memory, a);
    if (w === undefined) return false;
    if (((w & 0xffff0003) >>> 0) === 0xf8210001) return true; // stdu r1,d(r1)
    if (((w & 0xffff07ff) >>> 0) === 0x7c21016a) return true; // stdux r1,r1,rB
  }
  return false;
}

/**
 * Return addresses of the call chain, innermost first, starting with the PC.
 *
 * @param cpu The CPU whose state to unwind.
 * @param memory Guest memory.
 * @param symbolStart Start of the function containing an address (undefined: not text).
 * @returns The addresses.
 *
 * @example A frameless leaf called from main
 * ```ts
 * import { Ppc64Cpu, unwindPpc64 } from "./mod.ts";
 * import { Memory, PROT_READ, PROT_WRITE } from "../../kernel-model/memory.ts";
 * import assert from "node:assert/strict";
 * const mem = new Memory({ littleEndian: false });
 * mem.map(0x10000n, 0x10000, PROT_READ | PROT_WRITE);
 * mem.writeU64(0x18000n, 0n); // main's frame: back chain 0 ends the walk
 * const cpu = new Ppc64Cpu(mem);
 * cpu.setPc(0x11000n); // in leaf()
 * cpu.setLr(0x10010n); // return into main()
 * cpu.setReg(1, 0x18000n);
 * const start = (pc: bigint) => (pc >= 0x10000n && pc < 0x12000n ? pc & ~0xfffn : undefined);
 * assert.deepEqual(unwindPpc64(cpu, mem, start), [0x11000n, 0x10010n]);
 * ```
 */
export function unwindPpc64(
  cpu: Ppc64Cpu,
  memory: GuestMemory,
  symbolStart: (pc: bigint) => bigint | undefined,
): bigint[] {
  const pc = cpu.getPc();
  const out = [pc];
  let sp = cpu.getReg(1);
  const start = symbolStart(pc);
  if (start !== undefined && !hasFrame(memory, start, pc)) {
    const lr = cpu.getLr();
    if (symbolStart(lr) !== undefined) out.push(lr);
  }
  for (let i = 0; i < MAX_FRAMES && sp !== 0n; i++) {
    const next = read64(memory, sp);
    if (next === undefined || next === 0n || next <= sp) break;
    const ret = read64(memory, next + LR_SAVE);
    if (ret === undefined || symbolStart(ret) === undefined) break;
    out.push(ret);
    sp = next;
  }
  return out;
}
