// Copyright 2026 the kprobes-sim authors. MIT license.
// A pre_handler that sends the CPU back to its own probe for ever: each hit
// returns, but the guest never leaves do_fork (a kernel loop that never
// schedules).
import { type Kprobe, type PtRegs, register_kprobe, unregister_kprobe } from "../../../mod.ts";

const kp: Kprobe = {
  symbol_name: "do_fork",
  pre_handler: (p: Kprobe, regs: PtRegs): number => {
    if (regs.arch === "x86_64") regs.rip = BigInt(p.addr ?? 0);
    return 1;
  },
  // A probe that changes the execution path keeps a post_handler, so the
  // kprobe optimizer leaves it an int3 probe (Linux: kprobes.rst, "NOTE for geeks").
  post_handler: () => {},
};

export function init_module(): number {
  return register_kprobe(kp);
}

export function cleanup_module(): void {
  unregister_kprobe(kp);
}
