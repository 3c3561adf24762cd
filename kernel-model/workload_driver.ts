// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The workload driver. The host plays every task's user-mode
 * side; each task follows a script of system calls, issued with the arch's
 * real entry (`int $0x80` on x86) whenever the task is back in user mode.
 * A `fork` carries the child's script. A run is complete when init (pid 1)
 * has finished its script and no other task it knows of is alive: every
 * task forked during the workload has exited, except tasks blocked for
 * good after a recursive fault, which the hung-task check reports; and
 * init has reaped the zombies it can. Until then init, its script done,
 * waits as a real init does: `wait4(-1, NULL, WNOHANG)` to reap a child
 * that has exited, else a one-tick `nanosleep`, so the other tasks get its
 * CPU. These calls are the host's, not the workload's: they are not in the
 * records, and a workload whose init waits for all its children (the
 * default one) makes none.
 *
 * The scripts' types and schema are workload.ts's.
 *
 * @module
 */

import { ScriptCursor } from "./_script_cursor.ts";
import type { Syscall, SyscallRecord, Workload } from "./workload.ts";
import { validateWorkload, workloadOrigin } from "./workload_schema.ts";

/** One task's progress through its script. */
interface TaskScript {
  cursor: ScriptCursor;
  done: boolean;
  pending: Syscall | null;
  last: number;
}

/** What the driver wants a task in user mode to do next. */
export type NextStep = { kind: "syscall"; call: Syscall; last: number } | { kind: "idle" };

/**
 * Follows every task's script. The kernel calls {@linkcode WorkloadDriver.onUser}
 * each time a task is back in user mode. `repeat` is expanded as the
 * script runs, so a large count costs no memory.
 */
export class WorkloadDriver {
  readonly #scripts = new Map<number, TaskScript>();
  readonly #children = new Map<number, Syscall[][]>();
  /** Scripts of children whose fork returned before they first ran, by child pid. */
  readonly #claimed = new Map<number, Syscall[]>();
  /** Every completed call, in completion order. */
  readonly records: SyscallRecord[] = [];
  /** Tasks other than init not yet seen to exit: children of forks, tasks seen in user mode. */
  readonly #live = new Set<number>();
  /** init's last idle call while it waits for the other tasks (see {@linkcode WorkloadDriver.initIdle}). */
  #idle: "wait4" | "reap" | "sleep" | null = null;
  #reapDone = false;

  /**
   * Starts a workload for init.
   *
   * @param workload The workload (validated again here).
   * @throws {WorkloadError} When it does not match the schema.
   */
  constructor(workload: Workload) {
    const init = validateWorkload(workload, workloadOrigin(workload)).init;
    this.#scripts.set(1, { cursor: new ScriptCursor(init), done: false, pending: null, last: 0 });
  }

  /** Has init finished its script? */
  get done(): boolean {
    const init = this.#scripts.get(1)!;
    return init.pending === null && init.done;
  }

  /**
   * A task is in user mode: record the result of its pending call and pick
   * its next one.
   *
   * @param pid The task.
   * @param ppid Its parent.
   * @param cpu The CPU it is on.
   * @param ret The system call's return value (rax / r3).
   * @returns The next step.
   */
  onUser(pid: number, ppid: number, cpu: number, ret: number): NextStep {
    let t = this.#scripts.get(pid);
    if (t === undefined) {
      // Its parent's fork returned first and took the script for it, or
      // the child runs first and takes the head of its parent's queue.
      const actions = this.#claimed.get(pid) ?? this.#children.get(ppid)?.shift() ?? [];
      this.#claimed.delete(pid);
      t = { cursor: new ScriptCursor(actions), done: false, pending: null, last: 0 };
      this.#scripts.set(pid, t);
      if (pid !== 1) this.#live.add(pid);
    } else if (t.pending !== null) {
      const call = t.pending.call;
      this.records.push({ pid, cpu, call, ret });
      if ((call === "fork" || call === "clone") && ret > 0) {
        this.#live.add(ret);
        // The child has not run yet: bind its script to its pid now, so it
        // finds it even if this task exits first and it is reparented.
        if (!this.#scripts.has(ret)) {
          const script = this.#children.get(pid)?.shift();
          if (script !== undefined) this.#claimed.set(ret, script);
        }
      }
      if (call === "open" || call === "fork") t.last = ret;
      // A failed fork or clone has no child to take its script.
      if ((call === "fork" || call === "clone") && ret < 0) this.#children.get(pid)?.pop();
      t.pending = null;
    }
    const next = t.done ? null : t.cursor.next();
    if (next === null) {
      t.done = true;
      if (pid === 1) return { kind: "idle" };
      t.pending = { call: "exit", code: 0 };
      return { kind: "syscall", call: t.pending, last: t.last };
    }
    if (next.call === "fork" || next.call === "clone") {
      let q = this.#children.get(pid);
      if (q === undefined) this.#children.set(pid, q = []);
      q.push(next.child ?? []);
    }
    t.pending = next;
    return { kind: "syscall", call: next, last: t.last };
  }

  /**
   * Replaces init's script with a new workload's (init must be idle).
   *
   * @param workload The workload.
   * @throws {WorkloadError} When it does not match the schema.
   */
  restart(workload: Workload): void {
    const script = validateWorkload(workload, workloadOrigin(workload)).init;
    const init = this.#scripts.get(1)!;
    init.cursor = new ScriptCursor(script);
    init.done = false;
    this.#idle = null;
    this.#reapDone = false;
    this.records.length = 0;
  }

  /**
   * Tasks other than init that may still be alive: every pid a fork or
   * clone returned and every task seen in user mode, until
   * {@linkcode WorkloadDriver.taskGone} drops it. The kernel decides which
   * really are (it reads their task_struct).
   */
  liveTasks(): ReadonlySet<number> {
    return this.#live;
  }

  /**
   * The kernel saw task `pid` exit (a zombie, reaped, or freed).
   *
   * @param pid The task.
   */
  taskGone(pid: number): void {
    this.#live.delete(pid);
  }

  /**
   * Has init, its script done and only zombies left, reaped all it could
   * (its last `wait4(WNOHANG)` found nothing more)?
   */
  get reapDone(): boolean {
    return this.#reapDone;
  }

  /**
   * init's next call when its script is done but other tasks are alive
   * (`reaping` false): `wait4(-1, NULL, WNOHANG)`, again at once while it
   * reaps a child, else `nanosleep` for one millisecond, then `wait4`
   * again. When the others have all exited but zombies are left
   * (`reaping` true): `wait4(WNOHANG)` until it reaps nothing, then idle
   * ({@linkcode WorkloadDriver.reapDone}). Linux's init reaps orphans the
   * same way; the sleep hands its CPU to the others. The calls are not
   * recorded.
   *
   * @param ret What init's previous call returned.
   * @param wait4Nr The arch's system call number of wait4.
   * @param reaping Only zombies are left.
   * @returns The call to issue for init, or idle.
   */
  initIdle(ret: number, wait4Nr: number, reaping: boolean): NextStep {
    const last = this.#idle;
    const reaped = (last === "wait4" || last === "reap") && ret > 0;
    // -1: any child; NULL status; WNOHANG.
    const wait4: NextStep = {
      kind: "syscall",
      call: { call: "syscall", nr: wait4Nr, args: [-1, 0, 1, 0] },
      last: 0,
    };
    if (reaping) {
      if (last === "reap" && !reaped) {
        this.#reapDone = true;
        this.#idle = null;
        return { kind: "idle" };
      }
      this.#idle = "reap";
      return wait4;
    }
    if ((last === "wait4" || last === "reap") && !reaped) {
      this.#idle = "sleep";
      return { kind: "syscall", call: { call: "nanosleep", ms: 1 }, last: 0 };
    }
    this.#idle = "wait4";
    return wait4;
  }
}
