// Copyright 2026 the kprobes-sim authors. MIT license.
// A module that exports init_module only inside a default export.
export default {
  init_module(): number {
    return 0;
  },
};
