// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Workload issuing on one kernel: a task back in user mode gets its next
 * system call, and `Kernel.run()` drives a workload to completion.
 *
 * Private to kernel-model/: `Kernel` (kernel.ts) is the public face and
 * `KernelCore` (_kernel_core.ts) the state the seams share.
 *
 * @module
 */

import { ENOSYS } from "./errno.ts";
import { KernelError } from "./errors.ts";
import { DEFAULT_WORKLOAD, type Syscall } from "./workload.ts";
import { validateWorkload, workloadOrigin } from "./workload_schema.ts";
import { type NextStep, WorkloadDriver } from "./workload_driver.ts";
import { syscallArgs, USER_SCRATCH } from "./syscall_args.ts";
import { checkMaxInstructions } from "./boot_options.ts";
import {
  type Cpu,
  CPU_RUNNING,
  HUNG_TASK_TIMEOUT_SECS,
  type KernelCore,
  OTHERS_ALIVE,
  OTHERS_NONE,
  OTHERS_ZOMBIES,
  TASK_DEAD,
  TASK_UNINTERRUPTIBLE,
  TASK_ZOMBIE,
} from "./_kernel_core.ts";
import type { RunOptions, RunResult } from "./kernel_options.ts";

/** The workload driver of a kernel: system calls issued from user mode. */
export class WorkloadRun {
  /** The kernel's shared state. */
  constructor(readonly k: KernelCore) {}

  /**
   * A task is in user mode on `cpu`: issue its next system call, if any.
   * init, its script done, waits for the other tasks (see
   * {@linkcode WorkloadDriver.initIdle}). Returns true if it issued one.
   */
  resumeUser(cpu: Cpu): boolean {
    const driver = this.k.driver;
    if (driver === null) return false;
    const task = this.k.currentTask(cpu);
    const pid = this.k.memory.readU32(task) | 0;
    const ret = this.k.arch.syscallResult(cpu);
    let step: NextStep;
    if (pid === 1 && driver.done) step = { kind: "idle" };
    else {
      if (pid !== 1) this.k.taskAt.set(pid, task);
      step = driver.onUser(pid, this.k.parentPid(task), cpu.id, ret);
    }
    if (step.kind === "idle") {
      if (pid !== 1) return false;
      const others = this.othersState(driver);
      if (others === OTHERS_NONE || (others === OTHERS_ZOMBIES && driver.reapDone)) return false;
      const nr = this.k.arch.syscallNumbers.wait4 ?? -ENOSYS;
      step = driver.initIdle(ret, nr, others === OTHERS_ZOMBIES);
      if (step.kind === "idle") return false;
    }
    this.issueSyscall(cpu, pid, step.call, step.last);
    this.k.state[cpu.id] = CPU_RUNNING;
    return true;
  }

  /**
   * The workload's tasks other than init: is one alive (forked and not yet
   * run, or a task_struct neither zombie nor dead), else are zombies left,
   * else none? Tasks blocked for good do not count: parked by the host or
   * by the guest's do_exit after a recursive fault (TASK_UNINTERRUPTIBLE,
   * which nothing else in the guest uses; the hung-task check reports them
   * when a waiter hangs on them). Reaped tasks are forgotten as found.
   */
  othersState(driver: WorkloadDriver): number {
    let zombies = false;
    for (const pid of driver.liveTasks()) {
      if (this.k.parked.has(pid)) continue;
      const at = this.k.taskAt.get(pid);
      if (at === undefined) return OTHERS_ALIVE;
      let state = TASK_DEAD;
      try {
        if ((this.k.memory.readU32(at) | 0) === pid) state = this.k.memory.readU32(at + 4n);
      } catch {
        // Freed and unmapped: gone.
      }
      // TASK_UNINTERRUPTIBLE: in this guest only a recursive fault's
      // do_exit (or the host's parking) sleeps so; nothing wakes it.
      if (state === TASK_UNINTERRUPTIBLE) continue;
      if ((state & (TASK_ZOMBIE | TASK_DEAD)) === 0) return OTHERS_ALIVE;
      if ((state & TASK_ZOMBIE) !== 0) {
        zombies = true;
        continue;
      }
      driver.taskGone(pid);
      this.k.taskAt.delete(pid);
    }
    return zombies ? OTHERS_ZOMBIES : OTHERS_NONE;
  }

  /**
   * Has the workload run to completion: init's script done, init in user
   * mode, no other task alive, and init's reaping of zombies over?
   */
  workloadComplete(driver: WorkloadDriver): boolean {
    if (!driver.done || !this.k.initInUser()) return false;
    const others = this.othersState(driver);
    return others === OTHERS_NONE || (others === OTHERS_ZOMBIES && driver.reapDone);
  }

  /**
   * Issues `call` for task `pid`: its pointed-to data goes in the task's own
   * scratch page (never another live task's), which an `exit` gives back.
   */
  issueSyscall(cpu: Cpu, pid: number, call: Syscall, last: number): void {
    const arch = this.k.arch;
    const scratch = this.k.scratch.pageOf(pid);
    if (scratch === null) {
      throw new KernelError(
        `Cannot issue "${call.call}" for pid ${pid}: all ${
          Math.floor(arch.userSize / USER_SCRATCH)
        } user scratch pages are taken by live tasks, lower maxTasks`,
      );
    }
    const args = syscallArgs(this.k.memory, scratch, call, last, this.k.ptrSize);
    const nr = call.call === "syscall" ? call.nr : arch.syscallNumbers[call.call] ?? -ENOSYS;
    arch.enterSyscall(cpu, nr, args, scratch + BigInt(USER_SCRATCH - 64));
    // exit() reads no user memory: the page is free for the next task.
    if (call.call === "exit" || (call.call === "syscall" && nr === arch.syscallNumbers.exit)) {
      this.k.scratch.release(pid);
    }
  }
  /** See `Kernel.run()` (kernel.ts), which delegates here. */
  run(options: RunOptions = {}): RunResult {
    this.k.checkAlive("run");
    if (options === null || typeof options !== "object") {
      throw new KernelError(
        `Cannot run with options ${
          String(options)
        }: pass an object such as { workload, maxInstructions }`,
      );
    }
    // Everything is checked before the first instruction runs.
    const limit = checkMaxInstructions(options.maxInstructions);
    const given = options.workload;
    const workload = given === undefined
      ? DEFAULT_WORKLOAD
      : validateWorkload(given, workloadOrigin(given));
    if (this.k.driver === null) this.k.driver = new WorkloadDriver(workload);
    else this.k.driver.restart(workload);
    const driver = this.k.driver;
    const before = this.k.executed;
    const seconds = options.watchdog ?? 10;
    if (typeof seconds !== "number" || !(seconds > 0)) {
      throw new KernelError(
        `Cannot run with watchdog ${
          String(seconds)
        }: it must be a number of seconds above 0, or Infinity to turn it off`,
      );
    }
    const host = options.watchdogClock === "host";
    this.k.wdCycles = seconds * this.k.tscKhz * 1000;
    this.k.wdWallMs = host ? seconds * 1000 : Infinity;
    // Linux's hung-task check (khungtaskd), for the workload: when no system
    // call completes for HUNG_TASK_TIMEOUT_SECS of guest time (every sleep
    // is shorter, see MAX_SLEEP_MS), the tasks are blocked for good (a
    // parent waiting for children parked after a recursive fault): end the
    // run instead of ticking until maxInstructions.
    const clock = this.k.cpus[0];
    const hungCycles = HUNG_TASK_TIMEOUT_SECS * this.k.tscKhz * 1000;
    let seen = driver.records.length;
    let since = clock.tsc;
    let hung = false;
    try {
      this.k.loop.runLoop(() => {
        if (this.workloadComplete(driver)) return true;
        if (driver.records.length !== seen) {
          seen = driver.records.length;
          since = clock.tsc;
        } else if (clock.tsc - since > hungCycles) hung = true;
        return hung;
      }, limit);
    } finally {
      this.k.wdCycles = Infinity;
      this.k.wdWallMs = Infinity;
    }
    if (hung) {
      this.k.loop.reportHungTasks();
      this.k.stopReason = "hungTask";
    }
    const completed = this.workloadComplete(driver);
    this.k.flushConsole();
    return {
      instructions: this.k.executed - before,
      syscalls: [...driver.records],
      completed,
      stopReason: this.k.stopReason,
    };
  }
}
