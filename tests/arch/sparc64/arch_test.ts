// Copyright 2026 the kprobes-sim authors. MIT license.
// The SPARC64 arch object on a bare CPU: the pt_regs view, the calling
// convention (host calls, arguments, results), the register-window
// unwinder with windows in the register file and in memory, and the Oops
// register lines.

import assert from "node:assert/strict";
import { SPARC64 } from "../../../arch/sparc64/arch.ts";
import { Sparc64PtRegs } from "../../../arch/sparc64/pt_regs.ts";
import { hasWindow, unwindSparc64 } from "../../../arch/sparc64/stacktrace.ts";
import {
  STOP_HALT,
  TRAP_BREAKPOINT,
  TRAP_PAGEFAULT,
  TRAP_SINGLESTEP,
} from "../../../arch/types.ts";
import {
  call,
  DATA,
  HALT,
  load,
  machine,
  mov,
  NOP,
  O0,
  O7,
  RETL,
  SAVE,
  STACK_TOP,
  TEXT,
} from "./_kprobe_machine.ts";

Deno.test("Sparc64PtRegs u_regs reads and writes the globals and outs, %g0 stays 0", () => {
  const { cpu } = machine();
  const regs = new Sparc64PtRegs(cpu);
  assert.equal(regs.arch, "sparc64");
  regs.u_regs[8] = -2n;
  assert.equal(cpu.getReg(O0), 0xfffffffffffffffen);
  regs.u_regs[15] = 0x401000n;
  assert.equal(cpu.getReg(O7), 0x401000n);
  regs.u_regs[0] = 5n;
  assert.equal(regs.u_regs[0], 0n);
  assert.equal(regs.u_regs.length, 16);
  assert.throws(
    () => (regs as unknown as { rax: bigint }).rax,
    /Cannot read register "rax" on sparc64/,
  );
});

Deno.test("Sparc64PtRegs tstate composes CCR, ASI, PIL, PSTATE and CWP, and a write keeps CWP", () => {
  const { cpu } = machine();
  const regs = new Sparc64PtRegs(cpu);
  cpu.ccr = 0x99;
  cpu.cwp = 3;
  assert.equal(regs.tstate, 0x9980e00603n); // ASI 0x80, PIL 14, PSTATE PRIV|IE, CWP 3
  regs.tstate = 0x1180000405n;
  assert.deepEqual([cpu.ccr, cpu.asi, cpu.pil, cpu.pstate, cpu.cwp], [0x11, 0x80, 0, 4, 3]);
});

Deno.test("Sparc64PtRegs tpc moves only the PC, tnpc only the nPC, y is 32 bits", () => {
  const { cpu } = machine();
  const regs = new Sparc64PtRegs(cpu);
  cpu.setPc(TEXT);
  cpu.setNpc(TEXT + 0x40n);
  regs.tpc = TEXT + 8n;
  assert.deepEqual([cpu.getPc(), cpu.getNpc()], [TEXT + 8n, TEXT + 0x40n]);
  regs.tnpc = TEXT + 12n;
  assert.equal(cpu.getNpc(), TEXT + 12n);
  regs.y = 0x1_2345_6789n;
  assert.equal(regs.y, 0x23456789n);
});

Deno.test("SPARC64 getSp is the real address (%sp + 2047), spLo/spHi its halves", () => {
  const { cpu } = machine();
  SPARC64.setSp(cpu, 0x43ff00n);
  assert.equal(cpu.getReg(14), 0x43ff00n - 2047n);
  assert.equal(SPARC64.getSp(cpu), 0x43ff00n);
  assert.equal(SPARC64.spLo(cpu), 0x43ff00);
  assert.equal(SPARC64.spHi(cpu), 0);
});

Deno.test("SPARC64 setupCall follows the V9 ABI: %o0-%o5, stack words, %o7 = return - 8", () => {
  const { mem, cpu } = machine();
  // fn: the seventh and eighth arguments from the caller's frame, then retl.
  const fn = TEXT + 0x100n;
  const ldx = (rd: number, off: number) =>
    ((3 << 30) | (rd << 25) | (0x0b << 19) | (14 << 14) | (1 << 13) | (off & 0x1fff)) >>> 0;
  load(mem, fn, [ldx(O0, 2047 + 176), ldx(9, 2047 + 184), RETL, NOP]);
  load(mem, TEXT, [HALT]);
  cpu.cwp = 5;
  cpu.canrestore = 2;
  cpu.cansave = 4;
  const args = [1n, 2n, 3n, 4n, 5n, 6n, 0x77n, 0x88n];
  SPARC64.setupCall(cpu, mem, fn, args, TEXT, STACK_TOP - 0x100n);
  assert.equal(SPARC64.getArgument(cpu, mem, 0), 1n);
  assert.equal(SPARC64.getArgument(cpu, mem, 5), 6n);
  assert.equal(SPARC64.getArgument(cpu, mem, 6), 0x77n);
  assert.equal(SPARC64.getArgument(cpu, mem, 7), 0x88n);
  assert.equal(cpu.getReg(O7), TEXT - 8n);
  assert.equal(SPARC64.getSp(cpu) & 15n, 0n);
  assert.ok(SPARC64.getSp(cpu) + 176n + 16n <= STACK_TOP - 0x100n);
  assert.deepEqual([cpu.tl, cpu.cansave, cpu.canrestore, cpu.otherwin], [0, 6, 0, 0]);
  assert.equal(cpu.run(100), STOP_HALT);
  assert.equal(SPARC64.haltPc(cpu), TEXT);
  assert.equal(SPARC64.getReturnValue(cpu), 0x77n);
  assert.equal(cpu.getReg(9), 0x88n);
});

Deno.test("SPARC64 syscallResult is %o0 signed; trapKind maps the trap types", () => {
  const { cpu } = machine();
  cpu.setReg(O0, BigInt.asUintN(64, -13n));
  assert.equal(SPARC64.syscallResult(cpu), -13);
  cpu.setReg(O0, 13n);
  cpu.ccr = 0x11; // Linux's own convention: +errno with the carry set
  assert.equal(SPARC64.syscallResult(cpu), -13);
  cpu.trapVector = 0x170;
  assert.equal(SPARC64.trapKind(cpu), TRAP_BREAKPOINT);
  cpu.trapVector = 0x171;
  assert.equal(SPARC64.trapKind(cpu), TRAP_SINGLESTEP);
  cpu.trapVector = 0x030;
  assert.equal(SPARC64.trapKind(cpu), TRAP_PAGEFAULT);
});

Deno.test("SPARC64 interrupts are enabled with PSTATE.IE and %pil below 14", () => {
  const { cpu } = machine();
  assert.equal(SPARC64.interruptsEnabled(cpu), false); // PIL 14
  cpu.pil = 0;
  assert.equal(SPARC64.interruptsEnabled(cpu), true);
  cpu.pstate = 4;
  assert.equal(SPARC64.interruptsEnabled(cpu), false);
});

Deno.test("SPARC64 kernelStackTop reads the trap block through scratchpad 0", () => {
  const { mem, cpu } = machine();
  cpu.setScratchpad(0, DATA);
  mem.writeU64(DATA, 0x43c000n);
  assert.equal(SPARC64.kernelStackTop(cpu, mem), 0x43c000n);
});

Deno.test("SPARC64 oopsRegisters prints Linux's show_regs() lines", () => {
  const { cpu } = machine();
  cpu.setPc(TEXT);
  cpu.setReg(O0, 0xabcn);
  const lines = SPARC64.oopsRegisters(cpu);
  assert.equal(
    lines[0],
    "TSTATE: 0000000080e00600 TPC: 0000000000410000 TNPC: 0000000000410004 Y: 00000000    Not tainted",
  );
  assert.equal(lines[1], "TPC: <%SYM%>");
  assert.match(lines[4], /^o0: 0000000000000abc o1: 0{16} o2: 0{16} o3: 0{16}$/);
  assert.match(lines[5], /^o4: 0{16} o5: 0{16} sp: [0-9a-f]{16} ret_pc: 0{16}$/);
  assert.equal(lines[6], "RPC: <0x0>");
  assert.equal(lines[11], "I7: <0x0>");
  assert.equal(lines.length, 12);
});

Deno.test("SPARC64 oopsRegisters prints RPC (%o7) and I7 (%i7) as symbols, as show_regs() does", () => {
  const { cpu } = machine();
  cpu.setPc(TEXT);
  cpu.setReg(O7, TEXT + 0x44n);
  cpu.setReg(31, TEXT + 0x8n);
  const sym = (a: bigint) => `f+0x${(a - TEXT).toString(16)}/0x100`;
  const lines = SPARC64.oopsRegisters(cpu, sym);
  assert.deepEqual(
    lines.filter((l) => /^(RPC|I7): /.test(l)),
    ["RPC: <f+0x44/0x100>", "I7: <f+0x8/0x100>"],
  );
  assert.match(lines[5], /ret_pc: 0{10}410044$/);
  assert.match(lines[10], /i7: 0{10}410008$/);
});

// f0 at TEXT calls f1 at +0x40, which calls the leaf f2 at +0x80 (a halt).
function callChain() {
  const m = machine();
  load(m.mem, TEXT, [SAVE, call(0x3c), NOP, HALT]);
  load(m.mem, TEXT + 0x40n, [SAVE, call(0x3c), NOP, HALT]);
  load(m.mem, TEXT + 0x80n, [mov(1, O0), HALT]);
  m.cpu.setReg(O7, 0n);
  m.cpu.setPc(TEXT);
  assert.equal(m.cpu.run(100), STOP_HALT);
  m.cpu.setPc(m.cpu.getPc() - 4n); // back onto the halt in f2
  return m;
}
const starts = (pc: bigint) => (pc >= TEXT && pc < TEXT + 0xc0n ? pc & ~0x3fn : undefined);

Deno.test("unwindSparc64() walks windows in the register file and, after a flush, in memory", () => {
  const m = callChain();
  const want = [TEXT + 0x84n, TEXT + 0x4cn, TEXT + 0xcn];
  assert.equal(m.cpu.canrestore, 2);
  assert.deepEqual(unwindSparc64(m.cpu, m.mem, starts), want);
  assert.ok(m.cpu.flushWindows());
  assert.equal(m.cpu.canrestore, 0);
  assert.deepEqual(unwindSparc64(m.cpu, m.mem, starts), want);
});

Deno.test("unwindSparc64() takes the return address from %o7 before the save", () => {
  const m = callChain();
  m.cpu.setPc(TEXT + 0x80n); // f2's entry: the leaf has no window
  assert.deepEqual(unwindSparc64(m.cpu, m.mem, starts), [TEXT + 0x80n, TEXT + 0x4cn, TEXT + 0xcn]);
  assert.equal(hasWindow(m.mem, TEXT + 0x40n, TEXT + 0x40n), false);
  assert.equal(hasWindow(m.mem, TEXT + 0x40n, TEXT + 0x44n), true);
});
