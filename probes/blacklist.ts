// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The Kprobes blacklist: kernel code where a breakpoint would break the
 * kernel (entry code, exception vectors), refused by `register_kprobe()`
 * with -EINVAL and the reason in the log. Generic: the ranges come from
 * symbol names the arch supplies (`KprobesArch.blacklist`), resolved by the
 * kernel's kallsyms. Linux: `kprobe_blacklist`, `within_kprobe_blacklist()`,
 * `kprobe_add_area_blacklist()` (kernel/kprobes.c).
 *
 * @module
 */

import type { KprobeBlacklistEntry } from "../arch/types.ts";

/** One refused range of kernel text. Linux: `struct kprobe_blacklist_entry`. */
export interface BlacklistRange {
  /** First refused address. */
  readonly start: bigint;
  /** One past the last refused address. */
  readonly end: bigint;
  /** The symbol the range covers. */
  readonly name: string;
  /** Why it is refused, as the log line gives it. */
  readonly reason: string;
}

/** A function symbol as {@linkcode KprobeBlacklist.fromSymbols} resolves it. */
export interface BlacklistSymbol {
  /** Start address. */
  readonly address: bigint;
  /** Size in bytes. */
  readonly size: bigint;
}

/** The refused ranges of one kernel. */
export class KprobeBlacklist {
  readonly #ranges: BlacklistRange[];

  /**
   * Makes a blacklist of `ranges`.
   *
   * @param ranges The refused ranges, in any order.
   *
   * @example One range
   * ```ts
   * import { KprobeBlacklist } from "./blacklist.ts";
   * import assert from "node:assert/strict";
   * const bl = new KprobeBlacklist([{ start: 0x100n, end: 0x140n, name: "entry", reason: "entry code" }]);
   * assert.equal(bl.find(0x13fn)?.name, "entry");
   * assert.equal(bl.find(0x140n), undefined);
   * ```
   */
  constructor(ranges: readonly BlacklistRange[]) {
    this.#ranges = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }

  /**
   * Resolves an arch's blacklist entries to ranges; symbols the image does
   * not have are skipped.
   *
   * @param entries The arch's entries.
   * @param lookup kallsyms lookup of a function symbol by name.
   * @returns The blacklist.
   *
   * @example From symbol names
   * ```ts
   * import { KprobeBlacklist } from "./blacklist.ts";
   * import assert from "node:assert/strict";
   * const syms = new Map([["ret_from_intr", { address: 0x200n, size: 0x10n }]]);
   * const bl = KprobeBlacklist.fromSymbols(
   *   [{ symbols: ["ret_from_intr", "absent"], reason: "entry code" }],
   *   (n) => syms.get(n),
   * );
   * assert.equal(bl.find(0x208n)?.reason, "entry code");
   * assert.equal(bl.ranges.length, 1);
   * ```
   */
  static fromSymbols(
    entries: readonly KprobeBlacklistEntry[],
    lookup: (name: string) => BlacklistSymbol | undefined,
  ): KprobeBlacklist {
    const ranges: BlacklistRange[] = [];
    for (const e of entries) {
      for (const name of e.symbols) {
        const s = lookup(name);
        if (s === undefined) continue;
        const size = s.size > 0n ? s.size : 1n;
        ranges.push({ start: s.address, end: s.address + size, name, reason: e.reason });
      }
    }
    return new KprobeBlacklist(ranges);
  }

  /** The refused ranges, by address. */
  get ranges(): readonly BlacklistRange[] {
    return this.#ranges;
  }

  /**
   * The range containing `addr`, if any. Linux: within_kprobe_blacklist().
   *
   * @param addr A kernel address.
   * @returns The range, or undefined when `addr` may be probed.
   */
  find(addr: bigint): BlacklistRange | undefined {
    for (const r of this.#ranges) {
      if (addr < r.start) return undefined;
      if (addr < r.end) return r;
    }
    return undefined;
  }
}
