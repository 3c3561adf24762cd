// Copyright 2026 the kprobes-sim authors. MIT license.
// A module that throws a value with no prototype (String() of it throws) while it is imported.
export function init_module(): number {
  return 0;
}
throw Object.create(null);
