// Copyright 2026 the kprobes-sim authors. MIT license.
// The Kprobes core and the x86 half through the public API (spec §1.1, §4.1,
// §4.4, §5).

import assert from "node:assert/strict";
import {
  EEXIST,
  EILSEQ,
  EINVAL,
  ENOENT,
  jprobe_return,
  kernel_read,
  type Kprobe,
  printk,
  register_kprobe,
  register_kprobes,
  unregister_kprobe,
} from "../../mod.ts";
import { DIE_PAGE_FAULT } from "../../kernel-model/mod.ts";
import { boot, findInsn, instructionsOf, results } from "../_helpers.ts";

Deno.test("register_kprobe() writes int3 into text and unregister_kprobe() restores the bytes", async () => {
  await using kernel = await boot({ kprobesOptimization: false }); // int3 mechanics
  const addr = kernel.kallsyms.lookupName("do_fork");
  const before = kernel.memory.readBytes(addr, 4);
  const kp: Kprobe = { addr };
  assert.equal(kernel.registerKprobe(kp), 0);
  assert.equal(kernel.memory.readU8(addr), 0xcc);
  assert.deepEqual(kernel.memory.readBytes(addr + 1n, 3), before.subarray(1));
  kernel.unregisterKprobe(kp);
  assert.deepEqual(kernel.memory.readBytes(addr, 4), before);
});

Deno.test("pre_handler and post_handler run once per do_fork, in order", async () => {
  await using kernel = await boot();
  const events: string[] = [];
  const kp: Kprobe = {
    symbol_name: "do_fork",
    pre_handler: (p, regs) => {
      // x86: the saved rip is just past the int3, as in Linux.
      if (regs.arch !== "x86_64") throw new Error("an x86_64 test");
      assert.equal(regs.rip, BigInt(p.addr!) + 1n);
      events.push("pre");
      return 0;
    },
    post_handler: () => {
      events.push("post");
    },
  };
  await kernel.insmod({
    name: "order",
    init_module: () => register_kprobe(kp),
    cleanup_module: () => unregister_kprobe(kp),
  });
  const r = kernel.run();
  assert.ok(r.completed);
  assert.deepEqual(events, ["pre", "post", "pre", "post", "pre", "post"]);
  assert.equal(results(r.syscalls, "fork").filter((v) => v > 0).length, 3);
  assert.equal(kp.nmissed, 0);
});

Deno.test("register_kprobe() refuses bad addresses with Linux's errno", async () => {
  await using kernel = await boot();
  const doFork = kernel.kallsyms.lookupName("do_fork");
  const insns = instructionsOf(kernel, "do_fork");
  const multi = insns.find((i) => i.length > 1)!;
  assert.equal(
    kernel.registerKprobe({ addr: multi.addr + 1n }),
    -EILSEQ,
    "off an instruction boundary",
  );
  assert.equal(
    kernel.registerKprobe({ symbol_name: "kretprobe_trampoline" }),
    -EINVAL,
    ".kprobes.text",
  );
  assert.equal(kernel.registerKprobe({ symbol_name: "no_such_symbol" }), -ENOENT);
  assert.equal(kernel.registerKprobe({ addr: 0x1000n }), -EINVAL, "not kernel text");
  assert.equal(kernel.registerKprobe({}), -EINVAL, "no address");
  assert.equal(kernel.registerKprobe({ addr: doFork, symbol_name: "do_fork" }), -EINVAL, "both");
  const kp: Kprobe = { addr: doFork };
  assert.equal(kernel.registerKprobe(kp), 0);
  assert.equal(kernel.registerKprobe(kp), -EINVAL, "registered twice");
  const jp1: Kprobe = { addr: doFork, break_handler: () => 0 };
  const jp2: Kprobe = { addr: doFork, break_handler: () => 0 };
  assert.equal(kernel.registerKprobe(jp1), 0);
  assert.equal(kernel.registerKprobe(jp2), -EEXIST, "second break handler at one address");
});

Deno.test("register_kprobe() with symbol_name and offset probes mid-function", async () => {
  await using kernel = await boot();
  const insns = instructionsOf(kernel, "sys_open");
  const third = insns[2];
  const offset = Number(third.addr - insns[0].addr);
  let hits = 0;
  const kp: Kprobe = { symbol_name: "sys_open", offset, pre_handler: () => void hits++ };
  assert.equal(kernel.registerKprobe(kp), 0);
  assert.equal(kp.addr, third.addr);
  const r = kernel.run();
  assert.equal(hits, results(r.syscalls, "open").length);
});

Deno.test("several kprobes at one address all fire newest first, and unregistering one keeps the others", async () => {
  await using kernel = await boot({ kprobesOptimization: false }); // int3 mechanics
  const order: string[] = [];
  const a: Kprobe = { symbol_name: "do_fork", pre_handler: () => void order.push("a") };
  const b: Kprobe = { symbol_name: "do_fork", pre_handler: () => void order.push("b") };
  const addr = kernel.kallsyms.lookupName("do_fork");
  const original = kernel.memory.readU8(addr);
  assert.equal(kernel.registerKprobe(a), 0);
  assert.equal(kernel.registerKprobe(b), 0);
  kernel.run({ workload: { init: [{ call: "fork" }, { call: "wait4" }] } });
  assert.deepEqual(order, ["b", "a"], "Linux runs the newest probe's handlers first");
  kernel.unregisterKprobe(a);
  assert.equal(kernel.memory.readU8(addr), 0xcc);
  kernel.run({ workload: { init: [{ call: "fork" }, { call: "wait4" }] } });
  assert.deepEqual(order, ["b", "a", "b"]);
  kernel.unregisterKprobe(b);
  assert.equal(kernel.memory.readU8(addr), original);
});

Deno.test("a probe hit inside a handler runs no handler and counts nmissed (§5)", async () => {
  await using kernel = await boot();
  let printkHits = 0;
  const onPrintk: Kprobe = { symbol_name: "printk", pre_handler: () => void printkHits++ };
  const onFork: Kprobe = {
    symbol_name: "do_fork",
    pre_handler: () => {
      printk("<6>fork seen\n");
      return 0;
    },
  };
  await kernel.insmod({
    name: "reenter",
    init_module: () => register_kprobes([onPrintk, onFork], 2),
  });
  const hitsAfterInsmod = printkHits;
  kernel.run({ workload: { init: [{ call: "fork" }, { call: "wait4" }] } });
  assert.equal(onPrintk.nmissed, 1, "the handler's printk hit the printk probe once");
  assert.ok(printkHits >= hitsAfterInsmod, "guest printk calls still run the handler");
  assert.match(kernel.log, /fork seen/);
});

Deno.test("writes to regs change the guest (fault injection, §5)", async () => {
  await using kernel = await boot();
  // sys_open(filename, flags, mode): make every path NULL, so open fails with -EFAULT.
  const kp: Kprobe = {
    symbol_name: "sys_open",
    pre_handler: (_p, regs) => {
      if (regs.arch !== "x86_64") throw new Error("an x86_64 test");
      regs.rdi = 0n;
      return 0;
    },
  };
  assert.equal(kernel.registerKprobe(kp), 0);
  const r = kernel.run();
  const opens = results(r.syscalls, "open");
  assert.ok(opens.length > 0);
  assert.ok(opens.every((v) => v === -14), `all opens fail with -EFAULT: ${opens}`);
});

Deno.test("probes on relative calls, conditional jumps and RIP-relative loads keep the kernel correct", async () => {
  const baseline = await boot();
  const expected = baseline.run().syscalls.map((s) => `${s.pid}:${s.call}=${s.ret}`);
  await baseline.shutdown();

  await using kernel = await boot();
  const picks = [
    findInsn(kernel, "sys_fork", (i) => i.mnemonic === "call"),
    findInsn(kernel, "do_sys_open", (i) => i.mnemonic.startsWith("j") && i.mnemonic !== "jmp"),
    findInsn(kernel, "do_fork", (i) => i.ripRelative),
    findInsn(kernel, "schedule", (i) => i.ripRelative),
    findInsn(kernel, "do_fork", (i) => i.mnemonic === "ret"),
  ];
  const hits = new Map<bigint, number>();
  for (const pick of picks) {
    const kp: Kprobe = {
      addr: pick.addr,
      pre_handler: (p) => void hits.set(BigInt(p.addr!), (hits.get(BigInt(p.addr!)) ?? 0) + 1),
    };
    assert.equal(
      kernel.registerKprobe(kp),
      0,
      `probe ${pick.mnemonic} at ${pick.addr.toString(16)}`,
    );
  }
  const got = kernel.run().syscalls.map((s) => `${s.pid}:${s.call}=${s.ret}`);
  assert.deepEqual(got, expected);
  for (const pick of picks) {
    assert.ok((hits.get(pick.addr) ?? 0) > 0, `${pick.mnemonic} probe fired`);
  }
});

Deno.test("fault_handler gets trap 14 for a fault in a pre_handler, and the kernel goes on", async () => {
  await using kernel = await boot();
  const traps: number[] = [];
  const kp: Kprobe = {
    symbol_name: "do_fork",
    pre_handler: () => {
      kernel_read(8n, 8);
      return 0;
    },
    fault_handler: (_p, _regs, trapnr) => {
      traps.push(trapnr);
      return 1;
    },
  };
  await kernel.insmod({ name: "faulty", init_module: () => register_kprobe(kp) });
  const r = kernel.run();
  assert.ok(r.completed);
  assert.deepEqual(traps, [14, 14, 14]);
});

Deno.test("a fault in a handler with no fault_handler is an Oops: logged and counted in incidents", async () => {
  await using kernel = await boot();
  const kp: Kprobe = {
    symbol_name: "do_fork",
    pre_handler: () => {
      kernel_read(8n, 8);
      return 0;
    },
  };
  await kernel.insmod({ name: "faulty", init_module: () => register_kprobe(kp) });
  const r = kernel.run();
  assert.ok(r.completed);
  assert.equal(
    kernel.logLines.filter((l) => /BUG: unable to handle kernel NULL pointer dereference/.test(l))
      .length,
    3,
  );
  assert.equal(kernel.incidents.oopses, 3);
});

Deno.test("fault_handler gets trap 14 when the single-stepped instruction faults", async () => {
  await using kernel = await boot();
  // Find the user-copy instruction that faults on a bad user pointer (it is
  // fixed up through __ex_table): watch the die chain during one bad open.
  const faults: bigint[] = [];
  const nb = {
    notifier_call: (val: number, args: { cpu: { id: number } }) => {
      const regs = kernel.ptRegs(args.cpu.id);
      if (val === DIE_PAGE_FAULT && regs.arch === "x86_64") faults.push(regs.rip);
      return 0;
    },
  };
  kernel.dieChain.register(nb);
  const bad = { init: [{ call: "open" as const, path: 0x900000 }] };
  assert.deepEqual(results(kernel.run({ workload: bad }).syscalls, "open"), [-14]);
  kernel.dieChain.unregister(nb);
  assert.equal(faults.length, 1);
  // Probe that instruction: now the fault happens while it is single-stepped.
  const traps: number[] = [];
  let pre = 0;
  const kp: Kprobe = {
    addr: faults[0],
    pre_handler: () => void pre++,
    fault_handler: (_p, _regs, trapnr) => {
      traps.push(trapnr);
      return 0; // not handled: the kernel's own fixup runs
    },
  };
  assert.equal(kernel.registerKprobe(kp), 0);
  assert.deepEqual(results(kernel.run({ workload: bad }).syscalls, "open"), [-14]);
  assert.equal(pre, 1);
  assert.deepEqual(traps, [14]);
  // Good pointers still copy correctly through the probed instruction.
  assert.deepEqual(
    results(
      kernel.run({ workload: { init: [{ call: "open", path: "/etc/passwd" }] } }).syscalls,
      "open",
    ),
    [3],
  );
});

Deno.test("a guest fault caused by a handler oopses the task and the kernel keeps running", async () => {
  await using kernel = await boot({ kprobesOptimization: false }); // int3 mechanics
  const kp: Kprobe = {
    symbol_name: "do_execve",
    pre_handler: (_p, regs) => {
      if (regs.arch !== "x86_64") throw new Error("an x86_64 test");
      regs.rip = 0n; // jump to NULL: an instruction fetch page fault
      return 1; // we changed rip: skip the single-step
    },
  };
  assert.equal(kernel.registerKprobe(kp), 0);
  const r = kernel.run();
  assert.ok(r.completed, "init still reaps its children");
  assert.match(
    kernel.log,
    /BUG: unable to handle kernel NULL pointer dereference at 0000000000000000/,
  );
  assert.match(kernel.log, /Call Trace:/);
  assert.equal(results(r.syscalls, "wait4").length, 3);
});

Deno.test("a probe registered after the code ran (warm decode cache) still fires", async () => {
  await using kernel = await boot();
  kernel.run();
  let hits = 0;
  const kp: Kprobe = { symbol_name: "do_fork", pre_handler: () => void hits++ };
  assert.equal(kernel.registerKprobe(kp), 0);
  kernel.run();
  assert.equal(hits, 3);
  kernel.unregisterKprobe(kp);
  kernel.run();
  assert.equal(hits, 3, "and stops firing once unregistered");
});

Deno.test("a handler that throws is reported with a call trace and the kernel goes on", async () => {
  await using kernel = await boot();
  let calls = 0;
  const kp: Kprobe = {
    symbol_name: "do_fork",
    pre_handler: () => {
      calls++;
      throw new TypeError("oops in my handler");
    },
  };
  await kernel.insmod({ name: "thrower", init_module: () => register_kprobe(kp) });
  const r = kernel.run();
  assert.ok(r.completed);
  assert.equal(calls, 3);
  assert.equal(
    results(r.syscalls, "fork").filter((v) => v > 0).length,
    3,
    "the forks still succeed",
  );
  assert.equal(
    kernel.log.match(/kprobes: pre_handler of thrower threw TypeError: oops in my handler/g)
      ?.length,
    3,
  );
  assert.match(kernel.log, /threw TypeError[^\n]*\n.*Pid: 1, comm: init[^\n]*\n.*Call Trace:/);
});

Deno.test("register_kprobe() returns -EINVAL for arguments of the wrong type, never throws", async () => {
  await using kernel = await boot();
  for (const bad of [null, "do_fork", { addr: 1.5 }, { addr: "abc" }, { symbol_name: 7 }]) {
    assert.equal(kernel.registerKprobe(bad as never), -EINVAL, JSON.stringify(bad));
  }
  assert.equal(kernel.registerKprobe({ symbol_name: "do_fork", offset: 0.5 }), -EINVAL);
  assert.equal(kernel.registerKprobe({ symbol_name: "do_fork", pre_handler: 1 as never }), -EINVAL);
  assert.equal(kernel.kprobesList(), "");
});

Deno.test("a handler that throws an unprintable value is reported and the run goes on", async () => {
  await using kernel = await boot();
  const kp: Kprobe = {
    symbol_name: "do_fork",
    pre_handler: () => {
      throw Object.create(null);
    },
  };
  await kernel.insmod({ name: "thrower", init_module: () => register_kprobe(kp) });
  assert.ok(kernel.run().completed);
  assert.equal(
    kernel.log.match(/kprobes: pre_handler of thrower threw \[object null prototype\]/g)?.length,
    3,
  );
});

Deno.test("a pre_handler result that is not a number is a BUG and counts as 0: the step still runs", async () => {
  await using kernel = await boot();
  let posts = 0;
  const kp: Kprobe = {
    symbol_name: "do_fork",
    pre_handler: function handler_pre() {
      return "abc" as never;
    },
    post_handler: () => void posts++,
  };
  await kernel.insmod({ name: "junk", init_module: () => register_kprobe(kp) });
  const r = kernel.run();
  assert.equal(results(r.syscalls, "fork").filter((v) => v > 0).length, 3);
  assert.equal(posts, 3, "the single-step and post_handler ran");
  assert.match(
    kernel.log,
    /BUG: kprobes: pre_handler handler_pre of junk returned "abc", not an int: treated as 0/,
  );
  assert.equal(kernel.incidents.handlerErrors, 3, "a BUG is not a clean run: the CLI exits 3");
});

Deno.test("Kernel.boot() gives a clear error for a file that is not an ELF image", async () => {
  await assert.rejects(
    () => boot({ image: new TextEncoder().encode("not an elf at all, just text padding to size") }),
    (e: unknown) =>
      e instanceof Error && e.name === "ElfError" && /Cannot parse ELF/.test(e.message),
  );
  await assert.rejects(
    () => boot({ image: "/no/such/vmlinux" }),
    /Cannot read kernel image "\/no\/such\/vmlinux"/,
  );
  await assert.rejects(
    () =>
      boot({
        arch: "i386",
        image: new URL("../../kernel-model/vmlinux/images/vmlinux-x86_64", import.meta.url),
      }),
    /Cannot boot .* as i386: it is an ELF64/,
  );
});

Deno.test("Kernel.kprobesList() marks kprobes k, jprobes j and return probes r; setKprobesEnabled() disarms all", async () => {
  await using kernel = await boot({ kprobesOptimization: false }); // int3 mechanics
  let hits = 0;
  const kp: Kprobe = { symbol_name: "do_fork", pre_handler: () => void hits++ };
  assert.equal(kernel.registerKprobe(kp), 0);
  assert.equal(
    kernel.registerJprobe({ kp: { symbol_name: "sys_open" }, entry: () => jprobe_return() }),
    0,
  );
  assert.equal(kernel.registerKretprobe({ kp: { symbol_name: "do_execve" } }), 0);
  const list = kernel.kprobesList();
  assert.match(list, /^ffffffff8[0-9a-f]+ {2}k {2}do_fork\+0x0$/m);
  assert.match(list, /^ffffffff8[0-9a-f]+ {2}j {2}sys_open\+0x0$/m);
  assert.match(list, /^ffffffff8[0-9a-f]+ {2}r {2}do_execve\+0x0$/m);
  const addr = BigInt(kp.addr!);
  kernel.setKprobesEnabled(false);
  assert.equal(kernel.kprobesEnabled, false);
  assert.notEqual(kernel.memory.readU8(addr), 0xcc);
  kernel.run();
  assert.equal(hits, 0);
  kernel.setKprobesEnabled(true);
  assert.equal(kernel.memory.readU8(addr), 0xcc);
  kernel.run();
  assert.equal(hits, 3);
});
