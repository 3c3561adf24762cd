// Copyright 2026 the kprobes-sim authors. MIT license.
// The shape of Linux's register_kprobes()/register_jprobes()/
// register_kretprobes(): register `num` probes, roll back on failure.

// Both are total: a non-array, a bad `num` or an accessor element gives
// -EINVAL (register) or does nothing (unregister); nothing user-defined runs.

import { isProxy } from "node:util/types";
import { EINVAL } from "../kernel-model/errno.ts";
import { checkProbeList } from "./validate.ts";

/** `items[i]` if it is a data element, else undefined (which registration refuses). */
function element<T>(items: readonly T[], i: number): T {
  const d = Object.getOwnPropertyDescriptor(items, i);
  return (d !== undefined && "value" in d ? d.value : undefined) as T;
}

/** Registers `items[0..num)`; on a failure unregisters the ones done and returns it. */
export function registerAll<T>(
  items: readonly T[],
  num: number,
  register: (item: T) => number,
  unregister: (item: T) => void,
): number {
  if (checkProbeList(items, num) !== 0) return -EINVAL;
  const done: T[] = [];
  for (let i = 0; i < num; i++) {
    const item = element(items, i);
    const ret = register(item);
    if (ret < 0) {
      for (const d of done) unregister(d);
      return ret;
    }
    done.push(item);
  }
  return 0;
}

/** Unregisters `items[0..num)` (as many as there are). */
export function unregisterAll<T>(
  items: readonly T[],
  num: number,
  unregister: (item: T) => void,
): void {
  if (isProxy(items) || !Array.isArray(items) || typeof num !== "number" || !(num > 0)) {
    return;
  }
  const n = Math.min(num, items.length);
  for (let i = 0; i < n; i++) unregister(element(items, i));
}
