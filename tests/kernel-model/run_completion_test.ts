// Copyright 2026 the kprobes-sim authors. MIT license.
// Workload semantics (issue 8, part 8): a run ends when init's script is
// done and no other task is alive, so children of a parent that does not
// wait still run; printk timestamps never go backwards in the merged log.

import assert from "node:assert/strict";
import { type Kernel, printk, register_kprobe, type Workload } from "../../mod.ts";
import { boot } from "../_helpers.ts";

const NO_WAIT: Workload = {
  name: "no-wait",
  init: [
    { call: "fork", child: [{ call: "getpid" }, { call: "open", path: "/etc/passwd" }] },
    {
      call: "fork",
      child: [
        // The grandchild outlives its parent: it is reparented to init.
        { call: "fork", child: [{ call: "nanosleep", ms: 5 }, { call: "getpid" }] },
        { call: "getpid" },
      ],
    },
  ],
};

function calls(r: { syscalls: { pid: number; call: string; ret: number }[] }): string[] {
  return r.syscalls.map((s) => `${s.call}=${s.ret}`).sort();
}

for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
  for (const cpus of [1, 2]) {
    Deno.test(`children and grandchildren of a parent that neither waits nor sleeps run on ${arch} with ${cpus} CPU(s)`, async () => {
      await using kernel = await boot({ arch, cpus });
      const r = kernel.run({ workload: NO_WAIT });
      assert.equal(r.completed, true);
      assert.equal(r.stopReason, "completed");
      const forks = r.syscalls.filter((s) => s.call === "fork").map((s) => s.ret);
      assert.equal(forks.length, 3);
      assert.ok(forks.every((pid) => pid > 1));
      // Every task's script ran, the grandchild's sleep included.
      assert.deepEqual(
        calls(r),
        [
          `fork=${forks[0]}`,
          `fork=${forks[1]}`,
          `fork=${forks[2]}`,
          ...forks.map((pid) => `getpid=${pid}`),
          "nanosleep=0",
          "open=3",
        ].sort(),
      );
      for (const pid of forks) {
        assert.ok(r.syscalls.some((s) => s.pid === pid), `pid ${pid} made its calls`);
      }
      // init's waiting is the host's, not the workload's: not recorded.
      assert.deepEqual(r.syscalls.filter((s) => s.pid === 1).map((s) => s.call), ["fork", "fork"]);
    });
  }
}

Deno.test("init reaps the children it did not wait for: run after run, max_tasks is not used up", async () => {
  await using kernel = await boot({ maxTasks: 8 });
  const five: Workload = {
    init: [{ call: "repeat", times: 5, body: [{ call: "fork", child: [{ call: "getpid" }] }] }],
  };
  for (let i = 0; i < 6; i++) {
    const r = kernel.run({ workload: five });
    assert.equal(r.completed, true, `run ${i}`);
    const forks = r.syscalls.filter((s) => s.call === "fork").map((s) => s.ret);
    assert.ok(forks.every((ret) => ret > 1), `run ${i}: ${forks}`);
    assert.equal(r.syscalls.filter((s) => s.call === "getpid").length, 5, `run ${i}`);
  }
});

Deno.test("a run stopped by maxInstructions while children live is not complete", async () => {
  await using kernel = await boot();
  const r = kernel.run({
    workload: { init: [{ call: "fork", child: [{ call: "nanosleep", ms: 50 }] }] },
    maxInstructions: 20_000,
  });
  assert.equal(r.completed, false);
  assert.equal(r.stopReason, "instructionLimit");
  // The next run finishes the sleeper before it completes.
  const r2 = kernel.run({ workload: { init: [{ call: "getpid" }] } });
  assert.equal(r2.completed, true);
  assert.ok(r2.syscalls.some((s) => s.call === "nanosleep" && s.pid > 1));
});

function stamps(kernel: Kernel): number[] {
  const out: number[] = [];
  for (const line of kernel.logLines) {
    const m = /^\[ *(\d+)\.(\d{6})\]/.exec(line);
    if (m !== null) out.push(Number(m[1]) * 1e6 + Number(m[2]));
  }
  return out;
}

for (const arch of ["x86_64", "ppc64", "sparc64"] as const) {
  Deno.test(`printk timestamps never go backwards in the merged log with 4 CPUs on ${arch}`, async () => {
    await using kernel = await boot({ arch, cpus: 4 });
    await kernel.insmod({
      name: "stamps",
      init_module: () =>
        register_kprobe({
          symbol_name: "sys_open",
          pre_handler: () => {
            printk("open\n");
            return 0;
          },
        }) ||
        register_kprobe({
          symbol_name: "sys_getpid",
          pre_handler: () => {
            printk("getpid\n");
            return 0;
          },
        }),
    });
    for (let i = 0; i < 3; i++) kernel.run();
    const t = stamps(kernel);
    assert.ok(t.length > 30);
    for (let i = 1; i < t.length; i++) {
      assert.ok(t[i] >= t[i - 1], `line ${i}: ${t[i]} < ${t[i - 1]}`);
    }
    assert.ok(t[t.length - 1] > t[0], "time moves on");
  });
}
