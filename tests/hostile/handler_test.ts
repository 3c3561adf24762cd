// Copyright 2026 the kprobes-sim authors. MIT license.
// Hostile handlers: whatever a handler throws or returns is reported in the
// kernel log without running user code, and the run goes on to completion.

import assert from "node:assert/strict";
import {
  type Jprobe,
  jprobe_return,
  Kernel,
  type Kprobe,
  type Kretprobe,
  register_jprobe,
  register_kprobe,
  register_kretprobe,
} from "../../mod.ts";
import { catalogue, type HostileCase } from "./_case.ts";

/** Fresh kernel; module `m` registers `kp` on do_fork; the default workload runs. */
async function runWithPreHandler(pre: () => unknown): Promise<Kernel> {
  const kernel = await Kernel.boot();
  const kp: Kprobe = { symbol_name: "do_fork", pre_handler: pre as Kprobe["pre_handler"] };
  await kernel.insmod({ name: "m", init_module: () => register_kprobe(kp) });
  const r = kernel.run();
  assert.ok(r.completed, "the workload still completes");
  assert.equal(
    r.syscalls.filter((s) => s.call === "fork" && s.ret > 0).length,
    3,
    "every fork still succeeds",
  );
  return kernel;
}

/** A handler throwing `value()` is reported as `threw <shown>` three times (one per fork). */
function throwing(name: string, value: () => unknown, shown: string): HostileCase {
  return {
    name,
    async run() {
      await using kernel = await runWithPreHandler(() => {
        throw value();
      });
      const line = `kprobes: pre_handler of m threw ${shown}`;
      assert.equal(kernel.logLines.filter((l) => l.endsWith(line)).length, 3, kernel.log);
      assert.equal(kernel.incidents.handlerErrors, 3);
      kernel.rmmod("m");
      assert.equal(kernel.kprobesList(), "");
    },
  };
}

/** A pre_handler returning `value` gets a BUG line and the single-step still runs. */
function returning(name: string, value: unknown, shown: string): HostileCase {
  return {
    name,
    async run() {
      await using kernel = await runWithPreHandler(function handler_pre() {
        return value;
      });
      const line =
        `BUG: kprobes: pre_handler handler_pre of m returned ${shown}, not an int: treated as 0`;
      assert.equal(kernel.logLines.filter((l) => l.endsWith(line)).length, 3, kernel.log);
    },
  };
}

class EvilName extends Error {
  override get name(): string {
    throw new Error("name getter ran");
  }
}

catalogue("handler", [
  throwing("throws Object.create(null)", () => Object.create(null), "[object null prototype]"),
  throwing("throws a revoked Proxy", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  }, "[Proxy]"),
  throwing(
    "throws a Proxy whose every trap throws",
    () =>
      new Proxy({}, {
        get() {
          throw new Error("get trap ran");
        },
        getPrototypeOf() {
          throw new Error("getPrototypeOf trap ran");
        },
      }),
    "[Proxy]",
  ),
  throwing("throws an object whose toString throws", () => ({
    toString() {
      throw new Error("toString ran");
    },
  }), "[object Object]"),
  throwing("throws an Error whose message getter throws", () => {
    const e = new RangeError("hidden");
    Object.defineProperty(e, "message", {
      get() {
        throw new Error("message getter ran");
      },
    });
    return e;
  }, "RangeError"),
  throwing(
    "throws an Error subclass whose name getter throws",
    () => new EvilName("bad name"),
    "EvilName: bad name",
  ),
  throwing("throws a Symbol", () => Symbol("sym"), "Symbol(sym)"),
  throwing("throws undefined", () => undefined, "undefined"),
  throwing(
    "throws a 10 MB string with newlines: one line of 200 characters",
    () => "a\nb".repeat(3_500_000),
    `${"a b".repeat(66)}a …`,
  ),
  throwing("throws a TypeError", () => new TypeError("plain"), "TypeError: plain"),
  returning('pre_handler returns "abc"', "abc", '"abc"'),
  returning("pre_handler returns {}", {}, "[object Object]"),
  returning("pre_handler returns null", null, "null"),
  returning("pre_handler returns 1n", 1n, "1"),
  {
    name: "kretprobe handler and entry_handler return junk",
    async run() {
      await using kernel = await Kernel.boot();
      let returns = 0;
      const rp: Kretprobe = {
        kp: { symbol_name: "do_fork" },
        entry_handler: () => "skip" as never,
        handler: () => {
          returns++;
          return Symbol("r") as never;
        },
        maxactive: 4,
      };
      await kernel.insmod({ name: "m", init_module: () => register_kretprobe(rp) });
      kernel.run();
      assert.equal(returns, 3, "a junk entry_handler result is 0: the instance is used");
      assert.match(
        kernel.log,
        /BUG: kprobes: entry_handler entry_handler of m returned "skip", not an int: treated as 0/,
      );
      assert.match(kernel.log, /BUG: kprobes: kretprobe handler handler of m returned Symbol\(r\)/);
    },
  },
  {
    name: "jprobe entry throws a revoked Proxy",
    async run() {
      await using kernel = await Kernel.boot();
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      const jp: Jprobe = {
        kp: { symbol_name: "do_fork" },
        entry: function jdo_fork() {
          throw proxy;
        },
      };
      await kernel.insmod({ name: "m", init_module: () => register_jprobe(jp) });
      assert.ok(kernel.run().completed);
      assert.equal(
        kernel.logLines.filter((l) =>
          l.endsWith("kprobes: jprobe handler jdo_fork of m threw [Proxy]")
        )
          .length,
        3,
      );
    },
  },
  {
    name: "jprobe entry with a throwing length and name getter",
    async run() {
      await using kernel = await Kernel.boot();
      let calls = 0;
      const entry = () => {
        calls++;
        jprobe_return();
      };
      for (const key of ["length", "name"]) {
        Object.defineProperty(entry, key, {
          get() {
            throw new Error(`${key} getter ran`);
          },
        });
      }
      const jp: Jprobe = { kp: { symbol_name: "do_fork" }, entry };
      await kernel.insmod({ name: "m", init_module: () => register_jprobe(jp) });
      assert.ok(kernel.run().completed);
      assert.equal(calls, 3);
      assert.equal(kernel.incidents.handlerErrors, 0);
    },
  },
  {
    name: "pre_handler calls jprobe_return()",
    async run() {
      await using kernel = await runWithPreHandler(() => jprobe_return());
      assert.equal(
        kernel.logLines.filter((l) =>
          l.endsWith("kprobes: pre_handler of m jprobe_return() outside a jprobe handler")
        ).length,
        3,
      );
    },
  },
  {
    name: "pre_handler replaced by a string after registration",
    async run() {
      await using kernel = await Kernel.boot();
      const kp: Kprobe = { symbol_name: "do_fork", pre_handler: () => 0 };
      await kernel.insmod({ name: "m", init_module: () => register_kprobe(kp) });
      (kp as { pre_handler: unknown }).pre_handler = "abc";
      assert.ok(kernel.run().completed);
      assert.match(kernel.log, /kprobes: pre_handler of m threw TypeError: /);
    },
  },
]);
