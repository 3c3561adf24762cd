// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Linux's symbolic pointer formats for a module's `printk`: `%pS`
 * (`do_fork+0x0/0x318`), `%ps` (`do_fork`), `%pF`/`%pf` (the same after
 * reading a ppc64 ELFv1 function descriptor), `%pB` (a return address: the
 * symbol of the byte before it). The guest's 2.6 `vsnprintf` knows none of
 * them, so the host symbolizes the argument first and hands the guest `%s`
 * with the name.
 *
 * @module
 */

/** Which symbolic form a `%p` extension asks for. */
export type PointerFormat = "S" | "s" | "F" | "f" | "B";

/** Turns an address into the text of `%p<kind>`. */
export type Symbolizer = (address: bigint, kind: PointerFormat) => string;

/** Characters between `%` and the conversion letter (flags, width, precision, length). */
const SPEC = "-+ #0123456789.*lhzLqjtZ";

/**
 * Rewrites each `%pS`/`%ps`/`%pF`/`%pf`/`%pB` of `fmt` to `%s` and its
 * argument to the symbolized text; other conversions and their arguments
 * are kept. An argument that is not an integer is taken as address 0.
 *
 * @param fmt The printk format.
 * @param args Its arguments.
 * @param symbolize Address → text.
 * @returns The new format and arguments (the originals when there is nothing to do).
 *
 * @example
 * ```ts
 * import { expandSymbolPointers } from "./_printk_pointer.ts";
 * import assert from "node:assert/strict";
 * const sym = (a: bigint, k: string) => k === "s" ? "do_fork" : `do_fork+0x${a.toString(16)}/0x318`;
 * assert.deepEqual(expandSymbolPointers("%d %pS %ps\n", [1, 0n, 4n], sym), [
 *   "%d %s %s\n",
 *   [1, "do_fork+0x0/0x318", "do_fork"],
 * ]);
 * ```
 */
export function expandSymbolPointers(
  fmt: string,
  args: readonly unknown[],
  symbolize: Symbolizer,
): [string, readonly unknown[]] {
  if (!fmt.includes("%p")) return [fmt, args];
  let out = "";
  let from = 0;
  let arg = 0;
  let copy: unknown[] | null = null;
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== "%") continue;
    if (fmt[i + 1] === "%") {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < fmt.length && SPEC.includes(fmt[j])) {
      if (fmt[j] === "*") arg++;
      j++;
    }
    const ext = fmt[j + 1];
    if (
      fmt[j] === "p" && (ext === "S" || ext === "s" || ext === "F" || ext === "f" || ext === "B")
    ) {
      copy ??= [...args];
      const v = arg < args.length ? args[arg] : 0;
      let a = 0n;
      if (typeof v === "bigint") a = BigInt.asUintN(64, v);
      else if (typeof v === "number" && Number.isSafeInteger(v)) a = BigInt.asUintN(64, BigInt(v));
      copy[arg] = symbolize(a, ext);
      out += fmt.slice(from, j) + "s";
      from = j + 2;
      i = j + 1;
    } else i = j;
    arg++;
  }
  if (copy === null) return [fmt, args];
  return [out + fmt.slice(from), copy];
}
