// Copyright 2026 the kprobes-sim authors. MIT license.
// Return probes (spec §1.3, §4.3, §5) through the public API.

import assert from "node:assert/strict";
import {
  dump_stack,
  E2BIG,
  EINVAL,
  type Jprobe,
  jprobe_return,
  kernel_read,
  type Kprobe,
  type Kretprobe,
  msleep,
  type Workload,
} from "../../mod.ts";
import { boot, results } from "../_helpers.ts";

Deno.test("kretprobe handler sees each return value in regs.rax with ri fields set", async () => {
  await using kernel = await boot();
  const rets: number[] = [];
  const rp: Kretprobe = {
    kp: { symbol_name: "sys_open" },
    handler: (ri, regs) => {
      assert.equal(ri.rp, rp);
      assert.ok(ri.task.pid > 1);
      assert.ok(typeof ri.ret_addr === "bigint" && ri.ret_addr > 0xffffffff81000000n);
      if (regs.arch !== "x86_64") throw new Error("an x86_64 test");
      rets.push(Number(BigInt.asIntN(32, regs.rax)));
      return 0;
    },
    maxactive: 4,
  };
  assert.equal(kernel.registerKretprobe(rp), 0);
  const r = kernel.run();
  assert.deepEqual(rets, results(r.syscalls, "open"));
  assert.ok(rets.includes(-2) && rets.includes(-13) && rets.includes(3));
  assert.equal(rp.nmissed, 0);
  assert.equal(kernel.kretprobeFreeInstances(rp), 4);
});

Deno.test("kretprobe handler may change the return value", async () => {
  await using kernel = await boot();
  const rp: Kretprobe = {
    kp: { symbol_name: "sys_getpid" },
    handler: (_ri, regs) => {
      if (regs.arch !== "x86_64") throw new Error("an x86_64 test");
      regs.rax = BigInt.asUintN(64, -1n);
      return 0;
    },
  };
  assert.equal(kernel.registerKretprobe(rp), 0);
  const r = kernel.run({ workload: { init: [{ call: "getpid" }] } });
  assert.deepEqual(results(r.syscalls, "getpid"), [-1]);
});

Deno.test("maxactive <= 0 defaults to NR_CPUS, or max(10, 2*NR_CPUS) with CONFIG_PREEMPT (§1.3)", async () => {
  for (
    const [cpus, preempt, expected] of [[1, false, 1], [4, false, 4], [2, true, 10], [
      8,
      true,
      16,
    ]] as const
  ) {
    await using kernel = await boot({ cpus, preempt });
    const rp: Kretprobe = { kp: { symbol_name: "sys_open" }, maxactive: 0 };
    assert.equal(kernel.registerKretprobe(rp), 0);
    assert.equal(rp.maxactive, expected, `cpus=${cpus} preempt=${preempt}`);
    assert.equal(kernel.kretprobeFreeInstances(rp), expected);
  }
});

Deno.test("register_kretprobe() refuses maxactive above 4096 with -E2BIG and non-integers with -EINVAL", async () => {
  await using kernel = await boot();
  const kp = () => ({ symbol_name: "sys_open" });
  assert.equal(kernel.registerKretprobe({ kp: kp(), maxactive: 4097 }), -E2BIG);
  assert.equal(kernel.registerKretprobe({ kp: kp(), maxactive: 1e9 }), -E2BIG);
  assert.equal(kernel.registerKretprobe({ kp: kp(), maxactive: NaN }), -EINVAL);
  assert.equal(kernel.registerKretprobe({ kp: kp(), maxactive: "20" as never }), -EINVAL);
  const neg: Kretprobe = { kp: kp(), maxactive: -5 };
  assert.equal(kernel.registerKretprobe(neg), 0, "a negative maxactive is the default (§1.3)");
  assert.equal(kernel.kretprobeFreeInstances(neg), 1);
});

const sleepers: Workload = {
  init: [
    {
      call: "repeat",
      times: 3,
      body: [{ call: "fork", child: [{ call: "nanosleep", ms: 5 }, { call: "exit" }] }],
    },
    { call: "repeat", times: 3, body: [{ call: "wait4" }] },
  ],
};

Deno.test("nmissed counts entries with no free instance while tasks sleep inside the function on several CPUs", async () => {
  await using kernel = await boot({ cpus: 2 });
  let returns = 0;
  const rp: Kretprobe = {
    kp: { symbol_name: "sys_nanosleep" },
    handler: () => void returns++,
    maxactive: 1,
  };
  assert.equal(kernel.registerKretprobe(rp), 0);
  const r = kernel.run({ workload: sleepers });
  assert.ok(r.completed);
  assert.equal(results(r.syscalls, "nanosleep").length, 3);
  assert.ok(rp.nmissed! >= 1, `nmissed ${rp.nmissed}`);
  assert.equal(returns + rp.nmissed!, 3);
  assert.equal(kernel.kretprobeFreeInstances(rp), 1);
});

Deno.test("dump_stack() inside a kretprobed function shows the trampoline (§5)", async () => {
  await using kernel = await boot();
  const rp: Kretprobe = { kp: { symbol_name: "sys_nanosleep" }, maxactive: 4 };
  const kp: Kprobe = { symbol_name: "schedule_timeout", pre_handler: () => void dump_stack() };
  assert.equal(kernel.registerKretprobe(rp), 0);
  assert.equal(kernel.registerKprobe(kp), 0);
  kernel.run({ workload: { init: [{ call: "nanosleep", ms: 1 }] } });
  assert.match(
    kernel.log,
    /\] schedule_timeout\+0x1\/0x[0-9a-f]+\n.*\] sys_nanosleep\+0x[0-9a-f]+\/0x[0-9a-f]+\n.*\] kretprobe_trampoline\+0x0\//,
  );
});

Deno.test("do_exit and do_execve leak no kretprobe instance", async () => {
  await using kernel = await boot();
  let exits = 0;
  let execs = 0;
  const onExit: Kretprobe = {
    kp: { symbol_name: "do_exit" },
    handler: () => void exits++,
    maxactive: 2,
  };
  const onExec: Kretprobe = {
    kp: { symbol_name: "do_execve" },
    handler: () => void execs++,
    maxactive: 2,
  };
  assert.equal(kernel.registerKretprobe(onExit), 0);
  assert.equal(kernel.registerKretprobe(onExec), 0);
  for (let round = 0; round < 3; round++) kernel.run();
  assert.equal(exits, 0, "do_exit never returns");
  assert.equal(execs, 9);
  assert.equal(onExit.nmissed, 0, "instances of dead tasks came back");
  assert.equal(kernel.kretprobeFreeInstances(onExit), 2);
  assert.equal(kernel.kretprobeFreeInstances(onExec), 2);
});

Deno.test("a kprobe and a return probe on one function both fire (kr)", async () => {
  await using kernel = await boot();
  const order: string[] = [];
  const kp: Kprobe = { symbol_name: "sys_open", pre_handler: () => void order.push("entry") };
  const rp: Kretprobe = {
    kp: { symbol_name: "sys_open" },
    handler: () => void order.push("return"),
  };
  assert.equal(kernel.registerKretprobe(rp), 0);
  assert.equal(kernel.registerKprobe(kp), 0);
  kernel.run({
    workload: { init: [{ call: "open", path: "/etc/passwd" }, { call: "open", path: "/nope" }] },
  });
  assert.deepEqual(order, ["entry", "return", "entry", "return"]);
});

Deno.test("a jprobe and a return probe on one function both fire (jr)", async () => {
  await using kernel = await boot();
  const order: string[] = [];
  const jp: Jprobe = {
    kp: { symbol_name: "sys_open" },
    entry: () => {
      order.push("jprobe");
      jprobe_return();
    },
  };
  const rp: Kretprobe = {
    kp: { symbol_name: "sys_open" },
    handler: () => void order.push("return"),
  };
  assert.equal(kernel.registerJprobe(jp), 0);
  assert.equal(kernel.registerKretprobe(rp), 0);
  const r = kernel.run({ workload: { init: [{ call: "open", path: "/etc/passwd" }] } });
  assert.deepEqual(order, ["jprobe", "return"]);
  assert.deepEqual(results(r.syscalls, "open"), [3]);
});

Deno.test("register_kretprobe() refuses a mid-function address", async () => {
  await using kernel = await boot();
  assert.equal(kernel.registerKretprobe({ kp: { symbol_name: "sys_open", offset: 1 } }), -EINVAL);
});

Deno.test("register_kretprobe() refuses the functions that return on another task's stack, on every arch", async () => {
  for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
    await using kernel = await boot({ arch });
    for (const name of ["switch_to", "__switch_to", "ret_from_fork"]) {
      assert.equal(kernel.registerKretprobe({ kp: { symbol_name: name } }), -EINVAL, name);
    }
    // Before the blacklist, a return probe on switch_to sent a fork child's
    // first return to the trampoline with no instance: an Oops and a panic.
    assert.ok(kernel.run().completed);
    assert.equal(kernel.incidents.oopses + kernel.incidents.panics, 0);
  }
});

Deno.test("handlers run with preemption disabled, and one that sleeps gets 'scheduling while atomic' (§5)", async () => {
  await using kernel = await boot({ preempt: true });
  const counts: number[] = [];
  const kp: Kprobe = {
    symbol_name: "do_fork",
    pre_handler: (_p, regs) => {
      if (regs.arch !== "x86_64") throw new Error("an x86_64 test");
      const ti = regs.rsp & ~0x3fffn;
      counts.push(Number(kernel_read(ti + 16n, 4)));
      msleep(10);
      return 0;
    },
  };
  await kernel.insmod({ name: "sleepy", init_module: () => kernel.registerKprobe(kp) });
  const r = kernel.run();
  assert.ok(r.completed);
  assert.ok(counts.every((c) => c >= 1), `preempt_count in handler: ${counts}`);
  assert.equal(
    kernel.log.match(/BUG: scheduling while atomic: init\/1\/0x0000000[1-9]/g)?.length,
    3,
  );
});

Deno.test("kretprobe entry runs whatever kp.pre_handler holds: a replacement set after registration takes no instance", async () => {
  await using kernel = await boot();
  let returns = 0;
  let entries = 0;
  const rp: Kretprobe = {
    kp: { symbol_name: "sys_getpid" },
    handler: () => void returns++,
    maxactive: 4,
  };
  assert.equal(kernel.registerKretprobe(rp), 0);
  const workload: Workload = { init: [{ call: "getpid" }, { call: "getpid" }] };
  kernel.run({ workload });
  assert.equal(returns, 2);
  // Linux calls rp->kp.pre_handler as it stands (pre_handler_kretprobe()
  // only while it is still there).
  rp.kp.pre_handler = () => void entries++;
  kernel.run({ workload });
  assert.equal(entries, 2);
  assert.equal(returns, 2);
  assert.equal(kernel.kretprobeFreeInstances(rp), 4);
});
