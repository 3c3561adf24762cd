// Copyright 2026 the kprobes-sim authors. MIT license.
// The fuzz driver shared by the CI tests (`tests/fuzz/*_test.ts`, a fixed
// number of iterations from a fixed seed) and the long runs of
// `deno task fuzz` (tests/fuzz/fuzz.ts: a time budget from a random seed).
// Each iteration draws its own seed from the run's base seed, so a failure
// is reported as one seed and `FUZZ_SEED=<seed>` replays exactly that input.

import { iterationSeed, Rng } from "./_rng.ts";

/** Thrown by a target when an input breaks the contract (the assertion failed). */
export class FuzzFinding extends Error {
  /**
   * @param message What broke and on which input (the input's description).
   * @param options `cause`: the host exception that escaped, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FuzzFinding";
  }
}

/** A fuzz target: makes one input from a seeded generator and checks the contract on it. */
export interface FuzzTarget<C> {
  /** `elf`, `x86`, `ppc64`, `workload`… */
  name: string;
  /** Loads corpora, boots kernels: shared by every iteration of a run. */
  setup(): Promise<C>;
  /** Runs one input; throws a {@linkcode FuzzFinding} when the contract is broken. */
  one(rng: Rng, ctx: C): void | Promise<void>;
  /** Releases what `setup` made. */
  teardown?(ctx: C): void | Promise<void>;
}

/** One input that broke the contract. */
export interface Finding {
  /** The input's seed: `FUZZ_SEED=<seed>` replays it. */
  seed: number;
  /** The finding's message (the input and what happened). */
  message: string;
}

/** Options of {@linkcode runFuzz}. */
export interface FuzzOptions {
  /** Base seed of the run (default: `FUZZ_SEED` if set, else a fixed CI seed). */
  seed?: number;
  /** Stop after this many inputs. */
  iterations?: number;
  /** Stop after this many seconds of wall time (checked between inputs). */
  seconds?: number;
  /** Stop at the first finding. */
  stopAtFirst?: boolean;
  /** Called for each finding as it happens. */
  onFinding?: (f: Finding) => void;
  /** Called before each input (a watchdog uses it to name the input that hangs). */
  onStart?: (i: number, seed: number) => void;
  /** First iteration index (a run resumed after a hang). */
  startAt?: number;
}

/** What a run did. */
export interface FuzzReport {
  target: string;
  baseSeed: number;
  iterations: number;
  millis: number;
  findings: Finding[];
}

/** The CI seed: the same inputs on every run, so CI is deterministic. */
export const CI_SEED = 0x6b70726f;

/** `FUZZ_SEED` from the environment (decimal or 0x hex): replay one input. */
export function replaySeed(): number | undefined {
  let v: string | undefined;
  try {
    v = Deno.env.get("FUZZ_SEED");
  } catch {
    return undefined; // no --allow-env
  }
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new Error(`Cannot replay FUZZ_SEED "${v}": it is not a 32-bit unsigned integer`);
  }
  return n;
}

/**
 * Runs a target: with `FUZZ_SEED` set, only that one input; else
 * `iterations` inputs (or until `seconds` pass) from the base seed.
 */
export async function runFuzz<C>(
  target: FuzzTarget<C>,
  options: FuzzOptions = {},
): Promise<FuzzReport> {
  const replay = replaySeed();
  const base = options.seed ?? CI_SEED;
  const limit = replay !== undefined ? 1 : options.iterations ?? Infinity;
  const deadline = options.seconds === undefined
    ? Infinity
    : performance.now() + options.seconds * 1000;
  const ctx = await target.setup();
  const findings: Finding[] = [];
  const start = performance.now();
  const first = options.startAt ?? 0;
  let i = first;
  try {
    for (; i - first < limit && performance.now() < deadline; i++) {
      const seed = replay ?? iterationSeed(base, i);
      options.onStart?.(i, seed);
      try {
        await target.one(new Rng(seed), ctx);
      } catch (e) {
        const message = e instanceof FuzzFinding
          ? e.message + (e.cause === undefined ? "" : `\n  ${describe(e.cause)}`)
          : `the fuzz target itself threw: ${describe(e)}`;
        const f = { seed, message };
        findings.push(f);
        options.onFinding?.(f);
        if (options.stopAtFirst) {
          i++;
          break;
        }
      }
    }
  } finally {
    await target.teardown?.(ctx);
  }
  return {
    target: target.name,
    baseSeed: base,
    iterations: i - first,
    millis: performance.now() - start,
    findings,
  };
}

/** A host exception as one line plus its first stack frames. */
export function describe(e: unknown): string {
  if (e instanceof Error) {
    const frames = (e.stack ?? "").split("\n").filter((l) => l.trim().startsWith("at ")).slice(
      0,
      8,
    );
    return `${e.name}: ${e.message.split("\n")[0]}${
      frames.length ? "\n    " + frames.map((l) => l.trim()).join("\n    ") : ""
    }`;
  }
  try {
    return `non-Error ${typeof e}: ${String(e)}`;
  } catch {
    return `non-Error ${typeof e}`;
  }
}

/** A finding's class: the host exception's first line (or the broken rule), values elided. */
export function findingClass(message: string): string {
  const lines = message.split("\n");
  const key = (lines.length > 1 ? lines[1].trim() : lines[0].replace(/^.*\): |^.*?: /, ""))
    .replace(/(Capstone says \d+ bytes, [a-z0-9]+)[^;]*;/, "$1 …;")
    .replace(/Cannot convert .* to a BigInt/, "Cannot convert … to a BigInt");
  return key.replace(/"[^"]*"/g, '"…"').replace(/\b(init|body|child)\b[\w.[\]]*/g, "<path>")
    .replace(/0x[0-9a-f]+|-?\d+(\.\d+)?/g, "N");
}

/** The failure message of a run: each class of finding with a count and one input to replay. */
export function formatFindings(r: FuzzReport, testFile: string): string {
  const classes = new Map<string, { count: number; first: Finding }>();
  for (const f of r.findings) {
    const k = findingClass(f.message);
    const c = classes.get(k) ?? { count: 0, first: f };
    c.count++;
    classes.set(k, c);
  }
  const shown = [...classes.values()].sort((a, b) => b.count - a.count).map(({ count, first }) =>
    `- ${count} × ${findingClass(first.message)}\n  e.g. seed 0x${first.seed.toString(16)}: ${
      first.message.split("\n")[0]
    }\n  replay: FUZZ_SEED=0x${first.seed.toString(16)} deno test -A ${testFile}`
  );
  return `${r.target} fuzzer: ${r.findings.length} of ${r.iterations} inputs broke the contract (base seed 0x${
    r.baseSeed.toString(16)
  }), ${classes.size} classes:\n${shown.join("\n")}`;
}
