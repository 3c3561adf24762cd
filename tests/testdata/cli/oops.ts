// Copyright 2026 the kprobes-sim authors. MIT license.
// A pre_handler that sends sys_getpid to address 0: the guest Oopses.
import { type Kprobe, type PtRegs, register_kprobe, unregister_kprobe } from "../../../mod.ts";

const kp: Kprobe = {
  symbol_name: "sys_getpid",
  pre_handler: (_p: Kprobe, regs: PtRegs): number => {
    if (regs.arch === "x86_64") regs.rip = 0n;
    return 1;
  },
};

export function init_module(): number {
  return register_kprobe(kp);
}

export function cleanup_module(): void {
  unregister_kprobe(kp);
}
