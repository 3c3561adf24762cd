// Copyright 2026 the kprobes-sim authors. MIT license.
// The sparc64 Kprobes half in a booted kernel: probes on every instruction
// of functions full of calls, branches, delay slots, save/restore and the
// context switch leave the workload's results and log as they were;
// return probes see (and may change) %o0; jprobes get the arguments.

import assert from "node:assert/strict";
import {
  type BootOptions,
  type Jprobe,
  jprobe_return,
  Kernel,
  type Kprobe,
  type Kretprobe,
} from "../../../mod.ts";

const SIGCHLD = 17;
/** The default workload takes some 40,000 instructions: a broken kernel stops, never hangs. */
const LIMIT = { maxInstructions: 2_000_000 };

/** The log without timestamps, and the syscall results in a stable order. */
async function baseline(options: BootOptions = {}): Promise<{ log: string[]; calls: string[] }> {
  await using kernel = await Kernel.boot({ arch: "sparc64", ...options });
  const r = kernel.run(LIMIT);
  assert.ok(r.completed);
  return { log: strip(kernel.log), calls: calls(r.syscalls) };
}

function strip(log: string): string[] {
  return log.split("\n").map((l) => l.replace(/^\[[ 0-9.]+\] /, ""));
}

function calls(records: readonly { pid: number; call: string; ret: number }[]): string[] {
  return records.map((s) => `${s.pid}:${s.call}=${s.ret}`).sort();
}

/** Every word of `name`, as kprobes with a counting pre_handler. */
function probeEveryWord(kernel: Kernel, name: string, hits: Map<bigint, number>): Kprobe[] {
  const sym = kernel.kallsyms.lookupSymbol(name);
  assert.ok(sym !== undefined && sym.size > 0, name);
  const probes: Kprobe[] = [];
  for (let a = sym.address; a < sym.address + BigInt(sym.size); a += 4n) {
    const addr = a;
    const kp: Kprobe = {
      addr,
      pre_handler: () => {
        hits.set(addr, (hits.get(addr) ?? 0) + 1);
        return 0;
      },
      post_handler: () => {},
    };
    assert.equal(kernel.registerKprobe(kp), 0, `${name} at 0x${addr.toString(16)}`);
    probes.push(kp);
  }
  return probes;
}

Deno.test("sparc64 kprobes on every instruction of schedule, __switch_to and scheduler_tick, 2 CPUs and preemption, change no result", async () => {
  const options: BootOptions = { cpus: 2, preempt: true };
  const want = await baseline(options);
  await using kernel = await Kernel.boot({ arch: "sparc64", ...options });
  const hits = new Map<bigint, number>();
  for (const name of ["schedule", "__switch_to", "scheduler_tick"]) {
    probeEveryWord(kernel, name, hits);
  }
  const r = kernel.run(LIMIT);
  assert.ok(r.completed, r.stopReason);
  assert.deepEqual(calls(r.syscalls), want.calls);
  assert.equal(kernel.incidents.oopses, 0);
  assert.ok(hits.size > 0);
});

// Two groups: the 8 KiB of slots hold 512 probes.
for (
  const names of [
    ["sys_open", "do_fork", "copy_thread", "__switch_to", "schedule_timeout"],
    ["schedule", "__wake_up", "sys_nanosleep", "do_syscall"],
  ]
) {
  Deno.test(`sparc64 kprobes on every instruction of ${names.join(", ")} change nothing`, async () => {
    const want = await baseline();
    await using kernel = await Kernel.boot({ arch: "sparc64" });
    const hits = new Map<bigint, number>();
    let n = 0;
    for (const name of names) n += probeEveryWord(kernel, name, hits).length;
    const r = kernel.run(LIMIT);
    assert.ok(r.completed, r.stopReason);
    assert.deepEqual(calls(r.syscalls), want.calls);
    assert.deepEqual(strip(kernel.log), want.log);
    assert.equal(kernel.incidents.oopses, 0);
    // Most words run (the error paths do not): each hit was stepped and resumed.
    assert.ok(hits.size > n / 3, `${hits.size} of ${n} probed words hit`);
  });
}

Deno.test("sparc64 return probes see %o0 as each call returns, and may change it", async () => {
  await using kernel = await Kernel.boot({ arch: "sparc64" });
  const opens: number[] = [];
  const forks: number[] = [];
  const onOpen: Kretprobe = {
    kp: { symbol_name: "sys_open" },
    handler: (_ri, regs) => {
      assert.ok(regs.arch === "sparc64");
      opens.push(Number(BigInt.asIntN(64, regs.u_regs[8])));
      return 0;
    },
    maxactive: 4,
  };
  const onFork: Kretprobe = {
    kp: { symbol_name: "do_fork" },
    handler: (_ri, regs) => {
      if (regs.arch === "sparc64") forks.push(Number(regs.u_regs[8]));
      return 0;
    },
  };
  const onGetpid: Kretprobe = {
    kp: { symbol_name: "sys_getpid" },
    handler: (_ri, regs) => {
      if (regs.arch === "sparc64") regs.u_regs[8] = 4242n;
      return 0;
    },
  };
  for (const rp of [onOpen, onFork, onGetpid]) assert.equal(kernel.registerKretprobe(rp), 0);
  const r = kernel.run(LIMIT);
  assert.ok(r.completed);
  assert.deepEqual(opens, r.syscalls.filter((s) => s.call === "open").map((s) => s.ret));
  assert.deepEqual(forks, r.syscalls.filter((s) => s.call === "fork").map((s) => s.ret));
  assert.ok(opens.includes(-2) && opens.includes(-13) && opens.includes(3));
  const pids = r.syscalls.filter((s) => s.call === "getpid").map((s) => s.ret);
  assert.ok(pids.length > 0);
  assert.ok(pids.every((p) => p === 4242), `getpid returned ${pids}`);
  assert.equal(onOpen.nmissed ?? 0, 0);
});

Deno.test("sparc64 jprobes get do_fork's six register arguments and sys_open's path", async () => {
  await using kernel = await Kernel.boot({ arch: "sparc64" });
  const seen: bigint[][] = [];
  const paths: string[] = [];
  const forkJp: Jprobe = {
    kp: { symbol_name: "do_fork" },
    // The handler gets as many arguments as it declares (Function.length).
    entry: (
      flags: bigint,
      stackStart: bigint,
      regs: bigint,
      size: bigint,
      p: bigint,
      c: bigint,
    ) => {
      seen.push([flags, stackStart, regs, size, p, c]);
      jprobe_return();
    },
  };
  const openJp: Jprobe = {
    kp: { symbol_name: "sys_open" },
    entry: (filename: bigint, _flags: bigint, _mode: bigint) => {
      paths.push(kernel.memory.readCString(filename, 64));
      jprobe_return();
    },
  };
  assert.equal(kernel.registerJprobe(forkJp), 0);
  assert.equal(kernel.registerJprobe(openJp), 0);
  const r = kernel.run(LIMIT);
  assert.ok(r.completed);
  assert.equal(seen.length, 3);
  for (const [flags, stackStart, regs, stackSize] of seen) {
    assert.equal(flags, BigInt(SIGCHLD));
    assert.equal(stackStart & 1n, 1n, "the user %sp, biased");
    assert.ok(regs >= 0x400000n, "regs points at the pt_regs on the kernel stack");
    assert.equal(stackSize, 0n);
  }
  assert.equal(paths.length, r.syscalls.filter((s) => s.call === "open").length);
  assert.ok(paths.every((p) => p.startsWith("/")), paths.join(", "));
});

Deno.test("sparc64 pre_handler sees tpc on the probe and tnpc after it; a post_handler the step done", async () => {
  await using kernel = await Kernel.boot({ arch: "sparc64" });
  const addr = kernel.kallsyms.lookupName("do_fork");
  const pcs: bigint[][] = [];
  const kp: Kprobe = {
    symbol_name: "do_fork",
    pre_handler: (_p, regs) => {
      if (regs.arch === "sparc64") pcs.push([regs.tpc, regs.tnpc, regs.tstate & 0x200n]);
      return 0;
    },
  };
  assert.equal(kernel.registerKprobe(kp), 0);
  kernel.run(LIMIT);
  assert.equal(pcs.length, 3);
  // PSTATE.IE is on at the hit: the kernel runs with PRIV | IE.
  for (const p of pcs) assert.deepEqual(p, [addr, addr + 4n, 0x200n]);
});
