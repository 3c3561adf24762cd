// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Stand-in (i9-events) for the event filter compiler that branch i9-parts
 * owns: `FIELD OP VALUE` terms joined by `&&`/`||`, nothing more. The
 * integrator keeps i9-parts' version, which has Linux's full grammar.
 *
 * @module
 */

/** An event field a filter may name. */
export interface FilterField {
  /** Field name. */
  name: string;
  /** How values compare. */
  kind: "signed" | "unsigned" | "string";
  /** Size in bytes. */
  size: number;
}

/** A compiled filter, or why the expression was refused. */
export type FilterResult =
  | { ok: true; match(values: readonly (bigint | string)[]): boolean }
  | { ok: false; message: string; pos: number };

const OPS = ["==", "!=", "<=", ">=", "<", ">"] as const;

/**
 * Compiles a filter expression over `fields`.
 *
 * @param expr The expression.
 * @param fields The event's fields; values are passed in this order.
 * @returns The matcher or an error.
 * @example
 * ```ts
 * import { compileFilter } from "./filter.ts";
 * import assert from "node:assert/strict";
 * const f = compileFilter("ret < 0", [{ name: "ret", kind: "signed", size: 8 }]);
 * assert.ok(f.ok && f.match([-2n]));
 * ```
 */
export function compileFilter(expr: string, fields: readonly FilterField[]): FilterResult {
  const ors: ((v: readonly (bigint | string)[]) => boolean)[][] = [];
  let pos = 0;
  for (const orPart of expr.split("||")) {
    const ands: ((v: readonly (bigint | string)[]) => boolean)[] = [];
    for (const term of orPart.split("&&")) {
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=|<=|>=|<|>)\s*(\S+)\s*$/.exec(term);
      if (m === null) return { ok: false, message: "Invalid operator", pos };
      const idx = fields.findIndex((f) => f.name === m[1]);
      if (idx < 0) return { ok: false, message: "Field not found", pos };
      const op = m[2] as (typeof OPS)[number];
      const f = fields[idx];
      if (f.kind === "string") {
        const want = m[3].replace(/^"(.*)"$/, "$1");
        if (op !== "==" && op !== "!=") {
          return { ok: false, message: "Illegal operation for field type", pos };
        }
        ands.push((v) => (v[idx] === want) === (op === "=="));
      } else {
        let n: bigint;
        try {
          n = BigInt(m[3]);
        } catch {
          return { ok: false, message: "Illegal integer value", pos };
        }
        const bits = f.size * 8;
        const norm = (x: bigint) =>
          f.kind === "signed" ? BigInt.asIntN(bits, x) : BigInt.asUintN(bits, x);
        const cmp = (a: bigint) =>
          op === "=="
            ? a === n
            : op === "!="
            ? a !== n
            : op === "<"
            ? a < n
            : op === ">"
            ? a > n
            : op === "<="
            ? a <= n
            : a >= n;
        ands.push((v) => cmp(norm(v[idx] as bigint)));
      }
      pos += term.length + 2;
    }
    ors.push(ands);
  }
  return { ok: true, match: (v) => ors.some((a) => a.every((t) => t(v))) };
}
