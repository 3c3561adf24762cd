// Copyright 2026 the kprobes-sim authors. MIT license.
// CI run of the workload fuzzer (see _workload.ts): random values and
// mutated valid workloads given to Kernel.run(); the contract is a RunResult
// or a KernelError. `FUZZ_SEED=<seed>` replays one input.

import assert from "node:assert/strict";
import { formatFindings, runFuzz } from "./_harness.ts";
import { workloadTarget } from "./_workload.ts";

Deno.test("Kernel.run() on 150 random and mutated workloads returns a RunResult or throws a KernelError", async () => {
  const target = workloadTarget({ maxInstructions: 2_000_000, hostile: false });
  const r = await runFuzz(target, { iterations: 150 });
  const report = formatFindings(r, "tests/fuzz/workload_fuzz_test.ts");
  assert.deepEqual(r.findings, [], report);
});
