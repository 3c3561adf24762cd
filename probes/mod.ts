// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The Kprobes API of the spec (§4): `register_kprobe`/`unregister_kprobe`
 * and their plural forms, the `struct kprobe` family of types and the
 * `KPROBE_*` constants; plus the generic core a kernel embeds.
 *
 * @example A kprobe object
 * ```ts
 * import type { Kprobe } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const kp: Kprobe = { symbol_name: "do_fork", offset: 0 };
 * assert.equal(kp.symbol_name, "do_fork");
 * ```
 *
 * @module
 */

export * from "./types.ts";
export * from "./kprobe_api.ts";
export * from "./jprobes.ts";
export * from "./kretprobes.ts";
export * from "./kretprobe_api.ts";
export * from "./kprobes.ts";
export * from "./kprobes_host.ts";
export * from "./kprobes_opt.ts";
export * from "./blacklist.ts";
export * from "./ctlblk.ts";
export * from "./insn_slot.ts";
export * from "./probe_point.ts";
export * from "./validate.ts";
export * from "./disasm.ts";
export * from "./probe_functions.ts";
