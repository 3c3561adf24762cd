// Copyright 2026 the kprobes-sim authors. MIT license.
// `deno run -A tests/bench/probe_cost.ts [--arch A] [--only k,j,r,kr,jr]`:
// bench.ts's k, j, r, kr and jr figures (µs per hit on do_fork, kprobe_bench
// calling it back to back) measured in this process's CPU time (user +
// system) instead of wall time, so that other processes on a shared machine
// matter less; each probed run interleaved with one of a second, unprobed
// kernel, best of 7 each, the optimizer off (the int3 path). Prints one JSON
// line.

import process from "node:process";
import { type ArchName, jprobe_return, Kernel, type Kretprobe, type Workload } from "../../mod.ts";

const archIdx = Deno.args.indexOf("--arch");
const arch = (archIdx >= 0 ? Deno.args[archIdx + 1] : "x86_64") as ArchName;
const onlyIdx = Deno.args.indexOf("--only");
const only = (onlyIdx >= 0 ? Deno.args[onlyIdx + 1] : "k,j,r,kr,jr").split(",");
const HITS = 100_000;
const RUNS = 7;

const kernel = await Kernel.boot({ arch });
const plain = await Kernel.boot({ arch });
if (kernel.kprobesOptimization) kernel.setKprobesOptimization(false);
const loop: Workload = { init: [{ call: "syscall", nr: 500, args: [HITS, 0x10000] }] };
const run = () => void kernel.run({ workload: loop });
const runPlain = () => void plain.run({ workload: loop });
run();
runPlain();

function cpuMs(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}

function perHit(setup: () => () => void): number {
  const teardown = setup();
  run();
  let probed = Infinity;
  let unprobed = Infinity;
  for (let i = 0; i < RUNS; i++) {
    probed = Math.min(probed, cpuMs(run));
    unprobed = Math.min(unprobed, cpuMs(runPlain));
  }
  teardown();
  return Math.max(0, ((probed - unprobed) * 1000) / HITS);
}

const kprobe = () => {
  const kp = { symbol_name: "do_fork", pre_handler: () => 0 };
  kernel.registerKprobe(kp);
  return () => kernel.unregisterKprobe(kp);
};
const jprobe = () => {
  const jp = { kp: { symbol_name: "do_fork" }, entry: () => jprobe_return() };
  kernel.registerJprobe(jp);
  return () => kernel.unregisterJprobe(jp);
};
const kretprobe = () => {
  const rp: Kretprobe = { kp: { symbol_name: "do_fork" }, handler: () => 0, maxactive: 4 };
  kernel.registerKretprobe(rp);
  return () => kernel.unregisterKretprobe(rp);
};
const both = (a: () => () => void, b: () => () => void) => () => {
  const ta = a();
  const tb = b();
  return () => {
    tb();
    ta();
  };
};
const setups: Record<string, () => () => void> = {
  k: kprobe,
  j: jprobe,
  r: kretprobe,
  kr: both(kretprobe, kprobe),
  jr: both(kretprobe, jprobe),
};

const result: Record<string, number | string> = { arch };
for (const name of only) {
  const setup = setups[name];
  if (setup === undefined) {
    console.error(`error: Cannot measure "${name}": use k, j, r, kr or jr`);
    Deno.exit(2);
  }
  result[`${name}_us`] = Number(perHit(setup).toFixed(3));
}
await kernel.shutdown();
await plain.shutdown();
console.log(JSON.stringify(result));
