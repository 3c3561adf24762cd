// Copyright 2026 the kprobes-sim authors. MIT license.
// CI run of the ELF loader fuzzer (see _elf.ts for the mutations and the
// contract): a fixed seed, a bounded number of inputs. A failure lists each
// input's seed; `FUZZ_SEED=<seed> deno test -A tests/fuzz/elf_fuzz_test.ts`
// replays it.

import assert from "node:assert/strict";
import { elfTarget } from "./_elf.ts";
import { type Finding, formatFindings, runFuzz } from "./_harness.ts";

const FILE = "tests/fuzz/elf_fuzz_test.ts";

/**
 * Host exceptions Kernel.boot() still lets out on a broken image, in code
 * this fuzzer's owner does not edit (issue 7 item 7 makes every host-facing
 * error a KernelError). LEAD: each is reported, not failed; delete an entry
 * once its fix lands so the fuzzer guards it.
 */
const KNOWN_BOOT_ESCAPES: { pattern: RegExp; where: string }[] = [
  {
    pattern: /Error: Cannot plant the kretprobe trampoline probes/,
    where: "probes/kretprobes.ts throws a plain Error when the trampoline text does not decode",
  },
  {
    pattern:
      /GuestMemoryError: [^\n]*\n(\s+at [^\n]*\n)*?\s+at Kernel\.#(taskRef|oops|currentTask)/,
    where: "kernel.ts #oops reads a wild `current` task pointer without a guard",
  },
  {
    pattern: /GuestMemoryError: [^\n]*\n(\s+at [^\n]*\n)*?\s+at Kernel\.#writeBootParams/,
    where:
      "kernel.ts #writeBootParams writes to boot_params without checking it lies in kernel RAM",
  },
];

function unknown(findings: Finding[]): Finding[] {
  return findings.filter((f) => {
    const known = KNOWN_BOOT_ESCAPES.find((k) => k.pattern.test(f.message));
    if (known !== undefined) {
      console.warn(
        `known (${known.where}): seed 0x${f.seed.toString(16)}: ${f.message.split("\n")[0]}`,
      );
    }
    return known === undefined;
  });
}

Deno.test("parseElf() on 5000 mutated images and fixtures returns or throws an ElfError naming offset and field", async () => {
  const r = await runFuzz(elfTarget({ bootRate: 0, bootMetaOnly: true }), { iterations: 5000 });
  assert.deepEqual(r.findings, [], formatFindings(r, FILE));
});

Deno.test("Kernel.boot() of 40 images with mutated ELF metadata boots or throws a KernelError", async () => {
  const r = await runFuzz(elfTarget({ bootRate: 1, bootMetaOnly: true }), {
    iterations: 40,
    seed: 0x626f6f74,
  });
  const left = unknown(r.findings);
  assert.deepEqual(left, [], formatFindings({ ...r, findings: left }, FILE));
});
