// Copyright 2026 the kprobes-sim authors. MIT license.
// The library recipe of README.md: boot, insert a module object, drive N
// do_fork/sys_open calls from several tasks on several CPUs, read hits and
// nmissed, remove, shut down.

import assert from "node:assert/strict";
import {
  Kernel,
  type Kprobe,
  type Kretprobe,
  register_kprobe,
  register_kretprobe,
  unregister_kprobe,
  unregister_kretprobe,
  type Workload,
} from "../mod.ts";

const N = 5;

function workload(): Workload {
  // init forks N children; each opens a file that exists and one that does not.
  return {
    init: [
      {
        call: "repeat",
        times: N,
        body: [{
          call: "fork",
          child: [{ call: "open", path: "/etc/passwd" }, { call: "open", path: "/nope" }, {
            call: "exit",
          }],
        }],
      },
      { call: "repeat", times: N, body: [{ call: "wait4" }] },
    ],
  };
}

Deno.test("Kernel library: hit counts and nmissed of several probes over a scripted workload on 2 CPUs", async () => {
  await using kernel = await Kernel.boot({ cpus: 2 });
  const forks: Kprobe = { symbol_name: "do_fork" };
  const opens: Kprobe = { symbol_name: "sys_open" };
  const fails: number[] = [];
  const rp: Kretprobe = {
    kp: { symbol_name: "sys_open" },
    handler: (_ri, regs) => {
      if (regs.arch !== "x86_64") throw new Error("an x86_64 test");
      const v = Number(BigInt.asIntN(32, regs.rax));
      if (v < 0) fails.push(v);
      return 0;
    },
    maxactive: 0,
  };
  await kernel.insmod({
    name: "counters",
    init_module: () => register_kprobe(forks) || register_kprobe(opens) || register_kretprobe(rp),
    cleanup_module: () => {
      unregister_kretprobe(rp);
      unregister_kprobe(opens);
      unregister_kprobe(forks);
    },
  });
  const r = kernel.run({ workload: workload() });
  assert.ok(r.completed);
  assert.equal(kernel.kprobeHits(forks), N);
  assert.equal(
    kernel.kprobeHits(opens),
    2 * N,
    "the return probe's entry kprobe shares the sys_open point",
  );
  assert.equal(forks.nmissed, 0);
  assert.equal(fails.length + rp.nmissed!, N);
  assert.ok(fails.every((v) => v === -2));
  const cpus = new Set(r.syscalls.filter((s) => s.call === "open").map((s) => s.cpu));
  assert.equal(cpus.size, 2, "the children ran on both CPUs");
  const profile = kernel.kprobeProfile();
  assert.match(profile, new RegExp(`^  do_fork\\+0x0 +${N} +0\\n`, "m"));
  kernel.rmmod("counters");
  assert.equal(kernel.kprobeHits(forks), -1);
});

for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
  Deno.test(`Kernel library (${arch}): do_fork and sys_open calls run on the CPUs the tasks are pinned to`, async () => {
    await using kernel = await Kernel.boot({ arch, cpus: 4 });
    const perCpu = [0, 0, 0, 0];
    const kp: Kprobe = {
      symbol_name: "sys_open",
      pre_handler: () => void perCpu[kernel.currentCpu()]++,
    };
    assert.equal(kernel.registerKprobe(kp), 0);
    const pinned = (cpu: number) => ({
      call: "fork" as const,
      child: [
        { call: "sched_setaffinity" as const, cpus: [cpu] },
        {
          call: "repeat" as const,
          times: N,
          body: [{ call: "open" as const, path: "/etc/passwd" }],
        },
        { call: "exit" as const },
      ],
    });
    const r = kernel.run({
      workload: {
        init: [pinned(3), pinned(1), { call: "repeat", times: 2, body: [{ call: "wait4" }] }],
      },
    });
    assert.ok(r.completed);
    const opens = r.syscalls.filter((s) => s.call === "open");
    const byPid = new Map<number, Set<number>>();
    for (const s of opens) byPid.set(s.pid, (byPid.get(s.pid) ?? new Set()).add(s.cpu));
    assert.deepEqual([...byPid.values()].map((cpus) => [...cpus]).sort(), [[1], [3]]);
    assert.deepEqual(perCpu, [0, N, 0, N], "the probe fired on the pinned CPUs");
    assert.equal(kernel.kprobeHits(kp), 2 * N);
  });
}

Deno.test("Kernel library: a module's timer that registers after init gets -EINVAL, not an exception", async () => {
  await using kernel = await Kernel.boot();
  const late = Promise.withResolvers<number>();
  await kernel.insmod({
    name: "timer",
    init_module: () => {
      setTimeout(() => late.resolve(register_kprobe({ symbol_name: "do_fork" })), 1);
      return 0;
    },
  });
  assert.equal(await late.promise, -22);
  assert.match(
    kernel.log,
    /kprobes: register_kprobe\(\) from module timer after its init_module finished: ignored \(-EINVAL\)/,
  );
  assert.equal(kernel.kprobesList(), "");
});
