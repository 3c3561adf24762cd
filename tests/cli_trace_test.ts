// Copyright 2026 the kprobes-sim authors. MIT license.
// `cli.ts trace`: output and exit codes, run as a user would.

import assert from "node:assert/strict";
import { cli } from "./_cli.ts";

Deno.test("cli trace prints trace_pipe lines of entry and return events", async () => {
  const r = await cli(
    "trace",
    "p:myopen sys_open path=+0($arg1):ustring flags=$arg2:x32",
    "r:myret sys_open ret=$retval:s64",
  );
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 18);
  assert.match(
    lines[0],
    /^ {12}init-2 {7}\[000\] d\.\.1\. {5}0\.\d{6}: myopen: \(sys_open\+0x0\/0x[0-9a-f]+\) path="\/etc\/passwd" flags=0x0$/,
  );
  assert.match(
    lines[3],
    /: myret: \(do_syscall\+0x[0-9a-f]+\/0x[0-9a-f]+ <- sys_open\) ret=-2$/,
  );
});

Deno.test("cli trace --filter and --profile on ppc64", async () => {
  const r = await cli(
    "trace",
    "--arch",
    "ppc64",
    "--filter",
    "myret:ret < 0",
    "--profile",
    "r:myret sys_open ret=$retval:s64",
  );
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.deepEqual(lines.slice(0, -1).map((l) => l.replace(/^.* ret=/, "")), [
    "-2",
    "-13",
    "-2",
    "-13",
    "-2",
    "-13",
  ]);
  assert.equal(lines.at(-1), `  ${"myret".padEnd(44)} ${"9".padStart(15)} ${"0".padStart(15)}`);
});

Deno.test("cli trace --json prints one object per event", async () => {
  const r = await cli("trace", "--arch", "i386", "--json", "p:f do_fork flags=$arg1:x32 c=$comm");
  assert.equal(r.code, 0, r.stderr);
  const recs = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.equal(recs.length, 3);
  assert.equal(recs[0].event, "kprobes:f");
  assert.equal(recs[0].comm, "init");
  assert.equal(recs[0].pid, 1);
  assert.equal(recs[0].cpu, 0);
  assert.equal(typeof recs[0].ts, "number");
  assert.match(recs[0].ip, /^do_fork\+0x0\/0x[0-9a-f]+$/);
  assert.deepEqual(recs[0].fields, { flags: "0x11", c: "init" });
});

Deno.test("cli trace prints error_log's three lines for a bad definition and exits 1", async () => {
  const r = await cli("trace", "p:myopen sys_open path=$arg1:string");
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  const lines = r.stderr.split("\n");
  assert.match(
    lines[0],
    /^\[ *\d+\.\d{6}\] trace_kprobe: error: String accepts only memory argument$/,
  );
  assert.equal(lines[1], "  Command: p:myopen sys_open path=$arg1:string");
  assert.equal(lines[2], " ".repeat(11 + "p:myopen sys_open path=$arg1:".length) + "^");
  assert.match(
    lines[3],
    /^error: Cannot define "p:myopen sys_open path=\$arg1:string": .*-EINVAL$/,
  );
});

Deno.test("cli trace refuses a filter on an undefined event and a bad filter with exit 1", async () => {
  const r = await cli("trace", "--filter", "nosuch:x == 1", "p:f do_fork");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Cannot set filter "nosuch:x == 1": no event "nosuch" is defined/);
  const bad = await cli("trace", "--filter", "f:nofield == 1", "p:f do_fork");
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /event filter parse error: error: /);
});

Deno.test("cli trace without a definition is a usage error", async () => {
  const r = await cli("trace");
  assert.equal(r.code, 2);
});

Deno.test("cli trace streams every event, more than the ring buffer holds", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const workload = `${dir}/loop.json`;
    // kprobe_bench (nr 500) calls do_fork back to back; 60,000 hits of a
    // 44-byte entry overfill the 1410 KiB buffer about twice.
    await Deno.writeTextFile(
      workload,
      '{"init":[{"call":"syscall","nr":500,"args":[60000,65536]}]}',
    );
    const r = await cli("trace", "--workload", workload, "p:f do_fork a=$arg1 b=$arg2 c=$arg3");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split("\n").filter((l) => l.includes(" f: (do_fork+0x0/")).length, 60000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
