// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * kprobe_example: the spec's §8 sample module in TypeScript. It dumps a
 * stack trace and selected registers whenever do_fork() is called, i.e. on
 * every process creation.
 *
 *     deno run -A cli.ts insmod examples/kprobe_example.ts
 *
 * Two slips of the C original are not carried over: `trap #%dn` lacked its
 * backslash, and `(ret = register_kprobe(&kp) < 0)` stored the comparison.
 *
 * @module
 */

import {
  dump_stack,
  kallsyms_lookup_name,
  type Kprobe,
  printk,
  type PtRegs,
  register_kprobe,
  unregister_kprobe,
} from "../mod.ts";

/* For each probe you need to allocate a kprobe structure */
const kp: Kprobe = {};

/* kprobe pre_handler: called just before the probed instruction is executed */
function handler_pre(p: Kprobe, regs: PtRegs): number {
  // The C sample prints i386's eip; each architecture has its own names:
  // narrowing on regs.arch is TypeScript's #ifdef CONFIG_X86_64.
  switch (regs.arch) {
    case "i386":
      printk("pre_handler: p->addr=0x%p, eip=%lx, eflags=0x%lx\n", p.addr, regs.eip, regs.eflags);
      break;
    case "ppc64":
      printk("pre_handler: p->addr=0x%p, nip=0x%lx, msr=0x%lx\n", p.addr, regs.nip, regs.msr);
      break;
    case "sparc64":
      printk("pre_handler: p->addr=0x%p, tpc=0x%lx, tstate=0x%lx\n", p.addr, regs.tpc, regs.tstate);
      break;
    case "x86_64":
      printk("pre_handler: p->addr=0x%p, rip=%lx, eflags=0x%lx\n", p.addr, regs.rip, regs.eflags);
  }
  dump_stack();
  return 0;
}

/* kprobe post_handler: called after the probed instruction is executed */
function handler_post(p: Kprobe, regs: PtRegs, _flags: number): void {
  if (regs.arch === "ppc64") {
    printk("post_handler: p->addr=0x%p, msr=0x%lx\n", p.addr, regs.msr);
  } else if (regs.arch === "sparc64") {
    printk("post_handler: p->addr=0x%p, tstate=0x%lx\n", p.addr, regs.tstate);
  } else printk("post_handler: p->addr=0x%p, eflags=0x%lx\n", p.addr, regs.eflags);
}

/* fault_handler: this is called if an exception is generated for any
 * instruction within the pre- or post-handler, or when Kprobes
 * single-steps the probed instruction.
 */
function handler_fault(p: Kprobe, _regs: PtRegs, trapnr: number): number {
  printk("fault_handler: p->addr=0x%p, trap #%d\n", p.addr, trapnr);
  /* Return 0 because we don't handle the fault. */
  return 0;
}

/** Plants the probe on do_fork. */
export function init_module(): number {
  kp.pre_handler = handler_pre;
  kp.post_handler = handler_post;
  kp.fault_handler = handler_fault;
  kp.addr = kallsyms_lookup_name("do_fork");
  /* register the kprobe now */
  if (!kp.addr) {
    printk("Couldn't find %s to plant kprobe\n", "do_fork");
    return -1;
  }
  const ret = register_kprobe(kp);
  if (ret < 0) {
    printk("register_kprobe failed, returned %d\n", ret);
    return -1;
  }
  printk("kprobe registered\n");
  return 0;
}

/** Removes the probe. */
export function cleanup_module(): void {
  unregister_kprobe(kp);
  printk("kprobe unregistered\n");
}

/** MODULE_LICENSE("GPL"). */
export const MODULE_LICENSE = "GPL";
