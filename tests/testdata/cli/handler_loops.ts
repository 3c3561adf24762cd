// Copyright 2026 the kprobes-sim authors. MIT license.
// A pre_handler that never returns: the CLI's watchdog must stop it.
import { type Kprobe, register_kprobe, unregister_kprobe } from "../../../mod.ts";

const kp: Kprobe = {
  symbol_name: "do_fork",
  pre_handler: function handler_pre(): number {
    for (;;) {
      // Spins forever.
    }
  },
};

export function init_module(): number {
  return register_kprobe(kp);
}

export function cleanup_module(): void {
  unregister_kprobe(kp);
}
