// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The simulated machine and kernel: boots a `vmlinux` image on N CPUs,
 * drives a workload, routes traps through the die-notifier chain to Kprobes,
 * reports Oopses, and binds modules' kernel ABI to itself. The one
 * composition root that wires `arch/`, `kernel-model/` and `probes/`.
 *
 * @module
 */

import type { Arch } from "../arch/types.ts";
import { type ArchName, loadArch } from "../arch/load_arch.ts";
import { KprobesCore } from "../probes/kprobes.ts";
import { didYouMean, type ProbeRefusal } from "../probes/kprobes_host.ts";
import { isJprobeReturn, JPROBE_RETURN_SIGNAL, Jprobes } from "../probes/jprobes.ts";
import { Kretprobes } from "../probes/kretprobes.ts";
import type { Jprobe, Kprobe, Kretprobe, PtRegs } from "../probes/types.ts";
import { describeValue } from "./_describe.ts";
import { LineTable, type SourceLine } from "./dwarf_line.ts";
import type { ElfFile } from "./elf.ts";
import { KernelError } from "./errors.ts";
import type { Kallsyms } from "./kallsyms.ts";
import type { Memory } from "./memory.ts";
import type { ModuleSource } from "./module.ts";
import type { ParamArgument } from "./module_param.ts";
import type { NotifierChain } from "./notifier.ts";
import type { SyscallRecord, Workload } from "./workload.ts";
import { checkBootOptions, type CheckedBootOptions } from "./boot_options.ts";
import type { Heartbeat } from "./watchdog.ts";
import { KernelCore } from "./_kernel_core.ts";
import { RunLoop } from "./_run_loop.ts";
import { WorkloadRun } from "./_workload_run.ts";
import { Traps } from "./_traps.ts";
import { HostCalls } from "./_host_calls.ts";
import { KernelCalls } from "./_abi.ts";
import { Modules } from "./_modules.ts";
import { loadImage } from "./_image.ts";
import { wireProbes } from "./_probe_wiring.ts";
import { Tracefs } from "../tracing/tracefs.ts";
import { tracingHost } from "./_tracing_host.ts";

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
   * only speed differs. Default: the arch's (256 on x86, 1000 on ppc64).
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

/**
 * A booted kernel. Many can live in one process; each has its own memory,
 * CPUs, probes and modules.
 *
 * @example Boot, probe, run, read the log
 * ```ts
 * import { Kernel } from "./kernel.ts";
 * import assert from "node:assert/strict";
 * await using kernel = await Kernel.boot();
 * let hits = 0;
 * await kernel.insmod({
 *   name: "count",
 *   init_module: () => kernel.registerKprobe({ symbol_name: "do_fork", pre_handler: () => { hits++; return 0; } }),
 * });
 * kernel.run();
 * assert.equal(hits, 3);
 * ```
 */
export class Kernel {
  readonly #k: KernelCore;
  #tracefs: Tracefs | undefined;
  #lines: LineTable | null = null;

  private constructor(arch: Arch, elf: ElfFile, options: CheckedBootOptions) {
    const k = new KernelCore(arch, elf, options);
    this.#k = k;
    k.isJprobeReturn = isJprobeReturn;
    k.jprobeReturnSignal = JPROBE_RETURN_SIGNAL;
    k.didYouMean = didYouMean;
    k.loop = new RunLoop(k);
    k.work = new WorkloadRun(k);
    k.traps = new Traps(k);
    k.host = new HostCalls(k);
    k.calls = new KernelCalls(k);
    k.mods = new Modules(k);
    wireProbes(k, { KprobesCore, Jprobes, Kretprobes }, {
      enabled: options.kprobesOptimization,
      delay: options.kprobesOptimizeDelay,
    }, {
      // Linux 6.1 boosts only without CONFIG_PREEMPTION; it emulates either way.
      emulate: options.kprobesBoost,
      boost: options.kprobesBoost && !options.preempt,
    });
  }

  /**
   * Boots a kernel: loads the image, starts the CPUs and runs until init
   * (pid 1) first reaches user mode.
   *
   * @param options Architecture, CPUs, image and console.
   * @returns The running kernel.
   * @throws {KernelError} On a bad option (naming it, its value and the accepted range) or
   * image ({@linkcode ElfError} for a malformed ELF).
   *
   * @example Boot two CPUs
   * ```ts
   * import { Kernel } from "./kernel.ts";
   * import assert from "node:assert/strict";
   * await using kernel = await Kernel.boot({ cpus: 2 });
   * assert.match(kernel.log, /Linux version/);
   * ```
   */
  static async boot(options: BootOptions = {}): Promise<Kernel> {
    const checked = checkBootOptions(options);
    const arch = await loadArch(checked.arch);
    const elf = await loadImage(checked.image, arch.name);
    const shown = elf.name;
    if (elf.machine !== arch.elfMachine || elf.class !== arch.bits) {
      throw new KernelError(
        `Cannot boot "${shown}" as ${arch.name}: it is an ELF${elf.class} ${elf.machineName} image, pass the matching --arch or image`,
      );
    }
    let kernel: Kernel;
    try {
      kernel = new Kernel(arch, elf, checked);
      kernel.#k.loop.runLoop(() => kernel.#k.initInUser(), 500_000_000);
      kernel.#k.flushConsole();
    } catch (e) {
      // A damaged image can fault the host's own reads of it (a wild
      // `current`, boot_params outside RAM): still a KernelError.
      if (e instanceof KernelError) throw e;
      throw new KernelError(
        `Cannot boot "${shown}": the image broke the host's boot (${
          describeValue(e)
        }), check that it is a kprobes-sim vmlinux (see kernel-model/vmlinux/ABI.md)`,
        { cause: e },
      );
    }
    if (!kernel.#k.initInUser()) {
      throw new KernelError(
        `Cannot boot "${shown}": init did not reach user mode; the log says:\n${kernel.log}`,
      );
    }
    return kernel;
  }

  /** The console output so far: every log line, without level prefixes. */
  get log(): string {
    this.#k.flushConsole();
    const lines = this.#k.log.lines;
    return lines.join("\n") + (lines.length > 0 ? "\n" : "");
  }

  /** The console lines so far. */
  get logLines(): readonly string[] {
    this.#k.flushConsole();
    return this.#k.log.lines;
  }

  // ---------------------------------------------------------------- public API

  /** The architecture this kernel runs. */
  get arch(): string {
    return this.#k.arch.name;
  }

  /** Number of CPUs (NR_CPUS). */
  get nrCpus(): number {
    return this.#k.cpus.length;
  }

  /** Whether CONFIG_PREEMPT behaviour is on. */
  get preempt(): boolean {
    return this.#k.preempt;
  }

  /**
   * The CPU whose trap or call the kernel is handling right now (inside a
   * handler: the CPU that hit the probe). Linux: `smp_processor_id()`.
   */
  currentCpu(): number {
    return this.#k.abiCpu.id;
  }

  /**
   * Oopses, panics, handler exceptions and watchdog reports so far (a copy).
   *
   * @example A clean run has none
   * ```ts
   * import { Kernel } from "./kernel.ts";
   * import assert from "node:assert/strict";
   * await using kernel = await Kernel.boot();
   * kernel.run();
   * assert.deepEqual(kernel.incidents, { oopses: 0, panics: 0, handlerErrors: 0, lockups: 0 });
   * ```
   */
  get incidents(): KernelIncidents {
    return { ...this.#k.incidents };
  }

  /** Guest instructions executed so far, all CPUs. */
  get instructions(): number {
    return this.#k.executed;
  }

  /** The guest address space. */
  get memory(): Memory {
    return this.#k.memory;
  }

  /**
   * This kernel's tracefs (/sys/kernel/tracing): kprobe events, the trace
   * buffer, filters, `error_log`. Created on first use.
   */
  get tracefs(): Tracefs {
    this.#k.checkAlive("tracefs");
    return this.#tracefs ??= new Tracefs(
      tracingHost(this.#k),
      () => this.#k.kallsyms.symbols().map((s) => s.name),
    );
  }

  /** The kernel's symbol table. */
  get kallsyms(): Kallsyms {
    return this.#k.kallsyms;
  }

  /** The die-notifier chain (register_die_notifier). */
  get dieChain(): NotifierChain {
    return this.#k.die;
  }

  /** `/proc/kallsyms` text. */
  procKallsyms(): string {
    return this.#k.kallsyms.procKallsyms();
  }

  /**
   * The debugfs Kprobes list, one line per registered probe, `k`, `j` or `r`:
   * `ffffffff81001000  k  do_fork+0x0    [module]`, with ` [DISABLED]` at
   * the end of a disabled probe's line.
   */
  kprobesList(): string {
    return this.#k.kprobes.list().map(({ kp, addr, owner, disabled, optimized }) => {
      const kind = this.#k.jprobes.owns(kp) ? "j" : this.#k.kretprobes.owns(kp) ? "r" : "k";
      const where = this.#k.kallsyms.formatAddress(addr).replace(/\/0x[0-9a-f]+$/, "");
      // 6.1 report_probe() appends "[DISABLED]" and "[OPTIMIZED]" after one space.
      const flags = `${disabled ? "[DISABLED]" : ""}${optimized ? "[OPTIMIZED]" : ""}`;
      return `${this.#k.hex(addr)}  ${kind}  ${where}${owner ? `    [${owner}]` : ""}${
        flags ? ` ${flags}` : ""
      }\n`;
    }).join("");
  }

  /** Whether registered probes are armed (debugfs `kprobes/enabled`). */
  get kprobesEnabled(): boolean {
    return this.#k.kprobes.enabled;
  }

  /**
   * Arms or disarms every registered probe at once, as writing 1 or 0 to
   * `/sys/kernel/debug/kprobes/enabled` does; registrations stay.
   *
   * @param on Armed or not.
   */
  setKprobesEnabled(on: boolean): void {
    this.#k.checkAlive("setKprobesEnabled");
    this.#k.kprobes.setEnabled(on);
  }

  /** Whether the kprobe optimizer is on (`/proc/sys/debug/kprobes-optimization`). */
  get kprobesOptimization(): boolean {
    return this.#k.kprobes.optimization;
  }

  /**
   * Turns the kprobe optimizer on or off, as writing 1 or 0 to
   * `/proc/sys/debug/kprobes-optimization` does: off puts every optimized
   * probe's breakpoint back at once; on lets the optimizer replace them
   * again after the delay (see {@linkcode BootOptions.kprobesOptimization}).
   *
   * @param on The switch.
   * @throws {KernelError} When `on` is not a boolean, or the arch has no optimized kprobes.
   *
   * @example
   * ```ts
   * import { Kernel } from "../mod.ts";
   * import assert from "node:assert/strict";
   * await using kernel = await Kernel.boot({ kprobesOptimizeDelay: 0 });
   * const kp = { symbol_name: "do_fork", pre_handler: () => 0 };
   * kernel.registerKprobe(kp);
   * assert.match(kernel.kprobesList(), /\[OPTIMIZED\]/);
   * kernel.setKprobesOptimization(false);
   * assert.doesNotMatch(kernel.kprobesList(), /\[OPTIMIZED\]/);
   * ```
   */
  setKprobesOptimization(on: boolean): void {
    this.#k.checkAlive("setKprobesOptimization");
    if (typeof on !== "boolean") {
      throw new KernelError(
        `Cannot set kprobes optimization to ${String(on)}: pass true or false`,
      );
    }
    if (!this.#k.kprobes.setOptimization(on) && on) {
      throw new KernelError(
        `Cannot turn kprobes optimization on: ${this.#k.arch.name} has no optimized kprobes`,
      );
    }
  }

  /**
   * Calls a guest kernel function by name with the arch's calling
   * convention, on CPU `cpu` (default 0), with interrupts off, and returns
   * its return register. Strings are copied to the guest stack and passed as
   * pointers; numbers are sign-extended. Probes on the function and on what
   * it calls fire as usual.
   *
   * @param name The function's symbol.
   * @param args Its arguments.
   * @param options The CPU to run on.
   * @returns The return value (rax, eax or r3), as an unsigned 64-bit bigint.
   * @throws {KernelError} When the symbol is unknown, an argument is not an
   * integer or string, the CPU does not exist, the strings do not fit on the
   * kernel stack, or the kernel has been shut down.
   *
   * @example strlen in the guest
   * ```ts
   * import { Kernel } from "./kernel.ts";
   * import assert from "node:assert/strict";
   * await using kernel = await Kernel.boot();
   * assert.equal(kernel.callFunction("strlen", ["kprobes"]), 7n);
   * ```
   */
  callFunction(
    name: string,
    args: readonly (bigint | number | string)[] = [],
    options: { cpu?: number } = {},
  ): bigint {
    return this.#k.host.callFunction(name, args, options);
  }

  /**
   * Hits of a registered kprobe's probe point (every kprobe, jprobe or
   * return probe's `kp` at that address shares the count).
   *
   * @param kp The kprobe (`jp.kp`, `rp.kp` for the others).
   * @returns The count, or -1 when it is not registered.
   */
  kprobeHits(kp: Kprobe): number {
    return this.#k.kprobes.hits(kp);
  }

  /**
   * Per-probe hits and misses in the format of Linux's
   * `/sys/kernel/debug/tracing/kprobe_profile`: name, hits, misses.
   *
   * @returns The text.
   */
  kprobeProfile(): string {
    return this.#k.kprobes.list().map(({ kp, addr, nhit }) => {
      const name = this.#k.kallsyms.formatAddress(addr).replace(/\/0x[0-9a-f]+$/, "");
      return `  ${name.padEnd(44)} ${String(nhit).padStart(15)} ${
        String(kp.nmissed ?? 0).padStart(15)
      }\n`;
    }).join("");
  }

  /**
   * Registers a kprobe from host code (outside any module).
   *
   * @param kp The kprobe.
   * @returns 0 or a negative errno.
   */
  registerKprobe(kp: Kprobe): number {
    this.#k.checkAlive("registerKprobe");
    return this.#k.kprobes.register(kp);
  }

  /**
   * Unregisters a kprobe registered from host code.
   *
   * @param kp The kprobe.
   */
  unregisterKprobe(kp: Kprobe): void {
    this.#k.checkAlive("unregisterKprobe");
    this.#k.kprobes.unregister(kp);
  }

  /**
   * Enables a kprobe registered disabled or disabled by
   * {@linkcode Kernel.disableKprobe} (for a jprobe or return probe pass its
   * `kp`). Linux: enable_kprobe().
   *
   * @param kp The kprobe.
   * @returns 0, or -EINVAL when it is not registered.
   */
  enableKprobe(kp: Kprobe): number {
    this.#k.checkAlive("enableKprobe");
    return this.#k.kprobes.enable(kp);
  }

  /**
   * Disables a registered kprobe: it stays registered and runs no handler;
   * its breakpoint leaves text, and the address stops counting hits, once
   * every probe at the address is disabled. Linux: disable_kprobe().
   *
   * @param kp The kprobe.
   * @returns 0, or -EINVAL when it is not registered.
   */
  disableKprobe(kp: Kprobe): number {
    this.#k.checkAlive("disableKprobe");
    return this.#k.kprobes.disable(kp);
  }

  /**
   * Registers a jprobe from host code.
   *
   * @param jp The jprobe.
   * @returns 0 or a negative errno.
   */
  registerJprobe(jp: Jprobe): number {
    this.#k.checkAlive("registerJprobe");
    return this.#k.jprobes.register(jp);
  }

  /**
   * Unregisters a jprobe registered from host code.
   *
   * @param jp The jprobe.
   */
  unregisterJprobe(jp: Jprobe): void {
    this.#k.checkAlive("unregisterJprobe");
    this.#k.jprobes.unregister(jp);
  }

  /**
   * Registers a return probe from host code.
   *
   * @param rp The return probe.
   * @returns 0 or a negative errno.
   */
  registerKretprobe(rp: Kretprobe): number {
    this.#k.checkAlive("registerKretprobe");
    return this.#k.kretprobes.register(rp);
  }

  /**
   * Unregisters a return probe registered from host code.
   *
   * @param rp The return probe.
   */
  unregisterKretprobe(rp: Kretprobe): void {
    this.#k.checkAlive("unregisterKretprobe");
    this.#k.kretprobes.unregister(rp);
  }

  /**
   * Free instances of a return probe: equal to `maxactive` when nothing is
   * pending, so a test can show that exiting tasks leak none.
   *
   * @param rp The return probe.
   * @returns The count.
   */
  kretprobeFreeInstances(rp: Kretprobe): number {
    return this.#k.kretprobes.freeInstances(rp);
  }

  /**
   * Inserts a module: imports a fresh instance and runs `init_module()`.
   * An async `init_module` is awaited, its kernel context kept across
   * `await`; ABI calls from timers or promises it leaves behind after it
   * settles return -EINVAL and are logged. A positive result loads the
   * module with Linux's "suspiciously returned" warning.
   *
   * @param source A path, URL or module object.
   * @param options Name override and module parameters.
   * @returns The module's lsmod entry.
   * @throws {ModuleError} When loading fails, or `init_module()` throws,
   * rejects, oopses, or returns a negative errno or a non-integer (the probes
   * it registered are removed first).
   */
  async insmod(source: ModuleSource, options: InsmodOptions = {}): Promise<ModuleInfo> {
    return await this.#k.mods.insmod(source, options);
  }

  /**
   * Removes a module: runs `cleanup_module()`, then unregisters (and
   * reports) any probe it left registered. A `cleanup_module()` that throws
   * or oopses is reported in the log (and counted in
   * {@linkcode Kernel.incidents}) and the module is removed all the same:
   * rmmod does not throw for it, so every other module's cleanup still runs.
   * `cleanup_module()` is synchronous, as Linux's `void` exit function: a
   * promise it returns is not awaited (its rejection is logged, and its ABI
   * calls after the first `await` are ignored like a timer's).
   *
   * @param name The module name.
   * @throws {ModuleError} When no such module is loaded.
   */
  rmmod(name: string): void {
    this.#k.mods.rmmod(name);
  }

  /** The loaded modules, in load order. */
  lsmod(): ModuleInfo[] {
    return this.#k.mods.lsmod();
  }

  /**
   * Drives a workload until init has finished its script.
   *
   * @param options The workload and an instruction limit.
   * @returns Instructions executed and the system calls' results.
   * @throws {WorkloadError} When the workload does not match the schema
   * (before anything runs).
   * @throws {KernelError} On a bad `maxInstructions`, or after {@linkcode Kernel.shutdown}.
   *
   * @example A malformed workload is refused before boot's kernel runs it
   * ```ts
   * import { Kernel } from "./kernel.ts";
   * import { WorkloadError } from "./errors.ts";
   * import type { Workload } from "./workload.ts";
   * import assert from "node:assert/strict";
   * await using kernel = await Kernel.boot();
   * const bad = { init: [{ call: "read", fd: 0, count: 1.5 }] } as unknown as Workload;
   * assert.throws(() => kernel.run({ workload: bad }), WorkloadError);
   * ```
   */
  run(options: RunOptions = {}): RunResult {
    return this.#k.work.run(options);
  }

  /** Stops the kernel; further calls are errors. */
  shutdown(): Promise<void> {
    if (!this.#k.shutDown) {
      this.#k.shutDown = true;
      // rmmod reports a failing cleanup and removes the module anyway, so
      // every module's cleanup_module runs.
      for (const name of [...this.#k.modules.keys()].reverse()) this.rmmod(name);
    }
    return Promise.resolve();
  }

  /** `await using kernel = await Kernel.boot()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  /**
   * Would `register_kprobe()` accept a kprobe at `addr`? Its rules, with no
   * registration and no text written (see `KprobesCore.checkProbeAddress`).
   *
   * @param addr A kernel address.
   * @returns null when it may be probed; else the errno (positive) and the
   * reason the `kprobes: cannot probe …` log line would give.
   *
   * @example The first byte of do_fork may be probed, the inside of its second instruction may not
   * ```ts
   * import { Kernel } from "./kernel.ts";
   * import assert from "node:assert/strict";
   * await using kernel = await Kernel.boot();
   * const addr = kernel.kallsyms.lookupName("do_fork");
   * assert.equal(kernel.checkProbeAddress(addr), null);
   * assert.equal(kernel.checkProbeAddress(addr + 2n)?.reason, "not on an instruction boundary");
   * ```
   */
  checkProbeAddress(addr: bigint): ProbeRefusal | null {
    return this.#k.kprobes.checkProbeAddress(addr);
  }

  /**
   * Reads kernel text as the image has it: armed probes' breakpoints show
   * the bytes they replaced.
   *
   * @param addr The address.
   * @param n How many bytes.
   * @returns The bytes; shorter where memory ends.
   */
  readText(addr: bigint, n: number): Uint8Array {
    return this.#k.kprobes.readText(addr, n);
  }

  /**
   * Registered probe points: address, kind (`k`, `j`, `r` as in the debugfs
   * list), owning module and whether it is disabled.
   *
   * @returns One entry per registered kprobe, jprobe and kretprobe.
   */
  probePoints(): ProbePointInfo[] {
    return this.#k.kprobes.list().map(({ kp, addr, owner, disabled }) => ({
      addr,
      kind: this.#k.jprobes.owns(kp) ? "j" : this.#k.kretprobes.owns(kp) ? "r" : "k",
      owner,
      disabled,
    }));
  }

  /**
   * The source line of the kernel code at `addr`, from the image's DWARF
   * line table (read on first use). Linux: none; `addr2line -e vmlinux`.
   *
   * @param addr A kernel text address.
   * @returns The file (relative to the image's source tree, `kernel/fs.c`)
   * and line, or undefined where the table has none.
   * @throws {DwarfError} When the image's `.debug_line` is malformed.
   *
   * @example
   * ```ts
   * import { Kernel } from "./kernel.ts";
   * import assert from "node:assert/strict";
   * await using kernel = await Kernel.boot();
   * assert.equal(kernel.sourceLine(kernel.kallsyms.lookupName("vfs_read"))?.file, "kernel/fs.c");
   * ```
   */
  sourceLine(addr: bigint): SourceLine | undefined {
    this.#lines ??= LineTable.fromElf(this.#k.elf);
    return this.#lines.lookup(addr);
  }

  /**
   * The live `pt_regs` view of CPU `id`, as handlers see it: reading a
   * field reads the register, assigning writes it.
   *
   * @param id The CPU.
   * @returns The view.
   * @throws {KernelError} When there is no such CPU, or after {@linkcode Kernel.shutdown}.
   */
  ptRegs(id: number): PtRegs {
    this.#k.checkAlive("ptRegs");
    const cpu = Number.isInteger(id) ? this.#k.cpus[id] : undefined;
    if (cpu === undefined) {
      throw new KernelError(
        `Cannot read pt_regs of CPU ${
          String(id)
        }: the kernel has ${this.#k.cpus.length} CPUs, numbered 0 to ${this.#k.cpus.length - 1}`,
      );
    }
    return this.#k.arch.ptRegs(cpu) as unknown as PtRegs;
  }
}
