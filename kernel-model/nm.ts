// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The symbol type letters of `nm`, computed from a parsed ELF file by
 * binutils' own rules (`bfd_decode_symclass()` over the section flags
 * `_bfd_elf_make_section_from_shdr()` derives), so kallsyms gets Linux's
 * `/proc/kallsyms` letters without running a toolchain.
 *
 * @module
 */

import type { ElfFile, ElfSection, ElfSymbol } from "./elf.ts";
import {
  EM_PPC64,
  EM_X86_64,
  ET_REL,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHN_COMMON,
  SHN_UNDEF,
  SHT_NOBITS,
  SHT_NULL,
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
  STB_GLOBAL,
  STB_GNU_UNIQUE,
  STB_LOCAL,
  STB_WEAK,
  STT_COMMON,
  STT_FILE,
  STT_GNU_IFUNC,
  STT_OBJECT,
  STT_SECTION,
} from "./elf_constants.ts";

/** A symbol as `nm` lists it: the ELF symbol and its type letter. */
export interface NmSymbol {
  /** The ELF symbol. */
  symbol: ElfSymbol;
  /** The letter `nm` prints: `T`/`t` text, `D`/`d` data, `B`/`b` bss, `R`/`r` read-only, `A`/`a` absolute, `W`/`w`/`V`/`v` weak, `U` undefined, `C` common, `N` debugging, `n` other non-allocated, `i` ifunc, `u` unique. */
  type: string;
}

/** `x86_64`'s `SHN_X86_64_LCOMMON`: large common block, `C` like `SHN_COMMON`. */
const SHN_X86_64_LCOMMON = 0xff02;

/** binutils' `coff_section_type()` names, tried before the section flags. */
const COFF_SECTION_TYPES: ReadonlyArray<readonly [string, string]> = [
  [".drectve", "i"],
  [".edata", "e"],
  [".idata", "i"],
  [".pdata", "p"],
];

/**
 * Does BFD make no `asection` for this section header? Then symbols defined
 * in it print as absolute. Follows `bfd_section_from_shdr()`: the null
 * section, symbol tables, the section-name and symbol string tables, and
 * relocation sections that apply to another section.
 */
function hasNoBfdSection(elf: ElfFile, section: ElfSection): boolean {
  switch (section.type) {
    case SHT_NULL:
    case SHT_SYMTAB:
    case SHT_SYMTAB_SHNDX:
      return true;
    case SHT_STRTAB:
      return section.index === elf.shstrndx ||
        elf.sections.some((s) => s.type === SHT_SYMTAB && s.link === section.index);
    case SHT_REL:
    case SHT_RELA: {
      const target = elf.sections[section.info];
      const alloc = (section.flags & SHF_ALLOC) !== 0n;
      return !(alloc && elf.type !== ET_REL) && section.info !== 0 && target !== undefined &&
        target.type !== SHT_REL && target.type !== SHT_RELA &&
        elf.sections[section.link]?.type === SHT_SYMTAB;
    }
    default:
      return false;
  }
}

/**
 * The lower-case letter for a symbol defined in `section`, as binutils'
 * `coff_section_type()` then `decode_section_type()` compute it from the
 * BFD flags that `_bfd_elf_make_section_from_shdr()` derives.
 */
function sectionLetter(elf: ElfFile, section: ElfSection): string {
  const name = section.name;
  for (const [prefix, letter] of COFF_SECTION_TYPES) {
    // memchr(".$0123456789", s[len], 13) also matches the terminating NUL.
    const after = name.charAt(prefix.length);
    if (name.startsWith(prefix) && (after === "" || ".$0123456789".includes(after))) return letter;
  }
  const alloc = (section.flags & SHF_ALLOC) !== 0n;
  const hasContents = section.type !== SHT_NOBITS;
  const code = (section.flags & SHF_EXECINSTR) !== 0n;
  const readOnly = (section.flags & SHF_WRITE) === 0n;
  const data = !code && alloc && hasContents;
  const small = elf.machine === EM_PPC64 && (name.startsWith(".sdata") || name.startsWith(".sbss"));
  if (code) return "t";
  if (data) return readOnly ? "r" : small ? "g" : "d";
  if (!hasContents) return small ? "s" : "b";
  const debugging = !alloc && (
    name.startsWith(".debug") || name.startsWith(".gnu.debuglto_.debug_") ||
    name.startsWith(".gnu.linkonce.wi.") || name.startsWith(".zdebug") ||
    name.startsWith(".line") || name.startsWith(".stab") || name === ".gdb_index"
  );
  if (debugging) return "N";
  if (readOnly) return "n";
  return "?";
}

/**
 * Returns the type letter `nm` prints for an ELF symbol. Port of binutils'
 * `bfd_decode_symclass()` over the symbol flags `elf_slurp_symbol_table()`
 * sets. Upper case is global, lower case local.
 */
function nmType(elf: ElfFile, sym: ElfSymbol): string {
  const objectLike = sym.type === STT_OBJECT || sym.type === STT_COMMON;
  const reserved = sym.sectionName === undefined;
  if (
    reserved &&
    (sym.shndx === SHN_COMMON || (elf.machine === EM_X86_64 && sym.shndx === SHN_X86_64_LCOMMON))
  ) {
    return "C";
  }
  if (reserved && sym.shndx === SHN_UNDEF) {
    if (sym.bind === STB_WEAK) return objectLike ? "v" : "w";
    return "U";
  }
  if (sym.type === STT_GNU_IFUNC) return "i";
  if (sym.bind === STB_WEAK) return objectLike ? "V" : "W";
  if (sym.bind === STB_GNU_UNIQUE) return "u";
  if (sym.bind !== STB_GLOBAL && sym.bind !== STB_LOCAL) return "?";
  // SHN_ABS and other reserved indices have no section: absolute.
  const section = reserved ? undefined : elf.sections[sym.shndx];
  const letter = section === undefined || hasNoBfdSection(elf, section)
    ? "a"
    : sectionLetter(elf, section);
  return sym.bind === STB_GLOBAL ? letter.toUpperCase() : letter;
}

/**
 * Lists the symbols `nm` prints for an ELF file, in symbol-table order, with
 * their type letters. Like `nm` (without `-a`), it leaves out section and
 * file symbols; it keeps undefined symbols and symbols with empty names.
 *
 * @param elf A parsed ELF file.
 * @returns One entry per symbol `nm` would list.
 *
 * @example Letters of a parsed image
 * ```ts ignore
 * import { parseElf } from "./elf.ts";
 * import { nmSymbols } from "./nm.ts";
 * import assert from "node:assert/strict";
 *
 * const elf = parseElf(await Deno.readFile("vmlinux"), "vmlinux");
 * const doFork = nmSymbols(elf).find((s) => s.symbol.name === "do_fork");
 * assert.equal(doFork?.type, "T");
 * ```
 */
export function nmSymbols(elf: ElfFile): NmSymbol[] {
  const out: NmSymbol[] = [];
  for (const symbol of elf.symbols) {
    if (symbol.type === STT_SECTION || symbol.type === STT_FILE) continue;
    out.push({ symbol, type: nmType(elf, symbol) });
  }
  return out;
}
