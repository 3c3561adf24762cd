// Copyright 2026 the kprobes-sim authors. MIT license.
// The shape of Linux's register_kprobes()/register_jprobes()/
// register_kretprobes(): register `num` probes, roll back on failure.

import { EINVAL } from "../kernel-model/errno.ts";

/** Registers `items[0..num)`; on a failure unregisters the ones done and returns it. */
export function registerAll<T>(
  items: readonly T[],
  num: number,
  register: (item: T) => number,
  unregister: (item: T) => void,
): number {
  if (num <= 0 || num > items.length) return -EINVAL;
  for (let i = 0; i < num; i++) {
    const ret = register(items[i]);
    if (ret < 0) {
      for (let j = 0; j < i; j++) unregister(items[j]);
      return ret;
    }
  }
  return 0;
}

/** Unregisters `items[0..num)`. */
export function unregisterAll<T>(
  items: readonly T[],
  num: number,
  unregister: (item: T) => void,
): void {
  for (let i = 0; i < num && i < items.length; i++) unregister(items[i]);
}
