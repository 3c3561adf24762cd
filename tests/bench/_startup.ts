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
// the part of demo_ms a Worker's start costs (the CLI's kernel Worker, or
// its watchdog Worker when the kernel runs on the main thread). Each run's
// CPU time (user + system, every thread) is taken too: `cpu` in the
// result, the same difference of medians, steadier on a loaded machine.
// Where the time goes, phase by phase: _demo_phases.ts.

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

/** One timed run: wall time, and CPU time (user + system, all threads) when `sh` can tell. */
interface Timed {
  wall: number;
  cpu: number;
}

/** Seconds in `times` notation (`0m0.440s`) as ms. */
function timesMs(m: string, s: string): number {
  return (Number(m) * 60 + Number(s)) * 1000;
}

async function timedRun(args: string[]): Promise<Timed> {
  // `times` (POSIX sh) prints the shell's and then its children's user and
  // system time: the second line is the deno process's CPU time, every
  // thread (a Worker's too) included, at the clock tick's resolution.
  const useSh = Deno.build.os !== "windows";
  const t = performance.now();
  const out = await new Deno.Command(useSh ? "sh" : Deno.execPath(), {
    args: useSh
      ? ["-c", '"$@" >/dev/null; s=$?; times; exit $s', "sh", Deno.execPath(), ...args]
      : args,
    cwd: ROOT,
    stdout: useSh ? "piped" : "null",
    stderr: "piped",
    stdin: "null",
  }).output();
  const wall = performance.now() - t;
  if (!out.success) {
    throw new Error(
      `Cannot time "deno ${args.join(" ")}": it exited ${out.code}: ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*$/.exec(new TextDecoder().decode(out.stdout));
  const cpu = m === null ? NaN : timesMs(m[1], m[2]) + timesMs(m[3], m[4]);
  return { wall, cpu };
}

/**
 * `demo_ms`: the demo command's wall time minus an empty `deno run`'s.
 *
 * @param runs Timed runs of each command (after one warm-up each).
 * @returns The difference of the medians; the range is that of the pairs' differences;
 * `emptyMs` the empty run's median; `workerMs` an empty Worker's start (see above);
 * `cpu` the same difference in CPU time (user + system of the process, every
 * thread), which a loaded machine disturbs far less than wall time (NaN
 * where `sh` cannot tell it).
 */
export async function measureDemo(
  runs = 7,
): Promise<Spread & { emptyMs: number; workerMs: number; cpu: Spread }> {
  const demo = ["run", "-A", "cli.ts", "insmod", "examples/kprobe_example.ts"];
  const empty = ["run", "-A", "tests/bench/_empty.ts"];
  const worker = ["run", "-A", "tests/bench/_empty_worker.ts"];
  await timedRun(demo);
  await timedRun(empty);
  await timedRun(worker);
  const a: Timed[] = [];
  const b: Timed[] = [];
  const c: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(await timedRun(demo));
    b.push(await timedRun(empty));
    c.push((await timedRun(worker)).wall);
  }
  const da = spreadOf(a.map((x) => x.wall));
  const db = spreadOf(b.map((x) => x.wall));
  const pairs = spreadOf(a.map((x, i) => x.wall - b[i].wall));
  const cpuPairs = spreadOf(a.map((x, i) => x.cpu - b[i].cpu));
  const cpuMedian = spreadOf(a.map((x) => x.cpu)).median - spreadOf(b.map((x) => x.cpu)).median;
  return {
    median: Number((da.median - db.median).toFixed(2)),
    min: pairs.min,
    max: pairs.max,
    n: runs,
    emptyMs: db.median,
    workerMs: Number((spreadOf(c).median - db.median).toFixed(2)),
    cpu: { ...cpuPairs, median: Number(cpuMedian.toFixed(2)) },
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
