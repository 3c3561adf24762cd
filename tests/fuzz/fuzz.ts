// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Long fuzz runs: `deno task fuzz [--seconds N] [--target elf|x86|ppc64|workload]
 * [--seed S] [--timeout T]`. Each target runs in a Worker for N seconds
 * (default 60) from a random base seed (or S); an input that runs longer
 * than T seconds (default 30) is reported as a hang, the Worker is killed
 * and the run goes on after it. Every finding is printed with the command
 * that replays it; the exit status is 1 when there was any.
 *
 * @module
 */

import { findingClass } from "./_harness.ts";
import { TARGET_NAMES, type TargetName } from "./_targets.ts";
import type { WorkerRequest } from "./_worker.ts";

interface Outcome {
  iterations: number;
  findings: { seed: number; message: string }[];
}

function runTarget(
  target: TargetName,
  seed: number,
  seconds: number,
  timeout: number,
): Promise<Outcome> {
  const out: Outcome = { iterations: 0, findings: [] };
  const deadline = performance.now() + seconds * 1000;
  const seen = new Set<string>();
  return new Promise((resolve) => {
    const start = (startAt: number) => {
      const left = (deadline - performance.now()) / 1000;
      if (left <= 0) return resolve(out);
      const w = new Worker(new URL("./_worker.ts", import.meta.url), { type: "module" });
      let current = { i: startAt, seed: 0, at: performance.now() };
      const timer = setInterval(() => {
        if (performance.now() - current.at < timeout * 1000) return;
        clearInterval(timer);
        w.terminate();
        out.findings.push({
          seed: current.seed,
          message: `input ${current.i} did not finish within ${timeout} s (a hang)`,
        });
        console.log(`HANG seed 0x${current.seed.toString(16)} (input ${current.i})`);
        out.iterations += current.i - startAt + 1;
        start(current.i + 1);
      }, 250);
      w.onmessage = (ev) => {
        const m = ev.data;
        if (m.type === "start") current = { i: m.i, seed: m.seed, at: performance.now() };
        else if (m.type === "finding") {
          out.findings.push({ seed: m.seed, message: m.message });
          const k = findingClass(m.message);
          if (!seen.has(k)) {
            seen.add(k);
            console.log(`FINDING seed 0x${m.seed.toString(16)}: ${m.message}`);
          }
        } else if (m.type === "done") {
          clearInterval(timer);
          w.terminate();
          out.iterations += m.iterations;
          resolve(out);
        }
      };
      w.onerror = (e) => {
        e.preventDefault();
        clearInterval(timer);
        w.terminate();
        out.findings.push({ seed: current.seed, message: `the worker died: ${e.message}` });
        out.iterations += current.i - startAt + 1;
        start(current.i + 1);
      };
      const req: WorkerRequest = { target, seed, startAt, seconds: left };
      w.postMessage(req);
    };
    start(0);
  });
}

if (import.meta.main) {
  const args: Record<string, string | undefined> = { seconds: "60", timeout: "30" };
  for (let i = 0; i < Deno.args.length; i++) {
    const m = /^--(seconds|target|seed|timeout)(?:=(.*))?$/.exec(Deno.args[i]);
    if (m === null) {
      console.error(
        `Cannot parse "${
          Deno.args[i]
        }": usage: deno task fuzz [--seconds N] [--target elf|x86|ppc64|workload] [--seed S] [--timeout T]`,
      );
      Deno.exit(2);
    }
    args[m[1]] = m[2] ?? Deno.args[++i];
  }
  const seconds = Number(args.seconds);
  const timeout = Number(args.timeout);
  const targets =
    (args.target === undefined ? [...TARGET_NAMES] : args.target.split(",")) as TargetName[];
  for (const t of targets) {
    if (!TARGET_NAMES.includes(t)) {
      console.error(`Cannot fuzz "${t}": no such target, use ${TARGET_NAMES.join(", ")}`);
      Deno.exit(2);
    }
  }
  if (!(seconds > 0) || !(timeout > 0)) {
    console.error(
      `Cannot fuzz for "${args.seconds}" s with a "${args.timeout}" s timeout: both must be positive numbers`,
    );
    Deno.exit(2);
  }
  const replay = Deno.env.get("FUZZ_SEED");
  const seed = args.seed !== undefined
    ? Number(args.seed)
    : crypto.getRandomValues(new Uint32Array(1))[0];
  let total = 0;
  for (const t of targets) {
    console.log(
      `fuzz ${t}: ${
        replay
          ? `replaying FUZZ_SEED=${replay}`
          : `${seconds} s from base seed 0x${seed.toString(16)}`
      }`,
    );
    const t0 = performance.now();
    const o = await runTarget(t, seed, seconds, timeout);
    const s = (performance.now() - t0) / 1000;
    console.log(
      `fuzz ${t}: ${o.iterations} inputs in ${s.toFixed(1)} s (${
        (o.iterations / s).toFixed(0)
      }/s), ${o.findings.length} findings`,
    );
    const classes = new Map<string, { count: number; seed: number }>();
    for (const f of o.findings) {
      const k = findingClass(f.message);
      const c = classes.get(k) ?? { count: 0, seed: f.seed };
      c.count++;
      classes.set(k, c);
    }
    for (const [k, c] of [...classes].sort((a, b) => b[1].count - a[1].count)) {
      console.log(
        `  ${c.count} × ${k}\n    replay: FUZZ_SEED=0x${
          c.seed.toString(16)
        } deno task fuzz --target ${t}`,
      );
    }
    total += o.findings.length;
  }
  Deno.exit(total > 0 ? 1 : 0);
}
