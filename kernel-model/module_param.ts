// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Module parameters, Linux's `module_param()` and `MODULE_PARM_DESC()` in
 * one declaration: a module exports the object {@linkcode module_params}
 * returns, reads its typed fields in `init_module()`, and
 * `insmod m.ts symbol=do_exit` (or `kernel.insmod(m, { params })`) sets
 * them first, parsed as Linux's `kernel/params.c` parses them:
 *
 * | type | TS value | accepts |
 * |---|---|---|
 * | `byte`, `short`, `ushort`, `int`, `uint` | `number` | decimal, `0x` hex, `0` octal (`kstrtoint(val, 0)`), in range |
 * | `long`, `ulong` | `bigint` | the same, 64-bit (32-bit on i386) |
 * | `bool`, `invbool` | `boolean` | `y Y t T 1 on` / `n N f F 0 off` (first letter, as `kstrtobool`) |
 * | `charp` | `string` | any string up to 1024 bytes |
 * | `array of <type>` | `T[]` | comma-separated, at most `max` elements |
 *
 * A bad value refuses the insmod with -EINVAL (-ERANGE out of range,
 * -ENOSPC for a string too long) and logs ``m: `abc' invalid for parameter
 * `n'`` as Linux does; an unknown name is logged and ignored
 * (`m: unknown parameter 'foo' ignored`); `-` and `_` in names are the same.
 * Nothing is set unless every value parses. A module object passed to
 * insmod keeps the values set on it; a file is imported afresh each insmod,
 * with its defaults.
 *
 * @example A module with a parameter
 * ```ts
 * import { Kernel, module_params, param } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const params = module_params({ symbol: param.charp("do_fork", "function to probe") });
 * let seen = "";
 * await using kernel = await Kernel.boot();
 * await kernel.insmod(
 *   { name: "m", params, init_module: () => void (seen = params.symbol) },
 *   { params: { symbol: "do_exit" } },
 * );
 * assert.equal(seen, "do_exit");
 * ```
 *
 * @module
 */

import { EINVAL, ENOSPC, ERANGE } from "./errno.ts";

/** The parameter types, named as Linux's `module_param()` types. */
export type ParamType =
  | "byte"
  | "short"
  | "ushort"
  | "int"
  | "uint"
  | "long"
  | "ulong"
  | "bool"
  | "invbool"
  | "charp";

/** The TS value of a parameter of type `T`. */
export type ParamValue<T extends ParamType> = T extends "long" | "ulong" ? bigint
  : T extends "bool" | "invbool" ? boolean
  : T extends "charp" ? string
  : number;

/** One declared parameter: its type, default and description (see {@linkcode param}). */
export interface ParamSpec<V = unknown> {
  /** The element type. */
  readonly type: ParamType;
  /** Whether it is an array (`module_param_array`). */
  readonly array: boolean;
  /** Most elements of an array. */
  readonly max: number;
  /** The value before insmod sets it. */
  readonly default: V;
  /** `MODULE_PARM_DESC` text, shown by modinfo. */
  readonly description: string;
}

/** The declaration {@linkcode module_params} takes: parameter names to specs. */
export type ParamSpecs = Record<string, ParamSpec>;

/** The object {@linkcode module_params} returns: each parameter's current value. */
export type ModuleParams<S extends ParamSpecs> = {
  -readonly [K in keyof S]: S[K] extends ParamSpec<infer V> ? V : never;
};

/** Longest `charp` value in bytes. Linux: the 1024 of param_set_charp(). */
export const MAX_PARAM_CHARP = 1024;

/** Where {@linkcode module_params} keeps the specs on the object it returns. */
const SPECS = Symbol.for("kprobes-sim.module_params");

function spec<T extends ParamType>(type: T, def: ParamValue<T>, description = ""): ParamSpec<
  ParamValue<T>
> {
  return { type, array: false, max: 1, default: def, description };
}

/** The declaration helpers of {@linkcode param}, one per Linux parameter type. */
export interface ParamBuilders {
  /** An 8-bit unsigned number (Linux `byte`). */
  byte(def?: number, description?: string): ParamSpec<number>;
  /** A 16-bit signed number. */
  short(def?: number, description?: string): ParamSpec<number>;
  /** A 16-bit unsigned number. */
  ushort(def?: number, description?: string): ParamSpec<number>;
  /** A 32-bit signed number. */
  int(def?: number, description?: string): ParamSpec<number>;
  /** A 32-bit unsigned number. */
  uint(def?: number, description?: string): ParamSpec<number>;
  /** A signed C `long` (64-bit, 32-bit on i386), as a bigint. */
  long(def?: bigint, description?: string): ParamSpec<bigint>;
  /** An unsigned C `long`, as a bigint. */
  ulong(def?: bigint, description?: string): ParamSpec<bigint>;
  /** A boolean (`y`/`n`, `1`/`0`, `on`/`off`, …). */
  bool(def?: boolean, description?: string): ParamSpec<boolean>;
  /** A boolean stored inverted (`invbool`: `y` sets false). */
  invbool(def?: boolean, description?: string): ParamSpec<boolean>;
  /** A string (Linux `charp`), at most {@linkcode MAX_PARAM_CHARP} bytes. */
  charp(def?: string, description?: string): ParamSpec<string>;
  /** An array of `type` (Linux `module_param_array`), at most `max` (default 32) elements. */
  array<T extends ParamType>(
    type: T,
    def?: ParamValue<T>[],
    description?: string,
    max?: number,
  ): ParamSpec<ParamValue<T>[]>;
}

/**
 * Parameter declarations for {@linkcode module_params}, one per Linux type:
 * `param.int(default, description)`, and `param.array(type, defaults,
 * description, max)` for `module_param_array`.
 *
 * @example
 * ```ts
 * import { param } from "./module_param.ts";
 * import assert from "node:assert/strict";
 * assert.equal(param.int(3, "how many").type, "int");
 * ```
 */
export const param: ParamBuilders = Object.freeze({
  byte: (def = 0, description?: string) => spec("byte", def, description),
  short: (def = 0, description?: string) => spec("short", def, description),
  ushort: (def = 0, description?: string) => spec("ushort", def, description),
  int: (def = 0, description?: string) => spec("int", def, description),
  uint: (def = 0, description?: string) => spec("uint", def, description),
  long: (def = 0n, description?: string) => spec("long", def, description),
  ulong: (def = 0n, description?: string) => spec("ulong", def, description),
  bool: (def = false, description?: string) => spec("bool", def, description),
  invbool: (def = false, description?: string) => spec("invbool", def, description),
  charp: (def = "", description?: string) => spec("charp", def, description),
  array: <T extends ParamType>(
    type: T,
    def: ParamValue<T>[] = [],
    description = "",
    max = 32,
  ): ParamSpec<ParamValue<T>[]> => ({ type, array: true, max, default: def, description }),
});

/**
 * Declares a module's parameters; export the result (under any name) and
 * read its fields, which insmod sets before `init_module()` runs.
 * Linux: `module_param()`, `module_param_array()`, `MODULE_PARM_DESC()`.
 *
 * @param specs Parameter names (C identifiers) to {@linkcode param} declarations.
 * @returns An object holding each parameter's value, its default until insmod sets it.
 * @throws {TypeError} When a name is not a C identifier or a spec was not made by `param`.
 *
 * @example
 * ```ts
 * import { module_params, param } from "./module_param.ts";
 * import assert from "node:assert/strict";
 * export const params = module_params({ n: param.int(3, "how many"), sym: param.charp("do_fork") });
 * assert.equal(params.n + 1, 4);
 * assert.equal(params.sym, "do_fork");
 * ```
 */
export function module_params<const S extends ParamSpecs>(specs: S): ModuleParams<S> {
  const out: Record<string, unknown> = {};
  const kept: Record<string, ParamSpec> = {};
  for (const [name, s] of Object.entries(specs)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new TypeError(`Cannot declare parameter "${name}": it is not a C identifier`);
    }
    if (typeof s !== "object" || s === null || typeof s.type !== "string") {
      throw new TypeError(`Cannot declare parameter "${name}": declare it with param.<type>()`);
    }
    kept[name] = s;
    out[name] = Array.isArray(s.default) ? [...s.default] : s.default;
  }
  Object.defineProperty(out, SPECS, { value: Object.freeze(kept), enumerable: false });
  return out as ModuleParams<S>;
}

/** A module's declared parameter, as modinfo and insmod see it. */
export interface DeclaredParam {
  /** The name. */
  name: string;
  /** The spec. */
  spec: ParamSpec;
  /** The object holding its value. */
  holder: Record<string, unknown>;
}

/** The modinfo type name: `int`, `charp`, `array of int`. */
export function paramTypeName(s: ParamSpec): string {
  return s.array ? `array of ${s.type}` : s.type;
}

/**
 * The parameters a module's exports declare (every exported
 * {@linkcode module_params} object), in declaration order.
 *
 * @param exports The module's exports.
 * @returns The parameters.
 * @throws {TypeError} When two exports declare the same name.
 */
export function declaredParams(exports: object): DeclaredParam[] {
  const out: DeclaredParam[] = [];
  const seen = new Set<string>();
  for (const key of Object.keys(exports)) {
    // Only data properties: a getter on a module object is not run here.
    const d = Object.getOwnPropertyDescriptor(exports, key);
    const value: unknown = d !== undefined && "value" in d ? d.value : undefined;
    if (typeof value !== "object" || value === null) continue;
    const sd = Object.getOwnPropertyDescriptor(value, SPECS);
    const specs: unknown = sd !== undefined && "value" in sd ? sd.value : undefined;
    if (typeof specs !== "object" || specs === null) continue;
    for (const [name, spec] of Object.entries(specs as Record<string, ParamSpec>)) {
      if (seen.has(name)) throw new TypeError(`parameter "${name}" is declared twice`);
      seen.add(name);
      out.push({ name, spec, holder: value as Record<string, unknown> });
    }
  }
  return out;
}

/** A value given to insmod for a parameter: Linux's string, or a typed value. */
export type ParamArgument =
  | string
  | number
  | bigint
  | boolean
  | readonly (
    | string
    | number
    | bigint
    | boolean
  )[];

/** What applying insmod's parameters did. */
export interface ParamsApplied {
  /** Log lines (KERN_WARNING) for unknown parameters. */
  warnings: string[];
  /** When a value is refused: the log line (KERN_ERR), errno and a message for the error. */
  error: { log: string; errno: number; reason: string } | null;
}

const INT_RANGES: Record<string, [bigint, bigint]> = {
  byte: [0n, 0xffn],
  short: [-0x8000n, 0x7fffn],
  ushort: [0n, 0xffffn],
  int: [-0x8000_0000n, 0x7fff_ffffn],
  uint: [0n, 0xffff_ffffn],
};

/** Linux: kstrtoll()/kstrtoull() with base 0 (a trailing newline allowed); null when invalid. */
function kstrto(val: string, signed: boolean): bigint | null {
  let s = val.endsWith("\n") ? val.slice(0, -1) : val;
  let neg = false;
  if (s.startsWith("+")) s = s.slice(1);
  else if (s.startsWith("-") && signed) {
    neg = true;
    s = s.slice(1);
  }
  let digits: string;
  let base: number;
  if (/^0[xX]/.test(s)) [digits, base] = [s.slice(2), 16];
  else if (s.startsWith("0") && s.length > 1) [digits, base] = [s.slice(1), 8];
  else [digits, base] = [s, 10];
  const ok = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!ok.test(digits)) return null;
  const prefix = base === 16 ? "0x" : base === 8 ? "0o" : "";
  const n = BigInt(prefix + digits);
  return neg ? -n : n;
}

/** Linux: kstrtobool(). */
function kstrtobool(s: string): boolean | null {
  const c = s[0] ?? "";
  if ("yYtT1".includes(c) && c !== "") return true;
  if ("nNfF0".includes(c) && c !== "") return false;
  if (c === "o" || c === "O") {
    const d = s[1] ?? "";
    if (d === "n" || d === "N") return true;
    if (d === "f" || d === "F") return false;
  }
  return null;
}

/** One parsed element, or the errno (EINVAL, ERANGE, ENOSPC) that refuses it. */
type Parsed = { value: unknown } | { errno: number };

/** Parses one element as Linux's `param_set_<type>()` does. */
function parseOne(type: ParamType, val: string, longBits: number): Parsed {
  switch (type) {
    case "bool":
    case "invbool": {
      const b = kstrtobool(val);
      return b === null ? { errno: EINVAL } : { value: type === "bool" ? b : !b };
    }
    case "charp":
      return new TextEncoder().encode(val).length > MAX_PARAM_CHARP
        ? { errno: ENOSPC }
        : { value: val };
    case "long":
    case "ulong": {
      const n = kstrto(val, type === "long");
      if (n === null) return { errno: EINVAL };
      const bits = BigInt(longBits);
      const lo = type === "long" ? -(1n << (bits - 1n)) : 0n;
      const hi = type === "long" ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
      return n < lo || n > hi ? { errno: ERANGE } : { value: n };
    }
    default: {
      const [lo, hi] = INT_RANGES[type];
      const n = kstrto(val, lo < 0n);
      if (n === null) return { errno: EINVAL };
      return n < lo || n > hi ? { errno: ERANGE } : { value: Number(n) };
    }
  }
}

function asText(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) {
    const parts = v.map(asText);
    return parts.every((p) => p !== null && !p.includes(",")) ? parts.join(",") : null;
  }
  return null;
}

/** A value as a log line quotes it. */
function quoted(val: string): string {
  // deno-lint-ignore no-control-regex
  const one = val.replace(/[\x00-\x1f\x7f]/g, "?");
  return one.length > 64 ? `${one.slice(0, 64)}…` : one;
}

/**
 * Sets a module's declared parameters from insmod's `name=value` pairs, as
 * Linux's `parse_args()` does: each value parsed for its type (a refused
 * value stops and fails the insmod), unknown names warned about and ignored.
 * Nothing is set unless every value parses.
 *
 * @param module The module's name, for the log lines.
 * @param declared Its declared parameters ({@linkcode declaredParams}).
 * @param given Names to values (strings are parsed; numbers, bigints,
 * booleans and arrays of them are parsed from their text, so the same
 * checks apply).
 * @param longBits Bits of a C `long` on the kernel's arch (64, or 32 on i386).
 * @returns Warnings and the refusal, if any.
 *
 * @example A bad int is refused, an unknown name is only a warning
 * ```ts
 * import { applyModuleParams, declaredParams, module_params, param } from "./module_param.ts";
 * import assert from "node:assert/strict";
 * const params = module_params({ n: param.int(1) });
 * const bad = applyModuleParams("m", declaredParams({ params }), { n: "abc", foo: "1" }, 64);
 * assert.equal(bad.error?.log, "m: `abc' invalid for parameter `n'");
 * const ok = applyModuleParams("m", declaredParams({ params }), { n: "0x10", foo: "1" }, 64);
 * assert.deepEqual(ok, { warnings: ["m: unknown parameter 'foo' ignored"], error: null });
 * assert.equal(params.n, 16);
 * ```
 */
export function applyModuleParams(
  module: string,
  declared: readonly DeclaredParam[],
  given: Readonly<Record<string, unknown>>,
  longBits: number,
): ParamsApplied {
  const warnings: string[] = [];
  const staged: [DeclaredParam, unknown][] = [];
  const norm = (s: string) => s.replace(/-/g, "_");
  for (const [rawName, rawValue] of Object.entries(given)) {
    const p = declared.find((d) => norm(d.name) === norm(rawName));
    if (p === undefined) {
      warnings.push(`${module}: unknown parameter '${quoted(rawName)}' ignored`);
      continue;
    }
    const text = rawValue === undefined && (p.spec.type === "bool" || p.spec.type === "invbool")
      ? "1" // Linux: a bare bool parameter (no `=value`) means true.
      : asText(rawValue);
    const refuse = (errno: number, why: string): ParamsApplied => ({
      warnings,
      error: {
        // Linux's parse_args(): only -ENOSPC reads "too large"; the errno is passed on.
        log: errno === ENOSPC
          ? `${module}: \`${quoted(text ?? "")}' too large for parameter \`${p.name}'`
          : `${module}: \`${quoted(text ?? "")}' invalid for parameter \`${p.name}'`,
        errno,
        reason: why,
      },
    });
    const want = `pass ${
      p.spec.array ? `at most ${p.spec.max} comma-separated values of type ` : "a value of type "
    }${p.spec.type}`;
    if (text === null) return refuse(EINVAL, `parameter "${p.name}" has no usable value, ${want}`);
    const parts = p.spec.array ? text.split(",") : [text];
    if (parts.length > p.spec.max) {
      return refuse(EINVAL, `parameter "${p.name}" takes at most ${p.spec.max} values, ${want}`);
    }
    const values: unknown[] = [];
    for (const part of parts) {
      const v = parseOne(p.spec.type, part, longBits);
      if ("errno" in v) {
        return refuse(
          v.errno,
          v.errno === EINVAL
            ? `"${quoted(part)}" is not valid for parameter "${p.name}", ${want}`
            : `"${quoted(part)}" is out of range for parameter "${p.name}", ${want}`,
        );
      }
      values.push(v.value);
    }
    staged.push([p, p.spec.array ? values : values[0]]);
  }
  for (const [p, v] of staged) p.holder[p.name] = v;
  return { warnings, error: null };
}
