// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * What the Kprobes core needs from its kernel ({@linkcode KprobesHost}) and
 * the records it hands back: registered probes, refusals, unknown symbols.
 *
 * @module
 */

import type { Arch, ArchCpu, GuestMemory } from "../arch/types.ts";
import type { BlacklistSymbol } from "./blacklist.ts";
import type { Kprobe, PtRegs } from "./types.ts";

/** What the Kprobes core needs from the kernel it lives in. */
export interface KprobesHost {
  /** The architecture chosen at boot. */
  readonly arch: Arch;
  /** Guest memory. */
  readonly memory: GuestMemory;
  /** Number of CPUs (`cpu.id` ranges over it). */
  readonly nrCpus: number;
  /** Bounds of `.kprobes.text`: probes there are refused. */
  readonly kprobesText: readonly [bigint, bigint];
  /** Bounds of the instruction-slot area. */
  readonly insnSlots: readonly [bigint, bigint];
  /** kallsyms_lookup_name(); 0n when absent. */
  lookupName(name: string): bigint;
  /** Start of the function containing `addr`, if any. */
  functionStart(addr: bigint): bigint | undefined;
  /** The function containing `addr` (name, start, size), if any. Linux: kallsyms_lookup_size_offset(). */
  functionAt(addr: bigint): FunctionBounds | undefined;
  /** A kallsyms symbol by exact name (resolves the arch's blacklist). */
  lookupSymbol(name: string): BlacklistSymbol | undefined;
  /** Known function names closest to an unknown `name` (kallsyms), at most 3. */
  suggest?(name: string): string[];
  /** Writes a `kprobes: …` line to the kernel log (why a registration was refused). */
  warn(message: string): void;
  /** Is `addr` inside kernel text? Linux: kernel_text_address(). */
  isKernelText(addr: bigint): boolean;
  /** The module registering right now (for leftover reports), or null. */
  currentOwner(): string | null;
  /**
   * Runs a user handler bound to the module that registered it. A thrown
   * exception is reported Oops-style and yields `undefined`.
   */
  invoke<A, B, C, R>(
    owner: string | null,
    what: string,
    cpu: ArchCpu,
    fn: (a: A, b: B, c: C) => R,
    a: A,
    b: B,
    c: C,
  ): R | undefined;
  /** preempt_disable() on the task running on `cpu`. */
  preemptDisable(cpu: ArchCpu): void;
  /** preempt_enable_no_resched() on the task running on `cpu`. */
  preemptEnable(cpu: ArchCpu): void;
  /** The CPUs (the optimizer checks none is inside bytes it replaces); none: no optimizer. */
  readonly cpus?: readonly ArchCpu[];
  /**
   * The saved kernel stack pointers of the tasks not running on a CPU
   * (asleep or preempted), whose stacks hold the PCs they resume at:
   * checked with the CPUs before bytes a task may be executing are
   * replaced or reused (Linux waits with synchronize_rcu_tasks()).
   */
  savedStacks?(): bigint[];
  /** Does `addr` have an `__ex_table` entry? Linux: search_exception_tables(). */
  inExceptionTable?(addr: bigint): boolean;
  /** The optimizer's switch and delay in ticks at boot (default on, OPTIMIZE_DELAY). */
  readonly optimization?: { enabled: boolean; delay: number };
  /**
   * Whether a hit of a probe with no post_handler may run the probed
   * instruction without the single-step trap: `emulate` in place, `boost`
   * in the slot with a jump back (Linux 6.1: not with CONFIG_PREEMPTION).
   * Default both true.
   */
  readonly stepping?: { emulate: boolean; boost: boolean };
}

/** Bytes at the end of the instruction-slot area set aside for optimized probes' detour buffers. */
export const OPTINSN_AREA_SIZE = 2048;

/** A kernel function's name and extent, as kallsyms knows it. */
export interface FunctionBounds {
  /** Symbol name (`.do_fork` on ppc64). */
  name: string;
  /** Start address. */
  start: bigint;
  /** Size in bytes. */
  size: bigint;
  /** The symbol's own ELF size (0 when unknown): past it is padding. */
  symbolSize?: bigint;
}

/** A registered kprobe as listed by `KprobesCore.list()`. */
export interface RegisteredKprobe {
  /** The user's kprobe. */
  kp: Kprobe;
  /** Its address. */
  addr: bigint;
  /** Hits of its probe point. */
  nhit: number;
  /** The module that registered it, or null for the host. */
  owner: string | null;
  /** Registered but disabled (`disable_kprobe()` or `KPROBE_FLAG_DISABLED` at registration). */
  disabled: boolean;
  /** Its probe point is optimized (a jump to a detour buffer, not a breakpoint). */
  optimized: boolean;
}

/** A symbol_name registration could not resolve, with the names suggested instead. */
export interface UnknownSymbol {
  /** The name as given. */
  name: string;
  /** The closest kallsyms function names, nearest first (at most 3). */
  suggestions: string[];
}

/** The reason `KprobesCore.checkProbeAddress()` gives for an address outside kernel text. */
export const NOT_KERNEL_TEXT = "not kernel text";

/** Why `register_kprobe()` refuses an address (see `KprobesCore.checkProbeAddress()`). */
export interface ProbeRefusal {
  /** The errno, positive (`EINVAL`, `EILSEQ`, `EOPNOTSUPP`). */
  errno: number;
  /** The reason, as the `kprobes: cannot probe …: <reason>` log line gives it. */
  reason: string;
}

/**
 * "did you mean a, b or c?" for an unknown-symbol message, or "" when
 * there is nothing to suggest.
 *
 * @param suggestions The names.
 * @returns The phrase, without parentheses.
 *
 * @example
 * ```ts
 * import { didYouMean } from "./kprobes_host.ts";
 * import assert from "node:assert/strict";
 * assert.equal(didYouMean(["do_fork"]), "did you mean do_fork?");
 * assert.equal(didYouMean(["a", "b", "c"]), "did you mean a, b or c?");
 * assert.equal(didYouMean([]), "");
 * ```
 */
export function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return "";
  const last = suggestions[suggestions.length - 1];
  const head = suggestions.slice(0, -1);
  return `did you mean ${head.length > 0 ? `${head.join(", ")} or ${last}` : last}?`;
}

/**
 * A pre-handler of the machinery itself (a return probe's entry, Linux's
 * pre_handler_kretprobe()), called directly with the CPU rather than
 * through the handler-invocation frame; `pre` is the function it stands for
 * in `kp.pre_handler`.
 */
export interface DirectPreHandler {
  /** The `kp.pre_handler` value it replaces while that stays in place. */
  readonly pre: NonNullable<Kprobe["pre_handler"]>;
  /** The handler (what it throws is reported as a throw of `pre` would be). */
  readonly run: (cpu: ArchCpu & { id: number }, regs: PtRegs) => number;
}
