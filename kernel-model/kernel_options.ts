// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The option and result types of {@linkcode Kernel}'s methods: what
 * `boot()`, `run()` and `insmod()` take and what `run()`, `lsmod()`,
 * `probePoints()` and `incidents` give back.
 *
 * @module
 */

import type { ArchName } from "../arch/load_arch.ts";
// deno-lint-ignore no-unused-vars -- named by the {@linkcode} links below
import type { Kernel } from "./kernel.ts";
import type { ParamArgument } from "./module_param.ts";
import type { SyscallRecord, Workload } from "./workload.ts";
import type { Heartbeat } from "./watchdog.ts";

/** A registered probe point, as {@linkcode Kernel.probePoints} lists it. */
export interface ProbePointInfo {
  /** Its address. */
  addr: bigint;
  /** `k` kprobe, `j` jprobe, `r` kretprobe. */
  kind: "k" | "j" | "r";
  /** The module that registered it, or null for the host. */
  owner: string | null;
  /** Registered but disabled. */
  disabled: boolean;
}

/** Options of {@linkcode Kernel.boot}. */
export interface BootOptions {
  /** Architecture: `x86_64` (default). */
  arch?: ArchName;
  /** Number of CPUs (NR_CPUS), 1–64. Default 1. */
  cpus?: number;
  /** CONFIG_PREEMPT behaviour: the timer preempts kernel code. Default false. */
  preempt?: boolean;
  /** The vmlinux image: bytes or a path/URL. Default: the committed image for `arch`. */
  image?: Uint8Array | string | URL;
  /** Kernel RAM in bytes, whole 4 KiB pages from 4 to 256 MiB. Default 16 MiB. */
  memSize?: number;
  /**
   * Timer interrupts per simulated second, 1–10000, with at least 10000
   * instructions per tick at `cpuMhz`. Default 1000.
   */
  hz?: number;
  /**
   * The simulated CPU's clock in MHz: one instruction retires per cycle, so
   * this sets how much guest work fits in a tick or a 100 ms time slice.
   * 1–100000. Default 1000.
   */
  cpuMhz?: number;
  /** do_fork fails with -EAGAIN at this many tasks, 2–1024. Default 64. */
  maxTasks?: number;
  /** Receives each console line as it is printed, with its KERN_* level (0–7). */
  console?: (line: string, level: number) => void;
  /** Instructions each CPU runs before the next gets its turn, 1–10⁷. Default 2000. */
  quantum?: number;
  /**
   * `debug.kprobes-optimization`: after a kprobe has been armed for
   * `kprobesOptimizeDelay` timer ticks, the kprobe optimizer replaces its
   * breakpoint by a jump to a detour buffer when Linux's rules allow it (no
   * post_handler, not a jprobe, relocatable instructions, no jump into the
   * replaced bytes). x86_64, i386 and ppc64 (sparc64 has no optimized
   * kprobes, as in Linux: there it changes nothing). Default true, as in Linux; see
   * {@linkcode Kernel.setKprobesOptimization}.
   */
  kprobesOptimization?: boolean;
  /**
   * Timer ticks a new kprobe stays a breakpoint before the optimizer looks
   * at it, 0–10⁶ (0: at registration). Default 5 (Linux's OPTIMIZE_DELAY).
   */
  kprobesOptimizeDelay?: number;
  /**
   * A hit of a kprobe with no post_handler runs the probed instruction
   * without the single-step trap, as Linux 6.1 does: in place by the
   * interpreter's own semantics where the arch emulates it (x86: jmp, jcc,
   * call, ret, loop, call/jmp through a register, cli/sti/pushf/popf and
   * `push r`; ppc64: every word), else on x86 from the instruction slot with
   * a jump back ("boosting"; not with `preempt`, as 6.1 boosts only without
   * CONFIG_PREEMPTION). One trap per hit instead of two. A probe with a
   * post_handler always single-steps. Default true; false single-steps every
   * hit (the spec's original mechanism).
   */
  kprobesBoost?: boolean;
  /**
   * Marks "in handler X of module M on CPU N" around every handler and
   * module call, for a thread watching this kernel's worker (see
   * {@linkcode Heartbeat}). Default: none.
   */
  heartbeat?: Heartbeat;
  /**
   * The block translator (the interpreter's second tier): a block of guest
   * code is translated to a host function after this many interpreted
   * entries; 0 translates every block on its first entry, -1 turns the
   * translator off (interpreter only). Results are the same either way;
   * only speed differs. Default: the arch's (32768 on every arch).
   */
  jitThreshold?: number;
}

/** Options of {@linkcode Kernel.run}. */
export interface RunOptions {
  /**
   * The workload to drive, validated before anything runs (see
   * `validateWorkload`). Default: {@linkcode DEFAULT_WORKLOAD}.
   */
  workload?: Workload;
  /** Stop after this many executed instructions (all CPUs), a positive integer. Default 2·10⁹. */
  maxInstructions?: number;
  /**
   * The soft-lockup watchdog: a CPU that stays in kernel mode this many
   * seconds without scheduling, idling or returning to user (a loop with
   * interrupts off, a spinning lock, a kernel loop that never calls
   * schedule()) is reported as Linux does (`BUG: soft lockup - CPU#0 stuck
   * for 10s! [comm:pid]`) and the run stops with `stopReason: "softLockup"`.
   * Guest calls made for printk or a handler are bounded the same way.
   * Default 10 (Linux 2.6's threshold); `Infinity` turns it off.
   */
  watchdog?: number;
  /**
   * Which seconds {@linkcode RunOptions.watchdog} counts: `"guest"`
   * (default; simulated time at `cpuMhz`, deterministic) or `"host"`
   * (wall-clock time, also bounded by the guest seconds; what the CLI uses
   * so that `--watchdog 1` means one second of waiting).
   */
  watchdogClock?: "guest" | "host";
}

/**
 * Why {@linkcode Kernel.run} stopped: `"completed"` (the workload
 * finished: init's script done and every other task exited, see
 * {@linkcode RunResult.completed}), `"instructionLimit"` (`maxInstructions` ran out),
 * `"softLockup"` (the watchdog fired, see the log), `"stalled"` (for
 * 100,000 rounds no CPU ran: every one idle with no timer due, or parked in
 * user mode with no workload step to issue; see the log) or `"panic"`
 * (every CPU died) or `"hungTask"` (no system call completed for 120 guest
 * seconds: tasks blocked for good, see the `INFO: task … blocked` lines).
 */
export type RunStopReason =
  | "completed"
  | "instructionLimit"
  | "softLockup"
  | "stalled"
  | "panic"
  | "hungTask";

/** What {@linkcode Kernel.run} reports. */
export interface RunResult {
  /** Guest instructions executed during the run, all CPUs. */
  instructions: number;
  /** Every system call the workload completed. */
  syscalls: SyscallRecord[];
  /**
   * Whether the workload finished: init ran its script, every other task
   * it started has exited (tasks blocked for good after a recursive fault
   * aside) and init reaped what it could; false: see
   * {@linkcode RunResult.stopReason}.
   */
  completed: boolean;
  /** Why the run stopped. */
  stopReason: RunStopReason;
}

/**
 * What went wrong in a kernel so far; all zero on a clean run. The CLI exits
 * 3 when any count is non-zero.
 */
export interface KernelIncidents {
  /** Oops reports (guest faults, BUG()s, faults in handlers). */
  oopses: number;
  /** Kernel panics (a dead CPU). */
  panics: number;
  /** Probe handlers or module functions that threw. */
  handlerErrors: number;
  /** Watchdog reports (`BUG: soft lockup`). */
  lockups: number;
}

/** A loaded module as lsmod shows it. */
export interface ModuleInfo {
  /** Its name. */
  name: string;
  /** Where it came from. */
  origin: string;
  /** Kprobes it has registered now. */
  probes: number;
}

/** Options of {@linkcode Kernel.insmod}. */
export interface InsmodOptions {
  /** Load under this name instead of the file's base name. */
  name?: string;
  /**
   * Module parameters, as `insmod m.ts name=value`: set before
   * `init_module()` runs, parsed and checked by the parameter's type (see
   * `module_params`). A refused value fails the insmod with -EINVAL; an
   * unknown name is logged and ignored, as Linux does.
   */
  params?: Readonly<Record<string, ParamArgument>>;
}
