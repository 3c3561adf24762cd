// Copyright 2026 the kprobes-sim authors. MIT license.
// Hostile-input catalogue, ELF area: malformed or mismatched kernel images
// given to Kernel.boot({ image }). Each is refused with an ElfError naming
// the file, the byte offset and the <elf.h> field, or (for images that parse
// but cannot boot, and files that cannot be read) a KernelError naming the
// file and saying what is wrong and what to do. None may escape as another
// exception or hang.

import assert from "node:assert/strict";
import { ElfError, Kernel, KernelError } from "../../mod.ts";
import { type ElfFile, parseElf } from "../../kernel-model/mod.ts";
import { catalogue } from "./_case.ts";

const ROOT = new URL("../../", import.meta.url);

function image(arch: "x86_64" | "i386" | "ppc64"): Uint8Array<ArrayBuffer> {
  return Deno.readFileSync(new URL(`kernel-model/vmlinux/images/vmlinux-${arch}`, ROOT));
}

function fixture(name: string): Uint8Array<ArrayBuffer> {
  return Deno.readFileSync(new URL(`tests/testdata/${name}`, ROOT));
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** The x86_64 image, parsed, with its header table offsets. */
function x86(): { bytes: Uint8Array<ArrayBuffer>; elf: ElfFile; shoff: number; phoff: number } {
  const bytes = image("x86_64");
  const elf = parseElf(bytes, "vmlinux-x86_64");
  const dv = view(bytes);
  return {
    bytes,
    elf,
    shoff: Number(dv.getBigUint64(40, true)),
    phoff: Number(dv.getBigUint64(32, true)),
  };
}

/** Writes `bytes` to a temporary file named `name`, boots it, removes it; returns the error. */
async function bootFile(
  bytes: Uint8Array,
  name: string,
  arch: "x86_64" | "i386" | "ppc64" = "x86_64",
): Promise<[unknown, string]> {
  const dir = await Deno.makeTempDir({ prefix: "kprobes-sim-hostile-elf-" });
  const path = `${dir}/${name}`;
  try {
    await Deno.writeFile(path, bytes);
    return [await bootError({ image: path, arch }), path];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Boots and returns what it threw; a kernel that boots fails the case. */
async function bootError(options: Parameters<typeof Kernel.boot>[0]): Promise<unknown> {
  try {
    const kernel = await Kernel.boot(options);
    await kernel.shutdown();
  } catch (e) {
    return e;
  }
  assert.fail("Kernel.boot() accepted the image");
}

/** Asserts an ElfError naming `file`, `field` and `offset`, whose message matches `problem`. */
function assertElfError(
  e: unknown,
  file: string,
  field: string,
  offset: number,
  problem: RegExp,
): void {
  assert.ok(
    e instanceof ElfError,
    `expected an ElfError, got ${e instanceof Error ? e.stack : String(e)}`,
  );
  assert.equal(e.field, field);
  assert.equal(e.offset, offset);
  assert.equal(e.file, file);
  assert.ok(e.message.startsWith(`Cannot parse ELF "${file}": `), e.message);
  assert.ok(e.message.endsWith(`(offset 0x${offset.toString(16)}, field ${field})`), e.message);
  assert.match(e.message, problem);
}

/** Asserts a KernelError that is not an ElfError, naming `file`, whose message matches `says`. */
function assertKernelError(e: unknown, file: string, says: RegExp): void {
  assert.ok(
    e instanceof KernelError,
    `expected a KernelError, got ${e instanceof Error ? e.stack : String(e)}`,
  );
  assert.ok(!(e instanceof ElfError), e.message);
  assert.ok(e.message.includes(`"${file}"`), e.message);
  assert.match(e.message, says);
}

/**
 * A minimal ELF64 relocatable x86_64 file whose `n` symbols are all named
 * from one `size`-byte run of `fill` bytes in .strtab: at offset 1 each, or
 * at offsets 1, 2, 3… with `distinct`.
 */
function longNames(n: number, size: number, fill: number, distinct: boolean): Uint8Array {
  const shstr = new TextEncoder().encode("\0.symtab\0.strtab\0.shstrtab\0");
  const symOff = 64;
  const strOff = symOff + n * 24;
  const shstrOff = strOff + size;
  const shoff = (shstrOff + shstr.length + 7) & ~7;
  const b = new Uint8Array(shoff + 4 * 64);
  const dv = view(b);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  dv.setUint16(16, 1, true); // ET_REL
  dv.setUint16(18, 62, true); // EM_X86_64
  dv.setUint32(20, 1, true);
  dv.setBigUint64(40, BigInt(shoff), true);
  dv.setUint16(52, 64, true);
  dv.setUint16(58, 64, true);
  dv.setUint16(60, 4, true);
  dv.setUint16(62, 3, true);
  for (let i = 1; i < n; i++) dv.setUint32(symOff + i * 24, distinct ? i : 1, true);
  b.fill(fill, strOff + 1, strOff + size - 1);
  b.set(shstr, shstrOff);
  const section = (
    i: number,
    name: number,
    type: number,
    off: number,
    sz: number,
    link: number,
    ent: number,
  ) => {
    const h = shoff + i * 64;
    dv.setUint32(h, name, true);
    dv.setUint32(h + 4, type, true);
    dv.setBigUint64(h + 24, BigInt(off), true);
    dv.setBigUint64(h + 32, BigInt(sz), true);
    dv.setUint32(h + 40, link, true);
    dv.setBigUint64(h + 56, BigInt(ent), true);
  };
  section(1, 1, 2, symOff, n * 24, 2, 24); // .symtab
  section(2, 9, 3, strOff, size, 0, 0); // .strtab
  section(3, 17, 3, shstrOff, shstr.length, 0, 0); // .shstrtab
  return b;
}

catalogue("elf", [
  {
    name: "an empty file",
    async run() {
      const [e, path] = await bootFile(new Uint8Array(0), "empty");
      assertElfError(
        e,
        path,
        "e_ident[EI_MAG0]",
        0,
        /truncated: it has 0 bytes, too few for the ELF identification/,
      );
    },
  },
  {
    name: "/dev/null (a character device, empty)",
    async run() {
      assertKernelError(
        await bootError({ image: "/dev/null" }),
        "/dev/null",
        /^Cannot read kernel image "\/dev\/null": it is not a regular file, pass a vmlinux image/,
      );
    },
  },
  {
    name: "a text file (README.md)",
    async run() {
      const path = new URL("README.md", ROOT).pathname;
      const e = await bootError({ image: path });
      assertElfError(
        e,
        path,
        "e_ident[EI_MAG0]",
        0,
        /byte 0x[0-9a-f]+ is not the ELF magic 0x7f: not an ELF file/,
      );
    },
  },
  {
    name: "a DOS/PE executable (MZ)",
    async run() {
      const [e, path] = await bootFile(
        new TextEncoder().encode("MZ\x90\x00\x03\x00\x00\x00"),
        "vmlinuz.efi",
      );
      assertElfError(
        e,
        path,
        "e_ident[EI_MAG0]",
        0,
        /byte 0x4d is not the ELF magic 0x7f: not an ELF file/,
      );
    },
  },
  {
    name: "a directory given as the image",
    async run() {
      const dir = new URL("tests/", ROOT).pathname;
      assertKernelError(
        await bootError({ image: dir }),
        dir,
        /^Cannot read kernel image "[^"]+": it is not a regular file, pass a vmlinux image/,
      );
    },
  },
  {
    name: "a path that does not exist",
    async run() {
      const path = "/no/such/dir/vmlinux";
      assertKernelError(
        await bootError({ image: path }),
        path,
        /^Cannot read kernel image "[^"]+": No such file or directory/,
      );
    },
  },
  {
    name: "e_ident[EI_CLASS] 3, neither ELFCLASS32 nor ELFCLASS64",
    async run() {
      const b = image("x86_64");
      b[4] = 3;
      const [e, path] = await bootFile(b, "class3");
      assertElfError(
        e,
        path,
        "e_ident[EI_CLASS]",
        4,
        /class 3 is neither ELFCLASS32 \(1\) nor ELFCLASS64 \(2\)/,
      );
    },
  },
  {
    name: "e_ident[EI_DATA] 0, neither little nor big endian",
    async run() {
      const b = image("x86_64");
      b[5] = 0;
      const [e, path] = await bootFile(b, "data0");
      assertElfError(
        e,
        path,
        "e_ident[EI_DATA]",
        5,
        /data encoding 0 is neither ELFDATA2LSB \(1\) nor ELFDATA2MSB \(2\)/,
      );
    },
  },
  {
    name: "an ELF64 image labelled ELFCLASS32 (class confusion)",
    async run() {
      const b = image("x86_64");
      b[4] = 1;
      const [e, path] = await bootFile(b, "class-confused");
      assertElfError(
        e,
        path,
        "e_ehsize",
        40,
        /laid out as ELF64, so e_ident\[EI_CLASS\] is wrong for this file/,
      );
    },
  },
  {
    name: "a little-endian image labelled big-endian (byte-order confusion)",
    async run() {
      const b = image("x86_64");
      b[5] = 2;
      const [e, path] = await bootFile(b, "endian-confused");
      assertElfError(
        e,
        path,
        "e_version",
        20,
        /1 read in the other byte order, so e_ident\[EI_DATA\] \(big endian\) is wrong/,
      );
    },
  },
  {
    name: "a big-endian ppc64 image labelled little-endian, booted as ppc64",
    async run() {
      const b = image("ppc64");
      b[5] = 1;
      const [e, path] = await bootFile(b, "ppc64-endian", "ppc64");
      assertElfError(e, path, "e_version", 20, /e_ident\[EI_DATA\] \(little endian\) is wrong/);
    },
  },
  {
    name: "the header truncated at 30 bytes",
    async run() {
      const [e, path] = await bootFile(image("x86_64").subarray(0, 30), "truncated");
      assertElfError(
        e,
        path,
        "e_entry",
        0x18,
        /truncated: e_entry ends at 0x20 but the file has 0x1e bytes/,
      );
    },
  },
  {
    name: "the file truncated before its section header table",
    async run() {
      const [e, path] = await bootFile(image("x86_64").subarray(0, 4096), "cut");
      assertElfError(
        e,
        path,
        "e_shoff",
        0x28,
        /e_shoff 0x[0-9a-f]+ points past the end of the file/,
      );
    },
  },
  {
    name: "e_phoff past the end of the file",
    async run() {
      const b = image("x86_64");
      view(b).setBigUint64(32, BigInt(b.length), true);
      const [e, path] = await bootFile(b, "phoff");
      assertElfError(
        e,
        path,
        "e_phoff",
        0x20,
        /e_phoff 0x[0-9a-f]+ with 2 entries runs past the end of the 0x[0-9a-f]+-byte file/,
      );
    },
  },
  {
    name: "e_shoff 2^63 (a huge offset)",
    async run() {
      const b = image("x86_64");
      view(b).setBigUint64(40, 1n << 63n, true);
      const [e, path] = await bootFile(b, "shoff");
      assertElfError(e, path, "e_shoff", 0x28, /e_shoff 0x8000000000000000 is too large/);
    },
  },
  {
    name: "e_shnum 0xfff0 (a huge count)",
    async run() {
      const b = image("x86_64");
      view(b).setUint16(60, 0xfff0, true);
      const [e, path] = await bootFile(b, "shnum");
      assertElfError(
        e,
        path,
        "e_shnum",
        0x3c,
        /section header table \(65520 entries from 0x[0-9a-f]+\) runs past the end/,
      );
    },
  },
  {
    name: "e_shstrndx out of range",
    async run() {
      const b = image("x86_64");
      view(b).setUint16(62, 999, true);
      const [e, path] = await bootFile(b, "shstrndx");
      assertElfError(
        e,
        path,
        "e_shstrndx",
        0x3e,
        /e_shstrndx 999 is not a section index \(the file has \d+\)/,
      );
    },
  },
  {
    name: "a section-name string table without NUL",
    async run() {
      const { bytes, elf, shoff } = x86();
      const s = elf.sections[elf.shstrndx];
      bytes.fill(0x41, s.offset, s.offset + s.size);
      const [e, path] = await bootFile(bytes, "strtab");
      assertElfError(e, path, "sh_name", shoff, /sh_name 0x0 of section 0 is not NUL-terminated/);
    },
  },
  {
    name: "a symbol whose st_shndx is out of range",
    async run() {
      const { bytes, elf } = x86();
      const symtab = elf.sections.find((s) => s.type === 2)!;
      const at = symtab.offset + 5 * 24 + 6;
      view(bytes).setUint16(at, 0x7fff, true);
      const [e, path] = await bootFile(bytes, "shndx");
      assertElfError(e, path, "st_shndx", at, /st_shndx 32767 of symbol 5 is not a section index/);
    },
  },
  {
    name: "a symbol whose st_name is past its string table",
    async run() {
      const { bytes, elf } = x86();
      const symtab = elf.sections.find((s) => s.type === 2)!;
      const at = symtab.offset + 7 * 24;
      view(bytes).setUint32(at, 0xffffff, true);
      const [e, path] = await bootFile(bytes, "stname");
      assertElfError(
        e,
        path,
        "st_name",
        at,
        /st_name 0xffffff of symbol 7 lies past the end of string table section \d+/,
      );
    },
  },
  {
    name: "a symbol table with the wrong sh_entsize",
    async run() {
      const { bytes, elf, shoff } = x86();
      const symtab = elf.sections.find((s) => s.type === 2)!;
      const at = shoff + symtab.index * 64 + 56;
      view(bytes).setBigUint64(at, 16n, true);
      const [e, path] = await bootFile(bytes, "entsize");
      assertElfError(
        e,
        path,
        "sh_entsize",
        at,
        /sh_entsize 16 of the symbol table \(section \d+\) is not the symbol size 24/,
      );
    },
  },
  {
    name: "a symbol table whose sh_link is not a string table",
    async run() {
      const { bytes, elf, shoff } = x86();
      const symtab = elf.sections.find((s) => s.type === 2)!;
      const at = shoff + symtab.index * 64 + 40;
      view(bytes).setUint32(at, 9999, true);
      const [e, path] = await bootFile(bytes, "link");
      assertElfError(
        e,
        path,
        "sh_link",
        at,
        /sh_link 9999 of the symbol table \(section \d+\) is not a string table/,
      );
    },
  },
  {
    name: "a symbol table moved to overlap the section headers and run past the end",
    async run() {
      const { bytes, elf, shoff } = x86();
      const symtab = elf.sections.find((s) => s.type === 2)!;
      view(bytes).setBigUint64(shoff + symtab.index * 64 + 24, BigInt(shoff), true);
      const [e, path] = await bootFile(bytes, "overlap");
      const at = shoff + symtab.index * 64 + 32;
      assertElfError(
        e,
        path,
        "sh_size",
        at,
        new RegExp(`sh_size 0x[0-9a-f]+ of section ${symtab.index} runs past the end of the file`),
      );
    },
  },
  {
    name: "a PT_LOAD segment with p_filesz larger than p_memsz",
    async run() {
      const { bytes, phoff } = x86();
      view(bytes).setBigUint64(phoff + 40, 16n, true); // p_memsz of segment 0
      const [e, path] = await bootFile(bytes, "filesz");
      assertElfError(
        e,
        path,
        "p_filesz",
        phoff + 32,
        /p_filesz 0x[0-9a-f]+ of segment 0 exceeds p_memsz 0x10/,
      );
    },
  },
  {
    name: "a PT_LOAD segment outside kernel RAM (p_vaddr 0x1000)",
    async run() {
      const { bytes, phoff } = x86();
      view(bytes).setBigUint64(phoff + 16, 0x1000n, true);
      const [e, path] = await bootFile(bytes, "lowload");
      assertKernelError(e, path, /segment at 0x1000 lies outside kernel RAM at 0xffffffff81000000/);
    },
  },
  {
    name: "an image without a symbol the host needs (printk renamed)",
    async run() {
      const { bytes, elf } = x86();
      const symtab = elf.sections.find((s) => s.type === 2)!;
      const printk = elf.symbols.find((s) => s.name === "printk")!;
      const name = view(bytes).getUint32(symtab.offset + printk.index * 24, true);
      bytes[elf.sections[symtab.link].offset + name + 5] = 0x71; // printq
      const [e, path] = await bootFile(bytes, "noprintk");
      assertKernelError(
        e,
        path,
        /lacks the symbol "printk" the host needs \(see kernel-model\/vmlinux\/ABI\.md\)/,
      );
    },
  },
  {
    name: "an ELF relocatable object (.o) instead of vmlinux",
    async run() {
      const [e, path] = await bootFile(fixture("elf_x86_64.o"), "probe.o");
      assertKernelError(
        e,
        path,
        /lacks the symbol "boot_params" the host needs \(see kernel-model\/vmlinux\/ABI\.md\)/,
      );
    },
  },
  {
    name: "a user-space ELF executable instead of vmlinux",
    async run() {
      const [e, path] = await bootFile(fixture("elf_x86_64"), "a.out");
      assertKernelError(e, path, /segment at 0x[0-9a-f]+ lies outside kernel RAM/);
    },
  },
  {
    name: "the i386 image booted as x86_64",
    async run() {
      const [e, path] = await bootFile(image("i386"), "vmlinux-i386", "x86_64");
      assertKernelError(
        e,
        path,
        /as x86_64: it is an ELF32 i386 image, pass the matching --arch or image/,
      );
    },
  },
  {
    name: "the ppc64 image booted with --arch x86_64",
    async run() {
      const [e, path] = await bootFile(image("ppc64"), "vmlinux-ppc64", "x86_64");
      assertKernelError(
        e,
        path,
        /as x86_64: it is an ELF64 ppc64 image, pass the matching --arch or image/,
      );
    },
  },
  {
    name: "the x86_64 image booted with --arch ppc64",
    async run() {
      const [e, path] = await bootFile(image("x86_64"), "vmlinux-x86_64", "ppc64");
      assertKernelError(
        e,
        path,
        /as ppc64: it is an ELF64 x86_64 image, pass the matching --arch or image/,
      );
    },
  },
  {
    name: "an aarch64 image (e_machine EM_AARCH64)",
    async run() {
      const b = image("x86_64");
      view(b).setUint16(18, 183, true);
      const [e, path] = await bootFile(b, "Image");
      assertKernelError(
        e,
        path,
        /as x86_64: it is an ELF64 aarch64 image, pass the matching --arch or image/,
      );
    },
  },
  {
    name: "20000 symbols named from one 4 MB string (was 7 s per MB, then V8 out of memory)",
    async run() {
      const [e, path] = await bootFile(longNames(20000, 4_000_000, 0x41, false), "long-names.o");
      assertKernelError(e, path, /lacks the symbol "boot_params" the host needs/);
    },
  },
  {
    name: "20000 symbols named at distinct offsets of one 4 MB non-ASCII string",
    async run() {
      const [e, path] = await bootFile(longNames(20000, 4_000_000, 0xc3, true), "utf8-names.o");
      assertElfError(
        e,
        path,
        "st_name",
        64 + 17 * 24,
        /st_name 0x11 of symbol 17: the non-ASCII names decoded so far exceed 64 MiB/,
      );
    },
  },
  {
    name: "an image whose kernel text is all 0xff (init never reaches user mode)",
    async run() {
      const { bytes, elf } = x86();
      const text = elf.sectionByName(".text")!;
      bytes.fill(0xff, text.offset, text.offset + text.size);
      const [e, path] = await bootFile(bytes, "garbage-text");
      assertKernelError(
        e,
        path,
        /init did not reach user mode; the log says:\n[\s\S]*invalid opcode/,
      );
    },
  },
]);
