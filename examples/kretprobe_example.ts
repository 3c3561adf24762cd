// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * kretprobe_example: the spec's §10 sample module in TypeScript. It reports
 * failed calls to sys_open() and, at rmmod, how many instances it missed.
 *
 *     deno run -A cli.ts insmod examples/kretprobe_example.ts
 *
 * The return value is in `regs.rax` on x86_64 (`regs.eax` on i386,
 * `regs.gpr[3]` on ppc64), as the C sample's comment says.
 *
 * @module
 */

import {
  kallsyms_lookup_name,
  type Kretprobe,
  type KretprobeInstance,
  printk,
  type PtRegs,
  register_kretprobe,
  unregister_kretprobe,
} from "../mod.ts";

const probed_func = "sys_open";

/* Return-probe handler: If the probed function fails, log the return value. */
function ret_handler(_ri: KretprobeInstance, regs: PtRegs): number {
  // Substitute the appropriate register name for your architecture --
  // e.g., regs->rax for x86_64, regs->gpr[3] for ppc64, regs->u_regs[UREG_I0]
  // (8) for sparc64. (regs_return_value(regs) says the same on every arch.)
  let retval: number;
  switch (regs.arch) {
    case "i386":
      retval = regs.eax | 0;
      break;
    case "ppc64":
      retval = Number(BigInt.asIntN(32, regs.gpr[3]));
      break;
    case "sparc64":
      retval = Number(BigInt.asIntN(32, regs.u_regs[8]));
      break;
    case "x86_64":
      retval = Number(BigInt.asIntN(32, regs.rax));
  }
  if (retval < 0) {
    printk("%s returns %d\n", probed_func, retval);
  }
  return 0;
}

const my_kretprobe: Kretprobe = {
  kp: {},
  handler: ret_handler,
  /* Probe up to 20 instances concurrently. */
  maxactive: 20,
};

/** Plants the return probe on sys_open. */
export function init_module(): number {
  my_kretprobe.kp.addr = kallsyms_lookup_name(probed_func);
  if (!my_kretprobe.kp.addr) {
    printk("Couldn't find %s to plant return probe\n", probed_func);
    return -1;
  }
  const ret = register_kretprobe(my_kretprobe);
  if (ret < 0) {
    printk("register_kretprobe failed, returned %d\n", ret);
    return -1;
  }
  printk("Planted return probe at %p\n", my_kretprobe.kp.addr);
  return 0;
}

/** Removes the return probe and reports misses. */
export function cleanup_module(): void {
  unregister_kretprobe(my_kretprobe);
  printk("kretprobe unregistered\n");
  /* nmissed > 0 suggests that maxactive was set too low. */
  printk("Missed probing %d instances of %s\n", my_kretprobe.nmissed, probed_func);
}

/** MODULE_LICENSE("GPL"). */
export const MODULE_LICENSE = "GPL";
