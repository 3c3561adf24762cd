// Copyright 2026 the kprobes-sim authors. MIT license.
// Traps and privileged state: host-taken software traps and illegal words
// (PC on the instruction, nothing changed), the hypercall and halt stops,
// the user-mode system call into the guest table, retry/done and the
// STOP_USER stop, the tick interrupt's delivery rules, rdpr/wrpr/rd/wr of
// the state registers, privileged_opcode in user mode, stopHook, and
// saveState/restoreState. Words from sparc64-linux-gnu-as.

import assert from "node:assert/strict";
import {
  STOP_BUDGET,
  STOP_HALT,
  STOP_HYPERCALL,
  STOP_TRAP,
  STOP_USER,
} from "../../../arch/types.ts";
import { exec, KERNEL, load, machine, TEXT, USER } from "./_machine.ts";

const NOP = 0x01000000;
const RETRY = 0x83f00000;
const DONE = 0x81f00000;

Deno.test("Sparc64Cpu host-taken traps stop on the instruction with their trap type", () => {
  const cases: [number, number][] = [
    [0x91d02005, 0x105], // ta 5 (BUG)
    [0x91d02070, 0x170], // ta 0x70 (kprobe)
    [0x91d02071, 0x171], // ta 0x71
    [0x91d0206d, 0x16d], // ta 0x6d from kernel mode
    [0x00000000, 0x010], // illtrap 0
    [0xffffffff, 0x010], // an invalid word
  ];
  for (const [word, tt] of cases) {
    const m = machine();
    m.cpu.setReg(8, 5n);
    assert.equal(exec(m, [0x90102001, word, NOP]), STOP_TRAP); // mov 1, %o0; word
    assert.equal(m.cpu.trapVector, tt, word.toString(16));
    assert.equal(m.cpu.getPc(), TEXT + 4n);
    assert.equal(m.cpu.getNpc(), TEXT + 8n);
    assert.equal(m.cpu.getReg(8), 1n);
    assert.equal(m.cpu.tl, 0);
    assert.equal(m.cpu.tsc, 1);
  }
});

Deno.test("Sparc64Cpu a trap in a delay slot keeps the branch target as nPC", () => {
  const m = machine();
  // ba 1f; ta 5; nop; 1: nop
  assert.equal(exec(m, [0x10800003, 0x91d02005, NOP, NOP], 10), STOP_TRAP);
  assert.equal(m.cpu.getPc(), TEXT + 4n);
  assert.equal(m.cpu.getNpc(), TEXT + 12n);
});

Deno.test("Sparc64Cpu ta 0x7f stops with STOP_HYPERCALL, ta 0x7e with STOP_HALT, PC past them", () => {
  const m = machine();
  m.cpu.setReg(1, 0x100000003n);
  assert.equal(exec(m, [0x91d0207f, 0x91d0207e, NOP]), STOP_HYPERCALL);
  assert.equal(m.cpu.hypercallNr, 3);
  assert.equal(m.cpu.getPc(), TEXT + 4n);
  assert.equal(m.cpu.run(10), STOP_HALT);
  assert.equal(m.cpu.getPc(), TEXT + 8n);
});

Deno.test("Sparc64Cpu stopHook handles a trap in place and the run goes on", () => {
  const m = machine();
  let hits = 0;
  m.cpu.stopHook = (r) => {
    assert.equal(r, STOP_TRAP);
    hits++;
    m.cpu.setPc(m.cpu.getPc() + 4n); // skip the breakpoint
    return true;
  };
  // ta 0x70; mov 1, %o0; ta 0x7e
  assert.equal(exec(m, [0x91d02070, 0x90102001, 0x91d0207e], 10), STOP_HALT);
  assert.equal(hits, 1);
  assert.equal(m.cpu.getReg(8), 1n);
});

Deno.test("Sparc64Cpu a trap the stop hook handles spends one budget unit and does not retire", () => {
  const m = machine();
  m.cpu.stopHook = () => {
    m.cpu.setPc(m.cpu.getPc() + 4n);
    return true;
  };
  // ta 0x70; mov 1, %o0; mov 2, %o0
  assert.equal(exec(m, [0x91d02070, 0x90102001, 0x90102002], 2), STOP_BUDGET);
  assert.equal(m.cpu.getReg(8), 1n);
  assert.equal(m.cpu.tsc, 1);
  assert.equal(m.cpu.getPc(), TEXT + 8n);
});

Deno.test("Sparc64Cpu a trap on the budget's last unit still stops on the instruction", () => {
  const m = machine();
  m.cpu.stopHook = () => false;
  // mov 1, %o0; ta 0x70; nop
  assert.equal(exec(m, [0x90102001, 0x91d02070, NOP], 2), STOP_TRAP);
  assert.equal(m.cpu.trapVector, 0x170);
  assert.equal(m.cpu.getPc(), TEXT + 4n);
  assert.equal(m.cpu.getNpc(), TEXT + 8n);
  assert.equal(m.cpu.tsc, 1);
});

Deno.test("Sparc64Cpu ta 0x6d in user mode enters the guest's system-call vector", () => {
  const m = machine();
  m.cpu.tba = KERNEL;
  load(m.mem, USER, [0x91d0206d, NOP]);
  m.cpu.pstate = 0x2; // user, IE
  m.cpu.pil = 0;
  m.cpu.ccr = 0x11;
  m.cpu.setPc(USER);
  assert.equal(m.cpu.run(1), STOP_BUDGET);
  assert.equal(m.cpu.getPc(), KERNEL + 0x16dn * 32n);
  assert.equal(m.cpu.tl, 1);
  assert.equal(m.cpu.getTt(1), 0x16d);
  assert.equal(m.cpu.getTpc(1), USER);
  assert.equal(m.cpu.getTnpc(1), USER + 4n);
  assert.equal(m.cpu.getTstate(1), (0x11n << 32n) | (0x80n << 24n) | (0x2n << 8n));
  assert.equal(m.cpu.pstate, 0x5);
  assert.equal(m.cpu.isUserMode(), false);
});

Deno.test("Sparc64Cpu done resumes past the trapped instruction, retry at it; PRIV 0 is STOP_USER", () => {
  const m = machine();
  m.cpu.tl = 1;
  m.cpu.setTpc(1, TEXT + 0x100n);
  m.cpu.setTnpc(1, TEXT + 0x104n);
  m.cpu.setTstate(1, (0x22n << 32n) | (0x80n << 24n) | (0x6n << 8n) | 3n);
  assert.equal(exec(m, [DONE]), STOP_BUDGET);
  assert.deepEqual([m.cpu.getPc(), m.cpu.getNpc()], [TEXT + 0x104n, TEXT + 0x108n]);
  assert.deepEqual([m.cpu.tl, m.cpu.ccr, m.cpu.pstate, m.cpu.cwp], [0, 0x22, 0x6, 3]);

  m.cpu.tl = 1;
  m.cpu.setTstate(1, (0x80n << 24n) | (0x2n << 8n) | 1n); // user, IE
  m.cpu.setTpc(1, USER);
  m.cpu.setTnpc(1, USER + 4n);
  assert.equal(exec(m, [RETRY]), STOP_USER);
  assert.deepEqual([m.cpu.getPc(), m.cpu.getNpc()], [USER, USER + 4n]);
  assert.equal(m.cpu.isUserMode(), true);
  assert.equal(m.cpu.cwp, 1);

  const z = machine();
  assert.equal(exec(z, [RETRY]), STOP_TRAP); // TL 0: illegal
  assert.equal(z.cpu.trapVector, 0x010);
});

Deno.test("Sparc64Cpu delivers the tick only with IE, TL 0 and PIL below 14", () => {
  const m = machine();
  m.cpu.tba = KERNEL;
  load(m.mem, TEXT, [NOP, NOP, NOP, NOP]);
  load(m.mem, KERNEL + 0x04en * 32n, [NOP, NOP]);
  m.cpu.setPc(TEXT);
  m.cpu.pstate = 0x6;
  m.cpu.pil = 14;
  m.cpu.raiseInterrupt(14);
  assert.equal(m.cpu.softint, 1);
  assert.equal(m.cpu.run(1), STOP_BUDGET);
  assert.equal(m.cpu.getPc(), TEXT + 4n); // masked by PIL
  m.cpu.pil = 13;
  m.cpu.pstate = 0x4;
  assert.equal(m.cpu.run(1), STOP_BUDGET);
  assert.equal(m.cpu.getPc(), TEXT + 8n); // IE = 0
  m.cpu.pstate = 0x6;
  assert.equal(m.cpu.run(1), STOP_BUDGET);
  assert.equal(m.cpu.tl, 1);
  assert.equal(m.cpu.getTt(1), 0x04e);
  assert.equal(m.cpu.getTpc(1), TEXT + 8n);
  assert.equal(m.cpu.getPc(), KERNEL + 0x04en * 32n + 4n); // entered, then one instruction ran
  assert.throws(() => m.cpu.raiseInterrupt(16), RangeError);
});

Deno.test("Sparc64Cpu wrpr %pil 0 lets a pending tick in at the next boundary", () => {
  const m = machine();
  m.cpu.tba = KERNEL;
  m.cpu.pstate = 0x6;
  m.cpu.pil = 14;
  m.cpu.raiseInterrupt(14);
  load(m.mem, KERNEL + 0x04en * 32n, [NOP, NOP]);
  assert.equal(exec(m, [0x91902000, 0x91d0207e], 1), STOP_BUDGET); // wrpr %g0, 0, %pil
  assert.equal(m.cpu.run(1), STOP_BUDGET);
  assert.equal(m.cpu.getTpc(1), TEXT + 4n); // taken before the halt
});

Deno.test("Sparc64Cpu rd/wr %softint, %set_softint, %clear_softint and %tick", () => {
  const m = machine();
  m.cpu.softint = 1;
  // wr %g0, 1, %clear_softint; wr %g0, 2, %set_softint; rd %softint, %o4; rd %tick, %o3
  exec(m, [0xab802001, 0xa9802002, 0x99458000, 0x97410000]);
  assert.equal(m.cpu.softint, 2);
  assert.equal(m.cpu.getReg(12), 2n);
  assert.equal(m.cpu.getReg(11), 3n);
});

Deno.test("Sparc64Cpu rdpr/wrpr read and write the privileged registers", () => {
  const m = machine();
  m.cpu.tl = 1;
  m.cpu.setReg(8, TEXT);
  // wrpr %o0, 0, %tpc; rdpr %tpc, %o0; wrpr %o0, 3, %pil; rdpr %pil, %o1; rdpr %ver, %o2
  exec(m, [0x81922000, 0x91500000, 0x91922003, 0x93520000, 0x9557c000]);
  assert.equal(m.cpu.getTpc(1), TEXT);
  assert.equal(m.cpu.getReg(8), TEXT);
  assert.equal(m.cpu.pil, 3); // TEXT ^ 3 = ...0003 & 15
  assert.equal(m.cpu.getReg(9), 3n);
  assert.equal(m.cpu.getReg(10) & 0xffn, 0x07n); // MAXWIN 7
  // wrpr %g0, 5, %pstate; rdpr %pstate, %o0
  exec(m, [0x8d902005, 0x91518000]);
  assert.equal(m.cpu.pstate, 5);
  assert.equal(m.cpu.getReg(8), 5n);
  m.cpu.pstate = 4;
  m.cpu.tl = 0;
  assert.equal(exec(m, [0x91500000]), STOP_TRAP); // rdpr %tpc at TL 0
  assert.equal(m.cpu.trapVector, 0x010);
});

Deno.test("Sparc64Cpu PSTATE.AG switches to the alternate globals", () => {
  const m = machine();
  m.cpu.setReg(1, 11n);
  m.cpu.pstate = 0x5;
  assert.equal(m.cpu.getReg(1), 0n);
  m.cpu.setReg(1, 22n);
  m.cpu.pstate = 0x4;
  assert.equal(m.cpu.getReg(1), 11n);
});

Deno.test("Sparc64Cpu privileged instructions in user mode are privileged_opcode", () => {
  for (const word of [0x91500000, 0x8d902005, RETRY, DONE, 0x81880000, 0xab802001]) {
    const m = machine();
    load(m.mem, USER, [word]);
    m.cpu.pstate = 0x2;
    m.cpu.setPc(USER);
    assert.equal(m.cpu.run(1), STOP_TRAP);
    assert.equal(m.cpu.trapVector, 0x011, word.toString(16));
    assert.equal(m.cpu.getPc(), USER);
  }
});

Deno.test("Sparc64Cpu.restoreState() brings back every register, window and trap level", () => {
  const m = machine();
  m.cpu.setReg(14, 0x43f000n - 2047n);
  m.cpu.setReg(8, 0x55n);
  exec(m, [0x9de3bf40]); // save
  m.cpu.setReg(16, 0x66n);
  m.cpu.tl = 2;
  m.cpu.setTpc(2, 0x1234n);
  m.cpu.setScratchpad(3, 0x99n);
  m.cpu.pstate = 0x5;
  m.cpu.setReg(1, 0x77n);
  const ctx = m.cpu.saveState();
  const pc = m.cpu.getPc();
  exec(m, [0x81e80000]); // restore
  m.cpu.pstate = 0x4;
  m.cpu.tl = 0;
  m.cpu.setScratchpad(3, 0n);
  m.cpu.restoreState(ctx);
  assert.equal(m.cpu.getPc(), pc);
  assert.deepEqual([m.cpu.cwp, m.cpu.tl, m.cpu.pstate], [1, 2, 0x5]);
  assert.equal(m.cpu.getReg(16), 0x66n);
  assert.equal(m.cpu.getReg(24), 0x55n);
  assert.equal(m.cpu.getReg(1), 0x77n);
  assert.equal(m.cpu.getTpc(2), 0x1234n);
  assert.equal(m.cpu.getScratchpad(3), 0x99n);
  assert.throws(() => m.cpu.restoreState({ regs: new Uint32Array(3) }), RangeError);
});
