// Copyright 2026 the kprobes-sim authors. MIT license.
// _cli_run.ts: insmod's kernel runs on the main thread under a watchdog
// Worker when FFI is allowed (-A), in a Worker otherwise; either way the
// same output, exit status and watchdog (exit 3 for a call that never
// returns). Run as a user would, in subprocesses.

import assert from "node:assert/strict";
import { cliWith } from "./_cli.ts";

const fixture = (name: string) => new URL(`./testdata/cli/${name}`, import.meta.url).pathname;
const dir = fixture(".").replace(/\/$/, "");
const root = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const MAIN = ["-A"];
const WORKER = [`--allow-read=${root},${dir}`];

Deno.test("insmod runs the kernel on the main thread with FFI allowed, in a Worker without", async () => {
  const main = await cliWith(MAIN, "insmod", "--quiet", fixture("thread.ts"));
  assert.equal(main.code, 0, main.stderr);
  assert.match(main.stdout, /\] thread: main\n/);
  const worker = await cliWith(WORKER, "insmod", "--quiet", fixture("thread.ts"));
  assert.equal(worker.code, 0, worker.stderr);
  assert.match(worker.stdout, /\] thread: worker\n/);
});

/** Runs one command line both ways and checks they agree; returns the main-thread run. */
async function same(...args: string[]) {
  const a = await cliWith(MAIN, ...args);
  const b = await cliWith(WORKER, ...args);
  assert.deepEqual(a, b, `insmod ${args.join(" ")}`);
  return a;
}

Deno.test("insmod prints the same on either thread: the demo, and an Oops with exit 3", async () => {
  const demo = await same("insmod", "examples/kprobe_example.ts");
  assert.equal(demo.code, 0, demo.stderr);
  assert.match(demo.stdout, /\] kprobe unregistered\n/);
  const oops = await same("insmod", fixture("oops.ts"));
  assert.equal(oops.code, 3);
  assert.match(oops.stderr, /the kernel reported 3 Oopses/);
});

Deno.test("insmod's watchdog ends a call that never returns with exit 3 on either thread", async () => {
  const loops = await same(
    "insmod",
    "--json",
    "--quiet",
    "--watchdog",
    "1",
    fixture("handler_loops.ts"),
  );
  assert.equal(loops.code, 3);
  const summary = JSON.parse(loops.stdout.trimEnd().split("\n").at(-1)!);
  assert.deepEqual([summary.type, summary.status, summary.stopReason], [
    "summary",
    3,
    "softLockup",
  ]);
  assert.match(loops.stderr, /^error: Cannot finish the run: pre_handler handler_pre of module/);
  const awaits = await same("insmod", "--watchdog", "1", fixture("awaits_forever.ts"));
  assert.equal(awaits.code, 3);
  assert.match(awaits.stderr, /loading module ".*awaits_forever\.ts" did not return within the 1s/);
  const exits = await same("insmod", "--watchdog", "1", fixture("exits.ts"));
  assert.equal(exits.code, 3, "Deno.exit() in module code ends only the kernel's thread");
  assert.match(exits.stderr, /init_module of module exits did not return within the 1s watchdog/);
});
