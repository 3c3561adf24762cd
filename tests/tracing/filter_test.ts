// Copyright 2026 the kprobes-sim authors. MIT license.
// The event filter language of Linux 6.1 (kernel/trace/trace_events_filter.c):
// operators, precedence, signedness and sizes, globs, and every error with
// the position and errno Linux computes.
//
// How positions are derived (read with the 6.1 source at hand):
// - calc_stack() errors record the byte index itself: a ')' without '(' its
//   index, an unclosed quote the index of its opening quote, an unclosed '('
//   the index of the last unmatched '(' found walking back from the end to
//   index 1, else 0.
// - predicate_parse() errors record `next - str` (the offending byte) for
//   "Too many terms", and `ptr - str` (one past where the scan stopped) for
//   "Meaningless filter expression" and "No filter found".
// - parse_pred() is called with pos = ptr - str where ptr is already one
//   past the term's first byte, and records `pos + i` (i = offset in the
//   term), so its carets sit one byte right of the offending byte; "Illegal
//   integer value" records `pos + s` (s = the number's offset in the term).
// - append_filter_err() clamps pos to the string's length, then prints "^"
//   right-aligned in a field of pos + 1 (pos if 0): the caret's column is
//   the recorded pos.

import assert from "node:assert/strict";
import {
  COMMON_FILTER_FIELDS,
  compileFilter,
  DEFAULT_SYS_FILTER_MESSAGE,
  type FilterError,
  filterErrorLogEntry,
  filterErrorText,
  type FilterField,
  filterFileText,
  GENERIC_FILTER_FIELDS,
  MAX_FILTER_STR_VAL,
} from "../../tracing/mod.ts";

const S64: FilterField = { name: "s64", kind: "signed", size: 8 };
const U64: FilterField = { name: "u64", kind: "unsigned", size: 8 };
const S32: FilterField = { name: "s32", kind: "signed", size: 4 };
const U32: FilterField = { name: "u32", kind: "unsigned", size: 4 };
const S16: FilterField = { name: "s16", kind: "signed", size: 2 };
const U16: FilterField = { name: "u16", kind: "unsigned", size: 2 };
const S8: FilterField = { name: "s8", kind: "signed", size: 1 };
const U8: FilterField = { name: "u8", kind: "unsigned", size: 1 };
const STR: FilterField = { name: "path", kind: "string", size: 4 };
const FIELDS = [S64, U64, S32, U32, S16, U16, S8, U8, STR];

/** Values for FIELDS with `over` applied by name. */
function values(over: Record<string, bigint | string>): (bigint | string)[] {
  return FIELDS.map((f) => over[f.name] ?? (f.kind === "string" ? "" : 0n));
}

/** Compiles over FIELDS and returns the matcher (fails the test if refused). */
function matcher(expr: string, fields: readonly FilterField[] = FIELDS) {
  const r = compileFilter(expr, fields);
  assert.ok(r.ok, `expected ${JSON.stringify(expr)} to compile: ${JSON.stringify(r)}`);
  return r.match;
}

/** Compiles and returns the failure (fails the test if accepted). */
function refused(expr: string, fields: readonly FilterField[] = FIELDS): FilterError {
  const r = compileFilter(expr, fields);
  assert.ok(!r.ok, `expected ${JSON.stringify(expr)} to be refused`);
  return r;
}

Deno.test("compileFilter() implements each numeric operator", () => {
  const cases: [string, bigint, boolean][] = [
    ["s64 == 5", 5n, true],
    ["s64 == 5", 6n, false],
    ["s64 != 5", 5n, false],
    ["s64 != 5", 6n, true],
    ["s64 < 5", 4n, true],
    ["s64 < 5", 5n, false],
    ["s64 <= 5", 5n, true],
    ["s64 <= 5", 6n, false],
    ["s64 > 5", 6n, true],
    ["s64 > 5", 5n, false],
    ["s64 >= 5", 5n, true],
    ["s64 >= 5", 4n, false],
    ["s64 & 6", 2n, true],
    ["s64 & 6", 9n, false],
    ["s64==5", 5n, true],
    ["  s64   >=   5", 5n, true],
  ];
  for (const [expr, v, want] of cases) {
    assert.equal(matcher(expr)(values({ s64: v })), want, `${expr} with ${v}`);
  }
});

Deno.test("compileFilter() gives && precedence over || and honours ! and parentheses", () => {
  // The example of predicate_parse()'s comment, checked on all 2^7 inputs.
  const expr =
    "s64 == 1 && !(!u64 == 1 || (s32 == 1 && u32 == 1)) || s16 == 1 || u16 == 1 && !s8 == 1";
  const m = matcher(expr);
  for (let bits = 0; bits < 128; bits++) {
    const [a, b, c, g, d, e, f] = [0, 1, 2, 3, 4, 5, 6].map((k) => (bits >> k & 1) === 1);
    const want = (a && !(!b || (c && g))) || d || (e && !f);
    const v = values({
      s64: a ? 1n : 0n,
      u64: b ? 1n : 0n,
      s32: c ? 1n : 0n,
      u32: g ? 1n : 0n,
      s16: d ? 1n : 0n,
      u16: e ? 1n : 0n,
      s8: f ? 1n : 0n,
    });
    assert.equal(m(v), want, `inputs ${bits.toString(2)}`);
  }
  assert.equal(matcher("s64 == 1 || u64 == 1 && s32 == 1")(values({ s64: 1n })), true);
  assert.equal(matcher("(s64 == 1 || u64 == 1) && s32 == 1")(values({ s64: 1n })), false);
  assert.equal(matcher("!(s64 == 1)")(values({ s64: 1n })), false);
  assert.equal(matcher("!!(s64 == 1)")(values({ s64: 1n })), true);
  assert.equal(matcher("((((s64 == 1))))")(values({ s64: 1n })), true);
});

Deno.test("compileFilter() compares at the field's size and signedness", () => {
  // filter_pred_s8 etc. cast both sides to the field's C type.
  assert.equal(matcher("s8 < 0")(values({ s8: 0xffn })), true); // (s8)0xff == -1
  assert.equal(matcher("u8 < 0x80")(values({ u8: 0xffn })), false);
  assert.equal(matcher("u8 > 200")(values({ u8: 0x1ffn })), true); // truncated to 0xff
  assert.equal(matcher("s16 >= -32768")(values({ s16: 0x8000n })), true);
  assert.equal(matcher("s32 < -1")(values({ s32: 0x80000000n })), true);
  assert.equal(matcher("u32 > 0x7fffffff")(values({ u32: 0x80000000n })), true);
  assert.equal(matcher("s64 < 0")(values({ s64: -1n })), true);
  assert.equal(matcher("u64 > 0x7fffffffffffffff")(values({ u64: (1n << 64n) - 1n })), true);
  // == and != compare unsigned bits at the field size (filter_pred_32…).
  assert.equal(matcher("s32 == -1")(values({ s32: 0xffffffffn })), true);
  assert.equal(matcher("u16 == 0x10001")(values({ u16: 1n })), true); // (u16)0x10001
  assert.equal(matcher("s8 != -1")(values({ s8: 255n })), false);
  // The literal is cast too: (s8)0x80 is -128.
  assert.equal(matcher("s8 < 0x80")(values({ s8: 0n })), false);
  // & tests bits in the field's type.
  assert.equal(matcher("u8 & 0x100")(values({ u8: 0x1ffn })), false);
});

Deno.test("compileFilter() never matches an integer field of an unsupported size", () => {
  // select_comparison_fn() leaves FILTER_PRED_FN_NOP, which returns 0 even for !=.
  const odd: FilterField = { name: "x", kind: "unsigned", size: 3 };
  assert.equal(matcher("x == 1", [odd])([1n]), false);
  assert.equal(matcher("x != 1", [odd])([2n]), false);
  assert.equal(matcher("!x == 1", [odd])([1n]), true);
});

Deno.test("compileFilter() reads numbers as kstrtoll/kstrtoull with base 0", () => {
  assert.equal(matcher("u32 == 0x1F")(values({ u32: 31n })), true);
  assert.equal(matcher("u32 == 0X1f")(values({ u32: 31n })), true);
  assert.equal(matcher("u32 == 017")(values({ u32: 15n })), true);
  assert.equal(matcher("u32 == 0")(values({ u32: 0n })), true);
  assert.equal(matcher("s32 == -0x10")(values({ s32: -16n })), true);
  assert.equal(matcher("s64 == -9223372036854775808")(values({ s64: -(1n << 63n) })), true);
  assert.equal(matcher("u64 == 18446744073709551615")(values({ u64: (1n << 64n) - 1n })), true);
  // "08": base 8, the 8 is left over → -EINVAL. Recorded at pos + s:
  // term at 0, pos 1, s = 7 → 8.
  const bad = ["u32 == 08", "u32 == 0x", "u32 == 12abc", "u32 == -1", "s64 == 9223372036854775808"];
  for (const expr of bad) {
    const e = refused(expr);
    assert.equal(e.message, "Illegal integer value", expr);
    assert.equal(e.pos, expr.indexOf("=") + 4, expr); // '=' at k, value at k + 3, caret one right
    assert.equal(e.errno, -22);
  }
  // Overflow is -ERANGE in kstrtoull, the same message.
  assert.equal(refused("u64 == 18446744073709551616").message, "Illegal integer value");
});

Deno.test("compileFilter() matches quoted strings with == and !=", () => {
  const m = matcher('path == "/etc/passwd"');
  assert.equal(m(values({ path: "/etc/passwd" })), true);
  assert.equal(m(values({ path: "/etc/passwd2" })), false);
  assert.equal(m(values({ path: "/etc/passw" })), false);
  assert.equal(matcher("path == '/etc/passwd'")(values({ path: "/etc/passwd" })), true);
  assert.equal(matcher('path != "/etc"')(values({ path: "/etc" })), false);
  assert.equal(matcher('path != "/etc"')(values({ path: "/tmp" })), true);
  // == is never a glob.
  assert.equal(matcher('path == "*"')(values({ path: "x" })), false);
  assert.equal(matcher('path == "*"')(values({ path: "*" })), true);
  // No escapes inside quotes; the other quote is an ordinary byte.
  assert.equal(matcher(`path == "it's"`)(values({ path: "it's" })), true);
});

Deno.test("compileFilter() matches ~ globs as filter_parse_regex() classifies them", () => {
  const cases: [string, string, boolean][] = [
    ["*sh", "bash", true], // MATCH_END_ONLY
    ["*sh", "shell", false],
    ["ba*", "bash", true], // MATCH_FRONT_ONLY
    ["ba*", "abash", false],
    ["*as*", "bash", true], // MATCH_MIDDLE_ONLY
    ["*as*", "bsh", false],
    ["*", "", true],
    ["**", "anything", true],
    ["bash", "bash", true], // MATCH_FULL
    ["bash", "bash2", false],
    ["b*h", "bash", true], // MATCH_GLOB: '*' in the middle
    ["b*h", "bask", false],
    ["b?sh", "bash", true],
    ["b?sh", "bsh", false],
    ["[a-c]ash", "bash", true],
    ["[a-c]ash", "dash", false],
    ["[!a-c]ash", "dash", true],
    ["\\*x", "*x", true],
    ["\\*x", "ax", false],
    ["[ab", "[ab", true], // malformed class: '[' is literal
    ["!bash", "bash", false], // a leading '!' inverts
    ["!bash", "dash", true],
    ["!*sh", "zsh", false],
    ["1*", "1abc", false], // MATCH_INDEX (digit first) is a full match
    ["1*", "1*", true],
  ];
  for (const [pat, s, want] of cases) {
    assert.equal(matcher(`path ~ "${pat}"`)(values({ path: s })), want, `"${s}" ~ "${pat}"`);
  }
});

Deno.test("compileFilter() matches comm as Linux 6.1 does, over its zero-padded 16 bytes", () => {
  const fields = GENERIC_FILTER_FIELDS;
  const v = (comm: string) => [0n, 0n, 0n, comm, comm];
  assert.equal(matcher('comm == "init"', fields)(v("init")), true);
  assert.equal(matcher('COMM ~ "in*"', fields)(v("init")), true);
  assert.equal(matcher('comm ~ "*ni*"', fields)(v("init")), true);
  assert.equal(matcher('comm ~ "i?it"', fields)(v("init")), true);
  // regex_match_end() compares the pattern with the end of the 16-byte
  // buffer (len - 1 = 15), which is zero padding: "*it" never matches a
  // name shorter than 15 bytes in 6.1.
  assert.equal(matcher('comm ~ "*it"', fields)(v("init")), false);
  assert.equal(matcher('comm ~ "*it"', fields)(v("abcdefghijklmit")), true);
});

Deno.test("compileFilter() treats a char[N] field by its size", () => {
  const f: FilterField = { name: "name", kind: "string", size: 4, filterType: "static_string" };
  // regex_match_full(): strncmp over field_len bytes.
  assert.equal(matcher('name == "abcd"', [f])(["abcd"]), true);
  assert.equal(matcher('name == "abcdef"', [f])(["abcdef"]), false); // len 4 < pattern 6
  assert.equal(matcher('name ~ "ab*"', [f])(["abzz"]), true);
});

Deno.test("compileFilter() compares the cpu generic field as an int", () => {
  const fields = GENERIC_FILTER_FIELDS;
  const v = (cpu: bigint) => [cpu, cpu, cpu, "x", "x"];
  assert.equal(matcher("cpu == 1", fields)(v(1n)), true);
  assert.equal(matcher("CPU != 1", fields)(v(1n)), false);
  assert.equal(matcher("common_cpu >= 1", fields)(v(2n)), true);
  assert.equal(matcher("cpu < 1", fields)(v(0n)), true);
  // filter_pred_cpu() has no case for OP_BAND: never matches.
  assert.equal(matcher("cpu & 1", fields)(v(1n)), false);
});

Deno.test("compileFilter() finds the first field of a name, as trace_find_event_field()", () => {
  const own: FilterField = { name: "cpu", kind: "unsigned", size: 8 };
  const m = matcher("cpu & 1", [own, ...GENERIC_FILTER_FIELDS]);
  assert.equal(m([1n, 0n, 0n, 0n, "", ""]), true); // the event's own field, not FILTER_CPU
  assert.equal(matcher("common_pid == 42", COMMON_FILTER_FIELDS)([0n, 0n, 0n, 42n]), true);
});

Deno.test('compileFilter() clears on "0" and keeps the written text', () => {
  for (const expr of ["0", "0\n", "  0  "]) {
    const r = compileFilter(expr, FIELDS);
    assert.ok(r.ok && r.cleared, expr);
    assert.equal(r.match(values({})), true);
    assert.equal(filterFileText(r), "none\n");
  }
  // "00" is not "0": it is a field name.
  assert.equal(refused("00").message, "Field not found");
  // strim() cuts trailing whitespace in place; the leading part stays, and
  // positions count from it.
  const r = compileFilter("  s64 == 1 \n", FIELDS);
  assert.ok(r.ok && !r.cleared);
  assert.equal(r.filterString, "  s64 == 1");
  assert.equal(filterFileText(r), "  s64 == 1\n");
  const e = refused("  nope == 1\n");
  assert.equal(e.pos, 7); // term at 2: pos 3, i = 4 → 7
  assert.equal(e.filterString, "  nope == 1");
});

Deno.test("compileFilter() reports each error with Linux's message, position and errno", () => {
  const cases: [string, string, number, number][] = [
    // expr, message, pos, errno
    // calc_stack(): the ')' at index 7; internal code -1 is the errno.
    ["s64 < 0)", "Too few '('", 7, -1],
    // calc_stack(): no unmatched '(' at index >= 1, so 0; errno -2.
    ["(s64 < 0", "Too many '('", 0, -2],
    // The last unmatched '(' walking back is the one at index 11.
    ["s64 < 0 && (u64 < 0", "Too many '('", 11, -2],
    // The unclosed quote opens at index 8; errno -3.
    ['path == "abc', "Missing matching quote", 8, -3],
    // parse_pred(): term at 0 (pos 1), name "nope" ends at i = 4 → 5.
    ["nope == 1", "Field not found", 5, -22],
    // "=" is not an operator: i = 4 at '=' → 5.
    ["s64 = 1", "Invalid operator", 5, -22],
    ["s64 =< 1", "Invalid operator", 5, -22],
    // The value at i = 8 → 9 ("s64 == +1": '+' at 7 → 8).
    ["path == bash", "Invalid value (did you forget quotes)?", 9, -22],
    ["s64 == +1", "Invalid value (did you forget quotes)?", 8, -22],
    // A quoted value with <: the op check comes first, at the quote (i = 7 → 8).
    ['path < "a"', "Illegal operation for field type", 8, -22],
    ['s64 < "a"', "Illegal operation for field type", 7, -22],
    // ~ on a number: the value at i = 6 → 7.
    ["s64 ~ 1", "Illegal operation for field type", 7, -22],
    // A quoted value for a number field: at the quote, i = 7 → 8.
    ['s64 == "1"', "Expecting numeric field", 8, -22],
    ['s64 ~ "1"', "Expecting numeric field", 7, -22],
    // A number for a string field: at the digit, i = 8 → 9.
    ["path == 1", "Expecting string field", 9, -22],
    // predicate_parse(): after "1", the next byte 'u' at 9 is not && || ) or end; errno -1.
    ["s64 == 1 u64 == 2", "Too many terms in predicate expression", 9, -1],
    ["s64 == 1.5", "Too many terms in predicate expression", 8, -1],
    ["s64 == 1 & u64 == 1", "Too many terms in predicate expression", 9, -1],
    ["s64 == 1 | u64 == 1", "Too many terms in predicate expression", 9, -1],
    // After "&&"/"||" (and a '!') the outer loop runs out: ptr = length (11, 12).
    ["s64 == 1 &&", "Meaningless filter expression", 11, -22],
    ["s64 == 1 ||!", "Meaningless filter expression", 12, -22],
    // Only '!': the outer loop ends with no term: ptr = 1.
    ["!", "No filter found", 1, -22],
    ["!!", "No filter found", 2, -22],
    // num_buf[24]: 24 bytes of number is too long; i = 31 at the end → 32.
    ["s64 == 123456789012345678901234", "Operand too long", 32, -22],
  ];
  for (const [expr, message, pos, errno] of cases) {
    const e = refused(expr);
    assert.equal(e.message, message, expr);
    assert.equal(e.pos, pos, expr);
    assert.equal(e.errno, errno, expr);
  }
});

Deno.test("compileFilter() refuses an operand of MAX_FILTER_STR_VAL bytes", () => {
  const ok = "x".repeat(MAX_FILTER_STR_VAL - 1);
  assert.equal(matcher(`path == "${ok}"`)(values({ path: ok })), true);
  const long = "x".repeat(MAX_FILTER_STR_VAL);
  const e = refused(`path == "${long}"`);
  assert.equal(e.message, "Operand too long");
  // The closing quote is at i = 9 + 256 = 265 in the term → pos 266.
  assert.equal(e.pos, 266);
});

Deno.test("compileFilter() records no parse error for an empty or operator-only filter", () => {
  // process_preds() returns -EINVAL with no predicates; parse_pred() returns
  // -1 (as errno -EPERM) for a term with no field name. Neither records a
  // parse error: the filter file shows "Error: (0)".
  const cases: [string, number][] = [["", -22], ["()", -22], ["&& s64 == 1", -1], [
    "s64 == 1 || || u64 == 1",
    -1,
  ], ["!= 1", -1]];
  for (const [expr, errno] of cases) {
    const e = refused(expr);
    assert.equal(e.code, "ERRNO", expr);
    assert.equal(e.message, "Error", expr);
    assert.equal(e.pos, 0, expr);
    assert.equal(e.errno, errno, expr);
    assert.equal(filterErrorText(expr, e), `${expr}\nError: (0)\n\n`);
  }
});

Deno.test("filterErrorText() prints the caret line of append_filter_err()", () => {
  // pos 5 → "%*s" with width 6.
  const e = refused("nope == 1");
  assert.equal(
    filterErrorText("nope == 1", e),
    "nope == 1\n     ^\nparse_error: Field not found\n\n",
  );
  // pos 0 stays 0: the caret in column 0.
  const open = refused("(s64 < 0");
  assert.equal(filterErrorText("(s64 < 0", open), "(s64 < 0\n^\nparse_error: Too many '('\n\n");
  // pos past the end is clamped to the length (11), then + 1.
  const meaningless = refused("s64 == 1 &&");
  assert.equal(
    filterErrorText("s64 == 1 &&", meaningless),
    "s64 == 1 &&\n           ^\nparse_error: Meaningless filter expression\n\n",
  );
  // A group write: each event shows the subsystem message at 0.
  assert.equal(
    filterErrorText("nope == 1", e, { subsystem: true }),
    "nope == 1\n^\nparse_error: Couldn't find or set field in one of a subsystem's events\n\n",
  );
  assert.equal(filterFileText(e), filterErrorText("nope == 1", e));
  assert.ok(DEFAULT_SYS_FILTER_MESSAGE.startsWith("### global filter ###\n"));
});

Deno.test("filterErrorLogEntry() gives tracing_log_err()'s unclamped position", () => {
  const e = refused("s64 == 1 &&");
  assert.deepEqual(filterErrorLogEntry(e), {
    loc: "event filter parse error",
    message: "Meaningless filter expression",
    command: "s64 == 1 &&",
    pos: 11,
  });
  assert.equal(filterErrorLogEntry(refused("")).message, "Error");
  assert.equal(filterErrorLogEntry(e, { subsystem: true }).pos, 0);
});

Deno.test("compileFilter() match never throws on values of the wrong type", () => {
  const m = matcher('s64 < 0 || path ~ "a*"');
  assert.equal(m(["zz" as unknown as bigint]), false);
  assert.equal(m([]), false);
  assert.equal(m([-1n]), true);
  assert.equal(m([0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 5n as unknown as string]), false);
});

Deno.test("compileFilter() counts positions in UTF-8 bytes and stops at a NUL", () => {
  // "é" is two bytes (9 and 10), so 'x' is byte 16: term at 16, pos 17,
  // the name ends at i = 1 → 18.
  const e = refused('path == "é" && x == 1');
  assert.equal(e.message, "Field not found");
  assert.equal(e.pos, 18);
  // The kernel copies a C string: a NUL ends the filter.
  const r = compileFilter("s64 == 1\0garbage", FIELDS);
  assert.ok(r.ok);
  assert.equal(r.filterString, "s64 == 1");
});
