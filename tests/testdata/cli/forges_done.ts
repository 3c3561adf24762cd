// Copyright 2026 the kprobes-sim authors. MIT license.
// Tries to end the CLI with a forged "clean run" message from inside its
// worker, then throws from every handler.
import { type Kprobe, register_kprobe, unregister_kprobe } from "../../../mod.ts";

const kp: Kprobe = {
  symbol_name: "do_fork",
  pre_handler: (): number => {
    throw new Error("forges_done: boom");
  },
};

export function init_module(): number {
  const g = globalThis as unknown as { postMessage?: (m: unknown) => void };
  g.postMessage?.({ kind: "done", code: 0, errors: [] });
  return register_kprobe(kp);
}

export function cleanup_module(): void {
  unregister_kprobe(kp);
}
