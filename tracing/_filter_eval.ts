// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The run-time half of event filters: the compiled predicates and branch
 * program compileFilter() builds, and their evaluation against an event's
 * field values (numbers, strings, CPU, comm; the five regex kinds). Private
 * to tracing/: filter.ts compiles, this file matches.
 * Linux: filter_match_preds() and the filter_pred_*() functions
 * (kernel/trace/trace_events_filter.c).
 *
 * @module
 */

import { cStrlen, globMatchLen, memEqual, strncmp, strnstr, toByteString } from "./_cstring.ts";
import type { FilterField } from "./filter.ts";

/** The comparison operators, longest match first, as the parser tries them. */
export const OPS = ["~", "!=", "==", "<=", "<", ">=", ">", "&"] as const;
/** One comparison operator. */
export type Op = typeof OPS[number];

/** One compiled predicate (`struct filter_pred`). */
export interface Pred {
  index: number;
  field: FilterField;
  op: Op;
  not: boolean;
  val: bigint;
  /** String predicates: the regex kind and pattern (`struct regex`). */
  regex?: { kind: "full" | "front" | "middle" | "end" | "glob"; pattern: string };
}

/** One entry of the branch program (`struct prog_entry`). */
export interface ProgEntry {
  target: number;
  whenToBranch: boolean;
  pred: Pred | null;
}

/** Linux: filter_match_preds() — run the branch program; no predicate left means the last target. */
export function runProgram(
  prog: readonly ProgEntry[],
  values: readonly (bigint | string)[],
): boolean {
  let i = 0;
  for (; prog[i].pred !== null; i++) {
    const matched = evalPred(prog[i].pred as Pred, values[(prog[i].pred as Pred).index]);
    if (matched === prog[i].whenToBranch) i = prog[i].target;
  }
  return prog[i].target !== 0;
}

/** A field value as a bigint, whatever the caller passed (never throws). */
function asBigint(v: bigint | string | undefined): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : 0n;
  if (typeof v === "string") {
    try {
      return BigInt(v);
    } catch {
      return 0n;
    }
  }
  return 0n;
}

export const TASK_COMM_LEN = 16;

/** Linux: filter_pred_fn_call() and the filter_pred_*() family for one predicate. */
function evalPred(pred: Pred, value: bigint | string | undefined): boolean {
  const { field, op } = pred;
  if (pred.regex !== undefined) {
    const raw = toByteString(typeof value === "string" ? value : String(value ?? ""));
    let buf: string;
    let len: number;
    if (field.filterType === "comm") {
      buf = raw.slice(0, Math.min(cStrlen(raw), TASK_COMM_LEN - 1));
      len = TASK_COMM_LEN;
    } else if (field.filterType === "static_string") {
      buf = raw.slice(0, Math.max(0, field.size));
      len = Math.max(0, field.size);
    } else {
      buf = raw.slice(0, cStrlen(raw));
      len = buf.length + 1;
    }
    return regexMatch(pred.regex.kind, pred.regex.pattern, buf, len) !== pred.not;
  }
  if (field.filterType === "cpu") {
    const cpu = BigInt.asIntN(32, asBigint(value));
    const cmp = BigInt.asIntN(32, pred.val);
    switch (op) {
      case "==":
        return cpu === cmp;
      case "!=":
        return cpu !== cmp;
      case "<":
        return cpu < cmp;
      case "<=":
        return cpu <= cmp;
      case ">":
        return cpu > cmp;
      case ">=":
        return cpu >= cmp;
      default:
        return false;
    }
  }
  const size = field.size;
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) return false; // FILTER_PRED_FN_NOP
  const bits = size * 8;
  const v = asBigint(value);
  if (op === "==" || op === "!=") {
    return (BigInt.asUintN(bits, v) === BigInt.asUintN(bits, pred.val)) !== pred.not;
  }
  const conv = field.kind === "signed" ? BigInt.asIntN : BigInt.asUintN;
  const a = conv(bits, v);
  const b = conv(bits, pred.val);
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "&":
      return (a & b) !== 0n;
    default:
      return false;
  }
}

/** Linux: regex_match_full/front/middle/end/glob() over `len` bytes of `str`. */
function regexMatch(
  kind: "full" | "front" | "middle" | "end" | "glob",
  pattern: string,
  str: string,
  len: number,
): boolean {
  const rlen = pattern.length;
  switch (kind) {
    case "full":
      if (len === 0) return strncmp(str, 0, pattern, Infinity) === 0;
      if (len < rlen) return false;
      return strncmp(str, 0, pattern, len) === 0;
    case "front":
      if (len !== 0 && len < rlen) return false;
      return strncmp(str, 0, pattern, rlen) === 0;
    case "middle":
      return strnstr(str, pattern, len === 0 ? cStrlen(str) + 1 : len);
    case "end": {
      const strlen = len - 1;
      return strlen >= rlen && memEqual(str, strlen - rlen, pattern, rlen);
    }
    case "glob":
      return globMatchLen(pattern, str, len);
  }
}
