// Copyright 2026 the kprobes-sim authors. MIT license.
// The DWARF .debug_line reader: the images' tables against their sources,
// hand-made units of every version (2 to 5, 32- and 64-bit DWARF, both byte
// orders), and malformed input refused with a DwarfError.

import assert from "node:assert/strict";
import { DwarfError, LineTable, parseDebugLine, parseElf } from "../../kernel-model/mod.ts";

const ROOT = new URL("../../", import.meta.url);
const FS_C = Deno.readTextFileSync(new URL("kernel-model/vmlinux/kernel/fs.c", ROOT)).split("\n");

/** The 1-based line of `{` of a function defined in fs.c as `noinline … name(`. */
function openingLine(name: string): number {
  const i = FS_C.findIndex((l) =>
    l.startsWith("noinline ") && l.includes(` ${name}(`) ||
    l.startsWith("noinline ") && l.includes(`*${name}(`)
  );
  assert.ok(i >= 0, `${name} is defined in fs.c`);
  return i + 2;
}

for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
  Deno.test(`LineTable.fromElf() puts the VFS functions of vmlinux-${arch} at their source lines`, () => {
    const bytes = Deno.readFileSync(new URL(`kernel-model/vmlinux/images/vmlinux-${arch}`, ROOT));
    const elf = parseElf(bytes, `vmlinux-${arch}`);
    const table = LineTable.fromElf(elf);
    assert.ok(table.ranges.length > 1000);
    for (const fn of ["sys_open", "do_sys_open", "filp_open", "vfs_read", "vfs_write"]) {
      const sym = elf.symbols.find((s) => s.name === (arch === "ppc64" ? `.${fn}` : fn));
      assert.ok(sym !== undefined, fn);
      assert.deepEqual(table.lookup(sym.value), { file: "kernel/fs.c", line: openingLine(fn) }, fn);
    }
    // No absolute build path anywhere: every file is relative to the tree.
    for (const r of table.ranges) assert.ok(!r.file.startsWith("/"), r.file);
    assert.equal(table.lookup(0n), undefined);
  });
}

Deno.test("LineTable.fromElf() of an image without .debug_line is empty", () => {
  const elf = parseElf(Deno.readFileSync(new URL("tests/testdata/elf_x86_64", ROOT)), "elf_x86_64");
  assert.equal(LineTable.fromElf(elf).ranges.length, 0);
});

/** Options of {@linkcode unit}. */
interface UnitOptions {
  version: 2 | 3 | 4 | 5;
  le?: boolean;
  dwarf64?: boolean;
  addressSize?: 4 | 8;
  dirs?: string[];
  files?: [string, number][];
  program: number[];
  lineRange?: number;
  headerLengthDelta?: number;
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function cstr(s: string): number[] {
  return [...new TextEncoder().encode(s), 0];
}

function int(n: number, size: number, le: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < size; i++) out.push(Math.floor(n / 2 ** (8 * i)) & 0xff);
  return le ? out : out.reverse();
}

/** A .debug_line unit with one standard header (line_base -5, line_range 14, opcode_base 13). */
function unit(o: UnitOptions): number[] {
  const le = o.le ?? true;
  const off = o.dwarf64 ? 8 : 4;
  const header: number[] = [1];
  if (o.version >= 4) header.push(1);
  header.push(1, 0xfb, o.lineRange ?? 14, 13, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1);
  if (o.version >= 5) {
    header.push(1, ...uleb(1), ...uleb(0x08)); // DW_LNCT_path, DW_FORM_string
    header.push(...uleb((o.dirs ?? []).length));
    for (const d of o.dirs ?? []) header.push(...cstr(d));
    header.push(2, ...uleb(1), ...uleb(0x08), ...uleb(2), ...uleb(0x0f)); // path, directory_index udata
    header.push(...uleb((o.files ?? []).length));
    for (const [f, d] of o.files ?? []) header.push(...cstr(f), ...uleb(d));
  } else {
    for (const d of o.dirs ?? []) header.push(...cstr(d));
    header.push(0);
    for (const [f, d] of o.files ?? []) header.push(...cstr(f), ...uleb(d), 0, 0);
    header.push(0);
  }
  const pre = [...int(o.version, 2, le)];
  if (o.version >= 5) pre.push(o.addressSize ?? 8, 0);
  const body = [
    ...pre,
    ...int(header.length + (o.headerLengthDelta ?? 0), off, le),
    ...header,
    ...o.program,
  ];
  const length = o.dwarf64
    ? [0xff, 0xff, 0xff, 0xff, ...int(body.length, 8, le)]
    : int(body.length, 4, le);
  return [...length, ...body];
}

/** DW_LNE_set_address, DW_LNS_advance_line, DW_LNS_copy, …, DW_LNE_end_sequence. */
function program(addr: number, size: 4 | 8, le: boolean, fileOp: number[] = []): number[] {
  return [
    0,
    size + 1,
    2,
    ...int(addr, size, le), // set_address
    ...fileOp,
    3,
    9, // advance_line 9 → 10
    1, // copy: 10 at addr
    13 + 30, // special opcode, adjusted 30: address += 30 / 14 = 2, line += -5 + 30 % 14 = -3 → 7
    2,
    4, // advance_pc 4
    0,
    1,
    1, // end_sequence at addr + 6
  ];
}

Deno.test("parseDebugLine() reads DWARF 2, 3, 4 and 5 units, 32- and 64-bit, both byte orders", () => {
  for (const version of [2, 3, 4, 5] as const) {
    for (const le of [true, false]) {
      for (const dwarf64 of [false, true]) {
        const files: [string, number][] = version === 5
          ? [["a.c", 0], ["a.c", 0], ["b.h", 1]]
          : [["a.c", 0], ["b.h", 1]];
        const fileIndex = version === 5 ? 2 : 2; // b.h in both numberings
        const bytes = unit({
          version,
          le,
          dwarf64,
          addressSize: 4,
          dirs: version === 5 ? [".", "include/linux"] : ["include/linux"],
          files,
          program: program(0x1000, 4, le, [4, fileIndex]),
        });
        const what = `v${version} ${le ? "LE" : "BE"} ${dwarf64 ? "64" : "32"}-bit`;
        const t = parseDebugLine({
          debugLine: new Uint8Array(bytes),
          littleEndian: le,
          addressSize: 4,
        });
        assert.deepEqual(t.lookup(0x1000n), { file: "include/linux/b.h", line: 10 }, what);
        assert.deepEqual(t.lookup(0x1001n), { file: "include/linux/b.h", line: 10 }, what);
        assert.deepEqual(t.lookup(0x1002n), { file: "include/linux/b.h", line: 7 }, what);
        assert.deepEqual(t.lookup(0x1005n), { file: "include/linux/b.h", line: 7 }, what);
        assert.equal(t.lookup(0x1006n), undefined, what);
        assert.equal(t.lookup(0xfffn), undefined, what);
      }
    }
  }
});

Deno.test("parseDebugLine() keeps several units and sequences apart", () => {
  const a = unit({
    version: 5,
    dirs: ["."],
    files: [["x.c", 0]],
    program: program(0x2000, 8, true, [4, 0]),
  });
  const b = unit({ version: 3, files: [["y.c", 0]], program: program(0x1000, 8, true) });
  const t = parseDebugLine({
    debugLine: new Uint8Array([...a, ...b]),
    littleEndian: true,
    addressSize: 8,
  });
  assert.equal(t.lookup(0x2000n)?.file, "x.c");
  assert.equal(t.lookup(0x1000n)?.file, "y.c");
  assert.equal(t.lookup(0x1800n), undefined);
  assert.deepEqual(t.ranges.map((r) => r.start), [0x1000n, 0x1002n, 0x2000n, 0x2002n]);
});

/** Parses and returns the DwarfError (a parse that succeeds fails the case). */
function refusal(bytes: number[] | Uint8Array, addressSize: 4 | 8 = 4): DwarfError {
  try {
    parseDebugLine({
      debugLine: new Uint8Array(bytes),
      littleEndian: true,
      addressSize,
      file: "t",
    });
  } catch (e) {
    assert.ok(e instanceof DwarfError, `not a DwarfError: ${e}`);
    assert.match(
      e.message,
      /^Cannot read the line table of "t": .* \(\.debug_line offset 0x[0-9a-f]+, field \S/,
    );
    return e;
  }
  assert.fail("the malformed table was accepted");
}

Deno.test("parseDebugLine() refuses malformed units with a DwarfError naming the field", () => {
  const good = unit({ version: 4, files: [["a.c", 0]], program: program(0x1000, 4, true) });
  assert.equal(refusal(good.slice(0, 3)).field, "unit_length");
  assert.equal(refusal([0xf0, 0xff, 0xff, 0xff]).field, "unit_length");
  assert.equal(refusal([0x40, 0, 0, 0, 4, 0]).field, "unit_length"); // past the end
  const v9 = good.slice();
  v9[4] = 9;
  assert.equal(refusal(v9).field, "version");
  assert.equal(
    refusal(unit({ version: 4, files: [["a.c", 0]], program: [], lineRange: 0 })).field,
    "line_range",
  );
  assert.equal(
    refusal(unit({ version: 4, files: [["a.c", 0]], program: [], headerLengthDelta: 1000 })).field,
    "header_length",
  );
  assert.equal(
    refusal(unit({ version: 4, files: [["a.c", 0]], program: [], headerLengthDelta: -3 })).field,
    "header_length",
  );
  // A file index past the table, a directory index past its table.
  assert.equal(
    refusal(unit({ version: 4, files: [["a.c", 0]], program: program(0x1000, 4, true, [4, 7]) }))
      .field,
    "file",
  );
  assert.equal(
    refusal(
      unit({
        version: 5,
        dirs: ["."],
        files: [["a.c", 3]],
        program: program(0x1000, 4, true, [4, 0]),
      }),
    )
      .field,
    "directory_index",
  );
  // DWARF 2–4 file 0 does not exist.
  assert.equal(
    refusal(unit({ version: 2, files: [["a.c", 0]], program: program(0x1000, 4, true, [4, 0]) }))
      .field,
    "file",
  );
  // An endless LEB128 (advance_pc whose bytes all have the continuation bit).
  const endless = unit({
    version: 3,
    files: [["a.c", 0]],
    program: [2, ...new Array(80).fill(0x80), 0],
  });
  assert.match(refusal(endless).message, /LEB128|runs past/);
  // set_address with 3 address bytes.
  assert.equal(
    refusal(unit({ version: 3, files: [["a.c", 0]], program: [0, 4, 2, 1, 2, 3] })).field,
    "DW_LNE_set_address",
  );
});

Deno.test("parseDebugLine() refuses DWARF 5 forms and string offsets it cannot resolve", () => {
  const base = unit({ version: 5, dirs: ["."], files: [["a.c", 0]], program: [] });
  // directory format: DW_LNCT_path as DW_FORM_line_strp with no .debug_line_str.
  // unit_length 4, version 2, address and selector sizes 2, header_length 4,
  // 6 header bytes, 12 opcode lengths, the format count: the first form.
  const fmt = 4 + 2 + 2 + 4 + 6 + 12 + 1 + 1;
  assert.equal(base[fmt], 0x08);
  const strp = base.slice();
  strp[fmt] = 0x1f;
  assert.equal(refusal(strp, 8).field, "directory entry");
  const bad = base.slice();
  bad[fmt] = 0x7e; // no such form
  assert.match(refusal(bad, 8).message, /form 0x7e/);
});

Deno.test("parseDebugLine() never throws anything but a DwarfError on random bytes", () => {
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
  const good = unit({
    version: 5,
    dirs: [".", "kernel"],
    files: [["fs.c", 1]],
    program: program(0x1000, 8, true),
  });
  for (let i = 0; i < 2000; i++) {
    const b = good.slice();
    const flips = 1 + (rnd() % 6);
    for (let k = 0; k < flips; k++) b[rnd() % b.length] = rnd() & 0xff;
    const cut = rnd() % 4 === 0 ? b.slice(0, rnd() % b.length) : b;
    try {
      parseDebugLine({ debugLine: new Uint8Array(cut), littleEndian: true, addressSize: 8 });
    } catch (e) {
      assert.ok(e instanceof DwarfError, `case ${i}: ${e}`);
    }
  }
});
