// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The x86 decode record: {@linkcode DecodedInsn}, the monomorphic record the
 * decoder (`decode.ts`) fills and every handler, the decode cache and the
 * block translator read, with its `PREFIX_*` bits, the #UD dispatch slot
 * and what the run loop needs of a translated block
 * ({@linkcode JitBlockRef}). Data only: no decoding here. `decode.ts`
 * re-exports all of it, so `import { DecodedInsn } from "./decode.ts"`
 * keeps working.
 *
 * @module
 */

import type { X86Cpu } from "./cpu.ts";

/** Operand-size override prefix 66 was present. */
export const PREFIX_66 = 1;
/** Address-size override prefix 67 was present. */
export const PREFIX_67 = 2;
/** F2 (REPNE/BND) was present. */
export const PREFIX_F2 = 4;
/** F3 (REP/REPE) was present. */
export const PREFIX_F3 = 8;
/** LOCK (F0) was present. */
export const PREFIX_LOCK = 16;
/** A segment-override prefix was present (see `segment`). */
export const PREFIX_SEG = 32;
/** The instruction is VEX-encoded (C4/C5); decoded for length only. */
export const PREFIX_VEX = 64;

/** Dispatch slot of every encoding that raises #UD. */
export const UD_SLOT = 1024;

/** Architectural maximum instruction length. */
export const MAX_INSN_LENGTH = 15;

/**
 * One decoded instruction: a monomorphic record of numbers plus the
 * mnemonic. Internal hot data (public fields, no accessors), as blink's
 * `struct Machine` decode record.
 */
export class DecodedInsn {
  /** Length in bytes (1–15); 0 if the bytes ran out first. */
  length: number = 0;
  /** `map << 8 | opcode byte`: map 0 one-byte, 1 = 0F, 2 = 0F38, 3 = 0F3A. */
  opcode: number = 0;
  /**
   * Index into the dispatch table: `opcode`; `UD_SLOT` if undefined here;
   * `GROUP_SLOT_OF[opcode] + (reg & 7)` for groups with per-member handlers.
   */
  dispatch: number = UD_SLOT;
  /** 1 if executing the encoding raises #UD (undefined, bad LOCK, unmodelled x87/SSE). */
  invalid: number = 1;
  /** `PREFIX_*` bits. */
  prefixes: number = 0;
  /** Last segment-override prefix: 0 ES, 1 CS, 2 SS, 3 DS, 4 FS, 5 GS; -1 none. */
  segment: number = -1;
  /** The effective REX byte (0x40–0x4f), or 0. */
  rex: number = 0;
  /** Operand size in bytes: 1, 2, 4 or 8. */
  opsize: number = 4;
  /** log2 of `opsize`: 0, 1, 2 or 3. */
  width: number = 2;
  /** Address size in bytes: 2, 4 or 8. */
  addrsize: number = 8;
  /** Offset of the opcode byte (after prefixes and escapes). */
  opcodeOffset: number = 0;
  /** The ModRM byte, or -1. */
  modrm: number = -1;
  /** ModRM.mod (3 = register operand). */
  mod: number = 0;
  /** ModRM.reg with REX.R (0–15); also the group selector. */
  reg: number = 0;
  /** ModRM.rm with REX.B (0–15), or the register coded in the opcode. */
  rm: number = 0;
  /** The SIB byte, or -1. */
  sib: number = -1;
  /** SIB scale as a shift count (0–3). */
  scale: number = 0;
  /** Index register (0–15), or -1. */
  index: number = -1;
  /** Base register (0–15), or -1 (none, or RIP-relative). */
  base: number = -1;
  /** Offset of the displacement inside the instruction, or -1. */
  dispOffset: number = -1;
  /** Displacement size in bytes (0, 1, 2, 4). */
  dispSize: number = 0;
  /** Displacement, sign-extended. */
  disp: number = 0;
  /** 1 if the memory operand is RIP-relative (`[rip + disp32]`). */
  ripRelative: number = 0;
  /** Offset of the (first) immediate, or -1. */
  immOffset: number = -1;
  /** Size in bytes of the (first) immediate. */
  immSize: number = 0;
  /**
   * The immediate as the operation consumes it: branch displacements signed;
   * other immediates zero- or sign-extended per the encoding and truncated
   * to the operand size, as the unsigned low 32 bits.
   */
  imm: number = 0;
  /** High 32 bits of the immediate for 64-bit operands (`movabs`, sign extension). */
  immHi: number = 0;
  /** Second immediate: `enter`'s nesting level, a far pointer's selector. */
  imm2: number = 0;
  /** Condition code 0–15 for jcc/setcc/cmovcc, else 0. */
  cc: number = 0;
  /** 1 if `imm` is a relative branch displacement (jmp/jcc/call/loop rel). */
  relative: number = 0;
  /** Mnemonic in Capstone's spelling, with `rep`/`repne`/`lock` prefixes. */
  mnemonic: string = "";

  // Execution-cache fields, filled when the CPU caches the record at an
  // address (zero/null for a standalone decode). Internal to the interpreter.

  /** Address of the instruction, low half. */
  addrLo: number = 0;
  /** Address of the instruction, high half. */
  addrHi: number = 0;
  /** Address after the instruction, low half (RIP while it executes). */
  nextLo: number = 0;
  /** Address after the instruction, high half. */
  nextHi: number = 0;
  /** Static branch target of a relative branch, low half. */
  targetLo: number = 0;
  /** Static branch target, high half. */
  targetHi: number = 0;
  /** The cached instruction at `next` once linked (threaded dispatch). */
  next: DecodedInsn | null = null;
  /** The cached instruction at the branch target once linked. */
  target: DecodedInsn | null = null;
  /** Its handler, `DISPATCH[dispatch]`, bound when cached (saves a table load per step). */
  exec: (cpu: X86Cpu, insn: DecodedInsn) => void = unbound;
  /**
   * The translated block starting here (`jit.ts`), or null. Dropped with
   * the decode cache's page on a text write.
   */
  block: JitBlockRef | null = null;
  /** Times the interpreter reached this instruction as a block head (`jit.ts`). */
  hits: number = 0;
}

/** What the run loop needs of a translated block (`jit.ts` builds them). */
export interface JitBlockRef {
  /** Most instructions one run retires (the budget it needs). */
  length: number;
  /**
   * Runs the block with `budget` (≥ `length`) instructions left: retires
   * 1…`budget` instructions (a block that jumps back to its head goes
   * round while another full pass fits), adds them to `cpu.clock[0]`,
   * leaves `cpu.branch` as the last one's handler would, and returns that
   * last instruction.
   */
  run: (cpu: X86Cpu, budget: number) => DecodedInsn;
}

function unbound(): void {
  throw new TypeError("Cannot execute a DecodedInsn that is not in a decode cache");
}
