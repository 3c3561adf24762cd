// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The run loop of one kernel: CPUs round-robin by quanta, idling and timer
 * ticks, watchdog touches, the soft-lockup watchdog and the hung-task check.
 *
 * Private to kernel-model/: `Kernel` (kernel.ts) is the public face and
 * `KernelCore` (_kernel_core.ts) the state the seams share.
 *
 * @module
 */

import { STOP_BUDGET, STOP_HALT, STOP_HYPERCALL, STOP_TRAP, STOP_USER } from "../arch/types.ts";
import type { TaskRef } from "../probes/types.ts";
import { formatSoftLockup } from "./oops.ts";
import {
  type Cpu,
  CPU_DEAD,
  CPU_HALTED,
  CPU_RUNNING,
  CPU_USER,
  HUNG_TASK_TIMEOUT_SECS,
  type KernelCore,
  TASK_UNINTERRUPTIBLE,
  TIF_NEED_RESCHED,
} from "./_kernel_core.ts";
import type { RunStopReason } from "./kernel_options.ts";

/** The run loop of a kernel and its watchdogs. */
export class RunLoop {
  /** The kernel's shared state. */
  constructor(readonly k: KernelCore) {}

  // ---------------------------------------------------------------- run loop

  /**
   * Runs the CPUs round-robin, `quantum` instructions each, until `until()`
   * holds, every CPU is dead, `limit` instructions have run, the watchdog
   * fires, or no CPU has run for 100,000 rounds;
   * `KernelCore.stopReason` says which.
   */
  runLoop(until: () => boolean, limit: number): boolean {
    const k = this.k;
    const start = k.executed;
    const cpus = k.cpus;
    let idleRounds = 0;
    k.stopReason = "completed";
    for (const cpu of cpus) this.touch(cpu);
    while (!until()) {
      if (k.executed - start >= limit) return this.stop("instructionLimit");
      let progressed = false;
      let alive = false;
      for (let i = 0; i < cpus.length; i++) {
        const st = k.state[i];
        if (st === CPU_DEAD) continue;
        alive = true;
        if (st === CPU_USER) {
          this.touch(cpus[i]);
          if (k.work.resumeUser(cpus[i])) progressed = true;
          continue;
        }
        if (st === CPU_HALTED) {
          this.idle(cpus[i]);
          continue;
        }
        this.runQuantum(cpus[i]);
        if (k.stopReason !== "completed") return false;
        progressed = true;
      }
      if (!alive) return this.stop("panic");
      if (!progressed) {
        // Every CPU idle or parked: nothing changes before the next tick.
        this.fastForwardIdle();
        if (++idleRounds > 100_000) {
          this.reportStall(idleRounds);
          return this.stop("stalled");
        }
      } else idleRounds = 0;
      k.flushConsole();
    }
    return true;
  }
  stop(reason: RunStopReason): false {
    this.k.stopReason = reason;
    return false;
  }

  /** The CPU scheduled, idled or is in user mode: the watchdog starts over (touch_softlockup_watchdog()). */
  touch(cpu: Cpu): void {
    this.k.touchTsc[cpu.id] = cpu.tsc;
    if (this.k.wdWallMs !== Infinity) this.k.touchWall[cpu.id] = performance.now();
  }

  /**
   * At each timer tick: has `cpu` stayed in kernel mode on one task, never
   * idling or returning to user, for longer than the watchdog allows? Then
   * report it and stop the run. Linux: `watchdog_timer_fn()`.
   */
  watchdogTick(cpu: Cpu): void {
    const id = cpu.id;
    const task = this.k.currentTaskLo(cpu);
    if (task !== this.k.touchTask[id]) {
      this.k.touchTask[id] = task;
      this.touch(cpu);
      return;
    }
    if (
      cpu.tsc - this.k.touchTsc[id] < this.k.wdCycles &&
      (this.k.wdWallMs === Infinity || performance.now() - this.k.touchWall[id] < this.k.wdWallMs)
    ) return;
    this.softLockup(cpu, this.k.touchTsc[id], this.k.touchWall[id]);
  }

  /** Reports a soft lockup on `cpu`, stuck since guest clock `sinceTsc` and host ms `sinceWall`. */
  softLockup(cpu: Cpu, sinceTsc: number, sinceWall: number): void {
    this.k.incidents.lockups++;
    const guest = (cpu.tsc - sinceTsc) / (this.k.tscKhz * 1000);
    const host = (performance.now() - sinceWall) / 1000;
    const seconds = Math.floor(this.k.wdWallMs === Infinity ? guest : Math.max(guest, host));
    let task: TaskRef = { address: 0n, pid: 0, tgid: 0, comm: "swapper", state: 0, cpu: 0 };
    try {
      task = this.k.taskRef(this.k.currentTask(cpu));
    } catch {
      // A wild cpu_curr: report the idle task's name.
    }
    const lines = formatSoftLockup({
      arch: this.k.arch,
      cpu,
      memory: this.k.memory,
      kallsyms: this.k.kallsyms,
      seconds,
      pid: task.pid,
      comm: task.comm,
      modules: [...this.k.modules.keys()],
      trace: this.k.traps.callTrace(cpu),
    });
    for (const l of lines) this.k.logDirect(0, l);
    this.touch(cpu);
    this.k.stopReason = "softLockup";
  }

  /** No CPU ran for `rounds` rounds of the run loop: say so instead of stopping silently. */
  reportStall(rounds: number): void {
    this.k.incidents.lockups++;
    this.k.logDirect(
      3,
      `INFO: no CPU made progress for ${rounds} rounds: every CPU is idle with no timer due or parked in user mode with no workload step to issue`,
    );
  }

  /**
   * Has another CPU asked this idle CPU to reschedule (TIF_NEED_RESCHED on
   * its idle task)? The guest sends no IPIs; like `mwait` watching the flag,
   * the halted CPU wakes when it is set.
   */
  needResched(cpu: Cpu): boolean {
    try {
      const task = this.k.currentTask(cpu);
      if (task === 0n) return false;
      const ti = this.k.readPtr(task + 32n);
      return (this.k.memory.readU32(ti + BigInt(this.k.ptrSize)) & (1 << TIF_NEED_RESCHED)) !== 0;
    } catch {
      return false;
    }
  }

  /**
   * With no CPU running, move every halted CPU's clock to the nearest timer
   * tick at once (by the same amount, so they stay in step) instead of
   * idling there quantum by quantum.
   */
  fastForwardIdle(): void {
    let delta = Infinity;
    for (const cpu of this.k.cpus) {
      const st = this.k.state[cpu.id];
      if (st === CPU_RUNNING) return;
      if (st === CPU_HALTED) delta = Math.min(delta, this.k.nextTick[cpu.id] - cpu.tsc);
    }
    if (delta === Infinity || delta <= 0) return;
    for (const cpu of this.k.cpus) if (this.k.state[cpu.id] === CPU_HALTED) cpu.tsc += delta;
  }
  idle(cpu: Cpu): void {
    this.touch(cpu);
    if (this.needResched(cpu)) {
      this.k.state[cpu.id] = CPU_RUNNING;
      return;
    }
    const next = this.k.nextTick[cpu.id];
    cpu.tsc = Math.min(next, cpu.tsc + this.k.quantum);
    if (cpu.tsc >= next) {
      this.k.nextTick[cpu.id] = next + this.k.tickPeriod;
      cpu.raiseInterrupt(this.k.arch.timerVector);
      this.k.state[cpu.id] = CPU_RUNNING;
    }
  }
  runQuantum(cpu: Cpu): void {
    const k = this.k;
    const id = cpu.id;
    let budget = k.quantum;
    while (budget > 0 && k.state[id] === CPU_RUNNING) {
      const until = k.nextTick[id] - cpu.tsc;
      const before = cpu.tsc;
      const reason = cpu.run(Math.max(1, Math.min(budget, until)));
      const ran = cpu.tsc - before;
      k.executed += ran;
      budget -= Math.max(ran, 1);
      if (cpu.tsc >= k.nextTick[id]) {
        k.nextTick[id] += k.tickPeriod;
        cpu.raiseInterrupt(k.arch.timerVector);
        if (id === 0) k.kprobes.optimizerTick();
        if (k.wdWallMs !== Infinity) k.tickWall[id] = performance.now();
        this.watchdogTick(cpu);
        if (k.stopReason !== "completed") return;
      }
      this.dispatchStop(cpu, reason);
    }
    // On the host clock, also between ticks when no tick came for a whole
    // watchdog period: a CPU looping through a probe handler may take a long
    // time per guest tick. Otherwise the report waits for the tick, where the
    // CPU stands in the interrupted code (as Linux's watchdog_timer_fn()
    // reports get_irq_regs()), never in the previous tick's exit path.
    if (k.wdWallMs !== Infinity) {
      const now = performance.now();
      if (now - k.touchWall[id] >= k.wdWallMs && now - k.tickWall[id] >= k.wdWallMs) {
        this.watchdogTick(cpu);
      }
    }
  }
  dispatchStop(cpu: Cpu, reason: number): void {
    const k = this.k;
    switch (reason) {
      case STOP_BUDGET:
        return;
      case STOP_TRAP:
        k.traps.trap(cpu);
        return;
      case STOP_HALT:
        if (k.arch.haltPc(cpu) === k.sym.hostCallReturn) {
          k.traps.panic(cpu, "host call return reached outside a host call");
        } else if (!k.arch.interruptsEnabled(cpu)) {
          k.traps.panic(cpu, "CPU halted with interrupts disabled");
        } else k.state[cpu.id] = CPU_HALTED;
        return;
      case STOP_USER:
        k.state[cpu.id] = CPU_USER;
        k.work.resumeUser(cpu);
        return;
      case STOP_HYPERCALL:
        k.traps.hypercall(cpu);
        return;
    }
  }

  /**
   * Linux: check_hung_task()'s report for each task parked after a
   * recursive fault that is still in TASK_UNINTERRUPTIBLE.
   */
  reportHungTasks(): void {
    for (const [pid, task] of this.k.parked) {
      try {
        const t = this.k.taskRef(task);
        if (t.pid !== pid || this.k.memory.readU32(task + 4n) !== TASK_UNINTERRUPTIBLE) continue;
        this.k.logDirect(
          3,
          `INFO: task ${t.comm}:${pid} blocked for more than ${HUNG_TASK_TIMEOUT_SECS} seconds.`,
        );
      } catch {
        // Freed and unmapped: not hung.
      }
    }
  }
}
