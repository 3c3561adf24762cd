// Copyright 2026 the kprobes-sim authors. MIT license.
// A bare ppc64 machine for the interpreter tests: big-endian memory with
// kernel RAM at KERNEL_BASE (read/write/execute) and a user region, and a
// CPU in 64-bit kernel mode.

import { Ppc64Cpu } from "../../../arch/ppc64/mod.ts";
import {
  Memory,
  PROT_EXEC,
  PROT_READ,
  PROT_USER,
  PROT_WRITE,
} from "../../../kernel-model/memory.ts";

/** Where the kernel RAM (and the guest vectors) start. */
export const KERNEL = 0xc000000000000000n;
/** Where test code is written. */
export const TEXT = KERNEL + 0x10000n;
/** A data area inside kernel RAM. */
export const DATA = KERNEL + 0x20000n;
/** A read-only page. */
export const RODATA = KERNEL + 0x30000n;
/** The user region (read/write/execute, user-accessible). */
export const USER = 0x10000000n;
/** An address nothing maps. */
export const UNMAPPED = 0xd000000000000000n;

/** A memory and a CPU over it. */
export interface Machine {
  mem: Memory;
  cpu: Ppc64Cpu;
}

/** Kernel RAM 256 KiB at KERNEL (RODATA page read-only), 64 KiB of user memory. */
export function machine(id = 0): Machine {
  const mem = new Memory({ littleEndian: false });
  mem.map(KERNEL, 0x40000, PROT_READ | PROT_WRITE | PROT_EXEC);
  mem.protect(RODATA, 0x1000, PROT_READ);
  mem.map(USER, 0x10000, PROT_READ | PROT_WRITE | PROT_EXEC | PROT_USER);
  return { mem, cpu: new Ppc64Cpu(mem, { id }) };
}

/** Writes instruction words at `addr`. */
export function load(mem: Memory, addr: bigint, words: readonly number[]): void {
  words.forEach((w, i) => mem.writeU32(addr + BigInt(4 * i), w >>> 0));
}

/** Writes `words` at TEXT, points NIP there and runs `count` instructions (default: all). */
export function exec(m: Machine, words: readonly number[], count = words.length): number {
  load(m.mem, TEXT, words);
  m.cpu.setPc(TEXT);
  return m.cpu.run(count);
}
