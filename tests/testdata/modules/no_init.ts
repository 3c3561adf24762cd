// Copyright 2026 the kprobes-sim authors. MIT license.
// A module that forgot init_module.
export function cleanup_module(): void {}
