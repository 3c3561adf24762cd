// Copyright 2026 the kprobes-sim authors. MIT license.
// Hostile modules: bad files, bad init_module results, async init, timers
// after init, throwing cleanups. Each is refused with a ModuleError naming
// the module or reported in the log, and every cleanup_module still runs.

import assert from "node:assert/strict";
import {
  jprobe_return,
  Kernel,
  type Kprobe,
  ModuleError,
  msleep,
  printk,
  register_kprobe,
  unregister_kprobe,
} from "../../mod.ts";
import { catalogue, type HostileCase } from "./_case.ts";
import { sleep } from "./_module.ts";

const modules = new URL("../testdata/modules/", import.meta.url);

/** insmod(`source`) rejects with a ModuleError matching `message`; nothing stays loaded. */
function refused(name: string, source: () => unknown, message: RegExp): HostileCase {
  return {
    name,
    async run() {
      await using kernel = await Kernel.boot();
      await assert.rejects(
        () => kernel.insmod(source() as never),
        (e: unknown) => {
          assert.ok(e instanceof ModuleError, `a ModuleError, not ${e}`);
          assert.match(e.message, message);
          return true;
        },
      );
      assert.deepEqual(kernel.lsmod(), []);
      assert.equal(kernel.kprobesList(), "", "probes registered before the failure are gone");
    },
  };
}

/** A module object whose init_module registers a do_fork probe, then does `then`. */
function registersThen(then: () => unknown): { name: string; init_module: () => never } {
  return {
    name: "m",
    init_module: () => {
      register_kprobe({ symbol_name: "do_fork" });
      return then() as never;
    },
  };
}

catalogue("module", [
  refused(
    "a module without init_module",
    () => new URL("no_init.ts", modules),
    /Cannot insert module ".*no_init\.ts": it does not export init_module$/,
  ),
  refused(
    "init_module is not a function",
    () => new URL("hostile_init_number.ts", modules),
    /Cannot insert module ".*hostile_init_number\.ts": its init_module is not a function/,
  ),
  refused(
    "init_module only in a default export",
    () => new URL("hostile_default.ts", modules),
    /a default export is not used: export init_module by name/,
  ),
  {
    name: "a syntax error",
    async run() {
      // Written at test time: a committed .ts with a syntax error would break `deno test --doc`.
      const path = await Deno.makeTempFile({ prefix: "hostile_syntax_", suffix: ".ts" });
      try {
        await Deno.writeTextFile(path, "export function init_module(: number {\n  return 0;\n}\n");
        await using kernel = await Kernel.boot();
        await assert.rejects(() => kernel.insmod(path), (e: unknown) => {
          assert.ok(e instanceof ModuleError);
          assert.match(
            e.message,
            /Cannot insert module ".*hostile_syntax_.*\.ts": it failed to load: SyntaxError: Unexpected token/,
          );
          return true;
        });
        assert.deepEqual(kernel.lsmod(), []);
      } finally {
        await Deno.remove(path);
      }
    },
  },
  refused(
    "throws Object.create(null) at import time",
    () => new URL("hostile_import_throw.ts", modules),
    /it failed to load: \[object null prototype\]$/,
  ),
  refused("insmod(null)", () => null, /Cannot insert module null: it is not a path, URL/),
  refused("insmod(42)", () => 42, /Cannot insert module 42: it is not a path, URL/),
  refused(
    "a module object whose init_module is a string",
    () => ({ name: "m", init_module: "0" }),
    /Cannot insert module "m": it does not export init_module/,
  ),
  refused(
    "init_module throws a revoked Proxy after registering",
    () =>
      registersThen(() => {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        throw proxy;
      }),
    /Cannot insert module "m": init_module threw \[Proxy\]$/,
  ),
  refused(
    'init_module returns "abc"',
    () => registersThen(() => "abc"),
    /init_module returned "abc", not an int: return 0 or a negative errno/,
  ),
  refused(
    "init_module returns NaN",
    () => registersThen(() => NaN),
    /init_module returned NaN, not an int/,
  ),
  refused(
    "async init_module rejects after registering",
    () =>
      registersThen(async () => {
        await sleep(1);
        register_kprobe({ symbol_name: "sys_open" });
        throw new Error("no device");
      }),
    /init_module's promise rejected with Error: no device$/,
  ),
  refused(
    "async init_module resolves -1",
    () => registersThen(() => Promise.resolve(-1)),
    /Cannot insert module "m": init_module returned -1 \(EPERM\)$/,
  ),
  refused(
    "async init_module resolves a string",
    () => registersThen(() => Promise.resolve("ok")),
    /init_module returned "ok", not an int/,
  ),
  refused(
    "init_module returns a thenable whose then getter throws",
    () =>
      registersThen(() => ({
        get then() {
          throw Symbol("then");
        },
      })),
    /init_module's promise rejected with Symbol\(then\)$/,
  ),
  refused(
    "init_module calls jprobe_return()",
    () => ({ name: "m", init_module: () => jprobe_return() }),
    /init_module called jprobe_return\(\) outside a jprobe handler/,
  ),
  {
    name: "init_module returns 1: loaded with Linux's warning",
    async run() {
      await using kernel = await Kernel.boot();
      await kernel.insmod({ name: "m", init_module: () => 1 });
      assert.deepEqual(kernel.lsmod().map((m) => m.name), ["m"]);
      assert.match(
        kernel.log,
        /do_init_module: 'm'->init suspiciously returned 1, it should follow 0\/-E convention\n.*do_init_module: loading module anyway\.\.\./,
      );
    },
  },
  {
    name: "async init_module registers after await: the probe is the module's",
    async run() {
      await using kernel = await Kernel.boot();
      const info = await kernel.insmod(new URL("hostile_async.ts", modules));
      assert.equal(info.probes, 1);
      assert.match(kernel.log, /hostile_async: registered after await: 0/);
      assert.match(kernel.kprobesList(), /do_fork\+0x0 +\[hostile_async\]/);
      kernel.run();
      await sleep(20);
      assert.match(
        kernel.log,
        /kprobes: register_kprobe\(\) from module hostile_async after its init_module finished: ignored \(-EINVAL\)/,
      );
      kernel.rmmod("hostile_async");
      assert.match(kernel.log, /hostile_async: 3 hits/);
      assert.equal(kernel.kprobesList(), "");
    },
  },
  {
    name: "a timer started by init_module calls register_kprobe() after init",
    async run() {
      await using kernel = await Kernel.boot();
      const got: number[] = [];
      await kernel.insmod({
        name: "m",
        init_module: () => {
          setTimeout(() => got.push(register_kprobe({ symbol_name: "do_fork" })), 1);
          return 0;
        },
      });
      await sleep(20);
      assert.deepEqual(got, [-22]);
      assert.equal(kernel.kprobesList(), "");
      assert.match(
        kernel.log,
        /kprobes: register_kprobe\(\) from module m after its init_module finished: ignored \(-EINVAL\)/,
      );
    },
  },
  {
    name: "a promise chain of init_module prints after init",
    async run() {
      await using kernel = await Kernel.boot();
      const got: number[] = [];
      await kernel.insmod({
        name: "m",
        init_module: () => {
          sleep(5).then(() => got.push(printk("late\n")));
          return 0;
        },
      });
      await sleep(20);
      assert.deepEqual(got, [-22]);
      assert.doesNotMatch(kernel.log, /^.*\] late$/m);
      assert.match(kernel.log, /kprobes: printk\(\) from module m after its init_module finished/);
    },
  },
  {
    name: "two insmods of one name while the first init is awaiting",
    async run() {
      await using kernel = await Kernel.boot();
      const first = kernel.insmod({ name: "m", init_module: () => sleep(5).then(() => 0) });
      await assert.rejects(
        () => kernel.insmod({ name: "m", init_module: () => 0 }),
        /Cannot insert module "m": a module named "m" is already loaded/,
      );
      await first;
      assert.deepEqual(kernel.lsmod().map((m) => m.name), ["m"]);
    },
  },
  {
    name: "init_module calls msleep(): returns at once with a log line",
    async run() {
      await using kernel = await Kernel.boot();
      await kernel.insmod({
        name: "m",
        init_module: () => {
          msleep(10);
          return 0;
        },
      });
      assert.match(kernel.log, /kprobes: msleep\(\) from module m returns at once/);
    },
  },
  {
    name: "cleanup_module throws: rmmod reports it and removes module and probes",
    async run() {
      await using kernel = await Kernel.boot();
      const kp: Kprobe = { symbol_name: "do_fork" };
      const fork = kernel.kallsyms.lookupName("do_fork");
      const original = kernel.memory.readBytes(fork, 8);
      await kernel.insmod({
        name: "m",
        init_module: () => register_kprobe(kp),
        cleanup_module: () => {
          throw Object.create(null);
        },
      });
      kernel.rmmod("m");
      assert.match(kernel.log, /kprobes: module m: cleanup_module threw \[object null prototype\]/);
      assert.match(kernel.log, /kprobes: module m left a kprobe registered at do_fork\+0x0/);
      assert.deepEqual(kernel.lsmod(), []);
      assert.deepEqual(kernel.memory.readBytes(fork, 8), original);
      assert.equal(kernel.incidents.handlerErrors, 1);
    },
  },
  {
    name: "shutdown() runs every cleanup_module though the first throws",
    async run() {
      const kernel = await Kernel.boot();
      const ran: string[] = [];
      const kp: Kprobe = { symbol_name: "do_fork" };
      await kernel.insmod({
        name: "a",
        init_module: () => register_kprobe(kp),
        cleanup_module: () => {
          ran.push("a");
          unregister_kprobe(kp);
        },
      });
      await kernel.insmod({
        name: "b",
        init_module: () => 0,
        cleanup_module: () => {
          ran.push("b");
          const { proxy, revoke } = Proxy.revocable({}, {});
          revoke();
          throw proxy;
        },
      });
      await kernel.shutdown();
      assert.deepEqual(ran, ["b", "a"]);
      assert.deepEqual(kernel.lsmod(), []);
      assert.match(kernel.log, /kprobes: module b: cleanup_module threw \[Proxy\]/);
    },
  },
  {
    name: "cleanup_module returns a promise that rejects",
    async run() {
      await using kernel = await Kernel.boot();
      await kernel.insmod({
        name: "m",
        init_module: () => 0,
        cleanup_module: (async () => {
          await sleep(1);
          throw new Error("late failure");
        }) as () => void,
      });
      kernel.rmmod("m");
      await sleep(20);
      assert.match(kernel.log, /cleanup_module returned a promise; rmmod does not wait for it/);
      assert.match(kernel.log, /cleanup_module's promise rejected with Error: late failure/);
    },
  },
  {
    name: "cleanup_module's timer calls unregister_kprobe() after rmmod",
    async run() {
      await using kernel = await Kernel.boot();
      const kp: Kprobe = { symbol_name: "do_fork" };
      await kernel.insmod({
        name: "m",
        init_module: () => register_kprobe(kp),
        cleanup_module: () => void setTimeout(() => unregister_kprobe(kp), 1),
      });
      kernel.rmmod("m");
      await sleep(20);
      assert.match(
        kernel.log,
        /kprobes: unregister_kprobe\(\) from module m after its cleanup_module finished: ignored/,
      );
      assert.equal(kernel.kprobesList(), "", "rmmod removed the leftover itself");
    },
  },
  refused(
    "a module object whose name getter throws",
    () => ({
      get name(): string {
        throw new Error("name getter ran");
      },
      init_module: () => 0,
    }),
    /Cannot insert module object: reading its fields threw Error: name getter ran$/,
  ),
  {
    name: "a module object whose cleanup_module getter throws",
    async run() {
      await using kernel = await Kernel.boot();
      await kernel.insmod({
        name: "m",
        init_module: () => 0,
        get cleanup_module(): () => void {
          throw Symbol("getter");
        },
      });
      kernel.rmmod("m");
      assert.match(kernel.log, /kprobes: module m: cleanup_module threw Symbol\(getter\)/);
      assert.deepEqual(kernel.lsmod(), []);
    },
  },
  {
    name: "rmmod() of a name that is not a string",
    async run() {
      await using kernel = await Kernel.boot();
      assert.throws(
        () => kernel.rmmod({} as never),
        (e: unknown) =>
          e instanceof ModuleError &&
          e.message === "Cannot remove module [object Object]: it is not loaded, see lsmod",
      );
    },
  },
]);
