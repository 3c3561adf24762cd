// Copyright 2026 the kprobes-sim authors. MIT license.
// A module whose top-level code never finishes: the watchdog names the load.
for (;;) {
  // Spins while being imported.
}

export function init_module(): number {
  return 0;
}
