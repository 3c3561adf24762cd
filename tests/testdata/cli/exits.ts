// Copyright 2026 the kprobes-sim authors. MIT license.
// Calls Deno.exit() in init_module: it ends only the kernel's thread.

export function init_module(): number {
  Deno.exit(0);
}

export function cleanup_module(): void {}
