// Copyright 2026 the kprobes-sim authors. MIT license.
// Kernel.boot() reuses the parse of an image read again with the same bytes
// (_image.ts); these check that the reuse never shows.

import assert from "node:assert/strict";
import { Kernel } from "../../mod.ts";
import { Kallsyms, parseElf } from "../../kernel-model/mod.ts";

const images = new URL("../../kernel-model/vmlinux/images/", import.meta.url);

Deno.test("Kernel.boot() re-reads an image file whose bytes changed under the same name", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/vmlinux`;
  try {
    await Deno.copyFile(new URL("vmlinux-x86_64", images), path);
    await (await Kernel.boot({ arch: "x86_64", image: path })).shutdown();
    await Deno.copyFile(new URL("vmlinux-i386", images), path);
    await using kernel = await Kernel.boot({ arch: "i386", image: path });
    assert.equal(kernel.arch, "i386");
    assert.match(kernel.procKallsyms(), /^c0[0-9a-f]{6} T do_fork$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Kallsyms.fromElf() tables of one frozen image stay apart when symbols are added", async () => {
  const bytes = await Deno.readFile(new URL("vmlinux-x86_64", images));
  const elf = Object.freeze(parseElf(bytes, "vmlinux-x86_64"));
  const a = Kallsyms.fromElf(elf);
  const b = Kallsyms.fromElf(elf);
  const before = b.procKallsyms();
  a.addSymbols([{ name: "zz_added", address: 0xffffffff81000001n, type: "T" }]);
  a.addSymbols([{ name: "zz_mod", address: 0xffffffffa0000000n, type: "t" }], "m");
  assert.notEqual(a.lookupName("zz_added"), 0n);
  assert.equal(b.lookupName("zz_added"), 0n);
  assert.equal(b.procKallsyms(), before);
  assert.equal(Kallsyms.fromElf(elf).procKallsyms(), before);
  assert.notEqual(b.lookupName("do_fork"), 0n);
});
