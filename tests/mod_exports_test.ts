// Copyright 2026 the kprobes-sim authors. MIT license.
// Structure checks: every public file is reachable from its mod.ts, and the
// value-import graph is acyclic and layered as STYLE.md rule 4 says.

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const SOURCE_DIRS = ["arch", "kernel-model", "probes"];

async function walk(dir: URL, rel: string, out: string[]): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    const path = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory) {
      if (e.name === "vmlinux") continue;
      await walk(new URL(`${e.name}/`, dir), path, out);
    } else if (e.name.endsWith(".ts")) out.push(path);
  }
}

async function sourceFiles(): Promise<string[]> {
  const files: string[] = ["mod.ts"];
  for (const d of SOURCE_DIRS) await walk(new URL(`${d}/`, ROOT), d, files);
  return files.sort();
}

function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const parts = from.split("/").slice(0, -1);
  for (const p of spec.split("/")) {
    if (p === "..") parts.pop();
    else if (p !== ".") parts.push(p);
  }
  return parts.join("/");
}

interface Edges {
  values: string[];
  reexports: string[];
}

async function edgesOf(file: string): Promise<Edges> {
  const text = await Deno.readTextFile(new URL(file, ROOT));
  const values: string[] = [];
  const reexports: string[] = [];
  const re = /^(import|export)\s+(type\s+)?([^;]*?)\s*from\s*"([^"]+)";/gms;
  for (const m of text.matchAll(re)) {
    const target = resolve(file, m[4]);
    if (target === null) continue;
    const typeOnly = m[2] !== undefined || /^\{\s*(type\s+[^,}]+,?\s*)+\}$/.test(m[3]);
    if (!typeOnly) values.push(target);
    if (m[1] === "export") reexports.push(target);
  }
  const dyn = /import\("(\.[^"]+)"\)/g;
  for (const m of text.matchAll(dyn)) {
    const t = resolve(file, m[1]);
    if (t !== null) values.push(t);
  }
  return { values, reexports };
}

Deno.test("mod.ts reaches every public source file", async () => {
  const files = await sourceFiles();
  const reached = new Set<string>();
  const queue = ["mod.ts"];
  while (queue.length > 0) {
    const f = queue.pop()!;
    if (reached.has(f)) continue;
    reached.add(f);
    queue.push(...(await edgesOf(f)).reexports);
  }
  const publicFiles = files.filter((f) => !f.split("/").some((p) => p.startsWith("_")));
  const missing = publicFiles.filter((f) => !reached.has(f));
  assert.deepEqual(missing, [], `not exported from any mod.ts: ${missing.join(", ")}`);
});

Deno.test("import graph is acyclic and layered", async () => {
  const files = await sourceFiles();
  const graph = new Map<string, string[]>();
  for (const f of files) graph.set(f, (await edgesOf(f)).values);
  const layer = (f: string) => f.split("/")[0];
  const violations: string[] = [];
  for (const [f, targets] of graph) {
    for (const t of targets) {
      const from = layer(f);
      const to = layer(t);
      if (f.endsWith("mod.ts")) continue;
      if (from === "arch" && to !== "arch") violations.push(`${f} -> ${t}`);
      if (from === "kernel-model" && to === "probes" && f !== "kernel-model/kernel.ts") {
        violations.push(`${f} -> ${t}`);
      }
      if (from === "probes" && t === "kernel-model/kernel.ts") violations.push(`${f} -> ${t}`);
      if (t.includes("/_common/") && from !== "arch") violations.push(`${f} -> ${t}`);
    }
  }
  assert.deepEqual(violations, [], "layering violations");
  const state = new Map<string, number>();
  const cycle: string[] = [];
  const visit = (f: string, path: string[]): boolean => {
    const s = state.get(f) ?? 0;
    if (s === 1) {
      cycle.push(...path.slice(path.indexOf(f)), f);
      return true;
    }
    if (s === 2) return false;
    state.set(f, 1);
    for (const t of graph.get(f) ?? []) if (visit(t, [...path, f])) return true;
    state.set(f, 2);
    return false;
  };
  for (const f of files) if (visit(f, [])) break;
  assert.deepEqual(cycle, [], `import cycle: ${cycle.join(" -> ")}`);
});
