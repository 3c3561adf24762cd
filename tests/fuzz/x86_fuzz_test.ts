// Copyright 2026 the kprobes-sim authors. MIT license.
// CI run of the x86 decoder and interpreter fuzzer (see _x86.ts): a fixed
// seed, a bounded number of inputs; `FUZZ_SEED=<seed>` replays one.

import assert from "node:assert/strict";
import { formatFindings, runFuzz } from "./_harness.ts";
import { x86Target } from "./_x86.ts";

Deno.test("decodeX86() and X86Cpu.run() on 1500 random and mutated inputs: lengths agree with Capstone, every stop is an arch trap", async () => {
  const r = await runFuzz(x86Target({ decodes: 40, capstoneRate: 0.5, execute: true }), {
    iterations: 1500,
  });
  assert.deepEqual(r.findings, [], formatFindings(r, "tests/fuzz/x86_fuzz_test.ts"));
});
