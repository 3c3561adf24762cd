// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The x86 register file: one `ArrayBuffer` seen as 32-bit halves (GPR `i`
 * at `[2i]` low, `[2i + 1]` high), 16-bit and 8-bit views (AX, AL, AH), and
 * the register index, EFLAGS, control-register and MSR constants.
 *
 * @module
 */

/** Index of RAX in the register file (`regs[2 * RAX]` is EAX). */
export const RAX = 0;
/** Index of RCX. */
export const RCX = 1;
/** Index of RDX. */
export const RDX = 2;
/** Index of RBX. */
export const RBX = 3;
/** Index of RSP. */
export const RSP = 4;
/** Index of RBP. */
export const RBP = 5;
/** Index of RSI. */
export const RSI = 6;
/** Index of RDI. */
export const RDI = 7;
/** Index of R8; R9…R15 follow as 9…15. */
export const R8 = 8;

/** `regs` word holding RIP's low half (after the 16 GPRs' 32 words). */
export const RIP_LO = 32;
/** `regs` word holding RIP's high half. */
export const RIP_HI = 33;
/** `regs` word: effective address scratch, low half. */
export const EA_LO = 36;
/** `regs` word: effective address scratch, high half. */
export const EA_HI = 37;
/** `regs` word: high half of the last 64-bit operand read. */
export const OP_HI = 38;
/** `regs` word: high half of the last 64-bit ALU result. */
export const RES_HI = 39;
/** `regs` word: low half of the cached code page's address. */
export const PAGE_LO = 40;
/** `regs` word: high half of the cached code page's address. */
export const PAGE_HI = 41;
/** Words in the register buffer. */
export const REGFILE_WORDS = 48;

/** `cpu.branch` value: the handler fell through to the next instruction. */
export const BRANCH_NONE = 0;
/** `cpu.branch` value: the handler wrote a new RIP into `regs[RIP_LO/HI]`. */
export const BRANCH_RIP = 1;
/** `cpu.branch` value: the handler took its static target (`insn.targetLo/Hi`). */
export const BRANCH_TARGET = 2;
/** `cpu.branch` value: fell through, but `cpu.events` changed (check them). */
export const BRANCH_EVENT = 3;
/**
 * `cpu.branch` value: an `int3` run by the run loop's fast path for the
 * stop hook to take at once (RIP past it in `regs`, no events changed);
 * see `opInt3Loop` (system.ts).
 */
export const BRANCH_BREAK = 4;

/** Register names in index order, 64-bit forms. */
export const REG_NAMES64: readonly string[] = [
  "rax",
  "rcx",
  "rdx",
  "rbx",
  "rsp",
  "rbp",
  "rsi",
  "rdi",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "r13",
  "r14",
  "r15",
];

/** EFLAGS.CF, carry. */
export const FLAG_CF = 0x0001;
/** EFLAGS bit 1, always set. */
export const FLAG_FIXED = 0x0002;
/** EFLAGS.PF, parity of the low result byte. */
export const FLAG_PF = 0x0004;
/** EFLAGS.AF, carry out of bit 3. */
export const FLAG_AF = 0x0010;
/** EFLAGS.ZF, zero. */
export const FLAG_ZF = 0x0040;
/** EFLAGS.SF, sign. */
export const FLAG_SF = 0x0080;
/** EFLAGS.TF, single-step trap after each instruction. */
export const FLAG_TF = 0x0100;
/** EFLAGS.IF, external interrupts enabled. */
export const FLAG_IF = 0x0200;
/** EFLAGS.DF, string operations count down. */
export const FLAG_DF = 0x0400;
/** EFLAGS.OF, signed overflow. */
export const FLAG_OF = 0x0800;
/** EFLAGS.IOPL, I/O privilege level (two bits). */
export const FLAG_IOPL = 0x3000;
/** EFLAGS.NT, nested task. */
export const FLAG_NT = 0x4000;
/** EFLAGS.RF, resume flag. */
export const FLAG_RF = 0x10000;
/** EFLAGS.VM, virtual-8086 mode (never set here). */
export const FLAG_VM = 0x20000;
/** EFLAGS.AC, alignment check. */
export const FLAG_AC = 0x40000;
/** EFLAGS.ID, CPUID available. */
export const FLAG_ID = 0x200000;
/** The six arithmetic flags kept lazily. */
export const FLAGS_ARITH = 0x08d5;

/** CR0.PE, protected mode. */
export const CR0_PE = 0x1;
/** CR0.WP, supervisor writes honour read-only pages. */
export const CR0_WP = 0x10000;
/** CR0.PG, paging. */
export const CR0_PG = 0x80000000;
/** CR4.PAE. */
export const CR4_PAE = 0x20;
/** DR6.BS, the single-step bit set with a TF trap. */
export const DR6_BS = 0x4000;
/** DR6 bits that read as one. */
export const DR6_FIXED = 0xffff0ff0;

/** IA32_EFER. */
export const MSR_EFER = 0xc0000080;
/** IA32_FS_BASE. */
export const MSR_FS_BASE = 0xc0000100;
/** IA32_GS_BASE. */
export const MSR_GS_BASE = 0xc0000101;
/** IA32_KERNEL_GS_BASE, swapped with GS_BASE by `swapgs`. */
export const MSR_KERNEL_GS_BASE = 0xc0000102;
/** IA32_TSC. */
export const MSR_TSC = 0x10;
/** IA32_TSC_AUX, read by `rdtscp`. */
export const MSR_TSC_AUX = 0xc0000103;

/** Segment register numbers as in the ModRM `Sw` field and prefixes. */
export const SEG_ES = 0;
/** CS. */
export const SEG_CS = 1;
/** SS. */
export const SEG_SS = 2;
/** DS. */
export const SEG_DS = 3;
/** FS. */
export const SEG_FS = 4;
/** GS. */
export const SEG_GS = 5;

/** The aliased views of one register buffer. */
export interface RegisterFile {
  /** GPR `i` low half at `[2i]`, high half at `[2i + 1]`; then `RIP_LO` … `PAGE_HI`. */
  regs: Uint32Array;
  /** 16-bit view: `regs16[4i]` is the low word of GPR `i`. */
  regs16: Uint16Array;
  /** 8-bit view: `regs8[8i]` is the low byte, `regs8[8i + 1]` AH…BH for `i < 4`. */
  regs8: Uint8Array;
}

/**
 * Allocates a zeroed register file: 16 general-purpose registers, RIP and
 * the interpreter's hot scratch words (typed-array slots, because V8 boxes
 * object fields holding values at or above 2**30).
 *
 * @returns The three aliased views.
 *
 * @example Write RAX, read AL and AH
 * ```ts
 * import { createRegisterFile, RAX } from "./regs.ts";
 * import assert from "node:assert/strict";
 * const { regs, regs8 } = createRegisterFile();
 * regs[2 * RAX] = 0x1234;
 * assert.equal(regs8[0], 0x34);
 * assert.equal(regs8[1], 0x12);
 * ```
 */
export function createRegisterFile(): RegisterFile {
  const buffer = new ArrayBuffer(REGFILE_WORDS * 4);
  return {
    regs: new Uint32Array(buffer),
    regs16: new Uint16Array(buffer),
    regs8: new Uint8Array(buffer),
  };
}
