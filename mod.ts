// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * kprobes-sim: Kprobes on a simulated Linux kernel whose code is real
 * machine code. Write probe handlers as TypeScript modules with the kernel's
 * names (`register_kprobe`, `pre_handler`, `regs.rip`, `printk`), boot a
 * kernel, insert them, drive a workload, and read what the probes saw.
 *
 * What is here, and nothing else:
 * - the kernel ABI a probe module calls, with Linux's names: `printk` and
 *   `KERN_*`, `dump_stack`, `kallsyms_lookup_name`, `get_current`,
 *   `kernel_read`/`kernel_write`, `msleep`, `schedule`, `utsname`, and the
 *   portable helpers (`regs_get_kernel_argument`, `regs_return_value`,
 *   `instruction_pointer`, `ktime_get_ns`, `get_cycles`, `smp_processor_id`,
 *   `preemptible`, `in_interrupt`, `stack_trace_save`,
 *   `strncpy_from_kernel_nofault`); module parameters (`module_params`,
 *   `param`) and `modinfo`;
 * - the Kprobes API (spec §4): `register_kprobe`… `enable_kprobe`,
 *   `register_jprobe`, `jprobe_return`, `register_kretprobe` and their plural
 *   forms; `Kprobe`, `Jprobe`, `Kretprobe`, `KretprobeInstance`, `PtRegs`
 *   (one type per arch, told apart by `regs.arch`), `TaskRef` and the
 *   `KPROBE_*` constants;
 * - the host API: `Kernel` with `BootOptions`, `InsmodOptions`,
 *   `RunOptions`, `RunResult`; workloads (`Workload`, `parseWorkload`,
 *   `loadWorkload`, `DEFAULT_WORKLOAD`); `ARCH_NAMES`; `Tracefs`
 *   (`kernel.tracefs`: Linux 6.1's kprobe events, trace buffer and filters);
 * - the errors (`KernelError` and its subclasses, `GuestMemoryError`) and
 *   the common errno values with `errnoName`.
 *
 * Interpreters and decoders are at the `./arch` subpath, the kernel model's
 * internals (memory, kallsyms, ELF, notifiers, watchdog, every errno) at
 * `./kernel-model`, the generic Kprobes core at `./probes`, and the kprobe
 * events language, ring buffer and filters at `./tracing`.
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
 * @example A kretprobe that reads the return value on any arch
 * ```ts
 * import {
 *   Kernel,
 *   type Kretprobe,
 *   register_kretprobe,
 *   regs_return_value,
 *   unregister_kretprobe,
 * } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * await using kernel = await Kernel.boot({ arch: "ppc64" });
 * const rets: bigint[] = [];
 * const rp: Kretprobe = {
 *   kp: { symbol_name: "sys_open" },
 *   handler: (_ri, regs) => {
 *     rets.push(regs_return_value(regs));
 *     return 0;
 *   },
 * };
 * await kernel.insmod({
 *   name: "openret",
 *   init_module: () => register_kretprobe(rp),
 *   cleanup_module: () => unregister_kretprobe(rp),
 * });
 * const { syscalls } = kernel.run();
 * const opens = syscalls.filter((s) => s.call === "open").map((s) => BigInt(s.ret));
 * assert.ok(opens.some((ret) => ret < 0n)); // the default workload opens a missing file too
 * assert.deepEqual(rets, opens);
 * ```
 *
 * @module
 */

// The kernel ABI a probe module calls (Linux names, §4 and the kernel API).
export {
  dump_stack,
  get_current,
  kallsyms_lookup_name,
  KERN_ALERT,
  KERN_CRIT,
  KERN_DEBUG,
  KERN_EMERG,
  KERN_ERR,
  KERN_INFO,
  KERN_NOTICE,
  KERN_WARNING,
  kernel_read,
  kernel_write,
  KSYM_NAME_LEN,
  msleep,
  NO_TASK,
  printk,
  type PrintkArg,
  schedule,
  utsname,
} from "./kernel-model/kapi.ts";
export type { NewUtsname } from "./kernel-model/context.ts";
export {
  instruction_pointer,
  instruction_pointer_set,
  kernel_stack_pointer,
  regs_get_kernel_argument,
  regs_get_kernel_stack_nth,
  regs_get_register,
  regs_register_names,
  regs_return_value,
  regs_set_return_value,
} from "./kernel-model/kapi_regs.ts";
export {
  get_cycles,
  ktime_get,
  ktime_get_ns,
  ktime_sub,
  ktime_to_ns,
  ktime_to_us,
  type KtimeT,
} from "./kernel-model/kapi_time.ts";
export {
  in_interrupt,
  preemptible,
  smp_processor_id,
  stack_trace_save,
} from "./kernel-model/kapi_sched.ts";
export { strncpy_from_kernel_nofault } from "./kernel-model/kapi_mem.ts";
export {
  MAX_PARAM_CHARP,
  module_params,
  type ModuleParams,
  param,
  type ParamBuilders,
  type ParamSpec,
  type ParamSpecs,
  type ParamType,
  type ParamValue,
} from "./kernel-model/module_param.ts";
export {
  type KernelModule,
  modinfo,
  type ModinfoField,
  type ModuleObject,
  type ModuleSource,
} from "./kernel-model/module.ts";

// The Kprobes API (§4): registration, the probe structures, the constants.
export {
  disable_kprobe,
  enable_kprobe,
  kprobe_disabled,
  register_kprobe,
  register_kprobes,
  unregister_kprobe,
  unregister_kprobes,
} from "./probes/kprobe_api.ts";
export {
  disable_jprobe,
  enable_jprobe,
  jprobe_return,
  register_jprobe,
  register_jprobes,
  unregister_jprobe,
  unregister_jprobes,
} from "./probes/jprobes.ts";
export {
  disable_kretprobe,
  enable_kretprobe,
  register_kretprobe,
  register_kretprobes,
  unregister_kretprobe,
  unregister_kretprobes,
} from "./probes/kretprobe_api.ts";
export * from "./probes/types.ts";

// The host API: boot a kernel, insert modules, drive a workload, read results.
export { Kernel } from "./kernel-model/kernel.ts";
export type {
  BootOptions,
  InsmodOptions,
  KernelIncidents,
  ModuleInfo,
  ProbePointInfo,
  RunOptions,
  RunResult,
  RunStopReason,
} from "./kernel-model/kernel_options.ts";
export {
  DEFAULT_WORKLOAD,
  type Syscall,
  type SyscallRecord,
  type Workload,
} from "./kernel-model/workload.ts";
export { parseWorkload } from "./kernel-model/workload_schema.ts";
export { loadWorkload } from "./kernel-model/workload_file.ts";
export type { SourceLine } from "./kernel-model/dwarf_line.ts";
export type { ProbeRefusal } from "./probes/kprobes_host.ts";
export { ARCH_NAMES, type ArchName } from "./arch/load_arch.ts";

// `kernel.tracefs`: kprobe events without a module (the rest at "./tracing").
export { Tracefs, type TracefsWriteOptions, type TraceRecordJson } from "./tracing/tracefs.ts";
export type { HitContext, TracingHost } from "./tracing/tracing_host.ts";

// Errors and errno values.
export * from "./kernel-model/errors.ts";
export { GuestMemoryError } from "./kernel-model/memory.ts";
export {
  E2BIG,
  EACCES,
  EAGAIN,
  EBADF,
  EBUSY,
  ECHILD,
  EDEADLK,
  EDOM,
  EEXIST,
  EFAULT,
  EFBIG,
  EILSEQ,
  EINTR,
  EINVAL,
  EIO,
  EISDIR,
  EMFILE,
  EMLINK,
  ENAMETOOLONG,
  ENFILE,
  ENODEV,
  ENOENT,
  ENOEXEC,
  ENOMEM,
  ENOSPC,
  ENOSYS,
  ENOTBLK,
  ENOTDIR,
  ENOTSUPP,
  ENOTTY,
  ENXIO,
  EOPNOTSUPP,
  EOVERFLOW,
  EPERM,
  EPIPE,
  ERANGE,
  EROFS,
  errnoMessage,
  errnoName,
  ESPIPE,
  ESRCH,
  ETIME,
  ETIMEDOUT,
  ETXTBSY,
  EXDEV,
} from "./kernel-model/errno.ts";

// The types of `Kernel`'s inspection getters and options (`kernel.memory`,
// `kernel.kallsyms`, `kernel.dieChain`, `BootOptions.heartbeat`,
// `InsmodOptions.params`), so a test can name them. Their implementations
// (and everything else of the kernel model) live at the "./kernel-model"
// subpath; interpreters and decoders at "./arch"; the Kprobes core at
// "./probes".
export type { Memory } from "./kernel-model/memory.ts";
export type {
  Kallsyms,
  KallsymsInput,
  KallsymsLookup,
  KallsymsSymbol,
} from "./kernel-model/kallsyms.ts";
export type { DieArgs, NotifierBlock, NotifierChain, NotifierFn } from "./kernel-model/notifier.ts";
export type { Heartbeat, HeartbeatTask } from "./kernel-model/watchdog.ts";
export type { ParamArgument } from "./kernel-model/module_param.ts";
export type { GuestMemory } from "./arch/types.ts";
export type { Fault } from "./arch/fault.ts";
