// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Capstone, loaded on demand, as `disasm`'s instruction printer: x86 in
 * AT&T syntax (as objdump prints it) from capstone-wasm, ppc64 big-endian
 * and sparc64 (V9, big-endian) from @alexaltea/capstone-js (capstone-wasm
 * is built without PPC and SPARC); the sparc64 words Capstone's tables lack
 * (privileged and alternate-space forms) are printed by `_sparc64_print.ts`
 * in objdump's words. The
 * interpreters never use it: they have their own decoders, which the tests
 * check against the same Capstone builds.
 *
 * @module
 */

import { printSparc64Gap } from "./_sparc64_print.ts";

/** One printed instruction. */
export interface PrintedInsn {
  /** Length in bytes. */
  size: number;
  /** Capstone's mnemonic. */
  mnemonic: string;
  /** Capstone's operand text. */
  operands: string;
}

/** Prints the instruction at the start of `bytes`, located at `address`; null when Capstone rejects it. */
export type InsnPrinter = (bytes: Uint8Array, address: bigint) => PrintedInsn | null;

interface CsWasmInsn {
  size: number;
  mnemonic: string;
  opStr: string;
}
interface CsWasmModule {
  loadCapstone(): Promise<void>;
  Const: Record<string, number>;
  Capstone: new (arch: number, mode: number) => {
    setOption(opt: number, value: number): number;
    disasm(data: Uint8Array, options: { address: bigint; count: number }): CsWasmInsn[];
  };
}
interface CsJsInsn {
  size: number;
  mnemonic: string;
  op_str: string;
}
interface CsJsModule {
  ARCH_PPC: number;
  ARCH_SPARC: number;
  MODE_64: number;
  MODE_V9: number;
  MODE_BIG_ENDIAN: number;
  Capstone: new (arch: number, mode: number) => {
    disasm(bytes: number[], address: bigint): CsJsInsn[];
  };
}

/**
 * Loads Capstone for an architecture.
 *
 * @param arch `x86_64`, `i386`, `ppc64` or `sparc64`.
 * @returns The printer.
 */
export async function loadPrinter(arch: string): Promise<InsnPrinter> {
  if (arch === "ppc64" || arch === "sparc64") {
    const mod = await import("capstone-js") as { default: () => Promise<CsJsModule> };
    const cs = await mod.default();
    const sparc = arch === "sparc64";
    const d = sparc
      ? new cs.Capstone(cs.ARCH_SPARC, cs.MODE_V9 | cs.MODE_BIG_ENDIAN)
      : new cs.Capstone(cs.ARCH_PPC, cs.MODE_64 | cs.MODE_BIG_ENDIAN);
    return (bytes, address) => {
      if (bytes.length < 4) return null;
      try {
        const r = d.disasm([bytes[0], bytes[1], bytes[2], bytes[3]], address);
        if (r.length > 0) return { size: 4, mnemonic: r[0].mnemonic, operands: r[0].op_str };
      } catch {
        // capstone-js throws "cs_disasm failed … OK" for a word it rejects.
      }
      if (!sparc) return null;
      const gap = printSparc64Gap(
        ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0,
      );
      return gap === null ? null : { size: 4, ...gap };
    };
  }
  const mod = await import("capstone-wasm") as unknown as CsWasmModule;
  await mod.loadCapstone();
  const C = mod.Const;
  const d = new mod.Capstone(C.CS_ARCH_X86, arch === "i386" ? C.CS_MODE_32 : C.CS_MODE_64);
  d.setOption(C.CS_OPT_SYNTAX, C.CS_OPT_SYNTAX_ATT);
  return (bytes, address) => {
    try {
      const r = d.disasm(bytes.subarray(0, 15), { address, count: 1 });
      return r.length > 0
        ? { size: r[0].size, mnemonic: r[0].mnemonic, operands: r[0].opStr }
        : null;
    } catch {
      return null;
    }
  };
}
