// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The kprobe registration ABI of §4.1 and §4.4, bound to the kernel running
 * the calling module.
 *
 * @module
 */

import { isProxy } from "node:util/types";
import { kernelAbiFor } from "../kernel-model/context.ts";
import { EINVAL } from "../kernel-model/errno.ts";
import { registerAll, unregisterAll } from "./_register_all.ts";
import { type Kprobe, KPROBE_FLAG_DISABLED } from "./types.ts";

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

/**
 * Disables a registered kprobe (Linux 2.6.30+: disable_kprobe()): it stays
 * registered and runs no handler; its breakpoint leaves kernel text (and
 * the address stops counting hits) once every kprobe at the address is
 * disabled. Disabling a disabled kprobe returns 0.
 *
 * @param kp The kprobe.
 * @returns 0, or -EINVAL when `kp` is not a registered kprobe (any value:
 * it is looked up by identity) and outside any kernel.
 *
 * @example Pause a probe while a module parameter says so
 * ```ts ignore
 * import { disable_kprobe, enable_kprobe, type Kprobe } from "../mod.ts";
 * declare const kp: Kprobe;
 * export function pause(on: boolean): number {
 *   return on ? disable_kprobe(kp) : enable_kprobe(kp);
 * }
 * ```
 */
export function disable_kprobe(kp: Kprobe): number {
  return kernelAbiFor("disable_kprobe")?.disableKprobe(kp) ?? -EINVAL;
}

/**
 * Enables a kprobe disabled by {@linkcode disable_kprobe} or registered
 * with `flags: KPROBE_FLAG_DISABLED` (Linux: enable_kprobe()): its handlers
 * run again and its breakpoint is back in text (unless every probe is
 * disarmed through debugfs `kprobes/enabled`; then when they are armed
 * again). Enabling an enabled kprobe returns 0.
 *
 * @param kp The kprobe.
 * @returns 0, or -EINVAL when `kp` is not a registered kprobe or has
 * KPROBE_FLAG_GONE set, and outside any kernel.
 *
 * @example Register disabled, arm later
 * ```ts ignore
 * import { enable_kprobe, KPROBE_FLAG_DISABLED, register_kprobe, type Kprobe } from "../mod.ts";
 * const kp: Kprobe = { symbol_name: "do_fork", flags: KPROBE_FLAG_DISABLED, pre_handler: () => 0 };
 * export function init_module(): number {
 *   return register_kprobe(kp) || enable_kprobe(kp);
 * }
 * ```
 */
export function enable_kprobe(kp: Kprobe): number {
  return kernelAbiFor("enable_kprobe")?.enableKprobe(kp) ?? -EINVAL;
}

/**
 * Is `kp` disabled? Linux: kprobe_disabled(), which tests
 * KPROBE_FLAG_DISABLED in `kp.flags` (set by {@linkcode disable_kprobe},
 * cleared by {@linkcode enable_kprobe}).
 *
 * @param kp The kprobe.
 * @returns Whether the flag is set; false for anything but a kprobe.
 *
 * @example
 * ```ts
 * import { kprobe_disabled, KPROBE_FLAG_DISABLED } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(kprobe_disabled({ symbol_name: "do_fork", flags: KPROBE_FLAG_DISABLED }), true);
 * assert.equal(kprobe_disabled({ symbol_name: "do_fork" }), false);
 * ```
 */
export function kprobe_disabled(kp: Kprobe): boolean {
  if (typeof kp !== "object" || kp === null || isProxy(kp)) return false;
  const d = Object.getOwnPropertyDescriptor(kp, "flags");
  return d !== undefined && "value" in d && typeof d.value === "number" &&
    (d.value & KPROBE_FLAG_DISABLED) !== 0;
}
