// Copyright 2026 the kprobes-sim authors. MIT license.
// A module whose init_module is not a function.
export const init_module = 42;
