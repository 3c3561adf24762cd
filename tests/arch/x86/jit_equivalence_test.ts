// Copyright 2026 the kprobes-sim authors. MIT license.
// The block translator changes speed only: with it off (-1), at its default
// threshold, at 256 and forced on every block (0), the examples, the default
// workload and the difftruth calls give the same logs, system-call results
// and instruction counts, on x86_64 and i386. Probes armed inside translated
// blocks take effect, and faults inside them are reported at the exact
// instruction.

import assert from "node:assert/strict";
import { Kernel, type Kprobe } from "../../../mod.ts";
import { instructionsOf } from "../../_helpers.ts";

const ARCHES = ["x86_64", "i386"] as const;
// The default translates only looping code (little of these short runs), so
// 256 (the former default) stands for a mixed run too.
const THRESHOLDS = [-1, undefined, 256, 0] as const;
const EXAMPLES = new URL("../../../examples/", import.meta.url);
const DIFFTRUTH = new URL("../../testdata/difftruth/", import.meta.url);

/** What one configuration produced, compared across thresholds. */
interface Outcome {
  log: string[];
  results: unknown[];
  instructions: number;
}

async function withEach(
  arch: (typeof ARCHES)[number],
  drive: (kernel: Kernel) => Promise<unknown[]> | unknown[],
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const jitThreshold of THRESHOLDS) {
    await using kernel = await Kernel.boot({ arch, jitThreshold });
    const results = await drive(kernel);
    outcomes.push({ log: kernel.logLines.slice(), results, instructions: kernel.instructions });
  }
  return outcomes;
}

function assertSame(outcomes: Outcome[], what: string): void {
  for (let i = 1; i < outcomes.length; i++) {
    const t = THRESHOLDS[i];
    assert.deepEqual(outcomes[i].results, outcomes[0].results, `${what}: results, threshold ${t}`);
    assert.deepEqual(outcomes[i].log, outcomes[0].log, `${what}: log, threshold ${t}`);
    assert.equal(
      outcomes[i].instructions,
      outcomes[0].instructions,
      `${what}: instructions, threshold ${t}`,
    );
  }
}

for (const arch of ARCHES) {
  Deno.test(`Kernel jitThreshold gives the same default workload and examples on ${arch}`, async () => {
    const names = (await Array.fromAsync(Deno.readDir(EXAMPLES))).map((e) => e.name).filter((n) =>
      n.endsWith(".ts")
    ).sort();
    const outcomes = await withEach(arch, async (kernel) => {
      const out: unknown[] = [kernel.run()];
      for (const name of names) {
        const info = await kernel.insmod(new URL(name, EXAMPLES));
        out.push(kernel.run());
        kernel.rmmod(info.name);
      }
      out.push(kernel.run());
      return out;
    });
    assert.ok(outcomes[0].instructions > 10_000);
    assertSame(outcomes, `${arch} workload and examples`);
  });

  Deno.test(`Kernel jitThreshold gives the same difftruth calls on ${arch}`, async () => {
    const golden = JSON.parse(
      await Deno.readTextFile(new URL(`goldens-${arch}.json`, DIFFTRUTH)),
    ) as {
      arena: { out: number; in: number };
      calls: {
        fn: string;
        argv: { kind: string; offset?: number; bytes?: string; value?: string; bits?: number }[];
      }[];
    };
    const outcomes = await withEach(arch, (kernel) => {
      const base = 0x400000n + 0x400000n - 0x10000n;
      const outBase = base + BigInt(golden.arena.out);
      const inBase = base + BigInt(golden.arena.in);
      const results: unknown[] = [];
      for (const call of golden.calls) {
        if (kernel.kallsyms.lookupName(call.fn) === 0n) continue;
        kernel.memory.writeBytes(outBase, new Uint8Array(golden.arena.in - golden.arena.out));
        const args: bigint[] = [];
        for (const v of call.argv) {
          if (v.kind === "out") args.push(outBase + BigInt(v.offset!));
          else if (v.kind === "in") {
            const bytes = new Uint8Array(v.bytes!.length / 2).map((_, i) =>
              parseInt(v.bytes!.slice(2 * i, 2 * i + 2), 16)
            );
            kernel.memory.writeBytes(inBase + BigInt(v.offset!), bytes);
            args.push(inBase + BigInt(v.offset!));
          } else if (v.kind === "null") args.push(0n);
          else {
            const x = BigInt(v.value!);
            if (v.bits! > 32 && arch === "i386") {
              args.push(BigInt.asUintN(32, x), BigInt.asUintN(32, x >> 32n));
            } else args.push(x);
          }
        }
        results.push(call.fn, kernel.callFunction(call.fn, args));
        results.push([...kernel.memory.readBytes(outBase, 64)]);
      }
      return results;
    });
    assert.ok(outcomes[0].results.length > 100);
    assertSame(outcomes, `${arch} difftruth`);
  });

  Deno.test(`register_kprobe() inside a translated block takes effect and unregister restores it on ${arch}`, async () => {
    const outcomes = await withEach(arch, (kernel) => {
      // The third instruction of do_fork: inside the block at its entry.
      const target = instructionsOf(kernel, "do_fork")[2].addr;
      let hits = 0;
      const kp: Kprobe = { addr: target, pre_handler: () => void hits++ };
      const before = kernel.run();
      assert.equal(kernel.registerKprobe(kp), 0);
      const probed = kernel.run();
      const seen = hits;
      kernel.unregisterKprobe(kp);
      const after = kernel.run();
      assert.equal(hits, seen, "no hit after unregister_kprobe()");
      return [before, probed, seen, after];
    });
    const forks = (outcomes[0].results[1] as { syscalls: { call: string }[] }).syscalls
      .filter((s) => s.call === "fork").length;
    assert.ok(forks > 0);
    for (const o of outcomes) assert.equal(o.results[2], forks);
    assertSame(outcomes, `${arch} kprobe in a block`);
  });

  Deno.test(`Kernel.callFunction() faulting inside a translated loop names the exact instruction on ${arch}`, async () => {
    const outcomes = await withEach(arch, (kernel) => {
      const ok = 0x400000n;
      kernel.memory.writeBytes(ok, new TextEncoder().encode("hello, world\0"));
      const results: unknown[] = [];
      for (let i = 0; i < 40; i++) results.push(kernel.callFunction("strlen", [ok]));
      // No NUL before the end of the user area: the loop walks off it.
      const end = 0x400000n + 0x400000n;
      kernel.memory.writeBytes(end - 64n, new Uint8Array(64).fill(0x41));
      results.push(kernel.callFunction("strlen", [end - 64n]));
      return results;
    });
    const rip = outcomes[0].log.find((l) => /RIP:|EIP is at/.test(l));
    assert.ok(rip !== undefined && /strlen\+0x[1-9a-f]/.test(rip), `faulting line: ${rip}`);
    assertSame(outcomes, `${arch} fault in a block`);
  });
}
