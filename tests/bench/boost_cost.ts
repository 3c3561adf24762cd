// Copyright 2026 the kprobes-sim authors. MIT license.
// `deno run -A tests/bench/boost_cost.ts [--arch A] [--runs N]`: what
// emulating or boosting the probed instruction saves per hit, in this
// process's CPU time (user + system: a shared machine's other load matters
// less than to bench.ts's wall clock). Two kernels, `kprobesBoost` false and
// true, the optimizer off on both, a third unprobed one for the base; the
// configurations interleaved, best of N (default 7). Same loop as bench.ts:
// kprobe_bench calls do_fork back to back. µs per hit:
//   k     a kprobe on do_fork (x86: push %rbp, emulated; ppc64: emulated)
//   k1    a kprobe on do_fork's second instruction (x86_64: mov, boosted)
//   j     a jprobe on do_fork (its longjmp's step emulated)
//   r     a return probe on do_fork
//   kr    both k and r

import process from "node:process";
import {
  type ArchName,
  jprobe_return,
  Kernel,
  type Kprobe,
  type Kretprobe,
  type Workload,
} from "../../mod.ts";

function option(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}
const arch = (option("--arch") ?? "x86_64") as ArchName;
const runs = Number(option("--runs") ?? 7);
const HITS = 100_000;
const loop: Workload = { init: [{ call: "syscall", nr: 500, args: [HITS, 0x10000] }] };
const base = await Kernel.boot({ arch, kprobesOptimization: false });
const off = await Kernel.boot({ arch, kprobesOptimization: false, kprobesBoost: false });
const on = await Kernel.boot({ arch, kprobesOptimization: false, kprobesBoost: true });

function cpuMs(kernel: Kernel): number {
  const t = process.cpuUsage();
  kernel.run({ workload: loop });
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}

/** Registers a probe kind on `kernel`; returns its teardown. */
function probe(kernel: Kernel, kind: string): () => void {
  const step = arch === "ppc64" ? 4 : 1;
  const kp: Kprobe = {
    symbol_name: "do_fork",
    offset: kind === "k1" ? step : 0,
    pre_handler: () => 0,
  };
  const rp: Kretprobe = { kp: { symbol_name: "do_fork" }, handler: () => 0, maxactive: 4 };
  const jp = { kp: { symbol_name: "do_fork" }, entry: () => jprobe_return() };
  if (kind === "j") {
    kernel.registerJprobe(jp);
    return () => kernel.unregisterJprobe(jp);
  }
  if (kind === "r" || kind === "kr") kernel.registerKretprobe(rp);
  if (kind !== "r") kernel.registerKprobe(kp);
  return () => {
    if (kind !== "r") kernel.unregisterKprobe(kp);
    if (kind === "r" || kind === "kr") kernel.unregisterKretprobe(rp);
  };
}

const kinds = ["k", "k1", "j", "r", "kr"];
const best: Record<string, number> = { base: Infinity };
for (const k of kinds) best[`${k}_off`] = best[`${k}_on`] = Infinity;
for (const kernel of [base, off, on]) cpuMs(kernel);
for (let i = 0; i < runs; i++) {
  best.base = Math.min(best.base, cpuMs(base));
  for (const k of kinds) {
    for (const [name, kernel] of [["off", off], ["on", on]] as const) {
      const teardown = probe(kernel, k);
      cpuMs(kernel);
      best[`${k}_${name}`] = Math.min(best[`${k}_${name}`], cpuMs(kernel));
      teardown();
    }
  }
}
await Promise.all([base.shutdown(), off.shutdown(), on.shutdown()]);
const us = (key: string) => Number((((best[key] - best.base) * 1000) / HITS).toFixed(3));
const out: Record<string, string | number> = { arch };
for (const k of kinds) {
  out[`${k}_single_us`] = us(`${k}_off`);
  out[`${k}_boost_us`] = us(`${k}_on`);
}
console.log(JSON.stringify(out));
