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
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_NOBITS,
  SHT_NULL,
  SHT_STRTAB,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
} from "./elf_constants.ts";

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

/** One struct layout: total size and, per field, `[offset, width]`. */
interface Layout<K extends string> {
  size: number;
  at: Readonly<Record<K, readonly [number, number]>>;
}

/** Builds the ELF32 and ELF64 layouts of one struct from `[field, off32, width32, off64, width64]` rows. */
function struct<K extends string>(
  size32: number,
  size64: number,
  rows: ReadonlyArray<readonly [K, number, number, number, number]>,
): readonly [Layout<K>, Layout<K>] {
  const build = (size: number, is64: boolean): Layout<K> => {
    const at = {} as Record<K, readonly [number, number]>;
    let covered = 0;
    let end = 0;
    for (const [field, off32, width32, off64, width64] of rows) {
      const offset = is64 ? off64 : off32;
      const width = is64 ? width64 : width32;
      at[field] = Object.freeze([offset, width] as const);
      covered += width;
      end = Math.max(end, offset + width);
    }
    if (covered !== size || end !== size) {
      throw new Error(`ELF struct layout of ${rows[0][0]} does not tile ${size} bytes`);
    }
    return Object.freeze({ size, at: Object.freeze(at) });
  };
  return [build(size32, false), build(size64, true)];
}

// The `<elf.h>` structs as [ELF32, ELF64] layouts: field, then offset and
// width in each class. `struct()` checks that the fields tile the struct.
// deno-fmt-ignore
const EHDR = struct(52, 64, [
  //  field          ELF32    ELF64
  ["e_ident",       0, 16,   0, 16],
  ["e_type",       16,  2,  16,  2],
  ["e_machine",    18,  2,  18,  2],
  ["e_version",    20,  4,  20,  4],
  ["e_entry",      24,  4,  24,  8],
  ["e_phoff",      28,  4,  32,  8],
  ["e_shoff",      32,  4,  40,  8],
  ["e_flags",      36,  4,  48,  4],
  ["e_ehsize",     40,  2,  52,  2],
  ["e_phentsize",  42,  2,  54,  2],
  ["e_phnum",      44,  2,  56,  2],
  ["e_shentsize",  46,  2,  58,  2],
  ["e_shnum",      48,  2,  60,  2],
  ["e_shstrndx",   50,  2,  62,  2],
]);
// deno-fmt-ignore
const SHDR = struct(40, 64, [
  ["sh_name",       0,  4,   0,  4],
  ["sh_type",       4,  4,   4,  4],
  ["sh_flags",      8,  4,   8,  8],
  ["sh_addr",      12,  4,  16,  8],
  ["sh_offset",    16,  4,  24,  8],
  ["sh_size",      20,  4,  32,  8],
  ["sh_link",      24,  4,  40,  4],
  ["sh_info",      28,  4,  44,  4],
  ["sh_addralign", 32,  4,  48,  8],
  ["sh_entsize",   36,  4,  56,  8],
]);
// deno-fmt-ignore
const PHDR = struct(32, 56, [
  ["p_type",        0,  4,   0,  4],
  ["p_flags",      24,  4,   4,  4],
  ["p_offset",      4,  4,   8,  8],
  ["p_vaddr",       8,  4,  16,  8],
  ["p_paddr",      12,  4,  24,  8],
  ["p_filesz",     16,  4,  32,  8],
  ["p_memsz",      20,  4,  40,  8],
  ["p_align",      28,  4,  48,  8],
]);
// deno-fmt-ignore
const SYM = struct(16, 24, [
  ["st_name",       0,  4,   0,  4],
  ["st_value",      4,  4,   8,  8],
  ["st_size",       8,  4,  16,  8],
  ["st_info",      12,  1,   4,  1],
  ["st_other",     13,  1,   5,  1],
  ["st_shndx",     14,  2,   6,  2],
]);
/** One `SHT_SYMTAB_SHNDX` entry: the real `st_shndx` of a symbol. */
const XINDEX_ENTRY = struct(4, 4, [["st_shndx", 0, 4, 0, 4]])[0];

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

function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

/** Bounds-checked field reads; every failure is an ElfError naming the field. */
class Reader {
  readonly #view: DataView;
  readonly #le: boolean;
  readonly file: string;
  readonly size: number;

  constructor(bytes: Uint8Array, littleEndian: boolean, file: string) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#le = littleEndian;
    this.file = file;
    this.size = bytes.byteLength;
  }

  fail(problem: string, offset: number, field: string): never {
    throw new ElfError(this.file, problem, { offset, field });
  }

  /** Reads a field as a bigint (addresses, flags, symbol values). */
  big<K extends string>(base: number, struct: Layout<K>, field: K): bigint {
    const [at, width] = struct.at[field];
    const offset = base + at;
    if (offset + width > this.size) {
      this.fail(
        `the file is truncated: ${field} ends at ${hex(offset + width)} but the file has ${
          hex(this.size)
        } bytes`,
        offset,
        field,
      );
    }
    switch (width) {
      case 1:
        return BigInt(this.#view.getUint8(offset));
      case 2:
        return BigInt(this.#view.getUint16(offset, this.#le));
      case 4:
        return BigInt(this.#view.getUint32(offset, this.#le));
      default:
        return this.#view.getBigUint64(offset, this.#le);
    }
  }

  /** Reads a field as a number; a 64-bit value beyond 2^53 is malformed. */
  num<K extends string>(base: number, struct: Layout<K>, field: K): number {
    const value = this.big(base, struct, field);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      this.fail(`${field} ${hex(value)} is too large`, base + struct.at[field][0], field);
    }
    return Number(value);
  }

  /** Offset of a field, for error reports. */
  at<K extends string>(base: number, struct: Layout<K>, field: K): number {
    return base + struct.at[field][0];
  }
}

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

/** Bytes of non-ASCII names one file may make the parser decode separately. */
const NAME_BUDGET = 64 << 20;

/**
 * Names from string tables, in time and memory linear in the tables: each
 * table's NUL positions are found once (a name's end is a binary search),
 * and each NUL-terminated run is decoded once, names inside it being
 * suffixes of it (V8 shares their storage). So a hostile symbol table whose
 * entries all point into one long run costs one string, not one per entry.
 * Runs with non-ASCII bytes are decoded per name (UTF-8 offsets do not map
 * to string indices), within {@linkcode NAME_BUDGET}.
 */
class StringTables {
  readonly #bytes: Uint8Array;
  readonly #decoder = new TextDecoder();
  readonly #nuls = new Map<number, Uint32Array>();
  readonly #runs = new Map<number, string | null>();
  readonly #names = new Map<number, string>();
  #budget = NAME_BUDGET;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** Sorted offsets (in the table) of the table's NUL bytes. */
  #nulsOf(table: ElfSection): Uint32Array {
    let nuls = this.#nuls.get(table.index);
    if (nuls === undefined) {
      const data = this.#bytes.subarray(table.offset, table.offset + table.size);
      let n = 0;
      for (let i = 0; i < data.length; i++) if (data[i] === 0) n++;
      nuls = new Uint32Array(n);
      let j = 0;
      for (let i = 0; i < data.length; i++) if (data[i] === 0) nuls[j++] = i;
      this.#nuls.set(table.index, nuls);
    }
    return nuls;
  }

  /**
   * The name at `index` of `table`: undefined when no NUL ends it inside the
   * table, null when the non-ASCII budget is spent.
   */
  at(table: ElfSection, index: number): string | undefined | null {
    const nuls = this.#nulsOf(table);
    let lo = 0;
    let hi = nuls.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (nuls[mid] < index) lo = mid + 1;
      else hi = mid;
    }
    if (lo === nuls.length) return undefined;
    const end = table.offset + nuls[lo];
    const runStart = table.offset + (lo === 0 ? 0 : nuls[lo - 1] + 1);
    const start = table.offset + index;
    let run = this.#runs.get(end);
    if (run === undefined) {
      const bytes = this.#bytes.subarray(runStart, end);
      let ascii = true;
      for (let i = 0; i < bytes.length && ascii; i++) ascii = bytes[i] < 0x80;
      run = ascii ? this.#decoder.decode(bytes) : null;
      this.#runs.set(end, run);
    }
    if (run !== null) return run.slice(start - runStart);
    let name = this.#names.get(start);
    if (name === undefined) {
      this.#budget -= end - start;
      if (this.#budget < 0) return null;
      name = this.#decoder.decode(this.#bytes.subarray(start, end));
      this.#names.set(start, name);
    }
    return name;
  }
}

type StringAt = (
  table: ElfSection,
  index: number,
  at: number,
  field: string,
  what: string,
) => string;

/** Decodes the first `SHT_SYMTAB` section, if any. */
function readSymbols(
  r: Reader,
  sections: ElfSection[],
  shoff: number,
  stringAt: StringAt,
  k: 0 | 1,
): ElfSymbol[] {
  const sh = SHDR[k];
  const st = SYM[k];
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (symtab === undefined) return [];
  const header = shoff + symtab.index * sh.size;
  if (symtab.entsize !== st.size) {
    r.fail(
      `sh_entsize ${symtab.entsize} of the symbol table (section ${symtab.index}) is not the symbol size ${st.size}`,
      r.at(header, sh, "sh_entsize"),
      "sh_entsize",
    );
  }
  if (symtab.size % st.size !== 0) {
    r.fail(
      `sh_size ${
        hex(symtab.size)
      } of the symbol table (section ${symtab.index}) is not a multiple of sh_entsize ${st.size}`,
      r.at(header, sh, "sh_size"),
      "sh_size",
    );
  }
  if (symtab.link >= sections.length || sections[symtab.link].type !== SHT_STRTAB) {
    r.fail(
      `sh_link ${symtab.link} of the symbol table (section ${symtab.index}) is not a string table`,
      r.at(header, sh, "sh_link"),
      "sh_link",
    );
  }
  const strtab = sections[symtab.link];
  const count = symtab.size / st.size;
  const xindex = sections.find((s) => s.type === SHT_SYMTAB_SHNDX && s.link === symtab.index);
  if (xindex !== undefined && xindex.size < count * 4) {
    r.fail(
      `sh_size ${
        hex(xindex.size)
      } of the SHT_SYMTAB_SHNDX section ${xindex.index} is smaller than its ${count} symbols need`,
      r.at(shoff + xindex.index * sh.size, sh, "sh_size"),
      "sh_size",
    );
  }
  const symbols: ElfSymbol[] = [];
  for (let i = 1; i < count; i++) {
    const base = symtab.offset + i * st.size;
    const info = r.num(base, st, "st_info");
    let shndx = r.num(base, st, "st_shndx");
    const extended = shndx === SHN_XINDEX;
    if (extended) {
      if (xindex === undefined) {
        r.fail(
          `st_shndx of symbol ${i} is SHN_XINDEX but the file has no SHT_SYMTAB_SHNDX section`,
          r.at(base, st, "st_shndx"),
          "st_shndx",
        );
      }
      shndx = r.num(xindex.offset + i * 4, XINDEX_ENTRY, "st_shndx");
    }
    const reserved = !extended && (shndx === SHN_UNDEF || shndx >= SHN_LORESERVE);
    if (!reserved && shndx >= sections.length) {
      r.fail(
        `st_shndx ${shndx} of symbol ${i} is not a section index (the file has ${sections.length})`,
        r.at(base, st, "st_shndx"),
        "st_shndx",
      );
    }
    const symbol: ElfSymbol = {
      index: i,
      name: stringAt(
        strtab,
        r.num(base, st, "st_name"),
        r.at(base, st, "st_name"),
        "st_name",
        `symbol ${i}`,
      ),
      value: r.big(base, st, "st_value"),
      size: r.num(base, st, "st_size"),
      type: info & 0xf,
      bind: info >> 4,
      visibility: r.num(base, st, "st_other") & 3,
      shndx,
    };
    if (!reserved) symbol.sectionName = sections[shndx].name;
    symbols.push(symbol);
  }
  return symbols;
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
