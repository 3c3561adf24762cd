// Copyright 2026 the kprobes-sim authors. MIT license.
// An unknown symbol_name is named, with the closest kallsyms function names
// suggested, in the kernel log and in insmod's ModuleError (issue 8, part 6).

import assert from "node:assert/strict";
import {
  ENOENT,
  type Kernel,
  ModuleError,
  register_jprobe,
  register_kprobe,
  register_kretprobe,
} from "../../mod.ts";
import { boot } from "../_helpers.ts";

async function insmodError(kernel: Kernel, init: () => number): Promise<string> {
  try {
    await kernel.insmod({ name: "typo", init_module: init });
  } catch (err) {
    assert.ok(err instanceof ModuleError);
    return err.message;
  }
  assert.fail("insmod succeeded");
}

for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
  Deno.test(`insmod names an unknown symbol and suggests the nearest function on ${arch}`, async () => {
    await using kernel = await boot({ arch });
    const msg = await insmodError(kernel, () => register_kprobe({ symbol_name: "do_frok" }));
    assert.equal(
      msg,
      'Cannot insert module "typo": init_module returned -2 (ENOENT): unknown symbol "do_frok" (did you mean do_fork?)',
    );
    assert.match(kernel.log, /kprobes: unknown symbol do_frok \(did you mean do_fork\?\)$/m);
    // ppc64's dot symbols: the suggestion is the name symbol_name takes.
    assert.doesNotMatch(kernel.log, /did you mean \./);
  });
}

Deno.test("kallsyms.suggest() ranks by edit distance, at most 3, text symbols only", async () => {
  await using kernel = await boot({ arch: "ppc64" });
  assert.deepEqual(kernel.kallsyms.suggest("do_frok"), ["do_fork"]);
  assert.deepEqual(kernel.kallsyms.suggest(".do_frok"), ["do_fork"]);
  assert.deepEqual(kernel.kallsyms.suggest("sys_opne"), ["sys_open"]);
  assert.deepEqual(kernel.kallsyms.suggest("qwertyuiop_zxcvbnm"), []);
  assert.deepEqual(kernel.kallsyms.suggest("do_fork"), [], "an exact name is no suggestion");
  assert.ok(kernel.kallsyms.suggest("sys_").length <= 3);
  assert.deepEqual(kernel.kallsyms.suggest(""), []);
});

Deno.test("return probes and jprobes on a misspelt function get the same message", async () => {
  await using kernel = await boot();
  assert.match(
    await insmodError(kernel, () => register_kretprobe({ kp: { symbol_name: "sys_opne" } })),
    /ENOENT\): unknown symbol "sys_opne" \(did you mean sys_open\?\)$/,
  );
  assert.match(
    await insmodError(
      kernel,
      () => register_jprobe({ kp: { symbol_name: "do_exeve" }, entry: () => 0 }),
    ),
    /ENOENT\): unknown symbol "do_exeve" \(did you mean do_execve\?\)$/,
  );
});

Deno.test("no suggestion: the symbol is still named; an -ENOENT of the module's own is left alone", async () => {
  await using kernel = await boot();
  assert.match(
    await insmodError(kernel, () => register_kprobe({ symbol_name: "qwertyuiop_zxcvbnm" })),
    /ENOENT\): unknown symbol "qwertyuiop_zxcvbnm"$/,
  );
  assert.match(kernel.log, /kprobes: unknown symbol qwertyuiop_zxcvbnm$/m);
  // The last registration succeeded: the module's own -ENOENT names nothing.
  const msg = await insmodError(kernel, () => {
    register_kprobe({ symbol_name: "do_frok" });
    register_kprobe({ symbol_name: "do_fork" });
    return -ENOENT;
  });
  assert.equal(msg, 'Cannot insert module "typo": init_module returned -2 (ENOENT)');
});
