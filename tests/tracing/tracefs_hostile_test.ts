// Copyright 2026 the kprobes-sim authors. MIT license.
// Bad input to tracefs never crashes the host: random kprobe_events text
// (seeded), odd paths, filters and values each get a number or a text back,
// and the kernel runs clean with whatever got defined.

import assert from "node:assert/strict";
import { Kernel } from "../../mod.ts";

const PIECES = [
  "p",
  "r",
  "r5",
  ":",
  "/",
  "g",
  "ev",
  " ",
  "do_fork",
  "sys_open",
  "+",
  "-",
  "0x10",
  "%return",
  "%ax",
  "%r3",
  "$arg1",
  "$arg9",
  "$stack",
  "$stack3",
  "$retval",
  "$comm",
  "@",
  "@linux_banner",
  "@0x10",
  "+0(",
  "-4(",
  "+u8(",
  ")",
  "string",
  "ustring",
  "symstr",
  "symbol",
  "u8",
  "s64",
  "x32",
  "char",
  "[",
  "]",
  "3",
  "b3@2/8",
  "=",
  "a",
  "\\",
  '\\"x"',
  "\\12",
  "\u00e9",
  "\0",
  "\n",
  "#",
  "-:",
  "\u{1f600}",
  "99999999999999999999999",
];

Deno.test("tracefs write() answers every random kprobe_events text with a number, and runs clean", async () => {
  for (const arch of ["x86_64", "ppc64", "sparc64"] as const) {
    await using kernel = await Kernel.boot({ arch });
    const fs = kernel.tracefs;
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let defined = 0;
    for (let i = 0; i < 600; i++) {
      let cmd = "";
      for (let j = 1 + rnd(10); j > 0; j--) cmd += PIECES[rnd(PIECES.length)];
      const r = fs.write("kprobe_events", cmd, { append: rnd(4) !== 0 });
      assert.equal(typeof r, "number", JSON.stringify(cmd));
      if (r > 0) defined++;
      fs.read("error_log");
    }
    assert.ok(defined > 0, "some random definitions are valid");
    fs.write("events/enable", "1");
    kernel.run();
    fs.read("trace");
    assert.deepEqual(kernel.incidents, { oopses: 0, panics: 0, handlerErrors: 0, lockups: 0 });
  }
});

Deno.test("tracefs refuses odd paths and values with an errno or a KernelError", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  fs.write("kprobe_events", "p:e do_fork");
  for (
    const [path, text] of [
      ["events/kprobes/e/enable", "yes"],
      ["events/kprobes/e/enable", "-1"],
      ["tracing_on", "on"],
      ["buffer_size_kb", "0"],
      ["buffer_size_kb", "99999999999"],
      ["events/kprobes/e/id", "1"],
      ["events/kprobes/nosuch/enable", "1"],
      ["../../etc/passwd", "x"],
    ]
  ) {
    const r = fs.write(path, text);
    assert.ok(r < 0, `${path} <- ${text}: ${r}`);
  }
  assert.throws(() => fs.read("events/kprobes/nosuch/format"), /Cannot read tracefs file/);
  assert.throws(() => fs.read(""), /Cannot read tracefs file/);
  await kernel.shutdown();
  assert.throws(() => kernel.tracefs, /the kernel has been shut down/);
});
