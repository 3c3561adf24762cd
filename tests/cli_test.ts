// Copyright 2026 the kprobes-sim authors. MIT license.
// cli.ts output and exit codes, run as a user would.

import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("cli insmod runs the §8 example end to end", async () => {
  const r = await cli("insmod", "examples/kprobe_example.ts");
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.match(lines[0], /^\[ {4}0\.\d{6}\] Linux version 2\.6\.12-kprobes-sim/);
  const registered = lines.findIndex((l) => l.endsWith("] kprobe registered"));
  const unregistered = lines.findIndex((l) => l.endsWith("] kprobe unregistered"));
  assert.ok(registered > 0 && unregistered > registered);
  const pre = lines.filter((l) =>
    /\] pre_handler: p->addr=0xffffffff8[0-9a-f]{7}, rip=ffffffff8[0-9a-f]{7}, eflags=0x[0-9a-f]+$/
      .test(l)
  );
  const post = lines.filter((l) =>
    /\] post_handler: p->addr=0xffffffff8[0-9a-f]{7}, eflags=0x[0-9a-f]+$/.test(l)
  );
  assert.equal(pre.length, 3);
  assert.equal(post.length, 3);
  assert.match(
    r.stdout,
    /\] {2}\[<ffffffff8[0-9a-f]{7}>\] do_fork\+0x1\/0x[0-9a-f]+\n.*\] {2}\[<ffffffff8[0-9a-f]{7}>\] sys_fork\+0x[0-9a-f]+\/0x[0-9a-f]+/,
  );
});

Deno.test("cli insmod runs the §9 and §10 examples", async () => {
  const j = await cli("insmod", "examples/jprobe_example.ts");
  assert.equal(j.code, 0, j.stderr);
  assert.equal(j.stdout.match(/jprobe: clone_flags=0x11, stack_size=0x0, regs=0x/g)?.length, 3);
  const k = await cli("insmod", "--cpus", "2", "examples/kretprobe_example.ts");
  assert.equal(k.code, 0, k.stderr);
  assert.equal(k.stdout.match(/sys_open returns -2\n/g)?.length, 3);
  assert.equal(k.stdout.match(/sys_open returns -13\n/g)?.length, 3);
  assert.match(k.stdout, /Missed probing 0 instances of sys_open/);
});

Deno.test("cli insmod exits 1 with a clear message for a missing file", async () => {
  const r = await cli("insmod", "examples/nope.ts");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: Cannot insert module "examples\/nope\.ts": file not found/m);
});

Deno.test("cli insmod exits 1 for a module without init_module", async () => {
  const r = await cli("insmod", "tests/testdata/modules/no_init.ts");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /it does not export init_module/);
});

Deno.test("cli insmod exits 1 when registration fails on an unknown symbol", async () => {
  const r = await cli("insmod", "tests/testdata/modules/unknown_symbol.ts");
  assert.equal(r.code, 1);
  assert.match(r.stdout, /register_kprobe failed, returned -2/);
  assert.match(r.stderr, /init_module returned -2 \(ENOENT\)/);
});

Deno.test("cli kallsyms prints /proc/kallsyms lines", async () => {
  const r = await cli("kallsyms");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ffffffff8[0-9a-f]{7} T do_fork$/m);
  assert.match(r.stdout, /^ffffffff8[0-9a-f]{7} T sys_open$/m);
});

Deno.test("cli rejects a bad --cpus and an unknown --arch with exit 2", async () => {
  const a = await cli("insmod", "--cpus", "0", "examples/kprobe_example.ts");
  assert.equal(a.code, 2);
  assert.match(a.stderr, /not a CPU count/);
  const b = await cli("insmod", "--arch", "mips", "examples/kprobe_example.ts");
  assert.equal(b.code, 2);
  assert.match(b.stderr, /not a supported architecture/);
});

Deno.test("cli insmod exits 1 with a clear message for a bad --workload file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.json`, JSON.stringify({ init: [{ call: "frok" }] }));
    const a = await cli("insmod", "--workload", `${dir}/bad.json`, "examples/kprobe_example.ts");
    assert.equal(a.code, 1);
    assert.match(
      a.stderr,
      /^error: Cannot read workload ".*bad\.json": Cannot read workload entry init\[0\]: unknown call "frok"/m,
    );
    await Deno.writeTextFile(
      `${dir}/ok.json`,
      JSON.stringify({ init: [{ call: "fork" }, { call: "wait4" }] }),
    );
    const b = await cli("insmod", "--workload", `${dir}/ok.json`, "examples/kprobe_example.ts");
    assert.equal(b.code, 0, b.stderr);
    assert.equal(b.stdout.match(/pre_handler: /g)?.length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
