// Copyright 2026 the kprobes-sim authors. MIT license.
// The disasm and funcs commands: output and exit statuses, in-process through main().

import assert from "node:assert/strict";
import { main } from "../cli.ts";

async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (l) => out.push(l), stderr: (t) => err.push(t) });
  return { code, out, err: err.join("") };
}

Deno.test("cli disasm lists a function objdump -d -l style", async () => {
  const r = await cli("disasm", "sys_open");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out[0], /^ffffffff8[0-9a-f]{7} <sys_open>:$/);
  assert.match(r.out[1], /^kernel\/fs\.c:\d+$/);
  assert.match(r.out[2], /^ {3}ffffffff8[0-9a-f]{7}: {2}55 {20}pushq {4}%rbp$/);
  assert.ok(r.out.some((l) => /callq +0xffffffff8[0-9a-f]{7} <do_sys_open>$/.test(l)));
  assert.match(r.out.at(-1)!, /^(\d+) of \1 instructions may take a kprobe$/);
});

Deno.test("cli disasm marks refused instructions with errno and reason", async () => {
  const r = await cli("disasm", "--arch", "i386", "entry_INT80");
  assert.equal(r.code, 0, r.err);
  const insns = r.out.filter((l) => /^. +c0[0-9a-f]{6}: {2}.{20} {2}\S/.test(l)); // not byte continuations
  assert.ok(insns.length > 5);
  for (const l of insns) {
    assert.match(l, /^- .*; EINVAL: blacklisted, entry code \(\.entry\.text\)$/);
  }
  assert.match(r.out.at(-1)!, /^0 of (\d+) instructions may take a kprobe, \1 refused$/);
});

Deno.test("cli disasm --arch ppc64 follows the descriptor of do_fork", async () => {
  const r = await cli("disasm", "--arch", "ppc64", "do_fork");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out[0], /^do_fork: function descriptor at c[0-9a-f]{15}, code at \.do_fork$/);
  assert.match(r.out[1], /^c[0-9a-f]{15} <\.do_fork>:$/);
  assert.match(r.out[3], /^ {3}c[0-9a-f]{15}: {2}7c 08 02 a6 {2}mflr {5}r0$/);
});

Deno.test("cli disasm --arch sparc64 lists SPARC V9 words with Capstone's text", async () => {
  const r = await cli("disasm", "--arch", "sparc64", "sys_open");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out[0], /^0000000000[0-9a-f]{6} <sys_open>:$/);
  assert.match(r.out[1], /^kernel\/fs\.c:\d+$/);
  assert.match(
    r.out[2],
    /^ {3}0000000000[0-9a-f]{6}: {2}9d e3 bf [0-9a-f]{2} {2}save {5}%sp, -0x[0-9a-f]+, %sp$/,
  );
  assert.ok(r.out.some((l) => /call +0x[0-9a-f]+ <do_sys_open>$/.test(l)));
  const funcs = await cli("funcs", "--arch", "sparc64", "--json", "*_open");
  assert.deepEqual(JSON.parse(funcs.out[0]), ["do_sys_open", "filp_open", "sys_open"]);
});

Deno.test("cli disasm --json prints one object", async () => {
  const r = await cli("disasm", "--json", "vfs_write");
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.length, 1);
  const j = JSON.parse(r.out[0]);
  assert.equal(j.name, "vfs_write");
  assert.equal(j.insns[0].file, "kernel/fs.c");
  assert.equal(j.insns[0].probeable, true);
  assert.equal(j.insns[0].bytes, "55");
});

Deno.test("cli disasm exits 1 for an unknown symbol, with a did-you-mean", async () => {
  const r = await cli("disasm", "do_frok");
  assert.equal(r.code, 1);
  assert.deepEqual(r.out, []);
  assert.equal(
    r.err,
    'error: Cannot disassemble "do_frok": no such symbol (did you mean do_fork?), see the funcs command\n',
  );
});

Deno.test("cli funcs lists the probe-able functions matching a glob", async () => {
  const r = await cli("funcs", "sys_*");
  assert.equal(r.code, 0, r.err);
  assert.ok(r.out.includes("sys_open") && r.out.includes("sys_read"));
  assert.ok(r.out.every((n) => n.startsWith("sys_")));
  assert.deepEqual(r.out, [...r.out].sort());
  const ppc = await cli("funcs", "--arch", "ppc64", "--json", "*_open");
  assert.deepEqual(JSON.parse(ppc.out[0]), ["do_sys_open", "filp_open", "sys_open"]);
  const none = await cli("funcs", "kretprobe_*");
  assert.equal(none.code, 1);
  assert.match(
    none.err,
    /^error: Cannot list functions matching "kretprobe_\*": no probe-able function/,
  );
});
