// Copyright 2026 the kprobes-sim authors. MIT license.
import assert from "node:assert/strict";
import {
  type ElfFile,
  EM_386,
  EM_PPC64,
  EM_SPARCV9,
  EM_X86_64,
  ET_EXEC,
  ET_REL,
  parseElf,
  PT_LOAD,
  SHN_XINDEX,
  SHT_NOBITS,
  SHT_SYMTAB,
  STT_SPARC_REGISTER,
} from "../../kernel-model/elf.ts";
import { ElfError, KernelError } from "../../kernel-model/errors.ts";
import { Kallsyms } from "../../kernel-model/kallsyms.ts";
import {
  nmLinesOf,
  parseNm,
  parseReadelf,
  readFixture,
  readGolden,
  TESTDATA,
} from "./_elf_goldens.ts";

/** The committed fixtures: file, class, endianness, machine, type. */
const FIXTURES = [
  { file: "elf_x86_64.o", bits: 64, le: true, machine: EM_X86_64, type: ET_REL },
  { file: "elf_x86_64", bits: 64, le: true, machine: EM_X86_64, type: ET_EXEC },
  { file: "elf_i386", bits: 32, le: true, machine: EM_386, type: ET_EXEC },
  { file: "elf_ppc64", bits: 64, le: false, machine: EM_PPC64, type: ET_EXEC },
] as const;

const SECTION_TYPES: Record<string, number> = {
  NULL: 0,
  PROGBITS: 1,
  SYMTAB: 2,
  STRTAB: 3,
  RELA: 4,
  NOTE: 7,
  NOBITS: 8,
  REL: 9,
  GROUP: 17,
};
const SEGMENT_TYPES: Record<string, number> = {
  NULL: 0,
  LOAD: 1,
  NOTE: 4,
  TLS: 7,
  GNU_STACK: 0x6474e551,
  GNU_PROPERTY: 0x6474e553,
};
/** readelf's flag letters, in its order. */
const FLAG_LETTERS: ReadonlyArray<readonly [string, bigint]> = [
  ["W", 0x1n],
  ["A", 0x2n],
  ["X", 0x4n],
  ["M", 0x10n],
  ["S", 0x20n],
  ["I", 0x40n],
  ["L", 0x80n],
  ["O", 0x100n],
  ["G", 0x200n],
  ["T", 0x400n],
  ["C", 0x800n],
  ["E", 0x80000000n],
];

function flagLetters(flags: bigint): string {
  return FLAG_LETTERS.filter(([, bit]) => (flags & bit) !== 0n).map(([l]) => l).join("");
}

function segmentFlags(flags: number): string {
  return `${flags & 4 ? "R" : " "}${flags & 2 ? "W" : " "}${flags & 1 ? "E" : " "}`;
}

function parseFixture(file: string): ElfFile {
  return parseElf(readFixture(file), file);
}

/** A writable copy of a fixture with a DataView in the file's byte order. */
function mutable(file: string) {
  const bytes = readFixture(file).slice();
  const elf = parseElf(bytes, file);
  const view = new DataView(bytes.buffer);
  const le = elf.littleEndian;
  return {
    bytes,
    elf,
    u8: (off: number, v: number) => view.setUint8(off, v),
    u16: (off: number, v: number) => view.setUint16(off, v, le),
    u32: (off: number, v: number) => view.setUint32(off, v, le),
    u64: (off: number, v: bigint) => view.setBigUint64(off, v, le),
    shoff: Number(view.getBigUint64(0x28, le)),
    phoff: Number(view.getBigUint64(0x20, le)),
  };
}

/** Asserts that parsing throws an ElfError at `offset` naming `field`. */
function assertElfError(bytes: Uint8Array, offset: number, field: string, message?: RegExp) {
  assert.throws(() => parseElf(bytes, "bad.elf"), (err: unknown) => {
    assert.ok(err instanceof ElfError, `expected ElfError, got ${err}`);
    assert.ok(err instanceof KernelError);
    assert.equal(err.name, "ElfError");
    assert.equal(err.field, field, err.message);
    assert.equal(err.offset, offset, err.message);
    assert.match(err.message, /^Cannot parse ELF "bad\.elf": /);
    assert.ok(
      err.message.endsWith(`(offset 0x${offset.toString(16)}, field ${field})`),
      err.message,
    );
    if (message !== undefined) assert.match(err.message, message);
    return true;
  });
}

for (const fixture of FIXTURES) {
  Deno.test(`parseElf() reads the header of ${fixture.file} as readelf does`, () => {
    const elf = parseFixture(fixture.file);
    const golden = parseReadelf(readGolden(`${fixture.file}.readelf`));
    assert.equal(elf.name, fixture.file);
    assert.equal(elf.class, fixture.bits);
    assert.equal(golden.header["Class"], `ELF${fixture.bits}`);
    assert.equal(elf.littleEndian, fixture.le);
    assert.match(golden.header["Data"], fixture.le ? /little endian/ : /big endian/);
    assert.equal(elf.machine, fixture.machine);
    assert.equal(elf.type, fixture.type);
    assert.equal(elf.entry, BigInt(golden.header["Entry point address"]));
    assert.equal(elf.flags, Number(golden.header["Flags"].split(",")[0]));
    assert.equal(elf.shstrndx, Number(golden.header["Section header string table index"]));
    assert.equal(elf.sections.length, Number(golden.header["Number of section headers"]));
    assert.equal(elf.segments.length, Number(golden.header["Number of program headers"]));
    assert.equal(elf.bytes.length, readFixture(fixture.file).length);
  });

  Deno.test(`parseElf() reads the sections of ${fixture.file} as readelf does`, () => {
    const elf = parseFixture(fixture.file);
    const golden = parseReadelf(readGolden(`${fixture.file}.readelf`));
    assert.equal(elf.sections.length, golden.sections.length);
    for (const want of golden.sections) {
      const got = elf.sections[want.index];
      assert.ok(want.type in SECTION_TYPES, `add readelf type ${want.type} to the test`);
      assert.deepEqual(
        {
          index: got.index,
          name: got.name,
          type: got.type,
          addr: got.addr,
          offset: got.offset,
          size: got.size,
          entsize: got.entsize,
          flags: flagLetters(got.flags),
          link: got.link,
          info: got.info,
          addralign: got.addralign,
        },
        { ...want, type: SECTION_TYPES[want.type] },
      );
      if (want.name !== "") assert.equal(elf.sectionByName(want.name)?.index, want.index);
    }
  });

  Deno.test(`parseElf() reads the segments of ${fixture.file} as readelf does`, () => {
    const elf = parseFixture(fixture.file);
    const golden = parseReadelf(readGolden(`${fixture.file}.readelf`));
    assert.equal(elf.segments.length, golden.segments.length);
    golden.segments.forEach((want, i) => {
      const got = elf.segments[i];
      assert.ok(want.type in SEGMENT_TYPES, `add readelf type ${want.type} to the test`);
      assert.deepEqual(
        { ...got, type: got.type, flags: segmentFlags(got.flags) },
        { ...want, type: SEGMENT_TYPES[want.type] },
      );
    });
  });

  Deno.test(`parseElf() reads every symbol of ${fixture.file} as nm -S prints it`, () => {
    const elf = parseFixture(fixture.file);
    const golden = readGolden(`${fixture.file}.nm`).split("\n").filter((l) => l !== "");
    assert.deepEqual(nmLinesOf(elf).sort(), golden.sort());
  });
}

Deno.test("parseElf() reads every symbol of an ELF symbol table, section and file ones included", () => {
  const elf = parseFixture("elf_x86_64.o");
  const symtab = elf.sections.find((s) => s.type === SHT_SYMTAB)!;
  assert.equal(elf.symbols.length, symtab.size / symtab.entsize - 1);
  assert.deepEqual(elf.symbols.map((s) => s.index), elf.symbols.map((_, i) => i + 1));
  const file = elf.symbols.find((s) => s.type === 4);
  assert.equal(file?.name, "elf_fixture.c");
  const doFork = elf.symbols.find((s) => s.name === "do_fork")!;
  assert.equal(doFork.sectionName, ".text");
  assert.equal(doFork.bind, 1);
  assert.equal(doFork.type, 2);
  assert.equal(elf.symbols.find((s) => s.name === "abs_global")?.sectionName, undefined);
});

Deno.test("parseElf() reads big-endian ppc64 ELFv1 function descriptors", () => {
  const elf = parseFixture("elf_ppc64");
  assert.equal(elf.machineName, "ppc64");
  assert.equal(elf.flags & 3, 1, "ELFv1");
  const opd = elf.sectionByName(".opd")!;
  const data = elf.sectionData(opd);
  const doFork = elf.symbols.find((s) => s.name === "do_fork")!;
  const dotDoFork = elf.symbols.find((s) => s.name === ".do_fork")!;
  assert.equal(doFork.sectionName, ".opd");
  const entry = new DataView(data.buffer, data.byteOffset).getBigUint64(
    Number(doFork.value - opd.addr),
    false,
  );
  assert.equal(entry, dotDoFork.value);
});

Deno.test("parseElf() reads vmlinux-sparc64 as EM_SPARCV9 with two nameless STT_REGISTER symbols kallsyms skips", () => {
  const path = new URL("../../kernel-model/vmlinux/images/vmlinux-sparc64", import.meta.url);
  const elf = parseElf(Deno.readFileSync(path), "vmlinux-sparc64");
  assert.equal(elf.machine, EM_SPARCV9);
  assert.equal(elf.machineName, "sparc64");
  assert.equal(elf.class, 64);
  assert.equal(elf.littleEndian, false);
  const regs = elf.symbols.filter((s) => s.type === STT_SPARC_REGISTER);
  assert.deepEqual(regs.map((s) => [s.name, s.value]), [["", 2n], ["", 3n]]);
  const ks = Kallsyms.fromElf(elf);
  assert.ok(ks.symbols().every((s) => s.name !== ""));
  assert.equal(ks.lookupName("startup_64"), 0x400000n);
});

Deno.test("parseElf() reads ELF32 addresses as bigint", () => {
  const elf = parseFixture("elf_i386");
  assert.equal(elf.machineName, "i386");
  const doFork = elf.symbols.find((s) => s.name === "do_fork")!;
  assert.equal(typeof doFork.value, "bigint");
  assert.ok(doFork.value > 0x8048000n && doFork.value < 0x100000000n);
  assert.equal(elf.segments.filter((s) => s.type === PT_LOAD).length, 1);
});

Deno.test("ElfFile.sectionData() returns section bytes, empty for NOBITS", () => {
  const elf = parseFixture("elf_x86_64");
  const rodata = elf.sectionByName(".rodata")!;
  const localRodata = elf.symbols.find((s) => s.name === "local_rodata")!;
  const start = Number(localRodata.value - rodata.addr);
  const text = new TextDecoder().decode(elf.sectionData(".rodata").subarray(start, start + 7));
  assert.equal(text, "kprobes");
  const bss = elf.sectionByName(".bss")!;
  assert.equal(bss.type, SHT_NOBITS);
  assert.equal(elf.sectionData(bss).length, 0);
  assert.ok(bss.size > 0);
});

Deno.test("ElfFile.sectionData() is empty for SHT_NULL; a non-NULL section 0 is bounds-checked (fuzz finds)", () => {
  const bytes = readFixture("elf_x86_64");
  // sh_size of section 0 (ELF64: e_shoff + 32) set to 0xffff: SHT_NULL, so no contents.
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = Number(dv.getBigUint64(40, true));
  dv.setBigUint64(shoff + 32, 0xffffn, true);
  const elf = parseElf(bytes, "elf_x86_64");
  assert.equal(elf.sections[0].size, 0xffff);
  assert.equal(elf.sectionData(elf.sections[0]).length, 0);
  // Section 0 made SHT_PROGBITS: its size now runs past the file.
  dv.setUint32(shoff + 4, 1, true);
  dv.setBigUint64(shoff + 32, BigInt(bytes.length + 1), true);
  assert.throws(
    () => parseElf(bytes, "elf_x86_64"),
    (err: unknown) =>
      err instanceof ElfError && err.field === "sh_size" && err.offset === shoff + 32,
  );
});

Deno.test("ElfFile.sectionData() throws ElfError for a missing section", () => {
  const elf = parseFixture("elf_x86_64");
  assert.throws(
    () => elf.sectionData(".opd"),
    (err: unknown) =>
      err instanceof ElfError && err.field === "sh_name" &&
      err.message.includes('it has no section ".opd"'),
  );
});

Deno.test("parseElf() reads extended section numbering (e_shnum 0, e_shstrndx SHN_XINDEX)", () => {
  const m = mutable("elf_x86_64");
  const count = m.elf.sections.length;
  m.u16(0x3c, 0);
  m.u64(m.shoff + 32, BigInt(count)); // section 0 sh_size
  m.u16(0x3e, SHN_XINDEX);
  m.u32(m.shoff + 40, m.elf.shstrndx); // section 0 sh_link
  const elf = parseElf(m.bytes, "xnum");
  assert.equal(elf.sections.length, count);
  assert.equal(elf.shstrndx, m.elf.shstrndx);
  assert.deepEqual(elf.sections.slice(1), m.elf.sections.slice(1));
  assert.deepEqual(elf.symbols, m.elf.symbols);
});

Deno.test("parseElf() throws ElfError for a truncated identification", () => {
  const bytes = readFixture("elf_x86_64");
  assertElfError(bytes.slice(0, 0), 0, "e_ident[EI_MAG0]", /truncated/);
  assertElfError(bytes.slice(0, 3), 3, "e_ident[EI_MAG3]", /truncated/);
  assertElfError(bytes.slice(0, 5), 5, "e_ident[EI_DATA]", /truncated/);
  assertElfError(bytes.slice(0, 6), 6, "e_ident[EI_VERSION]", /truncated/);
});

Deno.test("parseElf() throws ElfError naming the first field a truncated header cuts", () => {
  const bytes = readFixture("elf_x86_64");
  assertElfError(bytes.slice(0, 0x2c), 0x28, "e_shoff", /truncated: e_shoff ends at 0x30/);
  assertElfError(bytes.slice(0, 16), 16, "e_type");
  assertElfError(bytes.slice(0, 63), 62, "e_shstrndx");
  const i386 = readFixture("elf_i386");
  assertElfError(i386.slice(0, 0x22), 0x20, "e_shoff");
  const ppc64 = readFixture("elf_ppc64");
  assertElfError(ppc64.slice(0, 0x3f), 0x3e, "e_shstrndx");
});

Deno.test("parseElf() throws ElfError for bad magic, class, data and version", () => {
  for (
    const [offset, value, field, message] of [
      [0, 0x7e, "e_ident[EI_MAG0]", /not an ELF file/],
      [1, 0x46, "e_ident[EI_MAG1]", /not an ELF file/],
      [4, 3, "e_ident[EI_CLASS]", /class 3 is neither ELFCLASS32 \(1\) nor ELFCLASS64 \(2\)/],
      [4, 0, "e_ident[EI_CLASS]", /class 0/],
      [5, 0, "e_ident[EI_DATA]", /data encoding 0/],
      [6, 2, "e_ident[EI_VERSION]", /version 2 is not EV_CURRENT/],
    ] as const
  ) {
    const m = mutable("elf_x86_64");
    m.u8(offset, value);
    assertElfError(m.bytes, offset, field, message);
  }
  const m = mutable("elf_x86_64");
  m.u32(20, 7);
  assertElfError(m.bytes, 20, "e_version", /e_version 7/);
});

Deno.test("parseElf() throws ElfError for header sizes that do not match the class", () => {
  for (
    const [offset, field] of [[52, "e_ehsize"], [54, "e_phentsize"], [58, "e_shentsize"]] as const
  ) {
    const m = mutable("elf_x86_64");
    m.u16(offset, 40);
    assertElfError(m.bytes, offset, field, new RegExp(`${field} 40 is not`));
  }
});

Deno.test("parseElf() throws ElfError for a section header offset past the end of the file", () => {
  const m = mutable("elf_x86_64");
  m.u64(0x28, 0x1234n + BigInt(m.bytes.length));
  const bad = (0x1234 + m.bytes.length).toString(16);
  assertElfError(m.bytes, 0x28, "e_shoff");
  assert.throws(
    () => parseElf(m.bytes, "vmlinux"),
    {
      name: "ElfError",
      message:
        `Cannot parse ELF "vmlinux": e_shoff 0x${bad} points past the end of the file (offset 0x28, field e_shoff)`,
    },
  );
  const huge = mutable("elf_x86_64");
  huge.u64(0x28, 1n << 60n);
  assertElfError(huge.bytes, 0x28, "e_shoff", /e_shoff 0x1000000000000000 is too large/);
  const be = mutable("elf_ppc64");
  be.u64(0x28, BigInt(be.bytes.length));
  assertElfError(be.bytes, 0x28, "e_shoff", /points past the end/);
});

Deno.test("parseElf() throws ElfError for a section header table that runs past the end", () => {
  const m = mutable("elf_x86_64");
  m.u16(0x3c, 0x7fff);
  assertElfError(m.bytes, 0x3c, "e_shnum", /section header table \(32767 entries/);
  const zero = mutable("elf_x86_64");
  zero.u64(0x28, 0n);
  assertElfError(zero.bytes, 0x3c, "e_shnum", /e_shoff is 0/);
});

Deno.test("parseElf() throws ElfError for a bad e_shstrndx", () => {
  const m = mutable("elf_x86_64");
  m.u16(0x3e, m.elf.sections.length + 5);
  assertElfError(m.bytes, 0x3e, "e_shstrndx", /is not a section index/);
  const notStrtab = mutable("elf_x86_64");
  notStrtab.u16(0x3e, 1);
  assertElfError(notStrtab.bytes, 0x3e, "e_shstrndx", /not SHT_STRTAB/);
});

Deno.test("parseElf() throws ElfError for a section name offset past the string table", () => {
  const m = mutable("elf_x86_64");
  const header = m.shoff + 64;
  m.u32(header, 0xffff);
  assertElfError(m.bytes, header, "sh_name", /sh_name 0xffff of section 1 lies past the end/);
});

Deno.test("parseElf() throws ElfError for a section name without a NUL", () => {
  const m = mutable("elf_x86_64");
  const shstrtab = m.elf.sections[m.elf.shstrndx];
  m.u8(shstrtab.offset + shstrtab.size - 1, 0x41);
  m.u32(m.shoff + 64, shstrtab.size - 1);
  assertElfError(m.bytes, m.shoff + 64, "sh_name", /is not NUL-terminated/);
});

Deno.test("parseElf() throws ElfError for section contents past the end of the file", () => {
  const offset = mutable("elf_x86_64");
  offset.u64(offset.shoff + 64 + 24, BigInt(offset.bytes.length + 1));
  assertElfError(offset.bytes, offset.shoff + 64 + 24, "sh_offset");
  const size = mutable("elf_x86_64");
  size.u64(size.shoff + 64 + 32, BigInt(size.bytes.length));
  assertElfError(size.bytes, size.shoff + 64 + 32, "sh_size", /of section 1 runs past/);
});

Deno.test("parseElf() throws ElfError for a symbol table size not a multiple of sh_entsize", () => {
  const m = mutable("elf_x86_64");
  const symtab = m.elf.sections.find((s) => s.type === SHT_SYMTAB)!;
  const header = m.shoff + symtab.index * 64;
  m.u64(header + 32, BigInt(symtab.size - 1));
  assertElfError(m.bytes, header + 32, "sh_size", /is not a multiple of sh_entsize 24/);
  const ent = mutable("elf_x86_64");
  ent.u64(header + 56, 16n);
  assertElfError(ent.bytes, header + 56, "sh_entsize", /sh_entsize 16/);
  const link = mutable("elf_x86_64");
  link.u32(header + 40, 1);
  assertElfError(link.bytes, header + 40, "sh_link", /is not a string table/);
});

Deno.test("parseElf() throws ElfError for a symbol name offset past the string table", () => {
  const m = mutable("elf_x86_64");
  const symtab = m.elf.sections.find((s) => s.type === SHT_SYMTAB)!;
  const entry = symtab.offset + 3 * 24;
  m.u32(entry, 0xfffff);
  assertElfError(m.bytes, entry, "st_name", /st_name 0xfffff of symbol 3 lies past the end/);
  const i386 = mutable("elf_i386");
  const symtab32 = i386.elf.sections.find((s) => s.type === SHT_SYMTAB)!;
  i386.u32(symtab32.offset + 16, 0xfffff);
  assertElfError(i386.bytes, symtab32.offset + 16, "st_name");
});

Deno.test("parseElf() throws ElfError for a symbol in a section that does not exist", () => {
  const m = mutable("elf_x86_64");
  const symtab = m.elf.sections.find((s) => s.type === SHT_SYMTAB)!;
  const entry = symtab.offset + 2 * 24;
  m.u16(entry + 6, 0x100);
  assertElfError(m.bytes, entry + 6, "st_shndx", /st_shndx 256 of symbol 2 is not a section/);
  const x = mutable("elf_x86_64");
  x.u16(entry + 6, SHN_XINDEX);
  assertElfError(x.bytes, entry + 6, "st_shndx", /no SHT_SYMTAB_SHNDX/);
});

Deno.test("parseElf() throws ElfError for program headers past the end of the file", () => {
  const m = mutable("elf_x86_64");
  m.u64(0x20, BigInt(m.bytes.length - 8));
  assertElfError(m.bytes, 0x20, "e_phoff", /runs past the end/);
  const filesz = mutable("elf_x86_64");
  filesz.u64(filesz.phoff + 32, BigInt(filesz.bytes.length));
  assertElfError(filesz.bytes, filesz.phoff + 32, "p_filesz", /segment 0/);
  const memsz = mutable("elf_x86_64");
  memsz.u64(memsz.phoff + 40, 1n);
  assertElfError(memsz.bytes, memsz.phoff + 32, "p_filesz", /exceeds p_memsz 0x1/);
});

Deno.test("parseElf() throws only ElfError on any truncation or byte flip of the fixtures", () => {
  // Deterministic xorshift32, so a failure reproduces.
  let seed = 0x2c1b3c6d;
  const random = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  let parsed = 0;
  let refused = 0;
  for (const { file } of FIXTURES) {
    const good = readFixture(file);
    const cases: Uint8Array[] = [];
    for (let len = 0; len < good.length; len += 1 + random(97)) cases.push(good.slice(0, len));
    for (let i = 0; i < 600; i++) {
      const bytes = good.slice();
      // Flip bytes of the file header and of the tail, where ld puts the
      // section headers, symbol and string tables; and anywhere.
      bytes[random(0x80)] = random(256);
      bytes[bytes.length - 1 - random(0x300)] ^= 1 << random(8);
      if (random(2) === 0) bytes[random(bytes.length)] = random(256);
      cases.push(bytes);
    }
    for (const bytes of cases) {
      let elf: ElfFile;
      try {
        elf = parseElf(bytes, file);
      } catch (err) {
        assert.ok(err instanceof ElfError, `${file}: ${err}`);
        refused++;
        continue;
      }
      parsed++;
      // What parsed must also be usable without throwing.
      nmLinesOf(elf);
      Kallsyms.fromElf(elf).procKallsyms();
    }
  }
  assert.ok(parsed > 0 && refused > 0, `parsed ${parsed}, refused ${refused}`);
});

/** Kernel images and their nm goldens, when the images have been built. */
for (const arch of ["x86_64", "i386", "ppc64", "sparc64"]) {
  const image = new URL(`../../kernel-model/vmlinux/images/vmlinux-${arch}`, import.meta.url);
  let present = false;
  try {
    present = Deno.statSync(image).isFile;
  } catch {
    present = false;
  }
  Deno.test({
    name: `parseElf() reads every symbol of vmlinux-${arch} as nm -S prints it`,
    ignore: !present,
    fn() {
      const elf = parseElf(Deno.readFileSync(image), `vmlinux-${arch}`);
      let golden: string;
      try {
        golden = Deno.readTextFileSync(new URL(`vmlinux-${arch}.nm`, TESTDATA));
      } catch {
        throw new Error(
          `tests/testdata/vmlinux-${arch}.nm is missing: run tests/testdata/make_elf_fixtures.sh`,
        );
      }
      const want = golden.split("\n").filter((l) => l !== "").sort();
      const got = nmLinesOf(elf).sort();
      assert.deepEqual(
        got,
        want,
        `vmlinux-${arch} differs from its nm golden: if the image was rebuilt, rerun tests/testdata/make_elf_fixtures.sh`,
      );
      const defined = parseNm(golden, elf.class).filter((l) =>
        l.value !== undefined && l.name !== ""
      );
      assert.equal(Kallsyms.fromElf(elf).symbols().length, defined.length);
    },
  });
}
