// Copyright 2026 the kprobes-sim authors. MIT license.
// Smoke run of the real image on the bare interpreter: CPU 0 from
// startup_64 through start_kernel (printk into __log_buf, the trap block,
// ticks raised by this host loop), the first context switch into
// ret_from_fork (caught with a `ta 0x70` written over its first word, where
// this host fills init's pt_regs as execve would), then rtrap's return to
// user mode: window fills through ASI_AIUS and `retry` into STOP_USER.

import assert from "node:assert/strict";
import { STOP_BUDGET, STOP_HALT, STOP_TRAP, STOP_USER } from "../../../arch/types.ts";
import { BIAS, imageMachine } from "./_machine.ts";

Deno.test("Sparc64Cpu boots vmlinux-sparc64 from startup_64 to init's first user instruction", () => {
  const m = imageMachine();
  const { cpu, mem, symbols } = m;
  const retFromFork = symbols.get("ret_from_fork")!;
  const original = mem.readBytes(retFromFork, 4);
  mem.pokeText(0, Number(retFromFork), new Uint8Array([0x91, 0xd0, 0x20, 0x70])); // ta 0x70
  cpu.setPc(symbols.get("startup_64")!);
  let stop = STOP_BUDGET;
  let forks = 0;
  for (let turn = 0; turn < 200 && stop !== STOP_USER; turn++) {
    stop = cpu.run(200_000);
    if (stop === STOP_BUDGET || stop === STOP_HALT) cpu.raiseInterrupt(14);
    else if (stop === STOP_TRAP) {
      assert.equal(
        cpu.trapVector,
        0x170,
        `trap 0x${cpu.trapVector.toString(16)} at 0x${cpu.getPc().toString(16)}`,
      );
      assert.equal(cpu.getPc(), retFromFork);
      mem.pokeText(0, Number(retFromFork), original);
      forks++;
      // init's pt_regs as a successful execve leaves them (ABI.md).
      const regs = cpu.getReg(14) + BIAS + 192n;
      mem.writeU64(regs + 14n * 8n, 0x3ff741n); // u_regs[UREG_FP]
      mem.writeU64(regs + 128n, 0x80000200n); // tstate: TSTATE_USER
      mem.writeU64(regs + 136n, 0x100000n); // tpc
      mem.writeU64(regs + 144n, 0x100004n); // tnpc
    } else if (stop !== STOP_USER) {
      assert.fail(`unexpected stop ${stop} at 0x${cpu.getPc().toString(16)}`);
    }
  }
  assert.equal(stop, STOP_USER);
  assert.equal(forks, 1);
  assert.equal(cpu.getPc(), 0x100000n);
  assert.equal(cpu.getNpc(), 0x100004n);
  assert.equal(cpu.getReg(14), 0x3ff741n);
  assert.deepEqual([cpu.tl, cpu.isUserMode(), cpu.pstate, cpu.pil], [0, true, 0x2, 0]);
  assert.equal(cpu.getScratchpad(0), symbols.get("trap_block")!);
  const log = new TextDecoder().decode(mem.readBytes(symbols.get("__log_buf")!, 4096));
  assert.match(log, /Linux version 2\.6\.12-kprobes-sim/);
  assert.match(
    log,
    /CPU0: kprobes-sim virtual sparc64 CPU @ 1000\.000 MHz, trap block at 0000000000415000/,
  );
  assert.match(log, /Brought up 1 CPUs/);

  // A system call as the host starts one (ta 0x6d at the user's PC):
  // getpid (i386's 20) through etrap from user mode, do_syscall and rtrap.
  mem.writeU32(0x100000n, 0x91d0206d); // ta 0x6d
  cpu.setReg(1, 20n);
  cpu.setReg(31, 0x1234n); // %i7 and %l0: the trapped user window comes back
  cpu.setReg(16, 0x5678n);
  cpu.deliverTrap(0x16d);
  let r = STOP_BUDGET;
  for (let turn = 0; turn < 50 && r !== STOP_USER; turn++) {
    r = cpu.run(200_000);
    if (r === STOP_BUDGET || r === STOP_HALT) cpu.raiseInterrupt(14);
    else if (r !== STOP_USER) {
      assert.fail(`stop ${r} (0x${cpu.trapVector.toString(16)}) at 0x${cpu.getPc().toString(16)}`);
    }
  }
  assert.equal(r, STOP_USER);
  assert.equal(cpu.getPc(), 0x100004n);
  assert.equal(cpu.getReg(8), 1n); // init is pid 1
  assert.equal(cpu.ccr & 0x11, 0); // icc.C and xcc.C clear: success
  assert.equal(cpu.getReg(14), 0x3ff741n);
  assert.equal(cpu.getReg(31), 0x1234n);
  assert.equal(cpu.getReg(16), 0x5678n);
  assert.equal(cpu.cansave + cpu.canrestore + cpu.otherwin, 6);
});
