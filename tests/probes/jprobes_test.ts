// Copyright 2026 the kprobes-sim authors. MIT license.
// Jprobes (spec §1.2, §4.2) through the public API.

import assert from "node:assert/strict";
import {
  EEXIST,
  EINVAL,
  type Jprobe,
  jprobe_return,
  kernel_write,
  type Kprobe,
  printk,
  register_jprobe,
} from "../../mod.ts";
import { boot, results } from "../_helpers.ts";

const CLONE_PARENT_SETTID = 0x00100000;
const SIGCHLD = 17;

Deno.test("register_jprobe() handler sees the probed function's arguments (x86_64 SysV registers)", async () => {
  await using kernel = await boot();
  const seen: bigint[][] = [];
  const jp: Jprobe = {
    kp: { symbol_name: "do_fork" },
    entry: (
      clone_flags: bigint,
      stack_start: bigint,
      regs: bigint,
      stack_size: bigint,
      ptid: bigint,
      ctid: bigint,
    ) => {
      seen.push([clone_flags, stack_start, regs, stack_size, ptid, ctid]);
      jprobe_return();
    },
  };
  await kernel.insmod({ name: "j", init_module: () => register_jprobe(jp) });
  const r = kernel.run({
    workload: {
      init: [
        { call: "fork" },
        { call: "clone", flags: SIGCHLD | CLONE_PARENT_SETTID, settid: true },
        { call: "wait4" },
        { call: "wait4" },
      ],
    },
  });
  assert.equal(seen.length, 2);
  assert.equal(seen[0][0], BigInt(SIGCHLD), "fork passes SIGCHLD");
  assert.equal(seen[1][0], BigInt(SIGCHLD | CLONE_PARENT_SETTID));
  assert.ok(seen[1][4] !== 0n, "parent_tidptr passed for CLONE_PARENT_SETTID");
  assert.ok(seen[0][2] >= 0xffffffff81000000n, "regs points at the pt_regs on the kernel stack");
  assert.equal(results(r.syscalls, "fork").filter((v) => v > 0).length, 1);
  assert.equal(results(r.syscalls, "clone").filter((v) => v > 0).length, 1);
});

Deno.test("jprobe handler may scribble on the stack and registers: the probed function is unaffected", async () => {
  const baseline = await boot();
  const expected = baseline.run().syscalls.map((s) => `${s.pid}:${s.call}=${s.ret}`);
  await baseline.shutdown();

  await using kernel = await boot();
  let calls = 0;
  const jp: Jprobe = {
    kp: { symbol_name: "do_fork" },
    entry: () => {
      calls++;
      const regs = kernel.ptRegs(0);
      assert.ok(regs.arch === "x86_64");
      // Trash MAX_STACK_SIZE (64) bytes from the stack pointer up, the return
      // address included, and the argument registers.
      for (let i = 0n; i < 8n; i++) kernel_write(regs.rsp + 8n * i, 8, 0xdeadbeefn);
      regs.rdi = 0n;
      regs.rdx = 0n;
      jprobe_return();
    },
  };
  assert.equal(kernel.registerJprobe(jp), 0);
  const got = kernel.run().syscalls.map((s) => `${s.pid}:${s.call}=${s.ret}`);
  assert.equal(calls, 3);
  assert.deepEqual(got, expected);
  assert.doesNotMatch(kernel.log, /Oops|BUG/);
});

Deno.test("a jprobe handler that returns without jprobe_return() is reported and the kernel goes on", async () => {
  await using kernel = await boot();
  const jp: Jprobe = { kp: { symbol_name: "do_fork" }, entry: function jdo_fork() {} };
  assert.equal(kernel.registerJprobe(jp), 0);
  const r = kernel.run();
  assert.ok(r.completed);
  assert.equal(
    kernel.log.match(/BUG: jprobe handler jdo_fork returned without calling jprobe_return\(\)/g)
      ?.length,
    3,
  );
  assert.equal(results(r.syscalls, "fork").filter((v) => v > 0).length, 3);
});

Deno.test("register_jprobe() allows one jprobe per function and only at its entry", async () => {
  await using kernel = await boot();
  const entry = () => jprobe_return();
  assert.equal(kernel.registerJprobe({ kp: { symbol_name: "do_fork" }, entry }), 0);
  assert.equal(kernel.registerJprobe({ kp: { symbol_name: "do_fork" }, entry }), -EEXIST);
  assert.equal(
    kernel.registerJprobe({ kp: { symbol_name: "sys_open", offset: 1 }, entry }),
    -EINVAL,
  );
});

Deno.test("kprobes and a jprobe at one address fire in Linux's order: kprobes newest first, the jprobe last", async () => {
  await using kernel = await boot();
  const order: string[] = [];
  const k1: Kprobe = {
    symbol_name: "do_fork",
    pre_handler: () => void order.push("k1"),
    post_handler: () => void order.push("post1"),
  };
  const jp: Jprobe = {
    kp: { symbol_name: "do_fork" },
    entry: () => {
      order.push("j");
      jprobe_return();
    },
  };
  const k2: Kprobe = { symbol_name: "do_fork", pre_handler: () => void order.push("k2") };
  assert.equal(kernel.registerKprobe(k1), 0);
  assert.equal(kernel.registerJprobe(jp), 0);
  assert.equal(kernel.registerKprobe(k2), 0);
  kernel.run({ workload: { init: [{ call: "fork" }, { call: "wait4" }] } });
  assert.deepEqual(order, ["k2", "k1", "j", "post1"]);
});

Deno.test("unregister_jprobe() restores the original instruction", async () => {
  await using kernel = await boot();
  const addr = kernel.kallsyms.lookupName("do_fork");
  const before = kernel.memory.readU8(addr);
  const jp: Jprobe = { kp: { addr }, entry: () => jprobe_return() };
  assert.equal(kernel.registerJprobe(jp), 0);
  assert.equal(kernel.memory.readU8(addr), 0xcc);
  kernel.unregisterJprobe(jp);
  assert.equal(kernel.memory.readU8(addr), before);
});

Deno.test("jprobe_return() ends the handler for the kernel: nothing it does afterwards reaches the kernel", async () => {
  await using kernel = await boot();
  let after = 0;
  const jp: Jprobe = {
    kp: { symbol_name: "do_fork" },
    entry: function jdo_fork() {
      printk("jprobe: before\n");
      jprobe_return();
      after++;
      printk("jprobe: after\n");
      jprobe_return();
    },
  };
  await kernel.insmod({ name: "m", init_module: () => register_jprobe(jp) });
  const r = kernel.run();
  assert.ok(r.completed);
  assert.equal(kernel.logLines.filter((l) => l.endsWith("jprobe: before")).length, 3);
  assert.equal(kernel.logLines.filter((l) => l.includes("jprobe: after")).length, 0);
  // The first kernel call after jprobe_return() ended the handler: reported as nothing.
  assert.equal(after, 3);
  assert.equal(kernel.incidents.handlerErrors, 0);
  assert.doesNotMatch(kernel.log, /BUG|threw/);
  assert.equal(results(r.syscalls, "fork").filter((v) => v > 0).length, 3);
});

Deno.test("a jprobe handler runs with the CPU at the trampoline's call-in, on every arch", async () => {
  for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
    await using kernel = await boot({ arch });
    const callIn = kernel.kallsyms.lookupName("jprobe_trampoline") + 8n;
    const seen: bigint[] = [];
    const jp: Jprobe = {
      kp: { symbol_name: "do_fork" },
      entry: () => {
        const regs = kernel.ptRegs(0);
        seen.push(
          regs.arch === "x86_64"
            ? regs.rip
            : regs.arch === "i386"
            ? BigInt(regs.eip)
            : regs.arch === "ppc64"
            ? regs.nip
            : regs.tpc,
        );
        jprobe_return();
      },
    };
    assert.equal(kernel.registerJprobe(jp), 0);
    assert.ok(kernel.run().completed);
    assert.equal(seen.length, 3, arch);
    for (const pc of seen) assert.equal(pc, callIn, arch);
  }
});

Deno.test("a jprobe hit leaves the kernel's results alone and costs the same instructions whether its handler looks at the CPU or not, on every arch", async () => {
  for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
    const baseline = await boot({ arch });
    const want = baseline.run();
    await baseline.shutdown();
    const expected = want.syscalls.map((s) => `${s.pid}:${s.call}=${s.ret}`);
    // Computing on the arguments only (the CPU is never touched), then
    // taking a pt_regs view and scribbling on it (the CPU is saved, sent to
    // the trampoline's call-in and restored).
    const counts: number[] = [];
    for (const looks of [false, true]) {
      await using kernel = await boot({ arch });
      const seen: bigint[] = [];
      const jp: Jprobe = {
        kp: { symbol_name: "do_fork" },
        entry: (clone_flags: bigint | number) => {
          seen.push(BigInt(clone_flags));
          if (looks) {
            const regs = kernel.ptRegs(kernel.currentCpu());
            // The first argument and the stack pointer.
            if (regs.arch === "x86_64") [regs.rdi, regs.rsp] = [0n, 8n];
            else if (regs.arch === "i386") [regs.eax, regs.esp] = [0, 8];
            else if (regs.arch === "ppc64") [regs.gpr[3], regs.gpr[1]] = [0n, 8n];
            else [regs.u_regs[8], regs.u_regs[14]] = [0n, 8n];
          }
          jprobe_return();
        },
      };
      assert.equal(kernel.registerJprobe(jp), 0);
      const got = kernel.run();
      assert.deepEqual(got.syscalls.map((s) => `${s.pid}:${s.call}=${s.ret}`), expected, arch);
      // A hit's own trap counts as an instruction: the same in both runs.
      counts.push(got.instructions);
      assert.equal(seen.length, 3, arch);
      assert.ok(seen.every((f) => (f & 0xffn) === BigInt(SIGCHLD)), `${arch} clone_flags`);
      assert.doesNotMatch(kernel.log, /Oops|BUG/, arch);
    }
    assert.equal(counts[0], counts[1], `${arch} instructions`);
  }
});
