// Copyright 2026 the kprobes-sim authors. MIT license.
// Hostile and careless module parameters (issue 8): each bad value refuses
// the insmod as Linux's parse_args() does (its log line, its errno, a
// ModuleError, nothing loaded, nothing set), unknown names are only
// warnings, and bad `name=value` command lines get exit 1 or 2.

import assert from "node:assert/strict";
import {
  type ArchName,
  Kernel,
  module_params,
  ModuleError,
  type ModuleObject,
  param,
} from "../../mod.ts";
import { main } from "../../cli.ts";
import { catalogue, type HostileCase } from "./_case.ts";

/** A fresh module object with one parameter of each kind; init records the values it saw. */
function paramModule() {
  const params = module_params({
    n: param.int(7, "an int"),
    u: param.uint(1),
    b: param.byte(0),
    big: param.long(0n),
    on: param.bool(false),
    off: param.invbool(false),
    s: param.charp("do_fork"),
    xs: param.array("int", [1], "ints", 3),
    max_hits: param.int(0),
  });
  const seen: { values?: Record<string, unknown> } = {};
  const module: ModuleObject = {
    name: "pm",
    params,
    init_module: () => {
      seen.values = { ...params };
      return 0;
    },
  };
  return { params, seen, module };
}

/** insmod with `given` is refused: ModuleError matching `message`, `log` in the log, nothing set. */
function refused(
  name: string,
  given: unknown,
  message: RegExp,
  log: string | null,
  arch: ArchName = "x86_64",
): HostileCase {
  return {
    name,
    async run() {
      await using kernel = await Kernel.boot({ arch });
      const { params, seen, module } = paramModule();
      const before = { ...params };
      await assert.rejects(
        () => kernel.insmod(module, { params: given as never }),
        (e: unknown) => {
          assert.ok(e instanceof ModuleError, `a ModuleError, not ${e}`);
          assert.match(e.message, message);
          return true;
        },
      );
      assert.equal(seen.values, undefined, "init_module did not run");
      assert.deepEqual({ ...params }, before, "no parameter was set");
      assert.deepEqual(kernel.lsmod(), []);
      if (log !== null) assert.equal(kernel.logLines.at(-1)?.replace(/^\[[^\]]*\] /, ""), log);
    },
  };
}

/** insmod with `given` loads; init_module sees `expect` (a subset) and the log ends with `warnings`. */
function accepted(
  name: string,
  given: Record<string, unknown>,
  expect: Record<string, unknown>,
  warnings: string[] = [],
  arch: ArchName = "x86_64",
): HostileCase {
  return {
    name,
    async run() {
      await using kernel = await Kernel.boot({ arch });
      const { seen, module } = paramModule();
      const lines = kernel.logLines.length;
      await kernel.insmod(module, { params: given as never });
      for (const [k, v] of Object.entries(expect)) assert.deepEqual(seen.values?.[k], v, k);
      assert.deepEqual(
        kernel.logLines.slice(lines).map((l) => l.replace(/^\[[^\]]*\] /, "")),
        warnings,
      );
    },
  };
}

catalogue("module", [
  refused(
    "param: int 'abc'",
    { n: "abc" },
    /^Cannot insert module "pm": "abc" is not valid for parameter "n", pass a value of type int \(-EINVAL\)$/,
    "pm: `abc' invalid for parameter `n'",
  ),
  refused(
    "param: int with trailing junk",
    { n: "12abc" },
    /"12abc" is not valid.*\(-EINVAL\)/,
    null,
  ),
  refused("param: empty int", { n: "" }, /"" is not valid for parameter "n".*\(-EINVAL\)/, null),
  refused(
    "param: int 2^31",
    { n: "2147483648" },
    /"2147483648" is out of range for parameter "n".*\(-ERANGE\)/,
    "pm: `2147483648' invalid for parameter `n'",
  ),
  refused("param: uint -1", { u: "-1" }, /"-1" is not valid for parameter "u".*\(-EINVAL\)/, null),
  refused("param: byte 256", { b: 256 }, /"256" is out of range.*\(-ERANGE\)/, null),
  refused("param: int 1.5 (a number)", { n: 1.5 }, /"1\.5" is not valid.*\(-EINVAL\)/, null),
  refused("param: octal 08", { n: "08" }, /"08" is not valid.*\(-EINVAL\)/, null),
  refused(
    "param: long 2^31 on i386 (32-bit long)",
    { big: "0x80000000" },
    /out of range for parameter "big".*\(-ERANGE\)/,
    null,
    "i386",
  ),
  refused(
    "param: bool 'maybe'",
    { on: "maybe" },
    /"maybe" is not valid for parameter "on", pass a value of type bool \(-EINVAL\)/,
    "pm: `maybe' invalid for parameter `on'",
  ),
  refused(
    "param: charp of 1025 bytes",
    { s: "x".repeat(1025) },
    /out of range for parameter "s".*\(-ENOSPC\)/,
    `pm: \`${"x".repeat(64)}…' too large for parameter \`s'`,
  ),
  refused(
    "param: array with too many elements",
    { xs: "1,2,3,4" },
    /parameter "xs" takes at most 3 values.*\(-EINVAL\)/,
    "pm: `1,2,3,4' invalid for parameter `xs'",
  ),
  refused("param: array with an empty element", { xs: "1,,2" }, /"" is not valid/, null),
  refused("param: an object value", { s: { toString: () => "x" } }, /has no usable value/, null),
  refused("param: a symbol value", { s: Symbol("x") }, /has no usable value/, null),
  refused(
    "param: a control character in a refused value is not printed raw",
    { n: "1\n2\x1b[31m" },
    /"1\?2\?\[31m" is not valid/,
    "pm: `1?2?[31m' invalid for parameter `n'",
  ),
  refused("param: params is null", null, /its params null are not an object/, null),
  refused("param: params is an array", ["n=1"], /are not an object of names to values/, null),
  refused(
    "param: params is a Proxy",
    new Proxy({}, {
      ownKeys: () => {
        throw new Error("trap");
      },
    }),
    /are not an object of names to values/,
    null,
  ),
  refused(
    "param: a getter in params",
    Object.defineProperty({}, "n", { get: () => 1, enumerable: true }),
    /its param "n" is an accessor, pass plain values/,
    null,
  ),
  refused(
    "param: the first refused value stops, the earlier good ones are not set",
    { u: "5", n: "x" },
    /parameter "n"/,
    null,
  ),
  accepted("param: no params keeps the defaults", {}, { n: 7, s: "do_fork", xs: [1], on: false }),
  accepted(
    "param: every type parsed as Linux does",
    {
      n: "-0x10",
      u: "4294967295",
      b: "0377",
      big: "-9223372036854775808",
      on: "Y",
      off: "y",
      s: "do_exit",
      xs: "1,-2,0x3",
    },
    {
      n: -16,
      u: 4294967295,
      b: 255,
      big: -9223372036854775808n,
      on: true,
      off: false,
      s: "do_exit",
      xs: [1, -2, 3],
    },
  ),
  accepted("param: bool takes the first letter (kstrtobool)", { on: "yes-please" }, { on: true }),
  accepted("param: bool 'on'/'off'", { on: "on", off: "off" }, { on: true, off: true }),
  accepted(
    "param: typed values are checked as their text",
    { n: 3, big: 5n, on: true, xs: [4, 5] },
    {
      n: 3,
      big: 5n,
      on: true,
      xs: [4, 5],
    },
  ),
  accepted(
    "param: '-' and '_' are the same in names",
    { "max-hits": "9" },
    { max_hits: 9 },
  ),
  accepted(
    "param: unknown names are warned about and ignored",
    { foo: "1", n: "2", "\x1b[2J": "x" },
    { n: 2 },
    ["pm: unknown parameter 'foo' ignored", "pm: unknown parameter '?[2J' ignored"],
  ),
  accepted("param: a trailing newline is allowed (kstrtoint)", { n: "42\n" }, { n: 42 }),
  {
    name: "param: a module without parameters warns about each given",
    async run() {
      await using kernel = await Kernel.boot();
      await kernel.insmod({ name: "plain", init_module: () => 0 }, { params: { a: "1", b: "2" } });
      assert.deepEqual(kernel.logLines.slice(-2).map((l) => l.replace(/^\[[^\]]*\] /, "")), [
        "plain: unknown parameter 'a' ignored",
        "plain: unknown parameter 'b' ignored",
      ]);
    },
  },
  {
    name: "param: two exports declaring the same name refuse the module",
    async run() {
      await using kernel = await Kernel.boot();
      const a = module_params({ n: param.int() });
      const b = module_params({ n: param.charp() });
      await assert.rejects(
        () => kernel.insmod({ name: "twice", init_module: () => 0, params: a, more: b } as never),
        /Cannot insert module "twice": its parameters cannot be read: parameter "n" is declared twice/,
      );
    },
  },
  {
    name: "param: module_params refuses a name that is not a C identifier or a bare spec",
    run() {
      assert.throws(() => module_params({ "a b": param.int() }), /"a b": it is not a C identifier/);
      assert.throws(
        () => module_params({ n: 3 as never }),
        /Cannot declare parameter "n": declare it with param\.<type>\(\)/,
      );
    },
  },
]);

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (l) => out.push(l), stderr: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("") };
}

const fixture = (name: string) => new URL(`../testdata/cli/${name}`, import.meta.url).pathname;

catalogue("cli", [
  {
    name: "param: name=value before any module",
    async run() {
      const r = await cli("insmod", "n=3", fixture("params.ts"));
      assert.equal(r.code, 2);
      assert.match(r.err, /^error: Cannot set parameter "n=3": no module file comes before it/);
      assert.equal(r.out, "");
    },
  },
  {
    name: "param: an int parameter with an empty value",
    async run() {
      const r = await cli("insmod", "--quiet", fixture("params.ts"), "count=");
      assert.equal(r.code, 1);
      assert.match(r.out, /\] params: `' invalid for parameter `count'$/m);
      assert.match(r.err, /"" is not valid for parameter "count", pass a value of type int/);
    },
  },
  {
    name: "param: a refused value in --json mode still ends with a summary",
    async run() {
      const r = await cli("insmod", "--json", "--quiet", fixture("params.ts"), "cpus=1,2,3,4,5");
      assert.equal(r.code, 1);
      const records = r.out.split("\n").map((l) => JSON.parse(l));
      assert.ok(records.some((x) => x.type === "log" && x.level === 3 && /invalid/.test(x.text)));
      const summary = records.at(-1);
      assert.equal(summary.type, "summary");
      assert.equal(summary.status, 1);
      assert.match(summary.errors[0], /takes at most 4 values/);
    },
  },
  {
    name: "param: modinfo of a missing file",
    async run() {
      const r = await cli("modinfo", "/nonexistent/m.ts");
      assert.equal(r.code, 1);
      assert.match(r.err, /^error: Cannot insert module "\/nonexistent\/m\.ts": file not found/);
    },
  },
  {
    name: "param: modinfo of a file that is not a module",
    async run() {
      const r = await cli("modinfo", fixture("../modules/no_init.ts"));
      assert.equal(r.code, 1);
      assert.match(r.err, /it does not export init_module/);
    },
  },
]);
