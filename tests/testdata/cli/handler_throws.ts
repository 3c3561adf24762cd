// Copyright 2026 the kprobes-sim authors. MIT license.
// A pre_handler that throws on every hit; its cleanup_module throws too.
import { type Kprobe, printk, register_kprobe, unregister_kprobe } from "../../../mod.ts";

const kp: Kprobe = {
  symbol_name: "do_fork",
  pre_handler: (): number => {
    throw new Error("handler_throws: boom");
  },
};

export function init_module(): number {
  return register_kprobe(kp);
}

export function cleanup_module(): void {
  unregister_kprobe(kp);
  printk("handler_throws: cleanup ran\n");
  throw new Error("handler_throws: cleanup boom");
}
