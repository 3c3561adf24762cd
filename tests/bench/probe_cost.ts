// Copyright 2026 the kprobes-sim authors. MIT license.
// `deno run -A tests/bench/probe_cost.ts [--arch A] [--only k,j,r,kr,jr]`:
// bench.ts's k, j, r, kr and jr figures (µs per hit on do_fork, kprobe_bench
// calling it back to back) measured in this process's CPU time (user +
// system) instead of wall time, so that other processes on a shared machine
// matter less; each probed run interleaved with one of a second, unprobed
// kernel, best of 7 each, the optimizer off (the int3 path); `kopt` (not in
// the default list) is the k probe optimized into a jump. Prints one JSON
// line.

import process from "node:process";
import { type ArchName, Kernel, type Workload } from "../../mod.ts";
import { perHitOf, type ProbeSetup, probeSetups } from "./_probe_setups.ts";

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

const setups: Record<string, ProbeSetup> = probeSetups(kernel, run);

const result: Record<string, number | string> = { arch };
for (const name of only) {
  const setup = setups[name];
  if (setup === undefined) {
    console.error(`error: Cannot measure "${name}": use k, j, r, kr, jr or kopt`);
    Deno.exit(2);
  }
  result[`${name}_us`] = Number(perHitOf(setup, run, runPlain, cpuMs, RUNS, HITS).toFixed(3));
}
await kernel.shutdown();
await plain.shutdown();
console.log(JSON.stringify(result));
