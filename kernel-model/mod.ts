// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The simulated machine and kernel: `Kernel` (boot, insmod, run, log), the
 * kernel ABI modules call (`printk`, `dump_stack`, `kallsyms_lookup_name`),
 * errno names, typed errors, the ELF loader, kallsyms, memory, notifiers
 * and workloads.
 *
 * @example Boot and read the banner
 * ```ts
 * import { Kernel } from "./mod.ts";
 * import assert from "node:assert/strict";
 * await using kernel = await Kernel.boot();
 * assert.match(kernel.log, /Linux version 2\.6\.12-kprobes-sim/);
 * ```
 *
 * @module
 */

export * from "./kernel.ts";
export * from "./kernel_options.ts";
export * from "./dwarf_line.ts";
export * from "./kapi.ts";
export * from "./kapi_regs.ts";
export * from "./kapi_time.ts";
export * from "./kapi_sched.ts";
export * from "./kapi_mem.ts";
export * from "./context.ts";
export * from "./errno.ts";
export * from "./errors.ts";
export * from "./elf.ts";
export * from "./kallsyms.ts";
export * from "./memory.ts";
export * from "./module.ts";
export * from "./module_param.ts";
export * from "./notifier.ts";
export * from "./oops.ts";
export * from "./workload.ts";
export * from "./workload_schema.ts";
export * from "./workload_driver.ts";
export * from "./workload_file.ts";
export * from "./boot_options.ts";
export * from "./syscall_args.ts";
export * from "./printk.ts";
export * from "./watchdog.ts";
