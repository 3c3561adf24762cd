// Copyright 2026 the kprobes-sim authors. MIT license.
// An async init_module that registers its probe after an await, and a timer
// that tries to register another after init has finished.
import { type Kprobe, printk, register_kprobe } from "../../../mod.ts";

const kp: Kprobe = { symbol_name: "do_fork", pre_handler: () => void hits++ };
let hits = 0;

export async function init_module(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  const ret = register_kprobe(kp);
  printk("hostile_async: registered after await: %d\n", ret);
  setTimeout(() => register_kprobe({ symbol_name: "sys_open" }), 1);
  return ret;
}

export function cleanup_module(): void {
  printk("hostile_async: %d hits\n", hits);
}
