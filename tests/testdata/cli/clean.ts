// Copyright 2026 the kprobes-sim authors. MIT license.
// Loads, prints, unloads: the module after a throwing one still cleans up.
import { printk } from "../../../mod.ts";

export function init_module(): number {
  printk("clean: init\n");
  return 0;
}

export function cleanup_module(): void {
  printk("clean: cleanup\n");
}
