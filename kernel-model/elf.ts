// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * ELF reader for the kernel images and test fixtures: ELF32 and ELF64, little
 * and big endian (x86_64, i386, ppc64 ELFv1, sparc64). It reads the file header,
 * section headers, program headers and the `.symtab` symbol table, and checks
 * every offset, size, count and string index against the file first: any
 * malformed input throws an {@linkcode ElfError} naming the file offset and
 * the `<elf.h>` field at fault, never a `RangeError` or `TypeError`.
 *
 * Field names and constants are those of `<elf.h>`. Addresses, section flags
 * and symbol values are `bigint`; file offsets, sizes and counts are `number`
 * (checked to be safe integers).
 *
 * @module
 */

import { ElfError } from "./errors.ts";
import {
  ELFCLASS32,
  ELFCLASS64,
  ELFDATA2LSB,
  ELFDATA2MSB,
  EM_386,
  EM_PPC,
  EM_PPC64,
  EM_SPARCV9,
  EM_X86_64,
  EV_CURRENT,
  PT_LOAD,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_NOBITS,
  SHT_NULL,
  SHT_STRTAB,
} from "./elf_constants.ts";

import { EHDR, hex, PHDR, Reader, SHDR } from "./_elf_reader.ts";
import { NAME_BUDGET, readSymbols, StringTables } from "./_elf_symbols.ts";

export * from "./elf_constants.ts";

/** A section header, decoded. */
export interface ElfSection {
  /** Index in the section header table. */
  index: number;
  /** Name from the section header string table (`""` without one). */
  name: string;
  /** `sh_type` (`SHT_*`). */
  type: number;
  /** `sh_flags` (`SHF_*`). */
  flags: bigint;
  /** `sh_addr`: run-time address, 0 when not allocated. */
  addr: bigint;
  /** `sh_offset`: file offset of the contents. */
  offset: number;
  /** `sh_size`: size in bytes (in memory, for `SHT_NOBITS`). */
  size: number;
  /** `sh_link`: a section index, meaning depends on the type. */
  link: number;
  /** `sh_info`: extra information, meaning depends on the type. */
  info: number;
  /** `sh_entsize`: size of one entry for tables, else 0. */
  entsize: number;
  /** `sh_addralign`: required alignment. */
  addralign: number;
}

/** A program header, decoded. */
export interface ElfSegment {
  /** `p_type` (`PT_*`). */
  type: number;
  /** `p_flags` (`PF_R | PF_W | PF_X`). */
  flags: number;
  /** `p_offset`: file offset of the first byte. */
  offset: number;
  /** `p_vaddr`: virtual address of the first byte. */
  vaddr: bigint;
  /** `p_paddr`: physical (load) address of the first byte. */
  paddr: bigint;
  /** `p_filesz`: bytes present in the file. */
  filesz: number;
  /** `p_memsz`: bytes in memory; the rest past `filesz` is zero. */
  memsz: number;
  /** `p_align`: alignment. */
  align: number;
}

/** A `.symtab` entry, decoded. */
export interface ElfSymbol {
  /** Index in the symbol table (entry 0, the null symbol, is never listed). */
  index: number;
  /** Name from the linked string table; may be `""`. */
  name: string;
  /** `st_value`: an address in executables, a section offset in objects. */
  value: bigint;
  /** `st_size`: size of the object or function, 0 when unknown. */
  size: number;
  /** `ELF_ST_TYPE(st_info)` (`STT_*`). */
  type: number;
  /** `ELF_ST_BIND(st_info)` (`STB_*`). */
  bind: number;
  /** `ELF_ST_VISIBILITY(st_other)` (0 default, 1 internal, 2 hidden, 3 protected). */
  visibility: number;
  /** `st_shndx`, with `SHN_XINDEX` already resolved through `SHT_SYMTAB_SHNDX`. */
  shndx: number;
  /** Name of the section the symbol is defined in; absent for `SHN_*` indices. */
  sectionName?: string;
}

/** A parsed ELF file. */
export interface ElfFile {
  /** The name given to {@linkcode parseElf}, used in messages. */
  name: string;
  /** 32 or 64, from `e_ident[EI_CLASS]`. */
  class: 32 | 64;
  /** `true` for `ELFDATA2LSB`, `false` for `ELFDATA2MSB`. */
  littleEndian: boolean;
  /** `e_machine` (`EM_*`). */
  machine: number;
  /**
   * Short name of the machine: `"x86_64"`, `"i386"`, `"ppc64"`, `"ppc"`, a
   * few others (`"aarch64"`, `"arm"`, `"riscv"`…), or `"unknown (e_machine N)"`.
   */
  machineName: string;
  /** `e_type` (`ET_*`). */
  type: number;
  /** `e_shstrndx` (extended numbering resolved): the section-name string table, 0 when none. */
  shstrndx: number;
  /** `e_flags` (on ppc64, the ELF ABI version in the low 2 bits: 1 is ELFv1). */
  flags: number;
  /** `e_entry`: entry point (on ppc64 ELFv1, the address of a descriptor). */
  entry: bigint;
  /** Section headers in table order; `sections[0]` is the null section. */
  sections: ElfSection[];
  /** Program headers in table order. */
  segments: ElfSegment[];
  /** `.symtab` entries from index 1 in table order; empty for a stripped file. */
  symbols: ElfSymbol[];
  /** The bytes that were parsed. */
  bytes: Uint8Array;
  /**
   * Finds a section by name.
   *
   * @param name A section name such as `".text"`.
   * @returns The first section of that name, or `undefined`.
   */
  sectionByName(name: string): ElfSection | undefined;
  /**
   * Returns the file bytes of a section (a view, not a copy); empty for
   * `SHT_NOBITS` and `SHT_NULL`. Throws an {@linkcode ElfError} for a name the file lacks.
   *
   * @param section A section of this file, or a section name.
   * @returns The section contents.
   */
  sectionData(section: ElfSection | string): Uint8Array;
}

// Names for messages; the simulator boots x86_64, i386, ppc64 and sparc64
// (EM_SPARCV9). The others (EM_PPC, EM_MIPS 8, EM_S390 22, EM_ARM 40,
// EM_AARCH64 183, EM_RISCV 243) are the images a user is likely to pass by
// mistake.
const MACHINE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  [EM_386]: "i386",
  [EM_PPC]: "ppc",
  [EM_PPC64]: "ppc64",
  [EM_X86_64]: "x86_64",
  [EM_SPARCV9]: "sparc64",
  8: "mips",
  22: "s390",
  40: "arm",
  183: "aarch64",
  243: "riscv",
});

/** `e_phnum` value meaning the real count is in section 0's `sh_info`. */
const PN_XNUM = 0xffff;

/**
 * Parses an ELF file. Everything is validated against the file size before
 * it is read: the identification bytes, the class, data encoding and
 * version, the header sizes, the section and program header tables, the
 * string table indices and every name offset, and the symbol table's entry
 * size and links. Extended numbering (`e_shnum == 0`, `e_shstrndx ==
 * SHN_XINDEX`, `e_phnum == PN_XNUM`, `SHT_SYMTAB_SHNDX`) is supported.
 *
 * @param bytes The whole file.
 * @param name The file name to quote in error messages.
 * @returns The decoded file.
 * @throws {ElfError} When the file is malformed; `offset` and `field` say where.
 *
 * @example Parse a kernel image and find its text
 * ```ts ignore
 * import { parseElf, EM_X86_64 } from "./elf.ts";
 * import assert from "node:assert/strict";
 *
 * const path = "kernel-model/vmlinux/images/vmlinux-x86_64";
 * const elf = parseElf(await Deno.readFile(path), "vmlinux-x86_64");
 * assert.equal(elf.machine, EM_X86_64);
 * assert.ok(elf.sectionByName(".text"));
 * ```
 *
 * @example Malformed input throws an ElfError naming offset and field
 * ```ts
 * import { parseElf } from "./elf.ts";
 * import { ElfError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 3, 1, 1]);
 * assert.throws(() => parseElf(bytes, "bad"), (err: unknown) =>
 *   err instanceof ElfError && err.offset === 4 && err.field === "e_ident[EI_CLASS]");
 * ```
 */
export function parseElf(bytes: Uint8Array, name = "<bytes>"): ElfFile {
  const magic = [0x7f, 0x45, 0x4c, 0x46];
  const identFields = ["EI_MAG0", "EI_MAG1", "EI_MAG2", "EI_MAG3", "EI_CLASS", "EI_DATA"];
  for (let i = 0; i < 6; i++) {
    const field = `e_ident[${identFields[i]}]`;
    if (i >= bytes.length) {
      throw new ElfError(
        name,
        `the file is truncated: it has ${bytes.length} bytes, too few for the ELF identification`,
        { offset: i, field },
      );
    }
    if (i < 4 && bytes[i] !== magic[i]) {
      throw new ElfError(
        name,
        `byte ${hex(bytes[i])} is not the ELF magic ${hex(magic[i])}: not an ELF file`,
        { offset: i, field },
      );
    }
  }
  const cls = bytes[4];
  if (cls !== ELFCLASS32 && cls !== ELFCLASS64) {
    throw new ElfError(name, `class ${cls} is neither ELFCLASS32 (1) nor ELFCLASS64 (2)`, {
      offset: 4,
      field: "e_ident[EI_CLASS]",
    });
  }
  const data = bytes[5];
  if (data !== ELFDATA2LSB && data !== ELFDATA2MSB) {
    throw new ElfError(
      name,
      `data encoding ${data} is neither ELFDATA2LSB (1) nor ELFDATA2MSB (2)`,
      {
        offset: 5,
        field: "e_ident[EI_DATA]",
      },
    );
  }
  const r = new Reader(bytes, data === ELFDATA2LSB, name);
  const k = cls === ELFCLASS64 ? 1 : 0;
  const eh = EHDR[k];
  const sh = SHDR[k];
  const ph = PHDR[k];

  if (bytes.length < 7) r.fail("the file is truncated inside e_ident", 6, "e_ident[EI_VERSION]");
  if (bytes[6] !== EV_CURRENT) {
    r.fail(`version ${bytes[6]} is not EV_CURRENT (1)`, 6, "e_ident[EI_VERSION]");
  }
  // Read every header field in order, so truncation names the first missing one.
  const type = r.num(0, eh, "e_type");
  const machine = r.num(0, eh, "e_machine");
  const version = r.num(0, eh, "e_version");
  // Checked before the wider fields: with the wrong byte order they read as
  // huge values, and the version is what tells.
  if (version !== EV_CURRENT) {
    const swapped = version === 0x01000000;
    r.fail(
      `e_version ${version} is not EV_CURRENT (1)${
        swapped
          ? `: it is 1 read in the other byte order, so e_ident[EI_DATA] (${
            data === ELFDATA2LSB ? "little" : "big"
          } endian) is wrong for this file`
          : ""
      }`,
      r.at(0, eh, "e_version"),
      "e_version",
    );
  }
  const entry = r.big(0, eh, "e_entry");
  const phoff = r.num(0, eh, "e_phoff");
  const shoff = r.num(0, eh, "e_shoff");
  const flags = r.num(0, eh, "e_flags");
  const ehsize = r.num(0, eh, "e_ehsize");
  const phentsize = r.num(0, eh, "e_phentsize");
  let phnum = r.num(0, eh, "e_phnum");
  const shentsize = r.num(0, eh, "e_shentsize");
  let shnum = r.num(0, eh, "e_shnum");
  let shstrndx = r.num(0, eh, "e_shstrndx");
  if (ehsize !== eh.size) {
    const other = EHDR[1 - k].size;
    r.fail(
      `e_ehsize ${ehsize} is not the ELF${cls === ELFCLASS64 ? 64 : 32} header size ${eh.size}${
        bytes.length >= EHDR[1 - k].size && r.num(0, EHDR[1 - k], "e_ehsize") === other
          ? `: the header is laid out as ELF${
            cls === ELFCLASS64 ? 32 : 64
          }, so e_ident[EI_CLASS] is wrong for this file`
          : ""
      }`,
      r.at(0, eh, "e_ehsize"),
      "e_ehsize",
    );
  }

  // Section header table; entry 0 carries the extended counts.
  const sections: ElfSection[] = [];
  const shNameOffsets: number[] = [];
  if (shoff === 0) {
    if (shnum !== 0) {
      r.fail(`e_shnum is ${shnum} but e_shoff is 0`, r.at(0, eh, "e_shnum"), "e_shnum");
    }
  } else {
    if (shentsize !== sh.size) {
      r.fail(
        `e_shentsize ${shentsize} is not the section header size ${sh.size}`,
        r.at(0, eh, "e_shentsize"),
        "e_shentsize",
      );
    }
    if (shoff + sh.size > r.size) {
      r.fail(
        `e_shoff ${hex(shoff)} points past the end of the file`,
        r.at(0, eh, "e_shoff"),
        "e_shoff",
      );
    }
    const extendedCount = shnum === 0;
    if (extendedCount) shnum = r.num(shoff, sh, "sh_size");
    if (shstrndx === SHN_XINDEX) shstrndx = r.num(shoff, sh, "sh_link");
    if (phnum === PN_XNUM) phnum = r.num(shoff, sh, "sh_info");
    if (shoff + shnum * sh.size > r.size) {
      r.fail(
        `the section header table (${shnum} entries from ${hex(shoff)}) runs past the end of the ${
          hex(r.size)
        }-byte file`,
        extendedCount ? r.at(shoff, sh, "sh_size") : r.at(0, eh, "e_shnum"),
        extendedCount ? "sh_size" : "e_shnum",
      );
    }
    for (let i = 0; i < shnum; i++) {
      const base = shoff + i * sh.size;
      const section: ElfSection = {
        index: i,
        name: "",
        type: r.num(base, sh, "sh_type"),
        flags: r.big(base, sh, "sh_flags"),
        addr: r.big(base, sh, "sh_addr"),
        offset: r.num(base, sh, "sh_offset"),
        size: r.num(base, sh, "sh_size"),
        link: r.num(base, sh, "sh_link"),
        info: r.num(base, sh, "sh_info"),
        entsize: r.num(base, sh, "sh_entsize"),
        addralign: r.num(base, sh, "sh_addralign"),
      };
      shNameOffsets.push(r.num(base, sh, "sh_name"));
      if (section.type !== SHT_NOBITS && section.type !== SHT_NULL) {
        if (section.offset > r.size) {
          r.fail(
            `sh_offset ${hex(section.offset)} of section ${i} points past the end of the file`,
            r.at(base, sh, "sh_offset"),
            "sh_offset",
          );
        }
        if (section.offset + section.size > r.size) {
          r.fail(
            `sh_size ${hex(section.size)} of section ${i} runs past the end of the file`,
            r.at(base, sh, "sh_size"),
            "sh_size",
          );
        }
      }
      sections.push(section);
    }
  }
  const strings = new StringTables(bytes);
  /** Reads the NUL-terminated string at `index` of string table `table`. */
  const stringAt = (table: ElfSection, index: number, at: number, field: string, what: string) => {
    if (index >= table.size) {
      r.fail(
        `${field} ${
          hex(index)
        } of ${what} lies past the end of string table section ${table.index} (${
          hex(table.size)
        } bytes)`,
        at,
        field,
      );
    }
    const name = strings.at(table, index);
    if (name === undefined) {
      return r.fail(`${field} ${hex(index)} of ${what} is not NUL-terminated`, at, field);
    }
    if (name === null) {
      return r.fail(
        `${field} ${hex(index)} of ${what}: the non-ASCII names decoded so far exceed ${
          NAME_BUDGET >> 20
        } MiB, the file is hostile`,
        at,
        field,
      );
    }
    return name;
  };
  if (shstrndx !== SHN_UNDEF) {
    const at = r.at(0, eh, "e_shstrndx");
    if (shstrndx >= sections.length) {
      r.fail(
        `e_shstrndx ${shstrndx} is not a section index (the file has ${sections.length})`,
        at,
        "e_shstrndx",
      );
    }
    const strtab = sections[shstrndx];
    if (strtab.type !== SHT_STRTAB) {
      r.fail(
        `e_shstrndx ${shstrndx} names a section of type ${strtab.type}, not SHT_STRTAB`,
        at,
        "e_shstrndx",
      );
    }
    for (const s of sections) {
      const base = shoff + s.index * sh.size;
      s.name = stringAt(
        strtab,
        shNameOffsets[s.index],
        r.at(base, sh, "sh_name"),
        "sh_name",
        `section ${s.index}`,
      );
    }
  }

  // Program header table.
  const segments: ElfSegment[] = [];
  if (phnum > 0) {
    if (phentsize !== ph.size) {
      r.fail(
        `e_phentsize ${phentsize} is not the program header size ${ph.size}`,
        r.at(0, eh, "e_phentsize"),
        "e_phentsize",
      );
    }
    if (phoff + phnum * ph.size > r.size) {
      r.fail(
        `e_phoff ${hex(phoff)} with ${phnum} entries runs past the end of the ${
          hex(r.size)
        }-byte file`,
        r.at(0, eh, "e_phoff"),
        "e_phoff",
      );
    }
    for (let i = 0; i < phnum; i++) {
      const base = phoff + i * ph.size;
      const segment: ElfSegment = {
        type: r.num(base, ph, "p_type"),
        flags: r.num(base, ph, "p_flags"),
        offset: r.num(base, ph, "p_offset"),
        vaddr: r.big(base, ph, "p_vaddr"),
        paddr: r.big(base, ph, "p_paddr"),
        filesz: r.num(base, ph, "p_filesz"),
        memsz: r.num(base, ph, "p_memsz"),
        align: r.num(base, ph, "p_align"),
      };
      if (segment.filesz > 0 && segment.offset + segment.filesz > r.size) {
        r.fail(
          `segment ${i} (p_offset ${hex(segment.offset)}, p_filesz ${
            hex(segment.filesz)
          }) runs past the end of the file`,
          r.at(base, ph, "p_filesz"),
          "p_filesz",
        );
      }
      if (segment.type === PT_LOAD && segment.filesz > segment.memsz) {
        r.fail(
          `p_filesz ${hex(segment.filesz)} of segment ${i} exceeds p_memsz ${hex(segment.memsz)}`,
          r.at(base, ph, "p_filesz"),
          "p_filesz",
        );
      }
      segments.push(segment);
    }
  }

  const symbols = readSymbols(r, sections, shoff, stringAt, k);
  return new ParsedElf({
    name,
    class: cls === ELFCLASS64 ? 64 : 32,
    littleEndian: data === ELFDATA2LSB,
    machine,
    machineName: MACHINE_NAMES[machine] ?? `unknown (e_machine ${machine})`,
    type,
    shstrndx,
    flags,
    entry,
    sections,
    segments,
    symbols,
    bytes,
  }, shoff);
}

type ElfFields = Omit<ElfFile, "sectionByName" | "sectionData">;

class ParsedElf implements ElfFile {
  name: string;
  class: 32 | 64;
  littleEndian: boolean;
  machine: number;
  machineName: string;
  type: number;
  shstrndx: number;
  flags: number;
  entry: bigint;
  sections: ElfSection[];
  segments: ElfSegment[];
  symbols: ElfSymbol[];
  bytes: Uint8Array;
  readonly #shoff: number;

  constructor(fields: ElfFields, shoff: number) {
    this.name = fields.name;
    this.class = fields.class;
    this.littleEndian = fields.littleEndian;
    this.machine = fields.machine;
    this.machineName = fields.machineName;
    this.type = fields.type;
    this.shstrndx = fields.shstrndx;
    this.flags = fields.flags;
    this.entry = fields.entry;
    this.sections = fields.sections;
    this.segments = fields.segments;
    this.symbols = fields.symbols;
    this.bytes = fields.bytes;
    this.#shoff = shoff;
  }

  sectionByName(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  sectionData(section: ElfSection | string): Uint8Array {
    const found = typeof section === "string" ? this.sectionByName(section) : section;
    if (found === undefined) {
      throw new ElfError(this.name, `it has no section "${section}"`, {
        offset: this.#shoff,
        field: "sh_name",
      });
    }
    // SHT_NULL headers (section 0 carries the extended counts in sh_size)
    // have no contents, and their offset and size were never checked.
    if (found.type === SHT_NOBITS || found.type === SHT_NULL) return this.bytes.subarray(0, 0);
    return this.bytes.subarray(found.offset, found.offset + found.size);
  }
}
