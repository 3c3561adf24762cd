// Copyright 2026 the kprobes-sim authors. MIT license.
// The handlers' raised preempt_count must not leak into the single-stepped
// instruction (issue 7): on ppc64, probe the store that ends .kmalloc's
// preempt_disable() (lwz/addi/stw of thread_info->preempt_count).

import assert from "node:assert/strict";
import { kernel_read, type Kprobe, msleep, type PtRegs } from "../../mod.ts";
import { boot } from "../_helpers.ts";

/** Address of the first `stw rX,16(rY)` after a `lwz rX,16(rY)` in `fn`. */
function preemptCountStore(kernel: Awaited<ReturnType<typeof boot>>, fn: string): bigint {
  const s = kernel.kallsyms.lookupSymbol(fn)!;
  let loaded = false;
  for (let a = s.address; a < s.address + s.size; a += 4n) {
    const w = kernel.memory.readU32(a);
    if (w >>> 26 === 32 && (w & 0xffff) === 16) loaded = true; // lwz rX,16(rY)
    if (loaded && w >>> 26 === 36 && (w & 0xffff) === 16) return a; // stw rX,16(rY)
  }
  throw new Error(`no preempt_count store in ${fn}`);
}

function preemptCount(regs: PtRegs): number {
  const r1 = (regs as unknown as { gpr: bigint[] }).gpr[1];
  return Number(kernel_read((r1 & ~0x3fffn) + 16n, 4));
}

Deno.test("a probed store of preempt_count writes the task's count, not the handler's raised one", async () => {
  const clean = await boot({ arch: "ppc64" });
  const want = clean.run().syscalls.map((s) => `${s.pid} ${s.call} ${s.ret}`);
  await clean.shutdown();

  await using kernel = await boot({ arch: "ppc64" });
  const pre: number[] = [];
  const post: number[] = [];
  const kp: Kprobe = {
    addr: preemptCountStore(kernel, ".kmalloc"),
    pre_handler: (_p, regs) => {
      pre.push(preemptCount(regs));
      msleep(1); // still atomic inside the handler
      return 0;
    },
    post_handler: (_p, regs) => {
      post.push(preemptCount(regs));
    },
  };
  await kernel.insmod({
    name: "stw",
    init_module: () => kernel.registerKprobe(kp),
    cleanup_module: () => kernel.unregisterKprobe(kp),
  });
  const r = kernel.run();
  assert.ok(r.completed);
  assert.ok(pre.length > 0);
  // Raised by one in both handlers; the store in between added the kernel's own one.
  assert.deepEqual(post.map((c, i) => c - pre[i]), pre.map(() => 1));
  assert.ok(pre.every((c) => c >= 1));
  assert.deepEqual(r.syscalls.map((s) => `${s.pid} ${s.call} ${s.ret}`), want);
  const bugs = kernel.logLines.filter((l) => l.includes("BUG: scheduling while atomic"));
  assert.equal(bugs.length, pre.length, "one BUG per msleep() in the handler, no other");
  kernel.rmmod("stw");
});
