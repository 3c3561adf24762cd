// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Parses one kprobe event fetch argument (`NAME=FETCHARG:TYPE`) into fetch
 * instructions, with Linux 6.1's checks, error kinds and caret offsets.
 * Linux: traceprobe_parse_probe_arg() and parse_probe_arg()
 * (kernel/trace/trace_probe.c).
 *
 * @module
 */

import {
  FETCH_INSN_MAX,
  type FetchInsn,
  type FetchType,
  MAX_ARG_NAME_LEN,
  MAX_ARGSTR_LEN,
  MAX_ARRAY_LEN,
  MAX_PROBE_EVENT_SIZE,
  nopInsn,
  type ProbeErrorName,
} from "./fetch_types.ts";

/** A parsed argument. Linux: struct probe_arg. */
export interface ProbeArg {
  /** Field name (`argN` when none was given). */
  name: string;
  /** The fetch expression as written (Linux: `comm`), shown by `kprobe_events`. */
  comm: string;
  /** Its type. */
  type: FetchType;
  /** Array length; 0 for a scalar. */
  count: number;
  /** Offset of its field in the record's argument area. */
  offset: number;
  /** Fetch instructions, ending in END. */
  code: FetchInsn[];
}

/** Where parsing stopped: Linux's error kind and the caret offset within the word. */
export interface ArgError {
  /** The error (a key of PROBE_ERRORS), or null for an error Linux does not log. */
  type: ProbeErrorName | null;
  /** Offset within the current word. */
  offset: number;
  /** The errno (positive). */
  errno: number;
}

/** What the argument parser needs to know of the kernel and the probe. */
export interface ArgContext {
  /** The types by name (see `fetchTypes`). */
  types: ReadonlyMap<string, FetchType>;
  /** The default type (`x64` or `x32`). */
  defaultType: FetchType;
  /** The arch's register names (`regs_query_register_offset`). */
  registers: ReadonlySet<string>;
  /** A return probe (TPARG_FL_RETURN). */
  isReturn: boolean;
  /** At a function entry (TPARG_FL_FENTRY): `$argN` allowed. */
  fentry: boolean;
  /** Words of kernel stack (THREAD_SIZE / sizeof(long)). */
  maxStack: number;
}

const EINVAL = 22;
const E2BIG = 7;

/** C `isalpha`, `isdigit` for a name check. Linux: is_good_name() (kernel/trace/trace.h). */
export function isGoodName(name: string, hashOk = false): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    const ok = /[A-Za-z_]/.test(c) || (i > 0 && /[0-9]/.test(c)) || (hashOk && c === "-");
    if (!ok) return false;
  }
  return true;
}

/**
 * Linux's kstrtoul/kstrtol with base 0: an optional sign (`+` always, `-`
 * when signed), `0x` hex, `0` octal, decimal; one trailing newline; nothing
 * else. Returns null when the text is not such a number or overflows.
 *
 * @param s The text.
 * @param signed Accept `-` (kstrtol).
 * @returns The value as 64-bit two's complement, or null.
 */
export function kstrto(s: string, signed: boolean): bigint | null {
  let t = s.endsWith("\n") ? s.slice(0, -1) : s;
  let neg = false;
  if (t.startsWith("+")) t = t.slice(1);
  else if (signed && t.startsWith("-")) {
    neg = true;
    t = t.slice(1);
  }
  let v: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) v = BigInt(t);
  else if (/^0[0-7]*$/.test(t)) v = BigInt("0o" + (t.slice(1) || "0"));
  else if (/^[1-9][0-9]*$/.test(t)) v = BigInt(t);
  else return null;
  if (!signed && v > 0xffffffffffffffffn) return null;
  if (signed && v > (neg ? 1n << 63n : (1n << 63n) - 1n)) return null;
  return neg ? -v : v;
}

/** C `simple_strtoul(s, &end, 0)`: the value and how many characters it used. */
function simpleStrtoul(s: string): [bigint, number] {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (m === null) return [0n, 0];
  const t = m[1];
  const v = t.startsWith("0x") || t.startsWith("0X")
    ? BigInt(t)
    : t.startsWith("0")
    ? BigInt("0o" + (t.slice(1) || "0"))
    : BigInt(t);
  return [v, t.length];
}

class ArgParseError {
  constructor(readonly e: ArgError) {}
}

function fail(type: ProbeErrorName | null, offset: number, errno = EINVAL): never {
  throw new ArgParseError({ type, offset, errno });
}

/** The fetch instruction buffer, with a cursor, as Linux's `code` pointer walks it. */
class Code {
  readonly insns: FetchInsn[] = [];
  at = 0;
  readonly end = FETCH_INSN_MAX - 1;
  constructor() {
    for (let i = 0; i < FETCH_INSN_MAX; i++) this.insns.push(nopInsn());
    this.insns[this.end].op = "END";
  }
  get cur(): FetchInsn {
    return this.insns[this.at];
  }
  /** Is the current slot still free? */
  free(): boolean {
    return this.insns[this.at].op === "NOP";
  }
}

function parseProbeVars(arg: string, code: FetchInsn, ctx: ArgContext, offs: number): void {
  if (arg === "retval") {
    if (!ctx.isReturn) fail("RETVAL_ON_PROBE", offs);
    code.op = "RETVAL";
    return;
  }
  if (arg.startsWith("stack")) {
    const rest = arg.slice(5);
    if (rest === "") {
      code.op = "STACKP";
      return;
    }
    if (/^[0-9]/.test(rest)) {
      const n = /^[0-9]+\n?$/.test(rest) ? BigInt(rest.trim()) : null;
      if (n === null) fail("BAD_VAR", offs);
      if (n > BigInt(ctx.maxStack)) fail("BAD_STACK_NUM", offs);
      code.op = "STACK";
      code.param = Number(n);
      return;
    }
    fail("BAD_VAR", offs);
  }
  if (arg === "comm" || arg === "COMM") {
    code.op = "COMM";
    return;
  }
  if (ctx.fentry && !ctx.isReturn && arg.startsWith("arg")) {
    const rest = arg.slice(3);
    const n = /^[0-9]+\n?$/.test(rest) ? BigInt(rest.trim()) : null;
    if (n === null) fail("BAD_VAR", offs);
    if (n === 0n || n > BigInt(ctx.maxStack)) fail("BAD_ARG_NUM", offs);
    code.op = "ARG";
    code.param = Number(n) - 1;
    return;
  }
  fail("BAD_VAR", offs);
}

function strToImmediate(s: string): bigint | null {
  if (/^[0-9]/.test(s)) return kstrto(s, false);
  if (s.startsWith("-")) return kstrto(s, true);
  if (s.startsWith("+")) return kstrto(s.slice(1), true);
  return null;
}

/** Linux: parse_probe_arg(). */
function parseProbeArg(arg: string, c: Code, ctx: ArgContext, offs: number): void {
  const code = c.cur;
  switch (arg[0]) {
    case "$":
      parseProbeVars(arg.slice(1), code, ctx, offs);
      break;
    case "%":
      if (!ctx.registers.has(arg.slice(1))) fail("BAD_REG_NAME", offs);
      code.op = "REG";
      code.reg = arg.slice(1);
      break;
    case "@": {
      if (/^[0-9]/.test(arg.slice(1))) {
        const v = kstrto(arg.slice(1), false);
        if (v === null) fail("BAD_MEM_ADDR", offs);
        code.op = "IMM";
        code.immediate = v;
      } else if (arg[1] === "+") {
        fail("FILE_ON_KPROBE", offs);
      } else {
        code.op = "NOP_SYMBOL";
        code.data = arg.slice(1);
        if (++c.at === c.end) fail("TOO_MANY_OPS", offs);
        c.cur.op = "IMM";
        c.cur.immediate = 0n;
      }
      if (++c.at === c.end) fail("TOO_MANY_OPS", offs);
      c.cur.op = "DEREF";
      c.cur.offset = 0n;
      break;
    }
    case "+":
    case "-": {
      let a = arg;
      let deref: FetchInsn["op"] = "DEREF";
      if (a[1] === "u") {
        deref = "UDEREF";
        // Linux moves the sign over the `u`; the caret offsets below then
        // count from there, one short of the text (as Linux's do).
        a = a[0] + a.slice(2);
      }
      if (a[0] === "+") a = a.slice(1);
      const lp = a.indexOf("(");
      if (lp < 0) fail("DEREF_NEED_BRACE", offs);
      const offset = kstrto(a.slice(0, lp), true);
      if (offset === null) fail("BAD_DEREF_OFFS", offs);
      // Linux: offs += (tmp + 1 - arg) + (arg[0] != '-' ? 1 : 0), `arg` past the sign and `u`.
      offs += lp + 1 + (a[0] !== "-" ? 1 : 0);
      let inner = a.slice(lp + 1);
      const rp = inner.lastIndexOf(")");
      if (rp < 0) fail("DEREF_OPEN_BRACE", offs + inner.length);
      inner = inner.slice(0, rp);
      parseProbeArg(inner, c, ctx, offs);
      if (c.cur.op === "COMM" || c.cur.op === "DATA") fail("COMM_CANT_DEREF", offs);
      if (++c.at === c.end) fail("TOO_MANY_OPS", offs);
      c.cur.op = deref;
      c.cur.offset = offset;
      break;
    }
    case "\\":
      if (arg[1] === '"') {
        const s = arg.slice(2);
        if (s.length === 0 || !s.endsWith('"')) fail("IMMSTR_NO_CLOSE", offs + 2 + s.length);
        code.op = "DATA";
        code.data = s.slice(0, -1);
      } else {
        const v = strToImmediate(arg.slice(1));
        if (v === null) fail("BAD_IMM", offs + 1);
        code.op = "IMM";
        code.immediate = BigInt.asUintN(64, v);
      }
      break;
  }
  if (c.free()) fail("BAD_FETCH_ARG", offs);
}

/** Linux: __parse_bitfield_probe_arg(). Returns false for a bad bitfield. */
function parseBitfield(bf: string, t: FetchType, c: Code): boolean {
  if (bf[0] !== "b") return true;
  const [bw, used] = simpleStrtoul(bf.slice(1));
  let rest = bf.slice(1 + used);
  if (bw === 0n || rest[0] !== "@") return false;
  rest = rest.slice(1);
  const [bo, used2] = simpleStrtoul(rest);
  if (used2 === 0 || rest[used2] !== "/") return false;
  c.at++;
  if (!c.free()) return false;
  const bits = BigInt(t.size * 8);
  c.cur.op = "MOD_BF";
  c.cur.lshift = Number(bits - (bw + bo));
  c.cur.rshift = Number(bits - bw);
  c.cur.size = t.size;
  return bits >= bw + bo;
}

/** Finds a type by name, `b<w>@<o>/<container>` included. Linux: find_fetch_type(). */
function findFetchType(ctx: ArgContext, name: string | null): FetchType | undefined {
  if (name === null) return ctx.defaultType;
  if (name[0] === "b") {
    const slash = name.indexOf("/");
    if (slash < 0) return undefined;
    const bs = kstrto(name.slice(slash + 1), false);
    if (bs === 8n || bs === 16n || bs === 32n || bs === 64n) return ctx.types.get(`u${bs}`);
    return undefined;
  }
  return ctx.types.get(name);
}

/** Linux: traceprobe_parse_probe_arg_body(). */
function parseArgBody(
  body: string,
  size: { value: number },
  parg: ProbeArg,
  ctx: ArgContext,
  offset: number,
): void {
  if (body.length > MAX_ARGSTR_LEN) fail("ARG_TOO_LONG", offset);
  if (body.length === 0) fail("NO_ARG_BODY", offset);
  parg.comm = body;
  let arg = body;
  let t: string | null = null;
  let tAt = 0;
  const colon = body.indexOf(":");
  if (colon >= 0) {
    arg = body.slice(0, colon);
    t = body.slice(colon + 1);
    tAt = colon + 1;
    const lb = t.indexOf("[");
    if (lb >= 0) {
      const t2 = t.slice(lb + 1);
      const t2At = tAt + lb + 1;
      const rb = t2.indexOf("]");
      if (rb < 0) fail("ARRAY_NO_CLOSE", offset + t2At + t2.length);
      if (rb + 1 < t2.length) fail("BAD_ARRAY_SUFFIX", offset + t2At + rb + 1);
      const n = kstrto(t2.slice(0, rb), false);
      if (n === null || n === 0n || n > 0xffffffffn) fail("BAD_ARRAY_NUM", offset + t2At);
      if (n > BigInt(MAX_ARRAY_LEN)) fail("ARRAY_TOO_BIG", offset + t2At);
      parg.count = Number(n);
      t = t.slice(0, lb);
    }
  }
  let type: FetchType | undefined;
  if (arg === "$comm" || arg === "$COMM" || arg.startsWith('\\"')) {
    // Linux refuses these without an error_log entry.
    if (parg.count !== 0 || (t !== null && t !== "string")) fail(null, 0);
    type = ctx.types.get("string");
  } else {
    type = findFetchType(ctx, t);
  }
  if (type === undefined) fail("BAD_TYPE", offset + (t !== null ? tAt : 0));
  parg.type = type;
  parg.offset = size.value;
  size.value += type.size * (parg.count || 1);
  if (size.value > MAX_PROBE_EVENT_SIZE) fail("EVENT_TOO_BIG", offset, E2BIG);

  const c = new Code();
  parseProbeArg(arg, c, ctx, offset);
  const tOffs = offset + (t !== null ? tAt : 0);
  if (type.string) {
    const op = c.cur.op;
    if (type.name === "symstr") {
      if (!["REG", "STACK", "RETVAL", "ARG", "DEREF"].includes(op)) fail("BAD_SYMSTRING", tOffs);
    } else if (!["DEREF", "UDEREF", "IMM", "COMM", "DATA"].includes(op)) {
      fail("BAD_STRING", tOffs);
    }
    if (type.name === "symstr" || op === "IMM" || op === "COMM" || op === "DATA" || parg.count) {
      c.at++;
      if (!c.free()) fail("TOO_MANY_OPS", offset);
    }
    c.cur.op = type.name === "ustring" || c.cur.op === "UDEREF"
      ? "ST_USTRING"
      : type.name === "symstr"
      ? "ST_SYMSTR"
      : "ST_STRING";
    c.cur.size = type.size;
  } else if (c.cur.op === "DEREF") {
    c.cur.op = "ST_MEM";
    c.cur.size = type.size;
  } else if (c.cur.op === "UDEREF") {
    c.cur.op = "ST_UMEM";
    c.cur.size = type.size;
  } else {
    c.at++;
    if (!c.free()) fail("TOO_MANY_OPS", offset);
    c.cur.op = "ST_RAW";
    c.cur.size = type.size;
  }
  const scode = c.cur;
  if (t !== null && !parseBitfield(t, type, c)) fail("BAD_BITFIELD", offset + tAt);
  if (parg.count) {
    if (!["ST_MEM", "ST_STRING", "ST_USTRING"].includes(scode.op)) fail("BAD_STRING", tOffs);
    c.at++;
    if (!c.free()) fail("TOO_MANY_OPS", offset);
    c.cur.op = "LP_ARRAY";
    c.cur.param = parg.count;
  }
  c.at++;
  if (c.at < FETCH_INSN_MAX) c.cur.op = "END";
  parg.code = c.insns.slice(0, Math.min(c.at + 1, FETCH_INSN_MAX));
  parg.code[parg.code.length - 1].op = "END";
}

const RESERVED = [
  "common_type",
  "common_flags",
  "common_preempt_count",
  "common_pid",
  "common_tgid",
  "__probe_ip",
  "__probe_ret_ip",
  "__probe_func",
];

/**
 * Parses argument `i` of a probe. Linux: traceprobe_parse_probe_arg().
 *
 * @param word The word as written (`NAME=FETCHARG[:TYPE]`).
 * @param i Its index among the arguments (the default name is `arg<i+1>`).
 * @param previous The arguments parsed before it.
 * @param size The record's argument area size so far (updated).
 * @param ctx The kernel and probe facts.
 * @returns The argument, or the error with its offset within `word`.
 */
export function parseProbeArgument(
  word: string,
  i: number,
  previous: readonly ProbeArg[],
  size: { value: number },
  ctx: ArgContext,
): ProbeArg | ArgError {
  try {
    const eq = word.indexOf("=");
    let name: string;
    let body: string;
    let bodyAt = 0;
    if (eq >= 0) {
      if (eq > MAX_ARG_NAME_LEN) fail("ARG_NAME_TOO_LONG", 0);
      if (eq === 0) fail("NO_ARG_NAME", 0);
      name = word.slice(0, eq);
      body = word.slice(eq + 1);
      bodyAt = eq + 1;
    } else {
      name = `arg${i + 1}`;
      body = word;
    }
    if (!isGoodName(name)) fail("BAD_ARG_NAME", 0);
    if (RESERVED.includes(name) || previous.some((a) => a.name === name)) {
      fail("USED_ARG_NAME", 0);
    }
    const parg: ProbeArg = {
      name,
      comm: body,
      type: ctx.defaultType,
      count: 0,
      offset: 0,
      code: [],
    };
    parseArgBody(body, size, parg, ctx, bodyAt);
    return parg;
  } catch (e) {
    if (e instanceof ArgParseError) return e.e;
    throw e;
  }
}
