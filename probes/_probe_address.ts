// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Where a kprobe may go: resolving `addr`/`symbol_name` + `offset` to an
 * address, and register_kprobe()'s generic refusals of an address (kernel
 * text, Kprobes' own code, padding, the blacklist). Holds no probe: the
 * table is `KprobeRegistry`'s. Private to probes/.
 * Linux: kprobe_addr(), in_kprobes_functions(), within_kprobe_blacklist()
 * (kernel/kprobes.c).
 *
 * @module
 */

import type { Arch } from "../arch/types.ts";
import { EINVAL, ENOENT } from "../kernel-model/errno.ts";
import { KprobeBlacklist } from "./blacklist.ts";
import {
  didYouMean,
  type KprobesHost,
  NOT_KERNEL_TEXT,
  type ProbeRefusal,
  type UnknownSymbol,
} from "./kprobes_host.ts";
import type { Kprobe } from "./types.ts";

/** The address rules of one kernel's Kprobes (its blacklist resolved once at boot). */
export class ProbeAddressRules {
  readonly #host: KprobesHost;
  readonly #arch: Arch;
  readonly #blacklist: KprobeBlacklist;
  /** The last symbol_name that did not resolve (cleared by each resolution). */
  #unknown: UnknownSymbol | null = null;

  /**
   * Resolves the arch's blacklist against the kernel's symbols.
   *
   * @param host The kernel's services.
   */
  constructor(host: KprobesHost) {
    this.#host = host;
    this.#arch = host.arch;
    this.#blacklist = KprobeBlacklist.fromSymbols(
      host.arch.kprobes.blacklist,
      (n) => host.lookupSymbol(n),
    );
  }

  /**
   * The symbol_name the latest resolution failed to find, with
   * suggestions, and forgets it; null when the latest one resolved.
   *
   * @returns The unknown symbol, or null.
   */
  takeUnknownSymbol(): UnknownSymbol | null {
    const u = this.#unknown;
    this.#unknown = null;
    return u;
  }

  /**
   * Resolves the address a kprobe names. Linux: kprobe_addr(); 0n or -errno
   * as a negative bigint. Stricter than Linux: the offset must lie inside
   * the function (Linux takes an unsigned offset and probes whatever lies
   * there); every refusal is logged with its reason, an unknown
   * symbol_name kept for {@linkcode ProbeAddressRules.takeUnknownSymbol}.
   *
   * @param p The kprobe.
   * @returns The address, or -errno as a negative bigint.
   */
  resolve(p: Kprobe): bigint {
    this.#unknown = null;
    const hasAddr = p.addr !== undefined && p.addr !== null && BigInt(p.addr) !== 0n;
    const hasSym = p.symbol_name !== undefined && p.symbol_name !== "";
    if (hasSym === hasAddr) {
      this.#host.warn(
        hasSym
          ? `kprobes: kprobe names both addr and symbol_name ${p.symbol_name}; give one`
          : "kprobes: kprobe names neither addr nor symbol_name",
      );
      return BigInt(-EINVAL);
    }
    let base: bigint;
    if (hasSym) {
      base = this.#host.lookupName(String(p.symbol_name));
      if (base === 0n) {
        const name = String(p.symbol_name);
        let suggestions: string[] = [];
        try {
          suggestions = this.#host.suggest?.(name) ?? [];
        } catch {
          // A suggestion is a courtesy: the refusal stands without one.
        }
        this.#unknown = { name, suggestions };
        const hint = didYouMean(suggestions);
        this.#host.warn(`kprobes: unknown symbol ${name}${hint ? ` (${hint})` : ""}`);
        return BigInt(-ENOENT);
      }
    } else {
      base = BigInt.asUintN(this.#arch.bits, BigInt(p.addr as bigint | number));
    }
    const off = (p.offset ?? 0) as number | bigint;
    if (off === 0 || off === 0n) return base;
    const fn = this.#host.functionAt(base);
    const where = fn === undefined
      ? `0x${base.toString(16)}`
      : `${fn.name} (size 0x${fn.size.toString(16)})`;
    if (typeof off === "number" && !Number.isSafeInteger(off)) {
      this.#host.warn(`kprobes: offset ${off} into ${where} is not an integer`);
      return BigInt(-EINVAL);
    }
    const o = BigInt(off);
    if (o < 0n) {
      this.#host.warn(`kprobes: offset ${o} is before the start of ${where}`);
      return BigInt(-EINVAL);
    }
    if (fn !== undefined && base - fn.start + o >= fn.size) {
      this.#host.warn(`kprobes: offset ${o} is past the end of ${where}`);
      return BigInt(-EINVAL);
    }
    return BigInt.asUintN(this.#arch.bits, base + o);
  }

  /**
   * `sym+0xoff` or `0xaddr`, for log lines.
   *
   * @param addr The address.
   * @returns Its name.
   */
  where(addr: bigint): string {
    const fn = this.#host.functionAt(addr);
    return fn === undefined
      ? `0x${addr.toString(16)}`
      : `${fn.name}+0x${(addr - fn.start).toString(16)}`;
  }

  /**
   * Is `addr` in the probe machinery's own code or the slot area?
   * Linux: in_kprobes_functions().
   *
   * @param addr The address.
   * @returns True inside `.kprobes.text` or the instruction slots.
   */
  inKprobesFunctions(addr: bigint): boolean {
    const [ks, ke] = this.#host.kprobesText;
    const [ss, se] = this.#host.insnSlots;
    return (addr >= ks && addr < ke) || (addr >= ss && addr < se);
  }

  /**
   * The generic refusals of register_kprobe() for `addr`: not kernel text,
   * Kprobes' own code (unless `internal`), padding after a function, the
   * blacklist. Linux: the checks of register_kprobe() before
   * arch_prepare_kprobe() (kernel_text_address(), in_kprobes_functions(),
   * within_kprobe_blacklist()).
   *
   * @param addr The address.
   * @param internal A probe of the machinery itself (may sit in its own code).
   * @returns null, or the errno (positive) and the reason for the log.
   */
  refusal(addr: bigint, internal: boolean): ProbeRefusal | null {
    if (!this.#host.isKernelText(addr)) return { errno: EINVAL, reason: NOT_KERNEL_TEXT };
    if (!internal && this.inKprobesFunctions(addr)) {
      return { errno: EINVAL, reason: "Kprobes' own code (.kprobes.text, slots)" };
    }
    const fn = this.#host.functionAt(addr);
    if (fn !== undefined && fn.symbolSize && addr - fn.start >= fn.symbolSize) {
      // Stricter than Linux (whose kallsyms size runs to the next symbol):
      // the bytes after a function's last instruction are padding, not code.
      return {
        errno: EINVAL,
        reason: `past the end of ${fn.name} (size 0x${
          fn.symbolSize.toString(16)
        }), padding between functions`,
      };
    }
    const bl = this.#blacklist.find(addr);
    if (bl !== undefined) return { errno: EINVAL, reason: `blacklisted, ${bl.reason}` };
    return null;
  }
}
