// Copyright 2026 the kprobes-sim authors. MIT license.
// The spirit of Linux's ftrace kprobe selftests (add_and_remove,
// kprobe_eventname, kprobe_args*, kretprobe_args, kretprobe_maxactive,
// kprobe_multiprobe, profile, busy_check) through kernel.tracefs, on every
// arch. Addresses and offsets come from kallsyms, never from constants.

import assert from "node:assert/strict";
import { type ArchName, Kernel } from "../../mod.ts";

const ARCHES: readonly ArchName[] = ["x86_64", "i386", "ppc64", "sparc64"];

/** Trace lines of one event from trace_pipe. */
function lines(text: string, event: string): string[] {
  return text.split("\n").filter((l) => l.includes(` ${event}: (`));
}

Deno.test("kprobe_events add and remove (add_and_remove.tc)", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  assert.equal(fs.write("kprobe_events", "p:myevent do_fork"), 17);
  assert.equal(fs.read("kprobe_events"), "p:kprobes/myevent do_fork\n");
  assert.match(kernel.kprobesList(), /do_fork\+0x0 \[DISABLED\]/, "registered, disabled");
  assert.equal(fs.read("available_events"), "kprobes:myevent\n");
  assert.equal(fs.write("kprobe_events", "-:myevent", { append: true }), 9);
  assert.equal(fs.read("kprobe_events"), "");
  assert.equal(kernel.kprobesList(), "", "the kprobe is gone");
  assert.equal(fs.write("kprobe_events", "-:myevent", { append: true }), -2, "-ENOENT");
  assert.equal(fs.write("kprobe_events", "p:myevent do_fork"), 17);
  assert.equal(fs.write("kprobe_events", ""), 0, "truncating clears");
  assert.equal(fs.read("kprobe_events"), "");
});

Deno.test("kprobe_events default event names and groups (kprobe_eventname.tc)", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  const fork = kernel.kallsyms.lookupName("do_fork");
  const hex = fork.toString(16).padStart(16, "0");
  fs.write("kprobe_events", "p do_fork\nr sys_open\np:grp/ do_exit\nr4:mygrp/myret do_fork");
  fs.write("kprobe_events", `p 0x${fork.toString(16)}`, { append: true });
  assert.equal(
    fs.read("kprobe_events"),
    "p:kprobes/p_do_fork_0 do_fork\n" +
      "r:kprobes/r_sys_open_0 sys_open\n" +
      "p:grp/p_do_exit_0 do_exit\n" +
      "r4:mygrp/myret do_fork\n" +
      `p:kprobes/p_0x${hex} 0x${fork.toString(16)}\n`,
  );
  assert.match(fs.read("events/kprobes/p_do_fork_0/format"), /^name: p_do_fork_0\nID: \d+\n/);
});

Deno.test("kprobe_events fetch args and types on every arch (kprobe_args*.tc)", async () => {
  for (const arch of ARCHES) {
    await using kernel = await Kernel.boot({ arch });
    const fs = kernel.tracefs;
    const ip = arch === "ppc64" ? "%nip" : arch === "sparc64" ? "%pc" : "%ip";
    const def = `p:f do_fork flags=$arg1:x32 comm=$comm ip=${ip}:symbol ` +
      "b=@linux_banner:x8 u=@linux_banner:u8[3] c=@linux_banner:char[2] " +
      "bf=\\0xf0:b4@4/8 s=\\255:s8 x=\\0x1234:x8 f=+0(\\16):string g=+0(\\16):u32 " +
      'h=\\"hi" us=+0(\\16):ustring it=@init_task+16:string';
    assert.ok(fs.write("kprobe_events", def) > 0, `${arch}: ${fs.read("error_log")}`);
    assert.equal(fs.write("events/kprobes/f/enable", "1"), 1);
    kernel.run();
    const got = lines(fs.read("trace_pipe"), "f");
    assert.equal(got.length, 3, `${arch}: three forks`);
    const first = got[0];
    const at = kernel.kallsyms.formatAddress(kernel.kallsyms.lookupName("do_fork"));
    assert.ok(first.includes(`f: (${at}) flags=0x11 comm="init" ip=`), `${arch}: ${first}`);
    assert.match(first, /ip=\.?do_fork\+0x[01]\//, "the pc symbolized");
    assert.match(first, / b=0x4c u=/, "'L'");
    assert.ok(
      first.endsWith(
        " u={76,105,110} c={'L','i'} bf=15 s=-1 x=0x34 f=(fault) g=0 h=\"hi\" us=(fault) it=\"swapper\"",
      ),
      `${arch}: ${first}`,
    );
  }
});

Deno.test("kprobe_events $stack, $stackN and nested dereference read the stack", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  fs.write("kprobe_events", "p:s do_fork sp=$stack ra=$stack0:symbol ra2=+0($stack):symbol");
  fs.write("events/kprobes/s/enable", "1");
  kernel.run();
  const l = lines(fs.read("trace"), "s")[0];
  const m = / sp=0x([0-9a-f]+) ra=(\S+) ra2=(\S+)$/.exec(l);
  assert.ok(m !== null, l);
  assert.equal(m[2], m[3], "+0($stack) is $stack0");
  assert.match(m[2], /^sys_fork\+0x[0-9a-f]+\/0x[0-9a-f]+$/, "do_fork's caller");
});

Deno.test("kprobe_events on sparc64: $stack is %i6 (the trapped %sp) + 2047, $argN are %i0.., %pc the probe", async () => {
  await using kernel = await Kernel.boot({ arch: "sparc64" });
  const fs = kernel.tracefs;
  const def = "p:s do_fork sp=$stack fp=%i6 a1=$arg1 o0=%i0 pc=%pc npc=%npc";
  assert.ok(fs.write("kprobe_events", def) > 0, fs.read("error_log"));
  fs.write("events/kprobes/s/enable", "1");
  kernel.run();
  const got = lines(fs.read("trace"), "s");
  assert.equal(got.length, 3);
  const fork = kernel.kallsyms.lookupName("do_fork");
  for (const l of got) {
    const m =
      / sp=0x([0-9a-f]+) fp=0x([0-9a-f]+) a1=0x([0-9a-f]+) o0=0x([0-9a-f]+) pc=0x([0-9a-f]+) npc=0x([0-9a-f]+)$/
        .exec(l);
    assert.ok(m !== null, l);
    assert.equal(BigInt(`0x${m[1]}`), BigInt(`0x${m[2]}`) + 2047n);
    assert.equal(m[3], "11"); // SIGCHLD
    assert.equal(m[4], "11");
    assert.equal(BigInt(`0x${m[5]}`), fork);
    assert.equal(BigInt(`0x${m[6]}`), fork + 4n);
  }
});

Deno.test("kprobe_events $retval of return probes on every arch (kretprobe_args.tc)", async () => {
  for (const arch of ARCHES) {
    await using kernel = await Kernel.boot({ arch });
    const fs = kernel.tracefs;
    // On i386 a long is 32 bits: s32 shows the sign, as on a 32-bit Linux.
    const t = arch === "i386" ? "s32" : "s64";
    assert.ok(fs.write("kprobe_events", `r:myret sys_open ret=$retval:${t}`) > 0);
    assert.equal(fs.write("events/kprobes/enable", "1"), 1);
    kernel.run();
    const got = lines(fs.read("trace_pipe"), "myret");
    assert.deepEqual(
      got.slice(0, 3).map((l) => l.replace(/^.* ret=/, "")),
      ["3", "-2", "-13"],
      arch,
    );
    assert.match(
      got[0],
      /myret: \(\.?do_syscall\+0x[0-9a-f]+\/0x[0-9a-f]+ <- \.?sys_open\) ret=3$/,
    );
    assert.equal(fs.write("kprobe_events", "p:bad sys_open r=$retval", { append: true }), -22);
  }
});

Deno.test("kprobe_events %return and r<N> maxactive (kretprobe_maxactive.tc, return_suffix.tc)", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  assert.ok(fs.write("kprobe_events", "p:r1 sys_open%return ret=$retval:s32") > 0);
  assert.ok(fs.write("kprobe_events", "r100:r2 do_fork", { append: true }) > 0);
  assert.equal(
    fs.read("kprobe_events"),
    "r:kprobes/r1 sys_open ret=$retval:s32\nr100:kprobes/r2 do_fork\n",
  );
  fs.write("events/enable", "1");
  kernel.run();
  assert.equal(lines(fs.read("trace"), "r1").length, 9);
  assert.equal(lines(fs.read("trace"), "r2").length, 3);
});

Deno.test("kprobe_events multiprobe: one event on several functions (kprobe_multiprobe.tc)", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  assert.ok(fs.write("kprobe_events", "p:multi do_fork") > 0);
  assert.ok(fs.write("kprobe_events", "p:multi sys_open", { append: true }) > 0);
  assert.equal(fs.read("kprobe_events"), "p:kprobes/multi do_fork\np:kprobes/multi sys_open\n");
  assert.equal(fs.read("available_events"), "kprobes:multi\n");
  fs.write("events/kprobes/multi/enable", "1");
  kernel.run();
  const got = lines(fs.read("trace"), "multi");
  assert.equal(got.filter((l) => /\(do_fork\+0x0\//.test(l)).length, 3);
  assert.equal(got.filter((l) => /\(sys_open\+0x0\//.test(l)).length, 9);
  fs.write("events/kprobes/multi/enable", "0");
  assert.equal(fs.write("kprobe_events", "-:multi do_fork", { append: true }), 15);
  assert.equal(fs.read("kprobe_events"), "p:kprobes/multi sys_open\n");
});

Deno.test("kprobe_profile counts hits per probe (profile.tc)", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  fs.write("kprobe_events", "p:testprobe sys_open\np:unhit do_fork");
  fs.write("events/kprobes/testprobe/enable", "1");
  kernel.run();
  assert.equal(
    fs.read("kprobe_profile"),
    `  ${"testprobe".padEnd(44)} ${"9".padStart(15)} ${"0".padStart(15)}\n` +
      `  ${"unhit".padEnd(44)} ${"0".padStart(15)} ${"0".padStart(15)}\n`,
  );
});

Deno.test("kprobe_events refuses to remove an enabled event with -EBUSY (busy_check.tc)", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  fs.write("kprobe_events", "p:myevent do_fork");
  fs.write("events/kprobes/myevent/enable", "1");
  assert.equal(fs.read("events/kprobes/myevent/enable"), "1\n");
  assert.equal(fs.write("kprobe_events", "-:myevent", { append: true }), -16);
  assert.equal(fs.write("kprobe_events", ""), -16, "truncating is refused too");
  assert.equal(fs.read("kprobe_events"), "p:kprobes/myevent do_fork\n");
  fs.write("events/kprobes/myevent/enable", "0");
  assert.equal(fs.write("kprobe_events", "-:myevent", { append: true }), 9);
});

Deno.test("events/…/enable arms and disarms the kprobe; group and global enable show X when mixed", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  fs.write("kprobe_events", "p:a do_fork\np:b sys_open");
  assert.equal(fs.read("events/kprobes/enable"), "0\n");
  fs.write("events/kprobes/a/enable", "1");
  assert.equal(fs.read("events/kprobes/enable"), "X\n");
  assert.equal(fs.read("events/enable"), "X\n");
  assert.doesNotMatch(kernel.kprobesList(), /do_fork\+0x0 \[DISABLED\]/);
  assert.match(kernel.kprobesList(), /sys_open\+0x0 \[DISABLED\]/);
  assert.equal(fs.write("events/kprobes/a/enable", "2"), -22);
  fs.write("events/enable", "0");
  assert.equal(fs.read("events/kprobes/enable"), "0\n");
});

Deno.test("trace_pipe consumes; trace keeps until truncated; tracing_on stops recording", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  fs.write("kprobe_events", "p:f do_fork");
  fs.write("events/kprobes/f/enable", "1");
  kernel.run();
  assert.match(fs.read("trace"), /entries-in-buffer\/entries-written: 3\/3 {3}#P:1\n/);
  assert.equal(lines(fs.read("trace"), "f").length, 3, "trace does not consume");
  assert.equal(lines(fs.read("trace_pipe"), "f").length, 3);
  assert.equal(fs.read("trace_pipe"), "", "consumed");
  kernel.run();
  fs.write("trace", "");
  assert.equal(lines(fs.read("trace"), "f").length, 0);
  fs.write("tracing_on", "0");
  assert.equal(fs.read("tracing_on"), "0\n");
  kernel.run();
  assert.equal(lines(fs.read("trace"), "f").length, 0, "nothing recorded");
  assert.match(fs.read("kprobe_profile"), / 9 +0\n$/, "hits still counted");
});

Deno.test("the trace buffer overwrites its oldest entries and counts what it lost", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  assert.equal(fs.read("buffer_size_kb"), "1410\n", "1408 KiB in whole 4080-byte data pages");
  fs.write("buffer_size_kb", "1");
  fs.write("kprobe_events", "p:f sys_open path=+0($arg1):ustring pad=+0($stack):u64[32]");
  fs.write("events/kprobes/f/enable", "1");
  for (let i = 0; i < 4; i++) kernel.run();
  const m = /entries-in-buffer\/entries-written: (\d+)\/(\d+) /.exec(fs.read("trace"));
  assert.ok(m !== null);
  assert.equal(Number(m[2]), 36, "every hit written");
  assert.ok(Number(m[1]) < 36 && Number(m[1]) > 0, `${m[1]} kept`);
});

Deno.test("events/…/filter keeps only matching events; a bad filter is refused and logged", async () => {
  await using kernel = await Kernel.boot({ arch: "ppc64" });
  const fs = kernel.tracefs;
  fs.write("kprobe_events", "r:myret sys_open ret=$retval:s64");
  assert.equal(fs.read("events/kprobes/myret/filter"), "none\n");
  assert.equal(fs.write("events/kprobes/myret/filter", "ret < 0"), 7);
  assert.equal(fs.read("events/kprobes/myret/filter"), "ret < 0\n");
  fs.write("events/kprobes/myret/enable", "1");
  kernel.run();
  const got = lines(fs.read("trace_pipe"), "myret").map((l) => l.replace(/^.* ret=/, ""));
  assert.deepEqual(got, ["-2", "-13", "-2", "-13", "-2", "-13"]);
  fs.write("error_log", "");
  assert.equal(fs.write("events/kprobes/myret/filter", "nosuchfield == 1"), -22);
  assert.match(fs.read("error_log"), /event filter parse error: error: /);
  assert.match(fs.read("events/kprobes/myret/filter"), /\nparse_error: /);
  assert.equal(fs.write("events/kprobes/myret/filter", "0"), 1);
  assert.equal(fs.read("events/kprobes/myret/filter"), "none\n");
});

Deno.test("tracefs answers README and absolute paths; a missing file is an error", async () => {
  await using kernel = await Kernel.boot();
  const fs = kernel.tracefs;
  assert.match(fs.read("/sys/kernel/tracing/README"), /r\[maxactive\]/);
  assert.match(fs.read("README"), /\$arg<N>/);
  assert.throws(() => fs.read("no_such_file"), /Cannot read tracefs file "no_such_file"/);
  assert.equal(fs.write("no_such_file", "1"), -2);
});

Deno.test("event filters see string fields, common_pid, cpu and comm; a group filter sets each event", async () => {
  await using kernel = await Kernel.boot({ arch: "i386" });
  const fs = kernel.tracefs;
  fs.write(
    "kprobe_events",
    "p:myopen sys_open path=+0($arg1):ustring\nr:myret sys_open r=$retval:s32",
  );
  assert.ok(fs.write("events/kprobes/myopen/filter", 'path ~ "/etc/*" && common_pid == 3') > 0);
  assert.ok(fs.write("events/kprobes/myret/filter", 'cpu == 0 && comm == "init" && r == 3') > 0);
  fs.write("events/enable", "1");
  kernel.run();
  const text = fs.read("trace_pipe");
  assert.deepEqual(
    lines(text, "myopen").map((l) => l.replace(/^ *(\S+) .* path=/, "$1 ")),
    ['init-3 "/etc/passwd"', 'init-3 "/etc/shadow"'],
  );
  assert.equal(lines(text, "myret").length, 3, "one successful open per child");
  assert.match(fs.read("events/kprobes/filter"), /^### global filter ###\n/);
  // The second run's children are pids 5, 6 and 7.
  assert.ok(fs.write("events/kprobes/filter", "common_pid == 6") > 0);
  assert.equal(fs.read("events/kprobes/myret/filter"), "common_pid == 6\n");
  kernel.run();
  const pids = [...fs.read("trace").matchAll(/ init-(\d+) +\[/g)].map((m) => m[1]);
  assert.deepEqual(pids, ["6", "6", "6", "6", "6", "6"], "three opens, three returns of pid 6");
});
