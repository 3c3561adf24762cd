// Copyright 2026 the kprobes-sim authors. MIT license.
// A module that registers a probe and forgets to unregister it; also counts
// its own instances to show each insmod imports a fresh copy.
import { type Kprobe, printk, register_kprobe } from "../../../mod.ts";

const kp: Kprobe = { symbol_name: "do_fork", pre_handler: () => void hits++ };
let hits = 0;
let inits = 0;

export function init_module(): number {
  inits++;
  printk("leaky: init %d\n", inits);
  return register_kprobe(kp);
}

export function cleanup_module(): void {
  printk("leaky: %d hits\n", hits);
}
