// Copyright 2026 the kprobes-sim authors. MIT license.
// Every example, inserted through mod.ts, prints what the spec says it prints.

import assert from "node:assert/strict";
import { Kernel } from "../mod.ts";

const examples = new URL("../examples/", import.meta.url);

Deno.test("examples/kprobe_example.ts prints pre/post lines and a do_fork call trace per fork (§8)", async () => {
  await using kernel = await Kernel.boot();
  const info = await kernel.insmod(new URL("kprobe_example.ts", examples));
  assert.equal(info.name, "kprobe_example");
  const r = kernel.run();
  kernel.rmmod("kprobe_example");
  const log = kernel.log;
  const forks = r.syscalls.filter((s) => s.call === "fork").length;
  assert.equal(forks, 3);
  assert.equal(log.match(/pre_handler: p->addr=0x/g)?.length, forks);
  assert.equal(log.match(/post_handler: p->addr=0x/g)?.length, forks);
  // The trace starts at the trapped rip, just past the int3 at do_fork+0x0.
  assert.equal(log.match(/\] do_fork\+0x1\/0x[0-9a-f]+\n.*\] sys_fork\+/g)?.length, forks);
  assert.match(log, /kprobe registered[\s\S]*kprobe unregistered/);
  // x86: regs->rip in a pre_handler is just past the int3, as in Linux.
  const addr = kernel.kallsyms.lookupName("do_fork");
  const rip = (addr + 1n).toString(16);
  assert.match(
    log,
    new RegExp(`pre_handler: p->addr=0x${addr.toString(16)}, rip=${rip}, eflags=0x[0-9a-f]+`),
  );
});

Deno.test("examples/jprobe_example.ts dumps do_fork's arguments per fork (§9)", async () => {
  await using kernel = await Kernel.boot();
  await kernel.insmod(new URL("jprobe_example.ts", examples));
  const r = kernel.run();
  kernel.rmmod("jprobe_example");
  const log = kernel.log;
  const forks = r.syscalls.filter((s) => s.call === "fork" && s.ret > 0).length;
  assert.equal(forks, 3);
  assert.match(log, /Planted jprobe at ffffffff8[0-9a-f]+, handler addr ffffffff8[0-9a-f]+/);
  // fork() is do_fork(SIGCHLD, regs->rsp, regs, 0, NULL, NULL).
  assert.equal(
    log.match(/jprobe: clone_flags=0x11, stack_size=0x0, regs=0xffffffff8[0-9a-f]+\n/g)?.length,
    forks,
  );
  assert.match(log, /jprobe unregistered/);
});

Deno.test("examples/kretprobe_example.ts reports failed sys_open calls and the missed count (§10)", async () => {
  await using kernel = await Kernel.boot();
  await kernel.insmod(new URL("kretprobe_example.ts", examples));
  const r = kernel.run();
  kernel.rmmod("kretprobe_example");
  const log = kernel.log;
  const failed = r.syscalls.filter((s) => s.call === "open" && s.ret < 0).map((s) => s.ret);
  assert.deepEqual(failed, [-2, -13, -2, -13, -2, -13]);
  const reported = [...log.matchAll(/sys_open returns (-\d+)/g)].map((m) => Number(m[1]));
  assert.deepEqual(reported, failed);
  assert.match(log, /Planted return probe at ffffffff8[0-9a-f]+/);
  assert.match(log, /kretprobe unregistered\n.*Missed probing 0 instances of sys_open\n/);
});

Deno.test("examples/kprobe_example_6x.ts takes its symbol as a module parameter, as the C sample does", async () => {
  await using kernel = await Kernel.boot();
  await kernel.insmod(new URL("kprobe_example_6x.ts", examples), { params: { symbol: "do_exit" } });
  const r = kernel.run();
  kernel.rmmod("kprobe_example_6x");
  const exits = r.syscalls.filter((s) => s.call === "fork").length;
  assert.equal(kernel.log.match(/handler_pre: <do_exit> p->addr = /g)?.length, exits);
  assert.doesNotMatch(kernel.log, /<do_fork>/);
});

for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
  Deno.test(`examples/kprobe_example_6x.ts (Linux 6.1's sample) prints ip/flags, nip/msr or tpc/tstate per fork on ${arch}`, async () => {
    await using kernel = await Kernel.boot({ arch });
    const info = await kernel.insmod(new URL("kprobe_example_6x.ts", examples));
    assert.equal(info.name, "kprobe_example_6x");
    const r = kernel.run();
    kernel.rmmod("kprobe_example_6x");
    const log = kernel.log;
    const forks = r.syscalls.filter((s) => s.call === "fork").length;
    assert.equal(forks, 3);
    const addr = kernel.kallsyms.lookupName("do_fork");
    const hex = addr.toString(16);
    const ptr = hex.padStart(arch === "i386" ? 8 : 16, "0"); // %p: the pointer width
    // x86: regs->ip is just past the int3; ppc64 nip and sparc64 tpc: the trap itself.
    const pre = arch === "ppc64"
      ? `handler_pre: <do_fork> p->addr = 0x${ptr}, nip = 0x${hex}, msr = 0x[0-9a-f]+\n`
      : arch === "sparc64"
      ? `handler_pre: <do_fork> p->addr = 0x${ptr}, tpc = 0x${hex}, tstate = 0x[0-9a-f]+\n`
      : `handler_pre: <do_fork> p->addr = 0x${ptr}, ip = ${
        (addr + 1n).toString(16)
      }, flags = 0x[0-9a-f]+\n`;
    assert.equal(log.match(new RegExp(pre, "g"))?.length, forks);
    const post = arch === "ppc64" ? "msr" : arch === "sparc64" ? "tstate" : "flags";
    assert.equal(
      log.match(
        new RegExp(`handler_post: <do_fork> p->addr = 0x${ptr}, ${post} = 0x[0-9a-f]+\n`, "g"),
      )
        ?.length,
      forks,
    );
    assert.match(
      log,
      new RegExp(
        `kprobe_init: Planted kprobe at ${ptr}\n[\\s\\S]*kprobe_exit: kprobe at ${ptr} unregistered\n`,
      ),
    );
    assert.equal(kernel.incidents.handlerErrors, 0);
  });

  Deno.test(`examples/kretprobe_example_6x.ts (Linux 6.1's sample) times each do_fork in ns on ${arch}`, async () => {
    await using kernel = await Kernel.boot({ arch });
    await kernel.insmod(new URL("kretprobe_example_6x.ts", examples));
    const r = kernel.run();
    kernel.rmmod("kretprobe_example_6x");
    const log = kernel.log;
    const pids = r.syscalls.filter((s) => s.call === "fork").map((s) => s.ret);
    const lines = [...log.matchAll(/do_fork returned (\d+) and took (\d+) ns to execute\n/g)];
    assert.deepEqual(lines.map((m) => Number(m[1])), pids);
    // ktime_get() has nanosecond resolution: a fork takes some microseconds.
    for (const m of lines) assert.ok(Number(m[2]) > 100 && Number(m[2]) < 1_000_000, m[0]);
    const hex = kernel.kallsyms.lookupName("do_fork").toString(16)
      .padStart(arch === "i386" ? 8 : 16, "0");
    assert.match(log, new RegExp(`Planted return probe at do_fork: ${hex}\n`));
    assert.match(
      log,
      new RegExp(`kretprobe at ${hex} unregistered\n.*Missed probing 0 instances of do_fork\n`),
    );
    assert.equal(kernel.incidents.handlerErrors, 0);
  });
}

Deno.test("examples/kprobe_example.ts on sparc64 prints tpc (the ta 0x70 itself) and tstate, the trace from do_fork+0x0", async () => {
  await using kernel = await Kernel.boot({ arch: "sparc64" });
  await kernel.insmod(new URL("kprobe_example.ts", examples));
  const r = kernel.run();
  kernel.rmmod("kprobe_example");
  const log = kernel.log;
  const forks = r.syscalls.filter((s) => s.call === "fork").length;
  assert.equal(forks, 3);
  const hex = kernel.kallsyms.lookupName("do_fork").toString(16);
  const ptr = hex.padStart(16, "0"); // %p prints the full pointer width
  assert.equal(
    log.match(new RegExp(`pre_handler: p->addr=0x${ptr}, tpc=0x${hex}, tstate=0x[0-9a-f]+\n`, "g"))
      ?.length,
    forks,
  );
  assert.equal(
    log.match(new RegExp(`post_handler: p->addr=0x${ptr}, tstate=0x[0-9a-f]+\n`, "g"))?.length,
    forks,
  );
  assert.equal(log.match(/\] do_fork\+0x0\/0x[0-9a-f]+\n.*\] sys_fork\+/g)?.length, forks);
  assert.equal(kernel.incidents.handlerErrors, 0);
});
