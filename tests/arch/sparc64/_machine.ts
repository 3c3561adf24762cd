// Copyright 2026 the kprobes-sim authors. MIT license.
// A bare sparc64 machine for the interpreter tests: big-endian memory with
// kernel RAM at KERNEL_BASE and the user region below it (ABI.md), a CPU in
// the boot state, and the committed vmlinux-sparc64 loaded without the
// kernel model for the goldens and the smoke run.

import { Sparc64Cpu } from "../../../arch/sparc64/mod.ts";
import { parseElf } from "../../../kernel-model/elf.ts";
import {
  Memory,
  PROT_EXEC,
  PROT_READ,
  PROT_USER,
  PROT_WRITE,
} from "../../../kernel-model/memory.ts";

/** KERNEL_BASE, also %tba. */
export const KERNEL = 0x400000n;
/** Where test code is written. */
export const TEXT = 0x410000n;
/** A data area inside kernel RAM. */
export const DATA = 0x420000n;
/** A read-only page. */
export const RODATA = 0x430000n;
/** Top of a kernel stack for tests (biased %sp = STACK_TOP - 2047 - 192). */
export const STACK_TOP = 0x440000n;
/** The user region (read/write/execute, user-accessible): 3 MiB. */
export const USER = 0x100000n;
/** An address nothing maps. */
export const UNMAPPED = 0x10000000n;
/** The V9 stack bias. */
export const BIAS = 2047n;

/** A memory and a CPU over it. */
export interface Machine {
  mem: Memory;
  cpu: Sparc64Cpu;
}

/** Kernel RAM 256 KiB at KERNEL (RODATA page read-only), the 3 MiB user region. */
export function machine(id = 0): Machine {
  const mem = new Memory({ littleEndian: false });
  mem.map(KERNEL, 0x48000, PROT_READ | PROT_WRITE | PROT_EXEC);
  mem.protect(RODATA, 0x1000, PROT_READ);
  mem.map(USER, 0x300000, PROT_READ | PROT_WRITE | PROT_EXEC | PROT_USER);
  return { mem, cpu: new Sparc64Cpu(mem, { id }) };
}

/** Writes instruction words at `addr`. */
export function load(mem: Memory, addr: bigint, words: readonly number[]): void {
  words.forEach((w, i) => mem.writeU32(addr + BigInt(4 * i), w >>> 0));
}

/** Writes `words` at TEXT, points PC there and runs `count` instructions (default: all). */
export function exec(m: Machine, words: readonly number[], count = words.length): number {
  load(m.mem, TEXT, words);
  m.cpu.setPc(TEXT);
  return m.cpu.run(count);
}

/** The loaded image: memory, CPU 0 and the symbol table. */
export interface ImageMachine extends Machine {
  symbols: Map<string, bigint>;
}

const IMAGE = new URL("../../../kernel-model/vmlinux/images/vmlinux-sparc64", import.meta.url);

/** A read/write/execute page range of imageMachine() for test code. */
export const IMAGE_CODE = 0x700000n;

/**
 * Loads vmlinux-sparc64: kernel RAM (`memSize` bytes from KERNEL_BASE,
 * text and rodata read-only + exec, the rest read/write, 64 KiB at
 * IMAGE_CODE read/write/exec), the user region, CPU 0 in the boot state
 * with %tba = KERNEL_BASE.
 */
export function imageMachine(memSize = 0x400000): ImageMachine {
  const elf = parseElf(Deno.readFileSync(IMAGE), "vmlinux-sparc64");
  const mem = new Memory({ littleEndian: false });
  mem.map(KERNEL, memSize, PROT_READ | PROT_WRITE);
  mem.map(USER, 0x300000, PROT_READ | PROT_WRITE | PROT_EXEC | PROT_USER);
  for (const s of elf.segments) {
    if (s.type !== 1) continue;
    mem.writeBytes(s.vaddr, elf.bytes.subarray(s.offset, s.offset + s.filesz));
    if ((s.flags & 1) !== 0) {
      mem.protect(s.vaddr, (s.memsz + 0xfff) & ~0xfff, PROT_READ | PROT_EXEC);
    }
  }
  mem.protect(IMAGE_CODE, 0x10000, PROT_READ | PROT_WRITE | PROT_EXEC);
  const symbols = new Map<string, bigint>();
  for (const s of elf.symbols) if (s.name !== "" && s.type !== 13) symbols.set(s.name, s.value);
  const cpu = new Sparc64Cpu(mem);
  cpu.tba = KERNEL;
  return { mem, cpu, symbols };
}
