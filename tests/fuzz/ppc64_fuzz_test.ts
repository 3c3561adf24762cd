// Copyright 2026 the kprobes-sim authors. MIT license.
// CI run of the ppc64 decoder and interpreter fuzzer (see _ppc64.ts): a
// fixed seed, a bounded number of inputs; `FUZZ_SEED=<seed>` replays one.

import assert from "node:assert/strict";
import { formatFindings, runFuzz } from "./_harness.ts";
import { ppc64Target } from "./_ppc64.ts";

Deno.test("decodePpc64() and Ppc64Cpu.run() on 1200 random and mutated inputs: validity agrees with Capstone, every stop is an arch interrupt", async () => {
  const r = await runFuzz(ppc64Target({ decodes: 40, capstoneRate: 0.5, execute: true }), {
    iterations: 1200,
  });
  assert.deepEqual(r.findings, [], formatFindings(r, "tests/fuzz/ppc64_fuzz_test.ts"));
});
