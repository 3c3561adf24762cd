// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * ELF constants from `<elf.h>`: classes, encodings, types, machines, segment
 * and section types and flags, special section indices, symbol types and
 * bindings. Section flags are `bigint`, as `ElfSection.flags` is.
 *
 * @example Test a section for code
 * ```ts
 * import { SHF_ALLOC, SHF_EXECINSTR } from "./elf_constants.ts";
 * import assert from "node:assert/strict";
 *
 * const textFlags = SHF_ALLOC | SHF_EXECINSTR;
 * assert.ok((textFlags & SHF_EXECINSTR) !== 0n);
 * ```
 *
 * @module
 */

/** `e_ident[EI_CLASS]`: 32-bit objects. */
export const ELFCLASS32 = 1;
/** `e_ident[EI_CLASS]`: 64-bit objects. */
export const ELFCLASS64 = 2;
/** `e_ident[EI_DATA]`: two's complement, little endian. */
export const ELFDATA2LSB = 1;
/** `e_ident[EI_DATA]`: two's complement, big endian. */
export const ELFDATA2MSB = 2;
/** `e_ident[EI_VERSION]` and `e_version`: the only ELF version. */
export const EV_CURRENT = 1;

/** `e_type`: relocatable file. */
export const ET_REL = 1;
/** `e_type`: executable file. */
export const ET_EXEC = 2;
/** `e_type`: shared object file. */
export const ET_DYN = 3;
/** `e_type`: core file. */
export const ET_CORE = 4;

/** `e_machine`: Intel 80386 (i386). */
export const EM_386 = 3;
/** `e_machine`: 32-bit PowerPC. */
export const EM_PPC = 20;
/** `e_machine`: 64-bit PowerPC (ppc64). */
export const EM_PPC64 = 21;
/** `e_machine`: AMD x86-64 (x86_64). */
export const EM_X86_64 = 62;
/** `e_machine`: SPARC V9, 64-bit (sparc64). */
export const EM_SPARCV9 = 43;

/** `p_type`: unused entry. */
export const PT_NULL = 0;
/** `p_type`: loadable segment. */
export const PT_LOAD = 1;
/** `p_type`: dynamic linking information. */
export const PT_DYNAMIC = 2;
/** `p_type`: program interpreter path. */
export const PT_INTERP = 3;
/** `p_type`: auxiliary information (notes). */
export const PT_NOTE = 4;
/** `p_type`: the program header table itself. */
export const PT_PHDR = 6;
/** `p_type`: thread-local storage template. */
export const PT_TLS = 7;
/** `p_type`: GNU stack permissions. */
export const PT_GNU_STACK = 0x6474e551;
/** `p_flags`: executable segment. */
export const PF_X = 1;
/** `p_flags`: writable segment. */
export const PF_W = 2;
/** `p_flags`: readable segment. */
export const PF_R = 4;

/** `sh_type`: inactive section header. */
export const SHT_NULL = 0;
/** `sh_type`: program-defined contents. */
export const SHT_PROGBITS = 1;
/** `sh_type`: symbol table. */
export const SHT_SYMTAB = 2;
/** `sh_type`: string table. */
export const SHT_STRTAB = 3;
/** `sh_type`: relocations with addends. */
export const SHT_RELA = 4;
/** `sh_type`: symbol hash table. */
export const SHT_HASH = 5;
/** `sh_type`: dynamic linking information. */
export const SHT_DYNAMIC = 6;
/** `sh_type`: notes. */
export const SHT_NOTE = 7;
/** `sh_type`: occupies no file space (`.bss`). */
export const SHT_NOBITS = 8;
/** `sh_type`: relocations without addends. */
export const SHT_REL = 9;
/** `sh_type`: dynamic linker symbol table. */
export const SHT_DYNSYM = 11;
/** `sh_type`: array of constructors. */
export const SHT_INIT_ARRAY = 14;
/** `sh_type`: array of destructors. */
export const SHT_FINI_ARRAY = 15;
/** `sh_type`: section group. */
export const SHT_GROUP = 17;
/** `sh_type`: extended section indices of a symbol table. */
export const SHT_SYMTAB_SHNDX = 18;

/** `sh_flags`: writable at run time. */
export const SHF_WRITE = 0x1n;
/** `sh_flags`: occupies memory at run time. */
export const SHF_ALLOC = 0x2n;
/** `sh_flags`: machine instructions. */
export const SHF_EXECINSTR = 0x4n;
/** `sh_flags`: may be merged. */
export const SHF_MERGE = 0x10n;
/** `sh_flags`: NUL-terminated strings. */
export const SHF_STRINGS = 0x20n;
/** `sh_flags`: `sh_info` holds a section index. */
export const SHF_INFO_LINK = 0x40n;
/** `sh_flags`: member of a section group. */
export const SHF_GROUP = 0x200n;
/** `sh_flags`: thread-local storage. */
export const SHF_TLS = 0x400n;

/** `st_shndx`: undefined symbol. */
export const SHN_UNDEF = 0;
/** `st_shndx`: first reserved index. */
export const SHN_LORESERVE = 0xff00;
/** `st_shndx`: absolute value, not relocated. */
export const SHN_ABS = 0xfff1;
/** `st_shndx`: common block (unallocated C global). */
export const SHN_COMMON = 0xfff2;
/** `st_shndx`, `e_shstrndx`: the real index is stored elsewhere. */
export const SHN_XINDEX = 0xffff;

/** `ELF_ST_TYPE`: unspecified type. */
export const STT_NOTYPE = 0;
/** `ELF_ST_TYPE`: data object. */
export const STT_OBJECT = 1;
/** `ELF_ST_TYPE`: function (on ppc64 ELFv1, the descriptor in `.opd`). */
export const STT_FUNC = 2;
/** `ELF_ST_TYPE`: a section. */
export const STT_SECTION = 3;
/** `ELF_ST_TYPE`: source file name. */
export const STT_FILE = 4;
/** `ELF_ST_TYPE`: common data object. */
export const STT_COMMON = 5;
/** `ELF_ST_TYPE`: thread-local data object. */
export const STT_TLS = 6;
/** `ELF_ST_TYPE`: GNU indirect function. */
export const STT_GNU_IFUNC = 10;
/**
 * `ELF_ST_TYPE` on SPARC: an application register declaration (gcc's
 * `.register %g2, #scratch`), nameless and undefined, with the register
 * number as its value. `nm` lists it as `U`; kallsyms skips it.
 */
export const STT_SPARC_REGISTER = 13;
/** `ELF_ST_BIND`: local symbol. */
export const STB_LOCAL = 0;
/** `ELF_ST_BIND`: global symbol. */
export const STB_GLOBAL = 1;
/** `ELF_ST_BIND`: weak symbol. */
export const STB_WEAK = 2;
/** `ELF_ST_BIND`: GNU unique symbol. */
export const STB_GNU_UNIQUE = 10;
