// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Workloads: what user space does. The host plays every task's user-mode
 * side; each task follows a script of system calls. This file holds what a
 * workload is: the {@linkcode Syscall} and {@linkcode Workload} types, the
 * {@linkcode DEFAULT_WORKLOAD} and the limits one workload must keep
 * ({@linkcode MAX_WORKLOAD_CALLS} and the rest). workload_schema.ts checks a
 * workload against them (`validateWorkload`, `parseWorkload`);
 * workload_driver.ts runs it.
 *
 * @example The default workload forks three children and waits for them
 * ```ts
 * import { DEFAULT_WORKLOAD } from "./workload.ts";
 * import assert from "node:assert/strict";
 * assert.equal(DEFAULT_WORKLOAD.name, "default");
 * assert.equal(DEFAULT_WORKLOAD.init[0].call, "repeat");
 * ```
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
 * Most system calls one workload may make, counted before boot over every
 * `repeat` and every forked child's script (with its implicit `exit`). A
 * workload above it is refused with a {@linkcode WorkloadError}: at the
 * simulator's speed (tens of thousands of calls per second) it would run for
 * minutes.
 */
export const MAX_WORKLOAD_CALLS = 1_000_000;

/** Deepest nesting of `repeat` bodies and `fork`/`clone` children. */
export const MAX_WORKLOAD_DEPTH = 32;

/**
 * Longest `nanosleep` in milliseconds: one simulated minute, which takes the
 * host about 20 s of timer ticks.
 */
export const MAX_SLEEP_MS = 60_000;

/**
 * Most milliseconds of `nanosleep` one workload may ask for, summed over
 * every task, repeat and child (an upper bound of its simulated time asleep).
 */
export const MAX_WORKLOAD_SLEEP_MS = 600_000;

/** Every workload call name, in the order messages list them. */
export const WORKLOAD_CALLS: readonly Syscall["call"][] = [
  "fork",
  "clone",
  "open",
  "close",
  "read",
  "write",
  "execve",
  "exit",
  "wait4",
  "nanosleep",
  "getpid",
  "setuid",
  "sched_setaffinity",
  "syscall",
  "repeat",
];
