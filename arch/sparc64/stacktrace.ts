// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The sparc64 unwinder for `dump_stack()` and Oops call traces (Linux:
 * show_stack() in arch/sparc/kernel/traps_64.c). Frames are register
 * windows: a function's `%i6` is its caller's `%sp` and its `%i7` the
 * `call` in the caller (the return address is 8 bytes on). The windows
 * the CPU still holds (the current one and CANRESTORE below it) are read
 * from the register file; the rest from their save areas, `%i6` at
 * `%sp + 2047 + 0x70` and `%i7` at `+ 0x78`, the chain ABI.md gives for
 * dump_stack. Nothing is written: no `flushw`, the guest's windows stay
 * where they are. A frame whose save area is followed by a kernel-mode
 * trap frame (`pt_regs` with PT_REGS_MAGIC, 192 bytes up) shows the
 * trapped TPC instead of its `%i7`, as Linux's kstack_is_trap_frame()
 * case; a trap frame from user mode or a `%i6` of 0 ends the walk. Before
 * its `save` (a probe on the entry, a leaf function), or with the PC
 * outside text, the return address is still `%o7` + 8.
 *
 * Addresses are return addresses (`%i7` + 8), as the other arches' traces
 * show them, so a kretprobed caller shows `kretprobe_trampoline+0x0`.
 *
 * @module
 */

import type { GuestMemory } from "../types.ts";
import type { Sparc64Cpu } from "./cpu.ts";

const MAX_FRAMES = 32;
const MAX_PROLOGUE = 64;
const STACK_BIAS = 2047n;
/** The window save area and argument words below a trap frame's pt_regs. */
const STACKFRAME_SZ = 192n;
const PT_REGS_MAGIC = 0x57ac6c00;
const TSTATE_PRIV = 0x400n;

function read64(memory: GuestMemory, a: bigint): bigint | undefined {
  try {
    const h = memory.read32(Number((a >> 32n) & 0xffffffffn), Number(a & 0xffffffffn));
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

/** `save` (op 2, op3 0x3c). */
function isSave(w: number): boolean {
  return ((w & 0xc1f80000) >>> 0) === 0x81e00000;
}

/** `return` (op 2, op3 0x39). */
function isReturn(w: number): boolean {
  return ((w & 0xc1f80000) >>> 0) === 0x81c80000;
}

/**
 * Whether the function starting at `start` has opened its window before
 * `pc`: a `save` lies in `[start, pc)`.
 *
 * @param memory Guest memory.
 * @param start Function entry.
 * @param pc Current PC.
 * @returns True once the window exists.
 *
 * @example A PC on the entry has no window yet
 * ```ts
 * import { hasWindow } from "./stacktrace.ts";
 * import { Memory, PROT_READ } from "../../kernel-model/memory.ts";
 * import assert from "node:assert/strict";
 * const mem = new Memory({ littleEndian: false });
 * mem.map(0x400000n, 0x1000, PROT_READ);
 * mem.writeU32(0x400000n, 0x9de3bf40); // save %sp, -192, %sp
 * assert.equal(hasWindow(mem, 0x400000n, 0x400000n), false);
 * assert.equal(hasWindow(mem, 0x400000n, 0x400004n), true);
 * ```
 */
export function hasWindow(memory: GuestMemory, start: bigint, pc: bigint): boolean {
  for (let i = 0; i < MAX_PROLOGUE; i++) {
    const a = start + BigInt(4 * i);
    if (a >= pc) return false;
    const w = read32(memory, a);
    if (w === undefined) return false;
    if (isSave(w)) return true;
  }
  return false;
}

/**
 * `%i6` and `%i7` of the window `k` below the current one, from the
 * register file (the CPU's CWP is put back).
 */
function windowIns(c: Sparc64Cpu, k: number): [bigint, bigint] {
  if (k === 0) return [c.getReg(30), c.getReg(31)];
  const cwp = c.cwp;
  c.cwp = (cwp - k) & 7;
  const r: [bigint, bigint] = [c.getReg(30), c.getReg(31)];
  c.cwp = cwp;
  return r;
}

/**
 * Return addresses of the call chain, innermost first, starting with the PC.
 *
 * @param cpu The CPU whose state to unwind.
 * @param memory Guest memory.
 * @param symbolStart Start of the function containing an address (undefined: not text).
 * @returns The addresses.
 */
export function unwindSparc64(
  cpu: Sparc64Cpu,
  memory: GuestMemory,
  symbolStart: (pc: bigint) => bigint | undefined,
): bigint[] {
  const pc = cpu.getPc();
  const out = [pc];
  const start = symbolStart(pc);
  if (start === undefined || !hasWindow(memory, start, pc)) {
    // Before the save, in a leaf, or off in the weeds after a call or an
    // indirect call (jmpl …, %o7): %o7 + 8 is where the caller goes on.
    const ret = BigInt.asUintN(64, cpu.getReg(15) + 8n);
    if (symbolStart(ret) !== undefined) out.push(ret);
  } else {
    // In the delay slot of `return`: the window is already the caller's.
    const prev = read32(memory, pc - 4n);
    if (prev !== undefined && isReturn(prev)) {
      const npc = cpu.getNpc();
      if (symbolStart(npc) !== undefined) out.push(npc);
    }
  }
  const inRegs = cpu.canrestore;
  let sp = cpu.getReg(14);
  let i6: bigint | undefined;
  let i7: bigint | undefined;
  for (let k = 0; k < MAX_FRAMES; k++) {
    if (k <= inRegs) [i6, i7] = windowIns(cpu, k);
    else {
      i6 = read64(memory, sp + STACK_BIAS + 0x70n);
      i7 = read64(memory, sp + STACK_BIAS + 0x78n);
    }
    if (i6 === undefined || i7 === undefined) break;
    const regs = sp + STACK_BIAS + STACKFRAME_SZ;
    const magic = read32(memory, regs + 156n);
    if (magic !== undefined && ((magic & ~0x1ff) >>> 0) === PT_REGS_MAGIC) {
      const tstate = read64(memory, regs + 128n);
      const tpc = read64(memory, regs + 136n);
      if (tstate === undefined || (tstate & TSTATE_PRIV) === 0n || tpc === undefined) break;
      if (symbolStart(tpc) !== undefined) out.push(tpc);
    } else {
      const ret = BigInt.asUintN(64, i7 + 8n);
      if (symbolStart(ret) === undefined) break;
      out.push(ret);
    }
    if (i6 === 0n) break;
    sp = i6;
  }
  return out;
}
