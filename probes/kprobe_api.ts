// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The kprobe registration ABI of §4.1 and §4.4, bound to the kernel running
 * the calling module.
 *
 * @module
 */

import { kernelAbiFor } from "../kernel-model/context.ts";
import { EINVAL } from "../kernel-model/errno.ts";
import { registerAll, unregisterAll } from "./_register_all.ts";
import type { Kprobe } from "./types.ts";

/**
 * Sets a breakpoint at `kp.addr` (or `kp.symbol_name` + `kp.offset`) (§4.1).
 *
 * @param kp The kprobe.
 * @returns 0 on success, or a negative errno (-EINVAL for a value of the
 * wrong shape or type, see `validate.ts`, and outside any kernel).
 *
 * @example Probe do_fork from init_module
 * ```ts ignore
 * import { register_kprobe, type Kprobe } from "../mod.ts";
 * const kp: Kprobe = { symbol_name: "do_fork", pre_handler: () => 0 };
 * export function init_module(): number {
 *   return register_kprobe(kp);
 * }
 * ```
 */
export function register_kprobe(kp: Kprobe): number {
  return kernelAbiFor("register_kprobe")?.registerKprobe(kp) ?? -EINVAL;
}

/**
 * Removes a kprobe (§4.4); the original instruction is back in text.
 *
 * @param kp The kprobe.
 *
 * @example In cleanup_module
 * ```ts ignore
 * import { unregister_kprobe, type Kprobe } from "../mod.ts";
 * declare const kp: Kprobe;
 * export function cleanup_module(): void {
 *   unregister_kprobe(kp);
 * }
 * ```
 */
export function unregister_kprobe(kp: Kprobe): void {
  kernelAbiFor("unregister_kprobe")?.unregisterKprobe(kp);
}

/**
 * Registers `num` kprobes; on a failure, unregisters those already
 * registered and returns the error. Linux: register_kprobes().
 *
 * @param kps The kprobes.
 * @param num How many of them.
 * @returns 0, or the first negative errno (-EINVAL when `kps` is not an
 * array or `num` is not an integer from 1 to its length).
 *
 * @example Two probes
 * ```ts ignore
 * import { register_kprobes, type Kprobe } from "../mod.ts";
 * const kps: Kprobe[] = [{ symbol_name: "do_fork" }, { symbol_name: "sys_open" }];
 * export const init_module = () => register_kprobes(kps, kps.length);
 * ```
 */
export function register_kprobes(kps: readonly Kprobe[], num: number): number {
  const abi = kernelAbiFor("register_kprobes");
  if (abi === null) return -EINVAL;
  return registerAll(kps, num, (p) => abi.registerKprobe(p), (p) => abi.unregisterKprobe(p));
}

/**
 * Unregisters `num` kprobes. Linux: unregister_kprobes().
 *
 * @param kps The kprobes.
 * @param num How many of them.
 *
 * @example Two probes
 * ```ts ignore
 * import { unregister_kprobes, type Kprobe } from "../mod.ts";
 * declare const kps: Kprobe[];
 * export const cleanup_module = () => unregister_kprobes(kps, kps.length);
 * ```
 */
export function unregister_kprobes(kps: readonly Kprobe[], num: number): void {
  const abi = kernelAbiFor("unregister_kprobes");
  if (abi === null) return;
  unregisterAll(kps, num, (p) => abi.unregisterKprobe(p));
}
