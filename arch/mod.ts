// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Instruction sets: the arch contract (`Arch`, `KprobesArch`), the registry
 * that picks one at boot, the x86, ppc64 and sparc64 implementations
 * (sparc64's in full under the namespace `sparc64`, whose names would
 * collide with the others' flag constants).
 *
 * @example Pick an architecture
 * ```ts
 * import { archByName } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(archByName("x86_64").kprobes.breakpoint[0], 0xcc);
 * ```
 *
 * @module
 */

export * from "./types.ts";
export * from "./fault.ts";
export * from "./registry.ts";
export { archUserSize, loadArch } from "./load_arch.ts";
export * from "./x86/mod.ts";
export * from "./ppc64/mod.ts";
/** sparc64: the interpreter, decoder, arch object and Kprobes half. */
export * as sparc64 from "./sparc64/mod.ts";
// The decode cache's types, named by the CPUs' public `cache` and `page` fields.
export type { DecodeCache, DecodePage } from "./_common/decode_cache.ts";
