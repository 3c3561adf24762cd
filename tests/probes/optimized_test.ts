// Copyright 2026 the kprobes-sim authors. MIT license.
// Optimized kprobes (issue 10): the optimizer replaces a probe's int3 by a
// jump to a detour buffer where Linux 6.1's rules allow it, the handlers see
// the registers as at the probe, and everything that must undo it does.

import assert from "node:assert/strict";
import { I386_ONLY, X86_64_ONLY } from "../../arch/_common/pt_regs.ts";
import { decodeX86 } from "../../arch/x86/decode.ts";
import {
  jprobe_return,
  KernelError,
  type Kprobe,
  type Kretprobe,
  type Workload,
} from "../../mod.ts";
import { boot, optimizedAddrs } from "../_helpers.ts";
import { type SweepBase, sweepBase, type SweepPoint } from "../_sweep.ts";

const X86 = ["x86_64", "i386"] as const;

/** The kprobe_bench system call: `n` calls of do_fork that fail at once. */
const benchLoop = (n: number): Workload => ({
  init: [{ call: "syscall", nr: 500, args: [n, 0x10000] }],
});

/** The registers a handler sees, as one comparable string. */
function snapshot(regs: Record<string, unknown>, arch: string): string {
  // The general registers and the instruction pointer of the arch's own
  // pt_regs view (not orig_*/xcs), then EFLAGS.
  const own = arch === "x86_64" ? X86_64_ONLY : I386_ONLY;
  const names = [...own.filter((n) => !n.startsWith("orig_") && n !== "xcs"), "eflags"];
  return names.map((n) => `${n}=${String(regs[n])}`).join(" ");
}

function pointsOf(base: SweepBase, fn: string): SweepPoint[] {
  return base.points.filter((p) => p.where.startsWith(`${fn}+`));
}

function decodeAt(base: SweepBase, addr: bigint, mode: 64 | 32) {
  const off = Number(addr - base.text[0]);
  return decodeX86(base.textBytes.subarray(off, off + 16), 0, mode);
}

for (const arch of X86) {
  const mode = arch === "x86_64" ? 64 : 32;

  Deno.test(`optimized kprobe sees the registers an int3 probe sees, IP = addr + 1, on ${arch}`, async () => {
    const base = await sweepBase(arch);
    let compared = 0;
    const points = [...pointsOf(base, "strlen"), ...pointsOf(base, "strcmp")];
    for (const pt of points) {
      const seen: Record<string, string[]> = {};
      for (const optimize of [true, false]) {
        await using kernel = await boot({
          arch,
          image: base.image,
          kprobesOptimization: optimize,
          kprobesOptimizeDelay: 0,
        });
        const got: string[] = [];
        const kp: Kprobe = {
          addr: pt.addr,
          pre_handler: (_p, regs) => {
            got.push(snapshot(regs as unknown as Record<string, unknown>, arch));
            return 0;
          },
        };
        assert.equal(kernel.registerKprobe(kp), 0);
        // strlen+0 (a je in its first 5 bytes) or strlen+0x11 (the je's
        // target inside them) stay int3 probes; the others are optimized.
        if (optimize && !optimizedAddrs(kernel).has(pt.addr)) break;
        if (!optimize) assert.ok(!optimizedAddrs(kernel).has(pt.addr));
        assert.equal(kernel.callFunction("strlen", ["kprobes"]), 7n);
        assert.equal(kernel.callFunction("strlen", [""]), 0n);
        assert.notEqual(kernel.callFunction("strcmp", ["kprobes", "kprobed"]), 0n);
        kernel.unregisterKprobe(kp);
        seen[String(optimize)] = got;
        const ip = arch === "x86_64" ? "rip" : "eip";
        for (const g of got) assert.match(g, new RegExp(`${ip}=${pt.addr + 1n}\\b`));
      }
      if (seen.false === undefined || seen.true.length === 0) continue;
      assert.deepEqual(seen.true, seen.false, pt.where);
      compared++;
    }
    assert.ok(compared >= 2, `${compared} points compared`);
  });

  Deno.test(`an optimized kprobe is listed [OPTIMIZED] and unregistering restores the image's bytes on ${arch}`, async () => {
    const base = await sweepBase(arch);
    await using kernel = await boot({ arch, image: base.image, kprobesOptimizeDelay: 0 });
    const kp: Kprobe = { symbol_name: "do_fork", pre_handler: () => 0 };
    assert.equal(kernel.registerKprobe(kp), 0);
    const addr = BigInt(kp.addr!);
    assert.match(kernel.kprobesList(), /do_fork\+0x0 \[OPTIMIZED\]\n$/);
    assert.equal(kernel.memory.readU8(addr), 0xe9, "jmp rel32");
    const r = kernel.run({ workload: benchLoop(100) });
    assert.ok(r.completed);
    assert.equal(kernel.kprobeHits(kp), 100 + 0);
    kernel.unregisterKprobe(kp);
    const now = kernel.memory.readBytes(base.text[0], base.textBytes.length);
    assert.deepEqual(now, base.textBytes);
  });

  Deno.test(`the optimizer waits kprobesOptimizeDelay ticks of guest time on ${arch}`, async () => {
    await using kernel = await boot({ arch, kprobesOptimizeDelay: 3 });
    const kp: Kprobe = { symbol_name: "do_fork", pre_handler: () => 0 };
    assert.equal(kernel.registerKprobe(kp), 0);
    const addr = BigInt(kp.addr!);
    assert.equal(kernel.memory.readU8(addr), 0xcc, "an int3 probe first");
    // 100,000 back-to-back do_fork calls: several million instructions, a few ticks.
    assert.ok(kernel.run({ workload: benchLoop(100_000) }).completed);
    assert.ok(optimizedAddrs(kernel).has(addr), "optimized after the delay");
    const hits = kernel.kprobeHits(kp);
    assert.ok(kernel.run({ workload: benchLoop(1000) }).completed);
    assert.equal(kernel.kprobeHits(kp), hits + 1000, "every call hits, int3 or jump");
  });

  Deno.test(`probes Linux would not optimize stay int3 probes on ${arch}`, async () => {
    const base = await sweepBase(arch);
    await using kernel = await boot({ arch, image: base.image, kprobesOptimizeDelay: 0 });
    const isInt3 = (kp: Kprobe) => kernel.memory.readU8(BigInt(kp.addr!)) === 0xcc;
    // A post_handler.
    const post: Kprobe = { symbol_name: "do_fork", pre_handler: () => 0, post_handler: () => {} };
    assert.equal(kernel.registerKprobe(post), 0);
    assert.ok(isInt3(post), "post_handler");
    kernel.unregisterKprobe(post);
    // A jprobe (break_handler).
    const jp = { kp: { symbol_name: "do_fork" } as Kprobe, entry: () => jprobe_return() };
    assert.equal(kernel.registerJprobe(jp), 0);
    assert.ok(isInt3(jp.kp), "jprobe");
    kernel.unregisterJprobe(jp);
    // A call, which cannot run out of line and fall through (can_boost()).
    const call = base.points.find((p) =>
      p.where.startsWith("do_fork+") && decodeAt(base, p.addr, mode).opcode === 0xe8
    );
    assert.ok(call !== undefined);
    const kc: Kprobe = { addr: call.addr, pre_handler: () => 0 };
    assert.equal(kernel.registerKprobe(kc), 0);
    assert.ok(isInt3(kc), `call at ${call.where}`);
    kernel.unregisterKprobe(kc);
    // A jump of the function into the bytes the jump would replace.
    const targets = new Set<bigint>();
    for (const p of base.points) {
      const d = decodeAt(base, p.addr, mode);
      const op = d.opcode;
      const rel = (op >= 0x70 && op <= 0x7f) || op === 0xe9 || op === 0xeb ||
        (op >= 0x180 && op <= 0x18f);
      if (rel) targets.add(BigInt.asUintN(mode, p.addr + BigInt(d.length) + BigInt(d.imm | 0)));
    }
    const fnOf = (w: string) => w.slice(0, w.indexOf("+"));
    const into = base.points.find((p, i) => {
      const next = base.points[i + 1];
      if (next === undefined || fnOf(next.where) !== fnOf(p.where)) return false;
      if (!targets.has(next.addr) || next.addr - p.addr > 4n) return false;
      if (p.addr >= base.text[1]) return false;
      const d = decodeAt(base, p.addr, mode);
      return d.opcode === 0x89 || d.opcode === 0x8b || (d.opcode >= 0x50 && d.opcode <= 0x5f);
    });
    assert.ok(into !== undefined, "a point with a jump target in its next 4 bytes");
    const kj: Kprobe = { addr: into.addr, pre_handler: () => 0 };
    if (kernel.registerKprobe(kj) === 0) {
      assert.ok(isInt3(kj), `jump target after ${into.where}`);
      kernel.unregisterKprobe(kj);
    }
    // Another probe inside the replaced bytes unoptimizes the first.
    const fork = pointsOf(base, "do_fork");
    const a: Kprobe = { addr: fork[0].addr, pre_handler: () => 0 };
    assert.equal(kernel.registerKprobe(a), 0);
    assert.ok(optimizedAddrs(kernel).has(fork[0].addr));
    const inside = fork.find((p) => p.addr > fork[0].addr && p.addr < fork[0].addr + 5n);
    assert.ok(inside !== undefined);
    const b: Kprobe = { addr: inside.addr, pre_handler: () => 0 };
    assert.equal(kernel.registerKprobe(b), 0);
    assert.ok(isInt3(a), "a is an int3 probe again");
    assert.ok(!optimizedAddrs(kernel).has(fork[0].addr));
    assert.ok(kernel.run({ workload: benchLoop(10) }).completed);
    assert.equal(kernel.kprobeHits(a), 10);
    assert.equal(kernel.kprobeHits(b), 10);
    kernel.unregisterKprobe(b);
    assert.ok(optimizedAddrs(kernel).has(fork[0].addr), "optimized again once b is gone");
    kernel.unregisterKprobe(a);
    assert.deepEqual(kernel.memory.readBytes(base.text[0], base.textBytes.length), base.textBytes);
  });

  Deno.test(`setKprobesOptimization() and disable/enable unoptimize first on ${arch}`, async () => {
    const base = await sweepBase(arch);
    await using kernel = await boot({ arch, image: base.image, kprobesOptimizeDelay: 0 });
    assert.equal(kernel.kprobesOptimization, true);
    const kp: Kprobe = { symbol_name: "do_fork", pre_handler: () => 0 };
    assert.equal(kernel.registerKprobe(kp), 0);
    const addr = BigInt(kp.addr!);
    const text = () => kernel.memory.readBytes(base.text[0], base.textBytes.length);
    assert.ok(optimizedAddrs(kernel).has(addr));
    kernel.setKprobesOptimization(false);
    assert.equal(kernel.kprobesOptimization, false);
    assert.equal(kernel.memory.readU8(addr), 0xcc);
    assert.doesNotMatch(kernel.kprobesList(), /OPTIMIZED/);
    const off = Number(addr - base.text[0]);
    assert.deepEqual(text().subarray(off + 1, off + 5), base.textBytes.subarray(off + 1, off + 5));
    kernel.setKprobesOptimization(true);
    assert.ok(optimizedAddrs(kernel).has(addr));
    assert.equal(kernel.disableKprobe(kp), 0);
    assert.deepEqual(text(), base.textBytes, "disabled: the image's bytes");
    assert.match(kernel.kprobesList(), /do_fork\+0x0 \[DISABLED\]\n$/);
    assert.equal(kernel.enableKprobe(kp), 0);
    assert.ok(optimizedAddrs(kernel).has(addr));
    kernel.setKprobesEnabled(false);
    assert.deepEqual(text(), base.textBytes, "disarmed: the image's bytes");
    kernel.setKprobesEnabled(true);
    assert.ok(optimizedAddrs(kernel).has(addr));
    assert.ok(kernel.run({ workload: benchLoop(5) }).completed);
    assert.equal(kernel.kprobeHits(kp), 5);
    // A post_handler joining at the address sends it back to an int3.
    const post: Kprobe = { symbol_name: "do_fork", post_handler: () => {} };
    assert.equal(kernel.registerKprobe(post), 0);
    assert.equal(kernel.memory.readU8(addr), 0xcc);
    kernel.unregisterKprobe(post);
    assert.ok(optimizedAddrs(kernel).has(addr));
    kernel.unregisterKprobe(kp);
    assert.deepEqual(text(), base.textBytes);
    assert.throws(
      () => kernel.setKprobesOptimization("yes" as unknown as boolean),
      KernelError,
    );
  });

  Deno.test(`a kretprobe's entry probe is optimized and its handler runs as before on ${arch}`, async () => {
    const counts: number[] = [];
    for (const optimize of [false, true]) {
      await using kernel = await boot({
        arch,
        kprobesOptimization: optimize,
        kprobesOptimizeDelay: 0,
      });
      let n = 0;
      const rp: Kretprobe = {
        kp: { symbol_name: "do_fork" },
        handler: (ri, regs) => {
          void ri;
          void regs;
          n++;
          return 0;
        },
        maxactive: 4,
      };
      assert.equal(kernel.registerKretprobe(rp), 0);
      assert.equal(/r {2}do_fork\+0x0 \[OPTIMIZED\]/.test(kernel.kprobesList()), optimize);
      assert.ok(kernel.run({ workload: benchLoop(50) }).completed);
      kernel.unregisterKretprobe(rp);
      counts.push(n);
    }
    assert.equal(counts[0], 50);
    assert.deepEqual(counts[1], counts[0]);
  });
}

Deno.test("Kernel.boot() checks kprobesOptimization and kprobesOptimizeDelay", async () => {
  await assert.rejects(
    () => boot({ kprobesOptimization: 1 as unknown as boolean }),
    /kprobesOptimization \(debug\.kprobes-optimization\) must be true or false/,
  );
  await assert.rejects(
    () => boot({ kprobesOptimizeDelay: -1 }),
    /kprobesOptimizeDelay .* must be an integer from 0/,
  );
});

Deno.test("ppc64: an optimized kprobe is a branch to its detour, sees NIP = addr, and goes back to the trap word", async () => {
  const base = await sweepBase("ppc64");
  await using kernel = await boot({ arch: "ppc64", image: base.image, kprobesOptimizeDelay: 0 });
  const nips: bigint[] = [];
  const kp: Kprobe = {
    symbol_name: ".do_fork",
    pre_handler: (_p, regs) => {
      assert.ok(regs.arch === "ppc64");
      nips.push(regs.nip);
      return 0;
    },
  };
  assert.equal(kernel.registerKprobe(kp), 0);
  const addr = BigInt(kp.addr!);
  assert.match(kernel.kprobesList(), /\.do_fork\+0x0 \[OPTIMIZED\]\n$/);
  assert.equal(kernel.memory.readU8(addr) >> 2, 18, "b (primary opcode 18)");
  assert.ok(kernel.run({ workload: benchLoop(20) }).completed);
  assert.equal(nips.length, 20);
  assert.ok(nips.every((n) => n === addr));
  kernel.setKprobesOptimization(false);
  assert.equal(kernel.memory.readU32(addr), 0x7fe00008, "the trap word is back");
  kernel.setKprobesOptimization(true);
  // A branch is never optimized.
  const branch = base.points.find((p) => {
    if (!p.where.startsWith(".do_fork+") || p.addr >= base.text[1]) return false;
    const o = Number(p.addr - base.text[0]);
    return base.textBytes[o] >> 2 === 18;
  });
  assert.ok(branch !== undefined);
  const kb: Kprobe = { addr: branch.addr, pre_handler: () => 0 };
  assert.equal(kernel.registerKprobe(kb), 0);
  assert.equal(kernel.memory.readU32(branch.addr), 0x7fe00008, branch.where);
  kernel.unregisterKprobe(kb);
  kernel.unregisterKprobe(kp);
  assert.deepEqual(kernel.memory.readBytes(base.text[0], base.textBytes.length), base.textBytes);
});

Deno.test("optimized kprobes on 2 CPUs: every call hits, int3 and jump alike, and text comes back", async () => {
  for (const arch of ["x86_64", "ppc64"] as const) {
    const base = await sweepBase(arch);
    await using kernel = await boot({ arch, image: base.image, cpus: 2, kprobesOptimizeDelay: 1 });
    const fork = arch === "ppc64" ? ".do_fork" : "do_fork";
    const kps: Kprobe[] = [fork, arch === "ppc64" ? ".schedule" : "schedule"].map((s) => ({
      symbol_name: s,
      pre_handler: () => 0,
    }));
    for (const kp of kps) assert.equal(kernel.registerKprobe(kp), 0);
    const r = kernel.run({ workload: benchLoop(30_000) });
    assert.ok(r.completed);
    assert.equal(kernel.kprobeHits(kps[0]), 30_000 + 0);
    assert.ok(optimizedAddrs(kernel).has(BigInt(kps[0].addr!)), arch);
    const d = kernel.run();
    assert.ok(d.completed);
    const inc = kernel.incidents;
    assert.equal(inc.oopses + inc.panics + inc.handlerErrors + inc.lockups, 0);
    for (const kp of kps) kernel.unregisterKprobe(kp);
    assert.deepEqual(kernel.memory.readBytes(base.text[0], base.textBytes.length), base.textBytes);
  }
});
