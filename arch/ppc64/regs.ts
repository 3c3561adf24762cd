// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The ppc64 register file and architectural constants. One `Uint32Array`
 * holds every register as 32-bit halves, low half first (as on x86 and in
 * `_common/u64.ts`): GPR `i` at `[2i]` (low, bits 32–63 in IBM numbering)
 * and `[2i + 1]` (high), then NIP, LR, CTR, MSR, SRR0/1, DAR, SPRG0–3 as
 * pairs and XER, CR, DSISR as single words. MSR bits, SPR numbers,
 * interrupt vectors and the SRR1/DSISR reason bits follow the Power ISA
 * 2.0x (POWER5) with Linux's names.
 *
 * @module
 */

/** `regs` word of GPR 0's low half; GPR `i` is at `2i` (low) and `2i + 1` (high). */
export const R_GPR = 0;
/** `regs` word: NIP low half (the next instruction's address between instructions). */
export const R_NIP_LO = 64;
/** `regs` word: NIP high half. */
export const R_NIP_HI = 65;
/** `regs` word: LR low half. */
export const R_LR_LO = 66;
/** `regs` word: LR high half. */
export const R_LR_HI = 67;
/** `regs` word: CTR low half. */
export const R_CTR_LO = 68;
/** `regs` word: CTR high half. */
export const R_CTR_HI = 69;
/** `regs` word: MSR low half (EE, PR, SE … live here). */
export const R_MSR_LO = 70;
/** `regs` word: MSR high half (SF, HV). */
export const R_MSR_HI = 71;
/** `regs` word: SRR0 low half. */
export const R_SRR0_LO = 72;
/** `regs` word: SRR0 high half. */
export const R_SRR0_HI = 73;
/** `regs` word: SRR1 low half. */
export const R_SRR1_LO = 74;
/** `regs` word: SRR1 high half. */
export const R_SRR1_HI = 75;
/** `regs` word: DAR low half. */
export const R_DAR_LO = 76;
/** `regs` word: DAR high half. */
export const R_DAR_HI = 77;
/** `regs` word: SPRG0 low half; SPRG`n` is at `R_SPRG0_LO + 2n` (low) and `+ 1` (high). */
export const R_SPRG0_LO = 78;
/** `regs` word: XER (SO, OV, CA and the string byte count; the high half is 0). */
export const R_XER = 86;
/** `regs` word: CR, field 0 in the top nibble. */
export const R_CR = 87;
/** `regs` word: DSISR. */
export const R_DSISR = 88;
/** `regs` word: the DEC value written last (see `R_DEC_TSC`). */
export const R_DEC = 89;
/** `regs` word: effective address scratch, low half. */
export const R_EA_LO = 90;
/** `regs` word: effective address scratch, high half. */
export const R_EA_HI = 91;
/** `regs` word: low half of the cached code page's address. */
export const R_PAGE_LO = 92;
/** `regs` word: high half of the cached code page's address. */
export const R_PAGE_HI = 93;
/** `regs` word: reservation address, low half (lwarx/ldarx). */
export const R_RESV_LO = 94;
/** `regs` word: reservation address, high half. */
export const R_RESV_HI = 95;
/** `regs` word: value loaded by the reserving larx, low half. */
export const R_RESV_VAL_LO = 96;
/** `regs` word: value loaded by the reserving larx, high half. */
export const R_RESV_VAL_HI = 97;
/** `regs` word: size in bytes of the reservation (0: none). */
export const R_RESV_SIZE = 98;
/** `regs` word: scratch for 64-bit results, low half. */
export const R_TMP_LO = 100;
/** `regs` word: scratch for 64-bit results, high half. */
export const R_TMP_HI = 101;
/** `regs` word: second scratch pair, low half (128-bit products). */
export const R_TMP2_LO = 102;
/** `regs` word: second scratch pair, high half. */
export const R_TMP2_HI = 103;
/** Words in the register buffer. */
export const PPC64_REGFILE_WORDS = 112;

/** MSR bit 63 (IBM 0), SF: 64-bit mode; in the high half. */
export const MSR_SF_HI = 0x80000000;
/** MSR bit 60 (IBM 3), HV: hypervisor state; in the high half. */
export const MSR_HV_HI = 0x10000000;
/** MSR.EE: external and decrementer interrupts enabled. */
export const MSR_EE = 0x8000;
/** MSR.PR: problem (user) state. */
export const MSR_PR = 0x4000;
/** MSR.FP: floating point available. */
export const MSR_FP = 0x2000;
/** MSR.ME: machine check enabled. */
export const MSR_ME = 0x1000;
/** MSR.FE0: floating-point exception mode 0. */
export const MSR_FE0 = 0x800;
/** MSR.SE: single-step trace enabled. */
export const MSR_SE = 0x400;
/** MSR.BE: branch trace enabled (not modelled). */
export const MSR_BE = 0x200;
/** MSR.FE1: floating-point exception mode 1. */
export const MSR_FE1 = 0x100;
/** MSR.IR: instruction relocation (translation is not modelled). */
export const MSR_IR = 0x20;
/** MSR.DR: data relocation (translation is not modelled). */
export const MSR_DR = 0x10;
/** MSR.RI: recoverable interrupt. */
export const MSR_RI = 0x2;
/** MSR.LE: little-endian mode (not supported: the guest is big-endian). */
export const MSR_LE = 0x1;

/** XER.SO: summary overflow. */
export const XER_SO = 0x80000000;
/** XER.OV: overflow. */
export const XER_OV = 0x40000000;
/** XER.CA: carry. */
export const XER_CA = 0x20000000;

/** CR field bit: less than / negative. */
export const CR_LT = 8;
/** CR field bit: greater than / positive. */
export const CR_GT = 4;
/** CR field bit: equal / zero. */
export const CR_EQ = 2;
/** CR field bit: summary overflow. */
export const CR_SO = 1;

/** SPR number of XER. */
export const SPR_XER = 1;
/** SPR number of LR. */
export const SPR_LR = 8;
/** SPR number of CTR. */
export const SPR_CTR = 9;
/** SPR number of DSISR. */
export const SPR_DSISR = 18;
/** SPR number of DAR. */
export const SPR_DAR = 19;
/** SPR number of DEC. */
export const SPR_DEC = 22;
/** SPR number of SRR0. */
export const SPR_SRR0 = 26;
/** SPR number of SRR1. */
export const SPR_SRR1 = 27;
/** SPR number of TB for reading (mftb). */
export const SPR_TBRL = 268;
/** SPR number of TBU for reading (mftbu). */
export const SPR_TBRU = 269;
/** SPR number of SPRG0; SPRG1–3 are 273–275. */
export const SPR_SPRG0 = 272;
/** SPR number of TBL for writing. */
export const SPR_TBWL = 284;
/** SPR number of TBU for writing. */
export const SPR_TBWU = 285;
/** SPR number of PVR (read-only). */
export const SPR_PVR = 287;
/** SPR number of PIR (processor id, read-only). */
export const SPR_PIR = 1023;

/** The PVR value the CPU reports: POWER5+ (0x003b), revision 0x0300. */
export const PVR_POWER5P = 0x003b0300;

/** Interrupt vector: system reset. */
export const VEC_SYSTEM_RESET = 0x100;
/** Interrupt vector: machine check. */
export const VEC_MACHINE_CHECK = 0x200;
/** Interrupt vector: data storage (DSI); DAR and DSISR describe the access. */
export const VEC_DATA_STORAGE = 0x300;
/** Interrupt vector: instruction storage (ISI); SRR1 holds the reason. */
export const VEC_INSTR_STORAGE = 0x400;
/** Interrupt vector: external. */
export const VEC_EXTERNAL = 0x500;
/** Interrupt vector: alignment; DAR holds the address. */
export const VEC_ALIGNMENT = 0x600;
/** Interrupt vector: program (trap, illegal, privileged: reason in SRR1). */
export const VEC_PROGRAM = 0x700;
/** Interrupt vector: floating point unavailable. */
export const VEC_FP_UNAVAILABLE = 0x800;
/** Interrupt vector: decrementer. */
export const VEC_DECREMENTER = 0x900;
/** Interrupt vector: system call (`sc`). */
export const VEC_SYSCALL = 0xc00;
/** Interrupt vector: trace (MSR.SE single step). */
export const VEC_TRACE = 0xd00;

/** SRR1 program-interrupt reason: a trap instruction trapped. */
export const SRR1_TRAP = 0x20000;
/** SRR1 program-interrupt reason: privileged instruction in problem state. */
export const SRR1_PRIVILEGED = 0x40000;
/** SRR1 program-interrupt reason: illegal instruction. */
export const SRR1_ILLEGAL = 0x80000;
/** SRR1 instruction-storage reason: no translation (page not mapped). */
export const SRR1_ISI_NOPAGE = 0x40000000;
/** SRR1 instruction-storage reason: protection (no execute / no access). */
export const SRR1_ISI_PROT = 0x08000000;
/** SRR1 bits an interrupt clears before OR-ing a reason (IBM 33–36, 42–47). */
export const SRR1_REASON_MASK = 0x783f0000;

/** DSISR: no translation (the page is not mapped). */
export const DSISR_NOPAGE = 0x40000000;
/** DSISR: protection violation. */
export const DSISR_PROT = 0x08000000;
/** DSISR: the access was a store. */
export const DSISR_STORE = 0x02000000;

/** The trap instruction word Kprobes plants (`tw 31,0,0`, `trap`). */
export const TRAP_INSTRUCTION = 0x7fe00008;
/** The no-op word (`ori 0,0,0`). */
export const NOP_INSTRUCTION = 0x60000000;

/** Bytes zeroed by `dcbz` (POWER5 L1 line). */
export const CACHE_LINE_SIZE = 128;

/** GPR names as Linux prints them (`r0` … `r31`). */
export const PPC64_GPR_NAMES: readonly string[] = Array.from({ length: 32 }, (_, i) => `r${i}`);

/**
 * A fresh register buffer: every register 0.
 *
 * @returns `PPC64_REGFILE_WORDS` zeroed words.
 *
 * @example GPR 3 halves
 * ```ts
 * import { createPpc64RegisterFile } from "./regs.ts";
 * import assert from "node:assert/strict";
 * const regs = createPpc64RegisterFile();
 * regs[2 * 3] = 0x2a; // low half of r3
 * assert.equal(regs[7], 0); // high half of r3
 * ```
 */
export function createPpc64RegisterFile(): Uint32Array {
  return new Uint32Array(PPC64_REGFILE_WORDS);
}
