// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * kprobe_example, Linux 6.1's version (`samples/kprobes/kprobe_example.c`)
 * in TypeScript: it prints the probed address and selected registers
 * whenever `symbol` is called; by default do_fork (6.1's `kernel_clone`),
 * on every process creation. It runs unchanged on x86_64, i386, ppc64 and
 * sparc64: where the C sample has `#ifdef CONFIG_X86` / `CONFIG_PPC`, this one
 * narrows on `regs.arch`, and x86 uses the 6.x names `ip` and `flags`.
 *
 *     deno run -A cli.ts insmod examples/kprobe_example_6x.ts
 *     deno run -A cli.ts --arch ppc64 insmod examples/kprobe_example_6x.ts
 *
 * As in C, `symbol` is a module parameter:
 * `deno run -A cli.ts insmod examples/kprobe_example_6x.ts symbol=do_exit`.
 * Messages carry the C sample's `pr_fmt` prefix (the function name).
 *
 * @module
 */

import {
  KERN_ERR,
  KERN_INFO,
  type Kprobe,
  module_params,
  param,
  printk,
  type PtRegs,
  register_kprobe,
  unregister_kprobe,
} from "../mod.ts";

/** module_param_string(symbol, …): the function to probe. */
export const params = module_params({
  symbol: param.charp("do_fork", "The function to probe"),
});

/* For each probe you need to allocate a kprobe structure */
const kp: Kprobe = {};

/* kprobe pre_handler: called just before the probed instruction is executed */
function handler_pre(p: Kprobe, regs: PtRegs): number {
  switch (regs.arch) {
    case "x86_64":
    case "i386":
      printk(
        KERN_INFO + "handler_pre: <%s> p->addr = 0x%p, ip = %lx, flags = 0x%lx\n",
        p.symbol_name,
        p.addr,
        regs.ip,
        regs.flags,
      );
      break;
    case "ppc64":
      printk(
        KERN_INFO + "handler_pre: <%s> p->addr = 0x%p, nip = 0x%lx, msr = 0x%lx\n",
        p.symbol_name,
        p.addr,
        regs.nip,
        regs.msr,
      );
      break;
    case "sparc64":
      printk(
        KERN_INFO + "handler_pre: <%s> p->addr = 0x%p, tpc = 0x%lx, tstate = 0x%lx\n",
        p.symbol_name,
        p.addr,
        regs.tpc,
        regs.tstate,
      );
      break;
  }
  /* A dump_stack() here will give a stack backtrace */
  return 0;
}

/* kprobe post_handler: called after the probed instruction is executed */
function handler_post(p: Kprobe, regs: PtRegs, _flags: number): void {
  switch (regs.arch) {
    case "x86_64":
    case "i386":
      printk(
        KERN_INFO + "handler_post: <%s> p->addr = 0x%p, flags = 0x%lx\n",
        p.symbol_name,
        p.addr,
        regs.flags,
      );
      break;
    case "ppc64":
      printk(
        KERN_INFO + "handler_post: <%s> p->addr = 0x%p, msr = 0x%lx\n",
        p.symbol_name,
        p.addr,
        regs.msr,
      );
      break;
    case "sparc64":
      printk(
        KERN_INFO + "handler_post: <%s> p->addr = 0x%p, tstate = 0x%lx\n",
        p.symbol_name,
        p.addr,
        regs.tstate,
      );
      break;
  }
}

/** Plants the probe on the `symbol` parameter's function. */
export function init_module(): number {
  kp.symbol_name = params.symbol;
  kp.pre_handler = handler_pre;
  kp.post_handler = handler_post;
  const ret = register_kprobe(kp);
  if (ret < 0) {
    printk(KERN_ERR + "kprobe_init: register_kprobe failed, returned %d\n", ret);
    return ret;
  }
  printk(KERN_INFO + "kprobe_init: Planted kprobe at %p\n", kp.addr);
  return 0;
}

/** Removes the probe. */
export function cleanup_module(): void {
  unregister_kprobe(kp);
  printk(KERN_INFO + "kprobe_exit: kprobe at %p unregistered\n", kp.addr);
}

/** MODULE_LICENSE("GPL"). */
export const MODULE_LICENSE = "GPL";
