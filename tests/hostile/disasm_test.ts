// Copyright 2026 the kprobes-sim authors. MIT license.
// Hostile-input catalogue for `disasm` and `funcs`: images with damaged line
// tables (they still boot and list, without source lines), and targets and
// patterns a careless user types. Each is a clean refusal or a listing,
// never a host exception.

import assert from "node:assert/strict";
import { Kernel, KernelError } from "../../mod.ts";
import { DwarfError, parseElf } from "../../kernel-model/mod.ts";
import { disassemble, probeableFunctions } from "../../probes/mod.ts";
import { main } from "../../cli.ts";
import { catalogue } from "./_case.ts";

const ROOT = new URL("../../", import.meta.url);

/** The x86_64 image with `patch` applied to its .debug_line section bytes. */
function damagedImage(patch: (section: Uint8Array) => void): Uint8Array {
  const bytes = Deno.readFileSync(new URL("kernel-model/vmlinux/images/vmlinux-x86_64", ROOT));
  const sec = parseElf(bytes, "vmlinux-x86_64").sections.find((s) => s.name === ".debug_line")!;
  patch(bytes.subarray(sec.offset, sec.offset + sec.size));
  return bytes;
}

/** Boots `image` from a temporary file, lists vfs_read, returns the kernel's line-table error. */
async function listDamaged(image: Uint8Array, name: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "kprobes-sim-hostile-dwarf-" });
  try {
    const path = `${dir}/${name}`;
    await Deno.writeFile(path, image);
    await using kernel = await Kernel.boot({ image: path });
    assert.throws(() => kernel.sourceLine(0n), DwarfError);
    const l = await disassemble(kernel, "vfs_read");
    assert.ok(l.insns.length > 10);
    assert.ok(l.insns.every((i) => i.source === null && i.refusal === null));
    assert.ok(l.lineError !== null && l.lineError.includes(`"${path}"`), l.lineError ?? "");
    return l.lineError;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (l) => out.push(l), stderr: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("") };
}

catalogue("elf", [
  {
    name: ".debug_line: a first unit whose version is 0xffff",
    async run() {
      const image = damagedImage((s) => s.set([0xff, 0xff], 4));
      assert.match(await listDamaged(image, "bad-version"), /version 65535 is not 2 to 5/);
    },
  },
  {
    name: ".debug_line: a unit_length running past the section",
    async run() {
      const image = damagedImage((s) => s.set([0xfe, 0xff, 0xff, 0x7f], 0));
      assert.match(await listDamaged(image, "long-unit"), /field unit_length/);
    },
  },
  {
    name: ".debug_line: every byte 0xff",
    async run() {
      const image = damagedImage((s) => s.fill(0xff));
      assert.match(await listDamaged(image, "all-ff"), /unit_length/);
    },
  },
  {
    name: ".debug_line: the program of every unit zeroed (extended opcodes of length 0)",
    async run() {
      // Only the header of the first unit survives: the zeroed rest reads as
      // zero-length units, refused as truncated, or as empty programs.
      const image = damagedImage((s) => s.fill(0, 60));
      const dir = await Deno.makeTempDir({ prefix: "kprobes-sim-hostile-dwarf-" });
      try {
        await Deno.writeFile(`${dir}/zeroed`, image);
        await using kernel = await Kernel.boot({ image: `${dir}/zeroed` });
        try {
          kernel.sourceLine(0n);
        } catch (e) {
          assert.ok(e instanceof DwarfError, String(e));
        }
        const l = await disassemble(kernel, "do_fork");
        assert.ok(l.insns.length > 10);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  },
]);

catalogue("library", [
  {
    name: "disassemble() of junk targets: a 1 MB name, a huge offset, an empty string, '0x'",
    async run() {
      await using kernel = await Kernel.boot();
      for (
        const t of [
          "x".repeat(1 << 20),
          "do_fork+0xffffffffffffffffffff",
          "",
          "0x",
          "do_fork+",
          "+1",
        ]
      ) {
        await assert.rejects(() => disassemble(kernel, t), KernelError, t.slice(0, 20));
      }
    },
  },
  {
    name: "probeableFunctions() with regex metacharacters and a 1 MB pattern",
    async run() {
      await using kernel = await Kernel.boot();
      assert.deepEqual(probeableFunctions(kernel, "(.*)+["), []);
      assert.deepEqual(probeableFunctions(kernel, "sys_ope?"), ["sys_open"]);
      assert.throws(() => probeableFunctions(kernel, "*".repeat(1 << 20)), KernelError);
    },
  },
]);

catalogue("cli", [
  {
    name: "disasm of a data symbol exits 1 and says it is not a function",
    async run() {
      const r = await cli("disasm", "jiffies");
      assert.equal(r.code, 1);
      assert.match(r.err, /^error: Cannot disassemble "jiffies": jiffies is not a function/);
      assert.equal(r.out, "");
    },
  },
  {
    name: "disasm without a target exits 2",
    async run() {
      const r = await cli("disasm");
      assert.equal(r.code, 2);
      assert.match(r.err, /missing required argument 'target'/);
    },
  },
  {
    name: "funcs --arch sparc exits 2",
    async run() {
      const r = await cli("funcs", "--arch", "sparc");
      assert.equal(r.code, 2);
      assert.match(r.err, /"sparc" is not a supported architecture/);
    },
  },
]);
