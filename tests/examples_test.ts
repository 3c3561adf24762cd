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
