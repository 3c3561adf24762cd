// Copyright 2026 the kprobes-sim authors. MIT license.
// An empty program: demo_ms subtracts the wall time of `deno run -A` on it.
export {};
