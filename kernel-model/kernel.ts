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
import { KprobesCore } from "../probes/kprobes.ts";
import { didYouMean, type ProbeRefusal } from "../probes/kprobes_host.ts";
import { isJprobeReturn, JPROBE_RETURN_SIGNAL, Jprobes } from "../probes/jprobes.ts";
import { Kretprobes } from "../probes/kretprobes.ts";
import type { Jprobe, Kprobe, Kretprobe, PtRegs } from "../probes/types.ts";
import { LineTable, type SourceLine } from "./dwarf_line.ts";
import type { ElfFile } from "./elf.ts";
import { KernelError } from "./errors.ts";
import type { Kallsyms } from "./kallsyms.ts";
import type { Memory } from "./memory.ts";
import type { ModuleSource } from "./module.ts";
import type { NotifierChain } from "./notifier.ts";
import type { CheckedBootOptions } from "./boot_options.ts";
import { KernelCore } from "./_kernel_core.ts";
import { RunLoop } from "./_run_loop.ts";
import { WorkloadRun } from "./_workload_run.ts";
import { Traps } from "./_traps.ts";
import { HostCalls } from "./_host_calls.ts";
import { KernelCalls } from "./_abi.ts";
import { Modules } from "./_modules.ts";
import { wireProbes } from "./_probe_wiring.ts";
import { Tracefs } from "../tracing/tracefs.ts";
import { tracingHost } from "./_tracing_host.ts";
import { bootKernel, consoleText } from "./_boot.ts";
import { kprobeProfileText, kprobesListText, probePointsOf } from "./_kprobes_debugfs.ts";
import type {
  BootOptions,
  InsmodOptions,
  KernelIncidents,
  ModuleInfo,
  ProbePointInfo,
  RunOptions,
  RunResult,
} from "./kernel_options.ts";

/**
 * The composition root: a kernel for `arch` and `elf` with its run loop,
 * traps, calls, modules and the Kprobes core, jprobes and kretprobes wired
 * in (only this file may import probes/).
 */
function composeKernel(arch: Arch, elf: ElfFile, options: CheckedBootOptions): KernelCore {
  const k = new KernelCore(arch, elf, options);
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
  return k;
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

  private constructor(k: KernelCore) {
    this.#k = k;
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
    return new Kernel(await bootKernel(options, composeKernel));
  }

  /** The console output so far: every log line, without level prefixes. */
  get log(): string {
    return consoleText(this.#k);
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
    // A jprobe handler's deferred setjmp happens before the host can reach guest memory.
    this.#k.jprobes?.settleAll(this.#k.cpus);
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
    return kprobesListText(this.#k);
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
    return kprobeProfileText(this.#k);
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
    return probePointsOf(this.#k);
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
    this.#k.jprobes.settle(cpu);
    return this.#k.arch.ptRegs(cpu) as unknown as PtRegs;
  }
}
