// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The return-probe registration ABI of §4.3 and §4.4, bound to the kernel
 * running the calling module; the per-kernel machinery is `kretprobes.ts`.
 * Linux: register_kretprobe() and family (kernel/kprobes.c).
 *
 * @module
 */

import { kernelAbiFor } from "../kernel-model/context.ts";
import { EINVAL } from "../kernel-model/errno.ts";
import { registerAll, unregisterAll } from "./_register_all.ts";
import { embeddedKprobe } from "./validate.ts";
import type { Kprobe, Kretprobe } from "./types.ts";

/**
 * Registers a return probe (§4.3): `rp.handler` runs when the function
 * returns, with the return value in `regs.rax` (x86_64), `regs.eax` (i386)
 * or `regs.gpr[3]` (ppc64). Set `rp.maxactive` first (≤ 0: the default;
 * at most 4096, Linux's KRETPROBE_MAXACTIVE_MAX, else -E2BIG).
 *
 * @param rp The return probe.
 * @returns 0 or a negative errno.
 *
 * @example Report failed opens
 * ```ts ignore
 * import { printk, register_kretprobe, type Kretprobe } from "../mod.ts";
 * const rp: Kretprobe = {
 *   kp: { symbol_name: "sys_open" },
 *   handler: (_ri, regs) => {
 *     const retval = Number(BigInt.asIntN(32, regs.rax));
 *     if (retval < 0) printk("sys_open returns %d\n", retval);
 *     return 0;
 *   },
 *   maxactive: 20,
 * };
 * export const init_module = () => register_kretprobe(rp);
 * ```
 */
export function register_kretprobe(rp: Kretprobe): number {
  return kernelAbiFor("register_kretprobe")?.registerKretprobe(rp) ?? -EINVAL;
}

/**
 * Removes a return probe (§4.4).
 *
 * @param rp The return probe.
 *
 * @example In cleanup_module
 * ```ts ignore
 * import { unregister_kretprobe, type Kretprobe } from "../mod.ts";
 * declare const rp: Kretprobe;
 * export const cleanup_module = () => unregister_kretprobe(rp);
 * ```
 */
export function unregister_kretprobe(rp: Kretprobe): void {
  kernelAbiFor("unregister_kretprobe")?.unregisterKretprobe(rp);
}

/**
 * Registers `num` return probes, rolling back on failure. Linux: register_kretprobes().
 *
 * @param rps The return probes.
 * @param num How many.
 * @returns 0 or the first negative errno.
 *
 * @example Two return probes
 * ```ts ignore
 * import { register_kretprobes, type Kretprobe } from "../mod.ts";
 * declare const rps: Kretprobe[];
 * export const init_module = () => register_kretprobes(rps, rps.length);
 * ```
 */
export function register_kretprobes(rps: readonly Kretprobe[], num: number): number {
  const abi = kernelAbiFor("register_kretprobes");
  if (abi === null) return -EINVAL;
  return registerAll(rps, num, (p) => abi.registerKretprobe(p), (p) => abi.unregisterKretprobe(p));
}

/**
 * Unregisters `num` return probes. Linux: unregister_kretprobes().
 *
 * @param rps The return probes.
 * @param num How many.
 *
 * @example Two return probes
 * ```ts ignore
 * import { unregister_kretprobes, type Kretprobe } from "../mod.ts";
 * declare const rps: Kretprobe[];
 * export const cleanup_module = () => unregister_kretprobes(rps, rps.length);
 * ```
 */
export function unregister_kretprobes(rps: readonly Kretprobe[], num: number): void {
  const abi = kernelAbiFor("unregister_kretprobes");
  if (abi === null) return;
  unregisterAll(rps, num, (p) => abi.unregisterKretprobe(p));
}

/**
 * Disables a registered return probe (Linux: disable_kretprobe(), i.e.
 * `disable_kprobe(&rp->kp)`): no new instance is taken while it is
 * disabled; calls already in flight still return through the handler.
 *
 * @param rp The return probe.
 * @returns 0, or -EINVAL when it is not registered.
 *
 * @example
 * ```ts ignore
 * import { disable_kretprobe, type Kretprobe } from "../mod.ts";
 * declare const rp: Kretprobe;
 * disable_kretprobe(rp);
 * ```
 */
export function disable_kretprobe(rp: Kretprobe): number {
  return kernelAbiFor("disable_kretprobe")?.disableKprobe(embeddedKprobe(rp) as Kprobe) ??
    -EINVAL;
}

/**
 * Enables a return probe disabled by {@linkcode disable_kretprobe} or
 * registered with `kp.flags: KPROBE_FLAG_DISABLED` (Linux: enable_kretprobe()).
 *
 * @param rp The return probe.
 * @returns 0, or -EINVAL when it is not registered.
 *
 * @example
 * ```ts ignore
 * import { enable_kretprobe, type Kretprobe } from "../mod.ts";
 * declare const rp: Kretprobe;
 * enable_kretprobe(rp);
 * ```
 */
export function enable_kretprobe(rp: Kretprobe): number {
  return kernelAbiFor("enable_kretprobe")?.enableKprobe(embeddedKprobe(rp) as Kprobe) ??
    -EINVAL;
}
