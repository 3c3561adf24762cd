// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The architecture names and {@linkcode loadArch}, which imports only the
 * chosen architecture's modules: `Kernel.boot()` uses it, so a process that
 * boots x86_64 never loads (parses, compiles, evaluates) ppc64's 25 modules,
 * a tenth of the CLI's start-up. `archByName()` (registry.ts) is the
 * synchronous form for code that already imports every arch.
 *
 * @module
 */

import type { Arch } from "./types.ts";

/** Names accepted by `--arch`. */
export type ArchName = "x86_64" | "i386" | "ppc64" | "sparc64";

/** Architectures this build can boot. */
export const ARCH_NAMES: readonly ArchName[] = ["x86_64", "i386", "ppc64", "sparc64"];

/**
 * Bytes of each arch's user area (`Arch.userSize`), known without loading
 * the arch: the boot options bound `maxTasks` by it (a 4 KiB scratch page
 * per task). A test checks it against the arch objects.
 */
const USER_SIZES: Readonly<Record<ArchName, number>> = {
  x86_64: 0x400000,
  i386: 0x400000,
  ppc64: 0x400000,
  sparc64: 0x300000,
};

/**
 * The size of an arch's user area, without importing the arch.
 *
 * @param name The arch.
 * @returns `Arch.userSize` of that arch.
 *
 * @example sparc64's 3 MiB
 * ```ts
 * import { archUserSize } from "./load_arch.ts";
 * import assert from "node:assert/strict";
 * assert.equal(archUserSize("sparc64"), 0x300000);
 * ```
 */
export function archUserSize(name: ArchName): number {
  return USER_SIZES[name];
}

/**
 * The message for an architecture name this build cannot boot.
 *
 * @param name The name asked for.
 * @returns The sentence for the RangeError.
 */
export function unknownArchMessage(name: string): string {
  return `Cannot boot architecture "${name}": this build supports ${ARCH_NAMES.join(", ")}`;
}

/**
 * Imports the arch object for a name, and only its modules.
 *
 * @param name `x86_64`, `i386`, `ppc64` or `sparc64`.
 * @returns The arch, the same object `archByName(name)` returns.
 * @throws {RangeError} For an unknown or not yet supported name.
 *
 * @example x86_64
 * ```ts
 * import { loadArch } from "./load_arch.ts";
 * import assert from "node:assert/strict";
 * assert.equal((await loadArch("x86_64")).bits, 64);
 * ```
 */
export async function loadArch(name: string): Promise<Arch> {
  switch (name) {
    case "x86_64":
      return (await importArch<typeof import("./x86/arch.ts")>("./x86/arch.ts")).X86_64;
    case "i386":
      return (await importArch<typeof import("./x86/arch_i386.ts")>("./x86/arch_i386.ts")).I386;
    case "ppc64":
      return (await importArch<typeof import("./ppc64/arch.ts")>("./ppc64/arch.ts")).PPC64;
    case "sparc64":
      return (await importArch<typeof import("./sparc64/arch.ts")>("./sparc64/arch.ts")).SPARC64;
    default:
      throw new RangeError(unknownArchMessage(name));
  }
}

/**
 * Imports an arch module. The URL is computed on purpose: Deno reads every
 * module a literal `import()` names, and all they import, when it loads the
 * importing graph, so literal imports here would make every program that
 * loads the library read every arch's files.
 */
function importArch<T>(path: string): Promise<T> {
  return import(new URL(path, import.meta.url).href);
}
