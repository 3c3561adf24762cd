// Copyright 2026 the kprobes-sim authors. MIT license.
// One safe describer for values module code throws or returns: it never runs
// user code (no toString, valueOf, getters, Proxy traps, Symbol.toStringTag),
// so a hostile thrown value cannot abort the run that is reporting it.

import { isProxy } from "node:util/types";

/** Longest description, in characters: a log line stays a line. */
const MAX_DESCRIPTION = 200;
/** Prototype links followed when looking for `name`/`message`. */
const MAX_CHAIN = 32;

/** Makes `s` one printable line of at most MAX_DESCRIPTION characters. */
function oneLine(s: string, firstLine = false): string {
  if (firstLine) {
    const nl = s.indexOf("\n");
    if (nl >= 0) s = s.slice(0, nl);
  }
  const cut = s.length > MAX_DESCRIPTION;
  // deno-lint-ignore no-control-regex
  const t = (cut ? s.slice(0, MAX_DESCRIPTION) : s).replace(/[\x00-\x1f\x7f]+/g, " ");
  return cut ? `${t}…` : t;
}

/** A data property's value along `o`'s prototype chain, or undefined; accessors and Proxies are skipped. */
function dataProperty(o: object, key: string): unknown {
  let cur: object | null = o;
  for (let i = 0; i < MAX_CHAIN && cur !== null; i++) {
    if (isProxy(cur)) return undefined;
    const d = Object.getOwnPropertyDescriptor(cur, key);
    if (d !== undefined) return "value" in d ? d.value : undefined;
    cur = Object.getPrototypeOf(cur);
  }
  return undefined;
}

/**
 * The name of a function as `fn.name` would give it, without running a
 * getter; `fallback` when it has none (or a hostile one).
 */
export function functionName(fn: unknown, fallback: string): string {
  if (typeof fn !== "function" || isProxy(fn)) return fallback;
  const d = Object.getOwnPropertyDescriptor(fn, "name");
  return d !== undefined && typeof d.value === "string" && d.value !== ""
    ? oneLine(d.value)
    : fallback;
}

/** A primitive as `String()` shows it (runs no user code: not even for a Symbol). */
function primitive(v: unknown): string {
  return typeof v === "string" ? v : String(v);
}

/**
 * Describes any value (what a handler threw or returned) in one line for
 * the kernel log: `TypeError: x is not a function`, `"abc"`, `Symbol(s)`,
 * `[object Object]`, `[object null prototype]`, `[Proxy]`. Never evaluates
 * user-controlled code, never throws.
 *
 * @param v The value.
 * @param quoteStrings Quote a string value (for returned values).
 * @param firstLine Keep only the first line (of a multi-line message, say).
 * @returns The description.
 */
export function describeValue(v: unknown, quoteStrings = false, firstLine = false): string {
  try {
    if (v === null || (typeof v !== "object" && typeof v !== "function")) {
      if (typeof v === "string" && quoteStrings) return `"${oneLine(v)}"`;
      return oneLine(primitive(v), firstLine);
    }
    if (isProxy(v)) return "[Proxy]";
    if (typeof v === "function") return `[function ${functionName(v, "(anonymous)")}]`;
    const name = dataProperty(v, "name");
    const message = dataProperty(v, "message");
    const ctor = dataProperty(v, "constructor");
    const ctorName = typeof ctor === "function" ? functionName(ctor, "") : "";
    const hasName = typeof name === "string" && name !== "";
    const hasMessage = message !== undefined && message !== null &&
      typeof message !== "object" && typeof message !== "function";
    if (hasName || hasMessage) {
      const head = hasName ? name : ctorName || "Error";
      return oneLine(hasMessage ? `${head}: ${primitive(message)}` : head, firstLine);
    }
    if (Object.getPrototypeOf(v) === null) return "[object null prototype]";
    return `[object ${oneLine(ctorName || "Object")}]`;
  } catch {
    return "[unprintable value]";
  }
}

/**
 * An error's `message` (first line) when it is a plain string data
 * property, else {@linkcode describeValue} of the whole value.
 *
 * @param e The thrown value.
 * @returns One line.
 */
export function describeMessage(e: unknown): string {
  try {
    if (typeof e === "object" && e !== null && !isProxy(e)) {
      const m = dataProperty(e, "message");
      if (typeof m === "string" && m !== "") return oneLine(m, true);
    }
  } catch {
    // fall through to the generic description
  }
  return describeValue(e, false, true);
}
