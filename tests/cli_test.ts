// Copyright 2026 the kprobes-sim authors. MIT license.
// cli.ts output and exit codes, run as a user would.

import assert from "node:assert/strict";
import { cli } from "./_cli.ts";

const root = new URL("../", import.meta.url);

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

Deno.test("cli kallsyms --arch sparc64 lists the image at KERNBASE, no nameless STT_REGISTER lines", async () => {
  const r = await cli("kallsyms", "--arch", "sparc64");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^0000000000400000 T startup_64$/m);
  assert.match(r.stdout, /^0000000000[0-9a-f]{6} T do_fork$/m);
  assert.match(r.stdout, /^0000000000[0-9a-f]{6} T linux_sparc_syscall$/m);
  assert.ok(r.stdout.split("\n").every((l) => l === "" || /^[0-9a-f]{16} [A-Za-z] \S+/.test(l)));
});

Deno.test("cli insmod --arch sparc64 runs the three examples end to end", async () => {
  const r = await cli(
    "insmod",
    "--arch",
    "sparc64",
    "examples/kprobe_example.ts",
    "examples/jprobe_example.ts",
    "examples/kretprobe_example.ts",
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.match(/pre_handler: p->addr=0x[0-9a-f]+, tpc=0x/g)?.length, 3);
  assert.equal(r.stdout.match(/jprobe: clone_flags=0x11, stack_size=0x0/g)?.length, 3);
  assert.equal(r.stdout.match(/sys_open returns -2\n/g)?.length, 3);
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
      /^error: Cannot load workload ".*bad\.json": init\[0\]: unknown call "frok"/m,
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

function fixture(name: string): string {
  return new URL(`testdata/cli/${name}`, import.meta.url).pathname;
}

Deno.test("cli insmod exits 3 after an Oops and still removes every module", async () => {
  const r = await cli("insmod", fixture("oops.ts"), fixture("clean.ts"));
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /\] BUG: unable to handle kernel NULL pointer dereference at 0+\n/);
  assert.match(r.stdout, /\] clean: cleanup\n/);
  assert.match(r.stderr, /^error: Cannot run the workload cleanly: the kernel reported \d+ Oops/m);
});

Deno.test("cli insmod exits 3 when a handler and a cleanup_module throw; the other module is removed", async () => {
  const r = await cli("insmod", fixture("clean.ts"), fixture("handler_throws.ts"));
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout.match(/threw Error: handler_throws: boom/g)?.length, 3);
  const ran = r.stdout.indexOf("handler_throws: cleanup ran");
  const clean = r.stdout.indexOf("clean: cleanup");
  assert.ok(ran > 0 && clean > ran, "cleanup in reverse load order, even after one throws");
  assert.match(r.stdout, /kprobes: module handler_throws: cleanup_module threw Error/);
  assert.match(r.stderr, /reported 4 handler exceptions/);
});

Deno.test("cli --watchdog stops a handler that never returns with a soft-lockup report and exit 3", async () => {
  const t0 = performance.now();
  const r = await cli("insmod", "--watchdog", "1", fixture("handler_loops.ts"));
  const took = (performance.now() - t0) / 1000;
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /\] BUG: soft lockup - CPU#0 stuck for 1s! \[init:1\]\n/);
  assert.match(r.stdout, /\] Modules linked in: handler_loops\n/);
  assert.match(r.stdout, /\] IP: \[<ffffffff8[0-9a-f]{7}>\] do_fork\+0x1\/0x[0-9a-f]+\n/);
  assert.match(r.stdout, /Stuck in pre_handler handler_pre of module handler_loops/);
  assert.match(r.stderr, /did not return within the 1s watchdog/);
  assert.ok(took < 15, `took ${took}s`);
});

Deno.test("cli --watchdog reports a guest CPU spinning in the kernel, naming the function", async () => {
  const r = await cli("insmod", "--watchdog", "1", fixture("guest_lockup.ts"));
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /\] BUG: soft lockup - CPU#0 stuck for [12]s! \[init:1\]\n/);
  assert.match(r.stdout, /\] RIP: .*\] do_fork\+0x[0-9a-f]+\/0x[0-9a-f]+\n/);
  assert.match(r.stdout, /\] Call Trace:\n.*do_fork\+/);
  assert.match(r.stderr, /reported 1 watchdog report/);
});

Deno.test("cli rejects a bad --watchdog with exit 2 and documents it in --help", async () => {
  const a = await cli("insmod", "--watchdog", "0", "examples/kprobe_example.ts");
  assert.equal(a.code, 2);
  assert.match(a.stderr, /"0" is not a number of seconds above 0/);
  const h = await cli("insmod", "--help");
  assert.equal(h.code, 0);
  assert.match(h.stdout, /--watchdog <seconds>/);
  assert.match(h.stdout, /Exit status: 0 clean, 1 user error, 2 usage error, 3 the kernel/);
});

Deno.test("cli runs with read access only, and names a denied read with exit 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rootDir = new URL(".", root).pathname.replace(/\/$/, "");
    const src = (await Deno.readTextFile(fixture("clean.ts")))
      .replace("../../../mod.ts", new URL("mod.ts", root).href);
    await Deno.writeTextFile(`${dir}/untrusted.ts`, src);
    const run = (allow: string) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--no-prompt",
          `--allow-read=${allow}`,
          "cli.ts",
          "insmod",
          `${dir}/untrusted.ts`,
        ],
        cwd: root,
        stdout: "piped",
        stderr: "piped",
      }).output();
    const dec = new TextDecoder();
    const ok = await run(`${rootDir},${dir}`);
    assert.equal(ok.code, 0, dec.decode(ok.stderr));
    assert.match(dec.decode(ok.stdout), /\] clean: cleanup\n/);
    const denied = await run(rootDir);
    assert.equal(denied.code, 1);
    assert.equal(
      dec.decode(denied.stderr).trim(),
      `error: Cannot insert module "${dir}/untrusted.ts": read access to it is denied, allow it with --allow-read=${dir}`,
    );
    const none = await run(dir);
    assert.equal(none.code, 1);
    assert.match(
      dec.decode(none.stderr),
      /^error: Cannot boot from ".*": read access to it is denied/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli insmod sets module parameters given after the module, modinfo lists them", async () => {
  const r = await cli(
    "insmod",
    fixture("params.ts"),
    "symbol=sys_open",
    "verbose=y",
    "count=2",
    "cpus=0,0x1",
    "mask=010",
    "examples/kprobe_example.ts",
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\] params: symbol=sys_open count=2 verbose=1 cpus=0,1 mask=8\n/);
  assert.equal(r.stdout.match(/\] params: hit \d of sys_open\n/g)?.length, 2);
  assert.match(r.stdout, /\] params: 9 hits on sys_open\n/);
  assert.equal(r.stdout.match(/\] pre_handler: /g)?.length, 3, "the next module has no params");
  const defaults = await cli("insmod", fixture("params.ts"));
  assert.match(defaults.stdout, /\] params: symbol=do_fork count=3 verbose=0 cpus=0 mask=ff\n/);
  const info = await cli("modinfo", fixture("params.ts"));
  assert.equal(info.code, 0, info.stderr);
  assert.equal(
    info.stdout,
    [
      `filename:       ${fixture("params.ts")}`,
      "description:    counts calls of a function given as a parameter",
      "author:         kprobes-sim authors",
      "license:        GPL",
      "name:           params",
      "parm:           symbol:function to probe (charp)",
      "parm:           count:how many hits to print (int)",
      "parm:           verbose:print every hit (bool)",
      "parm:           cpus:CPUs to report (array of uint)",
      "parm:           mask:ulong",
      "",
    ].join("\n"),
  );
});

Deno.test("cli insmod refuses a bad parameter value with exit 1 and warns about an unknown one", async () => {
  // Linux's parse_args(): in command-line order, stopping at the first refused value.
  const r = await cli("insmod", fixture("params.ts"), "foo=1", "count=abc", "bar=2");
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /\] params: unknown parameter 'foo' ignored\n.*\] params: `abc' invalid for parameter `count'\n/,
  );
  assert.doesNotMatch(r.stdout, /params: symbol=|'bar'/, "init_module did not run");
  assert.match(
    r.stderr,
    /^error: Cannot insert module ".*params\.ts": "abc" is not valid for parameter "count", pass a value of type int \(-EINVAL\)$/m,
  );
  const u = await cli("insmod", "count=3", fixture("params.ts"));
  assert.equal(u.code, 2);
  assert.match(u.stderr, /Cannot set parameter "count=3": no module file comes before it/);
});

Deno.test("cli --quiet drops exactly the lines printed while booting", async () => {
  const full = (await cli("insmod", "examples/kprobe_example.ts")).stdout.split("\n");
  const quiet = await cli("insmod", "--quiet", "examples/kprobe_example.ts");
  assert.equal(quiet.code, 0, quiet.stderr);
  const lines = quiet.stdout.split("\n");
  assert.match(lines[0], /\] kprobe registered$/);
  const boot = full.indexOf(lines[0]);
  assert.ok(boot >= 10, "the banner is gone");
  assert.match(full[boot - 1], /Brought up 1 CPUs/);
  assert.deepEqual(lines, full.slice(boot));
});

Deno.test("cli --json prints one JSON record per line: log, syscalls, probes, summary", async () => {
  const text = (await cli("insmod", "examples/kprobe_example.ts")).stdout.trimEnd().split("\n");
  const r = await cli("insmod", "--json", "--list", "examples/kprobe_example.ts");
  assert.equal(r.code, 0, r.stderr);
  const records = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
  const logs = records.filter((x) => x.type === "log");
  assert.equal(logs.length, text.length, "one log record per console line");
  for (const [i, l] of logs.entries()) {
    assert.ok(Number.isInteger(l.level) && l.level >= 0 && l.level <= 7, JSON.stringify(l));
    assert.equal(l.cpu, null);
    assert.equal(`[${l.timestamp.toFixed(6).padStart(12)}] ${l.text}`, text[i]);
  }
  assert.equal(logs[0].level, 5, "the banner is KERN_NOTICE");
  const calls = records.filter((x) => x.type === "syscall");
  assert.deepEqual(calls.filter((c) => c.call === "fork").map((c) => c.ret), [2, 3, 4]);
  assert.deepEqual(calls.filter((c) => c.call === "open").map((c) => c.ret).sort(), [
    -13,
    -13,
    -13,
    -2,
    -2,
    -2,
    3,
    3,
    3,
  ]);
  const [probe] = records.filter((x) => x.type === "probe");
  assert.match(probe.addr, /^0xffffffff8[0-9a-f]{7}$/);
  assert.deepEqual({ ...probe, addr: "" }, {
    type: "probe",
    addr: "",
    kind: "k",
    symbol: "do_fork+0x0",
    module: "kprobe_example",
    flags: [],
    hits: 3,
    nmissed: 0,
  });
  const list = records.find((x) => x.type === "kprobes_list");
  assert.deepEqual(list.probes.map((p: { hits: number }) => p.hits), [0], "listed after init");
  assert.deepEqual(records.find((x) => x.type === "lsmod").modules, [
    { name: "kprobe_example", probes: 1, origin: "examples/kprobe_example.ts" },
  ]);
  const summary = records.at(-1);
  assert.equal(summary.type, "summary");
  assert.equal(summary.status, 0);
  assert.equal(summary.stopReason, "completed");
  assert.ok(summary.instructions > 0);
  assert.deepEqual(summary.errors, []);
});

Deno.test("cli --json reports an Oops as an incident and exit status 3 in the summary", async () => {
  const r = await cli("insmod", "--json", "--quiet", fixture("oops.ts"));
  assert.equal(r.code, 3);
  const records = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.ok(records.some((x) => x.type === "log" && x.text.startsWith("BUG: unable to handle")));
  const oops = records.filter((x) => x.type === "incident");
  assert.ok(oops.length >= 1 && oops.every((x) => x.kind === "oops"), JSON.stringify(oops));
  const summary = records.at(-1);
  assert.equal(summary.status, 3);
  assert.equal(summary.incidents.oopses, oops.at(-1).count);
  assert.match(summary.errors[0], /the kernel reported \d+ Oops/);
});

Deno.test("cli --list prints kprobes/list and lsmod after init, --profile the hits after the run", async () => {
  const r = await cli(
    "insmod",
    "--quiet",
    "--list",
    "--profile",
    "examples/kprobe_example.ts",
    "examples/kretprobe_example.ts",
  );
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n");
  const list = lines.indexOf("==> /sys/kernel/debug/kprobes/list <==");
  assert.ok(list > 0);
  assert.match(
    lines[list + 1],
    /^ffffffff8[0-9a-f]{7} {2}k {2}do_fork\+0x0 {4}\[kprobe_example\]$/,
  );
  assert.match(
    lines[list + 2],
    /^ffffffff8[0-9a-f]{7} {2}r {2}sys_open\+0x0 {4}\[kretprobe_example\]$/,
  );
  assert.deepEqual(lines.slice(list + 3, list + 7), [
    "==> lsmod <==",
    "Module                  Probes  Used by",
    "kprobe_example             1  0",
    "kretprobe_example          1  0",
  ]);
  const profile = lines.indexOf("==> /sys/kernel/debug/tracing/kprobe_profile <==");
  assert.ok(profile > list + 7);
  assert.match(lines[profile + 1], /^ {2}do_fork\+0x0 +3 +0$/);
  assert.match(lines[profile + 2], /^ {2}sys_open\+0x0 +9 +0$/);
  assert.match(lines[profile + 3], /\] kretprobe unregistered$/, "then the modules are removed");
});

Deno.test("cli --help lists the architectures, the CPU range and the new options", async () => {
  const h = await cli("insmod", "--help");
  assert.equal(h.code, 0);
  assert.match(h.stdout, /Architectures: x86_64, i386, ppc64, sparc64\. CPUs: 1 to 64/);
  for (const o of ["--quiet", "--json", "--list", "--profile", "--check"]) {
    assert.match(h.stdout, new RegExp(`${o}\\b`));
  }
  assert.match(h.stdout, /there is no lsmod command: --list shows lsmod/);
  const a = await cli("insmod", "--cpus", "65", "examples/kprobe_example.ts");
  assert.equal(a.code, 2);
  assert.match(a.stderr, /"65" is not a CPU count from 1 to 64/);
});

Deno.test("cli insmod names file:line:col of a module's syntax error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/broken.ts`,
      "export function init_module() {\n  return 0 +;\n}\n",
    );
    const r = await cli("insmod", `${dir}/broken.ts`);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `^error: Cannot insert module "${dir}/broken\\.ts": it failed to load: SyntaxError: Expression expected at ${dir}/broken\\.ts:2:13$`,
        "m",
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli insmod --check refuses a module that does not type-check, with file:line:col", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const mod = new URL("mod.ts", root).href;
    await Deno.writeTextFile(
      `${dir}/typo.ts`,
      `import { type Kprobe, register_kprobe } from "${mod}";\n` +
        "const kp: Kprobe = {\n  symbol_name: 42,\n};\n" +
        "export function init_module(): number {\n  return register_kprobe(kp);\n}\n",
    );
    const r = await cli("insmod", "--check", `${dir}/typo.ts`);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "", "refused before boot");
    assert.match(
      r.stderr,
      new RegExp(
        `^${dir}/typo\\.ts:3:3: TS2322 Type 'number' is not assignable to type 'string'\\.$`,
        "m",
      ),
    );
    assert.match(r.stderr, /^error: Cannot insert modules: they do not type-check \(1 error\)/m);
    const ok = await cli("insmod", "--check", "--quiet", "examples/kprobe_example.ts");
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^\[[ \d.]+\] kprobe registered\n/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli --json reports a handler's soft lockup with its CPU, an incident and status 3", async () => {
  const r = await cli(
    "insmod",
    "--json",
    "--quiet",
    "--watchdog",
    "1",
    fixture("handler_loops.ts"),
  );
  assert.equal(r.code, 3, r.stderr);
  const records = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
  const bug = records.find((x) => x.type === "log" && x.text.startsWith("BUG: soft lockup"));
  assert.deepEqual({ level: bug.level, cpu: bug.cpu }, { level: 0, cpu: 0 });
  assert.ok(typeof bug.timestamp === "number" && bug.timestamp > 0);
  assert.ok(records.some((x) => x.type === "incident" && x.kind === "lockup"));
  const summary = records.at(-1);
  assert.equal(summary.type, "summary");
  assert.equal(summary.status, 3);
  assert.equal(summary.stopReason, "softLockup");
  assert.match(summary.errors[0], /did not return within the 1s watchdog/);
});

Deno.test("CLI_ARCH_NAMES is the library's ARCH_NAMES", async () => {
  const { CLI_ARCH_NAMES } = await import("../cli.ts");
  const { ARCH_NAMES } = await import("../mod.ts");
  assert.deepEqual(CLI_ARCH_NAMES, ARCH_NAMES);
});

Deno.test("main() gives the same run whether commander or the plain-insmod reader parses it", async () => {
  const { main } = await import("../cli.ts");
  const file = new URL("examples/kprobe_example.ts", root).pathname;
  const run = async (...args: string[]) => {
    const out: string[] = [];
    const code = await main(args, { stdout: (l) => out.push(l), stderr: () => {} });
    return { code, out: out.join("\n") };
  };
  // Plain spellings take the reader; "--arch=i386" and a repeated flag send
  // the same run to commander.
  const plain = await run("insmod", "--quiet", "--arch", "i386", "--cpus", "2", file);
  const viaCommander = await run("insmod", file, "--arch=i386", "--quiet", "--quiet", "--cpus=2");
  assert.equal(plain.code, 0);
  assert.match(plain.out, /pre_handler: p->addr=0xc0/);
  assert.deepEqual(viaCommander, plain);
});
