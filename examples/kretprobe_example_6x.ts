// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * kretprobe_example, Linux 6.1's version
 * (`samples/kprobes/kretprobe_example.c`) in TypeScript: it reports the
 * return value of `func` and how long each call took, timed with
 * `ktime_get()` (nanoseconds on the guest's TSC) from an `entry_handler`.
 * By default it probes do_fork (6.1's `kernel_clone`). It runs unchanged on
 * x86_64, i386, ppc64 and sparc64: `regs_return_value()` finds the return value on
 * each.
 *
 *     deno run -A cli.ts insmod examples/kretprobe_example_6x.ts
 *
 * As in C, the entry time lives in the instance's private data
 * (`data_size = sizeof(struct my_data)`, `ri->data`): here `ri.data` is a
 * `DataView` of `data_size` bytes, and `struct my_data { ktime_t
 * entry_stamp; }` is the signed 64-bit value at offset 0. `func` is the C sample's
 * module parameter (`insmod kretprobe_example.ko func=<func_name>`), here
 * too: `deno run -A cli.ts insmod examples/kretprobe_example_6x.ts func=sys_open`.
 *
 * @module
 */

import {
  get_current,
  KERN_ERR,
  KERN_INFO,
  type Kretprobe,
  type KretprobeInstance,
  ktime_get,
  ktime_sub,
  ktime_to_ns,
  module_params,
  param,
  printk,
  type PtRegs,
  register_kretprobe,
  regs_return_value,
  unregister_kretprobe,
} from "../mod.ts";

/** module_param_string(func, …): the function to kretprobe. */
export const params = module_params({
  func: param.charp(
    "do_fork",
    "Function to kretprobe; this module will report the function's execution time",
  ),
});

/* per-instance private data: struct my_data { ktime_t entry_stamp; } at offset 0 */
const MY_DATA_SIZE = 8;

/* Here we use the entry_handler to timestamp function entry */
function entry_handler(ri: KretprobeInstance, _regs: PtRegs): number {
  // `if (!current->mm) return 1;`: the guest's only kernel threads are the
  // idle tasks (pid 0).
  if (get_current().pid === 0) return 1; /* Skip kernel threads */
  ri.data.setBigInt64(0, ktime_get(), true); /* data->entry_stamp = ktime_get() */
  return 0;
}

/*
 * Return-probe handler: Log the return value and duration. Duration may turn
 * out to be zero consistently, depending upon the granularity of time
 * accounting on the platform.
 */
function ret_handler(ri: KretprobeInstance, regs: PtRegs): number {
  const retval = regs_return_value(regs);
  const now = ktime_get();
  const delta = ktime_to_ns(ktime_sub(now, ri.data.getBigInt64(0, true)));
  printk(
    KERN_INFO + "%s returned %lu and took %lld ns to execute\n",
    params.func,
    retval,
    delta,
  );
  return 0;
}

const my_kretprobe: Kretprobe = {
  kp: {},
  handler: ret_handler,
  entry_handler: entry_handler,
  data_size: MY_DATA_SIZE,
  /* Probe up to 20 instances concurrently. */
  maxactive: 20,
};

/** Plants the return probe on the `func` parameter's function. */
export function init_module(): number {
  my_kretprobe.kp.symbol_name = params.func;
  const ret = register_kretprobe(my_kretprobe);
  if (ret < 0) {
    printk(KERN_ERR + "register_kretprobe failed, returned %d\n", ret);
    return ret;
  }
  printk(
    KERN_INFO + "Planted return probe at %s: %p\n",
    my_kretprobe.kp.symbol_name,
    my_kretprobe.kp.addr,
  );
  return 0;
}

/** Removes the return probe and reports misses. */
export function cleanup_module(): void {
  unregister_kretprobe(my_kretprobe);
  printk(KERN_INFO + "kretprobe at %p unregistered\n", my_kretprobe.kp.addr);
  /* nmissed > 0 suggests that maxactive was set too low. */
  printk(
    KERN_INFO + "Missed probing %d instances of %s\n",
    my_kretprobe.nmissed,
    my_kretprobe.kp.symbol_name,
  );
}

/** MODULE_LICENSE("GPL"). */
export const MODULE_LICENSE = "GPL";
