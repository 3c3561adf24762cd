// Copyright 2026 the kprobes-sim authors. MIT license.
// A module probing a symbol the kernel does not have.
import { type Kprobe, printk, register_kprobe } from "../../../mod.ts";

const kp: Kprobe = { symbol_name: "do_frok" };

export function init_module(): number {
  const ret = register_kprobe(kp);
  if (ret < 0) {
    printk("register_kprobe failed, returned %d\n", ret);
    return ret;
  }
  return 0;
}
