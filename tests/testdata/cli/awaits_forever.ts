// Copyright 2026 the kprobes-sim authors. MIT license.
// A module whose top-level await never settles.
await new Promise<void>(() => {});

export function init_module(): number {
  return 0;
}
