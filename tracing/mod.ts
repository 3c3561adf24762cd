// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Tracing without writing a module: Linux 6.1's kprobe events through a
 * kernel's tracefs (`kernel.tracefs`), the per-CPU trace ring buffer, event
 * filters, and the trace output format.
 *
 * Layering: tracing/ imports kernel-model/'s leaf files (errno, errors) and
 * types of probes/; `kernel-model/kernel.ts`, the composition root, builds a
 * {@linkcode TracingHost} and a {@linkcode Tracefs} per kernel.
 *
 * @example Trace sys_open's path on x86_64
 * ```ts
 * import { Kernel } from "../mod.ts";
 * import assert from "node:assert/strict";
 * await using kernel = await Kernel.boot();
 * const fs = kernel.tracefs;
 * fs.write("kprobe_events", "p:myopen sys_open path=+0($arg1):ustring");
 * fs.write("events/kprobes/myopen/enable", "1");
 * kernel.run();
 * assert.match(fs.read("trace_pipe"), /myopen: \(sys_open\+0x0\/0x[0-9a-f]+\) path="\/etc\/passwd"/);
 * ```
 *
 * @module
 */

export * from "./tracefs.ts";
export * from "./tracing_host.ts";
export * from "./trace_kprobe.ts";
export * from "./probe_command.ts";
export * from "./probe_args.ts";
export * from "./fetch_types.ts";
export * from "./fetch_eval.ts";
export * from "./filter.ts";
export * from "./ring_buffer.ts";
export * from "./output.ts";
