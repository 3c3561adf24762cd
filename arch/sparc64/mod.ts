// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * sparc64 (SPARC V9, big-endian): the interpreter (`Sparc64Cpu`,
 * `decodeSparc64`), its opcode and dispatch tables and the instruction
 * semantics by family (`alu.ts`, `muldiv.ts`, `branch.ts`,
 * `load_store.ts`, `privileged.ts`, `windows.ts`), register windows with
 * real spill/fill traps and V9 trap entry (`traps.ts`); on the CPU API,
 * the arch object (`SPARC64`), the `pt_regs` view, the register-window
 * unwinder and the Kprobes half.
 *
 * @example Decode an instruction
 * ```ts
 * import { decodeSparc64 } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const d = decodeSparc64(0x81c7e008); // ret = jmpl %i7 + 8, %g0
 * assert.equal(d.mnemonic, "jmpl");
 * assert.deepEqual([d.rd, d.rs1, d.imm], [0, 31, 8]);
 * ```
 *
 * @module
 */

export * from "./alu.ts";
export * from "./branch.ts";
export * from "./cpu.ts";
export * from "./decode.ts";
export * from "./dispatch.ts";
export * from "./execute.ts";
export * from "./load_store.ts";
export * from "./muldiv.ts";
export * from "./opcodes.ts";
export * from "./privileged.ts";
export * from "./regs.ts";
export * from "./traps.ts";
export * from "./windows.ts";
export * from "./pt_regs.ts";
export * from "./stacktrace.ts";
export * from "./arch.ts";
export * from "./kprobes.ts";
export * from "./jit.ts";
export * from "./jit_compile.ts";
export * from "./jit_emit.ts";
