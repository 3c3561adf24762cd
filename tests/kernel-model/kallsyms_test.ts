// Copyright 2026 the kprobes-sim authors. MIT license.
import assert from "node:assert/strict";
import { type ElfFile, parseElf } from "../../kernel-model/elf.ts";
import { SymbolError } from "../../kernel-model/errors.ts";
import { Kallsyms, nmSymbols } from "../../kernel-model/kallsyms.ts";
import { type NmLine, parseNm, readFixture, readGolden } from "./_elf_goldens.ts";

function load(file: string): { elf: ElfFile; nm: NmLine[] } {
  const elf = parseElf(readFixture(file), file);
  return { elf, nm: parseNm(readGolden(`${file}.nm`), elf.class) };
}

/** The nm golden's value of a symbol. */
function nmValue(nm: NmLine[], name: string): bigint {
  const line = nm.find((l) => l.name === name);
  assert.ok(line?.value !== undefined, `${name} is not in the nm golden`);
  return line.value;
}

const PPC64_RESOLVE = (name: string) => name.startsWith(".") ? [name] : ["." + name, name];

for (const file of ["elf_x86_64.o", "elf_x86_64", "elf_i386", "elf_ppc64"]) {
  Deno.test(`nmSymbols() gives the letters nm prints for ${file}`, () => {
    const { elf, nm } = load(file);
    const got = nmSymbols(elf).map(({ symbol, type }) => `${type} ${symbol.name}`).sort();
    const want = nm.map((l) => `${l.type} ${l.name}`).sort();
    assert.deepEqual(got, want);
  });

  Deno.test(`Kallsyms.fromElf() lists every defined, named nm symbol of ${file}`, () => {
    const { elf, nm } = load(file);
    const got = Kallsyms.fromElf(elf).symbols().map((s) =>
      `${s.address.toString(16)} ${s.type} ${s.name}`
    ).sort();
    const want = nm.filter((l) => l.value !== undefined && l.name !== "")
      .map((l) => `${l.value!.toString(16)} ${l.type} ${l.name}`).sort();
    assert.deepEqual(got, want);
  });
}

Deno.test("nmSymbols() covers every nm letter the fixtures were built to show", () => {
  const letters = new Set<string>();
  for (const file of ["elf_x86_64.o", "elf_x86_64", "elf_ppc64"]) {
    for (const { type } of nmSymbols(load(file).elf)) letters.add(type);
  }
  assert.deepEqual([...letters].sort(), [..."ABCDNRTUVWabdinrtuvw"].sort());
});

Deno.test("Kallsyms.lookupName() returns the address of a symbol, 0n when absent", () => {
  const { elf, nm } = load("elf_x86_64");
  const kallsyms = Kallsyms.fromElf(elf);
  for (const name of ["do_fork", "local_func", "global_data", "abs_global", "_end"]) {
    assert.equal(kallsyms.lookupName(name), nmValue(nm, name), name);
  }
  assert.equal(kallsyms.lookupName("do_frok"), 0n);
  assert.equal(kallsyms.lookupName(""), 0n);
});

Deno.test("Kallsyms.lookupAddress() finds the containing symbol with its st_size", () => {
  const { elf, nm } = load("elf_x86_64");
  const kallsyms = Kallsyms.fromElf(elf);
  const doFork = nmValue(nm, "do_fork");
  const size = nm.find((l) => l.name === "do_fork")!.size!;
  // do_fork_alias shares the address: ties go to the name nm -n lists first.
  assert.deepEqual(kallsyms.lookupAddress(doFork + 4n), {
    name: "do_fork",
    address: doFork,
    offset: 4n,
    size,
    symbolSize: size,
  });
  assert.equal(
    kallsyms.formatAddress(doFork + size - 1n),
    `do_fork+0x${(size - 1n).toString(16)}/0x${size.toString(16)}`,
  );
  const local = nmValue(nm, "local_func");
  assert.equal(kallsyms.formatAddress(local + 9n), "local_func+0x9/0xa");
});

Deno.test("Kallsyms.lookupAddress() prefers ordinary names to linker-provided ones at one address", () => {
  const { elf, nm } = load("elf_x86_64");
  const kallsyms = Kallsyms.fromElf(elf);
  const start = nmValue(nm, "_start");
  assert.equal(nmValue(nm, "__start_marker"), start);
  assert.equal(kallsyms.formatAddress(start), "_start+0x0/0x1");
});

Deno.test("Kallsyms.lookupAddress() sizes unsized symbols and padding by the next symbol", () => {
  const { elf, nm } = load("elf_x86_64");
  const kallsyms = Kallsyms.fromElf(elf);
  // ifunc_sym has no st_size: it runs to weak_func.
  const ifunc = nmValue(nm, "ifunc_sym");
  assert.equal(
    kallsyms.formatAddress(ifunc),
    `ifunc_sym+0x0/0x${(nmValue(nm, "weak_func") - ifunc).toString(16)}`,
  );
  // kretprobe_trampoline is 2 bytes, then alignment padding up to .rodata.
  const tramp = nmValue(nm, "kretprobe_trampoline");
  const next = nmValue(nm, "local_rodata");
  assert.ok(next - tramp > 2n);
  assert.equal(kallsyms.formatAddress(tramp + 1n), "kretprobe_trampoline+0x1/0x2");
  assert.equal(
    kallsyms.formatAddress(tramp + 2n),
    `kretprobe_trampoline+0x2/0x${(next - tramp).toString(16)}`,
  );
});

Deno.test("Kallsyms.lookupAddress() never matches absolute, non-allocated or TLS symbols", () => {
  const { elf, nm } = load("elf_x86_64");
  const kallsyms = Kallsyms.fromElf(elf);
  assert.equal(kallsyms.lookupAddress(nmValue(nm, "abs_global")), undefined);
  assert.equal(kallsyms.lookupAddress(0n), undefined); // note_sym, debug_sym, tls_var
  assert.equal(kallsyms.lookupAddress(nmValue(nm, "_start") - 1n), undefined);
  assert.equal(kallsyms.formatAddress(0x1234n), "0x1234");
  const end = nmValue(nm, "_end");
  assert.equal(kallsyms.formatAddress(end), "_end+0x0/0x0");
  assert.equal(kallsyms.lookupAddress(end + 1n), undefined);
});

Deno.test("Kallsyms.procKallsyms() prints %016lx %c %s lines sorted by address", () => {
  const { elf, nm } = load("elf_x86_64");
  const text = Kallsyms.fromElf(elf).procKallsyms();
  assert.ok(text.endsWith("\n"));
  const lines = text.slice(0, -1).split("\n");
  const named = nm.filter((l) => l.value !== undefined && l.name !== "");
  assert.equal(lines.length, named.length);
  let previous = -1n;
  for (const line of lines) {
    const m = /^([0-9a-f]{16}) ([A-Za-z]) (\S+)$/.exec(line);
    assert.ok(m !== null, line);
    const address = BigInt(`0x${m[1]}`);
    assert.ok(address >= previous, `${line} is out of order`);
    previous = address;
    assert.ok(named.some((l) => l.value === address && l.type === m[2] && l.name === m[3]), line);
  }
  const doFork = nmValue(nm, "do_fork").toString(16).padStart(16, "0");
  assert.ok(lines.includes(`${doFork} T do_fork`));
  assert.ok(lines.indexOf(`${doFork} T do_fork`) < lines.indexOf(`${doFork} T do_fork_alias`));
});

Deno.test("Kallsyms.procKallsyms() prints %08lx addresses for a 32-bit kernel", () => {
  const { elf, nm } = load("elf_i386");
  const lines = Kallsyms.fromElf(elf).procKallsyms().trimEnd().split("\n");
  assert.ok(lines.every((line) => /^[0-9a-f]{8} [A-Za-z] \S+$/.test(line)), lines.join("\n"));
  const doFork = nmValue(nm, "do_fork").toString(16).padStart(8, "0");
  assert.ok(lines.includes(`${doFork} T do_fork`));
  assert.ok(lines.includes("00001234 A abs_global"));
});

Deno.test("Kallsyms.addSymbols() adds module symbols shown with a [module] suffix", () => {
  const { elf } = load("elf_x86_64");
  const kallsyms = Kallsyms.fromElf(elf);
  const base = 0xffffffffa0000000n;
  kallsyms.addSymbols([
    { name: "handler_pre", address: base, size: 0x40n, type: "t" },
    { name: "handler_post", address: base + 0x40n, type: "t" },
    { name: "kp", address: base + 0x1000n, size: 0x80n, type: "d" },
  ], "kprobe_example");
  assert.equal(kallsyms.lookupName("handler_post"), base + 0x40n);
  assert.equal(kallsyms.lookupName("kprobe_example:kp"), base + 0x1000n);
  assert.equal(kallsyms.lookupName("other:kp"), 0n);
  assert.equal(kallsyms.formatAddress(base + 0x10n), "handler_pre+0x10/0x40 [kprobe_example]");
  assert.equal(kallsyms.formatAddress(base + 0x44n), "handler_post+0x4/0xfc0 [kprobe_example]");
  assert.deepEqual(kallsyms.lookupAddress(base + 0x1008n), {
    name: "kp",
    address: base + 0x1000n,
    offset: 8n,
    size: 0x80n,
    symbolSize: 0x80n,
    module: "kprobe_example",
  });
  const text = kallsyms.procKallsyms();
  assert.ok(
    text.endsWith(
      "ffffffffa0000000 t handler_pre\t[kprobe_example]\n" +
        "ffffffffa0000040 t handler_post\t[kprobe_example]\n" +
        "ffffffffa0001000 d kp\t[kprobe_example]\n",
    ),
  );
  assert.equal(kallsyms.removeModule("kprobe_example"), 3);
  assert.equal(kallsyms.lookupName("handler_pre"), 0n);
  assert.equal(kallsyms.formatAddress(base + 0x10n), "0xffffffffa0000010");
  assert.ok(!kallsyms.procKallsyms().includes("[kprobe_example]"));
});

Deno.test("Kallsyms.lookupName() prefers kernel symbols to module symbols of the same name", () => {
  const { elf, nm } = load("elf_x86_64");
  const kallsyms = Kallsyms.fromElf(elf);
  kallsyms.addSymbols([{ name: "do_fork", address: 0xffffffffa0000000n, type: "t" }], "shadow");
  assert.equal(kallsyms.lookupName("do_fork"), nmValue(nm, "do_fork"));
  assert.equal(kallsyms.lookupName("shadow:do_fork"), 0xffffffffa0000000n);
});

Deno.test("Kallsyms.addSymbols() throws SymbolError for an empty name or a bad type", () => {
  const kallsyms = new Kallsyms();
  assert.throws(
    () => kallsyms.addSymbols([{ name: "", address: 0x10n, type: "t" }], "m"),
    (err: unknown) => err instanceof SymbolError && /the name is empty/.test(err.message),
  );
  assert.throws(
    () => kallsyms.addSymbols([{ name: "f", address: 0x10n, type: "TT" }], "m"),
    (err: unknown) =>
      err instanceof SymbolError &&
      err.message === 'Cannot add symbol "f": type "TT" is not an nm type letter',
  );
  assert.equal(kallsyms.symbols().length, 0);
});

Deno.test("Kallsyms resolveName hook resolves ppc64 ELFv1 dot symbols", () => {
  const { elf, nm } = load("elf_ppc64");
  const plain = Kallsyms.fromElf(elf);
  assert.equal(plain.lookupName("do_fork"), nmValue(nm, "do_fork")); // the descriptor, D
  assert.equal(plain.lookupSymbol("do_fork")?.type, "D");
  const ppc64 = Kallsyms.fromElf(elf, { resolveName: PPC64_RESOLVE });
  assert.equal(ppc64.lookupName("do_fork"), nmValue(nm, ".do_fork")); // the text entry, T
  assert.equal(ppc64.lookupName(".sys_open"), nmValue(nm, ".sys_open"));
  assert.equal(ppc64.lookupName("nr_tasks"), nmValue(nm, "nr_tasks"));
  assert.equal(ppc64.lookupName("missing"), 0n);
  const entry = nmValue(nm, ".do_fork");
  assert.equal(ppc64.formatAddress(entry + 8n), ".do_fork+0x8/0x20");
  assert.equal(ppc64.formatAddress(nmValue(nm, "do_fork")), "do_fork+0x0/0x18");
  assert.ok(ppc64.procKallsyms().includes(`${entry.toString(16).padStart(16, "0")} T .do_fork\n`));
});
