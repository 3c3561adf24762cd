// Copyright 2026 the kprobes-sim authors. MIT license.
// insmod / rmmod / lsmod semantics and failure paths.

import assert from "node:assert/strict";
import { type Kprobe, ModuleError, printk, register_kprobe, unregister_kprobe } from "../../mod.ts";
import { boot } from "../_helpers.ts";

const modules = new URL("../testdata/modules/", import.meta.url);

Deno.test("Kernel.insmod() names a missing file", async () => {
  await using kernel = await boot();
  await assert.rejects(() => kernel.insmod("tests/testdata/modules/nope.ts"), (e: unknown) => {
    assert.ok(e instanceof ModuleError);
    assert.match(
      e.message,
      /Cannot insert module "tests\/testdata\/modules\/nope\.ts": file not found/,
    );
    return true;
  });
});

Deno.test("Kernel.insmod() refuses a module without init_module", async () => {
  await using kernel = await boot();
  await assert.rejects(
    () => kernel.insmod(new URL("no_init.ts", modules)),
    /it does not export init_module/,
  );
  assert.deepEqual(kernel.lsmod(), []);
});

Deno.test("Kernel.insmod() fails with init_module's error and leaves nothing loaded", async () => {
  await using kernel = await boot();
  await assert.rejects(
    () => kernel.insmod(new URL("unknown_symbol.ts", modules)),
    /init_module returned -2 \(ENOENT\)/,
  );
  assert.deepEqual(kernel.lsmod(), []);
  assert.match(kernel.log, /register_kprobe failed, returned -2/);
  assert.equal(kernel.kprobesList(), "");
});

Deno.test("Kernel.rmmod() reports and removes probes a module left registered", async () => {
  await using kernel = await boot();
  const addr = kernel.kallsyms.lookupName("do_fork");
  const original = kernel.memory.readU8(addr);
  const info = await kernel.insmod(new URL("leaky.ts", modules));
  assert.equal(info.name, "leaky");
  assert.deepEqual(kernel.lsmod().map((m) => [m.name, m.probes]), [["leaky", 1]]);
  assert.match(kernel.kprobesList(), /^ffffffff8[0-9a-f]+ {2}k {2}do_fork\+0x0 {4}\[leaky\]$/m);
  kernel.run();
  kernel.rmmod("leaky");
  assert.match(kernel.log, /leaky: 3 hits/);
  assert.match(
    kernel.log,
    /kprobes: module leaky left a kprobe registered at do_fork\+0x0\/0x[0-9a-f]+, unregistering it/,
  );
  assert.equal(kernel.memory.readU8(addr), original);
  assert.deepEqual(kernel.lsmod(), []);
});

Deno.test("Kernel.insmod() imports a fresh module instance each time", async () => {
  await using kernel = await boot();
  await kernel.insmod(new URL("leaky.ts", modules));
  kernel.rmmod("leaky");
  await kernel.insmod(new URL("leaky.ts", modules));
  assert.equal(kernel.log.match(/leaky: init 1/g)?.length, 2);
  await assert.rejects(() => kernel.insmod(new URL("leaky.ts", modules)), /already loaded/);
});

Deno.test("Kernel.insmod() imports the n-th instance of a file under ?kprobes-sim-instance=n", async () => {
  // Stable URLs let Deno's code cache (keyed by URL) hit in later processes.
  await using a = await boot();
  await using b = await boot();
  await a.insmod(new URL("instance_url.ts", modules));
  await b.insmod(new URL("instance_url.ts", modules));
  a.rmmod("instance_url");
  await a.insmod(new URL("instance_url.ts", modules));
  assert.match(
    a.log,
    /instance_url: \?kprobes-sim-instance=1\n[^]*instance_url: \?kprobes-sim-instance=3\n/,
  );
  assert.match(b.log, /instance_url: \?kprobes-sim-instance=2\n/);
});

Deno.test("Kernel.rmmod() names a module that is not loaded", async () => {
  await using kernel = await boot();
  assert.throws(() => kernel.rmmod("ghost"), /Cannot remove module "ghost": it is not loaded/);
});

Deno.test("a module's printk goes through the guest's printk", async () => {
  await using kernel = await boot();
  let guestPrintk = 0;
  const kp: Kprobe = { symbol_name: "vsnprintf", pre_handler: () => void guestPrintk++ };
  assert.equal(kernel.registerKprobe(kp), 0);
  await kernel.insmod({
    name: "hello",
    init_module: () => {
      return register_kprobe({ symbol_name: "do_exit" }) < 0 ? -1 : 0;
    },
  });
  const before = guestPrintk;
  await kernel.insmod(new URL("leaky.ts", modules));
  assert.ok(guestPrintk > before, "leaky's printk ran the guest vsnprintf");
});

Deno.test("many kernels live in one process, each module bound to its own", async () => {
  await using a = await boot();
  await using b = await boot();
  let hitsA = 0;
  let hitsB = 0;
  await a.insmod({
    name: "m",
    init_module: () => register_kprobe({ symbol_name: "do_fork", pre_handler: () => void hitsA++ }),
  });
  await b.insmod({
    name: "m",
    init_module: () =>
      register_kprobe({ symbol_name: "sys_open", pre_handler: () => void hitsB++ }),
  });
  a.run();
  assert.equal(hitsA, 3);
  assert.equal(hitsB, 0);
  b.run();
  assert.ok(hitsB > 0);
  assert.equal(hitsA, 3);
});

Deno.test("Kernel.insmod() awaits an async init_module and keeps its kernel across await", async () => {
  await using kernel = await boot();
  const kp: Kprobe = { symbol_name: "do_fork" };
  const info = await kernel.insmod({
    name: "later",
    init_module: async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      printk("later: registering\n");
      return register_kprobe(kp);
    },
  });
  assert.equal(info.probes, 1);
  assert.match(kernel.log, /later: registering/);
  assert.match(kernel.kprobesList(), /do_fork\+0x0 +\[later\]/);
});

Deno.test("Kernel.insmod() fails when an async init_module rejects or resolves an errno", async () => {
  await using kernel = await boot();
  await assert.rejects(
    () =>
      kernel.insmod({
        name: "rejects",
        init_module: async () => {
          register_kprobe({ symbol_name: "do_fork" });
          await null;
          throw new Error("no device");
        },
      }),
    /Cannot insert module "rejects": init_module's promise rejected with Error: no device/,
  );
  await assert.rejects(
    () => kernel.insmod({ name: "minus1", init_module: () => Promise.resolve(-1) }),
    /init_module returned -1 \(EPERM\)/,
  );
  assert.deepEqual(kernel.lsmod(), []);
  assert.equal(kernel.kprobesList(), "", "what the failed init registered is gone");
});

Deno.test("Kernel.rmmod() reports a throwing cleanup_module and removes the module anyway", async () => {
  await using kernel = await boot();
  const kp: Kprobe = { symbol_name: "do_fork" };
  const ran: string[] = [];
  await kernel.insmod({
    name: "first",
    init_module: () => register_kprobe(kp),
    cleanup_module: () => {
      ran.push("first");
      unregister_kprobe(kp);
    },
  });
  await kernel.insmod({
    name: "second",
    init_module: () => 0,
    cleanup_module: () => {
      ran.push("second");
      throw new TypeError("broken cleanup");
    },
  });
  kernel.rmmod("second");
  assert.match(
    kernel.log,
    /kprobes: module second: cleanup_module threw TypeError: broken cleanup/,
  );
  assert.equal(kernel.incidents.handlerErrors, 1);
  assert.deepEqual(kernel.lsmod().map((m) => m.name), ["first"]);
  await kernel.shutdown();
  assert.deepEqual(ran, ["second", "first"]);
  assert.equal(kernel.kprobesList(), "");
});
