// Copyright 2026 the kprobes-sim authors. MIT license.
// Hostile and careless command lines: each gets its exit status (1 user
// error, 2 usage error, 3 kernel incident) and a message that says what
// went wrong, never a host stack trace or a hang. Run in-process through
// main() (the kernel still runs in its Worker); permissions need a
// subprocess.

import assert from "node:assert/strict";
import { main } from "../../cli.ts";
import { catalogue } from "./_case.ts";

const root = new URL("../../", import.meta.url);
const fixture = (name: string) => new URL(`../testdata/cli/${name}`, import.meta.url).pathname;
const example = (name: string) => new URL(`examples/${name}`, root).pathname;

interface Outcome {
  code: number;
  out: string;
  err: string;
}

async function cli(...args: string[]): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (l) => out.push(l), stderr: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("") };
}

async function usage(args: string[], message: RegExp): Promise<void> {
  const r = await cli(...args);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, message);
  assert.equal(r.out, "");
}

async function userError(args: string[], message: RegExp): Promise<void> {
  const r = await cli(...args);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, message);
  assert.doesNotMatch(r.err, /\n\s+at /, "no host stack trace");
}

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

catalogue("cli", [
  {
    name: "unknown command",
    run: () => usage(["frobnicate"], /unknown command 'frobnicate'/),
  },
  {
    name: "unknown option",
    run: () => usage(["insmod", "--frob", example("kprobe_example.ts")], /unknown option '--frob'/),
  },
  {
    name: "insmod without a module",
    run: () => usage(["insmod"], /missing required argument 'files'/),
  },
  {
    name: "--cpus 0",
    run: () => usage(["insmod", "--cpus", "0", "x.ts"], /"0" is not a CPU count from 1 to 64/),
  },
  {
    name: "--cpus 1.5",
    run: () => usage(["insmod", "--cpus", "1.5", "x.ts"], /"1\.5" is not a CPU count/),
  },
  {
    name: "--cpus 65",
    run: () => usage(["insmod", "--cpus", "65", "x.ts"], /"65" is not a CPU count/),
  },
  {
    name: "--arch mips",
    run: () => usage(["kallsyms", "--arch", "mips"], /"mips" is not a supported architecture/),
  },
  {
    name: "--watchdog 0",
    run: () =>
      usage(["insmod", "--watchdog", "0", "x.ts"], /"0" is not a number of seconds above 0/),
  },
  {
    name: "--watchdog -1",
    run: () => usage(["insmod", "--watchdog", "-1", "x.ts"], /"-1" is not a number of seconds/),
  },
  {
    name: "--watchdog abc",
    run: () => usage(["insmod", "--watchdog", "abc", "x.ts"], /"abc" is not a number of seconds/),
  },
  {
    name: "--watchdog Infinity",
    run: () =>
      usage(["insmod", "--watchdog", "Infinity", "x.ts"], /"Infinity" is not a number of seconds/),
  },
  {
    name: "missing module file",
    run: () =>
      userError(
        ["insmod", "/nonexistent/probe.ts"],
        /^error: Cannot insert module "\/nonexistent\/probe\.ts": file not found/,
      ),
  },
  {
    name: "a directory as module",
    run: () =>
      userError(
        ["insmod", new URL("examples", root).pathname],
        /^error: Cannot insert module ".*examples": it is not a file/,
      ),
  },
  {
    name: "module that throws at import",
    run: () =>
      userError(
        ["insmod", fixture("throws_at_import.ts")],
        /Cannot insert module ".*throws_at_import\.ts": it failed to load: .*refusing to load/,
      ),
  },
  {
    name: "module without init_module",
    run: () =>
      userError(
        ["insmod", new URL("tests/testdata/modules/no_init.ts", root).pathname],
        /it does not export init_module/,
      ),
  },
  {
    name: "the same module twice",
    run: () =>
      userError(
        ["insmod", fixture("clean.ts"), fixture("clean.ts")],
        /a module named "clean" is already loaded/,
      ),
  },
  {
    name: "module probing an unknown symbol",
    run: () =>
      userError(
        ["insmod", new URL("tests/testdata/modules/unknown_symbol.ts", root).pathname],
        /init_module returned -2 \(ENOENT\)/,
      ),
  },
  {
    name: "missing workload file",
    run: () =>
      userError(
        ["insmod", "--workload", "/nonexistent/w.json", fixture("clean.ts")],
        /^error: Cannot load workload "\/nonexistent\/w\.json": no such file/,
      ),
  },
  {
    name: "workload that is not JSON",
    run: () =>
      withTemp(async (dir) => {
        await Deno.writeTextFile(`${dir}/w.json`, "{init: [");
        await userError(
          ["insmod", "--workload", `${dir}/w.json`, fixture("clean.ts")],
          /^error: Cannot load workload ".*w\.json": it is not valid JSON/,
        );
      }),
  },
  {
    name: "a handler that never returns (--watchdog 1)",
    run: async () => {
      const t0 = performance.now();
      const r = await cli("insmod", "--watchdog", "1", fixture("handler_loops.ts"));
      const took = performance.now() - t0;
      assert.equal(r.code, 3, r.err);
      assert.ok(took >= 1000 && took < 10_000, `${took} ms`);
      assert.match(r.out, /\] BUG: soft lockup - CPU#0 stuck for 1s! \[init:1\]/);
      assert.match(r.out, /Stuck in pre_handler handler_pre of module handler_loops/);
      assert.match(r.err, /^error: Cannot finish the run: pre_handler handler_pre of module/);
    },
  },
  {
    name: "a module whose top-level code never finishes (--watchdog 1)",
    run: async () => {
      const r = await cli("insmod", "--watchdog", "1", fixture("loops_at_import.ts"));
      assert.equal(r.code, 3, r.err);
      assert.match(r.out, /\] BUG: soft lockup - CPU#0 stuck for 1s! \[swapper:0\]/);
      assert.match(r.out, /Stuck in loading module ".*loops_at_import\.ts"/);
    },
  },
  {
    name: "a module whose top-level await never settles (--watchdog 1)",
    run: async () => {
      const r = await cli("insmod", "--watchdog", "1", fixture("awaits_forever.ts"));
      assert.equal(r.code, 3, r.err);
      assert.match(r.err, /loading module ".*awaits_forever\.ts" did not return within the 1s/);
    },
  },
  {
    name: "a handler that sends the CPU back to its own probe (--watchdog 1)",
    run: async () => {
      const t0 = performance.now();
      const r = await cli("insmod", "--watchdog", "1", fixture("rip_loop.ts"));
      assert.equal(r.code, 3, r.err);
      assert.ok(performance.now() - t0 < 10_000);
      assert.match(r.out, /\] BUG: soft lockup - CPU#0 stuck for 1s! \[init:1\]/);
      assert.match(r.out, /\] RIP: .*do_fork\+0x0\/0x/);
    },
  },
  {
    name: "a guest CPU spinning on a held lock (--watchdog 1)",
    run: async () => {
      const r = await cli("insmod", "--watchdog", "1", fixture("guest_lockup.ts"));
      assert.equal(r.code, 3, r.err);
      assert.match(r.out, /\] BUG: soft lockup - CPU#0 stuck for \ds! \[init:1\]/);
      assert.match(r.out, /\] RIP: .*do_fork\+0x/);
      assert.match(r.err, /reported 1 watchdog report/);
    },
  },
  {
    name: "a guest lockup on ppc64 (--watchdog 1)",
    run: async () => {
      const r = await cli(
        "insmod",
        "--arch",
        "ppc64",
        "--watchdog",
        "1",
        fixture("guest_lockup.ts"),
      );
      assert.equal(r.code, 3, r.err);
      assert.match(r.out, /\] BUG: soft lockup - CPU#0 stuck for \ds! \[init:1\]/);
      assert.match(r.out, /\] NIP: .*\.do_fork\+0x[0-9a-f]+\/0x/);
    },
  },
  {
    name: "a handler that makes the guest Oops",
    run: async () => {
      const r = await cli("insmod", fixture("oops.ts"));
      assert.equal(r.code, 3, r.err);
      assert.match(r.out, /\] Oops: 0010 \[#1\] SMP/);
      assert.match(r.err, /the kernel reported 3 Oopses/);
    },
  },
  {
    name: "a handler and a cleanup_module that throw",
    run: async () => {
      const r = await cli("insmod", fixture("handler_throws.ts"), fixture("clean.ts"));
      assert.equal(r.code, 3, r.err);
      assert.match(r.out, /clean: cleanup[^]*handler_throws: cleanup ran/);
      assert.match(r.out, /kprobes: module handler_throws: cleanup_module threw Error/);
    },
  },
  {
    name: "a module that forges the worker's clean-exit message",
    run: async () => {
      const r = await cli("insmod", fixture("forges_done.ts"));
      assert.equal(r.code, 3, r.err);
      assert.match(r.err, /reported 3 handler exceptions/);
    },
  },
  {
    name: "a module that calls Deno.exit() in init_module (--watchdog 1)",
    run: () =>
      withTemp(async (dir) => {
        await Deno.writeTextFile(
          `${dir}/exits.ts`,
          "export function init_module(): number { Deno.exit(0); }\n",
        );
        const r = await cli("insmod", "--watchdog", "1", `${dir}/exits.ts`);
        assert.equal(r.code, 3, r.err);
        assert.match(r.err, /init_module of module exits did not return within the 1s watchdog/);
      }),
  },
  {
    name: "a module outside --allow-read",
    run: () =>
      withTemp(async (dir) => {
        await Deno.writeTextFile(`${dir}/probe.ts`, "export const init_module = () => 0;\n");
        const rootDir = root.pathname.replace(/\/$/, "");
        const r = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--no-prompt",
            `--allow-read=${rootDir}`,
            "cli.ts",
            "insmod",
            `${dir}/probe.ts`,
          ],
          cwd: root,
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.equal(r.code, 1);
        assert.equal(
          new TextDecoder().decode(r.stderr),
          `error: Cannot insert module "${dir}/probe.ts": read access to it is denied, allow it with --allow-read=${dir}\n`,
        );
      }),
  },
  {
    name: "a workload outside --allow-read",
    run: () =>
      withTemp(async (dir) => {
        await Deno.writeTextFile(`${dir}/w.json`, '{"init": []}');
        const rootDir = root.pathname.replace(/\/$/, "");
        const r = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--no-prompt",
            `--allow-read=${rootDir}`,
            "cli.ts",
            "insmod",
            "--workload",
            `${dir}/w.json`,
            "examples/kprobe_example.ts",
          ],
          cwd: root,
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.equal(r.code, 1);
        assert.match(
          new TextDecoder().decode(r.stderr),
          /^error: Cannot read workload ".*w\.json": read access to it is denied, allow it with --allow-read=/,
        );
      }),
  },
]);
