// Copyright 2026 the kprobes-sim authors. MIT license.
// What bench.ts (wall clock) and probe_cost.ts (CPU time) share: the spec's
// §6 probes on do_fork (k, j, r and the kr/jr pairs) as setups that
// register and return their teardown, and the per-hit cost of a setup: the
// probed kernel's run minus an unprobed kernel's, interleaved, best of
// `runs` each (other load on the machine only ever adds time), over `hits`.

import { jprobe_return, type Kernel, type Kretprobe } from "../../mod.ts";

/** Registers a probe and returns what unregisters it. */
export type ProbeSetup = () => () => void;

/**
 * The §6 setups on `kernel`: `k`, `j`, `r`, `kr`, `jr`; and `kopt`, the k
 * probe once the optimizer has replaced its int3 by a jump: it turns
 * optimization on, lets `warm` (one bench run, longer than the optimizer's
 * delay) optimize it (a few runs at most), checks `[OPTIMIZED]`, and turns optimization back to
 * what it was at teardown. Linux: the sysctl debug.kprobes-optimization.
 */
export function probeSetups(
  kernel: Kernel,
  warm: () => void = () => {},
): Record<"k" | "j" | "r" | "kr" | "jr" | "kopt", ProbeSetup> {
  const kprobe = () => {
    const kp = { symbol_name: "do_fork", pre_handler: () => 0 };
    kernel.registerKprobe(kp);
    return () => kernel.unregisterKprobe(kp);
  };
  const jprobe = () => {
    const jp = { kp: { symbol_name: "do_fork" }, entry: () => jprobe_return() };
    kernel.registerJprobe(jp);
    return () => kernel.unregisterJprobe(jp);
  };
  const kretprobe = () => {
    const rp: Kretprobe = { kp: { symbol_name: "do_fork" }, handler: () => 0, maxactive: 4 };
    kernel.registerKretprobe(rp);
    return () => kernel.unregisterKretprobe(rp);
  };
  const both = (a: ProbeSetup, b: ProbeSetup) => () => {
    const ta = a();
    const tb = b();
    return () => {
      tb();
      ta();
    };
  };
  const optimized = () => {
    const was = kernel.kprobesOptimization;
    kernel.setKprobesOptimization(true); // throws on an arch without them
    const kp = { symbol_name: "do_fork", pre_handler: () => 0 };
    kernel.registerKprobe(kp);
    for (let i = 0; i < 8 && !kernel.kprobesList().includes("[OPTIMIZED]"); i++) warm();
    if (!kernel.kprobesList().includes("[OPTIMIZED]")) {
      throw new Error("Cannot measure kopt: the probe on do_fork was not optimized");
    }
    return () => {
      kernel.unregisterKprobe(kp);
      kernel.setKprobesOptimization(was);
    };
  };
  return {
    k: kprobe,
    j: jprobe,
    r: kretprobe,
    kr: both(kretprobe, kprobe),
    jr: both(kretprobe, jprobe),
    kopt: optimized,
  };
}

/** How to time one run, in milliseconds. */
export type Timer = (fn: () => void) => number;

/**
 * µs per hit of `setup`: `run` (the probed kernel's bench loop) against
 * `runPlain` (the same on an unprobed kernel), interleaved, best of `runs`.
 */
export function perHitOf(
  setup: ProbeSetup,
  run: () => void,
  runPlain: () => void,
  time: Timer,
  runs: number,
  hits: number,
): number {
  const teardown = setup();
  run();
  let probed = Infinity;
  let unprobed = Infinity;
  for (let i = 0; i < runs; i++) {
    probed = Math.min(probed, time(run));
    unprobed = Math.min(unprobed, time(runPlain));
  }
  teardown();
  return Math.max(0, ((probed - unprobed) * 1000) / hits);
}
