// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Workloads: what user space does. The host plays every task's user-mode
 * side; each task follows a script of system calls, issued with the arch's
 * real entry (`int $0x80` on x86) whenever the task is back in user mode.
 * A `fork` carries the child's script. The workload is done when init
 * (pid 1) has finished its script.
 *
 * @module
 */

/** One system call a task makes, with its arguments. */
export type Syscall =
  | { call: "fork"; child?: Syscall[] }
  | { call: "clone"; flags: number; settid?: boolean; child?: Syscall[] }
  | { call: "open"; path: string | number | bigint; flags?: number; mode?: number }
  | { call: "close"; fd: number | "last" }
  | { call: "read"; fd: number | "last"; count: number }
  | { call: "write"; fd: number; text: string }
  | { call: "execve"; path: string }
  | { call: "exit"; code?: number }
  | { call: "wait4"; pid?: number }
  | { call: "nanosleep"; ms: number }
  | { call: "getpid" }
  | { call: "setuid"; uid: number }
  | { call: "sched_setaffinity"; cpus: number[] }
  | { call: "syscall"; nr: number; args?: (number | bigint)[] }
  | { call: "repeat"; times: number; body: Syscall[] };

/** A workload: init's script (children's scripts ride on their forks). */
export interface Workload {
  /** A name for logs and reports. */
  name?: string;
  /** What init (pid 1) does. */
  init: Syscall[];
}

/** One completed system call, as the workload saw it. */
export interface SyscallRecord {
  /** The calling task. */
  pid: number;
  /** The CPU it returned on. */
  cpu: number;
  /** The call's name. */
  call: string;
  /** Its return value (negative errno on failure). */
  ret: number;
}

/** The default workload: process creation, file opens that succeed and fail, execs, exits. */
export const DEFAULT_WORKLOAD: Workload = {
  name: "default",
  init: [
    {
      call: "repeat",
      times: 3,
      body: [{
        call: "fork",
        child: [
          { call: "getpid" },
          { call: "open", path: "/etc/passwd" },
          { call: "read", fd: "last", count: 64 },
          { call: "close", fd: "last" },
          { call: "setuid", uid: 1000 },
          { call: "open", path: "/no/such/file" },
          { call: "open", path: "/etc/shadow" },
          { call: "execve", path: "/bin/sh" },
          { call: "nanosleep", ms: 2 },
          { call: "exit", code: 0 },
        ],
      }],
    },
    { call: "repeat", times: 3, body: [{ call: "wait4" }] },
  ],
};

/**
 * Checks a workload's shape and expands `repeat`.
 *
 * @param script The script.
 * @param where Where it came from, for messages.
 * @returns The flat script.
 * @throws {TypeError} On an unknown call or a missing argument.
 *
 * @example Expand a repeat
 * ```ts
 * import { expandScript } from "./workload.ts";
 * import assert from "node:assert/strict";
 * const flat = expandScript([{ call: "repeat", times: 2, body: [{ call: "getpid" }] }], "test");
 * assert.equal(flat.length, 2);
 * ```
 */
export function expandScript(script: readonly Syscall[], where: string): Syscall[] {
  if (!Array.isArray(script)) {
    throw new TypeError(`Cannot read workload ${where}: expected an array of system calls`);
  }
  const out: Syscall[] = [];
  for (const [i, s] of script.entries()) {
    const at = `${where}[${i}]`;
    if (s === null || typeof s !== "object" || typeof (s as { call?: unknown }).call !== "string") {
      throw new TypeError(
        `Cannot read workload entry ${at}: expected an object with a "call" field`,
      );
    }
    switch (s.call) {
      case "repeat": {
        if (!Number.isInteger(s.times) || s.times < 0) {
          throw new TypeError(
            `Cannot read workload entry ${at}: "times" must be a non-negative integer`,
          );
        }
        const body = expandScript(s.body, `${at}.body`);
        for (let k = 0; k < s.times; k++) out.push(...body);
        break;
      }
      case "fork":
        out.push({ call: "fork", child: expandScript(s.child ?? [], `${at}.child`) });
        break;
      case "clone":
        out.push({ ...s, child: expandScript(s.child ?? [], `${at}.child`) });
        break;
      case "open":
      case "close":
      case "read":
      case "write":
      case "execve":
      case "exit":
      case "wait4":
      case "nanosleep":
      case "getpid":
      case "setuid":
      case "sched_setaffinity":
      case "syscall":
        out.push(s);
        break;
      default:
        throw new TypeError(
          `Cannot read workload entry ${at}: unknown call "${
            (s as { call: string }).call
          }", use fork, clone, open, close, read, write, execve, exit, wait4, nanosleep, getpid, setuid, sched_setaffinity, syscall or repeat`,
        );
    }
  }
  return out;
}

/** One task's progress through its script. */
interface TaskScript {
  actions: Syscall[];
  next: number;
  pending: Syscall | null;
  last: number;
}

/** What the driver wants a task in user mode to do next. */
export type NextStep = { kind: "syscall"; call: Syscall; last: number } | { kind: "idle" };

/**
 * Follows every task's script. The kernel calls {@linkcode WorkloadDriver.onUser}
 * each time a task is back in user mode.
 */
export class WorkloadDriver {
  readonly #scripts = new Map<number, TaskScript>();
  readonly #children = new Map<number, Syscall[][]>();
  /** Every completed call, in completion order. */
  readonly records: SyscallRecord[] = [];

  /**
   * Starts a workload for init.
   *
   * @param workload The workload.
   */
  constructor(workload: Workload) {
    const init = expandScript(workload.init, "init");
    this.#scripts.set(1, { actions: init, next: 0, pending: null, last: 0 });
  }

  /** Has init finished its script? */
  get done(): boolean {
    const init = this.#scripts.get(1)!;
    return init.pending === null && init.next >= init.actions.length;
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
      const queue = this.#children.get(ppid);
      const actions = queue?.shift() ?? [];
      t = { actions, next: 0, pending: null, last: 0 };
      this.#scripts.set(pid, t);
    } else if (t.pending !== null) {
      this.records.push({ pid, cpu, call: t.pending.call, ret });
      if (t.pending.call === "open" || t.pending.call === "fork") t.last = ret;
      t.pending = null;
    }
    if (t.next >= t.actions.length) {
      if (pid === 1) return { kind: "idle" };
      t.pending = { call: "exit", code: 0 };
      return { kind: "syscall", call: t.pending, last: t.last };
    }
    const call = t.actions[t.next++];
    if (call.call === "fork" || call.call === "clone") {
      let q = this.#children.get(pid);
      if (q === undefined) this.#children.set(pid, q = []);
      q.push(call.child ?? []);
    }
    t.pending = call;
    return { kind: "syscall", call, last: t.last };
  }

  /**
   * Replaces init's script with a new workload's (init must be idle).
   *
   * @param workload The workload.
   */
  restart(workload: Workload): void {
    const init = this.#scripts.get(1)!;
    init.actions = expandScript(workload.init, "init");
    init.next = 0;
    this.records.length = 0;
  }
}
