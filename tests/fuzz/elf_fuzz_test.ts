// Copyright 2026 the kprobes-sim authors. MIT license.
// CI run of the ELF loader fuzzer (see _elf.ts for the mutations and the
// contract): a fixed seed, a bounded number of inputs. A failure lists each
// input's seed; `FUZZ_SEED=<seed> deno test -A tests/fuzz/elf_fuzz_test.ts`
// replays it.

import assert from "node:assert/strict";
import { elfTarget } from "./_elf.ts";
import { formatFindings, runFuzz } from "./_harness.ts";

const FILE = "tests/fuzz/elf_fuzz_test.ts";

Deno.test("parseElf() on 5000 mutated images and fixtures returns or throws an ElfError naming offset and field", async () => {
  const r = await runFuzz(elfTarget({ bootRate: 0, bootMetaOnly: true }), { iterations: 5000 });
  assert.deepEqual(r.findings, [], formatFindings(r, FILE));
});

Deno.test("Kernel.boot() of 40 images with mutated ELF metadata boots or throws a KernelError", async () => {
  const r = await runFuzz(elfTarget({ bootRate: 1, bootMetaOnly: true }), {
    iterations: 40,
    seed: 0x626f6f74,
  });
  assert.deepEqual(r.findings, [], formatFindings(r, FILE));
});
