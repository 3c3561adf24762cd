// Copyright 2026 the kprobes-sim authors. MIT license.
// Boosted and emulated kprobe hits (Linux 6.1's setup_singlestep() boost and
// emulate_op on x86, try_to_emulate() on ppc64): one trap per hit instead of
// two, the kernel computing exactly what it computes unprobed.

import assert from "node:assert/strict";
import { type Kprobe, printk, type PtRegs, register_kprobes } from "../../mod.ts";
import { archByName } from "../../arch/registry.ts";
import {
  type ArchCpu,
  STOP_HALT,
  STOP_TRAP,
  TRAP_BREAKPOINT,
  TRAP_SINGLESTEP,
} from "../../arch/types.ts";
import { Memory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../kernel-model/memory.ts";
import { KprobesCore } from "../../probes/kprobes.ts";
import { DIE_PAGE_FAULT } from "../../kernel-model/mod.ts";
import { boot, results } from "../_helpers.ts";

const CODE = 0x10000n;
const SLOTS = 0x20000n;
const STACK = 0x30000n;

/** A bare CPU running `code` with a Kprobes core whose stop hook counts the traps. */
function machine(
  archName: "x86_64" | "ppc64",
  code: Uint8Array,
  stepping?: { emulate: boolean; boost: boolean },
) {
  const arch = archByName(archName);
  const memory = new Memory({ littleEndian: arch.littleEndian });
  memory.map(CODE, 0x1000, PROT_READ | PROT_EXEC);
  memory.map(SLOTS, 0x1000, PROT_READ | PROT_EXEC);
  memory.map(STACK, 0x4000, PROT_READ | PROT_WRITE);
  memory.pokeText(0, Number(CODE), code);
  const cpu = Object.assign(arch.createCpu(memory, 0), { id: 0 }) as ArchCpu & { id: number };
  const core = new KprobesCore({
    arch,
    memory,
    nrCpus: 1,
    kprobesText: [0x40000n, 0x41000n],
    insnSlots: [SLOTS, SLOTS + 0x1000n],
    lookupName: () => 0n,
    functionStart: () => CODE,
    functionAt: () => ({ name: "f", start: CODE, size: BigInt(code.length) }),
    lookupSymbol: () => undefined,
    warn: (m) => {
      throw new Error(m);
    },
    isKernelText: (a) => a >= CODE && a < CODE + BigInt(code.length),
    currentOwner: () => null,
    invoke: (_o, _w, _c, fn, a, b, c) => fn(a, b, c),
    preemptDisable: () => {},
    preemptEnable: () => {},
    stepping,
  });
  const traps = { breakpoint: 0, singleStep: 0 };
  // As the kernel's stop hook (Traps.fastStop): Kprobes handles both traps in place.
  cpu.stopHook = (reason) => {
    if (reason !== STOP_TRAP) return false;
    const kind = arch.trapKind(cpu);
    if (kind === TRAP_BREAKPOINT) {
      traps.breakpoint++;
      return core.onBreakpoint(cpu);
    }
    if (kind === TRAP_SINGLESTEP) {
      traps.singleStep++;
      return core.onSingleStep(cpu);
    }
    return false;
  };
  const start = () => {
    arch.setPc(cpu, CODE);
    arch.setSp(cpu, STACK + 0x3000n);
  };
  start();
  return { arch, cpu, core, traps, start, memory };
}

// x86_64: push %rbp; mov %rsp,%rbp; pop %rbp; hlt.
const X86_CODE = new Uint8Array([0x55, 0x48, 0x89, 0xe5, 0x5d, 0xf4]);

/** Runs the x86 program once with `kps` registered; its traps, retired count and final rbp/rsp. */
function runX86(kps: Kprobe[], stepping?: { emulate: boolean; boost: boolean }) {
  const m = machine("x86_64", X86_CODE, stepping);
  for (const kp of kps) assert.equal(m.core.register(kp), 0);
  const cpu = m.cpu as unknown as { setReg(i: number, v: bigint): void; getReg(i: number): bigint };
  cpu.setReg(5, 0x1234n); // rbp
  const t0 = m.cpu.tsc;
  assert.equal(m.cpu.run(100), STOP_HALT);
  return {
    traps: m.traps,
    retired: m.cpu.tsc - t0,
    rbp: cpu.getReg(5),
    rsp: cpu.getReg(4),
    nmissed: kps.map((k) => k.nmissed),
  };
}

Deno.test("KprobesCore.onBreakpoint() emulates a probed push %rbp: one trap per hit, same result", () => {
  const plain = runX86([]);
  let pre = 0;
  const r = runX86([{ addr: CODE, pre_handler: () => void pre++ }]);
  assert.equal(pre, 1);
  assert.deepEqual(r.traps, { breakpoint: 1, singleStep: 0 });
  // int3 and the emulated push retire, as int3 and the stepped copy would.
  assert.equal(r.retired, plain.retired + 1);
  assert.equal(r.rbp, plain.rbp);
  assert.equal(r.rsp, plain.rsp);
});

Deno.test("KprobesCore.onBreakpoint() boosts a probed mov: the slot's jump back runs, no single-step trap", () => {
  const plain = runX86([]);
  const r = runX86([{ addr: CODE + 1n, pre_handler: () => 0 }]);
  assert.deepEqual(r.traps, { breakpoint: 1, singleStep: 0 });
  // int3, the copy in the slot and its jmp back.
  assert.equal(r.retired, plain.retired + 2);
  assert.equal(r.rbp, plain.rbp);
  assert.equal(r.rsp, plain.rsp);
});

Deno.test("KprobesCore.onBreakpoint() single-steps a probe with a post_handler, or with stepping off", () => {
  const plain = runX86([]);
  const order: string[] = [];
  const withPost = runX86([{
    addr: CODE,
    pre_handler: () => void order.push("pre"),
    post_handler: () => void order.push("post"),
  }]);
  assert.deepEqual(order, ["pre", "post"]);
  assert.deepEqual(withPost.traps, { breakpoint: 1, singleStep: 1 });
  assert.equal(withPost.rbp, plain.rbp);
  for (const addr of [CODE, CODE + 1n]) {
    const off = runX86([{ addr, pre_handler: () => 0 }], { emulate: false, boost: false });
    assert.deepEqual(off.traps, { breakpoint: 1, singleStep: 1 });
    assert.equal(off.retired, plain.retired + 1);
    assert.equal(off.rsp, plain.rsp);
  }
  // Boosting off (CONFIG_PREEMPT): the mov single-steps, the push is still emulated.
  const mov = runX86([{ addr: CODE + 1n, pre_handler: () => 0 }], { emulate: true, boost: false });
  assert.deepEqual(mov.traps, { breakpoint: 1, singleStep: 1 });
  const push = runX86([{ addr: CODE, pre_handler: () => 0 }], { emulate: true, boost: false });
  assert.deepEqual(push.traps, { breakpoint: 1, singleStep: 0 });
});

Deno.test("KprobesCore.onBreakpoint() emulates a probed ppc64 word: one trap per hit, same result", () => {
  // addi r3,r3,1; addi r3,r3,2; wait.
  const words = [0x38630001, 0x38630002, 0x7c00003c];
  const code = new Uint8Array(12);
  words.forEach((w, i) => new DataView(code.buffer).setUint32(i * 4, w));
  const run = (kps: Kprobe[], stepping?: { emulate: boolean; boost: boolean }) => {
    const m = machine("ppc64", code, stepping);
    for (const kp of kps) assert.equal(m.core.register(kp), 0);
    const t0 = m.cpu.tsc;
    assert.equal(m.cpu.run(100), STOP_HALT);
    const regs = m.arch.ptRegs(m.cpu) as unknown as { gpr: bigint[] };
    return { traps: m.traps, retired: m.cpu.tsc - t0, r3: regs.gpr[3] };
  };
  const plain = run([]);
  let pre = 0;
  const r = run([{ addr: CODE + 4n, pre_handler: () => void pre++ }]);
  assert.equal(pre, 1);
  assert.deepEqual(r.traps, { breakpoint: 1, singleStep: 0 });
  assert.equal(r.retired, plain.retired);
  assert.equal(r.r3, plain.r3);
  const off = run([{ addr: CODE + 4n, pre_handler: () => 0 }], { emulate: false, boost: false });
  assert.deepEqual(off.traps, { breakpoint: 1, singleStep: 1 });
  assert.equal(off.r3, plain.r3);
});

const syscalls = (r: { syscalls: { pid: number; call: string; ret: unknown }[] }) =>
  r.syscalls.map((s) => `${s.pid} ${s.call} ${s.ret}`);
const strip = (log: string) => log.replace(/^\[[ 0-9.]+\] /gm, "");

for (const arch of ["x86_64", "i386", "ppc64"] as const) {
  Deno.test(`kprobesBoost keeps the default workload exact with pre_handler-only probes on every instruction of do_fork's entry (${arch})`, async () => {
    const clean = await boot({ arch });
    const want = clean.run();
    const wantLog = strip(clean.log);
    await clean.shutdown();
    await using kernel = await boot({ arch, kprobesOptimization: false });
    const start = kernel.kallsyms.lookupName("do_fork");
    const kps: Kprobe[] = [];
    for (let off = 0n; off < 24n; off++) {
      if (kernel.checkProbeAddress(start + off) !== null) continue;
      const kp: Kprobe = { addr: start + off, pre_handler: () => 0 };
      assert.equal(kernel.registerKprobe(kp), 0);
      kps.push(kp);
    }
    assert.ok(kps.length >= 5, `${kps.length} probes`);
    const got = kernel.run();
    assert.ok(got.completed);
    assert.deepEqual(kernel.incidents, { oopses: 0, panics: 0, handlerErrors: 0, lockups: 0 });
    assert.deepEqual(syscalls(got), syscalls(want));
    assert.equal(strip(kernel.log), wantLog);
    assert.ok(kps.every((kp) => kernel.kprobeHits(kp) > 0 && kp.nmissed === 0));
  });
}

Deno.test("a boosted or emulated probe hit inside a handler runs no handler and counts nmissed (§5)", async () => {
  await using kernel = await boot({ kprobesOptimization: false });
  let printkHits = 0;
  // printk's first instruction (push %rbp) is emulated, the second boosted.
  const onPrintk: Kprobe = { symbol_name: "printk", pre_handler: () => void printkHits++ };
  const onPrintk1: Kprobe = { symbol_name: "printk", offset: 1, pre_handler: () => 0 };
  const onFork: Kprobe = {
    symbol_name: "do_fork",
    pre_handler: (_p: Kprobe, _regs: PtRegs) => {
      printk("<6>fork seen\n");
      return 0;
    },
  };
  await kernel.insmod({
    name: "reenter",
    init_module: () => register_kprobes([onPrintk, onPrintk1, onFork], 3),
  });
  const before = printkHits;
  const r = kernel.run({ workload: { init: [{ call: "fork" }, { call: "wait4" }] } });
  assert.ok(r.completed);
  assert.equal(onPrintk.nmissed, 1);
  assert.equal(onPrintk1.nmissed, 1);
  assert.ok(printkHits >= before);
  assert.match(kernel.log, /fork seen/);
  assert.deepEqual(kernel.incidents, { oopses: 0, panics: 0, handlerErrors: 0, lockups: 0 });
});

Deno.test("kprobesBoost: false single-steps every hit; true adds the boost's jump per boosted hit only", async () => {
  const counts: number[] = [];
  for (const kprobesBoost of [false, true]) {
    await using kernel = await boot({ kprobesBoost, kprobesOptimization: false });
    // do_fork+0 push %rbp (emulated: no extra instruction), +1 mov (boosted: one).
    const a: Kprobe = { symbol_name: "do_fork", pre_handler: () => 0 };
    const b: Kprobe = { symbol_name: "do_fork", offset: 1, pre_handler: () => 0 };
    assert.equal(kernel.registerKprobe(a), 0);
    assert.equal(kernel.registerKprobe(b), 0);
    counts.push(kernel.run().instructions, kernel.kprobeHits(b));
  }
  const [off, hitsOff, on, hitsOn] = counts;
  assert.equal(hitsOn, hitsOff);
  assert.equal(on - off, hitsOn);
});

Deno.test("Kernel.boot() refuses a kprobesBoost that is not a boolean", async () => {
  await assert.rejects(() => boot({ kprobesBoost: 1 as unknown as boolean }), /kprobesBoost/);
});

Deno.test("fault_handler gets the fault of an emulated ppc64 load, and the kernel's fixup still runs", async () => {
  await using kernel = await boot({ arch: "ppc64", kprobesOptimization: false });
  // The user-copy load that faults on a bad pointer (fixed up through __ex_table).
  const faults: bigint[] = [];
  const nb = {
    notifier_call: (val: number, args: { cpu: { id: number } }) => {
      const regs = kernel.ptRegs(args.cpu.id) as unknown as { nip: bigint };
      if (val === DIE_PAGE_FAULT) faults.push(regs.nip);
      return 0;
    },
  };
  kernel.dieChain.register(nb);
  const bad = { init: [{ call: "open" as const, path: 0x900000 }] };
  assert.deepEqual(results(kernel.run({ workload: bad }).syscalls, "open"), [-14]);
  kernel.dieChain.unregister(nb);
  assert.equal(faults.length, 1);
  const traps: number[] = [];
  let pre = 0;
  const kp: Kprobe = {
    addr: faults[0],
    pre_handler: () => void pre++,
    fault_handler: (_p, _regs, trapnr) => {
      traps.push(trapnr);
      return 0;
    },
  };
  assert.equal(kernel.registerKprobe(kp), 0);
  assert.deepEqual(results(kernel.run({ workload: bad }).syscalls, "open"), [-14]);
  assert.equal(pre, 1);
  assert.equal(traps.length, 1);
  assert.deepEqual(
    results(
      kernel.run({ workload: { init: [{ call: "open", path: "/etc/passwd" }] } }).syscalls,
      "open",
    ),
    [3],
  );
  assert.deepEqual(kernel.incidents, { oopses: 0, panics: 0, handlerErrors: 0, lockups: 0 });
});
