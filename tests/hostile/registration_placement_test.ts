// Copyright 2026 the kprobes-sim authors. MIT license.
// Hostile-input catalogue, registration: probes placed where they would
// corrupt or break the kernel. Each is refused with Linux's errno and a
// `kprobes:` log line naming the reason, and leaves text as the image has it.

import assert from "node:assert/strict";
import { EILSEQ, EINVAL, ENOENT, Kernel, type Kprobe } from "../../mod.ts";
import { catalogue } from "./_case.ts";

type Arch = "x86_64" | "i386" | "ppc64";

/** The log lines written since `from`, without timestamps. */
function newLines(kernel: Kernel, from: number): string[] {
  return kernel.logLines.slice(from).map((l) => l.replace(/^\[\s*\d+\.\d+\] /, ""));
}

/**
 * Boots `arch`, registers the kprobe `make` builds, and asserts the errno,
 * one log line matching `line`, and text unchanged.
 */
async function refuses(
  arch: Arch,
  make: (k: Kernel) => Kprobe,
  errno: number,
  line: RegExp,
): Promise<void> {
  await using kernel = await Kernel.boot({ arch });
  const kp = make(kernel);
  const start = kernel.kallsyms.lookupName("_text");
  const size = Number(kernel.kallsyms.lookupName("_etext") - start);
  const before = kernel.memory.readBytes(start, size);
  const from = kernel.logLines.length;
  assert.equal(kernel.registerKprobe(kp), -errno);
  const lines = newLines(kernel, from);
  assert.ok(lines.some((l) => line.test(l)), `${line} in:\n${lines.join("\n")}`);
  assert.deepEqual(kernel.memory.readBytes(start, size), before);
}

function sym(k: Kernel, name: string): { address: bigint; size: bigint } {
  const s = k.kallsyms.lookupSymbol(name);
  if (s === undefined) throw new Error(`no symbol ${name}`);
  return s;
}

/** The first byte of padding after a text function (its ELF size ends before the next symbol). */
function padding(k: Kernel): bigint {
  const text = [...k.kallsyms.symbols()].filter((s) => /[tT]/.test(s.type))
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  for (let i = 0; i + 1 < text.length; i++) {
    const s = text[i];
    if (s.size > 0n && text[i + 1].address > s.address + s.size) return s.address + s.size;
  }
  throw new Error("no padding after any function");
}

catalogue("registration", [
  {
    name: "x86_64 kprobe in the middle of do_fork's second instruction",
    run: () =>
      refuses(
        "x86_64",
        (k) => ({ addr: sym(k, "do_fork").address + 2n }),
        EILSEQ,
        /^kprobes: cannot probe do_fork\+0x2: not on an instruction boundary$/,
      ),
  },
  {
    name: "i386 kprobe in the middle of do_fork's second instruction",
    run: () =>
      refuses(
        "i386",
        (k) => ({ addr: sym(k, "do_fork").address + 2n }),
        EILSEQ,
        /^kprobes: cannot probe do_fork\+0x2: not on an instruction boundary$/,
      ),
  },
  {
    name: "symbol_name do_fork with a negative offset",
    run: () =>
      refuses(
        "x86_64",
        () => ({ symbol_name: "do_fork", offset: -4 }),
        EINVAL,
        /^kprobes: offset -4 is before the start of do_fork \(size 0x[0-9a-f]+\)$/,
      ),
  },
  {
    name: "addr with a negative offset",
    run: () =>
      refuses(
        "i386",
        (k) => ({ addr: sym(k, "do_fork").address, offset: -1 }),
        EINVAL,
        /^kprobes: offset -1 is before the start of do_fork/,
      ),
  },
  {
    name: "symbol_name do_fork with offset 9999, past its end",
    run: () =>
      refuses(
        "x86_64",
        () => ({ symbol_name: "do_fork", offset: 9999 }),
        EINVAL,
        /^kprobes: offset 9999 is past the end of do_fork \(size 0x[0-9a-f]+\)$/,
      ),
  },
  {
    name: "a non-integer offset",
    run: () =>
      refuses(
        "x86_64",
        () => ({ symbol_name: "do_fork", offset: 0.5 }),
        EINVAL,
        /^kprobes: .*offset.*0\.5/,
      ),
  },
  {
    name: "offset equal to the function's size (one past the last byte)",
    run: () =>
      refuses(
        "x86_64",
        (k) => ({ symbol_name: "strlen", offset: Number(sym(k, "strlen").size) }),
        EINVAL,
        /^kprobes: offset \d+ is past the end of strlen \(size 0x[0-9a-f]+\)$/,
      ),
  },
  {
    name: "ppc64 offset just past the end of .do_fork",
    run: () =>
      refuses(
        "ppc64",
        (k) => ({ symbol_name: "do_fork", offset: Number(sym(k, ".do_fork").size) + 4 }),
        EINVAL,
        /^kprobes: offset \d+ is past the end of \.do_fork \(size 0x[0-9a-f]+\)$/,
      ),
  },
  {
    name: "addr inside a function plus an offset that runs past its end",
    run: () =>
      refuses(
        "x86_64",
        (k) => {
          const s = sym(k, "strlen");
          return { addr: s.address + s.size - 1n, offset: 8 };
        },
        EINVAL,
        /^kprobes: offset 8 is past the end of strlen/,
      ),
  },
  {
    name: "x86_64 entry code: ret_from_intr's iretq path",
    run: () =>
      refuses(
        "x86_64",
        () => ({ symbol_name: "ret_from_intr" }),
        EINVAL,
        /^kprobes: cannot probe ret_from_intr\+0x0: blacklisted, entry code \(\.entry\.text\)$/,
      ),
  },
  {
    name: "i386 entry code: the int $0x80 entry",
    run: () =>
      refuses(
        "i386",
        () => ({ symbol_name: "entry_INT80" }),
        EINVAL,
        /^kprobes: cannot probe entry_INT80\+0x0: blacklisted, entry code/,
      ),
  },
  {
    name: "ppc64 exception vector decrementer_pSeries",
    run: () =>
      refuses(
        "ppc64",
        () => ({ symbol_name: "decrementer_pSeries" }),
        EINVAL,
        /^kprobes: cannot probe decrementer_pSeries\+0x0: blacklisted, exception vector \(head text\)$/,
      ),
  },
  {
    name: "ppc64 exception vector system_call_pSeries at +4",
    run: () =>
      refuses(
        "ppc64",
        (k) => ({ addr: sym(k, "system_call_pSeries").address + 4n }),
        EINVAL,
        /^kprobes: cannot probe system_call_pSeries\+0x4: blacklisted, exception vector/,
      ),
  },
  {
    name: "ppc64 common exception code system_call_common",
    run: () =>
      refuses(
        "ppc64",
        () => ({ symbol_name: "system_call_common", offset: 8 }),
        EINVAL,
        /^kprobes: cannot probe system_call_common\+0x8: blacklisted, exception entry code \(NOKPROBE_SYMBOL\)$/,
      ),
  },
  {
    name: "ppc64 interrupt return path ret_from_except",
    run: () =>
      refuses(
        "ppc64",
        () => ({ symbol_name: "ret_from_except" }),
        EINVAL,
        /^kprobes: cannot probe ret_from_except\+0x0: blacklisted, exception entry code/,
      ),
  },
  {
    name: "ppc64 address not word-aligned",
    run: () =>
      refuses(
        "ppc64",
        (k) => ({ addr: sym(k, ".do_fork").address + 2n }),
        EINVAL,
        /^kprobes: cannot probe \.do_fork\+0x2: not word-aligned$/,
      ),
  },
  {
    name: ".kprobes.text: the return-probe trampoline",
    run: () =>
      refuses(
        "x86_64",
        () => ({ symbol_name: "kretprobe_trampoline" }),
        EINVAL,
        /^kprobes: cannot probe kretprobe_trampoline\+0x0: Kprobes' own code/,
      ),
  },
  {
    name: "the instruction-slot area",
    run: () =>
      refuses(
        "i386",
        (k) => ({ addr: k.kallsyms.lookupName("__insn_slots_start") + 16n }),
        EINVAL,
        /^kprobes: cannot probe .*: Kprobes' own code/,
      ),
  },
  {
    name: "a data address (jiffies_64)",
    run: () =>
      refuses(
        "x86_64",
        (k) => ({ addr: k.kallsyms.lookupName("jiffies_64") }),
        EINVAL,
        /^kprobes: cannot probe .*: not kernel text$/,
      ),
  },
  {
    name: "an address beyond kernel text and memory",
    run: () =>
      refuses(
        "x86_64",
        () => ({ addr: 0xfffffffffffff000n }),
        EINVAL,
        /^kprobes: cannot probe 0xfffffffffffff000: not kernel text$/,
      ),
  },
  {
    name: "an unknown symbol",
    run: () =>
      refuses(
        "ppc64",
        () => ({ symbol_name: "no_such_function" }),
        ENOENT,
        /^kprobes: unknown symbol no_such_function$/,
      ),
  },
  {
    name: "both addr and symbol_name",
    run: () =>
      refuses(
        "x86_64",
        (k) => ({ addr: sym(k, "do_fork").address, symbol_name: "do_fork" }),
        EINVAL,
        /^kprobes: kprobe names both addr and symbol_name do_fork; give one$/,
      ),
  },
  {
    name: "the same kprobe registered twice",
    async run() {
      await using kernel = await Kernel.boot({ arch: "x86_64" });
      const kp: Kprobe = { symbol_name: "do_fork" };
      assert.equal(kernel.registerKprobe(kp), 0);
      const from = kernel.logLines.length;
      assert.equal(kernel.registerKprobe(kp), -EINVAL);
      assert.deepEqual(newLines(kernel, from), [
        "kprobes: kprobe at do_fork+0x0 is already registered",
      ]);
      assert.equal(kernel.kprobesList().split("\n").filter((l) => l.includes("do_fork")).length, 1);
    },
  },
  {
    name:
      "adjacent probes on every boundary of strlen, unregistered in any order: text is the image",
    async run() {
      for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
        await using kernel = await Kernel.boot({ arch });
        const s = sym(kernel, arch === "ppc64" ? ".strlen" : "strlen");
        const before = kernel.memory.readBytes(s.address, Number(s.size));
        const kps: Kprobe[] = [];
        for (let off = 0n; off < s.size; off++) {
          const kp: Kprobe = { addr: s.address + off };
          if (kernel.registerKprobe(kp) === 0) kps.push(kp);
        }
        assert.ok(kps.length >= 3, arch);
        assert.equal(kernel.callFunction("strlen", [""]), 0n, arch);
        assert.equal(kernel.callFunction("strlen", ["kprobes"]), 7n, arch);
        for (let i = 0; i < kps.length; i += 2) kernel.unregisterKprobe(kps[i]);
        for (let i = 1; i < kps.length; i += 2) kernel.unregisterKprobe(kps[i]);
        assert.deepEqual(kernel.memory.readBytes(s.address, Number(s.size)), before, arch);
      }
    },
  },
  {
    name: "x86_64 kprobe on the padding after a function",
    run: () =>
      refuses(
        "x86_64",
        (k) => ({ addr: padding(k) }),
        EINVAL,
        /^kprobes: cannot probe \S+\+0x[0-9a-f]+: past the end of \S+ \(size 0x[0-9a-f]+\), padding between functions$/,
      ),
  },
  {
    name: "ppc64 kprobe on the padding after a function",
    run: () =>
      refuses(
        "ppc64",
        (k) => ({ addr: padding(k) }),
        EINVAL,
        /^kprobes: cannot probe \S+\+0x[0-9a-f]+: past the end of \S+ \(size 0x[0-9a-f]+\), padding between functions$/,
      ),
  },
  {
    name: "x86_64 kprobe in the alignment gap between .kprobes.text and the slot area",
    run: () =>
      refuses(
        "x86_64",
        (k) => ({ addr: k.kallsyms.lookupName("__kprobes_text_end") + 0x10n }),
        EINVAL,
        /^kprobes: cannot probe \S+: not kernel text$/,
      ),
  },
]);
