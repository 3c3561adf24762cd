// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * sparc64 (SPARC V9, big-endian): the decoder (`decodeSparc64`) and its
 * opcode tables. The interpreter, the arch object and the Kprobes half
 * are still to come, so sparc64 is not in the arch registry yet.
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

export * from "./decode.ts";
export * from "./opcodes.ts";
