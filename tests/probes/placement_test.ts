// Copyright 2026 the kprobes-sim authors. MIT license.
// Placement (issue 7): boundary checks and slot copies decode the original
// text, never another probe's breakpoint; after any sequence of register,
// unregister and enable/disable, kernel text is the ELF image again.

import assert from "node:assert/strict";
import { EILSEQ, type Kernel, type Kprobe } from "../../mod.ts";
import { boot, jumpSize, optimizedAddrs } from "../_helpers.ts";
import { type SweepArch, type SweepBase, sweepBase, type SweepPoint } from "../_sweep.ts";

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pointsOf(base: SweepBase, fn: string): SweepPoint[] {
  return base.points.filter((p) => p.where.startsWith(`${fn}+`));
}

/** Offset of the first byte where text differs from the image outside `armed`, or -1. */
function textDiff(kernel: Kernel, base: SweepBase, armed: Set<bigint>, bpLen: number): number {
  const now = kernel.memory.readBytes(base.text[0], base.textBytes.length);
  const skip = new Set<number>();
  for (const a of armed) for (let i = 0; i < bpLen; i++) skip.add(Number(a - base.text[0]) + i);
  for (const a of optimizedAddrs(kernel)) {
    for (let i = 0; i < jumpSize(base.arch); i++) skip.add(Number(a - base.text[0]) + i);
  }
  for (let i = 0; i < now.length; i++) {
    if (!skip.has(i) && now[i] !== base.textBytes[i]) return i;
  }
  return -1;
}

for (const arch of ["x86_64", "i386"] as const) {
  Deno.test(`register_kprobe() walks do_fork's original instructions past another probe's int3 on ${arch}`, async () => {
    const base = await sweepBase(arch);
    await using kernel = await boot({ arch, image: base.image });
    const insns = pointsOf(base, "do_fork");
    const fnEnd = kernel.kallsyms.lookupName("do_fork") +
      kernel.kallsyms.lookupSymbol("do_fork")!.size;
    let checked = 0;
    for (let i = 0; i + 1 < insns.length; i++) {
      const a: Kprobe = { addr: insns[i].addr };
      assert.equal(kernel.registerKprobe(a), 0, insns[i].where);
      for (let j = i + 1; j < Math.min(i + 4, insns.length); j++) {
        const start = insns[j].addr;
        const end = j + 1 < insns.length ? insns[j + 1].addr : fnEnd;
        const b: Kprobe = { addr: start };
        assert.equal(kernel.registerKprobe(b), 0, `${insns[j].where} after ${insns[i].where}`);
        kernel.unregisterKprobe(b);
        for (let mid = start + 1n; mid < end; mid++) {
          const c: Kprobe = { addr: mid };
          assert.equal(
            kernel.registerKprobe(c),
            -EILSEQ,
            `mid-instruction after ${insns[i].where}`,
          );
          checked++;
        }
      }
      kernel.unregisterKprobe(a);
    }
    assert.ok(checked > 100);
    assert.equal(textDiff(kernel, base, new Set(), 1), -1);
  });
}

Deno.test("unregistering a probe next to one at strlen+0 leaves strlen intact", async () => {
  for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
    const base = await sweepBase(arch);
    await using kernel = await boot({ arch, image: base.image });
    const strlen = pointsOf(base, arch === "ppc64" ? ".strlen" : "strlen");
    const first: Kprobe = { addr: strlen[0].addr };
    assert.equal(kernel.registerKprobe(first), 0);
    for (const p of strlen.slice(1)) {
      const other: Kprobe = { addr: p.addr };
      assert.equal(kernel.registerKprobe(other), 0, `${arch} ${p.where}`);
      kernel.unregisterKprobe(other);
      assert.equal(kernel.callFunction("strlen", [""]), 0n, `${arch} ${p.where}`);
      assert.equal(kernel.callFunction("strlen", ["kprobes"]), 7n, `${arch} ${p.where}`);
    }
    kernel.unregisterKprobe(first);
    assert.equal(textDiff(kernel, base, new Set(), 1), -1, arch);
  }
});

for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const satisfies readonly SweepArch[]) {
  Deno.test(`random register/unregister/enable sequences leave text equal to the ELF image on ${arch}`, async () => {
    const base = await sweepBase(arch);
    const bpLen = arch === "ppc64" || arch === "sparc64" ? 4 : 1;
    const boundaries = new Set(base.points.map((p) => p.addr));
    for (const seed of [1, 2, 3]) {
      await using kernel = await boot({ arch, image: base.image });
      const rnd = prng(seed * 7919);
      const inText = base.points.filter((p) => p.addr < base.text[1]);
      // Neighbouring boundaries make adjacent probes likely.
      const pool: SweepPoint[] = [];
      for (let i = 0; i < 12; i++) {
        const k = Math.floor(rnd() * (inText.length - 4));
        pool.push(...inText.slice(k, k + 4));
        // And a byte inside an instruction, which must be refused.
        pool.push({ addr: inText[k].addr + 1n, where: `${inText[k].where}+1` });
      }
      const live: Kprobe[] = [];
      for (let op = 0; op < 300; op++) {
        const x = rnd();
        if (x < 0.5) {
          const p = pool[Math.floor(rnd() * pool.length)];
          const kp: Kprobe = { addr: p.addr, pre_handler: () => 0 };
          if (kernel.registerKprobe(kp) === 0) {
            assert.ok(boundaries.has(p.addr), `seed ${seed} op ${op}: ${p.where} accepted`);
            live.push(kp);
          }
        } else if (x < 0.9 && live.length > 0) {
          const [kp] = live.splice(Math.floor(rnd() * live.length), 1);
          kernel.unregisterKprobe(kp);
        } else {
          kernel.setKprobesEnabled(!kernel.kprobesEnabled);
        }
        const armed = new Set(
          kernel.kprobesEnabled ? live.map((kp) => BigInt(kp.addr!)) : [],
        );
        const at = textDiff(kernel, base, armed, bpLen);
        assert.equal(at, -1, `seed ${seed} op ${op}: text differs at +0x${at.toString(16)}`);
      }
      for (const kp of live) kernel.unregisterKprobe(kp);
      kernel.setKprobesEnabled(true);
      assert.equal(textDiff(kernel, base, new Set(), bpLen), -1);
      assert.equal(kernel.callFunction("strlen", [""]), 0n);
    }
  });
}
