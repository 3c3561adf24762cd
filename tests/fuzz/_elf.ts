// Copyright 2026 the kprobes-sim authors. MIT license.
// ELF loader fuzz target. Inputs are mutations of the committed vmlinux
// images and the tests/testdata fixtures: bit flips, bytes set to edge
// values, truncations, header/section/program/symbol fields set to huge or
// boundary values, sections made to overlap, string tables with their NULs
// removed, out-of-range symbol and string indices, ELF32/ELF64 class and
// little/big endian confusion. The contract:
//  - parseElf() returns, or throws an ElfError whose message names the file,
//    an offset and a field; never another exception, never a hang;
//  - a parsed file's sections can all be read and Kallsyms.fromElf() builds
//    (or throws a KernelError);
//  - with `boot`, Kernel.boot({ image }) succeeds or throws a KernelError.

import { ElfError, Kernel, KernelError } from "../../mod.ts";
import { type ElfFile, Kallsyms, parseElf } from "../../kernel-model/mod.ts";
import { archByName } from "../../arch/mod.ts";
import { describe, FuzzFinding, type FuzzTarget } from "./_harness.ts";
import type { Rng } from "./_rng.ts";

const ROOT = new URL("../../", import.meta.url);

/** A corpus file and where its structures are (from the unmutated parse). */
export interface Seed {
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
  elf: ElfFile;
  /** The arch that boots it, for the kernel images. */
  arch?: "x86_64" | "i386" | "ppc64" | "sparc64";
  /** Byte ranges holding ELF metadata: headers, tables, string and symbol tables. */
  meta: [number, number][];
}

/** Loads the corpus: four kernel images and the four ELF fixtures. */
export async function loadElfCorpus(): Promise<Seed[]> {
  const files: [string, Seed["arch"]][] = [
    ["kernel-model/vmlinux/images/vmlinux-x86_64", "x86_64"],
    ["kernel-model/vmlinux/images/vmlinux-i386", "i386"],
    ["kernel-model/vmlinux/images/vmlinux-ppc64", "ppc64"],
    ["kernel-model/vmlinux/images/vmlinux-sparc64", "sparc64"],
    ["tests/testdata/elf_x86_64", undefined],
    ["tests/testdata/elf_i386", undefined],
    ["tests/testdata/elf_ppc64", undefined],
    ["tests/testdata/elf_x86_64.o", undefined],
  ];
  const out: Seed[] = [];
  for (const [path, arch] of files) {
    const bytes = await Deno.readFile(new URL(path, ROOT));
    const name = path.split("/").pop()!;
    const elf = parseElf(bytes, name);
    const is64 = elf.class === 64;
    const ehsize = is64 ? 64 : 52;
    const shsize = is64 ? 64 : 40;
    const phsize = is64 ? 56 : 32;
    const meta: [number, number][] = [[0, ehsize]];
    const shoff = headerField(bytes, elf, "e_shoff");
    if (elf.sections.length > 0) meta.push([shoff, shoff + elf.sections.length * shsize]);
    const phoff = headerField(bytes, elf, "e_phoff");
    if (elf.segments.length > 0) meta.push([phoff, phoff + elf.segments.length * phsize]);
    for (const s of elf.sections) {
      if (s.type === 2 || s.type === 3) meta.push([s.offset, s.offset + s.size]); // SYMTAB, STRTAB
    }
    out.push({ name, bytes, elf, arch, meta });
  }
  return out;
}

function headerField(bytes: Uint8Array, elf: ElfFile, field: "e_shoff" | "e_phoff"): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (elf.class === 64) {
    return Number(dv.getBigUint64(field === "e_shoff" ? 40 : 32, elf.littleEndian));
  }
  return dv.getUint32(field === "e_shoff" ? 32 : 28, elf.littleEndian);
}

// Field positions [offset, width] in ELF32 and ELF64 (<elf.h>).
const EHDR_FIELDS: Record<string, [number, number, number, number]> = {
  e_type: [16, 2, 16, 2],
  e_machine: [18, 2, 18, 2],
  e_version: [20, 4, 20, 4],
  e_entry: [24, 4, 24, 8],
  e_phoff: [28, 4, 32, 8],
  e_shoff: [32, 4, 40, 8],
  e_ehsize: [40, 2, 52, 2],
  e_phentsize: [42, 2, 54, 2],
  e_phnum: [44, 2, 56, 2],
  e_shentsize: [46, 2, 58, 2],
  e_shnum: [48, 2, 60, 2],
  e_shstrndx: [50, 2, 62, 2],
};
const SHDR_FIELDS: Record<string, [number, number, number, number]> = {
  sh_name: [0, 4, 0, 4],
  sh_type: [4, 4, 4, 4],
  sh_addr: [12, 4, 16, 8],
  sh_offset: [16, 4, 24, 8],
  sh_size: [20, 4, 32, 8],
  sh_link: [24, 4, 40, 4],
  sh_info: [28, 4, 44, 4],
  sh_entsize: [36, 4, 56, 8],
};
const PHDR_FIELDS: Record<string, [number, number, number, number]> = {
  p_type: [0, 4, 0, 4],
  p_offset: [4, 4, 8, 8],
  p_vaddr: [8, 4, 16, 8],
  p_filesz: [16, 4, 32, 8],
  p_memsz: [20, 4, 40, 8],
};
const SYM_FIELDS: Record<string, [number, number, number, number]> = {
  st_name: [0, 4, 0, 4],
  st_value: [4, 4, 8, 8],
  st_size: [8, 4, 16, 8],
  st_shndx: [14, 2, 6, 2],
};

function writeField(
  bytes: Uint8Array,
  at: number,
  width: number,
  value: bigint,
  le: boolean,
): void {
  if (at < 0 || at + width > bytes.length) return;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const v = BigInt.asUintN(width * 8, value);
  if (width === 1) dv.setUint8(at, Number(v));
  else if (width === 2) dv.setUint16(at, Number(v), le);
  else if (width === 4) dv.setUint32(at, Number(v), le);
  else dv.setBigUint64(at, v, le);
}

function edgeValue(rng: Rng, seed: Seed, width: number): bigint {
  const size = BigInt(seed.bytes.length);
  const bits = BigInt(width * 8);
  return rng.pick([
    () => 0n,
    () => 1n,
    () => (1n << bits) - 1n,
    () => (1n << (bits - 1n)) - 1n,
    () => 1n << (bits - 1n),
    () => size,
    () => size - 1n,
    () => size + 1n,
    () => size - BigInt(rng.int(1, 64)),
    () => BigInt(rng.u32()),
    () => BigInt(rng.below(0x10000)),
    () => 0xffffn,
    () => 0xff00n,
    () => 1n << 53n,
    () => (1n << 53n) + 1n,
    () => BigInt(seed.elf.sections.length + rng.int(-2, 2)),
  ])();
}

/** Applies one random mutation; returns its description. */
function mutate(
  rng: Rng,
  seed: Seed,
  bytes: Uint8Array<ArrayBuffer>,
  inMeta: boolean,
): [Uint8Array<ArrayBuffer>, string] {
  const le = seed.elf.littleEndian;
  const is64 = seed.elf.class === 64;
  const k = is64 ? 2 : 0;
  const shoff = headerField(seed.bytes, seed.elf, "e_shoff");
  const phoff = headerField(seed.bytes, seed.elf, "e_phoff");
  const anyOffset = () => {
    if (inMeta || rng.chance(0.8)) {
      const [a, b] = rng.pick(seed.meta);
      return Math.min(bytes.length - 1, a + rng.below(Math.max(1, b - a)));
    }
    return rng.below(bytes.length);
  };
  switch (rng.below(12)) {
    case 0: {
      const at = anyOffset();
      const bit = rng.below(8);
      bytes[at] ^= 1 << bit;
      return [bytes, `flip bit ${bit} of byte 0x${at.toString(16)}`];
    }
    case 1: {
      const at = anyOffset();
      const v = rng.pick([0, 0xff, 0x7f, 0x80, 1, rng.below(256)]);
      bytes[at] = v;
      return [bytes, `set byte 0x${at.toString(16)} to 0x${v.toString(16)}`];
    }
    case 2: {
      if (inMeta) return mutate(rng, seed, bytes, inMeta);
      const cut = rng.chance(0.5)
        ? rng.below(bytes.length)
        : Math.max(0, rng.pick(seed.meta)[rng.below(2)] + rng.int(-4, 4));
      return [
        bytes.slice(0, Math.min(cut, bytes.length)),
        `truncate to 0x${cut.toString(16)} bytes`,
      ];
    }
    case 3: {
      const name = rng.pick(Object.keys(EHDR_FIELDS));
      const f = EHDR_FIELDS[name];
      const v = edgeValue(rng, seed, f[k + 1]);
      writeField(bytes, f[k], f[k + 1], v, le);
      return [bytes, `set ${name} to 0x${v.toString(16)}`];
    }
    case 4: {
      const n = seed.elf.sections.length;
      if (n === 0) return mutate(rng, seed, bytes, inMeta);
      const i = rng.below(n);
      const name = rng.pick(Object.keys(SHDR_FIELDS));
      const f = SHDR_FIELDS[name];
      const v = edgeValue(rng, seed, f[k + 1]);
      writeField(bytes, shoff + i * (is64 ? 64 : 40) + f[k], f[k + 1], v, le);
      return [bytes, `set ${name} of section ${i} to 0x${v.toString(16)}`];
    }
    case 5: {
      const n = seed.elf.segments.length;
      if (n === 0) return mutate(rng, seed, bytes, inMeta);
      const i = rng.below(n);
      const name = rng.pick(Object.keys(PHDR_FIELDS));
      const f = PHDR_FIELDS[name];
      const v = edgeValue(rng, seed, f[k + 1]);
      writeField(bytes, phoff + i * (is64 ? 56 : 32) + f[k], f[k + 1], v, le);
      return [bytes, `set ${name} of segment ${i} to 0x${v.toString(16)}`];
    }
    case 6: {
      const symtab = seed.elf.sections.find((s) => s.type === 2);
      if (symtab === undefined || seed.elf.symbols.length === 0) {
        return mutate(rng, seed, bytes, inMeta);
      }
      const i = rng.int(1, seed.elf.symbols.length);
      const name = rng.pick(Object.keys(SYM_FIELDS));
      const f = SYM_FIELDS[name];
      const v = name === "st_shndx"
        ? BigInt(
          rng.pick([seed.elf.sections.length, 0xfff1, 0xfff2, 0xffff, 0xff00, rng.below(0x10000)]),
        )
        : edgeValue(rng, seed, f[k + 1]);
      writeField(bytes, symtab.offset + i * (is64 ? 24 : 16) + f[k], f[k + 1], v, le);
      return [bytes, `set ${name} of symbol ${i} to 0x${v.toString(16)}`];
    }
    case 7: {
      // Make one section overlap another (or the header tables).
      const secs = seed.elf.sections.filter((s) => s.index > 0);
      if (secs.length < 2) return mutate(rng, seed, bytes, inMeta);
      const a = rng.pick(secs);
      const target = rng.pick([rng.pick(secs).offset, shoff, phoff, 0]);
      const f = SHDR_FIELDS.sh_offset;
      writeField(bytes, shoff + a.index * (is64 ? 64 : 40) + f[k], f[k + 1], BigInt(target), le);
      return [
        bytes,
        `move section ${a.index} (${a.name}) to overlap offset 0x${target.toString(16)}`,
      ];
    }
    case 8: {
      // A string table without its NULs.
      const strtabs = seed.elf.sections.filter((s) => s.type === 3 && s.size > 0);
      if (strtabs.length === 0) return mutate(rng, seed, bytes, inMeta);
      const s = rng.pick(strtabs);
      const all = rng.chance(0.3);
      for (
        let i = all ? s.offset : s.offset + s.size - Math.min(s.size, 64);
        i < s.offset + s.size;
        i++
      ) {
        if (bytes[i] === 0) bytes[i] = 0x41;
      }
      return [
        bytes,
        `remove the NULs of ${all ? "" : "the tail of "}string table ${s.index} (${s.name})`,
      ];
    }
    case 10: {
      // Every symbol named from one offset (or consecutive offsets) of its string table.
      const symtab = seed.elf.sections.find((s) => s.type === 2);
      if (symtab === undefined) return mutate(rng, seed, bytes, inMeta);
      const at = rng.below(seed.elf.sections[symtab.link]?.size ?? 1);
      const step = rng.below(2);
      const f = SYM_FIELDS.st_name;
      const size = is64 ? 24 : 16;
      for (let i = 1; i * size < symtab.size; i++) {
        writeField(bytes, symtab.offset + i * size + f[k], 4, BigInt(at + step * i), le);
      }
      return [
        bytes,
        `name every symbol from st_name 0x${at.toString(16)}${step ? " onwards" : ""}`,
      ];
    }
    case 9: {
      bytes[4] = bytes[4] === 1 ? 2 : 1;
      return [bytes, `switch EI_CLASS to ELFCLASS${bytes[4] === 1 ? 32 : 64}`];
    }
    default: {
      bytes[5] = bytes[5] === 1 ? 2 : 1;
      return [bytes, `switch EI_DATA to ${bytes[5] === 1 ? "little" : "big"} endian`];
    }
  }
}

/** A mutated corpus file: the bytes and what was done to them. */
export function mutant(rng: Rng, corpus: Seed[], options: { meta?: boolean } = {}): {
  seed: Seed;
  bytes: Uint8Array<ArrayBuffer>;
  steps: string[];
} {
  const seed = rng.pick(corpus);
  let bytes = seed.bytes.slice();
  const steps: string[] = [];
  const n = rng.pick([1, 1, 1, 2, 3, 5]);
  for (let i = 0; i < n; i++) {
    const [b, what] = mutate(rng, seed, bytes, options.meta ?? false);
    bytes = b;
    steps.push(what);
  }
  return { seed, bytes, steps };
}

/** Checks the ElfError contract: file name, offset and field in the message. */
function checkElfError(e: ElfError, file: string, what: string): void {
  if (
    !Number.isSafeInteger(e.offset) || e.offset < 0 || typeof e.field !== "string" ||
    e.field === "" || !e.message.includes(`"${file}"`) ||
    !e.message.includes(`offset 0x${e.offset.toString(16)}`) || !e.message.includes(e.field)
  ) {
    throw new FuzzFinding(`${what}: ElfError does not name file, offset and field: ${e.message}`);
  }
}

/** Runs parseElf (and Kallsyms) on one input; returns the parsed file or undefined. */
export function checkParse(bytes: Uint8Array, file: string, what: string): ElfFile | undefined {
  const t0 = performance.now();
  let elf: ElfFile | undefined;
  let escaped: unknown;
  let threw = false;
  try {
    elf = parseElf(bytes, file);
  } catch (e) {
    if (e instanceof ElfError) checkElfError(e, file, what);
    else {
      threw = true;
      escaped = e;
    }
  }
  const ms = performance.now() - t0;
  if (threw) {
    throw new FuzzFinding(`${what}: parseElf threw a host exception`, { cause: escaped });
  }
  if (ms > 5000) throw new FuzzFinding(`${what}: parseElf took ${ms.toFixed(0)} ms`);
  if (elf === undefined) return undefined;
  try {
    for (const s of elf.sections) {
      const d = elf.sectionData(s);
      const want = s.type === 8 || s.type === 0 ? 0 : s.size; // SHT_NOBITS, SHT_NULL: no contents
      if (d.length !== want) {
        throw new FuzzFinding(`${what}: section ${s.index} reads ${d.length} of ${s.size} bytes`);
      }
    }
    for (const name of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
      const arch = archByName(name);
      if (elf.machine === arch.elfMachine) {
        const k = Kallsyms.fromElf(elf, arch.kallsymsOptions);
        k.lookupName("do_fork");
        k.lookupAddress(elf.entry);
        k.procKallsyms();
      }
    }
  } catch (e) {
    if (e instanceof FuzzFinding) throw e;
    if (!(e instanceof KernelError)) {
      throw new FuzzFinding(`${what}: reading the parsed file threw a host exception`, {
        cause: e,
      });
    }
  }
  return elf;
}

/** Boots one input; a KernelError or a kernel is fine, anything else is a finding. */
export async function checkBoot(bytes: Uint8Array, arch: string, what: string): Promise<string> {
  try {
    const kernel = await Kernel.boot({ arch: arch as "x86_64", image: bytes });
    await kernel.shutdown();
    return "booted";
  } catch (e) {
    if (e instanceof KernelError) return e.name;
    throw new FuzzFinding(`${what}: Kernel.boot threw a host exception`, { cause: e });
  }
}

/** Options of the ELF target. */
export interface ElfTargetOptions {
  /** Probability that an input is also booted (kernel images only). */
  bootRate: number;
  /** Restrict booted inputs to metadata mutations (text and data untouched, so boots stay short). */
  bootMetaOnly: boolean;
}

/** The ELF fuzz target. */
export function elfTarget(options: ElfTargetOptions): FuzzTarget<Seed[]> {
  return {
    name: "elf",
    setup: loadElfCorpus,
    async one(rng, corpus) {
      const boot = rng.chance(options.bootRate);
      const pool = boot ? corpus.filter((s) => s.arch !== undefined) : corpus;
      const m = mutant(rng, pool, { meta: boot && options.bootMetaOnly });
      const what = `${m.seed.name} with ${m.steps.join(", ")}`;
      checkParse(m.bytes, m.seed.name, what);
      if (boot) {
        const arch = rng.chance(0.85)
          ? m.seed.arch!
          : rng.pick(["x86_64", "i386", "ppc64", "sparc64"]);
        await checkBoot(m.bytes, arch, `${what}, booted as ${arch}`);
      }
    },
  };
}

export { describe };
