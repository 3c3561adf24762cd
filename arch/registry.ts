// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Chooses the architecture by name, synchronously: this file imports every
 * arch. `Kernel.boot()` uses `loadArch()` (load_arch.ts) instead, which
 * imports only the one it boots.
 *
 * @module
 */

import type { Arch } from "./types.ts";
import { unknownArchMessage } from "./load_arch.ts";
import { PPC64 } from "./ppc64/arch.ts";
import { SPARC64 } from "./sparc64/arch.ts";
import { X86_64 } from "./x86/arch.ts";
import { I386 } from "./x86/arch_i386.ts";

// The names live with the lazy loader (load_arch.ts), which imports no arch.
export { ARCH_NAMES, type ArchName } from "./load_arch.ts";

/**
 * The arch object for a name.
 *
 * @param name `x86_64`, `i386`, `ppc64` or `sparc64`.
 * @returns The arch.
 * @throws {RangeError} For an unknown or not yet supported name.
 *
 * @example x86_64
 * ```ts
 * import { archByName } from "./registry.ts";
 * import assert from "node:assert/strict";
 * assert.equal(archByName("x86_64").bits, 64);
 * ```
 */
export function archByName(name: string): Arch {
  switch (name) {
    case "x86_64":
      return X86_64;
    case "i386":
      return I386;
    case "ppc64":
      return PPC64;
    case "sparc64":
      return SPARC64;
    default:
      throw new RangeError(unknownArchMessage(name));
  }
}
