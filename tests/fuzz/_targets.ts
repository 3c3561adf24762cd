// Copyright 2026 the kprobes-sim authors. MIT license.
// The fuzz targets as `deno task fuzz` runs them: larger inputs and rates
// than the CI runs in the *_fuzz_test.ts files.

import { elfTarget } from "./_elf.ts";
import type { FuzzTarget } from "./_harness.ts";
import { ppc64Target } from "./_ppc64.ts";
import { workloadTarget } from "./_workload.ts";
import { x86Target } from "./_x86.ts";

/** The names `--target` accepts. */
export const TARGET_NAMES = ["elf", "x86", "ppc64", "workload"] as const;
/** One of {@linkcode TARGET_NAMES}. */
export type TargetName = typeof TARGET_NAMES[number];

/** The long-run configuration of a target. */
export function longRunTarget(name: TargetName): FuzzTarget<unknown> {
  switch (name) {
    case "elf":
      // Boots any mutation, text and data included: a boot may run long
      // until the run-loop watchdog exists; the runner's --timeout reports it.
      return elfTarget({ bootRate: 0.05, bootMetaOnly: false }) as FuzzTarget<unknown>;
    case "x86":
      return x86Target({ decodes: 50, capstoneRate: 0.5, execute: true }) as FuzzTarget<unknown>;
    case "ppc64":
      return ppc64Target({ decodes: 50, capstoneRate: 0.5, execute: true }) as FuzzTarget<unknown>;
    case "workload":
      return workloadTarget({ maxInstructions: 5_000_000, hostile: true }) as FuzzTarget<unknown>;
  }
}
