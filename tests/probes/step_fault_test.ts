// Copyright 2026 the kprobes-sim authors. MIT license.
// A probed instruction that raises #UD (illegal instruction, program check)
// or #DE (division by zero) while it is single-stepped: the step is undone,
// the kernel Oopses as it would without the probe, and the next hits on the
// CPU run their handlers (no control block left behind).

import assert from "node:assert/strict";
import type { ArchName, Kernel, Kprobe, PtRegs } from "../../mod.ts";
import { boot, optimizedAddrs } from "../_helpers.ts";

/** An instruction each arch refuses to run: ud2, word 0 (ppc64), illtrap 0 (sparc64). */
const ILLEGAL: Record<ArchName, number[]> = {
  x86_64: [0x0f, 0x0b],
  i386: [0x0f, 0x0b],
  ppc64: [0, 0, 0, 0],
  sparc64: [0, 0, 0, 0],
};

/** The log without timestamps, the lines the runs compare. */
function logLines(kernel: Kernel): string[] {
  return kernel.log.split("\n").map((l) => l.replace(/^\[[ \d.]+\] /, ""));
}

function poke(kernel: Kernel, addr: bigint, bytes: number[]): void {
  kernel.memory.pokeText(Number(addr >> 32n), Number(addr & 0xffffffffn), new Uint8Array(bytes));
}

/** The start of the instruction slot `register()` filled (the area's bytes before and after). */
function slotFilledBy(kernel: Kernel, register: () => void): bigint {
  const start = kernel.kallsyms.lookupName("__insn_slots_start");
  const n = Number(kernel.kallsyms.lookupName("__insn_slots_end") - start);
  const before = kernel.memory.readBytes(start, n);
  register();
  const after = kernel.memory.readBytes(start, n);
  let i = 0;
  while (i < n && before[i] === after[i]) i++;
  assert.ok(i < n, "the registration filled a slot");
  return start + BigInt(i & ~15);
}

for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
  Deno.test(`KprobesCore.onFault() undoes the step of an illegal probed instruction: the same Oops as without the probe, and later hits run handlers (${arch})`, async () => {
    // Without a probe: sys_nanosleep's first instruction is illegal, so
    // each of the default workload's three children Oopses there.
    const sym = arch === "ppc64" ? ".sys_nanosleep" : "sys_nanosleep";
    let expected: string[];
    {
      await using kernel = await boot({ arch });
      poke(kernel, kernel.kallsyms.lookupName(sym), ILLEGAL[arch]);
      const r = kernel.run();
      assert.ok(r.completed);
      assert.equal(kernel.incidents.oopses, 3);
      expected = logLines(kernel);
    }
    // With a probe there whose copy is the illegal instruction (a
    // post_handler: single-stepped in the slot).
    await using kernel = await boot({ arch });
    const addr = kernel.kallsyms.lookupName(sym);
    let pre = 0;
    let post = 0;
    const kp: Kprobe = { addr, pre_handler: () => void pre++, post_handler: () => void post++ };
    const slot = slotFilledBy(kernel, () => assert.equal(kernel.registerKprobe(kp), 0));
    poke(kernel, slot, ILLEGAL[arch]);
    const r = kernel.run();
    assert.ok(r.completed);
    assert.equal(kernel.incidents.oopses, 3);
    assert.deepEqual([pre, post, kp.nmissed], [3, 0, 0]);
    // The Oopses (and everything else) as without the probe, but for the
    // Code: line, which shows the text as the image has it.
    const code = /^Code: /;
    const got = logLines(kernel);
    assert.deepEqual(got.filter((l) => !code.test(l)), expected.filter((l) => !code.test(l)));
    assert.match(got.find((l) => code.test(l))!, / <[0-9a-f]{2}> /);
  });
}

/**
 * A faulting instruction in sys_nanosleep: the bytes of the instruction
 * before it and its own, where it starts, and how a handler makes it fault.
 * Divisions by zero single-step (x86 boosts no group 3 opcode); a load
 * through a NULL frame pointer is boosted on x86 when it has no post_handler.
 */
interface FaultCase {
  arch: "x86_64" | "i386" | "sparc64";
  what: string;
  bytes: number[];
  at: number;
  spoil: (r: PtRegs) => void;
  title: string;
  /** How the probed instruction runs without a post_handler (x86 boosts a load). */
  how: "single-stepped" | "boosted" | "optimized";
}

const CASES: FaultCase[] = [
  {
    arch: "x86_64",
    what: "a division by zero", // cqto; idiv %rcx
    bytes: [0x48, 0x99, 0x48, 0xf7, 0xf9],
    at: 2,
    spoil: (r) => void (r.arch === "x86_64" && (r.rcx = 0n)),
    title: "divide error: 0000 [#1]",
    how: "single-stepped",
  },
  {
    arch: "i386",
    what: "a division by zero", // mov -0x20(%ebp),%ecx; div %ebx
    bytes: [0x8b, 0x4d, 0xe0, 0xf7, 0xf3],
    at: 3,
    spoil: (r) => void (r.arch === "i386" && (r.ebx = 0)),
    title: "divide error: 0000 [#1]",
    how: "single-stepped",
  },
  {
    arch: "sparc64",
    what: "a division by zero", // srlx %g3, 1, %g3; sdivx %o0, %g3, %o0
    bytes: [0x87, 0x30, 0xf0, 0x01, 0x91, 0x6a, 0x00, 0x03],
    at: 4,
    spoil: (r) => void (r.arch === "sparc64" && (r.u_regs[3] = 0n)),
    title: "divide error: 0000 [#1]",
    how: "single-stepped",
  },
  {
    arch: "x86_64",
    what: "a load through NULL", // jne …; mov -0x18(%rbp),%rsi
    bytes: [0x0f, 0x85, 0xdf, 0x00, 0x00, 0x00, 0x48, 0x8b, 0x75, 0xe8],
    at: 6,
    spoil: (r) => void (r.arch === "x86_64" && (r.rbp = 0x100n)),
    title: "BUG: unable to handle kernel NULL pointer dereference at 00000000000000e8",
    how: "boosted",
  },
  {
    arch: "x86_64",
    what: "a load through NULL", // jne …; mov -0x18(%rbp),%rsi; cmp $…,%rsi
    bytes: [0x0f, 0x85, 0xdf, 0x00, 0x00, 0x00, 0x48, 0x8b, 0x75, 0xe8],
    at: 6,
    spoil: (r) => void (r.arch === "x86_64" && (r.rbp = 0x100n)),
    title: "BUG: unable to handle kernel NULL pointer dereference at 00000000000000e8",
    how: "optimized",
  },
  {
    arch: "i386",
    what: "a load through NULL", // mov $0x7fffffff,%eax; mov -0x20(%ebp),%ecx
    bytes: [0xb8, 0xff, 0xff, 0xff, 0x7f, 0x8b, 0x4d, 0xe0],
    at: 5,
    spoil: (r) => void (r.arch === "i386" && (r.ebp = 0x100)),
    title: "BUG: unable to handle kernel NULL pointer dereference at 000000e0",
    how: "boosted",
  },
];

/** The address of `bytes` in sys_nanosleep. */
function findBytes(kernel: Kernel, bytes: readonly number[]): bigint {
  const sym = kernel.kallsyms.lookupSymbol("sys_nanosleep")!;
  const text = kernel.memory.readBytes(sym.address, Number(sym.size));
  for (let i = 0; i + bytes.length <= text.length; i++) {
    if (bytes.every((b, j) => text[i + j] === b)) return sym.address + BigInt(i);
  }
  throw new Error("the instructions are not in sys_nanosleep");
}

for (const c of CASES) {
  Deno.test(`KprobesCore.onFault() and onSlotFault() undo ${c.what} in the ${c.how} probed instruction: the same Oops as without the probe (${c.arch})`, async () => {
    // Optimized at registration, or never (the boosted slot, not a detour).
    const options = c.how === "optimized"
      ? { arch: c.arch, kprobesOptimization: true, kprobesOptimizeDelay: 0 }
      : { arch: c.arch, kprobesOptimization: false };
    // Without a probe on it: the instruction before it spoils the
    // register (its post_handler), once.
    let expected: string[];
    {
      await using kernel = await boot(options);
      let once = true;
      const before: Kprobe = {
        addr: findBytes(kernel, c.bytes),
        post_handler: (_p, regs) => {
          if (once) c.spoil(regs);
          once = false;
        },
      };
      assert.equal(kernel.registerKprobe(before), 0);
      assert.ok(kernel.run().completed);
      assert.equal(kernel.incidents.oopses, 1);
      expected = logLines(kernel);
      assert.ok(expected.some((l) => l.startsWith(c.title)), expected.join("\n"));
    }
    // A probe on it whose pre_handler spoils the register, once; a
    // post_handler makes the hit single-step.
    await using kernel = await boot(options);
    let pre = 0;
    let post = 0;
    const kp: Kprobe = {
      addr: findBytes(kernel, c.bytes) + BigInt(c.at),
      pre_handler: (_p, regs) => {
        if (pre++ === 0) c.spoil(regs);
        return 0;
      },
    };
    if (c.how === "single-stepped") kp.post_handler = () => void post++;
    assert.equal(kernel.registerKprobe(kp), 0);
    assert.equal(optimizedAddrs(kernel).has(kp.addr as bigint), c.how === "optimized");
    assert.ok(kernel.run().completed);
    assert.equal(kernel.incidents.oopses, 1);
    // The other two children's hits ran their handlers.
    assert.deepEqual([pre, post, kp.nmissed], [3, c.how === "single-stepped" ? 2 : 0, 0]);
    assert.deepEqual(logLines(kernel), expected);
  });
}
