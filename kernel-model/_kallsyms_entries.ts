// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The kernel part of a kallsyms table as `scripts/kallsyms` builds it from
 * `nm -n vmlinux`: which symbols go in, which have an address, and their
 * order; built once per shared image. Private to kernel-model/: kallsyms.ts
 * builds its tables on it.
 *
 * @module
 */

import type { ElfFile } from "./elf.ts";
import { EM_SPARCV9, SHF_ALLOC, SHF_TLS, STT_SPARC_REGISTER } from "./elf_constants.ts";
import type { KallsymsSymbol } from "./kallsyms.ts";
import { nmSymbols } from "./nm.ts";

/** Internal entry: a symbol plus whether it names a memory address. */
export interface Entry extends KallsymsSymbol {
  /** False for absolute, non-allocated and TLS symbols, which lookups by address skip. */
  addressable: boolean;
}

/** Linux: may_be_linker_script_provide_symbol() (scripts/kallsyms.c). */
function mayBeLinkerScriptProvideSymbol(name: string): boolean {
  if (name.length < 8 || !name.startsWith("__")) return false;
  return name.startsWith("__start_") || name.startsWith("__stop_") || name.startsWith("__end_") ||
    name.endsWith("_start") || name.endsWith("_end");
}

function leadingUnderscores(name: string): number {
  let n = 0;
  while (name[n] === "_") n++;
  return n;
}

/**
 * Order of the table, after Linux's compare_symbols() (scripts/kallsyms.c):
 * by address; at one address, non-weak before weak, ordinary before
 * linker-provided names, fewer leading underscores first; then by name, as
 * `nm -n` breaks ties.
 */
export function compareEntries(a: Entry, b: Entry): number {
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  const weakA = a.type === "w" || a.type === "W" ? 1 : 0;
  const weakB = b.type === "w" || b.type === "W" ? 1 : 0;
  if (weakA !== weakB) return weakA - weakB;
  const provideA = mayBeLinkerScriptProvideSymbol(a.name) ? 1 : 0;
  const provideB = mayBeLinkerScriptProvideSymbol(b.name) ? 1 : 0;
  if (provideA !== provideB) return provideA - provideB;
  const underscores = leadingUnderscores(a.name) - leadingUnderscores(b.name);
  if (underscores !== 0) return underscores;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The sorted kernel entries of an image, as `scripts/kallsyms` builds them
 * from `nm -n vmlinux`: undefined and nameless symbols are left out, among
 * them sparc64's `STT_REGISTER` declarations.
 */
function buildCoreEntries(elf: ElfFile): Entry[] {
  const entries: Entry[] = [];
  for (const { symbol, type } of nmSymbols(elf)) {
    if (symbol.name === "" || type === "U" || type === "w" || type === "v") continue;
    if (elf.machine === EM_SPARCV9 && symbol.type === STT_SPARC_REGISTER) continue;
    const section = symbol.sectionName === undefined ? undefined : elf.sections[symbol.shndx];
    const addressable = section !== undefined && (section.flags & SHF_ALLOC) !== 0n &&
      (section.flags & SHF_TLS) === 0n;
    entries.push({
      name: symbol.name,
      address: symbol.value,
      size: BigInt(symbol.size),
      type,
      addressable,
    });
  }
  return entries.sort(compareEntries);
}

/**
 * Sorted kernel entries per image. Only frozen images (the parses
 * `Kernel.boot()` shares between kernels, see _image.ts) are kept: they
 * cannot change, and the entries are frozen too; a table takes the array
 * and replaces it, never changes it, when symbols are added.
 */
const coreEntries = new WeakMap<ElfFile, readonly Entry[]>();

/**
 * The sorted kernel entries of `elf`, shared (frozen) for a frozen image.
 *
 * @param elf The kernel image.
 * @returns The entries, sorted by {@linkcode compareEntries}.
 */
export function coreEntriesOf(elf: ElfFile): Entry[] {
  if (!Object.isFrozen(elf)) return buildCoreEntries(elf);
  let entries = coreEntries.get(elf);
  if (entries === undefined) {
    const built = buildCoreEntries(elf);
    for (const e of built) Object.freeze(e);
    entries = Object.freeze(built);
    coreEntries.set(elf, entries);
  }
  return entries as Entry[];
}
