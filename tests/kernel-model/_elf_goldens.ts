// Copyright 2026 the kprobes-sim authors. MIT license.
// Readers for the goldens tests/testdata/make_elf_fixtures.sh writes: `nm -S`
// and `readelf -hlSW` output, and the nm-format lines of a parsed file.

import type { ElfFile } from "../../kernel-model/elf.ts";
import { nmSymbols } from "../../kernel-model/nm.ts";

/** Directory of the fixtures. */
export const TESTDATA = new URL("../testdata/", import.meta.url);

/** Reads a fixture's bytes. */
export function readFixture(name: string): Uint8Array {
  return Deno.readFileSync(new URL(name, TESTDATA));
}

/** Reads a golden's text. */
export function readGolden(name: string): string {
  return Deno.readTextFileSync(new URL(name, TESTDATA));
}

/** One `nm -S` line. */
export interface NmLine {
  /** Absent for undefined symbols (U, w, v). */
  value?: bigint;
  /** Present when nm printed one (st_size != 0). */
  size?: bigint;
  type: string;
  name: string;
}

/** Parses `nm -S` output of a 32- or 64-bit file. */
export function parseNm(text: string, bits: 32 | 64): NmLine[] {
  const w = bits / 4;
  const re = new RegExp(`^(?:([0-9a-f]{${w}})| {${w}}) (?:([0-9a-f]{${w}}) )?(\\S) (.*)$`);
  const lines: NmLine[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const m = re.exec(line);
    if (m === null) throw new Error(`unparsable nm line: ${JSON.stringify(line)}`);
    const entry: NmLine = { type: m[3], name: m[4] };
    if (m[1] !== undefined) entry.value = BigInt(`0x${m[1]}`);
    if (m[2] !== undefined) entry.size = BigInt(`0x${m[2]}`);
    lines.push(entry);
  }
  return lines;
}

/** Formats the symbols of a parsed file as `nm -S` would (same column rules). */
export function nmLinesOf(elf: ElfFile): string[] {
  const w = elf.class / 4;
  return nmSymbols(elf).map(({ symbol, type }) => {
    if (type === "U" || type === "w" || type === "v") {
      return `${" ".repeat(w)} ${type} ${symbol.name}`;
    }
    const value = symbol.value.toString(16).padStart(w, "0");
    const size = symbol.size === 0 ? "" : ` ${symbol.size.toString(16).padStart(w, "0")}`;
    return `${value}${size} ${type} ${symbol.name}`;
  });
}

/** A section header row of `readelf -SW`. */
export interface ReadelfSection {
  index: number;
  name: string;
  type: string;
  addr: bigint;
  offset: number;
  size: number;
  entsize: number;
  flags: string;
  link: number;
  info: number;
  addralign: number;
}

/** A program header row of `readelf -lW`. */
export interface ReadelfSegment {
  type: string;
  offset: number;
  vaddr: bigint;
  paddr: bigint;
  filesz: number;
  memsz: number;
  flags: string;
  align: number;
}

/** What the tests read from `readelf -hlSW`. */
export interface Readelf {
  header: Record<string, string>;
  sections: ReadelfSection[];
  segments: ReadelfSegment[];
}

/** Parses `readelf -hlSW` output. */
export function parseReadelf(text: string): Readelf {
  const header: Record<string, string> = {};
  const sections: ReadelfSection[] = [];
  const segments: ReadelfSegment[] = [];
  let part: "header" | "sections" | "segments" | "other" = "other";
  const hexRe = /^[0-9a-f]+$/;
  for (const line of text.split("\n")) {
    if (line.startsWith("ELF Header:")) part = "header";
    else if (line.startsWith("Section Headers:")) part = "sections";
    else if (line.startsWith("Program Headers:")) part = "segments";
    else if (line.startsWith("Key to Flags:") || line.startsWith(" Section to Segment")) {
      part = "other";
    } else if (part === "header") {
      const m = /^\s+([^:]+):\s+(.*)$/.exec(line);
      if (m !== null) header[m[1]] = m[2].trim();
    } else if (part === "sections") {
      const m = /^\s+\[\s*(\d+)\]\s(.*)$/.exec(line);
      if (m === null) continue;
      const tokens = m[2].trim().split(/\s+/);
      // Name and flags may be empty: tell by where the address column falls.
      let name = "";
      if (!hexRe.test(tokens[1]) || tokens[1].length < 8) name = tokens.shift()!;
      const [type, addr, off, size, es, ...rest] = tokens;
      const flags = rest.length === 4 ? rest.shift()! : "";
      sections.push({
        index: Number(m[1]),
        name,
        type,
        addr: BigInt(`0x${addr}`),
        offset: parseInt(off, 16),
        size: parseInt(size, 16),
        entsize: parseInt(es, 16),
        flags,
        link: Number(rest[0]),
        info: Number(rest[1]),
        addralign: Number(rest[2]),
      });
    } else if (part === "segments") {
      const m =
        /^\s+(\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s([RWE ]{3})\s+0x([0-9a-f]+)$/
          .exec(line);
      if (m === null) continue;
      segments.push({
        type: m[1],
        offset: parseInt(m[2], 16),
        vaddr: BigInt(`0x${m[3]}`),
        paddr: BigInt(`0x${m[4]}`),
        filesz: parseInt(m[5], 16),
        memsz: parseInt(m[6], 16),
        flags: m[7],
        align: parseInt(m[8], 16),
      });
    }
  }
  return { header, sections, segments };
}
