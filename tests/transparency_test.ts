// Copyright 2026 the kprobes-sim authors. MIT license.
// Transparency (issue 7): a kprobe with empty handlers at any point
// register_kprobe() accepts changes nothing the kernel computes. A sample of
// the full sweep (`deno task sweep`): every Nth instruction boundary of every
// function plus the points known to have broken the kernel, on every arch.

import assert from "node:assert/strict";
import {
  type PointResult,
  type SweepArch,
  type SweepBase,
  sweepBase,
  type SweepPoint,
  sweepPoints,
} from "./_sweep.ts";

/** Points per arch from the stride; the risky points come on top. */
const SAMPLE = 40;

/** Every boundary of the functions that switch stacks, enter or leave the kernel. */
const RISKY_FUNCTIONS: Record<SweepArch, string[]> = {
  x86_64: ["__switch_to", "ret_from_fork", "ret_from_intr", "timer_interrupt", "entry_INT80"],
  i386: ["__switch_to", "ret_from_fork", "ret_from_intr", "timer_interrupt", "entry_INT80"],
  ppc64: [
    "decrementer_pSeries",
    "system_call_pSeries",
    "system_call_common",
    "decrementer_common",
    "ret_from_except",
    "ret_from_fork",
    ".resched_idle_cpu", // a beqlr not taken
  ],
  sparc64: [
    "__switch_to", // flushw, then another task's windows fill on demand
    "switch_to",
    "ret_from_fork",
    "timer_interrupt",
    "linux_sparc_syscall",
    "etrap",
    "rtrap",
    "do_syscall",
  ],
};

/** ppc64: the words of `.kmalloc`/`.kfree` from a `lwz rX,16(rY)` of preempt_count to its `stw`. */
function preemptCountWindows(base: SweepBase, fn: string): SweepPoint[] {
  const pts = base.points.filter((p) => p.where.startsWith(`${fn}+`));
  const out: SweepPoint[] = [];
  let open = false;
  for (const p of pts) {
    const i = Number(p.addr - base.text[0]);
    const w = ((base.textBytes[i] << 24) | (base.textBytes[i + 1] << 16) |
      (base.textBytes[i + 2] << 8) | base.textBytes[i + 3]) >>> 0;
    const op = w >>> 26;
    const d = w & 0xffff;
    if (op === 32 && d === 16) open = true; // lwz rX,16(rY)
    if (open) out.push(p);
    if (op === 36 && d === 16) open = false; // stw rX,16(rY)
  }
  return out;
}

function sample(base: SweepBase): SweepPoint[] {
  const stride = Math.max(1, Math.floor(base.points.length / SAMPLE));
  const chosen = new Map<bigint, SweepPoint>();
  base.points.forEach((p, i) => {
    if (i % stride === 0) chosen.set(p.addr, p);
  });
  for (const fn of RISKY_FUNCTIONS[base.arch]) {
    for (const p of base.points) if (p.where.startsWith(`${fn}+`)) chosen.set(p.addr, p);
  }
  if (base.arch === "ppc64") {
    for (const fn of [".kmalloc", ".kfree"]) {
      const w = preemptCountWindows(base, fn);
      assert.ok(w.length >= 2, `${fn} has a preempt_count update`);
      for (const p of w) chosen.set(p.addr, p);
    }
  } else {
    for (const p of base.points) {
      const off = /^schedule\+0x([0-9a-f]+)$/.exec(p.where);
      if (off !== null && parseInt(off[1], 16) < 0x40) chosen.set(p.addr, p);
    }
  }
  return [...chosen.values()];
}

for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
  Deno.test(`kprobe with empty handlers is transparent at a sample of boundaries on ${arch}`, async () => {
    const base = await sweepBase(arch);
    const results: PointResult[] = [];
    for await (const r of sweepPoints(base, sample(base))) results.push(r);
    const broken = results.filter((r) => r.outcome === "broken");
    assert.deepEqual(broken, []);
    const ok = results.filter((r) => r.outcome === "ok").length;
    assert.ok(ok >= SAMPLE / 2, `${ok} points accepted`);
    for (const r of results) {
      if (r.outcome !== "refused") continue;
      // A boundary is refused only for a reason Linux has, with its errno.
      const want = /^(blacklisted, |Kprobes' own code|an instruction that can't be single stepped)/
          .test(r.detail ?? "")
        ? 22 // EINVAL
        : /^not a valid instruction$/.test(r.detail ?? "")
        ? 84 // EILSEQ (ud2)
        : /cannot be single-stepped out of line$/.test(r.detail ?? "")
        ? 95 // EOPNOTSUPP
        : -1;
      assert.equal(r.errno, want, `${r.where}: ${r.detail}`);
    }
    const refused = new Set(results.filter((r) => r.outcome === "refused").map((r) => r.where));
    const entry = {
      x86_64: "ret_from_intr+0x0",
      i386: "ret_from_intr+0x0",
      ppc64: "decrementer_pSeries+0x0",
      sparc64: "etrap+0x0", // trap entry code, blacklisted as in Linux
    }[arch];
    assert.ok(refused.has(entry), `${entry} is refused`);
    assert.ok(!refused.has("__switch_to+0x0"), "__switch_to is probeable, as in Linux 6.1");
  });
}

for (const arch of ["x86_64", "i386", "ppc64"] as const) {
  Deno.test(`optimized kprobe with an empty pre_handler is transparent at a sample of boundaries on ${arch}`, async () => {
    const base = await sweepBase(arch);
    const results: PointResult[] = [];
    for await (const r of sweepPoints(base, sample(base), { optimize: true })) results.push(r);
    assert.deepEqual(results.filter((r) => r.outcome === "broken"), []);
    const optimized = results.filter((r) => r.outcome === "ok" && r.optimized).length;
    const plain = results.filter((r) => r.outcome === "ok" && !r.optimized).length;
    // Both kinds occur: most points optimize, some stay int3 probes.
    assert.ok(optimized >= SAMPLE / 4, `${optimized} points optimized`);
    assert.ok(plain >= 1, `${plain} points stayed int3 probes`);
  });
}
