// Copyright 2026 the kprobes-sim authors. MIT license.
// Workload fuzz target: random values and mutations of valid workloads given
// to Kernel.run({ workload, maxInstructions }). The public contract: run()
// returns a RunResult (completed or not) or throws a KernelError (the
// schema validation adds WorkloadError extends KernelError); never another
// exception, never a hang. Sizes stay small (repeat ≤ 1000, strings ≤ 4 KiB)
// so that one input cannot take minutes before the validation's total-call
// limit exists; `hostile: true` (deno task fuzz) lifts that.

import { DEFAULT_WORKLOAD, Kernel, KernelError, type Workload } from "../../mod.ts";
import { FuzzFinding, type FuzzTarget } from "./_harness.ts";
import type { Rng } from "./_rng.ts";
import { WORKLOAD_CALLS } from "../../kernel-model/workload.ts";

const CALLS: readonly string[] = WORKLOAD_CALLS;
const KEYS = [
  "call",
  "child",
  "flags",
  "settid",
  "path",
  "mode",
  "fd",
  "count",
  "text",
  "code",
  "pid",
  "ms",
  "uid",
  "cpus",
  "nr",
  "args",
  "times",
  "body",
  "init",
  "name",
];

/** Valid workloads to mutate: the default one and a few that use every call. */
export const VALID_WORKLOADS: unknown[] = [
  DEFAULT_WORKLOAD,
  {
    name: "every-call",
    init: [
      { call: "getpid" },
      { call: "open", path: "/etc/passwd", flags: 0, mode: 0 },
      { call: "read", fd: "last", count: 16 },
      { call: "write", fd: 1, text: "hello\n" },
      { call: "close", fd: "last" },
      { call: "clone", flags: 0x11, settid: true, child: [{ call: "exit", code: 3 }] },
      { call: "wait4" },
      { call: "fork", child: [{ call: "execve", path: "/bin/sh" }, { call: "exit" }] },
      { call: "wait4", pid: -1 },
      { call: "nanosleep", ms: 1 },
      { call: "sched_setaffinity", cpus: [0] },
      { call: "syscall", nr: 20, args: [] },
      { call: "setuid", uid: 1000 },
      { call: "repeat", times: 2, body: [{ call: "getpid" }] },
    ],
  },
];

/** A random value: JSON-like, plus the JavaScript values a library caller can pass. */
export function randomValue(rng: Rng, depth: number, hostile: boolean): unknown {
  const leaf = depth <= 0 || rng.chance(0.5);
  if (leaf) {
    switch (rng.below(16)) {
      case 0:
        return null;
      case 1:
        return undefined;
      case 2:
        return rng.chance(0.5);
      case 3:
        return rng.pick([
          0,
          -0,
          1,
          -1,
          1.5,
          0.5,
          NaN,
          Infinity,
          -Infinity,
          2 ** 31,
          2 ** 32,
          2 ** 53,
          -(2 ** 31),
        ]);
      case 4:
        return rng.int(-5, 70);
      case 5:
        return rng.pick([0n, -1n, 2n ** 64n, 2n ** 63n]);
      case 6:
        return rng.pick(CALLS);
      case 7:
        return rng.pick([
          "",
          "/etc/passwd",
          "/no/such",
          "last",
          "abc",
          "\0",
          "x".repeat(hostile ? 200_000 : 4096),
        ]);
      case 8:
        return String.fromCharCode(...rng.bytes(rng.below(32)));
      case 9:
        return rng.u32();
      case 10:
        return hostile ? rng.pick([1e9, 2 ** 31 - 1, 1e6]) : rng.int(0, 1000);
      default:
        return rng.int(0, 4);
    }
  }
  if (rng.chance(0.4)) {
    const n = rng.below(5);
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(randomValue(rng, depth - 1, hostile));
    return out;
  }
  const o: Record<string, unknown> = {};
  if (rng.chance(0.7)) o.call = rng.chance(0.8) ? rng.pick(CALLS) : randomValue(rng, 0, hostile);
  for (let n = rng.below(4); n > 0; n--) {
    o[rng.chance(0.9) ? rng.pick(KEYS) : "k" + rng.below(10)] = randomValue(
      rng,
      depth - 1,
      hostile,
    );
  }
  return o;
}

function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (v !== null && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = clone(x);
    return o;
  }
  return v;
}

/** Every object and array inside `v`, with the key that reaches it. */
function nodes(v: unknown, out: [Record<string, unknown> | unknown[], string][] = []): typeof out {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push([v, String(i)]);
      nodes(x, out);
    });
  } else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      out.push([v as Record<string, unknown>, k]);
      nodes(x, out);
    }
  }
  return out;
}

/** A mutated valid workload. */
export function mutateWorkload(rng: Rng, hostile: boolean): [unknown, string] {
  const w = clone(rng.pick(VALID_WORKLOADS));
  const steps: string[] = [];
  for (let n = rng.int(1, 3); n > 0; n--) {
    const all = nodes(w);
    if (all.length === 0) break; // an earlier step deleted everything
    const [parent, key] = rng.pick(all);
    const p = parent as Record<string, unknown>;
    switch (rng.below(4)) {
      case 0: {
        const v = randomValue(rng, 2, hostile);
        p[key] = v;
        steps.push(`${key} = ${show(v)}`);
        break;
      }
      case 1:
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete p[key];
        steps.push(`delete ${key}`);
        break;
      case 2: {
        const k = rng.pick(KEYS);
        const v = randomValue(rng, 1, hostile);
        if (!Array.isArray(parent)) p[k] = v;
        steps.push(`${k} = ${show(v)}`);
        break;
      }
      default:
        if (typeof p[key] === "number") {
          const v = rng.pick([-1, 1.5, NaN, 1e9, -0, 2 ** 53, "1"]);
          if (!hostile && v === 1e9) break;
          p[key] = v;
          steps.push(`${key} = ${show(v)}`);
        }
    }
  }
  return [w, steps.join(", ")];
}

/** A short, total rendering of an input for reports. */
export function show(v: unknown): string {
  try {
    const s = JSON.stringify(
      v,
      (_k, x) =>
        typeof x === "bigint"
          ? `${x}n`
          : typeof x === "number" && !Number.isFinite(x)
          ? String(x)
          : x === undefined
          ? "undefined"
          : x,
    );
    if (s === undefined) return String(v);
    return s.length > 300 ? s.slice(0, 300) + `…(${s.length} chars)` : s;
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** What the workload target keeps across inputs: one kernel per arch, rebooted when spoiled. */
export interface WorkloadCtx {
  kernels: Map<string, Kernel>;
  /** Host exceptions by class (name and first line). */
  classes: Map<string, { count: number; example: string }>;
  boots: number;
}

/** The workload target. */
export function workloadTarget(
  options: { maxInstructions: number; hostile: boolean },
): FuzzTarget<WorkloadCtx> {
  return {
    name: "workload",
    setup: () => Promise.resolve({ kernels: new Map(), classes: new Map(), boots: 0 }),
    async one(rng, ctx) {
      const arch = rng.pick(["x86_64", "i386", "ppc64", "sparc64"] as const);
      let kernel = ctx.kernels.get(arch);
      if (kernel === undefined) {
        kernel = await Kernel.boot({ arch });
        ctx.boots++;
        ctx.kernels.set(arch, kernel);
      }
      let workload: unknown;
      let what: string;
      if (rng.chance(0.5)) {
        [workload, what] = mutateWorkload(rng, options.hostile);
        what = `a valid workload with ${what}`;
      } else if (rng.chance(0.7)) {
        const init = randomValue(rng, 3, options.hostile);
        workload = { init: Array.isArray(init) ? init : [init] };
        what = show(workload);
      } else {
        workload = randomValue(rng, 3, options.hostile);
        what = show(workload);
      }
      what = `Kernel.run({ workload: ${what} }) on ${arch}`;
      let spoiled = true;
      try {
        const r = kernel.run({
          workload: workload as Workload,
          maxInstructions: options.maxInstructions,
        });
        if (
          typeof r !== "object" || typeof r.completed !== "boolean" ||
          !Number.isFinite(r.instructions) || !Array.isArray(r.syscalls)
        ) {
          throw new FuzzFinding(`${what}: returned ${show(r)}, not a RunResult`);
        }
        spoiled = !r.completed;
      } catch (e) {
        if (e instanceof FuzzFinding) throw e;
        // Refused before it ran: the kernel is as it was.
        spoiled =
          !(e instanceof Error && /^Cannot read workload|^Cannot run workload/.test(e.message) ||
            e instanceof KernelError && e.name === "WorkloadError");
        if (e instanceof KernelError) return;
        const key = classOf(e);
        const c = ctx.classes.get(key) ?? { count: 0, example: what };
        c.count++;
        ctx.classes.set(key, c);
        throw new FuzzFinding(`${what}: threw a host exception`, { cause: e });
      } finally {
        if (spoiled) {
          ctx.kernels.delete(arch);
          await kernel.shutdown();
        }
      }
    },
    async teardown(ctx) {
      for (const k of ctx.kernels.values()) await k.shutdown();
    },
  };
}

/** A host exception's class: name and message with paths, quoted values and numbers elided. */
export function classOf(e: unknown): string {
  const first = e instanceof Error
    ? `${e.name}: ${e.message.split("\n")[0]}`
    : `thrown ${typeof e}`;
  return first.replace(/"[^"]*"/g, '"…"').replace(/\b(init|body|child)\b[\w.[\]]*/g, "<path>")
    .replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/g, "N");
}
