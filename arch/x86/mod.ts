// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * x86 (x86_64 now, i386 next): the `X86_64` arch object, the interpreter
 * (`X86Cpu`, `decodeX86`) and its block translator (`compileBlock`, see
 * `jit.ts`), `pt_regs` views, the unwinder and the x86 half of Kprobes.
 *
 * @example Decode an instruction
 * ```ts
 * import { decodeX86 } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const d = decodeX86(new Uint8Array([0x48, 0x89, 0xe5]), 0, 64);
 * assert.equal(d.length, 3);
 * assert.equal(d.mnemonic, "mov");
 * ```
 *
 * @module
 */

export * from "./arch.ts";
export * from "./cpu.ts";
export * from "./decode.ts";
export * from "./decoded_insn.ts";
export * from "./kprobes.ts";
export * from "./kprobes_jprobe.ts";
export * from "./kprobes_opt.ts";
export * from "./kprobes_emulate.ts";
export * from "./pt_regs.ts";
export * from "./regs.ts";
export * from "./stacktrace.ts";
export * from "./alu.ts";
export * from "./alu_unary.ts";
export * from "./control.ts";
export * from "./execute.ts";
export * from "./flags.ts";
export * from "./modrm.ts";
export * from "./move.ts";
export * from "./muldiv.ts";
export * from "./opcodes.ts";
export * from "./stack.ts";
export * from "./string.ts";
export * from "./system.ts";
export * from "./traps.ts";
export * from "./bitops.ts";
export * from "./shift.ts";
export * from "./fastpath.ts";
export * from "./arch_i386.ts";
export * from "./jit.ts";
export * from "./jit_emit_flags.ts";
export * from "./jit_emit_mem.ts";
export * from "./jit_emit_ops.ts";
