// Copyright 2026 the kprobes-sim authors. MIT license.
// The spirit of Linux's tools/testing/selftests/ftrace/test.d/kprobe/
// kprobe_syntax_errors.tc: every malformed definition is refused and logged
// in error_log with Linux's message and the caret where Linux puts it
// (written here as `^` in the command). do_fork stands in for vfs_read.

import assert from "node:assert/strict";
import { Kernel } from "../../mod.ts";
import type { Tracefs } from "../../tracing/mod.ts";

/** Writes `spec` without its `^`; checks the refusal and the error_log caret. */
function checkError(fs: Tracefs, spec: string, message: string, errno = -22): void {
  const pos = spec.lastIndexOf("^");
  const command = spec.slice(0, pos) + spec.slice(pos + 1);
  assert.equal(fs.write("error_log", ""), 0);
  assert.equal(fs.write("kprobe_events", command, { append: true }), errno, command);
  const lines = fs.read("error_log").split("\n");
  assert.match(lines[0], /^\[ *\d+\.\d{6}\] trace_kprobe: error: /, command);
  assert.equal(lines[0].replace(/^.*trace_kprobe: error: /, ""), message, command);
  assert.equal(lines[1], `  Command: ${command}`);
  // The selftest's check: the caret line is 13 + pos bytes with its newline.
  assert.equal(lines[2], " ".repeat(11 + pos) + "^", command);
}

const CASES: [string, string][] = [
  ["p^100 do_fork", "Maxactive is not for kprobe"],
  ["r^1a111 do_fork", "Invalid maxactive number"],
  ["r^100000 do_fork", "Maxactive is too big"],
  ["p ^hoge-fuga", "Invalid probed address or symbol"],
  ["p ^hoge+1000-1000", "Invalid probed address or symbol"],
  ["r ^do_fork+10", "Retprobe address must be an function entry"],
  ["p:^/bar do_fork", "Group name is not specified"],
  [`p:^${"1234567890".repeat(6)}12345/bar do_fork`, "Group name is too long"],
  ["p:^foo.1/bar do_fork", "Group name must follow the same rules as C identifiers"],
  ["p:^ do_fork", "Event name is not specified"],
  [`p:foo/^${"1234567890".repeat(6)}12345 do_fork`, "Event name is too long"],
  ["p:foo/^bar.1 do_fork", "Event name must follow the same rules as C identifiers"],
  ["p do_fork ^$retval", "$retval is not available on probe"],
  ["p do_fork ^$stack10000", "Invalid stack number"],
  ["p do_fork ^$arg10000", "Invalid argument number"],
  ["p do_fork ^$none_var", "Invalid $-variable specified"],
  ["p do_fork ^%none_reg", "Invalid register name"],
  ["p do_fork ^@12345678abcde", "Invalid memory address"],
  ["p do_fork ^@+10", "File offset is not available with kprobe"],
  ["p do_fork arg1=\\^x", "Invalid immediate value"],
  ['p do_fork arg1=\\"abcd^', `String is not closed with '"'`],
  ["p do_fork ^+0@0)", "Dereference needs a brace"],
  ["p do_fork ^+0ab1(@0)", "Invalid dereference offset"],
  ["p do_fork +0(+0(@0^)", "Dereference brace is not closed"],
  ["p do_fork +0(^$comm)", "$comm can not be dereferenced"],
  ["p do_fork ^&1", "Invalid fetch argument"],
  [
    "p do_fork +0(^+0(+0(+0(+0(+0(+0(+0(+0(+0(+0(+0(+0(+0(@0))))))))))))))",
    "Dereference is too much nested",
  ],
  ["p do_fork +0(@11):u8[10^", "Array is not closed"],
  ["p do_fork +0(@11):u8[10]^a", "Array has wrong suffix"],
  ["p do_fork +0(@11):u8[^10a]", "Invalid array size"],
  ["p do_fork +0(@11):u8[^256]", "Array number is too big"],
  ["p do_fork @11:^unknown_type", "Unknown type is specified"],
  ["p do_fork $stack0:^string", "String accepts only memory argument"],
  ["p do_fork @11:^b10@a/16", "Invalid bitfield"],
  ["p do_fork ^arg123456789012345678901234567890=@11", "Argument name is too long"],
  ["p do_fork ^=@11", "Argument name is not specified"],
  ["p do_fork ^var.1=@11", "Argument name must follow the same rules as C identifiers"],
  ["p do_fork var1=@11 ^var1=@12", "This argument name is already used"],
  [
    "p do_fork ^+1234567(+1234567(+1234567(+1234567(+1234567(+1234567(@1234))))))",
    "Argument expression is too long",
  ],
  ["p do_fork arg1=^", "No argument expression"],
  ["p do_fork^%hoge", "Invalid probed address suffix"],
  ["p ^do_fork+10%return", "Retprobe address must be an function entry"],
];

Deno.test("kprobe_events refuses each malformed definition with Linux's message and caret (x86_64)", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  for (const [spec, message] of CASES) checkError(fs, spec, message);
  assert.equal(fs.read("kprobe_events"), "", "nothing was defined");
});

Deno.test("kprobe_events refuses an unknown symbol with -ENOENT and a caret under it", async () => {
  await using kernel = await Kernel.boot();
  checkError(kernel.tracefs, "p ^non_exist_func", "Invalid probed address or symbol", -2);
});

Deno.test("kprobe_events refuses $comm with a non-string type without logging, as Linux", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  fs.write("error_log", "");
  assert.equal(fs.write("kprobe_events", "p do_fork $comm:u32", { append: true }), -22);
  assert.equal(fs.read("error_log"), "");
});

Deno.test("kprobe_events symstr accepts registers and refuses data (caret on the type)", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  assert.ok(fs.write("kprobe_events", "p do_fork s=%ax:symstr") > 0);
  checkError(fs, "p do_fork s=\\1:^symstr", "Symbol String doesn't accept data/userdata");
});

Deno.test("kprobe_events multiprobe errors: probe type, argument type, same probe", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  assert.ok(fs.write("kprobe_events", "p:kprobes/testevent do_fork") > 0);
  checkError(
    fs,
    "^r:kprobes/testevent do_exit",
    "Probe type is different from existing probe",
    -17,
  );
  assert.ok(fs.write("kprobe_events", "p:kprobes/testevent do_fork abcd=\\1") > 0);
  const diff = "Argument type or name is different from existing probe";
  checkError(fs, "p:kprobes/testevent do_fork ^bcd=\\1", diff, -17);
  checkError(fs, "p:kprobes/testevent do_fork ^abcd=\\1:u8", diff, -17);
  checkError(fs, 'p:kprobes/testevent do_fork ^abcd=\\"foo"', diff, -17);
  checkError(
    fs,
    "^p:kprobes/testevent do_fork abcd=\\1",
    "There is already the exact same probe event",
    -17,
  );
});

Deno.test("kprobe_events refuses a probe inside an instruction with the boundary error (x86)", async () => {
  for (const arch of ["x86_64", "i386"] as const) {
    await using kernel = await Kernel.boot({ arch });
    const fs = kernel.tracefs;
    // The first offset of do_fork that is no instruction boundary.
    let off = 1;
    for (; off < 16; off++) {
      fs.write("error_log", "");
      const r = fs.write("kprobe_events", `p do_fork+${off}`, { append: true });
      if (r === -84) break;
      fs.write("kprobe_events", "");
    }
    assert.ok(off < 16, `${arch}: every offset below 16 is a boundary`);
    checkError(fs, `p ^do_fork+${off}`, "Probe point is not an instruction boundary", -84);
  }
});

Deno.test("kprobe_events names registers per arch as regs_query_register_offset", async () => {
  const good: Record<string, string[]> = {
    x86_64: ["%ax", "%r15", "%ip", "%flags", "%orig_ax", "%sp", "%ss"],
    i386: ["%ax", "%ds", "%gs", "%ip", "%flags", "%sp"],
    ppc64: ["%r3", "%gpr31", "%nip", "%msr", "%link", "%ccr", "%softe", "%dsisr"],
    sparc64: ["%g1", "%i0", "%i6", "%i7", "%tstate", "%pc", "%npc", "%y", "%lr"],
  };
  const bad: Record<string, string[]> = {
    x86_64: ["%rax", "%eax", "%ds", "%r16"],
    i386: ["%eax", "%r8", "%rip"],
    ppc64: ["%r32", "%gpr32", "%ax", "%lr"],
    sparc64: ["%o0", "%l0", "%i8", "%tpc", "%sp", "%r3", "%ax"],
  };
  for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
    await using kernel = await Kernel.boot({ arch });
    const fs = kernel.tracefs;
    for (const r of good[arch]) {
      assert.ok(fs.write("kprobe_events", `p do_fork ${r}`) > 0, `${arch} ${r}`);
    }
    for (const r of bad[arch]) checkError(fs, `p do_fork ^${r}`, "Invalid register name");
  }
});

Deno.test("error_log keeps Linux's last 8 entries and a truncating write clears it", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  for (let i = 0; i < 10; i++) fs.write("kprobe_events", `p do_fork %bad${i}`, { append: true });
  const log = fs.read("error_log");
  assert.equal(log.split("\n").filter((l) => l.includes("error:")).length, 8);
  assert.ok(!log.includes("%bad1 ") && !log.includes("%bad1\n") && log.includes("%bad9"));
  fs.write("error_log", "", { append: true });
  assert.notEqual(fs.read("error_log"), "");
  fs.write("error_log", "");
  assert.equal(fs.read("error_log"), "");
});

Deno.test("kprobe_events address probes: $argN refused, a return probe off an entry fails to register", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  const fork = kernel.kallsyms.lookupName("do_fork");
  const at = `0x${fork.toString(16)}`;
  checkError(fs, `p ${at} ^$arg1`, "Invalid $-variable specified");
  checkError(fs, `r ^0x${(fork + 1n).toString(16)}`, "Failed to register probe event");
  assert.ok(fs.write("kprobe_events", `r ${at} r=$retval`) > 0, "a return probe at the entry");
});
