// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The byte level of the ELF reader: the `<elf.h>` structs as ELF32/ELF64
 * layouts and a bounds-checked field reader whose every failure is an
 * {@linkcode ElfError} naming the file offset and field. Private to
 * kernel-model/: elf.ts and _elf_symbols.ts build on it.
 *
 * @module
 */

import { ElfError } from "./errors.ts";

/** One struct layout: total size and, per field, `[offset, width]`. */
export interface Layout<K extends string> {
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
export const EHDR = struct(52, 64, [
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
export const SHDR = struct(40, 64, [
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
export const PHDR = struct(32, 56, [
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
export const SYM = struct(16, 24, [
  ["st_name",       0,  4,   0,  4],
  ["st_value",      4,  4,   8,  8],
  ["st_size",       8,  4,  16,  8],
  ["st_info",      12,  1,   4,  1],
  ["st_other",     13,  1,   5,  1],
  ["st_shndx",     14,  2,   6,  2],
]);
/** One `SHT_SYMTAB_SHNDX` entry: the real `st_shndx` of a symbol. */
export const XINDEX_ENTRY = struct(4, 4, [["st_shndx", 0, 4, 0, 4]])[0];

/** `0x…` for messages. */
export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

/** Bounds-checked field reads; every failure is an ElfError naming the field. */
export class Reader {
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
