// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The ELF reader's string and symbol tables: names decoded in time and
 * memory linear in the tables (hostile tables included) and `.symtab`
 * decoded with every index checked, extended section numbering
 * (`SHT_SYMTAB_SHNDX`) included. Private to kernel-model/: parseElf() in
 * elf.ts calls it.
 *
 * @module
 */

import type { ElfSection, ElfSymbol } from "./elf.ts";
import { hex, type Reader, SHDR, SYM, XINDEX_ENTRY } from "./_elf_reader.ts";
import {
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_STRTAB,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
} from "./elf_constants.ts";

/** Bytes of non-ASCII names one file may make the parser decode separately. */
export const NAME_BUDGET = 64 << 20;

/**
 * Names from string tables, in time and memory linear in the tables: each
 * table's NUL positions are found once (a name's end is a binary search),
 * and each NUL-terminated run is decoded once, names inside it being
 * suffixes of it (V8 shares their storage). So a hostile symbol table whose
 * entries all point into one long run costs one string, not one per entry.
 * Runs with non-ASCII bytes are decoded per name (UTF-8 offsets do not map
 * to string indices), within {@linkcode NAME_BUDGET}.
 */
export class StringTables {
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

export type StringAt = (
  table: ElfSection,
  index: number,
  at: number,
  field: string,
  what: string,
) => string;

/** Decodes the first `SHT_SYMTAB` section, if any. */
export function readSymbols(
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
