// Copyright 2026 the kprobes-sim authors. MIT license.
// What the CLI loads before it needs it: the start-up structure demo_ms
// depends on (tests/bench/_startup.ts measures the time; this checks the
// module graphs, which a stray import would silently grow). Before a
// program's first line Deno reads every module its static imports and its
// literal `import()`s name, transitively: `deno info` lists exactly those.

import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier: string } }[];
}

/** The files Deno reads for `entry` before its first line runs, package-relative. */
async function preloaded(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: InfoModule[];
  };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const queue = [info.roots[0]];
  while (queue.length > 0) {
    const s = queue.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const d of bySpecifier.get(s)?.dependencies ?? []) {
      if (d.code !== undefined) queue.push(d.code.specifier);
    }
  }
  return [...seen].map((s) => s.startsWith(root.href) ? s.slice(root.href.length) : s).sort();
}

Deno.test("cli.ts reads no kernel code before main() runs", async () => {
  const files = await preloaded("cli.ts");
  assert.ok(files.includes("_cli_run.ts"), files.join(", "));
  assert.deepEqual(
    files.filter((f) => /^(arch|probes|tracing)\/|^mod\.ts$|^cli_(disasm|trace)/.test(f)),
    [],
  );
});

Deno.test("cli_worker.ts reads the library and the arch only when it runs", async () => {
  const files = await preloaded("cli_worker.ts");
  assert.ok(files.includes("arch/load_arch.ts"), files.join(", "));
  assert.deepEqual(files.filter((f) => /^(arch\/(?!load_arch\.ts)|probes\/|mod\.ts)/.test(f)), []);
});

Deno.test("Kernel.boot() reads one arch: the library's graph holds none", async () => {
  const files = await preloaded("mod.ts");
  assert.ok(files.includes("kernel-model/kernel.ts"), files.join(", "));
  assert.deepEqual(files.filter((f) => /^arch\/(x86|ppc64|sparc64)\//.test(f)), []);
});
