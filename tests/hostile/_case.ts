// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The catalogue of bad and hostile inputs (issue 7): every entry is one
 * input a careless or hostile user can give — a workload, a module, a
 * registration, a handler, a library call, a CLI invocation, an ELF file —
 * and the clean refusal it must get. Each area's `*_test.ts` in this folder
 * lists its cases with {@linkcode catalogue}; each case is its own test.
 *
 * @module
 */

/** Where a hostile input enters. */
export type HostileArea =
  | "workload"
  | "module"
  | "registration"
  | "handler"
  | "library"
  | "cli"
  | "elf"
  | "abi";

/** One bad input and the assertion that it is refused cleanly. */
export interface HostileCase {
  /** What the input is, e.g. `register_kprobe(null)`. */
  name: string;
  /** Runs the input and asserts the expected refusal (errno, error class and message, log line, exit code). */
  run(): void | Promise<void>;
}

/**
 * Registers each case as a test named `hostile/<area>: <name>`.
 *
 * @param area Where the inputs enter.
 * @param cases The cases.
 */
export function catalogue(area: HostileArea, cases: readonly HostileCase[]): void {
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.name)) throw new Error(`duplicate hostile case "${c.name}" in ${area}`);
    seen.add(c.name);
    Deno.test({
      name: `hostile/${area}: ${c.name}`,
      fn: c.run,
      sanitizeOps: false,
      sanitizeResources: false,
    });
  }
}
