// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Linux 6.1's event filter language (`events/<group>/<event>/filter`,
 * Documentation/trace/events.rst §5): compile an expression over an event's
 * fields into a matcher, or refuse it with Linux's message, error position
 * and the errno the `write(2)` returns.
 *
 * This is a port of the parser of kernel/trace/trace_events_filter.c, not a
 * fresh grammar: the same scan (`calc_stack()`), the same predicate parser
 * (`parse_pred()`), the same branch program (`predicate_parse()`), so that
 * odd inputs fail where and as Linux's do. Strings are handled as bytes
 * (UTF-8), so positions are byte offsets, as in the kernel.
 *
 * @module
 */

import {
  byteAt,
  cStrlen,
  isAlnum,
  isDigit,
  isSpace,
  kstrtoll,
  kstrtoull,
  toByteString,
} from "./_cstring.ts";
import { OPS, type Pred, type ProgEntry, runProgram, TASK_COMM_LEN } from "./_filter_eval.ts";

/**
 * How Linux filters a field (`enum filter_type`), when its `kind` alone does
 * not say: `"cpu"` is the generic `CPU`/`cpu`/`common_cpu` field (the
 * current CPU, compared as `int`; `&` never matches), `"comm"` the generic
 * `COMM`/`comm` field (a zero-padded `char[16]`), `"static_string"` a
 * `char[N]` field of `size` bytes. A `"string"` field without a filter type
 * is a NUL-terminated string (`__data_loc char[]`, `char *`), as kprobe
 * events' `string` arguments are.
 */
export type FilterFieldType = "cpu" | "comm" | "static_string";

/** One field an event filter may name, as `struct ftrace_event_field` describes it. */
export interface FilterField {
  /** Field name as in the event's `format` file (`common_pid`, `path`…). */
  name: string;
  /** Signed or unsigned integer, or a string. */
  kind: "signed" | "unsigned" | "string";
  /** Size in bytes: 1, 2, 4 or 8 for integers (other sizes never match, as in Linux). */
  size: number;
  /** Linux's filter type when it is special (see {@linkcode FilterFieldType}). */
  filterType?: FilterFieldType;
}

/** The `FILT_ERR_*` codes of kernel/trace/trace_events_filter.c. */
export type FilterErrorCode =
  | "INVALID_OP"
  | "TOO_MANY_OPEN"
  | "TOO_MANY_CLOSE"
  | "MISSING_QUOTE"
  | "OPERAND_TOO_LONG"
  | "EXPECT_STRING"
  | "EXPECT_DIGIT"
  | "ILLEGAL_FIELD_OP"
  | "FIELD_NOT_FOUND"
  | "ILLEGAL_INTVAL"
  | "BAD_SUBSYS_FILTER"
  | "TOO_MANY_PREDS"
  | "INVALID_FILTER"
  | "IP_FIELD_ONLY"
  | "INVALID_VALUE"
  | "ERRNO"
  | "NO_FILTER";

/** Linux's message for each {@linkcode FilterErrorCode} (`err_text[]`). */
export const FILTER_ERROR_TEXT: Readonly<Record<FilterErrorCode, string>> = {
  INVALID_OP: "Invalid operator",
  TOO_MANY_OPEN: "Too many '('",
  TOO_MANY_CLOSE: "Too few '('",
  MISSING_QUOTE: "Missing matching quote",
  OPERAND_TOO_LONG: "Operand too long",
  EXPECT_STRING: "Expecting string field",
  EXPECT_DIGIT: "Expecting numeric field",
  ILLEGAL_FIELD_OP: "Illegal operation for field type",
  FIELD_NOT_FOUND: "Field not found",
  ILLEGAL_INTVAL: "Illegal integer value",
  BAD_SUBSYS_FILTER: "Couldn't find or set field in one of a subsystem's events",
  TOO_MANY_PREDS: "Too many terms in predicate expression",
  INVALID_FILTER: "Meaningless filter expression",
  IP_FIELD_ONLY: "Only 'ip' field is supported for function trace",
  INVALID_VALUE: "Invalid value (did you forget quotes)?",
  ERRNO: "Error",
  NO_FILTER: "No filter found",
};

/** Linux: MAX_FILTER_STR_VAL (include/linux/trace_events.h): a quoted operand is shorter. */
export const MAX_FILTER_STR_VAL = 256;

/**
 * What {@linkcode compileFilter} returns: a matcher, or Linux's refusal.
 *
 * On failure, `message` is Linux's text, `pos` the raw `lasterr_pos` the
 * kernel records (the error log prints its caret `pos` columns in; the
 * `filter` file clamps it to the string's length), `errno` the negative
 * value `write(2)` on the `filter` file returns (Linux returns `-EINVAL`
 * for most errors but `-EPERM`, `-ENOENT` or `-ESRCH` for a few, from
 * internal codes that leak out), and `code` is `"ERRNO"` with `message`
 * "Error" when Linux recorded no parse error (an empty or all-operator
 * expression): its `filter` file then reads `Error: (0)`.
 */
export type FilterResult =
  | {
    ok: true;
    /** True if the event passes: `values[i]` is the value of `fields[i]` (integers as bigint). */
    match(values: readonly (bigint | string)[]): boolean;
    /** True if the expression was `0`, which removes the filter (every event passes). */
    cleared: boolean;
    /** The text Linux keeps and shows in the `filter` file (trailing whitespace removed). */
    filterString: string;
  }
  | {
    ok: false;
    message: string;
    pos: number;
    errno: number;
    code: FilterErrorCode;
    /** The text Linux keeps (trailing whitespace removed), shown above the caret. */
    filterString: string;
  };

/** The failure variant of {@linkcode FilterResult}. */
export type FilterError = Extract<FilterResult, { ok: false }>;

const EPERM = 1;
const EINVAL = 22;

/** Parse state: Linux's `struct filter_parse_error` (code 0 = none). */
interface ParseError {
  code: FilterErrorCode | null;
  pos: number;
}

class ParseFailure {
  constructor(readonly errno: number) {}
}

/**
 * Compiles an event filter as writing it to an event's `filter` file does
 * in Linux 6.1, or says why Linux refuses it.
 *
 * `fields` are looked up by name, first match wins: pass the event's own
 * fields, then {@linkcode GENERIC_FILTER_FIELDS}, then
 * {@linkcode COMMON_FILTER_FIELDS}, the order `trace_find_event_field()`
 * searches. Strings must be quoted (`'…'` or `"…"`, no escapes), as in 6.1;
 * `~` takes `*x`, `x*`, `*x*` or a full glob (`?`, `[a-z]`, `\`), and a
 * leading `!` in its pattern inverts it. Numbers are `kstrtoll`/`kstrtoull`
 * with base 0 (`10`, `0x1f`, `017`, `-5` for signed fields only) and compare
 * at the field's size and signedness (`==`/`!=` as unsigned bits).
 *
 * Linux: apply_event_filter(), create_filter(), process_preds() (kernel/trace/trace_events_filter.c).
 *
 * @param expr The text written to the `filter` file (a trailing newline is fine).
 * @param fields The fields the expression may name, in lookup order.
 * @returns A matcher over field values, or Linux's error.
 *
 * @example Filter a kretprobe event on its return value
 * ```ts
 * import { compileFilter, COMMON_FILTER_FIELDS } from "./filter.ts";
 * import assert from "node:assert/strict";
 *
 * const fields = [{ name: "ret", kind: "signed", size: 8 } as const, ...COMMON_FILTER_FIELDS];
 * const f = compileFilter("ret < 0 && common_pid != 1\n", fields);
 * assert.ok(f.ok);
 * //                 ret  common_type common_flags common_preempt_count common_pid
 * assert.equal(f.match([-2n, 0n, 0n, 0n, 7n]), true);
 * assert.equal(f.match([3n, 0n, 0n, 0n, 7n]), false);
 *
 * const bad = compileFilter("rett < 0", fields);
 * assert.ok(!bad.ok);
 * assert.equal(bad.message, "Field not found");
 * assert.equal(bad.pos, 5);
 * ```
 */
export function compileFilter(expr: string, fields: readonly FilterField[]): FilterResult {
  const str = stripTrailingSpace(cutAtNul(toByteString(expr)));
  const filterString = textOfBytes(str);
  if (trimLeadingSpace(str) === "0") {
    return { ok: true, match: () => true, cleared: true, filterString };
  }
  const pe: ParseError = { code: null, pos: 0 };
  try {
    const prog = processPreds(str, fields, pe);
    return { ok: true, match: (values) => runProgram(prog, values), cleared: false, filterString };
  } catch (e) {
    if (!(e instanceof ParseFailure)) throw e;
    const code = pe.code ?? "ERRNO";
    return {
      ok: false,
      message: FILTER_ERROR_TEXT[code],
      pos: pe.code === null ? 0 : pe.pos,
      errno: -e.errno,
      code,
      filterString,
    };
  }
}

/** The text of a byte string (UTF-8 decoded back). */
function textOfBytes(s: string): string {
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

function cutAtNul(s: string): string {
  return s.slice(0, cStrlen(s));
}

/** Linux: strim()'s in-place cut of trailing whitespace (the leading part stays). */
function stripTrailingSpace(s: string): string {
  let end = s.length;
  while (end > 0 && isSpace(s.charCodeAt(end - 1))) end--;
  return s.slice(0, end);
}

function trimLeadingSpace(s: string): string {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return s.slice(i);
}

function fail(pe: ParseError, code: FilterErrorCode, pos: number, errno: number): never {
  pe.code = code;
  pe.pos = pos;
  throw new ParseFailure(errno);
}

/** Linux: process_preds() — scan, then parse into a branch program. */
function processPreds(str: string, fields: readonly FilterField[], pe: ParseError): ProgEntry[] {
  const stack = calcStack(str);
  if ("code" in stack) fail(pe, stack.code, stack.pos, stack.errno);
  if (stack.preds === 0) throw new ParseFailure(EINVAL);
  return predicateParse(str, stack.preds, fields, pe);
}

type StackResult = { preds: number } | { code: FilterErrorCode; pos: number; errno: number };

/**
 * Linux: calc_stack() — count predicates and check parentheses and quotes.
 * Its internal codes become the write's errno: -1, -2, -3.
 */
function calcStack(str: string): StackResult {
  let isPred = false;
  let preds = 0;
  let open = 1;
  let lastQuote = 0;
  let quote = 0;
  let i = 0;
  for (; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (isSpace(c)) continue;
    if (quote) {
      if (c === quote) quote = 0;
      continue;
    }
    if (c === 0x27 || c === 0x22) {
      quote = c;
      lastQuote = i;
    } else if (c === 0x7c || c === 0x26) {
      if (byteAt(str, i + 1) === c) {
        isPred = false;
        continue;
      }
    } else if (c === 0x28) {
      isPred = false;
      open++;
      continue;
    } else if (c === 0x29) {
      isPred = false;
      if (open === 1) return { code: "TOO_MANY_CLOSE", pos: i, errno: 1 };
      open--;
      continue;
    }
    if (!isPred) {
      preds++;
      isPred = true;
    }
  }
  if (quote) return { code: "MISSING_QUOTE", pos: lastQuote, errno: 3 };
  if (open !== 1) {
    // Walk back (down to index 1) for the '(' that is not closed.
    let level = open;
    for (i--; i > 0; i--) {
      const c = str.charCodeAt(i);
      if (quote) {
        if (c === quote) quote = 0;
        continue;
      }
      if (c === 0x28) {
        if (level === open) return { code: "TOO_MANY_OPEN", pos: i, errno: 2 };
        level--;
      } else if (c === 0x29) level++;
      else if (c === 0x27 || c === 0x22) quote = c;
    }
    return { code: "TOO_MANY_OPEN", pos: 0, errno: 2 };
  }
  return { preds };
}

const INVERT = 1;
const PROCESS_AND = 2;
const PROCESS_OR = 4;

/** Linux: update_preds(). */
function updatePreds(prog: ProgEntry[], n: number, invert: boolean): void {
  const t = prog[n].target;
  const s = prog[t].target;
  prog[t].whenToBranch = invert;
  prog[t].target = n;
  prog[n].target = s;
}

/** Linux: predicate_parse() — the first pass builds the program, two more simplify it. */
function predicateParse(
  str: string,
  nrPreds: number,
  fields: readonly FilterField[],
  pe: ParseError,
): ProgEntry[] {
  nrPreds += 2;
  const prog: ProgEntry[] = [];
  const inverts: boolean[] = [];
  const opStack: number[] = [0];
  let invert = false;
  let errno = 12; // -ENOMEM until something else is known, as in Linux
  let n = 0;
  let ptr = 0;

  let reachedEnd = false;
  while (!reachedEnd && ptr < str.length) {
    let next = ptr++;
    const c = str.charCodeAt(next);
    if (isSpace(c)) continue;
    if (c === 0x28) {
      opStack.push(invert ? INVERT : 0);
      continue;
    }
    if (c === 0x21 && !isNotNot(str, next)) {
      invert = !invert;
      continue;
    }
    if (n >= nrPreds) fail(pe, "TOO_MANY_PREDS", next, errno);
    inverts[n] = invert;
    prog[n] = { target: n - 1, whenToBranch: false, pred: null };
    const parsed = parsePred(str, next, ptr, fields, pe);
    prog[n].pred = parsed.pred;
    ptr = next + parsed.len;
    n++;
    errno = EPERM;
    for (;;) {
      next = ptr++;
      const d = byteAt(str, next);
      if (isSpace(d)) continue;
      if (d === 0x26 || d === 0x7c) {
        if (byteAt(str, next + 1) !== d) fail(pe, "TOO_MANY_PREDS", next, errno);
        ptr++;
      } else if (d !== 0x29 && d !== 0) fail(pe, "TOO_MANY_PREDS", next, errno);
      const top = opStack.length - 1;
      invert = (opStack[top] & INVERT) !== 0;
      if (opStack[top] & PROCESS_AND) {
        updatePreds(prog, n - 1, invert);
        opStack[top] &= ~PROCESS_AND;
      }
      if (d === 0x26) {
        opStack[top] |= PROCESS_AND;
        break;
      }
      if (opStack[top] & PROCESS_OR) {
        updatePreds(prog, n - 1, !invert);
        opStack[top] &= ~PROCESS_OR;
      }
      if (d === 0x7c) {
        opStack[top] |= PROCESS_OR;
        break;
      }
      if (d === 0) {
        reachedEnd = true;
        break;
      }
      if (top === 0) fail(pe, "TOO_MANY_CLOSE", ptr, EPERM);
      opStack.pop();
    }
  }
  // Only the inner loop can complete a non-empty expression: ending in the
  // outer one means a trailing "&&", "||" or "!".
  if (!reachedEnd && n > 0) fail(pe, "INVALID_FILTER", ptr, EINVAL);
  if (opStack.length !== 1) fail(pe, "TOO_MANY_OPEN", ptr, errno);
  if (n === 0) fail(pe, "NO_FILTER", ptr, EINVAL);

  prog[n] = { target: 1, whenToBranch: false, pred: null };
  prog[n + 1] = { target: 0, whenToBranch: false, pred: null };
  prog[n - 1].target = n;
  prog[n - 1].whenToBranch = false;
  for (let i = n - 1; i--;) {
    const target = prog[i].target;
    if (prog[i].whenToBranch === prog[target].whenToBranch) prog[i].target = prog[target].target;
  }
  for (let i = 0; i < n; i++) prog[i].whenToBranch = inverts[i] !== prog[i].whenToBranch;
  return prog;
}

/** Linux: is_not() — after '!', "!=" and "!~" are operators, not negations. */
function isNotNot(str: string, at: number): boolean {
  const c = byteAt(str, at + 1);
  return c === 0x3d || c === 0x7e;
}

/** Linux: parse_pred() — one `field op value` term starting at `start`. */
function parsePred(
  str: string,
  start: number,
  pos: number,
  fields: readonly FilterField[],
  pe: ParseError,
): { len: number; pred: Pred } {
  // Positions Linux reports are `pos + i`, where pos is one past the
  // term's first byte (predicate_parse() passes ptr, already advanced).
  const at = (i: number) => byteAt(str, start + i);
  let i = 0;
  while (isSpace(at(i))) i++;
  let s = i;
  while (isAlnum(at(i)) || at(i) === 0x5f) i++;
  if (i === s) throw new ParseFailure(EPERM); // returns -1 with no message
  const name = str.slice(start + s, start + i);
  const index = fields.findIndex((f) => toByteString(f.name) === name);
  if (index < 0) fail(pe, "FIELD_NOT_FOUND", pos + i, EINVAL);
  const field = fields[index];
  if (str.startsWith(".ustring", start + i)) i += 8;
  while (isSpace(at(i))) i++;
  const op = OPS.find((o) => str.startsWith(o, start + i));
  if (op === undefined) fail(pe, "INVALID_OP", pos + i, EINVAL);
  i += op.length;
  while (isSpace(at(i))) i++;
  s = i;
  const pred: Pred = { index, field, op, not: false, val: 0n };
  const q = at(i);
  if (q === 0x27 || q === 0x22) {
    if (op === "!=") pred.not = true;
    else if (op !== "~" && op !== "==") fail(pe, "ILLEGAL_FIELD_OP", pos + i, EINVAL);
    if (field.kind !== "string") fail(pe, "EXPECT_DIGIT", pos + i, EINVAL);
    for (i++; at(i) !== 0; i++) if (at(i) === q) break;
    if (at(i) === 0) fail(pe, "MISSING_QUOTE", pos + i, EINVAL);
    s++;
    if (i - s >= MAX_FILTER_STR_VAL) fail(pe, "OPERAND_TOO_LONG", pos + i, EINVAL);
    buildRegex(pred, str.slice(start + s, start + i));
    i++;
  } else if (isDigit(q) || q === 0x2d) {
    if (field.kind === "string") fail(pe, "EXPECT_STRING", pos + i, EINVAL);
    if (op === "~") fail(pe, "ILLEGAL_FIELD_OP", pos + i, EINVAL);
    if (q === 0x2d) i++;
    while (isAlnum(at(i))) i++;
    // num_buf[24]: "0xfeedfacedeadbeef" and a sign fit.
    if (i - s >= 24) fail(pe, "OPERAND_TOO_LONG", pos + i, EINVAL);
    const num = str.slice(start + s, start + i);
    const r = field.kind === "signed" ? kstrtoll(num) : kstrtoull(num);
    if (!r.ok) fail(pe, "ILLEGAL_INTVAL", pos + s, EINVAL);
    pred.val = r.value;
    if (op === "!=" && field.filterType !== "cpu") pred.not = true;
  } else {
    fail(pe, "INVALID_VALUE", pos + i, EINVAL);
  }
  return { len: i, pred };
}

/** Linux: filter_build_regex() and filter_parse_regex(). */
function buildRegex(pred: Pred, pattern: string): void {
  if (pred.op !== "~") {
    pred.regex = { kind: "full", pattern };
    return;
  }
  let buff = pattern;
  pred.not = false;
  if (byteAt(buff, 0) === 0x21) {
    pred.not = true;
    buff = buff.slice(1);
  }
  let kind: "full" | "front" | "middle" | "end" | "glob" = "full";
  if (!isDigit(byteAt(buff, 0))) {
    for (let i = 0; i < buff.length; i++) {
      const c = buff.charCodeAt(i);
      if (c === 0x2a) {
        if (i === 0) kind = "end";
        else if (i === buff.length - 1) {
          kind = kind === "end" ? "middle" : "front";
          buff = buff.slice(0, i);
          break;
        } else {
          kind = "glob";
          break;
        }
      } else if (c === 0x5b || c === 0x3f || c === 0x5c) {
        kind = "glob";
        break;
      }
    }
  }
  if (kind !== "glob" && byteAt(buff, 0) === 0x2a) buff = buff.slice(1);
  pred.regex = { kind, pattern: buff };
}

/**
 * The fields every event has, as `trace_define_common_fields()` defines
 * them (`struct trace_entry`).
 *
 * @example Filter on the pid
 * ```ts
 * import { compileFilter, COMMON_FILTER_FIELDS } from "./filter.ts";
 * import assert from "node:assert/strict";
 *
 * const f = compileFilter("common_pid == 1", COMMON_FILTER_FIELDS);
 * assert.ok(f.ok && f.match([0n, 0n, 0n, 1n]));
 * ```
 */
export const COMMON_FILTER_FIELDS: readonly FilterField[] = [
  { name: "common_type", kind: "unsigned", size: 2 },
  { name: "common_flags", kind: "unsigned", size: 1 },
  { name: "common_preempt_count", kind: "unsigned", size: 1 },
  { name: "common_pid", kind: "signed", size: 4 },
];

/**
 * The generic fields every event filter may name, as
 * `trace_define_generic_fields()` defines them: the current CPU (`CPU`,
 * `cpu`, `common_cpu`) and the current task's name (`COMM`, `comm`).
 *
 * @example Filter on the CPU
 * ```ts
 * import { compileFilter, GENERIC_FILTER_FIELDS } from "./filter.ts";
 * import assert from "node:assert/strict";
 *
 * const f = compileFilter("cpu == 1 && comm == \"init\"", GENERIC_FILTER_FIELDS);
 * //                        CPU cpu common_cpu COMM   comm
 * assert.ok(f.ok && f.match([1n, 1n, 1n, "init", "init"]));
 * ```
 */
export const GENERIC_FILTER_FIELDS: readonly FilterField[] = [
  { name: "CPU", kind: "signed", size: 4, filterType: "cpu" },
  { name: "cpu", kind: "signed", size: 4, filterType: "cpu" },
  { name: "common_cpu", kind: "signed", size: 4, filterType: "cpu" },
  { name: "COMM", kind: "string", size: TASK_COMM_LEN, filterType: "comm" },
  { name: "comm", kind: "string", size: TASK_COMM_LEN, filterType: "comm" },
];
