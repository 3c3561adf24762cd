// Copyright 2026 the kprobes-sim authors. MIT license.
// A small x86_64 test machine: code, data (with system tables) and user
// memory, and a CPU at CPL 0 pointing at the code.

import {
  Memory,
  PROT_EXEC,
  PROT_READ,
  PROT_USER,
  PROT_WRITE,
} from "../../../kernel-model/memory.ts";
import { X86Cpu } from "../../../arch/x86/cpu.ts";
import { RSP } from "../../../arch/x86/regs.ts";
import { testJitThreshold } from "../../_helpers.ts";

/** Code region (R+X), 64 KiB. */
export const CODE = 0xffffffff81000000n;
/** Data region (RW), 64 KiB: scratch, GDT, IDT, TSS, kernel stack. */
export const DATA = 0xffffffff81100000n;
/** Initial RSP: top of the data region. */
export const STACK_TOP = DATA + 0x10000n;
/** User region (RW, user). */
export const USER = 0x400000n;
/** GDT location and selectors, as ABI.md fixes them. */
export const GDT = DATA + 0x400n;
/** TSS location. */
export const TSS = DATA + 0x600n;
/** GDTR pseudo-descriptor. */
export const GDTR = DATA + 0x800n;
/** IDTR pseudo-descriptor. */
export const IDTR = DATA + 0x810n;
/** Counter area written by IRQ_HANDLER: count, flags, RIP, CS of the frame. */
export const COUNTER = DATA + 0x900n;
/** IDT (256 × 16 bytes). */
export const IDT = DATA + 0x1000n;
/** TSS.rsp0. */
export const RSP0 = DATA + 0xf000n;

/** A machine under test. */
export interface Machine {
  mem: Memory;
  cpu: X86Cpu;
}

/**
 * Maps the regions, loads `code` at CODE (and `extra` code at CODE + offset),
 * points RIP at CODE and RSP at STACK_TOP, CPL 0, interrupts off.
 */
export function machine(code: Uint8Array, extra: [number, Uint8Array][] = []): Machine {
  const mem = new Memory({ littleEndian: true });
  mem.map(USER, 0x10000, PROT_READ | PROT_WRITE | PROT_USER);
  mem.map(CODE, 0x10000, PROT_READ | PROT_WRITE);
  mem.map(DATA, 0x10000, PROT_READ | PROT_WRITE);
  mem.writeBytes(CODE, code);
  for (const [off, bytes] of extra) mem.writeBytes(CODE + BigInt(off), bytes);
  mem.protect(CODE, 0x10000, PROT_READ | PROT_EXEC);
  const cpu = new X86Cpu(mem, { mode: 64 });
  cpu.jitThreshold = testJitThreshold() ?? cpu.jitThreshold;
  cpu.setRip(CODE);
  cpu.setReg(RSP, STACK_TOP);
  cpu.setCs(0x10);
  cpu.sreg[2] = 0x18;
  return { mem, cpu };
}

function gate(mem: Memory, vector: number, handler: bigint, dpl: number): void {
  const at = IDT + BigInt(vector * 16);
  const lo = Number(handler & 0xffffn) | (0x10 << 16);
  const hi = Number(handler & 0xffff0000n) | 0x8e00 | (dpl << 13);
  mem.writeU32(at, lo);
  mem.writeU32(at + 4n, hi >>> 0);
  mem.writeU32(at + 8n, Number(handler >> 32n));
  mem.writeU32(at + 12n, 0);
}

/**
 * Writes a GDT (kernel CS 0x10, DS 0x18, user SS 0x2b, user CS 0x33, TSS
 * 0x40), a TSS with rsp0 = RSP0, the GDTR/IDTR pseudo-descriptors, and IDT
 * interrupt gates for `vectors` (vector → [handler, dpl]).
 */
export function writeSystemTables(mem: Memory, vectors: Record<number, [bigint, number]>): void {
  mem.writeU64(GDT + 0x10n, 0x00af9a000000ffffn);
  mem.writeU64(GDT + 0x18n, 0x00cf92000000ffffn);
  mem.writeU64(GDT + 0x28n, 0x00cff2000000ffffn);
  mem.writeU64(GDT + 0x30n, 0x00affa000000ffffn);
  const base = TSS;
  const low = 0x67n | ((base & 0xffffffn) << 16n) | (0x89n << 40n) |
    (((base >> 24n) & 0xffn) << 56n);
  mem.writeU64(GDT + 0x40n, low);
  mem.writeU64(GDT + 0x48n, base >> 32n);
  mem.writeU64(TSS + 4n, RSP0);
  mem.writeU16(GDTR, 0x4f);
  mem.writeU64(GDTR + 2n, GDT);
  mem.writeU16(IDTR, 0xfff);
  mem.writeU64(IDTR + 2n, IDT);
  for (const [v, [handler, dpl]] of Object.entries(vectors)) gate(mem, Number(v), handler, dpl);
}
