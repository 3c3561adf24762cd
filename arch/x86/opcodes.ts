// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The x86 opcode tables: the declarative encoding table and the
 * 1024-slot dispatch table (`map << 8 | opcode`, plus `UD_SLOT`). Each slot
 * of the one-byte, 0F, 0F38 and 0F3A maps is a spec string in SDM operand
 * notation, parsed once at load into packed attribute words that the
 * decoder, the Kprobes analyzer and the Capstone cross-check read; the
 * dispatch grid names each slot's handler (`opUd` for #UD).
 *
 * Spec grammar: `mnemonic[/alt16/alt32/alt64] operands flags`, where
 * operands are comma-separated SDM codes (`Eb Ev Ew Ed Gb Gv Gw M Mp Sw Cd
 * Dd Rd Zb Zv Ib Ibs Iw Iz Iv Jb Jz Ob Ov Ap AL rAX CL DX 1`) and flags are
 * `L` (lockable), `i64` (invalid in 64-bit mode), `o64` (64-bit mode only),
 * `d64` (64-bit default operand size), `f64` (64-bit forced), `A`
 * (alternatives chosen by address size), `B` (byte operation). `#grpN`
 * names a group resolved by ModRM.reg, `=P` is a prefix, `=0F`/`=38`/`=3A`
 * an escape, `$cc` the condition-code name and `""` an undefined slot.
 *
 * @module
 */

import {
  opAdcEvGv,
  opAdcEvI,
  opAdcGvEv,
  opAdcRaxI,
  opAddEvGv,
  opAddEvI,
  opAddGvEv,
  opAddRaxI,
  opAndEvGv,
  opAndEvI,
  opAndGvEv,
  opAndRaxI,
  opCmpEvGv,
  opCmpEvI,
  opCmpGvEv,
  opCmpRaxI,
  opOrEvGv,
  opOrEvI,
  opOrGvEv,
  opOrRaxI,
  opSbbEvGv,
  opSbbEvI,
  opSbbGvEv,
  opSbbRaxI,
  opSubEvGv,
  opSubEvI,
  opSubGvEv,
  opSubRaxI,
  opTestEvGv,
  opTestEvI,
  opTestRaxI,
  opXorEvGv,
  opXorEvI,
  opXorGvEv,
  opXorRaxI,
} from "./alu.ts";
import {
  opCmpxchg,
  opDecEv,
  opGrp3Ev,
  opGrp4Eb,
  opIncDecZv,
  opIncEv,
  opNegEv,
  opNotEv,
  opXadd,
} from "./alu_unary.ts";
import { opBitScan, opBtEvGv, opGrp8EvIb, opPopcnt } from "./bitops.ts";
import { opCallEv, opCallJz, opJcc, opJmpEv, opJmpJ, opJrcxz, opLoop, opRet } from "./control.ts";
import type { X86Cpu } from "./cpu.ts";
import type { DecodedInsn } from "./decode.ts";
import { opCbw, opCwd, opImulGvEv, opImulGvEvI, opMulDivEv } from "./muldiv.ts";
import { opGrp2, opShxd } from "./shift.ts";
import {
  opBswap,
  opCmovcc,
  opLeaGvM,
  opMovEvGv,
  opMovEvI,
  opMovEvSw,
  opMovGvEv,
  opMovMoffs,
  opMovSwEw,
  opMovsx,
  opMovsxd,
  opMovZbIb,
  opMovZvIv,
  opMovzx,
  opSetcc,
  opXchgEvGv,
  opXchgZvRax,
  opXlat,
} from "./move.ts";
import {
  opEnter,
  opLeave,
  opPopEv,
  opPopf,
  opPopSreg,
  opPopZv,
  opPushEv,
  opPushf,
  opPushI,
  opPushSreg,
  opPushZv,
} from "./stack.ts";
import { opCmps, opLods, opMovs, opScas, opStos } from "./string.ts";
import {
  opCli,
  opCpuid,
  opFlagBit,
  opGrp15,
  opGrp6,
  opGrp7,
  opGrp9,
  opHlt,
  opIn,
  opInt1,
  opInt3,
  opIntIb,
  opInto,
  opIret,
  opLahf,
  opMovCdRd,
  opMovDdRd,
  opMovRdCd,
  opMovRdDd,
  opNop,
  opOut,
  opPrivNop,
  opRdmsr,
  opRdtsc,
  opSahf,
  opSti,
  opUd,
  opWrmsr,
} from "./system.ts";

/** Slot has a ModRM byte. */
export const A_MODRM = 1 << 0;
/** Immediate kind field (4 bits). */
export const A_IMM_SHIFT = 1;
/** Operand-size rule field (2 bits). */
export const A_SIZE_SHIFT = 5;
/** Invalid in 64-bit mode. */
export const A_I64 = 1 << 7;
/** Valid only in 64-bit mode. */
export const A_O64 = 1 << 8;
/** A LOCK prefix is legal (memory destination). */
export const A_LOCK = 1 << 9;
/** Mnemonic and more come from a ModRM.reg group. */
export const A_GROUP = 1 << 10;
/** A legacy prefix byte, not an opcode. */
export const A_PREFIX = 1 << 11;
/** An escape to another opcode map. */
export const A_ESCAPE = 1 << 12;
/** The slot is defined. */
export const A_DEFINED = 1 << 13;
/** ModRM must name memory (mod ≠ 3). */
export const A_MEM = 1 << 14;
/** ModRM.mod is ignored and treated as 3 (mov to/from CR/DR). */
export const A_FORCE_REG = 1 << 15;
/** Mnemonic alternatives chosen by address size. */
export const A_ALT_ADDR = 1 << 16;
/** Execution is not implemented (x87, SSE, …): #UD at run time. */
export const A_NOEXEC = 1 << 17;

/** No immediate. */
export const IMM_NONE = 0;
/** 8-bit unsigned. */
export const IMM_B = 1;
/** 8-bit sign-extended to the operand size. */
export const IMM_BS = 2;
/** 16-bit. */
export const IMM_W = 3;
/** 16 or 32 bits by operand size, sign-extended to 64. */
export const IMM_Z = 4;
/** 16, 32 or 64 bits by operand size (`mov r, imm`). */
export const IMM_V = 5;
/** 16-bit then 8-bit (`enter`). */
export const IMM_WB = 6;
/** 8-bit relative branch displacement. */
export const IMM_JB = 7;
/** 16/32-bit relative branch displacement. */
export const IMM_JZ = 8;
/** Absolute memory offset of address size (`mov al, moffs`). */
export const IMM_O = 9;
/** Far pointer `ptr16:16/32`. */
export const IMM_AP = 10;

/** Group placeholder `I`: Ib for byte forms, Iz otherwise. */
export const IMM_GROUP = 15;

/** Operand size 16/32/64 from 66 and REX.W. */
export const SIZE_V = 0;
/** Byte operation. */
export const SIZE_B = 1;
/** Defaults to 64 bits in 64-bit mode (66 selects 16). */
export const SIZE_D64 = 2;
/** Always 64 bits in 64-bit mode. */
export const SIZE_F64 = 3;

/** Condition-code names as in `jcc`/`setcc`/`cmovcc` mnemonics, by `cc`. */
export const CC_NAMES: readonly string[] = [
  "o",
  "no",
  "b",
  "ae",
  "e",
  "ne",
  "be",
  "a",
  "s",
  "ns",
  "p",
  "np",
  "l",
  "ge",
  "le",
  "g",
];

// deno-fmt-ignore
const MAP0: readonly string[] = [
  /* 00 */ "add Eb,Gb L", "add Ev,Gv L", "add Gb,Eb", "add Gv,Ev", "add AL,Ib", "add rAX,Iz", "push ES i64", "pop ES i64",
  /* 08 */ "or Eb,Gb L", "or Ev,Gv L", "or Gb,Eb", "or Gv,Ev", "or AL,Ib", "or rAX,Iz", "push CS i64", "=0F",
  /* 10 */ "adc Eb,Gb L", "adc Ev,Gv L", "adc Gb,Eb", "adc Gv,Ev", "adc AL,Ib", "adc rAX,Iz", "push SS i64", "pop SS i64",
  /* 18 */ "sbb Eb,Gb L", "sbb Ev,Gv L", "sbb Gb,Eb", "sbb Gv,Ev", "sbb AL,Ib", "sbb rAX,Iz", "push DS i64", "pop DS i64",
  /* 20 */ "and Eb,Gb L", "and Ev,Gv L", "and Gb,Eb", "and Gv,Ev", "and AL,Ib", "and rAX,Iz", "=P", "daa i64",
  /* 28 */ "sub Eb,Gb L", "sub Ev,Gv L", "sub Gb,Eb", "sub Gv,Ev", "sub AL,Ib", "sub rAX,Iz", "=P", "das i64",
  /* 30 */ "xor Eb,Gb L", "xor Ev,Gv L", "xor Gb,Eb", "xor Gv,Ev", "xor AL,Ib", "xor rAX,Iz", "=P", "aaa i64",
  /* 38 */ "cmp Eb,Gb", "cmp Ev,Gv", "cmp Gb,Eb", "cmp Gv,Ev", "cmp AL,Ib", "cmp rAX,Iz", "=P", "aas i64",
  /* 40 */ "inc Zv i64", "inc Zv i64", "inc Zv i64", "inc Zv i64", "inc Zv i64", "inc Zv i64", "inc Zv i64", "inc Zv i64",
  /* 48 */ "dec Zv i64", "dec Zv i64", "dec Zv i64", "dec Zv i64", "dec Zv i64", "dec Zv i64", "dec Zv i64", "dec Zv i64",
  /* 50 */ "push Zv d64", "push Zv d64", "push Zv d64", "push Zv d64", "push Zv d64", "push Zv d64", "push Zv d64", "push Zv d64",
  /* 58 */ "pop Zv d64", "pop Zv d64", "pop Zv d64", "pop Zv d64", "pop Zv d64", "pop Zv d64", "pop Zv d64", "pop Zv d64",
  /* 60 */ "pushaw/pushal i64", "popaw/popal i64", "bound Gv,Mp i64", "movsxd Gv,Ed o64", "=P", "=P", "=P", "=P",
  /* 68 */ "push Iz d64", "imul Gv,Ev,Iz", "push Ibs d64", "imul Gv,Ev,Ibs", "insb B", "insw/insd/insd", "outsb B", "outsw/outsd/outsd",
  /* 70 */ "j$cc Jb f64", "j$cc Jb f64", "j$cc Jb f64", "j$cc Jb f64", "j$cc Jb f64", "j$cc Jb f64", "j$cc Jb f64", "j$cc Jb f64",
  /* 78 */ "j$cc Jb f64", "j$cc Jb f64", "j$cc Jb f64", "j$cc Jb f64", "j$cc Jb f64", "j$cc Jb f64", "j$cc Jb f64", "j$cc Jb f64",
  /* 80 */ "#grp1 Eb,Ib L", "#grp1 Ev,Iz L", "#grp1 Eb,Ib L i64", "#grp1 Ev,Ibs L", "test Eb,Gb", "test Ev,Gv", "xchg Eb,Gb L", "xchg Ev,Gv L",
  /* 88 */ "mov Eb,Gb", "mov Ev,Gv", "mov Gb,Eb", "mov Gv,Ev", "mov Ev,Sw", "lea Gv,M", "mov Sw,Ew", "#grp1a Ev",
  /* 90 */ "nop", "xchg Zv,rAX", "xchg Zv,rAX", "xchg Zv,rAX", "xchg Zv,rAX", "xchg Zv,rAX", "xchg Zv,rAX", "xchg Zv,rAX",
  /* 98 */ "cbw/cwde/cdqe", "cwd/cdq/cqo", "lcall Ap i64", "wait", "pushf/pushfd/pushfq d64", "popf/popfd/popfq d64", "sahf", "lahf",
  /* a0 */ "mov AL,Ob", "mov rAX,Ov", "mov Ob,AL", "mov Ov,rAX", "movsb B", "movsw/movsd/movsq", "cmpsb B", "cmpsw/cmpsd/cmpsq",
  /* a8 */ "test AL,Ib", "test rAX,Iz", "stosb B", "stosw/stosd/stosq", "lodsb B", "lodsw/lodsd/lodsq", "scasb B", "scasw/scasd/scasq",
  /* b0 */ "mov Zb,Ib", "mov Zb,Ib", "mov Zb,Ib", "mov Zb,Ib", "mov Zb,Ib", "mov Zb,Ib", "mov Zb,Ib", "mov Zb,Ib",
  /* b8 */ "mov Zv,Iv", "mov Zv,Iv", "mov Zv,Iv", "mov Zv,Iv", "mov Zv,Iv", "mov Zv,Iv", "mov Zv,Iv", "mov Zv,Iv",
  /* c0 */ "#grp2 Eb,Ib", "#grp2 Ev,Ib", "ret Iw f64", "ret f64", "les Gv,Mp i64", "lds Gv,Mp i64", "#grp11 Eb", "#grp11 Ev",
  /* c8 */ "enter Iw,Ib d64", "leave d64", "retf/retf/retfq Iw", "retf/retf/retfq", "int3", "int Ib", "into i64", "iret/iretd/iretq",
  /* d0 */ "#grp2 Eb,1", "#grp2 Ev,1", "#grp2 Eb,CL", "#grp2 Ev,CL", "aam Ib i64", "aad Ib i64", "salc i64", "xlatb B",
  /* d8 */ "fpu Ev", "fpu Ev", "fpu Ev", "fpu Ev", "fpu Ev", "fpu Ev", "fpu Ev", "fpu Ev",
  /* e0 */ "loopne Jb f64", "loope Jb f64", "loop Jb f64", "jcxz/jecxz/jrcxz Jb f64 A", "in AL,Ib", "in eAX,Ib", "out Ib,AL B", "out Ib,eAX",
  /* e8 */ "call Jz f64", "jmp Jz f64", "ljmp Ap i64", "jmp Jb f64", "in AL,DX", "in eAX,DX", "out DX,AL B", "out DX,eAX",
  /* f0 */ "=P", "int1", "=P", "=P", "hlt", "cmc", "#grp3 Eb", "#grp3 Ev",
  /* f8 */ "clc", "stc", "cli", "sti", "cld", "std", "#grp4 Eb", "#grp5 Ev",
];

// deno-fmt-ignore
const MAP1: readonly string[] = [
  /* 00 */ "#grp6 Ew", "#grp7", "lar Gv,Ew", "lsl Gv,Ew", "", "syscall o64", "clts", "sysret/sysret/sysretq o64",
  /* 08 */ "invd", "wbinvd", "", "ud2", "", "#grp0d Ev", "femms", "",
  /* 10 */ "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev",
  /* 18 */ "#grp16 Ev", "nop Ev", "nop Ev", "nop Ev", "nop Ev", "nop Ev", "nop Ev", "nop Ev",
  /* 20 */ "mov Rd,Cd", "mov Rd,Dd", "mov Cd,Rd", "mov Dd,Rd", "", "", "", "",
  /* 28 */ "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev",
  /* 30 */ "wrmsr", "rdtsc", "rdmsr", "rdpmc", "sysenter", "sysexit", "", "getsec",
  /* 38 */ "=38", "", "=3A", "", "", "", "", "",
  /* 40 */ "cmov$cc Gv,Ev", "cmov$cc Gv,Ev", "cmov$cc Gv,Ev", "cmov$cc Gv,Ev", "cmov$cc Gv,Ev", "cmov$cc Gv,Ev", "cmov$cc Gv,Ev", "cmov$cc Gv,Ev",
  /* 48 */ "cmov$cc Gv,Ev", "cmov$cc Gv,Ev", "cmov$cc Gv,Ev", "cmov$cc Gv,Ev", "cmov$cc Gv,Ev", "cmov$cc Gv,Ev", "cmov$cc Gv,Ev", "cmov$cc Gv,Ev",
  /* 50 */ "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev",
  /* 58 */ "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev",
  /* 60 */ "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev",
  /* 68 */ "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev",
  /* 70 */ "sse Ev,Ib", "sse Ev,Ib", "sse Ev,Ib", "sse Ev,Ib", "sse Ev", "sse Ev", "sse Ev", "emms",
  /* 78 */ "vmread Ev,Gv", "vmwrite Gv,Ev", "", "", "sse Ev", "sse Ev", "sse Ev", "sse Ev",
  /* 80 */ "j$cc Jz f64", "j$cc Jz f64", "j$cc Jz f64", "j$cc Jz f64", "j$cc Jz f64", "j$cc Jz f64", "j$cc Jz f64", "j$cc Jz f64",
  /* 88 */ "j$cc Jz f64", "j$cc Jz f64", "j$cc Jz f64", "j$cc Jz f64", "j$cc Jz f64", "j$cc Jz f64", "j$cc Jz f64", "j$cc Jz f64",
  /* 90 */ "set$cc Eb", "set$cc Eb", "set$cc Eb", "set$cc Eb", "set$cc Eb", "set$cc Eb", "set$cc Eb", "set$cc Eb",
  /* 98 */ "set$cc Eb", "set$cc Eb", "set$cc Eb", "set$cc Eb", "set$cc Eb", "set$cc Eb", "set$cc Eb", "set$cc Eb",
  /* a0 */ "push FS d64", "pop FS d64", "cpuid", "bt Ev,Gv", "shld Ev,Gv,Ib", "shld Ev,Gv,CL", "", "",
  /* a8 */ "push GS d64", "pop GS d64", "rsm", "bts Ev,Gv L", "shrd Ev,Gv,Ib", "shrd Ev,Gv,CL", "#grp15", "imul Gv,Ev",
  /* b0 */ "cmpxchg Eb,Gb L", "cmpxchg Ev,Gv L", "lss Gv,Mp", "btr Ev,Gv L", "lfs Gv,Mp", "lgs Gv,Mp", "movzx Gv,Eb", "movzx Gv,Ew",
  /* b8 */ "popcnt Gv,Ev", "ud1 Gv,Ev", "#grp8 Ev,Ib", "btc Ev,Gv L", "bsf Gv,Ev", "bsr Gv,Ev", "movsx Gv,Eb", "movsx Gv,Ew",
  /* c0 */ "xadd Eb,Gb L", "xadd Ev,Gv L", "sse Ev,Ib", "movnti M,Gv", "sse Ev,Ib", "sse Ev,Ib", "sse Ev,Ib", "#grp9",
  /* c8 */ "bswap Zv", "bswap Zv", "bswap Zv", "bswap Zv", "bswap Zv", "bswap Zv", "bswap Zv", "bswap Zv",
  /* d0 */ "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev",
  /* d8 */ "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev",
  /* e0 */ "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev",
  /* e8 */ "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev",
  /* f0 */ "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev",
  /* f8 */ "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "sse Ev", "ud0 Gv,Ev",
];

/**
 * ModRM.reg groups: eight specs each (memory forms). An empty operand list
 * inherits the opcode's operands.
 */
// deno-fmt-ignore
const GROUPS: Readonly<Record<string, readonly string[]>> = {
  grp1: ["add L", "or L", "adc L", "sbb L", "and L", "sub L", "xor L", "cmp"],
  grp1a: ["pop Ev d64", "", "", "", "", "", "", ""],
  grp2: ["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"],
  grp3: ["test E,I", "test E,I", "not L", "neg L", "mul", "imul", "div", "idiv"],
  grp4: ["inc Eb L", "dec Eb L", "", "", "", "", "", ""],
  grp5: ["inc Ev L", "dec Ev L", "call Ev f64", "lcall Mp", "jmp Ev f64", "ljmp Mp", "push Ev d64", ""],
  grp6: ["sldt Ew", "str Ew", "lldt Ew", "ltr Ew", "verr Ew", "verw Ew", "", ""],
  grp7: ["sgdt M", "sidt M", "lgdt M", "lidt M", "smsw Ew", "", "lmsw Ew", "invlpg M"],
  grp8: ["", "", "", "", "bt", "bts L", "btr L", "btc L"],
  grp9: ["", "cmpxchg8b M L", "", "xrstors M", "xsavec M", "xsaves M", "vmptrld M", "vmptrst M"],
  grp11: ["mov E,I", "", "", "", "", "", "", ""],
  grp15: ["fxsave M", "fxrstor M", "ldmxcsr M", "stmxcsr M", "xsave M", "xrstor M", "xsaveopt M", "clflush M"],
  grp16: ["prefetchnta M", "prefetcht0 M", "prefetcht1 M", "prefetcht2 M", "nop Ev", "nop Ev", "nop Ev", "nop Ev"],
  grp0d: ["prefetch M", "prefetchw M", "prefetch M", "prefetch M", "prefetch M", "prefetch M", "prefetch M", "prefetch M"],
};

/** Register forms (mod = 3) of group 7 by `reg * 8 + rm`; missing = #UD. */
export const GRP7_REG: Readonly<Record<number, string>> = {
  0o01: "vmcall",
  0o02: "vmlaunch",
  0o03: "vmresume",
  0o04: "vmxoff",
  0o10: "monitor",
  0o11: "mwait",
  0o12: "clac",
  0o13: "stac",
  0o20: "xgetbv",
  0o21: "xsetbv",
  0o25: "xend",
  0o26: "xtest",
  0o40: "smsw",
  0o41: "smsw",
  0o42: "smsw",
  0o43: "smsw",
  0o44: "smsw",
  0o45: "smsw",
  0o46: "smsw",
  0o47: "smsw",
  0o60: "lmsw",
  0o61: "lmsw",
  0o62: "lmsw",
  0o63: "lmsw",
  0o64: "lmsw",
  0o65: "lmsw",
  0o66: "lmsw",
  0o67: "lmsw",
  0o70: "swapgs",
  0o71: "rdtscp",
};

/** Register forms (mod = 3) of groups 9 and 15 by reg. */
export const GRP9_REG: readonly string[] = ["", "", "", "", "", "", "rdrand", "rdseed"];
/** Register forms of group 15: fences. */
export const GRP15_REG: readonly string[] = ["", "", "", "", "", "lfence", "mfence", "sfence"];
/** Register forms of group 15 with F3: FS/GS base access. */
export const GRP15_F3_REG: readonly string[] = [
  "rdfsbase",
  "rdgsbase",
  "wrfsbase",
  "wrgsbase",
  "",
  "",
  "",
  "",
];

/** Packed attributes per `map << 8 | opcode` (maps 0, 1, 2 = 0F38, 3 = 0F3A). */
export const ATTR: Uint32Array = new Uint32Array(1024);
/** Base mnemonic (alternatives separated by `/`, `$cc` pattern) per slot. */
export const MNEMONIC: string[] = new Array(1024).fill("");
/** Group name per slot (`""` if not a group). */
export const GROUP_OF: string[] = new Array(1024).fill("");
/** Parsed group entries: `[attrs, mnemonic]` per reg, by group name. */
export const GROUP_ATTR: Record<string, Uint32Array> = {};
/** Parsed group mnemonics by group name. */
export const GROUP_MNEMONIC: Record<string, string[]> = {};

const IMM_CODES: Readonly<Record<string, number>> = {
  Ib: IMM_B,
  Ibs: IMM_BS,
  Iw: IMM_W,
  Iz: IMM_Z,
  Iv: IMM_V,
  Jb: IMM_JB,
  Jz: IMM_JZ,
  Ob: IMM_O,
  Ov: IMM_O,
  Ap: IMM_AP,
  I: IMM_GROUP, // group placeholder: Ib for byte forms, Iz otherwise
};

/**
 * Parses one spec string into packed attributes and a mnemonic.
 *
 * @param spec The spec.
 * @returns `[attrs, mnemonic]`.
 */
function parseSpec(spec: string): [number, string] {
  if (spec === "") return [0, ""];
  if (spec === "=P") return [A_PREFIX | A_DEFINED, ""];
  if (spec.startsWith("=")) return [A_ESCAPE | A_DEFINED, spec.slice(1)];
  const parts = spec.split(" ");
  const mnemonic = parts[0];
  let attrs = A_DEFINED;
  let imm = IMM_NONE;
  let size = SIZE_V;
  let operands: string[] = [];
  for (const p of parts.slice(1)) {
    if (p === "L") attrs |= A_LOCK;
    else if (p === "i64") attrs |= A_I64;
    else if (p === "o64") attrs |= A_O64;
    else if (p === "d64") size = SIZE_D64;
    else if (p === "f64") size = SIZE_F64;
    else if (p === "A") attrs |= A_ALT_ADDR;
    else if (p === "B") size = SIZE_B;
    else operands = p.split(",");
  }
  let firstData = "";
  for (const o of operands) {
    if (/^[EGMRSCD][a-z]*$/.test(o)) attrs |= A_MODRM;
    if (o === "M" || o === "Mp") attrs |= A_MEM;
    if (o === "Rd") attrs |= A_FORCE_REG;
    if (o in IMM_CODES) {
      const code = IMM_CODES[o];
      imm = imm === IMM_W && code === IMM_B ? IMM_WB : code;
    } else if (firstData === "") firstData = o;
  }
  if (/^(Eb|Gb|Zb|AL|Ob)$/.test(firstData)) size = SIZE_B;
  if (mnemonic === "fpu" || mnemonic === "sse") attrs |= A_NOEXEC;
  if (mnemonic.startsWith("#")) attrs |= A_GROUP | A_MODRM;
  return [attrs | (imm << A_IMM_SHIFT) | (size << A_SIZE_SHIFT), mnemonic];
}

function fillMap(map: number, specs: readonly string[]): void {
  for (let op = 0; op < 256; op++) {
    const [attrs, mnemonic] = parseSpec(specs[op]);
    ATTR[(map << 8) | op] = attrs;
    MNEMONIC[(map << 8) | op] = mnemonic.startsWith("#") ? "" : mnemonic;
    GROUP_OF[(map << 8) | op] = mnemonic.startsWith("#") ? mnemonic.slice(1) : "";
  }
}

fillMap(0, MAP0);
fillMap(1, MAP1);
// 0F 38: ModRM, no immediate; 0F 3A: ModRM and Ib. Only movbe/crc32 are named.
for (let op = 0; op < 256; op++) {
  ATTR[0x200 | op] = A_DEFINED | A_MODRM | A_NOEXEC;
  MNEMONIC[0x200 | op] = "sse";
  ATTR[0x300 | op] = A_DEFINED | A_MODRM | A_NOEXEC | (IMM_B << A_IMM_SHIFT);
  MNEMONIC[0x300 | op] = "sse";
}
MNEMONIC[0x2f0] = "movbe";
MNEMONIC[0x2f1] = "movbe";

for (const [name, specs] of Object.entries(GROUPS)) {
  const attrs = new Uint32Array(8);
  const names: string[] = [];
  for (let reg = 0; reg < 8; reg++) {
    const [a, m] = parseSpec(specs[reg]);
    attrs[reg] = a;
    names.push(m);
  }
  GROUP_ATTR[name] = attrs;
  GROUP_MNEMONIC[name] = names;
}

// ---------------------------------------------------------------------------
// Dispatch

/** An instruction handler. RIP already points past the instruction. */
export type Handler = (cpu: X86Cpu, insn: DecodedInsn) => void;

// deno-fmt-ignore
const DISPATCH_MAP0: readonly Handler[] = [
  /* 00 */ opAddEvGv, opAddEvGv, opAddGvEv, opAddGvEv, opAddRaxI, opAddRaxI, opPushSreg, opPopSreg,
  /* 08 */ opOrEvGv, opOrEvGv, opOrGvEv, opOrGvEv, opOrRaxI, opOrRaxI, opPushSreg, opUd,
  /* 10 */ opAdcEvGv, opAdcEvGv, opAdcGvEv, opAdcGvEv, opAdcRaxI, opAdcRaxI, opPushSreg, opPopSreg,
  /* 18 */ opSbbEvGv, opSbbEvGv, opSbbGvEv, opSbbGvEv, opSbbRaxI, opSbbRaxI, opPushSreg, opPopSreg,
  /* 20 */ opAndEvGv, opAndEvGv, opAndGvEv, opAndGvEv, opAndRaxI, opAndRaxI, opUd, opUd,
  /* 28 */ opSubEvGv, opSubEvGv, opSubGvEv, opSubGvEv, opSubRaxI, opSubRaxI, opUd, opUd,
  /* 30 */ opXorEvGv, opXorEvGv, opXorGvEv, opXorGvEv, opXorRaxI, opXorRaxI, opUd, opUd,
  /* 38 */ opCmpEvGv, opCmpEvGv, opCmpGvEv, opCmpGvEv, opCmpRaxI, opCmpRaxI, opUd, opUd,
  /* 40 */ opIncDecZv, opIncDecZv, opIncDecZv, opIncDecZv, opIncDecZv, opIncDecZv, opIncDecZv, opIncDecZv,
  /* 48 */ opIncDecZv, opIncDecZv, opIncDecZv, opIncDecZv, opIncDecZv, opIncDecZv, opIncDecZv, opIncDecZv,
  /* 50 */ opPushZv, opPushZv, opPushZv, opPushZv, opPushZv, opPushZv, opPushZv, opPushZv,
  /* 58 */ opPopZv, opPopZv, opPopZv, opPopZv, opPopZv, opPopZv, opPopZv, opPopZv,
  /* 60 */ opUd, opUd, opUd, opMovsxd, opUd, opUd, opUd, opUd,
  /* 68 */ opPushI, opImulGvEvI, opPushI, opImulGvEvI, opUd, opUd, opUd, opUd,
  /* 70 */ opJcc, opJcc, opJcc, opJcc, opJcc, opJcc, opJcc, opJcc,
  /* 78 */ opJcc, opJcc, opJcc, opJcc, opJcc, opJcc, opJcc, opJcc,
  /* 80 */ opUd, opUd, opUd, opUd, opTestEvGv, opTestEvGv, opXchgEvGv, opXchgEvGv,
  /* 88 */ opMovEvGv, opMovEvGv, opMovGvEv, opMovGvEv, opMovEvSw, opLeaGvM, opMovSwEw, opPopEv,
  /* 90 */ opXchgZvRax, opXchgZvRax, opXchgZvRax, opXchgZvRax, opXchgZvRax, opXchgZvRax, opXchgZvRax, opXchgZvRax,
  /* 98 */ opCbw, opCwd, opUd, opNop, opPushf, opPopf, opSahf, opLahf,
  /* a0 */ opMovMoffs, opMovMoffs, opMovMoffs, opMovMoffs, opMovs, opMovs, opCmps, opCmps,
  /* a8 */ opTestRaxI, opTestRaxI, opStos, opStos, opLods, opLods, opScas, opScas,
  /* b0 */ opMovZbIb, opMovZbIb, opMovZbIb, opMovZbIb, opMovZbIb, opMovZbIb, opMovZbIb, opMovZbIb,
  /* b8 */ opMovZvIv, opMovZvIv, opMovZvIv, opMovZvIv, opMovZvIv, opMovZvIv, opMovZvIv, opMovZvIv,
  /* c0 */ opGrp2, opGrp2, opRet, opRet, opUd, opUd, opMovEvI, opMovEvI,
  /* c8 */ opEnter, opLeave, opUd, opUd, opInt3, opIntIb, opInto, opIret,
  /* d0 */ opGrp2, opGrp2, opGrp2, opGrp2, opUd, opUd, opUd, opXlat,
  /* d8 */ opUd, opUd, opUd, opUd, opUd, opUd, opUd, opUd,
  /* e0 */ opLoop, opLoop, opLoop, opJrcxz, opIn, opIn, opOut, opOut,
  /* e8 */ opCallJz, opJmpJ, opUd, opJmpJ, opIn, opIn, opOut, opOut,
  /* f0 */ opUd, opInt1, opUd, opUd, opHlt, opFlagBit, opGrp3Ev, opGrp3Ev,
  /* f8 */ opFlagBit, opFlagBit, opCli, opSti, opFlagBit, opFlagBit, opGrp4Eb, opUd,
];

// deno-fmt-ignore
const DISPATCH_MAP1: readonly Handler[] = [
  /* 00 */ opGrp6, opGrp7, opUd, opUd, opUd, opUd, opPrivNop, opUd,
  /* 08 */ opPrivNop, opPrivNop, opUd, opUd, opUd, opNop, opUd, opUd,
  /* 10 */ opUd, opUd, opUd, opUd, opUd, opUd, opUd, opUd,
  /* 18 */ opNop, opNop, opNop, opNop, opNop, opNop, opNop, opNop,
  /* 20 */ opMovRdCd, opMovRdDd, opMovCdRd, opMovDdRd, opUd, opUd, opUd, opUd,
  /* 28 */ opUd, opUd, opUd, opUd, opUd, opUd, opUd, opUd,
  /* 30 */ opWrmsr, opRdtsc, opRdmsr, opUd, opUd, opUd, opUd, opUd,
  /* 38 */ opUd, opUd, opUd, opUd, opUd, opUd, opUd, opUd,
  /* 40 */ opCmovcc, opCmovcc, opCmovcc, opCmovcc, opCmovcc, opCmovcc, opCmovcc, opCmovcc,
  /* 48 */ opCmovcc, opCmovcc, opCmovcc, opCmovcc, opCmovcc, opCmovcc, opCmovcc, opCmovcc,
  /* 50 */ opUd, opUd, opUd, opUd, opUd, opUd, opUd, opUd,
  /* 58 */ opUd, opUd, opUd, opUd, opUd, opUd, opUd, opUd,
  /* 60 */ opUd, opUd, opUd, opUd, opUd, opUd, opUd, opUd,
  /* 68 */ opUd, opUd, opUd, opUd, opUd, opUd, opUd, opUd,
  /* 70 */ opUd, opUd, opUd, opUd, opUd, opUd, opUd, opUd,
  /* 78 */ opUd, opUd, opUd, opUd, opUd, opUd, opUd, opUd,
  /* 80 */ opJcc, opJcc, opJcc, opJcc, opJcc, opJcc, opJcc, opJcc,
  /* 88 */ opJcc, opJcc, opJcc, opJcc, opJcc, opJcc, opJcc, opJcc,
  /* 90 */ opSetcc, opSetcc, opSetcc, opSetcc, opSetcc, opSetcc, opSetcc, opSetcc,
  /* 98 */ opSetcc, opSetcc, opSetcc, opSetcc, opSetcc, opSetcc, opSetcc, opSetcc,
  /* a0 */ opPushSreg, opPopSreg, opCpuid, opBtEvGv, opShxd, opShxd, opUd, opUd,
  /* a8 */ opPushSreg, opPopSreg, opUd, opBtEvGv, opShxd, opShxd, opGrp15, opImulGvEv,
  /* b0 */ opCmpxchg, opCmpxchg, opUd, opBtEvGv, opUd, opUd, opMovzx, opMovzx,
  /* b8 */ opPopcnt, opUd, opGrp8EvIb, opBtEvGv, opBitScan, opBitScan, opMovsx, opMovsx,
  /* c0 */ opXadd, opXadd, opUd, opUd, opUd, opUd, opUd, opGrp9,
  /* c8 */ opBswap, opBswap, opBswap, opBswap, opBswap, opBswap, opBswap, opBswap,
  /* d0 */ opUd, opUd, opUd, opUd, opUd, opUd, opUd, opUd,
  /* d8 */ opUd, opUd, opUd, opUd, opUd, opUd, opUd, opUd,
  /* e0 */ opUd, opUd, opUd, opUd, opUd, opUd, opUd, opUd,
  /* e8 */ opUd, opUd, opUd, opUd, opUd, opUd, opUd, opUd,
  /* f0 */ opUd, opUd, opUd, opUd, opUd, opUd, opUd, opUd,
  /* f8 */ opUd, opUd, opUd, opUd, opUd, opUd, opUd, opUd,
];

/** First dispatch slot of the per-member group handlers (after `UD_SLOT`). */
export const GROUP_SLOTS = 1025;

/**
 * Dispatch slot base per `map << 8 | opcode` for groups whose members get
 * their own handler (slot = base + ModRM.reg), 0 for the rest.
 */
export const GROUP_SLOT_OF: Uint16Array = new Uint16Array(1024);
GROUP_SLOT_OF[0x80] = GROUP_SLOTS; // group 1
GROUP_SLOT_OF[0x81] = GROUP_SLOTS;
GROUP_SLOT_OF[0x82] = GROUP_SLOTS;
GROUP_SLOT_OF[0x83] = GROUP_SLOTS;
GROUP_SLOT_OF[0xf6] = GROUP_SLOTS + 8; // group 3
GROUP_SLOT_OF[0xf7] = GROUP_SLOTS + 8;
GROUP_SLOT_OF[0xff] = GROUP_SLOTS + 16; // group 5

// deno-fmt-ignore
const DISPATCH_GROUPS: readonly Handler[] = [
  /* grp1 */ opAddEvI, opOrEvI, opAdcEvI, opSbbEvI, opAndEvI, opSubEvI, opXorEvI, opCmpEvI,
  /* grp3 */ opTestEvI, opTestEvI, opNotEv, opNegEv, opMulDivEv, opMulDivEv, opMulDivEv, opMulDivEv,
  /* grp5 */ opIncEv, opDecEv, opCallEv, opUd, opJmpEv, opUd, opPushEv, opUd,
];

/**
 * Handler per dispatch slot: `map << 8 | opcode` (maps 2 and 3, 0F38/0F3A,
 * are all #UD), then `UD_SLOT` (1024) for encodings the decoder marked
 * undefined, then `GROUP_SLOTS + …` for group members (see `GROUP_SLOT_OF`).
 */
export const DISPATCH: readonly Handler[] = [
  ...DISPATCH_MAP0,
  ...DISPATCH_MAP1,
  ...new Array<Handler>(512).fill(opUd),
  opUd,
  ...DISPATCH_GROUPS,
];
