// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Shape checks of the objects handed to the registration ABI, so that
 * `register_kprobe()` and its relatives return -EINVAL (or -E2BIG, -ENOENT)
 * for anything C's type system would have refused, and never throw. A probe
 * object must be a plain object (no Proxy) whose fields are data
 * properties: the core reads them on every hit and writes `addr`/`nmissed`,
 * so a getter or a frozen object would throw later, inside the kernel.
 *
 * Types accepted, field by field (`include/linux/kprobes.h`):
 * `addr` undefined, null, or an integer (`number` or `bigint`) in
 * `[0, 2^bits)`; `symbol_name` undefined, null or a string (a name of
 * `KSYM_NAME_LEN` characters or more is no symbol: -ENOENT); `offset`
 * undefined, null, a number (negative and non-integer ones reach the core,
 * which refuses them with a log line naming the function), or a bigint; handlers undefined, null or functions; `flags` undefined or an
 * integer; `jp.entry` a function; `rp.maxactive` undefined, null, or an
 * integer up to {@linkcode KRETPROBE_MAXACTIVE_MAX} (≤ 0 selects the
 * default, §1.3; above: -E2BIG); `rp.data_size` undefined, null, or an
 * integer from 0 to {@linkcode KRETPROBE_DATA_SIZE_MAX} (a negative or
 * non-integer one: -EINVAL; above: -E2BIG). Registration writes `addr`,
 * `nmissed` and `flags`: they must be writable.
 *
 * @module
 */

import { isProxy } from "node:util/types";
import { E2BIG, EINVAL, ENOENT } from "../kernel-model/errno.ts";
import { KSYM_NAME_LEN } from "../kernel-model/kapi.ts";

/** The largest `maxactive` a return probe may ask for. Linux: KRETPROBE_MAXACTIVE_MAX (4096). */
export const KRETPROBE_MAXACTIVE_MAX = 4096;

/**
 * The largest `data_size` a return probe may ask for: 64 KiB per instance.
 * Linux has no constant: its kzalloc() of an instance fails somewhere
 * above; here the bound keeps a typo from allocating gigabytes on the host.
 */
export const KRETPROBE_DATA_SIZE_MAX = 65536;

const HANDLERS = ["pre_handler", "post_handler", "fault_handler", "break_handler"] as const;
const MAX_CHAIN = 32;

/** A property's descriptor along the prototype chain (no Proxy can be on it: checked). */
function descriptor(o: object, key: string): PropertyDescriptor | undefined | null {
  let cur: object | null = o;
  for (let i = 0; i < MAX_CHAIN && cur !== null; i++) {
    if (isProxy(cur)) return null;
    const d = Object.getOwnPropertyDescriptor(cur, key);
    if (d !== undefined) return d;
    cur = Object.getPrototypeOf(cur);
  }
  return cur === null ? undefined : null;
}

/** What {@linkcode field} returns for an accessor or a field behind a Proxy. */
const BAD: unique symbol = Symbol("bad field");

/** Reads a data field without running user code; `BAD` when it cannot. */
function field(o: object, key: string): unknown {
  const d = descriptor(o, key);
  if (d === null) return BAD;
  if (d === undefined) return undefined;
  return "value" in d ? d.value : BAD;
}

/** Can the core assign `o[key]` without throwing? */
function writable(o: object, key: string): boolean {
  const own = Object.getOwnPropertyDescriptor(o, key);
  if (own !== undefined) return "value" in own && own.writable === true;
  if (!Object.isExtensible(o)) return false;
  const inherited = descriptor(o, key);
  return inherited === undefined || (inherited !== null && "value" in inherited &&
    inherited.writable === true);
}

function isObject(v: unknown): v is object {
  return typeof v === "object" && v !== null && !isProxy(v);
}

function isInteger(v: unknown): boolean {
  return typeof v === "bigint" || (typeof v === "number" && Number.isSafeInteger(v));
}

function isHandler(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === "function" && !isProxy(v));
}

/**
 * Checks a `struct kprobe` given to `register_kprobe()`.
 *
 * @param p The value passed as the kprobe.
 * @param bits The kernel's word size (32 or 64): the range of `addr`.
 * @param written Fields registration will assign besides `addr` and `nmissed`.
 * @returns 0 when it has the right shape, or -EINVAL (-ENOENT for an
 * over-long `symbol_name`).
 *
 * @example Wrong types are refused, not thrown
 * ```ts
 * import { checkKprobe } from "./validate.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkKprobe(null, 64), -22);
 * assert.equal(checkKprobe({ addr: 1.5 }, 64), -22);
 * assert.equal(checkKprobe({ symbol_name: "do_fork", offset: "4" }, 64), -22);
 * assert.equal(checkKprobe({ symbol_name: "do_fork", offset: -4 }, 64), 0);
 * ```
 */
export function checkKprobe(p: unknown, bits: number, written: readonly string[] = []): number {
  if (!isObject(p)) return -EINVAL;
  const addr = field(p, "addr");
  if (addr !== undefined && addr !== null) {
    const limit = 2n ** BigInt(bits);
    if (!isInteger(addr)) return -EINVAL;
    const a = BigInt(addr as bigint | number);
    if (a < 0n || a >= limit) return -EINVAL;
  }
  const sym = field(p, "symbol_name");
  if (sym !== undefined && sym !== null && typeof sym !== "string") return -EINVAL;
  const offset = field(p, "offset");
  // Any number goes on: the core refuses a non-integer offset with a log
  // line naming the function and its size.
  if (offset !== undefined && offset !== null && typeof offset !== "number") {
    if (!isInteger(offset)) return -EINVAL;
    const o = BigInt(offset as bigint | number);
    const limit = 2n ** BigInt(bits);
    if (o <= -limit || o >= limit) return -EINVAL;
  }
  for (const h of HANDLERS) if (!isHandler(field(p, h))) return -EINVAL;
  const flags = field(p, "flags");
  if (
    flags !== undefined && flags !== null && !(typeof flags === "number" && Number.isInteger(flags))
  ) {
    return -EINVAL;
  }
  const nmissed = field(p, "nmissed");
  if (nmissed === BAD) return -EINVAL;
  if (!writable(p, "addr") || !writable(p, "nmissed") || !writable(p, "flags")) return -EINVAL;
  for (const w of written) if (!writable(p, w)) return -EINVAL;
  if (typeof sym === "string" && sym.length >= KSYM_NAME_LEN) return -ENOENT;
  return 0;
}

/**
 * Checks a `struct jprobe` given to `register_jprobe()`.
 *
 * @param jp The value passed as the jprobe.
 * @param bits The kernel's word size.
 * @returns 0, or -EINVAL (-ENOENT for an over-long `kp.symbol_name`).
 *
 * @example An entry that is not a function
 * ```ts
 * import { checkJprobe } from "./validate.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkJprobe({ kp: { symbol_name: "do_fork" }, entry: "jdo_fork" }, 64), -22);
 * assert.equal(checkJprobe({ kp: { symbol_name: "do_fork" }, entry: () => {} }, 64), 0);
 * ```
 */
export function checkJprobe(jp: unknown, bits: number): number {
  if (!isObject(jp)) return -EINVAL;
  const entry = field(jp, "entry");
  if (typeof entry !== "function" || isProxy(entry)) return -EINVAL;
  return checkKprobe(field(jp, "kp"), bits, ["pre_handler", "break_handler"]);
}

/**
 * Checks a `struct kretprobe` given to `register_kretprobe()`.
 *
 * @param rp The value passed as the return probe.
 * @param bits The kernel's word size.
 * @returns 0, -EINVAL (wrong types, `maxactive` not an integer,
 * `data_size` not an integer ≥ 0), -E2BIG (`maxactive` above
 * {@linkcode KRETPROBE_MAXACTIVE_MAX}, `data_size` above
 * {@linkcode KRETPROBE_DATA_SIZE_MAX}) or -ENOENT.
 *
 * @example maxactive
 * ```ts
 * import { checkKretprobe } from "./validate.ts";
 * import assert from "node:assert/strict";
 * const kp = { symbol_name: "sys_open" };
 * assert.equal(checkKretprobe({ kp, maxactive: 1e9 }, 64), -7);
 * assert.equal(checkKretprobe({ kp, maxactive: NaN }, 64), -22);
 * assert.equal(checkKretprobe({ kp, maxactive: 20 }, 64), 0);
 * assert.equal(checkKretprobe({ kp, data_size: -1 }, 64), -22);
 * assert.equal(checkKretprobe({ kp, data_size: 1 << 20 }, 64), -7);
 * assert.equal(checkKretprobe({ kp, data_size: 8 }, 64), 0);
 * ```
 */
export function checkKretprobe(rp: unknown, bits: number): number {
  if (!isObject(rp)) return -EINVAL;
  if (!isHandler(field(rp, "handler")) || !isHandler(field(rp, "entry_handler"))) {
    return -EINVAL;
  }
  const max = field(rp, "maxactive");
  if (max !== undefined && max !== null) {
    if (typeof max !== "number" || !Number.isInteger(max)) return -EINVAL;
    if (max > KRETPROBE_MAXACTIVE_MAX) return -E2BIG;
  }
  const size = field(rp, "data_size");
  if (size !== undefined && size !== null) {
    if (typeof size !== "number" || !Number.isInteger(size) || size < 0) return -EINVAL;
    if (size > KRETPROBE_DATA_SIZE_MAX) return -E2BIG;
  }
  if (field(rp, "nmissed") === BAD || !writable(rp, "maxactive") || !writable(rp, "nmissed")) {
    return -EINVAL;
  }
  return checkKprobe(field(rp, "kp"), bits, ["pre_handler"]);
}

/**
 * Checks the `(list, num)` pair of `register_kprobes()` and its relatives:
 * `list` an array, `num` an integer from 1 to its length.
 *
 * @param list The array.
 * @param num How many of its entries.
 * @returns 0 or -EINVAL.
 *
 * @example num out of range
 * ```ts
 * import { checkProbeList } from "./validate.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkProbeList([{}], 2), -22);
 * assert.equal(checkProbeList("abc", 1), -22);
 * assert.equal(checkProbeList([{}], 1), 0);
 * ```
 */
export function checkProbeList(list: unknown, num: unknown): number {
  if (isProxy(list) || !Array.isArray(list)) return -EINVAL;
  if (typeof num !== "number" || !Number.isInteger(num) || num < 1 || num > list.length) {
    return -EINVAL;
  }
  return 0;
}

/**
 * The `kp` a `struct jprobe` or `struct kretprobe` embeds, read without
 * running user code (no getter, no Proxy trap), for `enable_jprobe()` and
 * its relatives: `&jp->kp` in C.
 *
 * @param o The value passed as the jprobe or return probe.
 * @returns Its `kp` field, or undefined when `o` is no plain object or
 * `kp` is no data property.
 *
 * @example
 * ```ts
 * import { embeddedKprobe } from "./validate.ts";
 * import assert from "node:assert/strict";
 * const kp = { symbol_name: "do_fork" };
 * assert.equal(embeddedKprobe({ kp }), kp);
 * assert.equal(embeddedKprobe(42), undefined);
 * assert.equal(embeddedKprobe({ get kp() { throw new Error("no"); } }), undefined);
 * ```
 */
export function embeddedKprobe(o: unknown): unknown {
  if (!isObject(o)) return undefined;
  const kp = field(o, "kp");
  return kp === BAD ? undefined : kp;
}
