// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * jprobe_example: the spec's §9 sample module in TypeScript. It dumps the
 * arguments of do_fork() whenever a process is created.
 *
 *     deno run -A cli.ts insmod examples/jprobe_example.ts
 *
 * The handler has do_fork()'s parameters; on x86_64 they arrive in rdi, rsi,
 * rdx, rcx, r8, r9 (on sparc64 in %o0–%o5; as `bigint`), exactly as the
 * probed function sees them.
 *
 * @module
 */

import {
  type Jprobe,
  jprobe_return,
  kallsyms_lookup_name,
  printk,
  register_jprobe,
  unregister_jprobe,
} from "../mod.ts";

/*
 * Jumper probe for do_fork.
 * Mirror principle enables access to arguments of the probed routine
 * from the probe handler.
 */

/* Proxy routine having the same arguments as actual do_fork() routine */
function jdo_fork(
  clone_flags: bigint,
  _stack_start: bigint,
  regs: bigint,
  stack_size: bigint,
  _parent_tidptr: bigint,
  _child_tidptr: bigint,
): number {
  printk("jprobe: clone_flags=0x%lx, stack_size=0x%lx, regs=0x%p\n", clone_flags, stack_size, regs);
  /* Always end with a call to jprobe_return(). */
  jprobe_return();
  /*NOTREACHED*/
  return 0;
}

const my_jprobe: Jprobe = {
  kp: {},
  entry: jdo_fork,
};

/** Plants the jprobe on do_fork. */
export function init_module(): number {
  my_jprobe.kp.addr = kallsyms_lookup_name("do_fork");
  if (!my_jprobe.kp.addr) {
    printk("Couldn't find %s to plant jprobe\n", "do_fork");
    return -1;
  }
  const ret = register_jprobe(my_jprobe);
  if (ret < 0) {
    printk("register_jprobe failed, returned %d\n", ret);
    return -1;
  }
  // A TypeScript handler has no guest address: Kprobes sends the CPU to the
  // jprobe trampoline, which runs it, so that is the handler address shown.
  printk(
    "Planted jprobe at %p, handler addr %p\n",
    my_jprobe.kp.addr,
    kallsyms_lookup_name("jprobe_trampoline"),
  );
  return 0;
}

/** Removes the jprobe. */
export function cleanup_module(): void {
  unregister_jprobe(my_jprobe);
  printk("jprobe unregistered\n");
}

/** MODULE_LICENSE("GPL"). */
export const MODULE_LICENSE = "GPL";
