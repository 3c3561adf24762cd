// Copyright 2026 the kprobes-sim authors. MIT license.
// `deno run -A tests/bench/event_cost.ts [--arch A]`: the cost of a kprobe
// event hit against a bare kprobe hit, measured in this process's CPU time
// (user + system, so other processes on a shared machine matter less than
// to bench.ts's wall clock), the configurations interleaved, best of 7.
// Same loop as bench.ts: kprobe_bench calls do_fork back to back.
//   k      a bare kprobe (pre_handler returns 0)
//   off    the event's kprobe with tracing_on 0: dispatch and hit count only
//   e0     p:bench do_fork: record an entry with no arguments
//   e2     p:bench do_fork a=$arg1 b=$arg2: the measure

import process from "node:process";
import { type ArchName, Kernel, type Workload } from "../../mod.ts";

const archIdx = Deno.args.indexOf("--arch");
const arch = (archIdx >= 0 ? Deno.args[archIdx + 1] : "x86_64") as ArchName;
const HITS = 100_000;
const kernel = await Kernel.boot({ arch });
const loop: Workload = { init: [{ call: "syscall", nr: 500, args: [HITS, 0x10000] }] };
const cpuMs = () => {
  const t = process.cpuUsage();
  kernel.run({ workload: loop });
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
};
const fs = kernel.tracefs;
const best: Record<string, number> = {
  base: Infinity,
  k: Infinity,
  off: Infinity,
  e0: Infinity,
  e2: Infinity,
};
const event = (def: string, tracingOn: string, key: string) => {
  fs.write("kprobe_events", def);
  fs.write("tracing_on", tracingOn);
  fs.write("events/kprobes/bench/enable", "1");
  best[key] = Math.min(best[key], cpuMs());
  fs.write("events/kprobes/bench/enable", "0");
  fs.write("kprobe_events", "");
  fs.write("tracing_on", "1");
};
cpuMs();
for (let i = 0; i < 7; i++) {
  best.base = Math.min(best.base, cpuMs());
  const kp = { symbol_name: "do_fork", pre_handler: () => 0 };
  kernel.registerKprobe(kp);
  best.k = Math.min(best.k, cpuMs());
  kernel.unregisterKprobe(kp);
  event("p:bench do_fork a=$arg1 b=$arg2", "0", "off");
  event("p:bench do_fork", "1", "e0");
  event("p:bench do_fork a=$arg1 b=$arg2", "1", "e2");
}
await kernel.shutdown();
const us = (key: string) => ((best[key] - best.base) * 1000) / HITS;
const out = { arch, k_us: us("k"), off_us: us("off"), e0_us: us("e0"), event_us: us("e2") };
console.log(
  JSON.stringify(Object.fromEntries(
    Object.entries(out).map(([k, v]) => [k, typeof v === "number" ? Number(v.toFixed(3)) : v]),
  )),
  `ratio ${(us("e2") / us("k")).toFixed(2)}`,
);
