// Copyright 2026 the kprobes-sim authors. MIT license.
// A module with a syntax error: insmod must refuse it cleanly.
export function init_module(: number {
  return 0;
}
