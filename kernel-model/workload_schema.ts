// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The workload schema: checks a workload ({@linkcode validateWorkload}) or
 * its JSON ({@linkcode parseWorkload}) against the {@linkcode Syscall} shapes,
 * the user-buffer sizes and workload.ts's limits before it runs. A bad entry
 * is a {@linkcode WorkloadError} naming it by path (`init[2].child[0]`),
 * never a host exception in the middle of a run. `repeat` is expanded
 * lazily by the driver, and one workload makes at most
 * {@linkcode MAX_WORKLOAD_CALLS} system calls.
 *
 * @module
 */

import { WorkloadError } from "./errors.ts";
import { MAX_PATH_BYTES, MAX_READ_COUNT, MAX_WRITE_BYTES } from "./syscall_args.ts";
import { ScriptCursor } from "./_script_cursor.ts";
import {
  MAX_SLEEP_MS,
  MAX_WORKLOAD_CALLS,
  MAX_WORKLOAD_DEPTH,
  MAX_WORKLOAD_SLEEP_MS,
  type Syscall,
  type Workload,
  WORKLOAD_CALLS,
} from "./workload.ts";

/** Each call's fields, `call` excluded; the schema's field lists. */
const FIELDS: Record<Syscall["call"], readonly string[]> = {
  fork: ["child"],
  clone: ["flags", "settid", "child"],
  open: ["path", "flags", "mode"],
  close: ["fd"],
  read: ["fd", "count"],
  write: ["fd", "text"],
  execve: ["path"],
  exit: ["code"],
  wait4: ["pid"],
  nanosleep: ["ms"],
  getpid: [],
  setuid: ["uid"],
  sched_setaffinity: ["cpus"],
  syscall: ["nr", "args"],
  repeat: ["times", "body"],
};

/** A problem at one entry, turned into a WorkloadError by the caller. */
class SchemaProblem {
  constructor(readonly path: string, readonly problem: string) {}
}

/** A short, safe rendering of a value for messages (never runs user code). */
function show(v: unknown): string {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
    case "number":
    case "boolean":
      return String(v);
    case "bigint":
      return `${v}n`;
    case "undefined":
      return "nothing";
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
    default:
      return v === null ? "null" : Array.isArray(v) ? "an array" : "an object";
  }
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Validates one script level and returns a clean copy plus its call count. */
class SchemaWalker {
  /** Milliseconds of nanosleep in each validated script (repeats and children included). */
  readonly #sleep = new WeakMap<readonly Syscall[], number>();

  #sleepOf(call: Syscall): number {
    switch (call.call) {
      case "nanosleep":
        return call.ms;
      case "repeat":
        return call.times * (this.#sleep.get(call.body) ?? 0);
      case "fork":
      case "clone":
        return call.child === undefined ? 0 : this.#sleep.get(call.child) ?? 0;
      default:
        return 0;
    }
  }

  script(value: unknown, path: string, depth: number): { script: Syscall[]; calls: number } {
    if (!Array.isArray(value)) {
      throw new SchemaProblem(path, `expected an array of system calls, not ${show(value)}`);
    }
    if (depth > MAX_WORKLOAD_DEPTH) {
      throw new SchemaProblem(
        path,
        `nested more than ${MAX_WORKLOAD_DEPTH} levels deep (MAX_WORKLOAD_DEPTH), flatten the workload`,
      );
    }
    const out: Syscall[] = [];
    let calls = 0;
    let sleep = 0;
    const n = value.length;
    for (let i = 0; i < n; i++) {
      const at = `${path}[${i}]`;
      const [call, count] = this.entry(value[i], at, depth);
      calls += count;
      if (calls > MAX_WORKLOAD_CALLS) {
        throw new SchemaProblem(
          at,
          `the workload makes more than ${MAX_WORKLOAD_CALLS} system calls (MAX_WORKLOAD_CALLS), make "repeat" smaller`,
        );
      }
      if (call === null) continue;
      sleep += this.#sleepOf(call);
      if (sleep > MAX_WORKLOAD_SLEEP_MS) {
        throw new SchemaProblem(
          at,
          `the workload sleeps more than ${MAX_WORKLOAD_SLEEP_MS} ms in all (MAX_WORKLOAD_SLEEP_MS), sleep less`,
        );
      }
      out.push(call);
    }
    this.#sleep.set(out, sleep);
    return { script: out, calls };
  }

  entry(s: unknown, at: string, depth: number): [Syscall | null, number] {
    if (s === null || typeof s !== "object" || Array.isArray(s)) {
      throw new SchemaProblem(at, `expected an object with a "call" field, not ${show(s)}`);
    }
    const o = s as Record<string, unknown>;
    const name = o.call;
    if (typeof name !== "string" || !(WORKLOAD_CALLS as readonly string[]).includes(name)) {
      throw new SchemaProblem(
        at,
        typeof name === "string"
          ? `unknown call ${show(name)}, use ${WORKLOAD_CALLS.slice(0, -1).join(", ")} or repeat`
          : `expected an object with a "call" field naming the system call, not ${show(name)}`,
      );
    }
    const call = name as Syscall["call"];
    const allowed = FIELDS[call];
    for (const key of Object.keys(o)) {
      if (key !== "call" && !allowed.includes(key)) {
        throw new SchemaProblem(
          at,
          `"${call}" has no field ${show(key)}${
            allowed.length === 0
              ? ""
              : `; its fields are ${allowed.map((f) => `"${f}"`).join(", ")}`
          }`,
        );
      }
    }
    const int = (
      field: string,
      min: number,
      max: number,
      optional: boolean,
    ): number | undefined => {
      const v = o[field];
      if (v === undefined && optional) return undefined;
      if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
        throw new SchemaProblem(
          at,
          `"${call}" needs ${optional ? "" : "a "}${
            show(field)
          } that is an integer from ${min} to ${max}, not ${show(v)}`,
        );
      }
      return v;
    };
    const fd = (field: string): number | "last" => {
      const v = o[field];
      if (v === "last") return v;
      if (typeof v !== "number" || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
        throw new SchemaProblem(
          at,
          `"${call}" needs a ${show(field)} that is a file descriptor (an integer) or "last", not ${
            show(v)
          }`,
        );
      }
      return v;
    };
    const str = (field: string, max: number): string => {
      const v = o[field];
      if (typeof v !== "string") {
        throw new SchemaProblem(at, `"${call}" needs a string "${field}"`);
      }
      const len = utf8Length(v);
      if (len > max) {
        throw new SchemaProblem(
          at,
          `"${call}" "${field}" is ${len} bytes long, more than the ${max} a task's user buffer holds`,
        );
      }
      return v;
    };
    const children = (field: string): [Syscall[], number] => {
      if (o[field] === undefined) return [[], 1];
      const r = this.script(o[field], `${at}.${field}`, depth + 1);
      return [r.script, r.calls + 1]; // the child's implicit exit
    };
    const I32 = 0x7fffffff;
    switch (call) {
      case "repeat": {
        const times = int("times", 0, Number.MAX_SAFE_INTEGER, false)!;
        const body = this.script(o.body, `${at}.body`, depth + 1);
        const total = times * body.calls;
        if (total > MAX_WORKLOAD_CALLS) {
          throw new SchemaProblem(
            at,
            `"repeat" makes ${total} system calls, more than ${MAX_WORKLOAD_CALLS} (MAX_WORKLOAD_CALLS), make "times" smaller`,
          );
        }
        // A repeat that makes no call is dropped: the driver never spins on it.
        if (total === 0) return [null, 0];
        return [{ call, times, body: body.script }, total];
      }
      case "fork": {
        const [child, n] = children("child");
        return [{ call, child }, 1 + n];
      }
      case "clone": {
        const flags = int("flags", -0x80000000, 0xffffffff, false)!;
        const settid = o.settid;
        if (settid !== undefined && typeof settid !== "boolean") {
          throw new SchemaProblem(
            at,
            `"clone" needs "settid" as true or false, not ${show(settid)}`,
          );
        }
        const [child, n] = children("child");
        return [{ call, flags, settid: settid === true, child }, 1 + n];
      }
      case "open": {
        const p = o.path;
        let path: string | number | bigint;
        if (typeof p === "bigint") path = p;
        else if (typeof p === "number" && Number.isSafeInteger(p)) path = p;
        else path = str("path", MAX_PATH_BYTES);
        const flags = int("flags", -0x80000000, 0xffffffff, true);
        const mode = int("mode", 0, 0o7777, true);
        return [{ call, path, flags, mode }, 1];
      }
      case "close":
        return [{ call, fd: fd("fd") }, 1];
      case "read":
        return [{ call, fd: fd("fd"), count: int("count", 0, MAX_READ_COUNT, false)! }, 1];
      case "write": {
        const d = fd("fd");
        if (d === "last") {
          throw new SchemaProblem(at, `"write" needs an integer "fd", not "last"`);
        }
        return [{ call, fd: d, text: str("text", MAX_WRITE_BYTES) }, 1];
      }
      case "execve":
        return [{ call, path: str("path", MAX_PATH_BYTES) }, 1];
      case "exit":
        return [{ call, code: int("code", -0x80000000, I32, true) }, 1];
      case "wait4":
        return [{ call, pid: int("pid", -0x80000000, I32, true) }, 1];
      case "nanosleep":
        return [{ call, ms: int("ms", 0, MAX_SLEEP_MS, false)! }, 1];
      case "getpid":
        return [{ call }, 1];
      case "setuid":
        return [{ call, uid: int("uid", 0, 0xffffffff, false)! }, 1];
      case "sched_setaffinity": {
        const v = o.cpus;
        if (!Array.isArray(v) || v.length > 64) {
          throw new SchemaProblem(at, `"sched_setaffinity" needs "cpus", an array of CPU numbers`);
        }
        const cpus: number[] = [];
        for (let i = 0; i < v.length; i++) {
          const c = v[i];
          if (typeof c !== "number" || !Number.isInteger(c) || c < 0 || c > 63) {
            throw new SchemaProblem(
              `${at}.cpus[${i}]`,
              `a CPU number must be an integer from 0 to 63, not ${show(c)}`,
            );
          }
          cpus.push(c);
        }
        return [{ call, cpus }, 1];
      }
      case "syscall": {
        const nr = int("nr", 0, 0xffff, false)!;
        const a = o.args;
        if (a === undefined) return [{ call, nr, args: [] }, 1];
        if (!Array.isArray(a) || a.length > 6) {
          throw new SchemaProblem(at, `"syscall" needs "args", an array of at most 6 integers`);
        }
        const args: (number | bigint)[] = [];
        for (let i = 0; i < a.length; i++) {
          const x = a[i];
          if (typeof x === "bigint" || (typeof x === "number" && Number.isSafeInteger(x))) {
            args.push(x);
          } else {
            throw new SchemaProblem(
              `${at}.args[${i}]`,
              `a system call argument must be an integer, not ${show(x)}`,
            );
          }
        }
        return [{ call, nr, args }, 1];
      }
    }
  }
}

/**
 * Checks a workload against the schema (the {@linkcode Syscall} shapes, the
 * user-buffer sizes, {@linkcode MAX_WORKLOAD_CALLS},
 * {@linkcode MAX_WORKLOAD_DEPTH}, {@linkcode MAX_SLEEP_MS} and
 * {@linkcode MAX_WORKLOAD_SLEEP_MS}) and returns a clean copy holding only the
 * known fields. Reading a field never lets a throwing getter or a revoked
 * Proxy escape: every problem is a {@linkcode WorkloadError} naming the
 * failing entry.
 *
 * @param value The workload, as parsed from JSON or built in code.
 * @param origin Where it came from, for messages (a file name).
 * @returns The validated copy.
 * @throws {WorkloadError} When the workload does not match the schema.
 *
 * @example A bad entry is named by its path
 * ```ts
 * import { validateWorkload } from "./workload_schema.ts";
 * import { WorkloadError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.throws(
 *   () => validateWorkload({ init: [{ call: "fork", child: [{ call: "open", path: {} }] }] }, "w.json"),
 *   (e) => e instanceof WorkloadError && e.path === "init[0].child[0]" &&
 *     e.message === 'Cannot load workload "w.json": init[0].child[0]: "open" needs a string "path"',
 * );
 * ```
 */
export function validateWorkload(value: unknown, origin: string): Workload {
  const walker = new SchemaWalker();
  try {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new SchemaProblem(
        "",
        `expected an object with an "init" array of system calls, not ${show(value)}`,
      );
    }
    const o = value as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (key !== "init" && key !== "name") {
        throw new SchemaProblem("", `a workload has no field ${show(key)}; use "init" and "name"`);
      }
    }
    const name = o.name;
    if (name !== undefined && typeof name !== "string") {
      throw new SchemaProblem("name", `expected a string, not ${show(name)}`);
    }
    if (o.init === undefined) {
      throw new SchemaProblem("", `it has no "init" array of system calls for init (pid 1)`);
    }
    const { script } = walker.script(o.init, "init", 0);
    return name === undefined ? { init: script } : { name, init: script };
  } catch (e) {
    if (e instanceof SchemaProblem) throw new WorkloadError(origin, e.problem, e.path);
    if (e instanceof WorkloadError) throw e;
    throw new WorkloadError(origin, `it cannot be read: ${safeMessage(e)}`, "", { cause: e });
  }
}

/**
 * A workload's name for messages: its `name` when that is a string, else
 * `"workload"` (reading it never throws).
 *
 * @param workload The workload.
 * @returns The name.
 *
 * @example
 * ```ts
 * import { workloadOrigin } from "./workload_schema.ts";
 * import assert from "node:assert/strict";
 * assert.equal(workloadOrigin({ name: "boot", init: [] }), "boot");
 * assert.equal(workloadOrigin(null), "workload");
 * ```
 */
export function workloadOrigin(workload: unknown): string {
  try {
    const name = (workload as { name?: unknown } | null)?.name;
    return typeof name === "string" ? name : "workload";
  } catch {
    return "workload";
  }
}

/** An exception's message without running user code that may throw again. */
function safeMessage(e: unknown): string {
  try {
    if (e instanceof Error) return `${e.name}: ${e.message}`;
    return show(e);
  } catch {
    return "an exception that cannot be printed";
  }
}

/**
 * Most bytes of workload JSON {@linkcode parseWorkload} and `loadWorkload`
 * accept (1 MiB): far more than any script within
 * {@linkcode MAX_WORKLOAD_CALLS} needs.
 */
export const MAX_WORKLOAD_BYTES = 1024 * 1024;

/**
 * Parses workload JSON and validates it ({@linkcode validateWorkload}).
 *
 * @param text The JSON text.
 * @param origin Where it came from (a file name), for messages.
 * @returns The workload.
 * @throws {WorkloadError} On text that is too long, not JSON, or not a workload.
 *
 * @example Parse a workload
 * ```ts
 * import { parseWorkload } from "./workload_schema.ts";
 * import assert from "node:assert/strict";
 * const w = parseWorkload('{"init": [{"call": "getpid"}]}', "w.json");
 * assert.deepEqual(w.init, [{ call: "getpid" }]);
 * ```
 *
 * @example A field of the wrong type
 * ```ts
 * import { parseWorkload, WorkloadError } from "../mod.ts";
 * import assert from "node:assert/strict";
 * assert.throws(
 *   () => parseWorkload('{"init": [{"call": "nanosleep", "ms": "abc"}]}', "w.json"),
 *   WorkloadError,
 * );
 * ```
 */
export function parseWorkload(text: string, origin: string): Workload {
  if (typeof text !== "string") {
    throw new WorkloadError(origin, `expected JSON text, not ${show(text)}`);
  }
  if (text.length > MAX_WORKLOAD_BYTES) {
    throw new WorkloadError(
      origin,
      `it is longer than ${MAX_WORKLOAD_BYTES} bytes (MAX_WORKLOAD_BYTES), make it smaller`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new WorkloadError(
      origin,
      `it is not valid JSON (${e instanceof Error ? e.message : String(e)})`,
      "",
      { cause: e },
    );
  }
  return validateWorkload(value, origin);
}

/**
 * Checks a workload's shape and expands `repeat`.
 *
 * @deprecated Use {@linkcode validateWorkload} or {@linkcode parseWorkload}:
 * the driver expands `repeat` lazily and these throw {@linkcode WorkloadError}.
 *
 * @param script The script.
 * @param where Where it came from, for messages.
 * @returns The flat script.
 * @throws {TypeError} On an unknown call or a missing argument.
 *
 * @example Expand a repeat
 * ```ts
 * import { expandScript } from "./workload_schema.ts";
 * import assert from "node:assert/strict";
 * const flat = expandScript([{ call: "repeat", times: 2, body: [{ call: "getpid" }] }], "test");
 * assert.equal(flat.length, 2);
 * ```
 */
export function expandScript(script: readonly Syscall[], where: string): Syscall[] {
  let checked: Syscall[];
  try {
    checked = new SchemaWalker().script(script, where, 0).script;
  } catch (e) {
    if (e instanceof SchemaProblem) {
      throw new TypeError(`Cannot read workload entry ${e.path}: ${e.problem}`);
    }
    throw new TypeError(`Cannot read workload ${where}: ${safeMessage(e)}`);
  }
  const out: Syscall[] = [];
  const cursor = new ScriptCursor(checked);
  for (let s = cursor.next(); s !== null; s = cursor.next()) out.push(s);
  return out;
}
