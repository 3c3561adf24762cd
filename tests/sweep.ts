// Copyright 2026 the kprobes-sim authors. MIT license.
// The full transparency sweep (issue 7): every instruction boundary of every
// function of the image, one kprobe with empty handlers at a time on a fresh
// kernel with the default workload. Prints points tested / accepted /
// refused by reason / broken per arch; exits 1 when any point is broken.
//
//   deno task sweep [--arch x86_64|i386|ppc64|sparc64] [--every N] [--optimize | --boost]
//                   [--jprobes | --kretprobes]
//
// --optimize boots with kprobesOptimizeDelay 0 and probes with a pre_handler
// only, so that every point the optimizer accepts runs as an optimized probe.
// --boost probes with a pre_handler only and the optimizer off, so that every
// point runs emulated or boosted (kprobesBoost) where the arch can.
// --jprobes and --kretprobes plant a jprobe (four arguments, a pt_regs view
// every other hit, jprobe_return())
// or a return probe (an empty handler) at every function entry instead.

import { newTally, type SweepArch, sweepBase, sweepPoints, tally } from "./_sweep.ts";

const ARCHES: readonly SweepArch[] = ["x86_64", "i386", "ppc64", "sparc64"];

function option(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

const archArg = option("--arch");
const arches = archArg === undefined ? ARCHES : ARCHES.filter((a) => a === archArg);
if (arches.length === 0) {
  console.error(
    `error: Cannot sweep "${archArg}": unknown arch, use x86_64, i386, ppc64 or sparc64`,
  );
  Deno.exit(2);
}
const every = Number(option("--every") ?? 1);
// --optimize: every probe the rules allow is optimized at registration.
const optimize = Deno.args.includes("--optimize");
// --boost: pre_handler-only int3 probes, emulated or boosted where possible.
const boost = Deno.args.includes("--boost");
const probe = Deno.args.includes("--jprobes")
  ? "jprobe"
  : Deno.args.includes("--kretprobes")
  ? "kretprobe"
  : "kprobe";
if (!Number.isInteger(every) || every < 1) {
  console.error(`error: Cannot sweep every "${option("--every")}": use a positive integer`);
  Deno.exit(2);
}

let anyBroken = false;
for (const arch of arches) {
  const t0 = performance.now();
  const base = await sweepBase(arch);
  const candidates = probe === "kprobe"
    ? base.points
    : base.points.filter((p) => p.where.endsWith("+0x0"));
  const points = candidates.filter((_, i) => i % every === 0);
  const t = newTally();
  let optimized = 0;
  for await (const r of sweepPoints(base, points, { optimize, boost, probe })) {
    if (r.outcome === "ok" && r.optimized) optimized++;
    tally(t, r);
    if (r.outcome === "broken") console.error(`${arch}: BROKEN ${r.where}: ${r.detail}`);
    if (t.tested % 500 === 0) {
      console.error(
        `${arch}: ${t.tested}/${points.length} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
    }
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(0);
  const refused = [...t.refused.values()].reduce((a, b) => a + b, 0);
  console.log(
    `${arch}${
      probe === "kprobe" ? "" : ` (${probe}s)`
    }: ${t.tested} points tested, ${t.ok} accepted and transparent, ${refused} refused, ` +
      `${t.broken.length} broken (${secs} s)${
        optimize ? `; ${optimized} of the transparent ones optimized` : ""
      }`,
  );
  for (const [reason, n] of [...t.refused].sort((a, b) => b[1] - a[1])) {
    console.log(`  refused ${String(n).padStart(5)}  ${reason}`);
  }
  for (const b of t.broken) console.log(`  broken  ${b.where}: ${b.detail}`);
  if (t.broken.length > 0) anyBroken = true;
}
Deno.exit(anyBroken ? 1 : 0);
