// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Tracing without writing a module: Linux 6.1's kprobe events through a
 * kernel's tracefs (`kernel.tracefs`), built from ftrace's parts as Linux
 * 6.1 has them: the event filter language, the per-CPU trace ring buffer,
 * and the text of the `trace` file (header and line prefix).
 *
 * Layering: tracing/ imports kernel-model/'s leaf files (errno, errors) and
 * probes/types.ts; `kernel-model/kernel.ts`, the composition root, builds a
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
 * @example Filter, buffer and print one event
 * ```ts
 * import { compileFilter, formatTraceLine, TraceRingBuffer, traceLinePrefix } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const filter = compileFilter("ret < 0", [{ name: "ret", kind: "signed", size: 8 }]);
 * assert.ok(filter.ok);
 * const buf = new TraceRingBuffer<string>({ cpus: 1, sizeKb: 7, entrySize: (e) => 8 + e.length });
 * if (filter.match([-2n])) buf.write(0, 131_000, "myret: (sys_open+0x0/0x8c) ret=-2");
 * const [rec] = [...buf.read()];
 * const prefix = traceLinePrefix({
 *   comm: "init", pid: 1, cpu: rec.cpu, irqsOff: true, needResched: false, hardirq: false,
 *   softirq: false, preemptDepth: 1, migrateDisable: 0, tsUs: rec.ts / 1000,
 * });
 * assert.equal(
 *   formatTraceLine(prefix, "myret", "(sys_open+0x0/0x8c) ret=-2"),
 *   "            init-1       [000] d..1.     0.000131: myret: (sys_open+0x0/0x8c) ret=-2\n",
 * );
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
export * from "./filter_text.ts";
export * from "./ring_buffer.ts";
export * from "./output.ts";
