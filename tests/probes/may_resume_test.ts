// Copyright 2026 the kprobes-sim authors. MIT license.
// The check the optimizer and the slot collector make before bytes a task
// may execute are replaced or reused (Linux: synchronize_rcu_tasks()): a
// CPU's PC, a running task's stack and a switched-out task's stack.

import assert from "node:assert/strict";
import type { Arch, ArchCpu, GuestMemory } from "../../arch/types.ts";
import { mayResumeIn, resumePoints } from "../../probes/_may_resume.ts";

const STACKS = 0xffff_8800_0000_0000n;
const TEXT = 0xffff_ffff_8100_0000n;

/** A little-endian 64-bit memory of two 16 KiB kernel stacks. */
function stacks(): { memory: GuestMemory; put: (addr: bigint, v: bigint) => void } {
  const bytes = new Uint8Array(0x8000);
  const view = new DataView(bytes.buffer);
  const at = (hi: number, lo: number) => {
    const a = ((BigInt(hi) << 32n) | BigInt(lo)) - STACKS;
    if (a < 0n || a + 4n > BigInt(bytes.length)) throw new RangeError("unmapped");
    return Number(a);
  };
  const memory = {
    littleEndian: true,
    read32: (hi: number, lo: number) => view.getUint32(at(hi, lo), true),
  } as unknown as GuestMemory;
  const put = (addr: bigint, v: bigint) => view.setBigUint64(Number(addr - STACKS), v, true);
  return { memory, put };
}

/** An arch whose CPUs are `{ pc, sp }` records. */
const ARCH = {
  bits: 64,
  getPc: (c: ArchCpu) => (c as unknown as { pc: bigint }).pc,
  getSp: (c: ArchCpu) => (c as unknown as { sp: bigint }).sp,
} as unknown as Arch;

function cpu(pc: bigint, sp: bigint): ArchCpu {
  return { pc, sp } as unknown as ArchCpu;
}

Deno.test("mayResumeIn() sees a PC inside the range on a switched-out task's stack, from its saved stack pointer", () => {
  const { memory, put } = stacks();
  // CPU 0 runs on the first stack, far from the range; a preempted task's
  // interrupted PC (TEXT + 3, inside a jump's 5 bytes) is on the second.
  const running = cpu(TEXT + 0x100n, STACKS + 0x3f00n);
  const savedSp = STACKS + 0x7e00n;
  put(savedSp + 0x40n, TEXT + 3n);
  assert.equal(mayResumeIn(ARCH, memory, [running], TEXT, 5), false);
  assert.equal(mayResumeIn(ARCH, memory, [running], TEXT, 5, [savedSp]), true);
  // Not below the saved stack pointer (a dead frame), nor at the range's
  // first byte (the breakpoint or jump stays there).
  assert.equal(mayResumeIn(ARCH, memory, [running], TEXT + 3n, 5, [savedSp]), false);
  assert.equal(mayResumeIn(ARCH, memory, [running], TEXT, 5, [savedSp + 0x80n]), false);
});

Deno.test("resumePoints() lists the CPUs' PCs and every stack word in the range", () => {
  const { memory, put } = stacks();
  put(STACKS + 0x3f80n, TEXT + 0x20n);
  put(STACKS + 0x7f00n, TEXT + 0x44n);
  put(STACKS + 0x7f08n, TEXT + 0x1000n); // outside
  const cpus = [cpu(TEXT + 0x10n, STACKS + 0x3f00n)];
  assert.deepEqual(
    resumePoints(ARCH, memory, cpus, TEXT, TEXT + 0x100n, [STACKS + 0x7e00n]),
    [TEXT + 0x10n, TEXT + 0x20n, TEXT + 0x44n],
  );
});
