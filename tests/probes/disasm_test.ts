// Copyright 2026 the kprobes-sim authors. MIT license.
// disassemble() and checkProbeAddress(): the listing's verdicts are
// register_kprobe()'s, armed probes show their original bytes, ppc64 follows
// function descriptors, and source lines come from the image.

import assert from "node:assert/strict";
import { Kernel, KernelError } from "../../mod.ts";
import { disassemble, formatDisasm } from "../../probes/mod.ts";

const ARCHES = ["x86_64", "i386", "ppc64", "sparc64"] as const;

/** Functions with accepted and refused instructions of every kind, per arch. */
const MIXED: Record<(typeof ARCHES)[number], string[]> = {
  x86_64: ["vfs_read", "do_sys_open", "entry_INT80", "load_cpu_tables", "kretprobe_trampoline"],
  i386: ["vfs_write", "filp_open", "entry_INT80", "load_cpu_tables", "jprobe_trampoline"],
  ppc64: ["vfs_read", "do_sys_open", "cpu_idle", "system_call_common", "kretprobe_trampoline"],
  sparc64: ["vfs_read", "do_sys_open", "linux_sparc_syscall", "etrap", "kretprobe_trampoline"],
};

for (const arch of ARCHES) {
  Deno.test(`checkProbeAddress() gives register_kprobe()'s verdict at every listed instruction on ${arch}`, async () => {
    await using kernel = await Kernel.boot({ arch });
    const reasons = new Set<string>();
    for (const fn of MIXED[arch]) {
      const l = await disassemble(kernel, fn);
      assert.ok(l.insns.length > 0, fn);
      for (const i of l.insns) {
        const verdict = kernel.checkProbeAddress(i.address);
        assert.deepEqual(i.refusal, verdict);
        const before = kernel.logLines.length;
        const kp = { addr: i.address };
        const ret = kernel.registerKprobe(kp);
        const where = `${fn} ${i.address.toString(16)} ${i.mnemonic}`;
        assert.equal(ret, verdict === null ? 0 : -verdict.errno, where);
        if (ret === 0) kernel.unregisterKprobe(kp);
        else {
          reasons.add(verdict!.reason);
          const logged = kernel.logLines.slice(before).join("\n");
          assert.ok(logged.includes(`: ${verdict!.reason}`), `${where}: ${logged}`);
        }
      }
    }
    // Every listed function mixes in at least the blacklist and Kprobes' own code.
    assert.ok([...reasons].some((r) => r.startsWith("blacklisted")), [...reasons].join("; "));
    assert.ok(reasons.has("Kprobes' own code (.kprobes.text, slots)"));
  });

  Deno.test(`checkProbeAddress() refuses what is not an instruction boundary or not text on ${arch}`, async () => {
    await using kernel = await Kernel.boot({ arch });
    const start = kernel.kallsyms.lookupName("do_fork");
    const inside = start + 2n; // x86: inside `mov %rsp,%rbp`; ppc64, sparc64: not word-aligned
    const v = kernel.checkProbeAddress(inside);
    assert.ok(v !== null);
    assert.equal(kernel.registerKprobe({ addr: inside }), -v.errno);
    const data = kernel.kallsyms.lookupName("jiffies_64");
    assert.deepEqual(kernel.checkProbeAddress(data), { errno: 22, reason: "not kernel text" });
    // No probe was registered and no text changed by the checks.
    assert.equal(kernel.kprobesList(), "");
  });

  Deno.test(`disassemble() shows registered probes with the bytes they replaced on ${arch}`, async () => {
    await using kernel = await Kernel.boot({ arch });
    const plain = await disassemble(kernel, "do_fork");
    assert.equal(kernel.registerKprobe({ symbol_name: "do_fork" }), 0);
    assert.equal(kernel.registerKretprobe({ kp: { symbol_name: "do_fork" } }), 0);
    const l = await disassemble(kernel, "do_fork");
    assert.deepEqual(l.insns[0].probes.sort(), ["k", "r"]);
    assert.deepEqual(l.insns[0].bytes, plain.insns[0].bytes);
    assert.equal(l.insns[0].mnemonic, plain.insns[0].mnemonic);
    assert.ok(l.insns.slice(1).every((i) => i.probes.length === 0));
    const line = formatDisasm(l).find((s) => s.includes(":  ") && !s.startsWith(" "))!;
    assert.match(line, /^kr +[0-9a-f]+:.*; kprobe, kretprobe$/);
  });

  Deno.test(`disassemble() heads each source line with file:line on ${arch}`, async () => {
    await using kernel = await Kernel.boot({ arch });
    const l = await disassemble(kernel, "vfs_read");
    assert.equal(l.name, arch === "ppc64" ? ".vfs_read" : "vfs_read");
    assert.ok(l.insns.every((i) => i.source !== null && i.refusal === null));
    assert.equal(l.insns[0].source?.file, "kernel/fs.c");
    const text = formatDisasm(l);
    const start = l.start.toString(16).padStart(arch === "i386" ? 8 : 16, "0");
    assert.equal(text[arch === "ppc64" ? 1 : 0], `${start} <${l.name}>:`);
    assert.match(text.join("\n"), /\nkernel\/fs\.c:\d+\n/);
    assert.match(
      text.at(-1)!,
      new RegExp(`^${l.insns.length} of ${l.insns.length} instructions may take a kprobe$`),
    );
    // Every byte of the function is listed once, in order.
    let a = l.start;
    for (const i of l.insns) {
      assert.equal(i.address, a);
      a += BigInt(i.bytes.length);
    }
    assert.equal(a, l.start + l.size);
  });

  Deno.test(`disassemble() refuses unknown symbols with a suggestion on ${arch}`, async () => {
    await using kernel = await Kernel.boot({ arch });
    await assert.rejects(
      () => disassemble(kernel, "vfs_raed"),
      (e: unknown) =>
        e instanceof KernelError &&
        e.message ===
          'Cannot disassemble "vfs_raed": no such symbol (did you mean vfs_read?), see the funcs command',
    );
    await assert.rejects(() => disassemble(kernel, "do_fork+0x100000"), /past the end of/);
  });
}

Deno.test("disassemble() on ppc64 follows the function descriptor to the code", async () => {
  await using kernel = await Kernel.boot({ arch: "ppc64" });
  const byName = await disassemble(kernel, "do_fork");
  assert.equal(byName.name, ".do_fork");
  assert.equal(byName.descriptor?.name, "do_fork");
  const opd = byName.descriptor!.address;
  assert.notEqual(opd, byName.start);
  const byDescriptor = await disassemble(kernel, `0x${opd.toString(16)}`);
  assert.equal(byDescriptor.start, byName.start);
  assert.equal(byDescriptor.descriptor?.address, opd);
  const byCode = await disassemble(kernel, ".do_fork");
  assert.equal(byCode.start, byName.start);
  assert.equal(byCode.descriptor, null);
  assert.equal(
    formatDisasm(byName)[0],
    `do_fork: function descriptor at ${opd.toString(16)}, code at .do_fork`,
  );
  // The instruction that can't be single-stepped, as prepare refuses it.
  const idle = await disassemble(kernel, "cpu_idle");
  const mtmsrd = idle.insns.find((i) => i.mnemonic === "mtmsrd")!;
  assert.deepEqual(mtmsrd.refusal, {
    errno: 22,
    reason: "an instruction that can't be single stepped",
  });
});

Deno.test("disassemble() marks SYM+0xOFF and says when it is inside an instruction", async () => {
  await using kernel = await Kernel.boot();
  const at = await disassemble(kernel, "do_fork+0x1");
  assert.equal(at.target, at.start + 1n);
  const marked = formatDisasm(at).filter((s) => s.startsWith(">"));
  assert.deepEqual(marked.map((s) => s.split(":")[0]), [`>  ${(at.start + 1n).toString(16)}`]);
  const inside = await disassemble(kernel, "do_fork+0x2");
  assert.match(
    formatDisasm(inside).at(-2)!,
    /^0x[0-9a-f]+ is inside the instruction at [0-9a-f]+: not an instruction boundary \(EILSEQ\)$/,
  );
  const byAddr = await disassemble(kernel, `0x${(at.start + 1n).toString(16)}`);
  assert.equal(byAddr.start, at.start);
});

Deno.test("disassemble() on sparc64 prints Capstone's text, objdump's for rdpr/wrpr/retry, and branch targets", async () => {
  await using kernel = await Kernel.boot({ arch: "sparc64" });
  const fork = await disassemble(kernel, "sys_fork");
  assert.deepEqual([fork.insns[0].mnemonic, fork.insns[0].operands], ["save", "%sp, -0xb0, %sp"]);
  const call = fork.insns.find((i) => i.mnemonic === "call")!;
  const target = kernel.kallsyms.lookupName("do_fork").toString(16);
  assert.equal(call.operands, `0x${target} <do_fork>`);
  assert.ok(fork.insns.every((i) => i.bytes.length === 4));
  const etrap = await disassemble(kernel, "etrap");
  const text = etrap.insns.map((i) => `${i.mnemonic} ${i.operands}`.trimEnd());
  assert.ok(text.some((t) => /^rdpr %tstate, %g\d$/.test(t)), text.join("\n"));
  assert.ok(text.every((t) => !t.startsWith(".word")), text.join("\n"));
  const lines = formatDisasm(etrap);
  assert.equal(lines[0], `${etrap.start.toString(16).padStart(16, "0")} <etrap>:`);
});
