// Copyright 2026 the kprobes-sim authors. MIT license.
// NR_CPUS 64: every CPU boots on every arch, sched_setaffinity reaches CPUs
// 32-63 (two longs of cpumask_t on i386), and --cpus 64 works from the CLI.

import assert from "node:assert/strict";
import { Kernel, type Kprobe, regs_get_kernel_stack_nth, smp_processor_id } from "../../mod.ts";
import { main } from "../../cli.ts";

const N = 3;
const PINNED = [63, 32, 31, 1] as const;

for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
  Deno.test(`NR_CPUS 64 (${arch}): 64 CPUs boot and sys_open runs on the CPU each task is pinned to`, async () => {
    await using kernel = await Kernel.boot({ arch, cpus: 64 });
    assert.equal(kernel.nrCpus, 64);
    assert.match(kernel.log, /\] Brought up 64 CPUs\n/);
    const perCpu = new Array<number>(64).fill(0);
    const kp: Kprobe = {
      symbol_name: "sys_open",
      pre_handler: () => void perCpu[smp_processor_id()]++,
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
        init: [
          ...PINNED.map(pinned),
          { call: "repeat", times: PINNED.length, body: [{ call: "wait4" }] },
        ],
      },
    });
    assert.ok(r.completed, r.stopReason);
    const affinity = r.syscalls.filter((s) => s.call === "sched_setaffinity");
    assert.deepEqual(affinity.map((s) => s.ret), PINNED.map(() => 0));
    const opens = r.syscalls.filter((s) => s.call === "open");
    assert.deepEqual([...new Set(opens.map((s) => s.cpu))].sort((a, b) => a - b), [1, 31, 32, 63]);
    const expected = new Array<number>(64).fill(0);
    for (const c of PINNED) expected[c] = N;
    assert.deepEqual(perCpu, expected, "the probe fired on the pinned CPUs only");
    assert.equal(kernel.kprobeHits(kp), PINNED.length * N);
  });
}

Deno.test("NR_CPUS 64 (i386): the default workload runs to completion on 64 CPUs in 4 MiB of RAM", async () => {
  await using kernel = await Kernel.boot({ arch: "i386", cpus: 64, memSize: 4 * 1024 * 1024 });
  assert.match(kernel.log, /\] Brought up 64 CPUs\n/);
  const r = kernel.run();
  assert.ok(r.completed, r.stopReason);
  assert.ok(r.syscalls.some((s) => s.call === "execve" && s.ret === 0));
});

Deno.test("NR_CPUS 64: sched_setaffinity to CPUs the kernel was not booted with is -EINVAL", async () => {
  await using kernel = await Kernel.boot({ arch: "i386", cpus: 8 });
  const r = kernel.run({
    workload: {
      init: [
        { call: "sched_setaffinity", cpus: [8, 40, 63] },
        { call: "sched_setaffinity", cpus: [7, 40] },
        { call: "getpid" },
      ],
    },
  });
  assert.ok(r.completed, r.stopReason);
  assert.deepEqual(
    r.syscalls.filter((s) => s.call !== "execve").map((s) => [s.call, s.ret, s.cpu]),
    [["sched_setaffinity", -22, 0], ["sched_setaffinity", 0, 7], ["getpid", 1, 7]],
  );
});

Deno.test("NR_CPUS 64 (i386): sched_setaffinity reads len bytes of the two-long mask, as get_user_cpu_mask()", async () => {
  await using kernel = await Kernel.boot({ arch: "i386", cpus: 64 });
  // init's first call takes the first scratch page; the mask sits at +0xfd0.
  const MASK = 0x400fd0;
  const ptrs = new Set<bigint>();
  const kp: Kprobe = {
    symbol_name: "sys_sched_setaffinity",
    // -mregparm=0: the third argument is the third word above the return address.
    pre_handler: (_p, regs) => void ptrs.add(regs_get_kernel_stack_nth(regs, 3)),
  };
  assert.equal(kernel.registerKprobe(kp), 0);
  const raw = (len: number) => ({ call: "syscall" as const, nr: 241, args: [0, len, MASK] });
  const r = kernel.run({
    workload: {
      init: [
        { call: "sched_setaffinity", cpus: [40] }, // len 8: CPU 40
        raw(4), // the first long only: CPUs 0-31, none set
        { call: "sched_setaffinity", cpus: [3, 40] },
        raw(4), // CPU 3 only
        { call: "getpid" },
        raw(64), // len above sizeof(cpumask_t): 8 bytes read, CPUs 3 and 40
        raw(0), // nothing read: an empty mask
      ],
    },
  });
  assert.ok(r.completed, r.stopReason);
  assert.deepEqual([...ptrs], [BigInt(MASK)]);
  assert.deepEqual(
    r.syscalls.filter((s) => s.call !== "execve").map((s) => [s.call, s.ret, s.cpu]),
    [
      ["sched_setaffinity", 0, 40],
      ["syscall", -22, 40],
      ["sched_setaffinity", 0, 40],
      ["syscall", 0, 3],
      ["getpid", 1, 3],
      ["syscall", 0, 3],
      ["syscall", -22, 3],
    ],
  );
});

Deno.test("NR_CPUS 64: cli insmod --cpus 64 runs the default workload; 65 is a usage error", async () => {
  let out = "";
  let err = "";
  const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s) };
  const code = await main(["insmod", "--cpus", "64", "--quiet", "examples/kprobe_example.ts"], io);
  assert.equal(code, 0, err);
  assert.match(out, /\] pre_handler: p->addr=0x[0-9a-f]+/);
  err = "";
  assert.equal(await main(["insmod", "--cpus", "65", "examples/kprobe_example.ts"], io), 2);
  assert.match(err, /"65" is not a CPU count from 1 to 64/);
});
