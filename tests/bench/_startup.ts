// Copyright 2026 the kprobes-sim authors. MIT license.
// Start-up figures for `deno task bench --json`, also runnable alone:
//
//   deno run -A tests/bench/_startup.ts [--arch A] [--boots N] [--runs N]   (0: skip)
//
// boot_ms: `Kernel.boot()` of a fresh kernel in this process, after a first
// boot has warmed the JIT and the file caches; median of N boots, with the
// smallest and largest. demo_ms: wall time of the README's first command,
// `deno run -A cli.ts insmod examples/kprobe_example.ts`, minus that of
// `deno run -A` on an empty file (_empty.ts, so both find the same deno.json
// and lock file), run in turn A B A B … after one warm-up each: the
// difference of the medians, with the smallest and largest difference of a
// pair. Wall times of whole processes are noisy on a shared machine: quote
// the median and the range together. worker_ms (in the result's workerMs):
// `deno run -A` of _empty_worker.ts, which starts one empty Worker and
// waits for its first message, minus the empty run, timed in the same turns:
// the part of demo_ms the CLI's kernel Worker costs before loading anything.

import { type ArchName, Kernel } from "../../mod.ts";

/** A figure: median and the range it was drawn from, in ms. */
export interface Spread {
  /** The median. */
  median: number;
  /** The smallest sample. */
  min: number;
  /** The largest sample. */
  max: number;
  /** Samples taken. */
  n: number;
}

function spreadOf(samples: number[]): Spread {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  const r = (v: number) => Number(v.toFixed(2));
  return { median: r(median), min: r(s[0]), max: r(s[s.length - 1]), n: s.length };
}

/**
 * `boot_ms`: fresh boots in this process after a first one.
 *
 * @param arch The architecture.
 * @param boots How many boots to time.
 * @returns The median boot time and its range.
 */
export async function measureBoot(arch: ArchName, boots = 20): Promise<Spread> {
  await (await Kernel.boot({ arch })).shutdown();
  const samples: number[] = [];
  for (let i = 0; i < boots; i++) {
    const t = performance.now();
    const kernel = await Kernel.boot({ arch });
    samples.push(performance.now() - t);
    await kernel.shutdown();
  }
  return spreadOf(samples);
}

const ROOT = new URL("../../", import.meta.url);

async function wallMs(args: string[]): Promise<number> {
  const t = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
    stdin: "null",
  }).output();
  const ms = performance.now() - t;
  if (!out.success) {
    throw new Error(
      `Cannot time "deno ${args.join(" ")}": it exited ${out.code}: ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  return ms;
}

/**
 * `demo_ms`: the demo command's wall time minus an empty `deno run`'s.
 *
 * @param runs Timed runs of each command (after one warm-up each).
 * @returns The difference of the medians; the range is that of the pairs' differences;
 * `emptyMs` the empty run's median; `workerMs` an empty Worker's start (see above).
 */
export async function measureDemo(
  runs = 7,
): Promise<Spread & { emptyMs: number; workerMs: number }> {
  const demo = ["run", "-A", "cli.ts", "insmod", "examples/kprobe_example.ts"];
  const empty = ["run", "-A", "tests/bench/_empty.ts"];
  const worker = ["run", "-A", "tests/bench/_empty_worker.ts"];
  await wallMs(demo);
  await wallMs(empty);
  await wallMs(worker);
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(await wallMs(demo));
    b.push(await wallMs(empty));
    c.push(await wallMs(worker));
  }
  const da = spreadOf(a);
  const db = spreadOf(b);
  const pairs = spreadOf(a.map((v, i) => v - b[i]));
  return {
    median: Number((da.median - db.median).toFixed(2)),
    min: pairs.min,
    max: pairs.max,
    n: runs,
    emptyMs: db.median,
    workerMs: Number((spreadOf(c).median - db.median).toFixed(2)),
  };
}

if (import.meta.main) {
  const flag = (name: string, fallback: string) => {
    const i = Deno.args.indexOf(name);
    return i >= 0 ? Deno.args[i + 1] : fallback;
  };
  const arch = flag("--arch", "x86_64") as ArchName;
  const boots = Number(flag("--boots", "20"));
  const runs = Number(flag("--runs", "7"));
  const boot = boots > 0 ? await measureBoot(arch, boots) : null;
  const demo = runs > 0 ? await measureDemo(runs) : null;
  console.log(JSON.stringify({ arch, boot_ms: boot, demo_ms: demo }));
}
