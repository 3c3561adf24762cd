// Copyright 2026 the kprobes-sim authors. MIT license.
// CI run of the workload fuzzer (see _workload.ts): random values and
// mutated valid workloads given to Kernel.run(); the contract is a RunResult
// or a KernelError. `FUZZ_SEED=<seed>` replays one input.

import assert from "node:assert/strict";
import * as lib from "../../mod.ts";
import { formatFindings, runFuzz } from "./_harness.ts";
import { workloadTarget } from "./_workload.ts";

/**
 * LEAD: workload schema validation (issue 7 item 6, `WorkloadError extends
 * KernelError`) is being written in parallel. Until `mod.ts` exports
 * WorkloadError this test reports the host exceptions it finds on today's
 * code and asserts that it does find some (the fuzzer works); once it
 * exports it, every finding fails the test.
 */
const VALIDATION_LANDED = "WorkloadError" in lib;

Deno.test("Kernel.run() on 150 random and mutated workloads returns a RunResult or throws a KernelError", async () => {
  const target = workloadTarget({ maxInstructions: 2_000_000, hostile: false });
  const r = await runFuzz(target, { iterations: 150 });
  const report = formatFindings(r, "tests/fuzz/workload_fuzz_test.ts");
  if (VALIDATION_LANDED) {
    assert.deepEqual(r.findings, [], report);
  } else {
    console.warn(`workload validation has not landed; today's host exceptions:\n${report}`);
    assert.ok(r.findings.length > 0, "the fuzzer finds today's unvalidated workloads");
  }
});
