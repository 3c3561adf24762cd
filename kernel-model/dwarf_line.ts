// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * A DWARF `.debug_line` reader (versions 2 to 5): runs each unit's line
 * number program and answers "which source line is this address?", as
 * `addr2line` and `objdump -l` do. Only the line tables are read (the
 * images keep `.debug_line` and `.debug_line_str` and drop the rest of the
 * debug info, see kernel-model/vmlinux/build.sh), so a file's directory is
 * the line table's own, relative to the build directory (`kernel/fs.c`).
 *
 * Malformed input is refused with a {@linkcode DwarfError} naming the byte
 * offset and the field; nothing else escapes.
 * Linux: none (this is binutils' `dwarf2.c` territory); the format is the
 * DWARF 5 standard, section 6.2.
 *
 * @module
 */

import type { ElfFile } from "./elf.ts";
import { KernelError } from "./errors.ts";
import { Cursor, type Fail, readEntries } from "./_dwarf_cursor.ts";

/** Options of {@linkcode DwarfError}: where in the section the problem is. */
export interface DwarfErrorOptions extends ErrorOptions {
  /** Byte offset of the malformed field in its section. */
  offset: number;
  /** The field, as the DWARF standard names it (`unit_length`, `line_range`…). */
  field: string;
}

/**
 * Malformed DWARF line information.
 *
 * @example
 * ```ts
 * import { DwarfError } from "./dwarf_line.ts";
 * import assert from "node:assert/strict";
 * const e = new DwarfError("vmlinux", "line_range is 0", { offset: 0x1e, field: "line_range" });
 * assert.equal(e.message, 'Cannot read the line table of "vmlinux": line_range is 0 (.debug_line offset 0x1e, field line_range)');
 * ```
 */
export class DwarfError extends KernelError {
  /** Byte offset of the malformed field. */
  readonly offset: number;
  /** The field at fault. */
  readonly field: string;

  /**
   * Creates the error.
   *
   * @param file The file whose line table is read.
   * @param problem What is wrong, lower case, no final period.
   * @param options Offset and field.
   */
  constructor(file: string, problem: string, options: DwarfErrorOptions) {
    super(
      `Cannot read the line table of "${file}": ${problem} (.debug_line offset 0x${
        options.offset.toString(16)
      }, field ${options.field})`,
      options,
    );
    this.name = "DwarfError";
    this.offset = options.offset;
    this.field = options.field;
  }
}

/** A source position. */
export interface SourceLine {
  /** The file, as the line table names it, joined with its directory (`kernel/fs.c`). */
  file: string;
  /** 1-based line; 0 when the compiler could not attribute the code to a line. */
  line: number;
}

/** One address range of the table: `[start, end)` comes from `file:line`. */
export interface LineRange extends SourceLine {
  /** First address. */
  start: bigint;
  /** One past the last address. */
  end: bigint;
}

/** The sections a line table is read from. */
export interface DebugLineSections {
  /** `.debug_line`. */
  debugLine: Uint8Array;
  /** `.debug_line_str` (DWARF 5 `DW_FORM_line_strp`), if present. */
  debugLineStr?: Uint8Array;
  /** `.debug_str` (`DW_FORM_strp`), if present. */
  debugStr?: Uint8Array;
  /** Byte order of the file. */
  littleEndian: boolean;
  /** Address size in bytes for DWARF 2–4 units (which do not say): 4 or 8. */
  addressSize: 4 | 8;
  /** The file's name, for messages. */
  file?: string;
}

// DW_LNS_*, DW_LNE_* (DWARF 5, 7.22).
const LNS_COPY = 1;
const LNS_ADVANCE_PC = 2;
const LNS_ADVANCE_LINE = 3;
const LNS_SET_FILE = 4;
const LNS_CONST_ADD_PC = 8;
const LNS_FIXED_ADVANCE_PC = 9;
const LNE_END_SEQUENCE = 1;
const LNE_SET_ADDRESS = 2;
const LNE_DEFINE_FILE = 3;

/** Joins a directory and a file name as addr2line does, dropping `./`. */
function joinPath(dir: string, name: string): string {
  if (name.startsWith("/") || dir === "" || dir === ".") return name;
  return `${dir.replace(/\/+$/, "")}/${name}`.replace(/^\.\//, "");
}

/**
 * The address → line map of one image.
 *
 * @example From the x86_64 image
 * ```ts
 * import { LineTable } from "./dwarf_line.ts";
 * import { parseElf } from "./elf.ts";
 * import assert from "node:assert/strict";
 * const url = new URL("./vmlinux/images/vmlinux-x86_64", import.meta.url);
 * const elf = parseElf(Deno.readFileSync(url), "vmlinux-x86_64");
 * const table = LineTable.fromElf(elf);
 * const vfsRead = elf.symbols.find((s) => s.name === "vfs_read")!;
 * assert.equal(table.lookup(vfsRead.value)?.file, "kernel/fs.c");
 * ```
 */
export class LineTable {
  readonly #ranges: LineRange[];

  /**
   * Makes a table of ranges (sorted here by start address).
   *
   * @param ranges The ranges.
   */
  constructor(ranges: readonly LineRange[]) {
    this.#ranges = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }

  /**
   * Reads the line table of an ELF file; an empty table when it has no
   * `.debug_line`.
   *
   * @param elf The parsed file.
   * @returns The table.
   * @throws {DwarfError} When `.debug_line` is malformed.
   */
  static fromElf(elf: ElfFile): LineTable {
    const data = (name: string): Uint8Array | undefined => {
      const s = elf.sections.find((x) => x.name === name);
      if (s === undefined || s.type === 8 /* SHT_NOBITS */) return undefined;
      if (s.offset < 0 || s.size < 0 || s.offset + s.size > elf.bytes.length) return undefined;
      return elf.bytes.subarray(s.offset, s.offset + s.size);
    };
    const debugLine = data(".debug_line");
    if (debugLine === undefined) return new LineTable([]);
    return parseDebugLine({
      debugLine,
      debugLineStr: data(".debug_line_str"),
      debugStr: data(".debug_str"),
      littleEndian: elf.littleEndian,
      addressSize: elf.class === 64 ? 8 : 4,
      file: elf.name,
    });
  }

  /** Every range, by address. */
  get ranges(): readonly LineRange[] {
    return this.#ranges;
  }

  /**
   * The source line of the code at `addr`. Linux: none; binutils
   * `_bfd_dwarf2_find_nearest_line()`.
   *
   * @param addr A code address.
   * @returns The file and line, or undefined when no unit covers `addr`.
   */
  lookup(addr: bigint): SourceLine | undefined {
    const r = this.#ranges;
    let lo = 0;
    let hi = r.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (r[mid].start <= addr) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Overlapping sequences (not in our images): the latest start that still covers addr.
    for (let i = best; i >= 0 && i > best - 8; i--) {
      if (addr < r[i].end) return { file: r[i].file, line: r[i].line };
    }
    return undefined;
  }
}

/**
 * Runs every unit of a `.debug_line` section.
 *
 * @param sections The section bytes and how to read them.
 * @returns The table.
 * @throws {DwarfError} When a unit is malformed (truncated, an unknown
 * version or form, a zero `line_range`, a file index out of range…).
 *
 * @example A hand-made DWARF 2 unit: one row at 0x1000, line 7 of a.c
 * ```ts
 * import { parseDebugLine } from "./dwarf_line.ts";
 * import assert from "node:assert/strict";
 * const body = [
 *   2, 0, // version 2
 *   ...[0, 0, 0, 0], // header_length, patched below
 *   1, 1, 0xfb, 14, 13, // min_inst_length, default_is_stmt, line_base -5, line_range 14, opcode_base 13
 *   0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, // standard_opcode_lengths
 *   0, // no include_directories
 *   0x61, 0x2e, 0x63, 0, 0, 0, 0, 0, // "a.c", dir 0, mtime 0, length 0; end of file_names
 *   0, 5, 2, 0x00, 0x10, 0, 0, // DW_LNE_set_address 0x1000
 *   3, 6, // advance_line 6 → 7
 *   1, // copy
 *   2, 4, // advance_pc 4
 *   0, 1, 1, // DW_LNE_end_sequence
 * ];
 * const headerLength = body.indexOf(0x61) + 8 - 6;
 * body[2] = headerLength;
 * const unit = new Uint8Array([body.length, 0, 0, 0, ...body]);
 * const t = parseDebugLine({ debugLine: unit, littleEndian: true, addressSize: 4 });
 * assert.deepEqual(t.lookup(0x1003n), { file: "a.c", line: 7 });
 * assert.equal(t.lookup(0x1004n), undefined);
 * ```
 */
export function parseDebugLine(sections: DebugLineSections): LineTable {
  const file = sections.file ?? "<bytes>";
  const fail = (problem: string, offset: number, field: string): never => {
    throw new DwarfError(file, problem, { offset, field });
  };
  const c = new Cursor(sections.debugLine, sections.littleEndian, fail);
  const ranges: LineRange[] = [];
  const total = sections.debugLine.length;
  while (c.pos < total) {
    c.end = total;
    const unitStart = c.pos;
    let offsetSize = 4;
    let length = c.uint(4, "unit_length");
    if (length === 0xffffffffn) {
      offsetSize = 8;
      length = c.uint(8, "unit_length");
    } else if (length >= 0xfffffff0n) {
      fail(`unit_length 0x${length.toString(16)} is a reserved value`, unitStart, "unit_length");
    }
    if (length > BigInt(total - c.pos)) {
      fail(
        `unit_length 0x${length.toString(16)} runs past the end of the section (${
          total - c.pos
        } bytes left)`,
        unitStart,
        "unit_length",
      );
    }
    const unitEnd = c.pos + Number(length);
    c.end = unitEnd;
    readUnit(c, sections, offsetSize, unitEnd, ranges, fail);
    c.pos = unitEnd;
  }
  return new LineTable(ranges);
}

/** Reads one unit's header and runs its program, appending its ranges. */
function readUnit(
  c: Cursor,
  sections: DebugLineSections,
  offsetSize: number,
  unitEnd: number,
  ranges: LineRange[],
  fail: Fail,
): void {
  const versionAt = c.pos;
  const version = c.small(2, "version");
  if (version < 2 || version > 5) fail(`version ${version} is not 2 to 5`, versionAt, "version");
  let addressSize: number = sections.addressSize;
  if (version >= 5) {
    const at = c.pos;
    addressSize = c.u8("address_size");
    if (addressSize !== 4 && addressSize !== 8) {
      fail(`address_size ${addressSize} is not 4 or 8`, at, "address_size");
    }
    c.u8("segment_selector_size");
  }
  const hlAt = c.pos;
  const headerLength = c.uint(offsetSize, "header_length");
  if (headerLength > BigInt(unitEnd - c.pos)) {
    fail(`header_length ${headerLength} runs past the end of the unit`, hlAt, "header_length");
  }
  const programStart = c.pos + Number(headerLength);
  const minInst = c.u8("minimum_instruction_length");
  const maxOps = version >= 4 ? c.u8("maximum_operations_per_instruction") || 1 : 1;
  const defaultIsStmt = c.u8("default_is_stmt");
  void defaultIsStmt;
  const lineBase = (c.u8("line_base") << 24) >> 24;
  const lrAt = c.pos;
  const lineRange = c.u8("line_range");
  if (lineRange === 0) fail("line_range is 0", lrAt, "line_range");
  const obAt = c.pos;
  const opcodeBase = c.u8("opcode_base");
  if (opcodeBase === 0) fail("opcode_base is 0", obAt, "opcode_base");
  const opLengths: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) opLengths.push(c.u8("standard_opcode_lengths"));

  const dirs: string[] = [];
  const files: { name: string; dir: number }[] = [];
  const strFail = (field: string, at: number) => () =>
    fail(`${field} points outside its string section`, at, field);
  if (version >= 5) {
    readEntries(c, sections, offsetSize, "directory", fail, strFail, (path) => dirs.push(path));
    readEntries(
      c,
      sections,
      offsetSize,
      "file_name",
      fail,
      strFail,
      (path, dir) => files.push({ name: path, dir }),
    );
  } else {
    for (;;) {
      const d = c.cstring("include_directories");
      if (d === "") break;
      dirs.push(d);
    }
    dirs.unshift(""); // index 0: the compilation directory, which only .debug_info knows
    files.push({ name: "", dir: 0 }); // DWARF 2–4 count files from 1
    for (;;) {
      const name = c.cstring("file_names");
      if (name === "") break;
      const dir = c.count("directory_index");
      c.uleb("mtime");
      c.uleb("length");
      files.push({ name, dir });
    }
  }
  if (c.pos > programStart) {
    fail("the header's tables run past header_length", hlAt, "header_length");
  }
  c.pos = programStart;

  const pathOf = (index: number, at: number): string => {
    const f = files[index];
    if (f === undefined || (version < 5 && index === 0)) {
      return fail(
        `file index ${index} is not in the file table (${files.length} entries)`,
        at,
        "file",
      );
    }
    const d = dirs[f.dir];
    if (d === undefined) {
      return fail(
        `directory index ${f.dir} of "${f.name}" is not in the directory table`,
        at,
        "directory_index",
      );
    }
    return joinPath(d, f.name);
  };

  const mask = (1n << BigInt(addressSize * 8)) - 1n;
  // The state machine (DWARF 5, 6.2.2); op_index kept for VLIW maxOps > 1.
  let address = 0n;
  let opIndex = 0;
  let fileIndex = 1;
  let line = 1;
  let fileAt = programStart;
  let prev: { address: bigint; file: number; line: number; at: number } | null = null;
  const advance = (opAdvance: bigint) => {
    if (maxOps === 1) {
      address = (address + BigInt(minInst) * opAdvance) & mask;
    } else {
      const t = BigInt(opIndex) + opAdvance;
      address = (address + BigInt(minInst) * (t / BigInt(maxOps))) & mask;
      opIndex = Number(t % BigInt(maxOps));
    }
  };
  const emit = (end: boolean) => {
    if (prev !== null && address > prev.address) {
      ranges.push({
        start: prev.address,
        end: address,
        file: pathOf(prev.file, prev.at),
        line: prev.line,
      });
    }
    prev = end ? null : { address, file: fileIndex, line, at: fileAt };
  };
  const reset = () => {
    address = 0n;
    opIndex = 0;
    fileIndex = 1;
    line = 1;
    fileAt = c.pos;
  };
  reset();
  while (c.pos < unitEnd) {
    const opAt = c.pos;
    const op = c.u8("opcode");
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      advance(BigInt(Math.floor(adj / lineRange)));
      line += lineBase + (adj % lineRange);
      emit(false);
      continue;
    }
    switch (op) {
      case 0: {
        const len = c.count("extended opcode length", unitEnd);
        if (len === 0) break;
        c.need(len, "extended opcode");
        const extEnd = c.pos + len;
        const sub = c.u8("extended opcode");
        if (sub === LNE_END_SEQUENCE) {
          emit(true);
          reset();
        } else if (sub === LNE_SET_ADDRESS) {
          const n = len - 1;
          if (n !== 4 && n !== 8) {
            fail(`DW_LNE_set_address has ${n} address bytes`, opAt, "DW_LNE_set_address");
          }
          address = c.uint(n, "DW_LNE_set_address") & mask;
          opIndex = 0;
        } else if (sub === LNE_DEFINE_FILE && version < 5) {
          const name = c.cstring("DW_LNE_define_file");
          const dir = c.count("directory_index");
          files.push({ name, dir });
        }
        c.pos = extEnd; // discriminators and vendor opcodes: skipped
        break;
      }
      case LNS_COPY:
        emit(false);
        break;
      case LNS_ADVANCE_PC:
        advance(c.uleb("DW_LNS_advance_pc"));
        break;
      case LNS_ADVANCE_LINE:
        line += Number(BigInt.asIntN(32, c.sleb("DW_LNS_advance_line")));
        break;
      case LNS_SET_FILE:
        fileAt = opAt;
        fileIndex = c.count("DW_LNS_set_file");
        break;
      case LNS_CONST_ADD_PC:
        advance(BigInt(Math.floor((255 - opcodeBase) / lineRange)));
        break;
      case LNS_FIXED_ADVANCE_PC:
        address = (address + c.uint(2, "DW_LNS_fixed_advance_pc")) & mask;
        opIndex = 0;
        break;
      default:
        // set_column, negate_stmt, basic_block, prologue_end, epilogue_begin,
        // set_isa and unknown standard opcodes: skip their ULEB arguments.
        for (let i = 0; i < opLengths[op]; i++) c.uleb("standard opcode argument");
    }
    if (line < 0 || line > 0x7fffffff) fail(`line ${line} is out of range`, opAt, "line");
  }
}
