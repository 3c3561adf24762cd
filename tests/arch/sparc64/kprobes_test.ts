// Copyright 2026 the kprobes-sim authors. MIT license.
// The sparc64 Kprobes arch half on a bare CPU: every probed program must end
// in exactly the state the unprobed one does (registers, PC/nPC, windows,
// CCR, PIL, PSTATE), for plain instructions, call, jmpl, every branch family
// taken and not taken, annulled or not, and the instructions in their delay
// slots.

import assert from "node:assert/strict";
import {
  add,
  arith,
  BA,
  BE,
  bicc,
  BN,
  BNE,
  bpcc,
  bpr,
  call,
  cmp,
  G1,
  HALT,
  jmpl,
  KERNEL,
  KP,
  L0,
  machine,
  mov,
  NOP,
  O0,
  O1,
  O2,
  O7,
  orLo,
  rdPc,
  rdprPil,
  rdprPstate,
  RESTORE,
  RETL,
  sameWithProbe,
  SAVE,
  sethi,
  SLOTS,
  TEXT,
  wrprPil,
} from "./_kprobe_machine.ts";
import type { ArchProbe, PrepareContext } from "../../../arch/types.ts";

const O3 = 11;
const subcc = (rs1: number, imm: number, rd: number) => arith(0x14, rd, rs1, imm);

Deno.test("SPARC64 kprobes step a plain instruction and resume after it", () => {
  const run = sameWithProbe([mov(5, O0), add(O0, 3, O1), NOP, HALT], 1);
  assert.equal(run.hits, 1);
  // The pre_handler sees the probe at TPC, the post_handler the ta 0x71 after the copy.
  assert.equal(run.atHit[0].pc, TEXT + 4n);
  assert.equal(run.atHit[0].npc, TEXT + 8n);
  assert.equal(run.atStep[0].pc, SLOTS + 4n);
  assert.equal(run.atStep[0].r9, 8n);
  // Interrupts are held off (PSTATE.IE) while the copy runs, PIL untouched.
  assert.equal(run.atStep[0].pstate, 4);
  assert.equal(run.atStep[0].pil, 14);
});

// call +16 (word 4) with a delay slot, returning to word 2 through retl.
const CALL_PROG = [
  call(16),
  mov(1, O2),
  add(O0, 1, O3),
  HALT,
  RETL,
  mov(7, O0),
];

Deno.test("SPARC64 kprobes fix up call's target and %o7, and its delay slot continues at the callee", () => {
  for (const i of [0, 1, 4, 5]) {
    const run = sameWithProbe(CALL_PROG, i);
    assert.equal(run.hits, 1, `probe on word ${i}`);
  }
  const run = sameWithProbe(CALL_PROG, 1);
  // The delay slot's hit shows TNPC = the callee.
  assert.equal(run.atHit[0].npc, TEXT + 16n);
});

Deno.test("SPARC64 kprobes fix up jmpl's link register, in the outs and in the locals", () => {
  const target = Number(TEXT) + 20;
  const viaO7 = [
    sethi(target, G1),
    orLo(G1, target, G1),
    jmpl(G1, 0, O7),
    mov(2, O1),
    HALT,
    RETL,
    mov(9, O0),
  ];
  for (const i of [2, 3, 5, 6]) assert.equal(sameWithProbe(viaO7, i).hits, 1, `word ${i}`);
  const viaL0 = [...viaO7];
  viaL0[2] = jmpl(G1, 0, L0);
  viaL0[5] = jmpl(L0, 8, 0);
  for (const i of [2, 3, 5]) assert.equal(sameWithProbe(viaL0, i).hits, 1, `word ${i}`);
});

/** mov x, %o0; cmp %o0, 0; <branch> +12; delay; fall-through; target; halt. */
function branchProgram(x: number, branch: number): number[] {
  return [mov(x, O0), cmp(O0, 0), branch, mov(1, O1), mov(2, O2), mov(3, O3), HALT];
}

Deno.test("SPARC64 kprobes step Bicc, BPcc and BPr taken and not taken, annulled or not", () => {
  const forms: [string, (annul: boolean) => number][] = [
    ["be", (a) => bicc(BE, 12, a)],
    ["bne", (a) => bicc(BNE, 12, a)],
    ["be,pt %xcc", (a) => bpcc(BE, 12, a)],
    ["brz", (a) => bpr(1, O0, 12, a)],
    ["brnz", (a) => bpr(5, O0, 12, a)],
  ];
  for (const [name, enc] of forms) {
    for (const annul of [false, true]) {
      for (const x of [0, 1]) {
        const words = branchProgram(x, enc(annul));
        for (const i of [2, 3, 4]) {
          // An annulled delay slot is never reached, so its probe never hits.
          const run = sameWithProbe(words, i);
          assert.ok(run.hits <= 1, `${name}${annul ? ",a" : ""} x=${x} word ${i}`);
        }
        assert.equal(sameWithProbe(words, 2).hits, 1);
      }
    }
  }
});

Deno.test("SPARC64 kprobes step ba,a (copied as ba), ba, bn and bn,a", () => {
  for (const cond of [BA, BN]) {
    for (const annul of [false, true]) {
      const words = branchProgram(0, bicc(cond, 12, annul));
      for (const i of [2, 3]) sameWithProbe(words, i);
      assert.equal(sameWithProbe(words, 2).hits, 1);
      const viaBpcc = branchProgram(0, bpcc(cond, 12, annul));
      assert.equal(sameWithProbe(viaBpcc, 2).hits, 1);
    }
  }
});

Deno.test("SPARC64 kprobes tell an annulled branch to +8 taken from not taken", () => {
  // be,a .+8: taken runs the delay slot, not taken skips it; both go to word 4.
  for (const x of [0, 1]) {
    const words = [mov(x, O0), cmp(O0, 0), bicc(BE, 8, true), mov(1, O1), mov(2, O2), HALT];
    assert.equal(sameWithProbe(words, 2).hits, 1);
  }
});

Deno.test("SPARC64 kprobes on a loop's body, branch and delay slot hit on every pass", () => {
  const words = [mov(3, O0), subcc(O0, 1, O0), bicc(BNE, -4), add(O1, 1, O1), HALT];
  for (const i of [1, 2, 3]) assert.equal(sameWithProbe(words, i).hits, 3, `word ${i}`);
});

Deno.test("SPARC64 kprobes give rd %pc the probe's address", () => {
  assert.equal(sameWithProbe([NOP, rdPc(O0), HALT], 1).hits, 1);
});

Deno.test("SPARC64 kprobes step rdpr/wrpr %pil as in place and fix up rdpr %pstate", () => {
  const words = [rdprPil(O0), wrprPil(5), rdprPil(O1), rdprPstate(O2), HALT];
  for (const i of [0, 1, 2, 3]) assert.equal(sameWithProbe(words, i).hits, 1, `word ${i}`);
});

Deno.test("SPARC64 kprobes step save and restore", () => {
  const words = [SAVE, mov(4, L0), add(L0, 1, 24), RESTORE, HALT];
  for (const i of [0, 1, 3]) assert.equal(sameWithProbe(words, i).hits, 1, `word ${i}`);
});

function prepare(addr: bigint, word: number, functionStart: bigint = TEXT) {
  const { mem } = machine();
  mem.writeU32(addr & ~3n, word);
  const p: ArchProbe = { addr, slot: 0n, saved: new Uint8Array(), ainsn: null };
  let reason = "";
  const ctx: PrepareContext = {
    memory: mem,
    functionStart,
    readText: (a, n) => mem.readBytes(a, n),
    getInsnSlot: () => 0n,
    refuse: (r) => void (reason = r),
  };
  return { ret: KP.prepareKprobe(p, ctx), reason };
}

Deno.test("SPARC64 prepareKprobe refuses misaligned addresses, traps, retry and illtrap", () => {
  assert.deepEqual(prepare(TEXT + 2n, NOP), { ret: -84, reason: "not word-aligned" });
  const cannot = "an instruction that can't be single stepped";
  assert.deepEqual(prepare(TEXT, 0x91d02005), { ret: -22, reason: cannot }); // ta 5 (BUG)
  assert.deepEqual(prepare(TEXT, 0x91d0207f), { ret: -22, reason: cannot }); // ta 0x7f
  assert.deepEqual(prepare(TEXT, 0x83f00000), { ret: -22, reason: cannot }); // retry
  assert.deepEqual(prepare(TEXT, 0x00000000), { ret: -22, reason: cannot }); // illtrap 0
  // A probeable word with no slot left (a dry run) reaches the slot request.
  assert.deepEqual(prepare(TEXT, NOP), { ret: -12, reason: "" });
});

Deno.test("SPARC64 prepareKprobe refuses the trap table but not the C after it", () => {
  const vector = { ret: -22, reason: "exception vector (trap table)" };
  assert.deepEqual(prepare(KERNEL + 0x1000n, NOP, KERNEL), vector);
  assert.deepEqual(prepare(KERNEL + 0x4a00n, NOP, KERNEL + 0x4000n), vector);
  assert.deepEqual(prepare(KERNEL + 0x6500n, NOP, KERNEL + 0x6504n - 4n), { ret: -12, reason: "" });
});

Deno.test("SPARC64 prepareKretprobe swaps %o7 for the trampoline - 8 and returns %o7 + 8", () => {
  const { mem, cpu } = machine();
  cpu.setReg(O7, 0x401230n);
  assert.equal(KP.prepareKretprobe(cpu, mem, 0x40b7ecn), 0x401238n);
  assert.equal(cpu.getReg(O7), 0x40b7e4n);
});

Deno.test("SPARC64 abortSingleStep puts TPC, TNPC and PSTATE.IE back as at the hit", () => {
  const m = machine();
  m.mem.writeU32(TEXT, add(O0, 1, O0));
  const p: ArchProbe = { addr: TEXT, slot: 0n, saved: new Uint8Array(), ainsn: null };
  KP.prepareKprobe(p, {
    memory: m.mem,
    functionStart: TEXT,
    readText: (a, n) => m.mem.readBytes(a, n),
    getInsnSlot: () => SLOTS,
    refuse: () => {},
  });
  m.cpu.setPc(TEXT);
  m.cpu.setNpc(TEXT + 0x40n); // a probe in a delay slot
  const state = { savedFlags: 0, oldFlags: 0 };
  KP.setupSingleStep(p, m.cpu, state);
  assert.equal(m.cpu.getPc(), SLOTS);
  assert.equal(m.cpu.getNpc(), SLOTS + 4n);
  assert.equal(m.cpu.pstate & 2, 0);
  KP.abortSingleStep(p, m.cpu, state);
  assert.equal(m.cpu.getPc(), TEXT);
  assert.equal(m.cpu.getNpc(), TEXT + 0x40n);
  assert.equal(m.cpu.pstate, 6);
});

Deno.test("SPARC64 setjmpPreHandler and longjmpBreakHandler restore every window", () => {
  const m = machine();
  m.cpu.setPc(TEXT);
  m.cpu.setReg(O0, 11n);
  m.cpu.setReg(L0, 12n);
  const save = { context: null as unknown, stackAddr: 0n, stack: new Uint8Array() };
  KP.setjmpPreHandler(m.cpu, m.mem, save, TEXT + 0x100n);
  assert.equal(m.cpu.getPc(), TEXT + 0x100n);
  assert.equal(m.cpu.pstate & 2, 0);
  m.cpu.cwp = 3;
  m.cpu.setReg(O0, 99n);
  KP.longjmpBreakHandler(m.cpu, m.mem, save);
  assert.equal(m.cpu.cwp, 0);
  assert.equal(m.cpu.getReg(O0), 11n);
  assert.equal(m.cpu.getReg(L0), 12n);
  assert.equal(m.cpu.getPc(), TEXT);
  assert.equal(m.cpu.pstate, 6);
});
