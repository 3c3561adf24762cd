// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * ppc64 (64-bit big-endian, POWER5-like Book III-S without an MMU): the
 * interpreter (`Ppc64Cpu`, `decodePpc64`), its opcode tables and the
 * instruction semantics, the block translator (`jit*.ts`: hot blocks as
 * specialised JS functions, `Ppc64Cpu.jitThreshold`), the `pt_regs` view and the back-chain unwinder.
 * The arch object and the Kprobes half build on the CPU API.
 *
 * @example Decode an instruction
 * ```ts
 * import { decodePpc64 } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const d = decodePpc64(0x7c0802a6); // mflr r0
 * assert.equal(d.mnemonic, "mfspr");
 * assert.equal(d.spr, 8);
 * ```
 *
 * @module
 */

export * from "./branch.ts";
export * from "./cpu.ts";
export * from "./cr.ts";
export * from "./decode.ts";
export * from "./execute.ts";
export * from "./fixed_point.ts";
export * from "./jit.ts";
export * from "./jit_compile.ts";
export * from "./jit_emit.ts";
export * from "./jit_emit_mem.ts";
export * from "./jit_emit_rotate.ts";
export * from "./jit_mem.ts";
export * from "./load_store.ts";
export * from "./load_store_special.ts";
export * from "./muldiv.ts";
export * from "./opcodes.ts";
export * from "./pt_regs.ts";
export * from "./regs.ts";
export * from "./reservation.ts";
export * from "./rotate.ts";
export * from "./stacktrace.ts";
export * from "./system.ts";
export * from "./traps.ts";
export * from "./arch.ts";
export * from "./kprobes.ts";
export * from "./kprobes_opt.ts";
