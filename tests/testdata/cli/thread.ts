// Copyright 2026 the kprobes-sim authors. MIT license.
// Prints which thread runs the kernel: the CLI's main thread or a Worker.
import { printk } from "../../../mod.ts";

export function init_module(): number {
  printk("thread: %s\n", "WorkerGlobalScope" in globalThis ? "worker" : "main");
  return 0;
}

export function cleanup_module(): void {}
