// Copyright 2026 the kprobes-sim authors. MIT license.
// Takes tasklist_lock behind the kernel's back: the first fork spins in
// spin_lock() forever, a guest soft lockup in do_fork.
import { kallsyms_lookup_name, kernel_write } from "../../../mod.ts";

export function init_module(): number {
  kernel_write(kallsyms_lookup_name("tasklist_lock"), 4, 1);
  return 0;
}
