// Copyright 2026 the kprobes-sim authors. MIT license.
// probeableFunctions() and globMatcher(): perf probe -F's list, from the
// Kprobes core's verdicts.

import assert from "node:assert/strict";
import { Kernel, KernelError } from "../../mod.ts";
import { globMatcher, probeableFunctions } from "../../probes/mod.ts";

for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
  Deno.test(`probeableFunctions() lists every function register_kprobe() accepts on ${arch}, sorted`, async () => {
    await using kernel = await Kernel.boot({ arch });
    const all = probeableFunctions(kernel);
    assert.deepEqual(all, [...all].sort());
    assert.equal(new Set(all).size, all.length);
    for (const fn of ["do_fork", "sys_open", "do_sys_open", "filp_open", "vfs_read", "vfs_write"]) {
      assert.ok(all.includes(fn), fn);
    }
    // The VFS path of 2.6.12, exactly.
    assert.deepEqual(probeableFunctions(kernel, "vfs_*"), ["vfs_read", "vfs_write"]);
    // Each listed name registers; each left-out text symbol is refused.
    for (const name of all) {
      const kp = { symbol_name: name };
      assert.equal(kernel.registerKprobe(kp), 0, name);
      kernel.unregisterKprobe(kp);
    }
    const excluded = ["kretprobe_trampoline", "jprobe_trampoline", "kprobe_flush_task"];
    excluded.push(
      ...(arch === "ppc64"
        ? ["system_call_common", "ret_from_except"]
        : arch === "sparc64"
        ? ["linux_sparc_syscall", "etrap", "rtrap"]
        : ["entry_INT80", "timer_interrupt"]),
    );
    for (const name of excluded) {
      assert.ok(!all.includes(name), name);
      assert.equal(kernel.registerKprobe({ symbol_name: name }), -22, name);
    }
    // ppc64: the names symbol_name takes, without the code symbols' dot.
    assert.ok(all.every((n) => !n.startsWith(".")));
  });
}

Deno.test("globMatcher() matches whole names with * and ?, everything else literal", () => {
  const m = globMatcher("sys_*");
  assert.ok(m("sys_open") && m("sys_") && !m("do_sys_open") && !m("xsys_open"));
  assert.ok(globMatcher("*open")("do_sys_open"));
  assert.ok(globMatcher("vfs_?ead")("vfs_read") && !globMatcher("vfs_?ead")("vfs_rread"));
  assert.ok(globMatcher("a.c")("a.c") && !globMatcher("a.c")("abc"));
  assert.ok(globMatcher("[x]")("[x]") && !globMatcher("[x]")("x"));
  assert.throws(() => globMatcher(""), KernelError);
});
