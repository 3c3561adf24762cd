// Copyright 2026 the kprobes-sim authors. MIT license.
// Two source trees of this project compared in one process by CPU time, for
// a machine too loaded for wall-clock figures: each tree's `Kernel` boots,
// runs one warm-up round, then the rounds alternate between the trees (which
// goes first alternates too), each round being `guest_mips`'s workload of
// `deno task bench`: the 20 fork/execve rounds, then the kprobe_bench loop.
// `process.cpuUsage()` around each phase counts this thread and V8's
// compiler threads, which a shared 2-core machine runs at the main thread's
// expense. Prints min / median ms per phase and the guest MIPS of the
// minimum CPU times.
//
//   deno run -A tests/bench/ab_cpu.ts <treeA> <treeB> [--arch A] [--rounds N]
//
// A tree is a directory holding this project (e.g. `git archive <commit> |
// tar -x -C /tmp/a`, or this checkout).

import process from "node:process";
import type { Kernel, Workload } from "../../mod.ts";
import type { ArchName } from "../../arch/registry.ts";

const [treeA, treeB] = Deno.args.filter((a, i) => !a.startsWith("--") && !isValue(i));
function isValue(i: number): boolean {
  return i > 0 && (Deno.args[i - 1] === "--arch" || Deno.args[i - 1] === "--rounds");
}
function option(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : fallback;
}
if (treeA === undefined || treeB === undefined) {
  console.error("usage: deno run -A tests/bench/ab_cpu.ts <treeA> <treeB> [--arch A] [--rounds N]");
  Deno.exit(2);
}
const arch = option("--arch", "x86_64") as ArchName;
const rounds = Number(option("--rounds", "9"));

const loop: Workload = { init: [{ call: "syscall", nr: 500, args: [200_000, 0x10000] }] };
const heavy: Workload = {
  init: [{
    call: "repeat",
    times: 20,
    body: [
      {
        call: "fork",
        child: [
          { call: "open", path: "/etc/passwd" },
          { call: "read", fd: "last", count: 64 },
          { call: "close", fd: "last" },
          { call: "open", path: "/no/such/file" },
          { call: "execve", path: "/bin/sh" },
          { call: "exit", code: 0 },
        ],
      },
      { call: "wait4" },
    ],
  }],
};

/** One tree's kernel and its CPU ms per phase. */
interface Side {
  name: string;
  kernel: Kernel;
  heavy: number[];
  loop: number[];
  instructions: number;
}

async function boot(tree: string): Promise<Side> {
  const url = new URL("mod.ts", new URL(tree.endsWith("/") ? tree : `${tree}/`, `file://`));
  const mod = (await import(url.href)) as typeof import("../../mod.ts");
  const kernel = await mod.Kernel.boot({ arch });
  const instructions = kernel.run({ workload: heavy }).instructions +
    kernel.run({ workload: loop }).instructions;
  return { name: tree, kernel, heavy: [], loop: [], instructions };
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function phase(side: Side, workload: Workload, into: number[]): void {
  const c = cpuMs();
  side.kernel.run({ workload });
  into.push(cpuMs() - c);
}

const a = await boot(Deno.realPathSync(treeA));
const b = await boot(Deno.realPathSync(treeB));
for (let i = 0; i < rounds; i++) {
  for (const side of i % 2 === 0 ? [a, b] : [b, a]) {
    phase(side, heavy, side.heavy);
    phase(side, loop, side.loop);
  }
}
const median = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1];
const f = (v: number[]) => `${Math.min(...v).toFixed(1)} / ${median(v).toFixed(1)}`;
console.log(`${arch}, ${rounds} rounds each, CPU ms min / median:`);
for (const s of [a, b]) {
  const mips = s.instructions / (Math.min(...s.heavy) + Math.min(...s.loop)) / 1000;
  console.log(
    `${s.name}: fork/execve ${f(s.heavy)}  loop ${f(s.loop)}  guest MIPS ${mips.toFixed(1)}`,
  );
  await s.kernel.shutdown();
}
