// Copyright 2026 the kprobes-sim authors. MIT license.
// A module whose top-level code throws while it is imported.
throw new Error("throws_at_import: refusing to load");

export function init_module(): number {
  return 0;
}
