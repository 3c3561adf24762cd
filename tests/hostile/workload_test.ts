// Copyright 2026 the kprobes-sim authors. MIT license.
// Hostile workloads: every malformed shape is a WorkloadError naming the
// entry by path before anything runs; huge repeats are refused or expanded
// lazily; workload files are size-limited regular files; one task's system
// call never sees another task's bytes.

import assert from "node:assert/strict";
import {
  Kernel,
  KernelError,
  loadWorkload,
  parseWorkload,
  type Workload,
  WorkloadError,
} from "../../mod.ts";
import {
  expandScript,
  MAX_WORKLOAD_BYTES,
  MAX_WORKLOAD_CALLS,
  MAX_WORKLOAD_DEPTH,
  MAX_WRITE_BYTES,
  UserScratch,
  validateWorkload,
} from "../../kernel-model/mod.ts";
import { catalogue } from "./_case.ts";

/** Asserts that `fn` throws a WorkloadError with exactly this message tail and path. */
function refused(fn: () => unknown, path: string, problem: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof WorkloadError, `expected WorkloadError, got ${e}`);
    assert.ok(e instanceof KernelError);
    assert.equal(e.path, path);
    const tail = e.message.replace(/^Cannot load workload "[^"]*": /, "").replace(
      path === "" ? "" : `${path}: `,
      "",
    );
    if (typeof problem === "string") assert.equal(tail, problem);
    else assert.match(tail, problem);
    return true;
  });
}

/** Parses `value` as JSON text, as a workload file would give it. */
function parse(value: unknown): Workload {
  return parseWorkload(JSON.stringify(value), "w.json");
}

async function rejected(path: string, problem: RegExp): Promise<void> {
  await assert.rejects(() => loadWorkload(path), (e: unknown) => {
    assert.ok(e instanceof WorkloadError, `expected WorkloadError, got ${e}`);
    assert.match(e.message, problem);
    assert.ok(e.message.startsWith(`Cannot load workload "${path}": `), e.message);
    return true;
  });
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const ROOT = new URL("../../", import.meta.url);

catalogue("workload", [
  {
    name: 'open with an object "path" is named by its path',
    run() {
      assert.throws(
        () =>
          parse({
            init: [{ call: "getpid" }, { call: "getpid" }, {
              call: "fork",
              child: [{ call: "open", path: {} }],
            }],
          }),
        {
          name: "WorkloadError",
          message: 'Cannot load workload "w.json": init[2].child[0]: "open" needs a string "path"',
        },
      );
    },
  },
  {
    name: 'read with "count": 1.5',
    run() {
      refused(
        () => parse({ init: [{ call: "read", fd: 0, count: 1.5 }] }),
        "init[0]",
        '"read" needs a "count" that is an integer from 0 to 1536, not 1.5',
      );
    },
  },
  {
    name: 'nanosleep with "ms": "abc"',
    run() {
      refused(
        () => parse({ init: [{ call: "nanosleep", ms: "abc" }] }),
        "init[0]",
        '"nanosleep" needs a "ms" that is an integer from 0 to 60000, not "abc"',
      );
    },
  },
  {
    name: "write without its text (a missing field)",
    run() {
      refused(
        () => parse({ init: [{ call: "write", fd: 1 }] }),
        "init[0]",
        '"write" needs a string "text"',
      );
    },
  },
  {
    name: "close without an fd",
    run() {
      refused(
        () => parse({ init: [{ call: "close" }] }),
        "init[0]",
        /^"close" needs a "fd" that is a file descriptor \(an integer\) or "last", not nothing$/,
      );
    },
  },
  {
    name: "an unknown call",
    run() {
      refused(
        () => parse({ init: [{ call: "frok" }] }),
        "init[0]",
        /^unknown call "frok", use fork, clone, .* or repeat$/,
      );
    },
  },
  {
    name: "an entry that is a number",
    run() {
      refused(
        () => parse({ init: [42] }),
        "init[0]",
        'expected an object with a "call" field, not 42',
      );
    },
  },
  {
    name: 'an entry without "call"',
    run() {
      refused(
        () => parse({ init: [{ path: "/etc/passwd" }] }),
        "init[0]",
        'expected an object with a "call" field naming the system call, not nothing',
      );
    },
  },
  {
    name: '"init" that is an object',
    run() {
      refused(
        () => parse({ init: {} }),
        "init",
        "expected an array of system calls, not an object",
      );
    },
  },
  {
    name: 'no "init" at all',
    run() {
      refused(() => parse({}), "", 'it has no "init" array of system calls for init (pid 1)');
    },
  },
  {
    name: "JSON null and a top-level array",
    run() {
      refused(
        () => parseWorkload("null", "w.json"),
        "",
        'expected an object with an "init" array of system calls, not null',
      );
      refused(
        () => parseWorkload("[]", "w.json"),
        "",
        'expected an object with an "init" array of system calls, not an array',
      );
    },
  },
  {
    name: "text that is not JSON",
    run() {
      refused(() => parseWorkload('{"init": [', "w.json"), "", /^it is not valid JSON \(.+\)$/);
    },
  },
  {
    name: "a misspelt field (times → time)",
    run() {
      refused(
        () => parse({ init: [{ call: "repeat", time: 3, times: 1, body: [{ call: "getpid" }] }] }),
        "init[0]",
        '"repeat" has no field "time"; its fields are "times", "body"',
      );
    },
  },
  {
    name: "an unknown top-level field",
    run() {
      refused(
        () => parse({ init: [], init2: [] }),
        "",
        'a workload has no field "init2"; use "init" and "name"',
      );
    },
  },
  {
    name: "repeat 1e9 is refused before boot, not expanded",
    run() {
      refused(
        () => parse({ init: [{ call: "repeat", times: 1e9, body: [{ call: "getpid" }] }] }),
        "init[0]",
        `"repeat" makes 1000000000 system calls, more than ${MAX_WORKLOAD_CALLS} (MAX_WORKLOAD_CALLS), make "times" smaller`,
      );
    },
  },
  {
    name: "nested repeats whose product exceeds the limit",
    run() {
      const inner = { call: "repeat", times: 1000, body: [{ call: "getpid" }] };
      const outer = { call: "repeat", times: 1001, body: [inner] };
      refused(() => parse({ init: [outer] }), "init[0]", /makes 1001000 system calls, more than/);
    },
  },
  {
    name: "forks whose children's scripts together exceed the limit",
    run() {
      const child = [{ call: "repeat", times: 600_000, body: [{ call: "getpid" }] }];
      refused(
        () => parse({ init: [{ call: "fork", child }, { call: "fork", child }] }),
        "init[1]",
        /more than 1000000 system calls \(MAX_WORKLOAD_CALLS\)/,
      );
    },
  },
  {
    name: "sleeps that add up to hours of simulated time",
    run() {
      const nap = { call: "nanosleep", ms: 60_000 };
      refused(
        () =>
          parse({ init: [{ call: "fork", child: [{ call: "repeat", times: 11, body: [nap] }] }] }),
        "init[0].child[0]",
        "the workload sleeps more than 600000 ms in all (MAX_WORKLOAD_SLEEP_MS), sleep less",
      );
      refused(
        () => parse({ init: [{ call: "nanosleep", ms: 86_400_000 }] }),
        "init[0]",
        '"nanosleep" needs a "ms" that is an integer from 0 to 60000, not 86400000',
      );
    },
  },
  {
    name: "repeat with a negative or fractional count",
    run() {
      refused(
        () => parse({ init: [{ call: "repeat", times: -1, body: [] }] }),
        "init[0]",
        /^"repeat" needs a "times" that is an integer from 0 to \d+, not -1$/,
      );
      refused(
        () => parse({ init: [{ call: "repeat", times: 2.5, body: [] }] }),
        "init[0]",
        /not 2\.5$/,
      );
    },
  },
  {
    name: "nesting deeper than MAX_WORKLOAD_DEPTH",
    run() {
      let script: unknown[] = [{ call: "getpid" }];
      for (let i = 0; i < MAX_WORKLOAD_DEPTH + 5; i++) {
        script = [{ call: "repeat", times: 1, body: script }];
      }
      assert.throws(() => parse({ init: script }), (e: unknown) => {
        assert.ok(e instanceof WorkloadError);
        assert.match(e.message, /nested more than 32 levels deep \(MAX_WORKLOAD_DEPTH\)/);
        assert.match(e.path, /^init\[0\](\.body\[0\])*\.body$/);
        return true;
      });
    },
  },
  {
    name: "a write longer than the task's user buffer",
    run() {
      refused(
        () => parse({ init: [{ call: "write", fd: 1, text: "x".repeat(5000) }] }),
        "init[0]",
        `"write" "text" is 5000 bytes long, more than the ${MAX_WRITE_BYTES} a task's user buffer holds`,
      );
    },
  },
  {
    name: "a write whose UTF-8 bytes, not characters, exceed the buffer",
    run() {
      refused(
        () => parse({ init: [{ call: "write", fd: 1, text: "é".repeat(2000) }] }),
        "init[0]",
        /is 4000 bytes long/,
      );
    },
  },
  {
    name: "an open path longer than the task's user buffer",
    run() {
      refused(
        () => parse({ init: [{ call: "open", path: "/" + "a".repeat(4000) }] }),
        "init[0]",
        /^"open" "path" is 4001 bytes long, more than the 3583/,
      );
    },
  },
  {
    name: "read count above the task's read buffer",
    run() {
      refused(
        () => parse({ init: [{ call: "read", fd: "last", count: 100000 }] }),
        "init[0]",
        '"read" needs a "count" that is an integer from 0 to 1536, not 100000',
      );
    },
  },
  {
    name: 'fd "first" and write to fd "last"',
    run() {
      refused(
        () => parse({ init: [{ call: "close", fd: "first" }] }),
        "init[0]",
        /"close" needs a "fd" that is a file descriptor/,
      );
      refused(
        () => parse({ init: [{ call: "write", fd: "last", text: "x" }] }),
        "init[0]",
        '"write" needs an integer "fd", not "last"',
      );
    },
  },
  {
    name: "sched_setaffinity with CPU 64",
    run() {
      refused(
        () => parse({ init: [{ call: "sched_setaffinity", cpus: [0, 64] }] }),
        "init[0].cpus[1]",
        "a CPU number must be an integer from 0 to 63, not 64",
      );
    },
  },
  {
    name: "raw syscall with a fractional argument and with seven arguments",
    run() {
      refused(
        () => parse({ init: [{ call: "syscall", nr: 39, args: [1.5] }] }),
        "init[0].args[0]",
        "a system call argument must be an integer, not 1.5",
      );
      refused(
        () => parse({ init: [{ call: "syscall", nr: 39, args: [1, 2, 3, 4, 5, 6, 7] }] }),
        "init[0]",
        '"syscall" needs "args", an array of at most 6 integers',
      );
    },
  },
  {
    name: 'clone with "settid": "yes"',
    run() {
      refused(
        () => parse({ init: [{ call: "clone", flags: 17, settid: "yes" }] }),
        "init[0]",
        '"clone" needs "settid" as true or false, not "yes"',
      );
    },
  },
  {
    name: 'a "name" that is a number',
    run() {
      refused(() => parse({ name: 42, init: [] }), "name", "expected a string, not 42");
    },
  },
  {
    name: "a workload object whose getter throws",
    run() {
      const w = {
        get init(): never {
          throw new Error("boom");
        },
      };
      refused(() => validateWorkload(w, "code"), "", "it cannot be read: Error: boom");
    },
  },
  {
    name: "a revoked Proxy as a workload",
    run() {
      const { proxy, revoke } = Proxy.revocable({ init: [] }, {});
      revoke();
      refused(() => validateWorkload(proxy, "code"), "", /^it cannot be read: TypeError: /);
    },
  },
  {
    name: "parseWorkload of more than MAX_WORKLOAD_BYTES",
    run() {
      refused(
        () => parseWorkload(" ".repeat(MAX_WORKLOAD_BYTES + 1), "big.json"),
        "",
        /^it is longer than 1048576 bytes \(MAX_WORKLOAD_BYTES\), make it smaller$/,
      );
    },
  },
  {
    name: "expandScript keeps its TypeError contract",
    run() {
      assert.throws(
        () => expandScript([{ call: "frok" } as never], "init"),
        (e: unknown) =>
          e instanceof TypeError &&
          /^Cannot read workload entry init\[0\]: unknown call "frok"/.test(e.message),
      );
    },
  },
  {
    name: "Kernel.run() refuses a bad workload before running anything",
    async run() {
      await using kernel = await Kernel.boot();
      const before = kernel.instructions;
      const bad = { init: [{ call: "nanosleep", ms: "abc" }] } as unknown as Workload;
      assert.throws(() => kernel.run({ workload: bad }), {
        name: "WorkloadError",
        message:
          'Cannot load workload "workload": init[0]: "nanosleep" needs a "ms" that is an integer from 0 to 60000, not "abc"',
      });
      assert.equal(kernel.instructions, before);
      // The kernel is untouched: the default workload still runs cleanly.
      const r = kernel.run();
      assert.equal(r.completed, true);
      assert.equal(r.syscalls.filter((s) => s.call === "fork").length, 3);
    },
  },
  {
    name: "repeat is expanded lazily: a huge count of empty passes costs nothing",
    async run() {
      await using kernel = await Kernel.boot();
      const r = kernel.run({
        workload: {
          init: [
            {
              call: "repeat",
              times: Number.MAX_SAFE_INTEGER,
              body: [{ call: "repeat", times: 0, body: [{ call: "getpid" }] }],
            },
            { call: "repeat", times: 500, body: [{ call: "getpid" }] },
          ],
        },
      });
      assert.equal(r.completed, true);
      assert.equal(r.syscalls.length, 500);
      assert.ok(r.syscalls.every((s) => s.call === "getpid" && s.ret === 1));
    },
  },
  {
    name: "two tasks' long writes never show each other's bytes",
    async run() {
      for (const arch of ["x86_64", "ppc64", "sparc64"] as const) {
        await using kernel = await Kernel.boot({ arch, cpus: 2 });
        const a = "a".repeat(MAX_WRITE_BYTES - 1) + "\n";
        const b = "b".repeat(3000) + "\n";
        const r = kernel.run({
          workload: {
            init: [
              { call: "fork", child: [{ call: "write", fd: 1, text: a }] },
              { call: "fork", child: [{ call: "write", fd: 1, text: b }] },
              { call: "wait4" },
              { call: "wait4" },
            ],
          },
        });
        assert.equal(r.completed, true);
        const writes = r.syscalls.filter((s) => s.call === "write").map((s) => s.ret).sort();
        assert.deepEqual(writes, [3001, MAX_WRITE_BYTES]);
        // The two writes may interleave on the console (the guest copies in
        // chunks); what matters is that each shows exactly its own bytes.
        const text = kernel.logLines.map((l) => l.replace(/^\[[ \d.]+\] /, ""))
          .filter((l) => /^[ab\0]+$/.test(l)).join("");
        assert.equal(text.match(/a/g)?.length, a.length - 1, arch);
        assert.equal(text.match(/b/g)?.length, b.length - 1, arch);
        assert.doesNotMatch(text, /\0/);
      }
    },
  },
  {
    name: "pids a multiple of 1024 apart never share a user page",
    run() {
      const pages = new UserScratch(0x400000n, 0x400000);
      const seen = new Set<bigint>();
      for (let pid = 1; pid <= 1024 * 3; pid += 1024) seen.add(pages.pageOf(pid)!);
      assert.equal(seen.size, 3);
      // All 1024 pages taken by live tasks: the next one gets none, not a shared one.
      for (let pid = 5000; pages.inUse < 1024; pid++) pages.pageOf(pid);
      assert.equal(pages.pageOf(99_999), null);
      pages.release(1025);
      assert.equal(pages.pageOf(99_999), 0x400000n + 0x1000n);
    },
  },
  {
    name: "loadWorkload of a missing file",
    async run() {
      await withTempDir(async (dir) => {
        await rejected(`${dir}/nope.json`, /: no such file, check the path$/);
      });
    },
  },
  {
    name: "loadWorkload of a directory",
    async run() {
      await withTempDir(async (dir) => {
        await rejected(dir, /: it is a directory, pass a JSON file$/);
      });
    },
  },
  {
    name: "loadWorkload of /dev/zero is refused without reading it",
    async run() {
      await rejected("/dev/zero", /: it is not a regular file \(a device, pipe or socket\)/);
    },
  },
  {
    name: "loadWorkload of a FIFO does not block",
    async run() {
      await withTempDir(async (dir) => {
        const fifo = `${dir}/w.fifo`;
        const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
        assert.equal(made.code, 0);
        await rejected(fifo, /: it is not a regular file/);
      });
    },
  },
  {
    name: "loadWorkload of a file larger than MAX_WORKLOAD_BYTES",
    async run() {
      await withTempDir(async (dir) => {
        const path = `${dir}/big.json`;
        await Deno.writeFile(path, new Uint8Array(MAX_WORKLOAD_BYTES + 10).fill(0x20));
        await rejected(path, /: it is 1048586 bytes, more than the 1048576 \(MAX_WORKLOAD_BYTES\)/);
      });
    },
  },
  {
    name: "loadWorkload of bytes that are not UTF-8",
    async run() {
      await withTempDir(async (dir) => {
        const path = `${dir}/bin.json`;
        await Deno.writeFile(path, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
        await rejected(path, /: it is not UTF-8 text, pass a JSON file$/);
      });
    },
  },
  {
    name: "loadWorkload names the bad entry of a file",
    async run() {
      await withTempDir(async (dir) => {
        const path = `${dir}/w.json`;
        await Deno.writeTextFile(
          path,
          '{"init": [{"call": "fork", "child": [{"call": "exit", "code": "x"}]}]}',
        );
        await rejected(path, /: init\[0\]\.child\[0\]: "exit" needs "code" that is an integer/);
        await Deno.writeTextFile(path, '{"init": [{"call": "getpid"}]}');
        assert.deepEqual((await loadWorkload(path)).init, [{ call: "getpid" }]);
      });
    },
  },
  {
    name: "loadWorkload without --allow-read says so, not 'file not found'",
    async run() {
      await withTempDir(async (dir) => {
        const path = `${dir}/w.json`;
        await Deno.writeTextFile(path, '{"init": []}');
        const script = `${dir}/load.ts`;
        const mod = new URL("kernel-model/workload_file.ts", ROOT).href;
        await Deno.writeTextFile(
          script,
          `import { loadWorkload } from ${JSON.stringify(mod)};\n` +
            `try { await loadWorkload(${JSON.stringify(path)}); console.log("loaded"); }\n` +
            `catch (e) { console.log(e.name + ": " + e.message); }\n`,
        );
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["run", "--no-config", "--no-lock", `--allow-read=${dir}/other`, script],
          cwd: dir,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(out.stdout);
        assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
        assert.equal(
          text.trim(),
          `WorkloadError: Cannot load workload "${path}": read permission was not granted, run deno with --allow-read=${path}`,
        );
      });
    },
  },
  {
    name: "loadWorkload of a file the OS will not let us read",
    async run() {
      // Mode 0200 and refused to every reader, root included (procfs).
      await rejected(
        "/proc/sys/vm/compact_memory",
        /: permission denied by the operating system, check the file's mode and owner$/,
      );
    },
  },
]);
