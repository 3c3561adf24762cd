// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The kernel's Kprobes reports as text and records: debugfs
 * `kprobes/list`, `kprobes/kprobe_profile`-style hit counts, and the probe
 * points with their kind. Private to kernel-model/: `Kernel.kprobesList()`,
 * `Kernel.kprobeProfile()` and `Kernel.probePoints()` are the public face.
 * Linux: report_probe() and show_kprobe_addr() (kernel/kprobes.c).
 *
 * @module
 */

import type { Kprobe } from "../probes/types.ts";
import type { KernelCore } from "./_kernel_core.ts";
import type { ProbePointInfo } from "./kernel_options.ts";

/**
 * The kind letter of a registered kprobe: `j` (a jprobe's), `r` (a
 * kretprobe's) or `k`.
 *
 * @param k The kernel.
 * @param kp The kprobe.
 * @returns The letter debugfs prints.
 */
function kindOf(k: KernelCore, kp: Kprobe): "k" | "j" | "r" {
  return k.jprobes.owns(kp) ? "j" : k.kretprobes.owns(kp) ? "r" : "k";
}

/** `sym+0xoff [mod]` without kallsyms' `/0xsize`. */
function placeOf(k: KernelCore, addr: bigint): string {
  return k.kallsyms.formatAddress(addr).replace(/\/0x[0-9a-f]+$/, "");
}

/**
 * `/sys/kernel/debug/kprobes/list`: one line per registered probe.
 *
 * @param k The kernel.
 * @returns The file's text.
 */
export function kprobesListText(k: KernelCore): string {
  return k.kprobes.list().map(({ kp, addr, owner, disabled, optimized }) => {
    // 6.1 report_probe() appends "[DISABLED]" and "[OPTIMIZED]" after one space.
    const flags = `${disabled ? "[DISABLED]" : ""}${optimized ? "[OPTIMIZED]" : ""}`;
    return `${k.hex(addr)}  ${kindOf(k, kp)}  ${placeOf(k, addr)}${owner ? `    [${owner}]` : ""}${
      flags ? ` ${flags}` : ""
    }\n`;
  }).join("");
}

/**
 * Per-probe hits and misses, one line each, in the columns of
 * `kprobe_profile`.
 *
 * @param k The kernel.
 * @returns The text.
 */
export function kprobeProfileText(k: KernelCore): string {
  return k.kprobes.list().map(({ kp, addr, nhit }) => {
    return `  ${placeOf(k, addr).padEnd(44)} ${String(nhit).padStart(15)} ${
      String(kp.nmissed ?? 0).padStart(15)
    }\n`;
  }).join("");
}

/**
 * The registered probe points with their kind.
 *
 * @param k The kernel.
 * @returns One record per registered kprobe.
 */
export function probePointsOf(k: KernelCore): ProbePointInfo[] {
  return k.kprobes.list().map(({ kp, addr, owner, disabled }) => ({
    addr,
    kind: kindOf(k, kp),
    owner,
    disabled,
  }));
}
