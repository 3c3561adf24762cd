// Copyright 2026 the kprobes-sim authors. MIT license.
// loadArch(): the lazy registry Kernel.boot() uses, against the synchronous one.

import assert from "node:assert/strict";
import { ARCH_NAMES, archByName, archUserSize, loadArch } from "../../arch/mod.ts";

Deno.test("loadArch() gives the object archByName() gives, for every name", async () => {
  for (const name of ARCH_NAMES) assert.equal(await loadArch(name), archByName(name), name);
});

Deno.test("loadArch() refuses an unknown name with the registry's message", async () => {
  await assert.rejects(() => loadArch("sparc"), (e: unknown) => {
    assert.ok(e instanceof RangeError);
    assert.throws(() => archByName("sparc"), { message: e.message });
    assert.match(e.message, /^Cannot boot architecture "sparc": this build supports x86_64, /);
    return true;
  });
});

Deno.test("archUserSize() is every arch's userSize, without loading the arch", () => {
  for (const name of ARCH_NAMES) assert.equal(archUserSize(name), archByName(name).userSize, name);
  assert.equal(ARCH_NAMES.length, 4);
});
