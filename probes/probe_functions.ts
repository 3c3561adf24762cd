// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The kernel functions a kprobe may be placed on, as `perf probe -F`
 * lists them: every text symbol of the image whose entry
 * `register_kprobe()` accepts (so blacklisted entry code, `.kprobes.text`
 * and the instruction slots are left out), sorted, optionally filtered by
 * a glob. Linux: `perf probe --funcs` (tools/perf/util/probe-event.c);
 * the verdict is the Kprobes core's own (`checkProbeAddress`).
 *
 * @module
 */

import { KernelError } from "../kernel-model/errors.ts";
import type { Kallsyms } from "../kernel-model/kallsyms.ts";
import type { ProbeRefusal } from "./kprobes_host.ts";

/** What the list needs of a booted kernel (a `Kernel` has it). */
export interface ProbeFunctionsHost {
  /** `x86_64`, `i386`, `ppc64` or `sparc64`. */
  readonly arch: string;
  /** The kernel's symbols. */
  readonly kallsyms: Kallsyms;
  /** register_kprobe()'s verdict on an address, without registering. */
  checkProbeAddress(addr: bigint): ProbeRefusal | null;
}

const TEXT_TYPES = new Set(["T", "t", "W", "w"]);

/** Linker-script labels, not functions (`_stext`, `__kprobes_text_start`…). */
function isLinkerLabel(name: string): boolean {
  return name === "_text" || name === "_stext" || name === "_etext" || name === "_sinittext" ||
    (name.startsWith("__") && (name.endsWith("_start") || name.endsWith("_end")));
}

/**
 * Compiles a `perf probe -F` style filter: `*` any run of characters, `?`
 * one character, everything else literal; the whole name must match.
 *
 * @param glob The pattern.
 * @returns A test for names.
 * @throws {KernelError} When the pattern is empty or longer than 256 characters.
 *
 * @example
 * ```ts
 * import { globMatcher } from "./probe_functions.ts";
 * import assert from "node:assert/strict";
 * const m = globMatcher("sys_*");
 * assert.ok(m("sys_open"));
 * assert.ok(!m("do_sys_open"));
 * assert.ok(globMatcher("vfs_?ead")("vfs_read"));
 * ```
 */
export function globMatcher(glob: string): (name: string) => boolean {
  if (glob.length === 0 || glob.length > 256) {
    throw new KernelError(
      `Cannot filter functions by "${glob}": a pattern has 1 to 256 characters, e.g. 'sys_*'`,
    );
  }
  const body = [...glob].map((c) =>
    c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")
  ).join("");
  const re = new RegExp(`^${body}$`, "s");
  return (name) => re.test(name);
}

/**
 * The functions a kprobe may be placed on, by name, sorted. On ppc64 the
 * code symbol's leading dot is dropped (`do_fork`, which is what
 * `symbol_name` takes; the descriptor is followed to `.do_fork`).
 *
 * @param host A booted kernel.
 * @param glob Optional filter (`sys_*`, `vfs_?ead`).
 * @returns The names.
 * @throws {KernelError} When the glob is malformed.
 *
 * @example The VFS path
 * ```ts
 * import { Kernel } from "../kernel-model/kernel.ts";
 * import { probeableFunctions } from "./probe_functions.ts";
 * import assert from "node:assert/strict";
 * await using kernel = await Kernel.boot();
 * assert.deepEqual(probeableFunctions(kernel, "vfs_*"), ["vfs_read", "vfs_write"]);
 * assert.ok(!probeableFunctions(kernel).includes("kretprobe_trampoline"));
 * ```
 */
export function probeableFunctions(host: ProbeFunctionsHost, glob?: string): string[] {
  const match = glob === undefined ? () => true : globMatcher(glob);
  const names = new Set<string>();
  for (const s of host.kallsyms.symbols()) {
    if (s.module !== undefined || !TEXT_TYPES.has(s.type) || isLinkerLabel(s.name)) continue;
    const name = host.arch === "ppc64" && s.name.startsWith(".") ? s.name.slice(1) : s.name;
    if (names.has(name) || !match(name)) continue;
    if (host.checkProbeAddress(s.address) !== null) continue;
    names.add(name);
  }
  return [...names].sort();
}
