// Copyright 2026 the kprobes-sim authors. MIT license.
// The soft-lockup watchdogs: guest CPUs stuck in kernel mode (run loop and
// guest calls) and the host heartbeat around handlers.

import assert from "node:assert/strict";
import { kallsyms_lookup_name, Kernel, kernel_write, KernelError, type Kprobe } from "../../mod.ts";
import { formatHandlerLockup, Heartbeat, HeartbeatWatch } from "../../kernel-model/mod.ts";

async function lockedKernel(): Promise<Kernel> {
  const kernel = await Kernel.boot();
  await kernel.insmod({
    name: "locker",
    init_module: () => {
      kernel_write(kallsyms_lookup_name("tasklist_lock"), 4, 1);
      return 0;
    },
  });
  return kernel;
}

Deno.test("Kernel.run() reports a CPU spinning on a held lock as a soft lockup and stops", async () => {
  await using kernel = await lockedKernel();
  const r = kernel.run({ watchdog: 0.02 });
  assert.equal(r.completed, false);
  assert.equal(r.stopReason, "softLockup");
  assert.equal(kernel.incidents.lockups, 1);
  const log = kernel.log;
  assert.match(log, /\] BUG: soft lockup - CPU#0 stuck for 0s! \[init:1\]\n/);
  assert.match(log, /\] Modules linked in: locker\n/);
  assert.match(log, /\] RIP: .*do_fork\+0x[0-9a-f]+\/0x[0-9a-f]+\n/);
  assert.match(log, /\] Call Trace:\n.*do_fork\+.*\n.*sys_fork\+/);
  // Deterministic in guest seconds: the report comes one tick past the bound.
  assert.ok(r.instructions >= 20_000_000 && r.instructions < 23_000_000, `${r.instructions}`);
  // A second run is bounded the same way.
  assert.equal(kernel.run({ watchdog: 0.02 }).stopReason, "softLockup");
  assert.equal(kernel.incidents.lockups, 2);
});

Deno.test("Kernel.run() with the host clock stops a guest lockup after that many seconds", async () => {
  await using kernel = await lockedKernel();
  const t0 = performance.now();
  const r = kernel.run({ watchdog: 0.5, watchdogClock: "host" });
  const took = performance.now() - t0;
  assert.equal(r.stopReason, "softLockup");
  assert.ok(took >= 500 && took < 5000, `${took} ms`);
});

Deno.test("Kernel.run() says why it stopped and validates the watchdog", async () => {
  await using kernel = await Kernel.boot();
  const ok = kernel.run();
  assert.equal(ok.stopReason, "completed");
  assert.equal(ok.completed, true);
  const cut = kernel.run({ maxInstructions: 1000 });
  assert.equal(cut.stopReason, "instructionLimit");
  for (const bad of [0, -1, NaN, "1" as unknown as number]) {
    assert.throws(() => kernel.run({ watchdog: bad }), KernelError);
  }
  assert.equal(kernel.run({ watchdog: Infinity }).stopReason, "completed");
  assert.deepEqual(kernel.incidents, { oopses: 0, panics: 0, handlerErrors: 0, lockups: 0 });
});

Deno.test("a guest call from a handler that never returns is bounded and reported", async () => {
  await using kernel = await Kernel.boot();
  // printk from a handler spins on logbuf_lock when the lock is held.
  const lock = kernel.kallsyms.lookupName("logbuf_lock");
  let ret = 0;
  const kp: Kprobe = {
    symbol_name: "sys_getpid",
    pre_handler: () => {
      kernel_write(lock, 4, 1);
      ret = kernel.callFunction("printk", ["<4>never printed\n"]) === 0n ? 0 : 1;
      kernel_write(lock, 4, 0);
      return 0;
    },
  };
  await kernel.insmod({ name: "spinner", init_module: () => kernel.registerKprobe(kp) });
  const r = kernel.run({ watchdog: 0.02 });
  assert.equal(ret, 1);
  assert.equal(r.stopReason, "softLockup");
  assert.match(
    kernel.log,
    /BUG: soft lockup - CPU#0 stuck for 0s! \[init:\d+\]\n.*Modules linked in: spinner/,
  );
  assert.doesNotMatch(kernel.log, /never printed/);
});

Deno.test("Heartbeat marks nest and name the handler; HeartbeatWatch expires only a standing mark", () => {
  const labels = new Map<number, string>();
  const beat = new Heartbeat(undefined, (id, text) => labels.set(id, text));
  beat.bindTasks(() => ({ pid: 7, comm: "sh" }));
  const watch = new HeartbeatWatch(beat.buffer, 2);
  assert.equal(watch.poll(0), null);
  assert.equal(watch.poll(5000), null, "no mark: never expires");
  beat.enterPhase('loading module "m"');
  function handler_pre() {}
  beat.enter("m", "pre_handler", 1, handler_pre);
  assert.equal(watch.poll(5000), null);
  assert.equal(watch.poll(6000), null);
  const x = watch.poll(7000)!;
  assert.equal(labels.get(x.label), "pre_handler handler_pre of module m");
  assert.deepEqual([x.cpu, x.pid, labels.get(x.comm), x.seconds], [1, 7, "sh", 2]);
  beat.leave();
  assert.equal(watch.poll(7100), null, "a change restarts the clock");
  const y = watch.poll(9200)!;
  assert.equal(labels.get(y.label), 'loading module "m"');
  beat.leave();
  assert.equal(watch.poll(9300), null);
  assert.equal(watch.poll(99999), null);
  assert.equal(labels.size, 3, "each label is sent once");
  assert.throws(() => new Heartbeat(new SharedArrayBuffer(4)), TypeError);
  assert.equal(
    formatHandlerLockup({ cpu: 1, seconds: 2, comm: "sh", pid: 7, handler: "x", modules: ["m"] })
      .join("\n"),
    "BUG: soft lockup - CPU#1 stuck for 2s! [sh:7]\nModules linked in: m\nCPU 1\n" +
      "Pid: 7, comm: sh Not tainted 2.6.12-kprobes-sim #1\nStuck in x (host code: it never returned)\n" +
      "Kernel panic - not syncing: softlockup: hung tasks",
  );
});

Deno.test("a Kernel with a heartbeat marks handler and module calls and leaves none standing", async () => {
  const labels = new Map<number, string>();
  const beat = new Heartbeat(undefined, (id, text) => labels.set(id, text));
  const words = new Int32Array(beat.buffer);
  await using kernel = await Kernel.boot({ heartbeat: beat });
  let depth = -1;
  const kp: Kprobe = {
    symbol_name: "do_fork",
    pre_handler: function counted() {
      depth = words[0];
      return 0;
    },
  };
  await kernel.insmod({ name: "hb", init_module: () => kernel.registerKprobe(kp) });
  kernel.run();
  assert.equal(depth, 1);
  assert.equal(words[0], 0);
  const texts = [...labels.values()];
  for (const t of ["init", "init_module of module hb", "pre_handler counted of module hb"]) {
    assert.ok(texts.includes(t), `${t} in ${texts}`);
  }
});

Deno.test("Kernel.run() reports a CPU spinning with interrupts off while ticks are pending", async () => {
  await using kernel = await Kernel.boot();
  const kp: Kprobe = {
    symbol_name: "do_fork",
    pre_handler: (_p, regs) => {
      if (regs.arch !== "x86_64") throw new Error("an x86_64 test");
      regs.eflags = BigInt(regs.eflags) & ~0x200n; // cli
      return 0;
    },
  };
  await kernel.insmod({
    name: "irqoff",
    init_module: () => {
      kernel_write(kernel.kallsyms.lookupName("tasklist_lock"), 4, 1);
      return kernel.registerKprobe(kp);
    },
  });
  const r = kernel.run({ watchdog: 0.02 });
  assert.equal(r.stopReason, "softLockup");
  assert.match(kernel.log, /BUG: soft lockup - CPU#0 stuck for 0s! \[init:1\]\n/);
  assert.match(kernel.log, /\] RSP: .* EFLAGS: 00000002\n/, "IF clear in the report");
});
