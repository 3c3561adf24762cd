// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Checks the options of `Kernel.boot()` and `kernel.run()` before anything
 * starts: every bad value is a {@linkcode KernelError} naming the option, the
 * value and the accepted range, never a hang (`hz: 0`, `quantum: 0`) or a
 * `RangeError` from deep inside the machine.
 *
 * @module
 */

import { Heartbeat } from "./watchdog.ts";
import { ARCH_NAMES, type ArchName, archUserSize } from "../arch/load_arch.ts";
import { KernelError } from "./errors.ts";

/** Fewest guest instructions between two timer interrupts: below it the tick handler never lets anything else run. */
export const MIN_TICK_INSTRUCTIONS = 10_000;

/** Bounds of the numeric boot options, inclusive. */
export const BOOT_OPTION_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  cpus: [1, 64],
  hz: [1, 10_000],
  cpuMhz: [1, 100_000],
  quantum: [1, 10_000_000],
  // The image (about 1 MiB with its heap map and first tasks) up to 256 MiB
  // of host memory per kernel.
  memSize: [4 * 1024 * 1024, 256 * 1024 * 1024],
  // Each live task needs its own 4 KiB scratch page in the 4 MiB user area
  // (3 MiB on sparc64, below its KERNBASE: 768 tasks, see maxTasksOf()).
  maxTasks: [2, 1024],
  // -1 off, 0 translate every block on first entry, else entries first.
  jitThreshold: [-1, 1_000_000_000],
  // Timer ticks a kprobe stays a breakpoint before the optimizer replaces it.
  kprobesOptimizeDelay: [0, 1_000_000],
};

/** Bound of `RunOptions.maxInstructions`. */
export const MAX_RUN_INSTRUCTIONS: number = Number.MAX_SAFE_INTEGER;

/** Boot options after validation, every default filled in. */
export interface CheckedBootOptions {
  /** The architecture. */
  arch: ArchName;
  /** NR_CPUS. */
  cpus: number;
  /** CONFIG_PREEMPT. */
  preempt: boolean;
  /** The image, if one was given. */
  image: Uint8Array | string | URL | undefined;
  /** Kernel RAM in bytes, a multiple of 4096. */
  memSize: number;
  /** Timer interrupts per second. */
  hz: number;
  /** CPU clock in MHz. */
  cpuMhz: number;
  /** Task limit. */
  maxTasks: number;
  /** Console sink. */
  console: ((line: string) => void) | undefined;
  /** Instructions per CPU turn. */
  quantum: number;
  /** The handler heartbeat a watching thread polls, if any. */
  heartbeat: Heartbeat | undefined;
  /** Block translator threshold for every CPU, or undefined for the arch's default. */
  jitThreshold: number | undefined;
  /** debug.kprobes-optimization: the kprobe optimizer may replace breakpoints by jumps. */
  kprobesOptimization: boolean;
  /** Timer ticks before the optimizer looks at a new probe (Linux OPTIMIZE_DELAY, 5). */
  kprobesOptimizeDelay: number;
  /** Hits of probes with no post_handler emulate or boost the probed instruction (no second trap). */
  kprobesBoost: boolean;
}

const BOOT_KEYS = [
  "arch",
  "cpus",
  "preempt",
  "image",
  "memSize",
  "hz",
  "cpuMhz",
  "maxTasks",
  "console",
  "quantum",
  "heartbeat",
  "jitThreshold",
  "kprobesOptimization",
  "kprobesOptimizeDelay",
  "kprobesBoost",
];

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number" || typeof v === "boolean" || v === undefined) return String(v);
  if (v === null) return "null";
  if (typeof v === "function") return "a function";
  if (typeof v === "symbol") return "a symbol";
  return Array.isArray(v) ? "an array" : "an object";
}

/**
 * The most tasks `arch` can hold: one 4 KiB user scratch page each, in its
 * user area (1024 on the 4 MiB of x86_64, i386 and ppc64; 768 on sparc64,
 * whose user area is the 3 MiB below KERNBASE: ABI.md).
 *
 * @param arch The architecture.
 * @returns The upper bound of the `maxTasks` boot option there.
 *
 * @example
 * ```ts
 * import { maxTasksOf } from "./boot_options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(maxTasksOf("x86_64"), 1024);
 * ```
 */
export function maxTasksOf(arch: ArchName): number {
  return Math.min(BOOT_OPTION_RANGES.maxTasks[1], Math.floor(archUserSize(arch) / 4096));
}

function integer(
  name: string,
  value: unknown,
  fallback: number,
  what: string,
  upper?: number,
): number {
  if (value === undefined) return fallback;
  const min = BOOT_OPTION_RANGES[name][0];
  const max = upper ?? BOOT_OPTION_RANGES[name][1];
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new KernelError(
      `Cannot boot with ${name} ${
        show(value)
      }: ${name} (${what}) must be an integer from ${min} to ${max}`,
    );
  }
  return value;
}

/**
 * Validates `Kernel.boot()` options and fills in the defaults.
 *
 * @param options The options as given (any value).
 * @returns The checked options.
 * @throws {KernelError} Naming the first bad option, its value and the accepted range.
 *
 * @example Refuse a timer that never ticks
 * ```ts
 * import { checkBootOptions } from "./boot_options.ts";
 * import { KernelError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkBootOptions({}).hz, 1000);
 * assert.throws(() => checkBootOptions({ hz: 0 }), KernelError);
 * ```
 */
export function checkBootOptions(options: unknown): CheckedBootOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new KernelError(
      `Cannot boot with options ${
        show(options)
      }: pass an object such as { arch: "x86_64", cpus: 2 }`,
    );
  }
  let o: Record<string, unknown>;
  try {
    // One read of each field: a getter runs once, a throwing one is reported.
    o = {};
    for (const k of BOOT_KEYS) o[k] = (options as Record<string, unknown>)[k];
  } catch (e) {
    throw new KernelError(`Cannot boot: the options object cannot be read, pass a plain object`, {
      cause: e,
    });
  }
  const arch = o.arch ?? "x86_64";
  if (typeof arch !== "string" || !(ARCH_NAMES as readonly string[]).includes(arch)) {
    throw new KernelError(
      `Cannot boot architecture ${show(arch)}: arch must be one of ${ARCH_NAMES.join(", ")}`,
    );
  }
  const preempt = o.preempt ?? false;
  if (typeof preempt !== "boolean") {
    throw new KernelError(
      `Cannot boot with preempt ${show(preempt)}: preempt must be true or false`,
    );
  }
  const image = o.image;
  if (
    image !== undefined && !(image instanceof Uint8Array) && !(image instanceof URL) &&
    typeof image !== "string"
  ) {
    throw new KernelError(
      `Cannot boot with image ${
        show(image)
      }: image must be the bytes of a vmlinux (Uint8Array), a path or a URL`,
    );
  }
  const consoleSink = o.console;
  if (consoleSink !== undefined && typeof consoleSink !== "function") {
    throw new KernelError(
      `Cannot boot with console ${
        show(consoleSink)
      }: console must be a function receiving each line`,
    );
  }
  const kprobesOptimization = o.kprobesOptimization ?? true;
  if (typeof kprobesOptimization !== "boolean") {
    throw new KernelError(
      `Cannot boot with kprobesOptimization ${
        show(kprobesOptimization)
      }: kprobesOptimization (debug.kprobes-optimization) must be true or false`,
    );
  }
  const kprobesBoost = o.kprobesBoost ?? true;
  if (typeof kprobesBoost !== "boolean") {
    throw new KernelError(
      `Cannot boot with kprobesBoost ${
        show(kprobesBoost)
      }: kprobesBoost (run a probed instruction without the single-step trap) must be true or false`,
    );
  }
  const kprobesOptimizeDelay = integer(
    "kprobesOptimizeDelay",
    o.kprobesOptimizeDelay,
    5,
    "timer ticks before a kprobe is optimized",
  );
  const cpus = integer("cpus", o.cpus, 1, "NR_CPUS");
  const hz = integer("hz", o.hz, 1000, "timer interrupts per second");
  const cpuMhz = integer("cpuMhz", o.cpuMhz, 1000, "instructions per microsecond");
  const quantum = integer("quantum", o.quantum, 2000, "instructions per CPU turn");
  const memSize = integer("memSize", o.memSize, 16 * 1024 * 1024, "kernel RAM in bytes");
  if (memSize % 4096 !== 0) {
    throw new KernelError(
      `Cannot boot with memSize ${memSize}: memSize must be a multiple of the 4096-byte page`,
    );
  }
  const maxTasks = integer(
    "maxTasks",
    o.maxTasks,
    64,
    `tasks before fork fails with EAGAIN, one 4 KiB user page each on ${arch}`,
    maxTasksOf(arch as ArchName),
  );
  const jitThreshold = o.jitThreshold === undefined ? undefined : integer(
    "jitThreshold",
    o.jitThreshold,
    0,
    "block entries before translation, -1 for off",
  );
  const tick = (cpuMhz * 1_000_000) / hz;
  if (tick < MIN_TICK_INSTRUCTIONS) {
    throw new KernelError(
      `Cannot boot with hz ${hz} at cpuMhz ${cpuMhz}: a tick would be ${
        Math.round(tick)
      } instructions, fewer than the ${MIN_TICK_INSTRUCTIONS} the timer interrupt needs; lower hz or raise cpuMhz`,
    );
  }
  return {
    arch: arch as ArchName,
    cpus,
    preempt,
    image,
    memSize,
    hz,
    cpuMhz,
    maxTasks,
    console: consoleSink as ((line: string) => void) | undefined,
    quantum,
    heartbeat: checkHeartbeat(o.heartbeat),
    jitThreshold,
    kprobesOptimization,
    kprobesOptimizeDelay,
    kprobesBoost,
  };
}

function checkHeartbeat(v: unknown): Heartbeat | undefined {
  if (v === undefined || v instanceof Heartbeat) return v;
  throw new KernelError(
    `Cannot boot with heartbeat ${
      show(v)
    }: pass a Heartbeat from kernel-model/watchdog.ts, or none`,
  );
}

/**
 * Validates `kernel.run()`'s instruction limit.
 *
 * @param value `RunOptions.maxInstructions` as given.
 * @returns The limit (default 2·10⁹).
 * @throws {KernelError} When it is not a positive integer.
 *
 * @example
 * ```ts
 * import { checkMaxInstructions } from "./boot_options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkMaxInstructions(undefined), 2_000_000_000);
 * assert.throws(() => checkMaxInstructions(-1));
 * ```
 */
export function checkMaxInstructions(value: unknown): number {
  if (value === undefined) return 2_000_000_000;
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < 1 ||
    value > MAX_RUN_INSTRUCTIONS
  ) {
    throw new KernelError(
      `Cannot run with maxInstructions ${
        show(value)
      }: maxInstructions must be an integer from 1 to ${MAX_RUN_INSTRUCTIONS}`,
    );
  }
  return value;
}
