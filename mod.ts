// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * kprobes-sim: Kprobes on a simulated Linux kernel whose code is real
 * machine code. Write probe handlers as TypeScript modules with the kernel's
 * names (`register_kprobe`, `pre_handler`, `regs.rip`, `printk`), boot a
 * kernel, insert them, drive a workload, and read what the probes saw.
 *
 * @example Boot → insmod → drive → read → rmmod → shutdown
 * ```ts
 * import { Kernel, type Kprobe, printk, register_kprobe, unregister_kprobe } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const kernel = await Kernel.boot({ arch: "x86_64", cpus: 2 });
 * const kp: Kprobe = {
 *   symbol_name: "do_fork",
 *   pre_handler: (p) => {
 *     printk("do_fork hit at %p\n", p.addr);
 *     return 0;
 *   },
 * };
 * await kernel.insmod({
 *   name: "forkwatch",
 *   init_module: () => register_kprobe(kp),
 *   cleanup_module: () => unregister_kprobe(kp),
 * });
 * const result = kernel.run();
 * assert.ok(result.completed);
 * assert.match(kernel.log, /do_fork hit at ffffffff8/);
 * assert.equal(kp.nmissed, 0);
 * kernel.rmmod("forkwatch");
 * await kernel.shutdown();
 * ```
 *
 * @module
 */

export * from "./kernel-model/mod.ts";
export * from "./probes/mod.ts";
export * from "./arch/mod.ts";
