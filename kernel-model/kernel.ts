// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The simulated machine and kernel: boots a `vmlinux` image on N CPUs,
 * drives a workload, routes traps through the die-notifier chain to Kprobes,
 * reports Oopses, and binds modules' kernel ABI to itself. The one
 * composition root that wires `arch/`, `kernel-model/` and `probes/`.
 *
 * @module
 */

import {
  type Arch,
  type ArchCpu,
  STOP_BUDGET,
  STOP_HALT,
  STOP_HYPERCALL,
  STOP_TRAP,
  STOP_USER,
  TRAP_BREAKPOINT,
  TRAP_DIVIDE,
  TRAP_GP,
  TRAP_INVALID,
  TRAP_PAGEFAULT,
  TRAP_SINGLESTEP,
} from "../arch/types.ts";
import { types } from "node:util";
import { Fault } from "../arch/fault.ts";
import { archByName, type ArchName } from "../arch/registry.ts";
import { didYouMean, KprobesCore } from "../probes/kprobes.ts";
import { isJprobeReturn, JPROBE_RETURN_SIGNAL, Jprobes } from "../probes/jprobes.ts";
import { Kretprobes } from "../probes/kretprobes.ts";
import type { Jprobe, Kprobe, Kretprobe, PtRegs, TaskRef } from "../probes/types.ts";
import { expandSymbolPointers, type PointerFormat } from "./_printk_pointer.ts";
import {
  type AsyncKernelContext,
  type KernelAbi,
  type KernelContextFrame,
  popKernelContext,
  pushKernelContext,
  runAsyncKernelContext,
  withKernelContext,
} from "./context.ts";
import { describeValue, functionName } from "./_describe.ts";
import { type ElfFile, parseElf, PT_LOAD } from "./elf.ts";
import { EFAULT, ENOENT, ENOSYS, errnoName } from "./errno.ts";
import { KernelError, ModuleError } from "./errors.ts";
import { Kallsyms } from "./kallsyms.ts";
import { GuestMemoryError, Memory, PROT_EXEC, PROT_READ, PROT_USER, PROT_WRITE } from "./memory.ts";
import { type KernelModule, type ModuleSource, resolveModule, setInsmodParams } from "./module.ts";
import type { ParamArgument } from "./module_param.ts";
import {
  DIE_DEBUG,
  DIE_GPF,
  DIE_INT3,
  DIE_PAGE_FAULT,
  type DieArgs,
  type NotifierBlock,
  NotifierChain,
  NOTIFY_STOP,
} from "./notifier.ts";
import {
  DEFAULT_WORKLOAD,
  type NextStep,
  type Syscall,
  type SyscallRecord,
  validateWorkload,
  type Workload,
  WorkloadDriver,
  workloadOrigin,
} from "./workload.ts";
import { syscallArgs, USER_SCRATCH, UserScratch } from "./syscall_args.ts";
import { boundPrintkArgs, LogBuffer, PRINTK_LINE_MAX } from "./printk.ts";
import { checkBootOptions, type CheckedBootOptions, checkMaxInstructions } from "./boot_options.ts";
import { formatOops, formatSoftLockup } from "./oops.ts";
import type { Heartbeat } from "./watchdog.ts";

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
   * Marks "in handler X of module M on CPU N" around every handler and
   * module call, for a thread watching this kernel's worker (see
   * {@linkcode Heartbeat}). Default: none.
   */
  heartbeat?: Heartbeat;
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

type Cpu = ArchCpu & { id: number };

const CPU_RUNNING = 0;
const CPU_HALTED = 1;
const CPU_USER = 2;
const CPU_DEAD = 3;

const THREAD_SIZE = 16384n;
/** task_struct.state of a task nothing but wake_up_process() brings back. */
const TASK_UNINTERRUPTIBLE = 2;
/** task_struct.state of an exited task not yet reaped, and of a reaped one (ABI.md). */
const TASK_ZOMBIE = 16;
const TASK_DEAD = 32;
/** What {@linkcode Kernel} `#othersState` finds of the workload's other tasks. */
const OTHERS_NONE = 0;
const OTHERS_ALIVE = 1;
const OTHERS_ZOMBIES = 2;
/**
 * Guest seconds without a completed system call after which `run()` ends a
 * blocked workload (Linux's default hung_task_timeout_secs).
 */
const HUNG_TASK_TIMEOUT_SECS = 120;
/** Kernel stack a host → guest call leaves to the guest function it calls. */
const HOST_CALL_STACK_RESERVE = 2048n;
/** thread_info flags bit: schedule() at the next opportunity. */
const TIF_NEED_RESCHED = 3;

/** The outcome of one module-function call. */
interface ModuleCall {
  /** Its asynchronous context, to close when it settles. */
  ctx: AsyncKernelContext;
  /** Whether it threw synchronously. */
  threw: boolean;
  /** What it returned or threw. */
  value: unknown;
}

interface LoadedModule {
  name: string;
  origin: string;
  exports: KernelModule;
}

/** `ri->task`: fields are read from the task_struct on first use. */
class LazyTask implements TaskRef {
  #ref: TaskRef | undefined;
  readonly #hi: number;
  readonly #lo: number;
  readonly #read: (a: bigint) => TaskRef;
  constructor(hi: number, lo: number, read: (a: bigint) => TaskRef) {
    this.#hi = hi;
    this.#lo = lo;
    this.#read = read;
  }
  #task(): TaskRef {
    return this.#ref ??= this.#read((BigInt(this.#hi) << 32n) | BigInt(this.#lo));
  }
  get address(): bigint | number {
    return this.#task().address;
  }
  get pid(): number {
    return this.#task().pid;
  }
  get tgid(): number {
    return this.#task().tgid;
  }
  get comm(): string {
    return this.#task().comm;
  }
  get state(): number {
    return this.#task().state;
  }
  get cpu(): number {
    return this.#task().cpu;
  }
}

/** A host → guest call refused: not enough room on the kernel stack. */
class StackRoomError extends KernelError {
  constructor(readonly problem: string) {
    super(`Cannot call into the guest: ${problem}, call from a shallower context`);
    this.name = "KernelError";
  }
}

/** Thrown through a handler to abandon it after an Oops inside it. */
class HandlerAbort {
  constructor(readonly reason: string) {}
}

/** Is `e` a HandlerAbort? (Asked of any thrown value: runs no Proxy trap, no getter.) */
function isHandlerAbort(e: unknown): e is HandlerAbort {
  return typeof e === "object" && e !== null && !types.isProxy(e) &&
    Object.getPrototypeOf(e) === HandlerAbort.prototype;
}

/** The symbols the host needs from the image. */
interface KernelSymbols {
  bootParams: bigint;
  cpuCurr: bigint;
  logBuf: bigint;
  logEnd: bigint;
  hostCallReturn: bigint;
  oopsDoExit: bigint;
  printk: bigint;
  schedule: bigint;
  secondary: bigint;
  jprobeTrampoline: [bigint, bigint];
  kretprobeTrampoline: bigint;
  flushTask: bigint;
  kprobesText: [bigint, bigint];
  insnSlots: [bigint, bigint];
  text: [bigint, bigint];
  exTable: [bigint, bigint];
}

function defaultImageUrl(arch: string): URL {
  return new URL(`./vmlinux/images/vmlinux-${arch}`, import.meta.url);
}

/** Largest kernel image `Kernel.boot()` reads (the committed ones are well under 1 MiB). */
const MAX_IMAGE_BYTES = 64 * 1024 * 1024;

/** Reads at most MAX_IMAGE_BYTES from a stream, or throws. */
async function readBounded(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let n = 0;
  for await (const chunk of stream) {
    n += chunk.length;
    if (n > MAX_IMAGE_BYTES) {
      await stream.cancel().catch(() => {});
      throw new Error(`it is larger than ${MAX_IMAGE_BYTES} bytes, pass a vmlinux image`);
    }
    chunks.push(chunk);
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

async function readImage(
  image: Uint8Array | string | URL | undefined,
  arch: string,
): Promise<[Uint8Array, string]> {
  if (image instanceof Uint8Array) return [image, "vmlinux"];
  const url = image === undefined ? defaultImageUrl(arch) : image;
  const shown = String(url);
  try {
    if (url instanceof URL && url.protocol !== "file:") {
      const res = await fetch(url);
      if (!res.ok || res.body === null) {
        await res.body?.cancel();
        throw new Error(`HTTP ${res.status}`);
      }
      return [await readBounded(res.body), shown];
    }
    // A regular file of bounded size: "/dev/zero" or a directory is refused
    // before it is read.
    const info = await Deno.stat(url);
    if (!info.isFile) throw new Error("it is not a regular file, pass a vmlinux image");
    if (info.size > MAX_IMAGE_BYTES) {
      throw new Error(`it is larger than ${MAX_IMAGE_BYTES} bytes, pass a vmlinux image`);
    }
    const file = await Deno.open(url);
    return [await readBounded(file.readable), shown];
  } catch (e) {
    const why = e instanceof Deno.errors.NotCapable
      ? `read permission was not granted, run deno with --allow-read=${
        url instanceof URL ? decodeURIComponent(url.pathname) : url
      }`
      : e instanceof Error
      ? e.message
      : String(e);
    throw new KernelError(`Cannot read kernel image "${shown}": ${why}`, { cause: e });
  }
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
  readonly #arch: Arch;
  readonly #memory: Memory;
  readonly #elf: ElfFile;
  readonly #kallsyms: Kallsyms;
  readonly #cpus: Cpu[] = [];
  readonly #state: Int32Array;
  readonly #nextTick: Float64Array;
  readonly #tickPeriod: number;
  readonly #quantum: number;
  readonly #sym: KernelSymbols;
  readonly #kprobes: KprobesCore;
  readonly #jprobes: Jprobes;
  readonly #kretprobes: Kretprobes;
  readonly #die = new NotifierChain();
  /** Preallocated die_args per CPU: a probe hit allocates nothing here. */
  readonly #dieArgs: DieArgs[] = [];
  readonly #modules = new Map<string, LoadedModule>();
  readonly #frames = new Map<string | null, KernelContextFrame>();
  readonly #log: LogBuffer;
  readonly #ptrSize: number;
  readonly #preempt: boolean;
  readonly #kernelHi: number;
  readonly #tscKhz: number;
  #driver: WorkloadDriver | null = null;
  #executed = 0;
  #abiCpu: Cpu;
  #hostCallDepth = 0;
  #hostCallAborted = false;
  #oopsCount = 0;
  readonly #incidents: KernelIncidents = { oopses: 0, panics: 0, handlerErrors: 0, lockups: 0 };
  #shutDown = false;
  readonly #heartbeat: Heartbeat | null;
  /** Per CPU: guest clock when it last scheduled, idled or was in user mode. */
  readonly #touchTsc: Float64Array;
  /** Per CPU: the task it ran then (low address half). */
  readonly #touchTask: Float64Array;
  /** Per CPU: host clock (ms) when the run loop first saw that touch. */
  readonly #touchWall: Float64Array;
  /** Watchdog bound in guest cycles, and in host ms (Infinity: guest clock only). */
  #wdCycles = Infinity;
  #wdWallMs = Infinity;
  #stopReason: RunStopReason = "completed";
  /** Each live task's user scratch page. */
  readonly #scratch: UserScratch;
  /** Pids an Oops sent to do_exit: a second Oops is a recursive fault. */
  readonly #oopsExiting = new Set<number>();
  /** Tasks parked after a recursive fault: pid → task_struct. */
  readonly #parked = new Map<number, bigint>();
  /** task_struct of each workload task seen in user mode or sent to do_exit, by pid. */
  readonly #taskAt = new Map<number, bigint>();

  private constructor(arch: Arch, elf: ElfFile, options: CheckedBootOptions) {
    this.#arch = arch;
    this.#elf = elf;
    this.#ptrSize = arch.bits / 8;
    this.#preempt = options.preempt;
    this.#kernelHi = Number((arch.kernelBase >> 32n) & 0xffffffffn);
    // Every option was checked by checkBootOptions() (boot_options.ts).
    const nr = options.cpus;
    const memSize = options.memSize;
    const kernelEnd = (arch.kernelBase & 0xffffffffn) + BigInt(memSize);
    if (kernelEnd > 0x100000000n) {
      throw new KernelError(
        `Cannot boot with memSize ${memSize}: ${arch.name} kernel RAM at 0x${
          arch.kernelBase.toString(16)
        } holds at most ${0x100000000n - (arch.kernelBase & 0xffffffffn)} bytes`,
      );
    }
    this.#memory = new Memory({ littleEndian: arch.littleEndian });
    this.#memory.map(arch.kernelBase, memSize, PROT_READ | PROT_WRITE);
    this.#memory.map(arch.userBase, arch.userSize, PROT_READ | PROT_WRITE | PROT_USER);
    this.#scratch = new UserScratch(arch.userBase, arch.userSize);
    this.#loadSegments(memSize);
    this.#kallsyms = Kallsyms.fromElf(elf, arch.kallsymsOptions);
    this.#sym = this.#resolveSymbols();
    this.#log = new LogBuffer(this.#memory, this.#sym.logBuf, this.#sym.logEnd, options.console);
    const hz = options.hz;
    const tscKhz = options.cpuMhz * 1000;
    this.#tscKhz = tscKhz;
    this.#tickPeriod = Math.round((tscKhz * 1000) / hz);
    this.#quantum = options.quantum;
    this.#writeBootParams(memSize, nr, hz, options.maxTasks, tscKhz);
    this.#state = new Int32Array(nr);
    this.#nextTick = new Float64Array(nr).fill(this.#tickPeriod);
    this.#touchTsc = new Float64Array(nr);
    this.#touchTask = new Float64Array(nr);
    this.#touchWall = new Float64Array(nr).fill(performance.now());
    this.#heartbeat = options.heartbeat ?? null;
    this.#heartbeat?.bindTasks((id) => {
      const cpu = this.#cpus[id];
      const pc = this.#arch.getPc(cpu);
      const at = `[<${this.#hex(pc)}>] ${this.#kallsyms.formatAddress(pc)}`;
      return { ...this.#taskRef(this.#currentTask(cpu)), at };
    });
    for (let i = 0; i < nr; i++) {
      const cpu = arch.createCpu(this.#memory, i) as Cpu;
      cpu.id = i;
      this.#cpus.push(cpu);
      this.#dieArgs.push({ cpu, str: "", err: 0, trapnr: 0 });
      arch.startCpu(cpu, i === 0 ? elf.entry : this.#sym.secondary, BigInt(i));
    }
    this.#abiCpu = this.#cpus[0];
    this.#kprobes = new KprobesCore({
      arch,
      memory: this.#memory,
      nrCpus: nr,
      kprobesText: this.#sym.kprobesText,
      insnSlots: this.#sym.insnSlots,
      lookupName: (name) => this.#kallsyms.lookupName(name),
      functionStart: (addr) => {
        const s = this.#kallsyms.lookupAddress(addr);
        return s === undefined ? undefined : s.address;
      },
      functionAt: (addr) => {
        const s = this.#kallsyms.lookupAddress(addr);
        return s === undefined
          ? undefined
          : { name: s.name, start: s.address, size: s.size, symbolSize: s.symbolSize };
      },
      lookupSymbol: (name) => this.#kallsyms.lookupSymbol(name),
      suggest: (name) => this.#kallsyms.suggest(name),
      warn: (message) => this.#logDirect(4, message),
      isKernelText: (addr) => this.#isTextAddress(addr),
      currentOwner: () => this.#currentOwner,
      invoke: (owner, what, cpu, fn, a, b, c) => this.#invoke(owner, what, cpu as Cpu, fn, a, b, c),
      preemptDisable: (cpu) => this.#addPreempt(cpu, 1),
      preemptEnable: (cpu) => this.#addPreempt(cpu, -1),
    });
    const kprobesNb: NotifierBlock = {
      priority: 0x7fffffff,
      notifier_call: (val, args) => this.#kprobeExceptionsNotify(val, args),
    };
    this.#die.register(kprobesNb);
    this.#jprobes = new Jprobes(this.#kprobes, {
      arch,
      memory: this.#memory,
      nrCpus: nr,
      trampoline: this.#sym.jprobeTrampoline,
      isFunctionEntry: (addr) => this.#isFunctionEntry(addr),
      currentCpu: () => this.#abiCpu,
      callEntry: (owner, jp, args, cpu) => this.#callJprobeEntry(owner, jp, args, cpu as Cpu),
    });
    const blacklist = ["__switch_to", "ret_from_fork"].map((n) => this.#kallsyms.lookupName(n))
      .filter((a) => a !== 0n);
    this.#kretprobes = new Kretprobes(this.#kprobes, {
      arch,
      memory: this.#memory,
      nrCpus: nr,
      preempt: this.#preempt,
      trampoline: this.#sym.kretprobeTrampoline,
      flushTask: this.#sym.flushTask,
      isFunctionEntry: (addr) => this.#isFunctionEntry(addr),
      blacklist,
      currentCpu: () => this.#abiCpu,
      currentTaskKey: (cpu) => this.#currentTaskLo(cpu as Cpu),
      taskRef: (key) => this.#lazyTask(key),
      taskKeyOf: (address) => Number(address & 0xffffffffn),
      invoke: (owner, what, cpu, fn, a, b) =>
        this.#invoke(owner, what, cpu as Cpu, fn, a, b, undefined),
      report: (message, cpu) => {
        this.#logDirect(3, message);
        this.#dumpStack(cpu as Cpu);
      },
    });
  }

  /** Runs a jprobe handler at the trampoline's hypercall. */
  #callJprobeEntry(owner: string | null, jp: Jprobe, args: (bigint | number)[], cpu: Cpu): void {
    this.#heartbeat?.enter(owner, "jprobe entry", cpu.id, jp.entry);
    const prevCpu = this.#abiCpu;
    this.#abiCpu = cpu;
    const frame = this.#frame(owner);
    pushKernelContext(frame);
    try {
      jp.entry(...args);
      const name = functionName(jp.entry, "handler");
      this.#logDirect(3, `BUG: jprobe handler ${name} returned without calling jprobe_return()`);
      this.#dumpStack(cpu);
    } catch (e) {
      if (isJprobeReturn(e) || isHandlerAbort(e)) return;
      this.#incidents.handlerErrors++;
      const name = functionName(jp.entry, "handler");
      this.#logDirect(
        3,
        `kprobes: jprobe handler ${name} of ${owner ?? "host"} threw ${describeValue(e)}`,
      );
      this.#dumpStack(cpu);
    } finally {
      popKernelContext(frame);
      this.#abiCpu = prevCpu;
      this.#heartbeat?.leave();
    }
  }

  #currentOwner: string | null = null;

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
    const arch = archByName(checked.arch);
    const [bytes, shown] = await readImage(checked.image, arch.name);
    const elf = parseElf(bytes, shown);
    if (elf.machine !== arch.elfMachine || elf.class !== arch.bits) {
      throw new KernelError(
        `Cannot boot "${shown}" as ${arch.name}: it is an ELF${elf.class} ${elf.machineName} image, pass the matching --arch or image`,
      );
    }
    let kernel: Kernel;
    try {
      kernel = new Kernel(arch, elf, checked);
      kernel.#runLoop(() => kernel.#initInUser(), 500_000_000);
      kernel.#flushConsole();
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
    if (!kernel.#initInUser()) {
      throw new KernelError(
        `Cannot boot "${shown}": init did not reach user mode; the log says:\n${kernel.log}`,
      );
    }
    return kernel;
  }

  // ---------------------------------------------------------------- loading

  #loadSegments(memSize: number): void {
    const elf = this.#elf;
    const base = this.#arch.kernelBase;
    for (const seg of elf.segments) {
      if (seg.type !== PT_LOAD || seg.memsz === 0) continue;
      if (seg.vaddr < base || seg.vaddr + BigInt(seg.memsz) > base + BigInt(memSize)) {
        throw new KernelError(
          `Cannot load "${elf.name}": segment at 0x${
            seg.vaddr.toString(16)
          } lies outside kernel RAM at 0x${base.toString(16)}`,
        );
      }
      this.#memory.writeBytes(seg.vaddr, elf.bytes.subarray(seg.offset, seg.offset + seg.filesz));
    }
    for (const seg of elf.segments) {
      if (seg.type !== PT_LOAD || seg.memsz === 0 || (seg.flags & 2) !== 0) continue;
      // Read-only segments (text, rodata) are write-protected like CONFIG_DEBUG_RODATA.
      const start = seg.vaddr & ~0xfffn;
      const end = (seg.vaddr + BigInt(seg.memsz) + 0xfffn) & ~0xfffn;
      const exec = (seg.flags & 1) !== 0 ? PROT_EXEC : 0;
      this.#memory.protect(start, Number(end - start), PROT_READ | exec);
    }
  }

  #need(name: string): bigint {
    const a = this.#kallsyms.lookupName(name);
    if (a === 0n) {
      throw new KernelError(
        `Cannot boot "${this.#elf.name}": it lacks the symbol "${name}" the host needs (see kernel-model/vmlinux/ABI.md)`,
      );
    }
    return a;
  }

  #symbolRange(name: string): [bigint, bigint] {
    const start = this.#need(name);
    const size = this.#kallsyms.lookupSymbol(name)?.size ?? 0n;
    return [start, start + (size > 0n ? size : 16n)];
  }

  /**
   * Is `addr` inside an executable section of the image (SHF_EXECINSTR)
   * within `_stext`…`_etext`? The alignment gaps between sections are not
   * text. Linux: kernel_text_address().
   */
  #isTextAddress(addr: bigint): boolean {
    if (addr < this.#sym.text[0] || addr >= this.#sym.text[1]) return false;
    for (const s of this.#elf.sections) {
      if (
        (s.flags & 4n) !== 0n && s.addr !== 0n && addr >= s.addr && addr < s.addr + BigInt(s.size)
      ) {
        return true;
      }
    }
    return false;
  }

  #isFunctionEntry(addr: bigint): boolean {
    const s = this.#kallsyms.lookupAddress(addr);
    return s !== undefined && s.offset === 0n && addr >= this.#sym.text[0] &&
      addr < this.#sym.text[1];
  }

  #resolveSymbols(): KernelSymbols {
    return {
      bootParams: this.#need("boot_params"),
      cpuCurr: this.#need("cpu_curr"),
      logBuf: this.#need("__log_buf"),
      logEnd: this.#need("log_end"),
      hostCallReturn: this.#need("host_call_return"),
      oopsDoExit: this.#need("oops_do_exit"),
      printk: this.#need("printk"),
      schedule: this.#need("schedule"),
      secondary: this.#need(this.#arch.secondaryEntry),
      jprobeTrampoline: this.#symbolRange("jprobe_trampoline"),
      kretprobeTrampoline: this.#need("kretprobe_trampoline"),
      flushTask: this.#need("kprobe_flush_task"),
      kprobesText: [this.#need("__kprobes_text_start"), this.#need("__kprobes_text_end")],
      insnSlots: [this.#need("__insn_slots_start"), this.#need("__insn_slots_end")],
      text: [this.#need("_stext"), this.#need("_etext")],
      exTable: [this.#need("__start___ex_table"), this.#need("__stop___ex_table")],
    };
  }

  #writeBootParams(
    memSize: number,
    nr: number,
    hz: number,
    maxTasks: number,
    tscKhz: number,
  ): void {
    const m = this.#memory;
    const b = this.#sym.bootParams;
    m.writeU64(b, BigInt(memSize));
    m.writeU32(b + 8n, nr);
    m.writeU32(b + 12n, this.#preempt ? 1 : 0);
    m.writeU32(b + 16n, hz);
    m.writeU32(b + 20n, maxTasks);
    m.writeU64(b + 24n, BigInt(tscKhz));
  }

  // ---------------------------------------------------------------- guest data

  #readPtr(addr: bigint): bigint {
    return this.#ptrSize === 8 ? this.#memory.readU64(addr) : BigInt(this.#memory.readU32(addr));
  }

  #currentTask(cpu: Cpu): bigint {
    return this.#readPtr(this.#sym.cpuCurr + BigInt(cpu.id * this.#ptrSize));
  }

  #taskRef(task: bigint): TaskRef {
    const m = this.#memory;
    if (task === 0n) {
      return { address: this.#addr(0n), pid: 0, tgid: 0, comm: "swapper", state: 0, cpu: 0 };
    }
    const pid = m.readU32(task) | 0;
    const state = m.readU32(task + 4n) | 0;
    const comm = m.readCString(task + 16n, 16);
    // task->stack is the thread_info; its cpu follows the task pointer and flags.
    let cpu = 0;
    try {
      cpu = m.readU32(this.#readPtr(task + 32n) + BigInt(this.#ptrSize + 4)) | 0;
    } catch {
      // A task whose stack is gone (freed): cpu stays 0.
    }
    return { address: this.#addr(task), pid, tgid: pid, comm, state, cpu };
  }

  /** Low half of `cpu_curr[cpu]` (kernel addresses share the high half). */
  #currentTaskLo(cpu: Cpu): number {
    const a = this.#sym.cpuCurr + BigInt(cpu.id * this.#ptrSize);
    return this.#memory.read32(
      this.#kernelHi,
      Number(a & 0xffffffffn) + (this.#arch.littleEndian ? 0 : 4),
    );
  }

  /** A TaskRef whose fields are read from guest memory when asked. */
  #lazyTask(lo: number): TaskRef {
    return new LazyTask(this.#kernelHi, lo >>> 0, this.#readTask);
  }

  /** Reads a TaskRef from a task_struct address (one closure for all lazy tasks). */
  readonly #readTask = (a: bigint): TaskRef => this.#taskRef(a);

  #parentPid(task: bigint): number {
    const parent = this.#readPtr(task + 32n + BigInt(this.#ptrSize));
    return parent === 0n ? 0 : this.#memory.readU32(parent) | 0;
  }

  #addr(a: bigint): bigint | number {
    return this.#arch.bits === 64 ? a : Number(a);
  }

  #initInUser(): boolean {
    for (const cpu of this.#cpus) {
      if (this.#state[cpu.id] === CPU_USER && this.#memory.readU32(this.#currentTask(cpu)) === 1) {
        return true;
      }
    }
    return false;
  }

  /** preempt_count of the task whose kernel stack `cpu` runs on. */
  #addPreempt(cpu: ArchCpu, delta: number): void {
    // thread_info sits at the 16 KiB-aligned base of the stack; the high
    // half of the address does not change within a stack.
    const hi = this.#arch.spHi(cpu);
    const lo = ((this.#arch.spLo(cpu) & ~(Number(THREAD_SIZE) - 1)) + this.#ptrSize + 8) >>> 0;
    const m = this.#memory;
    try {
      m.write32(hi, lo, (m.read32(hi, lo) + delta) >>> 0);
    } catch {
      // A wild stack pointer: the fault path will report it.
    }
  }

  // ---------------------------------------------------------------- run loop

  /**
   * Runs the CPUs round-robin, `quantum` instructions each, until `until()`
   * holds, every CPU is dead, `limit` instructions have run, the watchdog
   * fires, or no CPU has run for 100,000 rounds;
   * `#stopReason` says which.
   */
  #runLoop(until: () => boolean, limit: number): boolean {
    const start = this.#executed;
    const cpus = this.#cpus;
    let idleRounds = 0;
    this.#stopReason = "completed";
    for (const cpu of cpus) this.#touch(cpu);
    while (!until()) {
      if (this.#executed - start >= limit) return this.#stop("instructionLimit");
      let progressed = false;
      let alive = false;
      for (let i = 0; i < cpus.length; i++) {
        const st = this.#state[i];
        if (st === CPU_DEAD) continue;
        alive = true;
        if (st === CPU_USER) {
          this.#touch(cpus[i]);
          if (this.#resumeUser(cpus[i])) progressed = true;
          continue;
        }
        if (st === CPU_HALTED) {
          this.#idle(cpus[i]);
          continue;
        }
        this.#runQuantum(cpus[i]);
        if (this.#stopReason !== "completed") return false;
        progressed = true;
      }
      if (!alive) return this.#stop("panic");
      if (!progressed) {
        // Every CPU idle or parked: nothing changes before the next tick.
        this.#fastForwardIdle();
        if (++idleRounds > 100_000) {
          this.#reportStall(idleRounds);
          return this.#stop("stalled");
        }
      } else idleRounds = 0;
      this.#flushConsole();
    }
    return true;
  }

  #stop(reason: RunStopReason): false {
    this.#stopReason = reason;
    return false;
  }

  /** The CPU scheduled, idled or is in user mode: the watchdog starts over (touch_softlockup_watchdog()). */
  #touch(cpu: Cpu): void {
    this.#touchTsc[cpu.id] = cpu.tsc;
    if (this.#wdWallMs !== Infinity) this.#touchWall[cpu.id] = performance.now();
  }

  /**
   * At each timer tick: has `cpu` stayed in kernel mode on one task, never
   * idling or returning to user, for longer than the watchdog allows? Then
   * report it and stop the run. Linux: `watchdog_timer_fn()`.
   */
  #watchdogTick(cpu: Cpu): void {
    const id = cpu.id;
    const task = this.#currentTaskLo(cpu);
    if (task !== this.#touchTask[id]) {
      this.#touchTask[id] = task;
      this.#touch(cpu);
      return;
    }
    if (
      cpu.tsc - this.#touchTsc[id] < this.#wdCycles &&
      (this.#wdWallMs === Infinity || performance.now() - this.#touchWall[id] < this.#wdWallMs)
    ) return;
    this.#softLockup(cpu, this.#touchTsc[id], this.#touchWall[id]);
  }

  /** Reports a soft lockup on `cpu`, stuck since guest clock `sinceTsc` and host ms `sinceWall`. */
  #softLockup(cpu: Cpu, sinceTsc: number, sinceWall: number): void {
    this.#incidents.lockups++;
    const guest = (cpu.tsc - sinceTsc) / (this.#tscKhz * 1000);
    const host = (performance.now() - sinceWall) / 1000;
    const seconds = Math.floor(this.#wdWallMs === Infinity ? guest : Math.max(guest, host));
    let task: TaskRef = { address: 0n, pid: 0, tgid: 0, comm: "swapper", state: 0, cpu: 0 };
    try {
      task = this.#taskRef(this.#currentTask(cpu));
    } catch {
      // A wild cpu_curr: report the idle task's name.
    }
    const lines = formatSoftLockup({
      arch: this.#arch,
      cpu,
      memory: this.#memory,
      kallsyms: this.#kallsyms,
      seconds,
      pid: task.pid,
      comm: task.comm,
      modules: [...this.#modules.keys()],
      trace: this.#callTrace(cpu),
    });
    for (const l of lines) this.#logDirect(0, l);
    this.#touch(cpu);
    this.#stopReason = "softLockup";
  }

  /** No CPU ran for `rounds` rounds of the run loop: say so instead of stopping silently. */
  #reportStall(rounds: number): void {
    this.#incidents.lockups++;
    this.#logDirect(
      3,
      `INFO: no CPU made progress for ${rounds} rounds: every CPU is idle with no timer due or parked in user mode with no workload step to issue`,
    );
  }

  /**
   * Has another CPU asked this idle CPU to reschedule (TIF_NEED_RESCHED on
   * its idle task)? The guest sends no IPIs; like `mwait` watching the flag,
   * the halted CPU wakes when it is set.
   */
  #needResched(cpu: Cpu): boolean {
    try {
      const task = this.#currentTask(cpu);
      if (task === 0n) return false;
      const ti = this.#readPtr(task + 32n);
      return (this.#memory.readU32(ti + BigInt(this.#ptrSize)) & (1 << TIF_NEED_RESCHED)) !== 0;
    } catch {
      return false;
    }
  }

  /**
   * With no CPU running, move every halted CPU's clock to the nearest timer
   * tick at once (by the same amount, so they stay in step) instead of
   * idling there quantum by quantum.
   */
  #fastForwardIdle(): void {
    let delta = Infinity;
    for (const cpu of this.#cpus) {
      const st = this.#state[cpu.id];
      if (st === CPU_RUNNING) return;
      if (st === CPU_HALTED) delta = Math.min(delta, this.#nextTick[cpu.id] - cpu.tsc);
    }
    if (delta === Infinity || delta <= 0) return;
    for (const cpu of this.#cpus) if (this.#state[cpu.id] === CPU_HALTED) cpu.tsc += delta;
  }

  #idle(cpu: Cpu): void {
    this.#touch(cpu);
    if (this.#needResched(cpu)) {
      this.#state[cpu.id] = CPU_RUNNING;
      return;
    }
    const next = this.#nextTick[cpu.id];
    cpu.tsc = Math.min(next, cpu.tsc + this.#quantum);
    if (cpu.tsc >= next) {
      this.#nextTick[cpu.id] = next + this.#tickPeriod;
      cpu.raiseInterrupt(this.#arch.timerVector);
      this.#state[cpu.id] = CPU_RUNNING;
    }
  }

  #runQuantum(cpu: Cpu): void {
    const id = cpu.id;
    let budget = this.#quantum;
    while (budget > 0 && this.#state[id] === CPU_RUNNING) {
      const until = this.#nextTick[id] - cpu.tsc;
      const before = cpu.tsc;
      const reason = cpu.run(Math.max(1, Math.min(budget, until)));
      const ran = cpu.tsc - before;
      this.#executed += ran;
      budget -= Math.max(ran, 1);
      if (cpu.tsc >= this.#nextTick[id]) {
        this.#nextTick[id] += this.#tickPeriod;
        cpu.raiseInterrupt(this.#arch.timerVector);
        this.#watchdogTick(cpu);
        if (this.#stopReason !== "completed") return;
      }
      this.#dispatchStop(cpu, reason);
    }
    // On the host clock, also between ticks: a CPU looping through a probe
    // handler may take a long time per guest tick.
    if (this.#wdWallMs !== Infinity && performance.now() - this.#touchWall[id] >= this.#wdWallMs) {
      this.#watchdogTick(cpu);
    }
  }

  #dispatchStop(cpu: Cpu, reason: number): void {
    switch (reason) {
      case STOP_BUDGET:
        return;
      case STOP_TRAP:
        this.#trap(cpu);
        return;
      case STOP_HALT:
        if (this.#arch.haltPc(cpu) === this.#sym.hostCallReturn) {
          this.#panic(cpu, "host call return reached outside a host call");
        } else if (!this.#arch.interruptsEnabled(cpu)) {
          this.#panic(cpu, "CPU halted with interrupts disabled");
        } else this.#state[cpu.id] = CPU_HALTED;
        return;
      case STOP_USER:
        this.#state[cpu.id] = CPU_USER;
        this.#resumeUser(cpu);
        return;
      case STOP_HYPERCALL:
        this.#hypercall(cpu);
        return;
    }
  }

  /**
   * A task is in user mode on `cpu`: issue its next system call, if any.
   * init, its script done, waits for the other tasks (see
   * {@linkcode WorkloadDriver.initIdle}). Returns true if it issued one.
   */
  #resumeUser(cpu: Cpu): boolean {
    const driver = this.#driver;
    if (driver === null) return false;
    const task = this.#currentTask(cpu);
    const pid = this.#memory.readU32(task) | 0;
    const ret = this.#arch.syscallResult(cpu);
    let step: NextStep;
    if (pid === 1 && driver.done) step = { kind: "idle" };
    else {
      if (pid !== 1) this.#taskAt.set(pid, task);
      step = driver.onUser(pid, this.#parentPid(task), cpu.id, ret);
    }
    if (step.kind === "idle") {
      if (pid !== 1) return false;
      const others = this.#othersState(driver);
      if (others === OTHERS_NONE || (others === OTHERS_ZOMBIES && driver.reapDone)) return false;
      const nr = this.#arch.syscallNumbers.wait4 ?? -ENOSYS;
      step = driver.initIdle(ret, nr, others === OTHERS_ZOMBIES);
      if (step.kind === "idle") return false;
    }
    this.#issueSyscall(cpu, pid, step.call, step.last);
    this.#state[cpu.id] = CPU_RUNNING;
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
  #othersState(driver: WorkloadDriver): number {
    let zombies = false;
    for (const pid of driver.liveTasks()) {
      if (this.#parked.has(pid)) continue;
      const at = this.#taskAt.get(pid);
      if (at === undefined) return OTHERS_ALIVE;
      let state = TASK_DEAD;
      try {
        if ((this.#memory.readU32(at) | 0) === pid) state = this.#memory.readU32(at + 4n);
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
      this.#taskAt.delete(pid);
    }
    return zombies ? OTHERS_ZOMBIES : OTHERS_NONE;
  }

  /**
   * Has the workload run to completion: init's script done, init in user
   * mode, no other task alive, and init's reaping of zombies over?
   */
  #workloadComplete(driver: WorkloadDriver): boolean {
    if (!driver.done || !this.#initInUser()) return false;
    const others = this.#othersState(driver);
    return others === OTHERS_NONE || (others === OTHERS_ZOMBIES && driver.reapDone);
  }

  /**
   * Issues `call` for task `pid`: its pointed-to data goes in the task's own
   * scratch page (never another live task's), which an `exit` gives back.
   */
  #issueSyscall(cpu: Cpu, pid: number, call: Syscall, last: number): void {
    const arch = this.#arch;
    const scratch = this.#scratch.pageOf(pid);
    if (scratch === null) {
      throw new KernelError(
        `Cannot issue "${call.call}" for pid ${pid}: all ${
          Math.floor(arch.userSize / USER_SCRATCH)
        } user scratch pages are taken by live tasks, lower maxTasks`,
      );
    }
    const args = syscallArgs(this.#memory, scratch, call, last, this.#ptrSize);
    const nr = call.call === "syscall" ? call.nr : arch.syscallNumbers[call.call] ?? -ENOSYS;
    arch.enterSyscall(cpu, nr, args, scratch + BigInt(USER_SCRATCH - 64));
    // exit() reads no user memory: the page is free for the next task.
    if (call.call === "exit" || (call.call === "syscall" && nr === arch.syscallNumbers.exit)) {
      this.#scratch.release(pid);
    }
  }

  // ---------------------------------------------------------------- traps

  #kprobeExceptionsNotify(val: number, args: DieArgs): number {
    const cpu = args.cpu as Cpu;
    switch (val) {
      case DIE_INT3:
        return this.#kprobes.onBreakpoint(cpu) ? NOTIFY_STOP : 0;
      case DIE_DEBUG:
        return this.#kprobes.onSingleStep(cpu) ? NOTIFY_STOP : 0;
      case DIE_GPF:
      case DIE_PAGE_FAULT:
        return this.#kprobes.ctlblk(cpu.id).current !== null &&
            this.#kprobes.onFault(cpu, args.trapnr)
          ? NOTIFY_STOP
          : 0;
    }
    return 0;
  }

  /** Linux: do_int3, do_debug, do_page_fault, do_general_protection, do_trap. */
  #trap(cpu: Cpu): void {
    const t = this.#arch.traps;
    const v = cpu.trapVector;
    const err = cpu.trapErrorCode;
    const args = this.#dieArgs[cpu.id];
    args.str = "";
    args.err = err;
    args.trapnr = v;
    const kind = this.#arch.trapKind(cpu);
    switch (kind) {
      case TRAP_BREAKPOINT:
        args.str = "int3";
        if (this.#die.call(DIE_INT3, args) === NOTIFY_STOP) return;
        this.#oops(cpu, {
          title: "int3",
          err: 0,
          bugAt: this.#arch.breakpointIsBug ? this.#arch.getPc(cpu) : undefined,
        });
        return;
      case TRAP_SINGLESTEP:
        args.str = "debug";
        if (this.#die.call(DIE_DEBUG, args) === NOTIFY_STOP) return;
        this.#arch.clearTraceFlag(cpu);
        return;
      case TRAP_PAGEFAULT:
      case TRAP_GP: {
        const pf = kind === TRAP_PAGEFAULT;
        args.str = pf ? "page fault" : "general protection fault";
        args.trapnr = pf ? t.pageFault : t.generalProtection;
        if (this.#die.call(pf ? DIE_PAGE_FAULT : DIE_GPF, args) === NOTIFY_STOP) return;
        if (this.#fixupException(cpu)) return;
        if (pf) {
          const addr = this.#arch.faultAddress(cpu);
          const what = addr < 4096n ? "NULL pointer dereference" : "paging request";
          this.#oops(cpu, {
            title: `unable to handle kernel ${what} at ${this.#hex(addr)}`,
            bug: true,
            err,
          });
        } else this.#oops(cpu, { title: "general protection fault", err });
        return;
      }
      case TRAP_INVALID:
        this.#oops(cpu, { title: "invalid opcode", err: 0, bugAt: this.#arch.getPc(cpu) });
        return;
      case TRAP_DIVIDE:
        this.#oops(cpu, { title: "divide error", err: 0 });
        return;
      default:
        this.#oops(cpu, { title: `trap ${v}`, err });
    }
  }

  /** Linux: fixup_exception() over `__ex_table`. */
  #fixupException(cpu: Cpu): boolean {
    const pc = this.#arch.getPc(cpu);
    const [start, end] = this.#sym.exTable;
    const step = BigInt(this.#ptrSize);
    for (let e = start; e < end; e += 2n * step) {
      if (this.#readPtr(e) === pc) {
        this.#arch.setPc(cpu, this.#readPtr(e + step));
        return true;
      }
    }
    return false;
  }

  #hex(a: bigint): string {
    return a.toString(16).padStart(this.#arch.bits / 4, "0");
  }

  #oops(cpu: Cpu, o: { title: string; err: number; bug?: boolean; bugAt?: bigint }): void {
    this.#oopsCount++;
    this.#incidents.oopses++;
    const taskAddr = this.#currentTask(cpu);
    let task: TaskRef;
    try {
      task = this.#taskRef(taskAddr);
    } catch {
      task = {
        address: this.#addr(taskAddr),
        pid: 0,
        tgid: 0,
        comm: "(bad task_struct)",
        state: 0,
        cpu: 0,
      };
    }
    const lines = formatOops({
      arch: this.#arch,
      cpu,
      memory: this.#memory,
      kallsyms: this.#kallsyms,
      title: o.title,
      bug: o.bug ?? false,
      bugAt: o.bugAt,
      err: o.err,
      count: this.#oopsCount,
      pid: task.pid,
      comm: task.comm,
      modules: [...this.#modules.keys()],
      trace: this.#callTrace(cpu),
    });
    for (const l of lines) this.#logDirect(1, l);
    if (this.#hostCallDepth > 0) {
      this.#hostCallAborted = true;
      return;
    }
    if (task.pid <= 1) {
      this.#panic(
        cpu,
        task.pid === 0 ? "Attempted to kill the idle task!" : "Attempted to kill init!",
      );
      return;
    }
    if (this.#oopsExiting.has(task.pid)) {
      this.#fixRecursiveFault(cpu, taskAddr, task.pid);
      return;
    }
    this.#oopsExiting.add(task.pid);
    this.#taskAt.set(task.pid, taskAddr);
    this.#scratch.release(task.pid);
    // Linux: do_exit(SIGSEGV) on a fresh stack (rewind_stack_do_exit). The
    // stack comes from task->stack, not the stack pointer, which the fault
    // may have been about.
    try {
      const ti = this.#readPtr(taskAddr + 32n);
      this.#arch.setupCall(
        cpu,
        this.#memory,
        this.#sym.oopsDoExit,
        [11n],
        0n,
        ti + THREAD_SIZE - 64n,
      );
    } catch (e) {
      if (!(e instanceof Fault) && !(e instanceof GuestMemoryError)) throw e;
      this.#panic(cpu, "Fatal exception: the dying task's stack is not mapped");
    }
  }

  /**
   * A task the host already sent to do_exit after an Oops has Oopsed again
   * (in do_exit, or anything it calls, before or after the guest's own
   * PF_EXITING check): Linux's "Fixing recursive fault but reboot is
   * needed!" (kernel/exit.c). The task is parked for good: the host sets
   * TASK_UNINTERRUPTIBLE and runs the guest's schedule(), which switches
   * away and never picks it again. If something wakes it anyway, schedule()
   * returns into oops_do_exit and the exit is tried once more (2.6.12's
   * do_exit also carries on after that schedule()).
   */
  #fixRecursiveFault(cpu: Cpu, taskAddr: bigint, pid: number): void {
    this.#logDirect(1, "Fixing recursive fault but reboot is needed!");
    this.#parked.set(pid, taskAddr);
    const m = this.#memory;
    try {
      const ti = this.#readPtr(taskAddr + 32n);
      m.writeU32(ti + BigInt(this.#ptrSize + 8), 0); // preempt_count, as oops_do_exit does
      m.writeU32(taskAddr + 4n, TASK_UNINTERRUPTIBLE);
      // Below the faulting frames when the stack pointer is sane (they may
      // hold wait-queue entries or timers), else at the top of the stack.
      const sp = this.#arch.getSp(cpu);
      const top = ti + THREAD_SIZE;
      const park = sp > ti + 4096n && sp <= top ? sp - 512n : top - 64n;
      this.#arch.setupCall(
        cpu,
        m,
        this.#arch.callTarget(m, this.#sym.schedule),
        [],
        this.#sym.oopsDoExit,
        park,
      );
    } catch (e) {
      if (!(e instanceof Fault) && !(e instanceof GuestMemoryError)) throw e;
      this.#panic(cpu, `Fatal exception: cannot park pid ${pid} after a recursive fault`);
    }
  }

  #panic(cpu: Cpu, msg: string): void {
    this.#incidents.panics++;
    this.#logDirect(0, `Kernel panic - not syncing: ${msg}`);
    this.#state[cpu.id] = CPU_DEAD;
  }

  #callTrace(cpu: Cpu): string[] {
    const pcs = this.#arch.unwind(
      cpu,
      this.#memory,
      (pc) => this.#kallsyms.lookupAddress(pc)?.address,
    );
    return pcs.map((pc) => ` [<${this.#hex(pc)}>] ${this.#kallsyms.formatAddress(pc)}`);
  }

  #hypercall(cpu: Cpu): void {
    const nr = this.#arch.hypercallNr(cpu);
    switch (nr) {
      case 1:
        this.#dumpStack(cpu);
        return;
      case 2: {
        const prev = this.#abiCpu;
        this.#abiCpu = cpu;
        try {
          this.#jprobes.runEntry(cpu);
        } finally {
          this.#abiCpu = prev;
        }
        return;
      }
      case 3: {
        let msg = "";
        try {
          msg = this.#memory.readCString(this.#arch.hypercallArg(cpu), 256);
        } catch {
          msg = "(bad message pointer)";
        }
        this.#panic(cpu, msg);
        return;
      }
      default:
        this.#oops(cpu, { title: `unknown hypercall ${nr}`, err: 0 });
    }
  }

  #dumpStack(cpu: Cpu): void {
    const task = this.#taskRef(this.#currentTask(cpu));
    const lines = [
      `Pid: ${task.pid}, comm: ${task.comm} Not tainted 2.6.12-kprobes-sim #1`,
      "Call Trace:",
      ...this.#callTrace(cpu),
    ];
    for (const l of lines) this.#printLine(cpu, 4, l);
  }

  // ---------------------------------------------------------------- host calls

  /**
   * Calls guest function `fn` on `cpu` with `args` and returns its result;
   * the CPU's state is restored afterwards. Runs with interrupts off.
   */
  #callGuest(cpu: Cpu, fn: bigint, args: readonly (bigint | string)[]): bigint {
    const arch = this.#arch;
    const top = arch.isUserMode(cpu) ? arch.kernelStackTop(cpu, this.#memory) : arch.getSp(cpu);
    // Nothing is ever written below the current kernel stack: measure first.
    const encoded = args.map((a) => typeof a === "string" ? new TextEncoder().encode(a) : null);
    let need = 512n + 256n + 16n * BigInt(args.length) + HOST_CALL_STACK_RESERVE;
    for (const b of encoded) if (b !== null) need += BigInt(b.length + 16);
    const base = (top - 1n) & ~(THREAD_SIZE - 1n);
    if (!this.#memory.isMapped(base) || !this.#memory.isMapped(top - 1n)) {
      throw new StackRoomError(
        `the stack pointer 0x${top.toString(16)} of CPU ${cpu.id} is not in kernel memory`,
      );
    }
    if (top - base < need) {
      throw new StackRoomError(
        `${top - base} bytes are left on CPU ${cpu.id}'s kernel stack and the call needs ${need}`,
      );
    }
    const ctx = arch.saveContext(cpu);
    const savedState = this.#state[cpu.id];
    let sp = (top - 512n) & ~15n;
    const values: bigint[] = [];
    for (const [i, a] of args.entries()) {
      if (typeof a === "bigint") {
        values.push(a);
        continue;
      }
      const bytes = encoded[i]!;
      sp = (sp - BigInt(bytes.length + 1)) & ~15n;
      this.#memory.writeBytes(sp, bytes);
      this.#memory.writeU8(sp + BigInt(bytes.length), 0);
      values.push(sp);
    }
    sp = (sp - 256n) & ~15n;
    arch.setupCall(
      cpu,
      this.#memory,
      arch.callTarget(this.#memory, fn),
      values,
      this.#sym.hostCallReturn,
      sp,
    );
    this.#hostCallDepth++;
    const wasAborted = this.#hostCallAborted;
    this.#hostCallAborted = false;
    let result = -14n; // -EFAULT when the call is abandoned
    // Bounded by the watchdog (and 200 M instructions whatever it says): a
    // guest call that never returns is reported as a soft lockup.
    const sinceTsc = cpu.tsc;
    const sinceWall = performance.now();
    const limit = Math.min(200_000_000, this.#wdCycles);
    try {
      for (let n = 0;;) {
        const before = cpu.tsc;
        const reason = cpu.run(100_000);
        n += cpu.tsc - before;
        this.#executed += cpu.tsc - before;
        if (reason === STOP_HALT && arch.haltPc(cpu) === this.#sym.hostCallReturn) {
          result = arch.getReturnValue(cpu);
          break;
        }
        if (reason === STOP_TRAP) this.#trap(cpu);
        else if (reason === STOP_HYPERCALL) this.#hypercall(cpu);
        else if (reason !== STOP_BUDGET) break;
        if (this.#hostCallAborted || this.#state[cpu.id] === CPU_DEAD) break;
        if (
          n >= limit ||
          (this.#wdWallMs !== Infinity && performance.now() - sinceWall >= this.#wdWallMs)
        ) {
          this.#softLockup(cpu, sinceTsc, sinceWall);
          break;
        }
      }
    } finally {
      this.#hostCallDepth--;
      this.#hostCallAborted = wasAborted;
      arch.restoreContext(cpu, ctx);
      if (this.#state[cpu.id] !== CPU_DEAD) this.#state[cpu.id] = savedState;
    }
    return result;
  }

  /** Writes a line straight into the guest log buffer (for Oops and panic). */
  #logDirect(level: number, text: string): void {
    this.#log.write(level, text, Math.floor((this.#abiCpu.tsc * 1_000_000) / this.#tscKhz));
  }

  #printLine(cpu: Cpu, level: number, text: string): void {
    try {
      this.#callGuest(cpu, this.#sym.printk, [`<${level}>%s\n`, text]);
    } catch (e) {
      if (!(e instanceof StackRoomError)) throw e;
      this.#logDirect(level, text); // no room for the guest's printk: the host writes the line
    }
  }

  // ---------------------------------------------------------------- console

  #flushConsole(): void {
    this.#log.flush();
  }

  /** The console output so far: every log line, without level prefixes. */
  get log(): string {
    this.#flushConsole();
    const lines = this.#log.lines;
    return lines.join("\n") + (lines.length > 0 ? "\n" : "");
  }

  /** The console lines so far. */
  get logLines(): readonly string[] {
    this.#flushConsole();
    return this.#log.lines;
  }

  // ---------------------------------------------------------------- ABI

  #frame(owner: string | null): KernelContextFrame {
    let f = this.#frames.get(owner);
    if (f === undefined) {
      f = { abi: this.#abi, owner };
      this.#frames.set(owner, f);
    }
    return f;
  }

  #invoke<A, B, C, R>(
    owner: string | null,
    what: string,
    cpu: Cpu,
    fn: (a: A, b: B, c: C) => R,
    a: A,
    b: B,
    c: C,
  ): R | undefined {
    this.#heartbeat?.enter(owner, what, cpu.id, fn);
    const prevCpu = this.#abiCpu;
    this.#abiCpu = cpu;
    const frame = this.#frame(owner);
    pushKernelContext(frame);
    try {
      const r = fn(a, b, c);
      // An int handler's result is a number (or nothing); anything else would
      // be read as "skip the single-step" by truthiness: report it, use 0.
      if (r === undefined || typeof r === "number" || what === "post_handler") return r;
      this.#incidents.handlerErrors++;
      this.#logDirect(
        3,
        `BUG: kprobes: ${what} ${functionName(fn, "(anonymous)")} of ${owner ?? "host"} returned ${
          describeValue(r, true)
        }, not an int: treated as 0`,
      );
      return 0 as R;
    } catch (e) {
      if (isHandlerAbort(e)) return undefined;
      this.#incidents.handlerErrors++;
      const msg = isJprobeReturn(e)
        ? "jprobe_return() outside a jprobe handler"
        : `threw ${describeValue(e)}`;
      this.#logDirect(3, `kprobes: ${what} of ${owner ?? "host"} ${msg}`);
      this.#dumpStack(cpu);
      return undefined;
    } finally {
      popKernelContext(frame);
      this.#abiCpu = prevCpu;
      this.#heartbeat?.leave();
    }
  }

  readonly #abi: KernelAbi = {
    registerKprobe: (p) => this.#kprobes.register(p),
    unregisterKprobe: (p) => this.#kprobes.unregister(p),
    enableKprobe: (p) => this.#kprobes.enable(p),
    disableKprobe: (p) => this.#kprobes.disable(p),
    registerJprobe: (jp: Jprobe) => this.#jprobes.register(jp),
    unregisterJprobe: (jp: Jprobe) => this.#jprobes.unregister(jp),
    jprobeReturn: () => {
      throw JPROBE_RETURN_SIGNAL;
    },
    registerKretprobe: (rp: Kretprobe) => this.#kretprobes.register(rp),
    unregisterKretprobe: (rp: Kretprobe) => this.#kretprobes.unregister(rp),
    printk: (fmt, args) => this.#printk(fmt, args),
    dumpStack: () => this.#dumpStack(this.#abiCpu),
    lookupName: (name) => this.#addr(this.#kallsyms.lookupName(name)),
    current: () => this.#taskRef(this.#currentTask(this.#abiCpu)),
    readMemory: (addr, size) => this.#handlerAccess(addr, size, null),
    writeMemory: (addr, size, value) => {
      const integer = (v: unknown) =>
        (typeof v === "number" && Number.isSafeInteger(v)) || typeof v === "bigint";
      if (
        (size !== 1 && size !== 2 && size !== 4 && size !== 8) || !integer(value) || !integer(addr)
      ) {
        return -22; // -EINVAL
      }
      return Number(this.#handlerAccess(addr, size, BigInt(value)));
    },
    sleep: (what, _ms) => this.#sleepFromModule(what),
    utsname: () => ({
      sysname: "Linux",
      nodename: "kprobes-sim",
      release: "2.6.12-kprobes-sim",
      version: "#1 SMP",
      machine: this.#arch.name,
    }),
    readNoFault: (addr, size) => this.#readNoFault(addr, size),
    cycles: () => BigInt(Math.floor(this.#abiCpu.tsc)),
    clockNs: () => (BigInt(Math.floor(this.#abiCpu.tsc)) * 1_000_000n) / BigInt(this.#tscKhz),
    processorId: () => this.#abiCpu.id,
    preemptible: () => {
      const cpu = this.#abiCpu;
      return this.#preempt && this.#preemptCount(cpu) === 0 &&
        this.#arch.interruptsEnabled(cpu) && this.#kprobes.ctlblk(cpu.id).current === null;
    },
    // 2.6 preempt_count: softirq bits 8–15, hardirq bits 16–27 (in_interrupt()).
    inInterrupt: () => (this.#preemptCount(this.#abiCpu) & 0x0fffff00) !== 0,
    stackTrace: () =>
      this.#arch.unwind(
        this.#abiCpu,
        this.#memory,
        (pc) => this.#kallsyms.lookupAddress(pc)?.address,
      ),
  };

  /**
   * copy_from_kernel_nofault() of one value: null for an address below the
   * kernel (Linux refuses user addresses here), unmapped, or wrapping.
   */
  #readNoFault(addr: bigint, size: 1 | 2 | 4 | 8): bigint | null {
    const a = typeof addr === "bigint" ? addr : -1n;
    if (a < this.#arch.kernelBase || a + BigInt(size) > 1n << BigInt(this.#arch.bits)) return null;
    const m = this.#memory;
    try {
      if (size === 1) return BigInt(m.readU8(a));
      if (size === 2) return BigInt(m.readU16(a));
      if (size === 4) return BigInt(m.readU32(a));
      return m.readU64(a);
    } catch (e) {
      if (e instanceof Fault || e instanceof GuestMemoryError) return null;
      throw e;
    }
  }

  /** preempt_count of the task on `cpu`. */
  #preemptCount(cpu: Cpu): number {
    const hi = this.#arch.spHi(cpu);
    const lo = ((this.#arch.spLo(cpu) & ~(Number(THREAD_SIZE) - 1)) + this.#ptrSize + 8) >>> 0;
    try {
      return this.#memory.read32(hi, lo) | 0;
    } catch {
      return 0;
    }
  }

  #sleepFromModule(what: string): void {
    const cpu = this.#abiCpu;
    const count = this.#preemptCount(cpu);
    if (count !== 0 || this.#kprobes.ctlblk(cpu.id).current !== null) {
      // The guest's schedule() check (kernel/sched.c), reported for the
      // task the handler interrupted; the CPU cannot block inside a trap.
      const t = this.#taskRef(this.#currentTask(cpu));
      const pc = `0x${(count >>> 0).toString(16).padStart(8, "0")}`;
      this.#printLine(cpu, 3, `BUG: scheduling while atomic: ${t.comm}/${t.pid}/${pc}`);
      this.#dumpStack(cpu);
      return;
    }
    // init_module/cleanup_module run on the host between guest instructions
    // and cannot block: say so and return (an ABI call never throws).
    this.#logDirect(
      4,
      `kprobes: ${what}() from module ${
        this.#currentOwner ?? "host"
      } returns at once: module code cannot block`,
    );
  }

  /**
   * printk from a module: total over any argument types, bounded by
   * boundPrintkArgs() (printk.ts) and by the room left on the kernel stack.
   * Returns the guest's count of printed bytes, -EINVAL for a format that is
   * not a string, 0 when the stack has no room (with a log line).
   */
  #printk(fmt: unknown, args: readonly unknown[]): number {
    if (typeof fmt !== "string") return -22;
    const [f, a] = expandSymbolPointers(fmt, Array.isArray(args) ? args : [], this.#symbolize);
    const values = boundPrintkArgs(f, a);
    let r: bigint;
    try {
      r = this.#callGuest(this.#abiCpu, this.#sym.printk, values);
    } catch (e) {
      if (!(e instanceof StackRoomError)) throw e;
      this.#logDirect(4, `printk: message dropped: ${e.problem}`);
      return 0;
    }
    // A line cut at the guest's buffer loses its newline: end it, so the
    // next message does not run on.
    if (r >= BigInt(PRINTK_LINE_MAX) && fmt.endsWith("\n")) {
      try {
        this.#callGuest(this.#abiCpu, this.#sym.printk, ["\n"]);
      } catch (e) {
        if (!(e instanceof StackRoomError)) throw e;
      }
    }
    this.#flushConsole();
    return Number(BigInt.asIntN(32, r));
  }

  /** The text of printk's `%pS`, `%ps`, `%pF`, `%pf`, `%pB` for `address` (Linux's sprint_symbol()). */
  readonly #symbolize = (address: bigint, kind: PointerFormat): string => {
    let a = BigInt.asUintN(this.#arch.bits, address);
    if (kind === "F" || kind === "f") {
      try {
        a = this.#arch.callTarget(this.#memory, a); // a ppc64 function descriptor
      } catch {
        // Not a readable descriptor: symbolize the address itself.
      }
    }
    const back = kind === "B" && a > 0n ? 1n : 0n;
    const hit = this.#kallsyms.lookupAddress(a - back);
    if (hit === undefined) return `0x${a.toString(16)}`;
    const mod = hit.module === undefined ? "" : ` [${hit.module}]`;
    if (kind === "s" || kind === "f") return hit.name + mod;
    return `${hit.name}+0x${(hit.offset + back).toString(16)}/0x${hit.size.toString(16)}${mod}`;
  };

  /** Is `a` mapped read-only (text, rodata)? Unmapped addresses fault on access instead. */
  #writable(a: bigint): boolean {
    const p = this.#memory.protectionOf(a);
    return p === -1 || (p & PROT_WRITE) !== 0;
  }

  #handlerAccess(addr: bigint | number, size: number, value: bigint | null): bigint {
    const a = BigInt.asUintN(this.#arch.bits, BigInt(addr));
    const m = this.#memory;
    try {
      if (value === null) {
        if (size === 1) return BigInt(m.readU8(a));
        if (size === 2) return BigInt(m.readU16(a));
        if (size === 4) return BigInt(m.readU32(a));
        return m.readU64(a);
      }
      // CONFIG_DEBUG_RODATA: text and rodata are read-only to everyone but
      // Kprobes (memory.pokeText); host writes ignore page protection, so
      // the check is here.
      if (!this.#writable(a) || !this.#writable(a + BigInt(size - 1))) return BigInt(-EFAULT);
      if (size === 1) m.writeU8(a, Number(value & 0xffn));
      else if (size === 2) m.writeU16(a, Number(value & 0xffffn));
      else if (size === 4) m.writeU32(a, Number(value & 0xffffffffn));
      else m.writeU64(a, BigInt.asUintN(64, value));
      return 0n;
    } catch (e) {
      if (!(e instanceof Fault) && !(e instanceof Error && e.name === "GuestMemoryError")) throw e;
      const cpu = this.#abiCpu;
      if (
        this.#kprobes.ctlblk(cpu.id).current !== null &&
        this.#kprobes.onFault(cpu, this.#arch.traps.pageFault)
      ) {
        throw new HandlerAbort("fault handled");
      }
      const what = a < 4096n ? "NULL pointer dereference" : "paging request";
      this.#incidents.oopses++;
      this.#logDirect(
        1,
        `BUG: unable to handle kernel ${what} at ${this.#hex(a)} in a probe handler`,
      );
      this.#dumpStack(cpu);
      throw new HandlerAbort("oops");
    }
  }

  // ---------------------------------------------------------------- public API

  /** The architecture this kernel runs. */
  get arch(): string {
    return this.#arch.name;
  }

  /** Number of CPUs (NR_CPUS). */
  get nrCpus(): number {
    return this.#cpus.length;
  }

  /** Whether CONFIG_PREEMPT behaviour is on. */
  get preempt(): boolean {
    return this.#preempt;
  }

  /**
   * The CPU whose trap or call the kernel is handling right now (inside a
   * handler: the CPU that hit the probe). Linux: `smp_processor_id()`.
   */
  currentCpu(): number {
    return this.#abiCpu.id;
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
    return { ...this.#incidents };
  }

  /** Guest instructions executed so far, all CPUs. */
  get instructions(): number {
    return this.#executed;
  }

  /** The guest address space. */
  get memory(): Memory {
    return this.#memory;
  }

  /** The kernel's symbol table. */
  get kallsyms(): Kallsyms {
    return this.#kallsyms;
  }

  /** The die-notifier chain (register_die_notifier). */
  get dieChain(): NotifierChain {
    return this.#die;
  }

  /** `/proc/kallsyms` text. */
  procKallsyms(): string {
    return this.#kallsyms.procKallsyms();
  }

  /**
   * The debugfs Kprobes list, one line per registered probe, `k`, `j` or `r`:
   * `ffffffff81001000  k  do_fork+0x0    [module]`, with ` [DISABLED]` at
   * the end of a disabled probe's line.
   */
  kprobesList(): string {
    return this.#kprobes.list().map(({ kp, addr, owner, disabled }) => {
      const kind = this.#jprobes.owns(kp) ? "j" : this.#kretprobes.owns(kp) ? "r" : "k";
      const where = this.#kallsyms.formatAddress(addr).replace(/\/0x[0-9a-f]+$/, "");
      // 6.1 report_probe() appends "[DISABLED]" after one space.
      return `${this.#hex(addr)}  ${kind}  ${where}${owner ? `    [${owner}]` : ""}${
        disabled ? " [DISABLED]" : ""
      }\n`;
    }).join("");
  }

  /** Whether registered probes are armed (debugfs `kprobes/enabled`). */
  get kprobesEnabled(): boolean {
    return this.#kprobes.enabled;
  }

  /**
   * Arms or disarms every registered probe at once, as writing 1 or 0 to
   * `/sys/kernel/debug/kprobes/enabled` does; registrations stay.
   *
   * @param on Armed or not.
   */
  setKprobesEnabled(on: boolean): void {
    this.#checkAlive("setKprobesEnabled");
    this.#kprobes.setEnabled(on);
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
    this.#checkAlive("callFunction");
    const fn = typeof name === "string" ? this.#kallsyms.lookupName(name) : 0n;
    if (fn === 0n || !this.#isFunctionEntry(fn)) {
      throw new KernelError(
        `Cannot call "${String(name)}": it is not a kernel function, see kallsyms`,
      );
    }
    if (!Array.isArray(args) || args.length > 16) {
      throw new KernelError(
        `Cannot call "${name}" with ${
          Array.isArray(args) ? `${args.length} arguments` : "these arguments"
        }: pass an array of at most 16 integers or strings`,
      );
    }
    const id = options?.cpu ?? 0;
    const cpu = Number.isInteger(id) ? this.#cpus[id] : undefined;
    if (cpu === undefined) {
      throw new KernelError(
        `Cannot call "${name}" on CPU ${
          String(id)
        }: there are ${this.#cpus.length} CPUs, numbered 0 to ${this.#cpus.length - 1}`,
      );
    }
    const values: (bigint | string)[] = [];
    for (const [i, a] of args.entries()) {
      if (typeof a === "string") values.push(a);
      else if (typeof a === "bigint") values.push(BigInt.asUintN(64, a));
      else if (typeof a === "number" && Number.isSafeInteger(a)) {
        values.push(BigInt.asUintN(64, BigInt(a)));
      } else {
        throw new KernelError(
          `Cannot call "${name}" with argument ${i} = ${
            typeof a === "number" ? a : typeof a
          }: arguments must be integers (number or bigint) or strings`,
        );
      }
    }
    const prev = this.#abiCpu;
    this.#abiCpu = cpu;
    try {
      const r = this.#callGuest(cpu, fn, values);
      this.#flushConsole();
      return BigInt.asUintN(this.#arch.bits, r);
    } finally {
      this.#abiCpu = prev;
    }
  }

  /**
   * Hits of a registered kprobe's probe point (every kprobe, jprobe or
   * return probe's `kp` at that address shares the count).
   *
   * @param kp The kprobe (`jp.kp`, `rp.kp` for the others).
   * @returns The count, or -1 when it is not registered.
   */
  kprobeHits(kp: Kprobe): number {
    return this.#kprobes.hits(kp);
  }

  /**
   * Per-probe hits and misses in the format of Linux's
   * `/sys/kernel/debug/tracing/kprobe_profile`: name, hits, misses.
   *
   * @returns The text.
   */
  kprobeProfile(): string {
    return this.#kprobes.list().map(({ kp, addr, nhit }) => {
      const name = this.#kallsyms.formatAddress(addr).replace(/\/0x[0-9a-f]+$/, "");
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
    this.#checkAlive("registerKprobe");
    return this.#kprobes.register(kp);
  }

  /**
   * Unregisters a kprobe registered from host code.
   *
   * @param kp The kprobe.
   */
  unregisterKprobe(kp: Kprobe): void {
    this.#checkAlive("unregisterKprobe");
    this.#kprobes.unregister(kp);
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
    this.#checkAlive("enableKprobe");
    return this.#kprobes.enable(kp);
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
    this.#checkAlive("disableKprobe");
    return this.#kprobes.disable(kp);
  }

  /**
   * Registers a jprobe from host code.
   *
   * @param jp The jprobe.
   * @returns 0 or a negative errno.
   */
  registerJprobe(jp: Jprobe): number {
    this.#checkAlive("registerJprobe");
    return this.#jprobes.register(jp);
  }

  /**
   * Unregisters a jprobe registered from host code.
   *
   * @param jp The jprobe.
   */
  unregisterJprobe(jp: Jprobe): void {
    this.#checkAlive("unregisterJprobe");
    this.#jprobes.unregister(jp);
  }

  /**
   * Registers a return probe from host code.
   *
   * @param rp The return probe.
   * @returns 0 or a negative errno.
   */
  registerKretprobe(rp: Kretprobe): number {
    this.#checkAlive("registerKretprobe");
    return this.#kretprobes.register(rp);
  }

  /**
   * Unregisters a return probe registered from host code.
   *
   * @param rp The return probe.
   */
  unregisterKretprobe(rp: Kretprobe): void {
    this.#checkAlive("unregisterKretprobe");
    this.#kretprobes.unregister(rp);
  }

  /**
   * Free instances of a return probe: equal to `maxactive` when nothing is
   * pending, so a test can show that exiting tasks leak none.
   *
   * @param rp The return probe.
   * @returns The count.
   */
  kretprobeFreeInstances(rp: Kretprobe): number {
    return this.#kretprobes.freeInstances(rp);
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
    this.#checkAlive("insmod");
    const resolved = await resolveModule(source);
    const name = options?.name ?? resolved.name;
    if (typeof name !== "string" || name === "") {
      throw new ModuleError(
        `Cannot insert module "${resolved.origin}": the name ${
          describeValue(name, true)
        } is not a non-empty string, pass another name`,
      );
    }
    if (this.#modules.has(name) || this.#loading.has(name)) {
      throw new ModuleError(
        `Cannot insert module "${resolved.origin}": a module named "${name}" is already loaded, rmmod it first`,
      );
    }
    const set = setInsmodParams(resolved, name, options?.params, this.#arch.bits);
    for (const line of set.warnings) this.#logDirect(4, line);
    if (set.error !== null) {
      this.#logDirect(3, set.error.log);
      this.#flushConsole();
      throw new ModuleError(
        `Cannot insert module "${resolved.origin}": ${set.error.reason} (-${
          errnoName(-set.error.errno)
        })`,
      );
    }
    this.#loading.add(name);
    this.#kprobes.takeUnknownSymbol();
    let failure: string | null = null;
    let cause: unknown = undefined;
    const call = this.#callModule(name, "init_module", () => resolved.exports.init_module());
    let ret = call.value;
    try {
      if (call.threw) {
        failure = this.#threwText("init_module", call.value);
        cause = call.value;
      } else if (ret !== null && (typeof ret === "object" || typeof ret === "function")) {
        try {
          ret = await ret;
        } catch (e) {
          failure = isHandlerAbort(e)
            ? "init_module oopsed, see the kernel log"
            : isJprobeReturn(e)
            ? "init_module called jprobe_return() outside a jprobe handler"
            : `init_module's promise rejected with ${describeValue(e)}`;
          cause = e;
        }
      }
    } finally {
      call.ctx.open = false;
      this.#loading.delete(name);
    }
    failure ??= this.#initResult(name, ret);
    const unknown = this.#kprobes.takeUnknownSymbol();
    if (failure !== null && ret === -ENOENT && unknown !== null) {
      // The last registration of this init refused a symbol_name: name it.
      const hint = didYouMean(unknown.suggestions);
      failure += `: unknown symbol ${JSON.stringify(unknown.name)}${hint ? ` (${hint})` : ""}`;
    }
    if (failure !== null) {
      this.#removeLeftovers(name, false);
      this.#flushConsole();
      throw new ModuleError(
        `Cannot insert module "${resolved.origin}": ${failure}`,
        cause === undefined ? undefined : { cause },
      );
    }
    this.#modules.set(name, { name, origin: resolved.origin, exports: resolved.exports });
    this.#flushConsole();
    return { name, origin: resolved.origin, probes: this.#kprobes.ownedBy(name).length };
  }

  /** Names whose init_module is running (Linux: MODULE_STATE_COMING). */
  readonly #loading = new Set<string>();

  /** Why `init_module`'s result `ret` fails the insmod, or null when it loads. Linux: do_init_module(). */
  #initResult(name: string, ret: unknown): string | null {
    if (ret === undefined || ret === 0) return null;
    if (typeof ret !== "number" || !Number.isInteger(ret)) {
      return `init_module returned ${
        describeValue(ret, true)
      }, not an int: return 0 or a negative errno`;
    }
    if (ret < 0) return `init_module returned ${ret} (${errnoName(ret)})`;
    this.#logDirect(
      4,
      `do_init_module: '${name}'->init suspiciously returned ${ret}, it should follow 0/-E convention`,
    );
    this.#logDirect(4, "do_init_module: loading module anyway...");
    return null;
  }

  /** What a module function threw, for a message. */
  #threwText(what: string, e: unknown): string {
    const head = `${what} `;
    if (isHandlerAbort(e)) return `${head}oopsed, see the kernel log`;
    if (isJprobeReturn(e)) return `${head}called jprobe_return() outside a jprobe handler`;
    return `${head}threw ${describeValue(e)}`;
  }

  /**
   * Runs a module function in the module's kernel context, synchronous and
   * asynchronous; never throws. The caller closes `ctx` when the result settles.
   */
  #callModule(name: string, what: string, fn: () => unknown): ModuleCall {
    this.#heartbeat?.enter(name, what, this.#abiCpu.id, undefined);
    const prevOwner = this.#currentOwner;
    this.#currentOwner = name;
    const ctx: AsyncKernelContext = {
      abi: this.#resumingAbi(name),
      open: true,
      late: (call) => {
        this.#logDirect(
          4,
          `kprobes: ${call}() from module ${name} after its ${what} finished: ignored (-EINVAL)`,
        );
        this.#flushConsole();
      },
    };
    try {
      return { ctx, threw: false, value: runAsyncKernelContext(ctx, this.#frame(name), fn) };
    } catch (e) {
      return { ctx, threw: true, value: e };
    } finally {
      this.#currentOwner = prevOwner;
      this.#heartbeat?.leave();
    }
  }

  /**
   * The ABI as code after an `await` in a running module function sees it:
   * each call re-enters the module's context (owner and frame) first.
   */
  #resumingAbi(owner: string): KernelAbi {
    const frame = this.#frame(owner);
    const out: Record<string, unknown> = {};
    for (const [key, f] of Object.entries(this.#abi)) {
      const call = f as (...args: unknown[]) => unknown;
      out[key] = (...args: unknown[]) => {
        const prevOwner = this.#currentOwner;
        this.#currentOwner = owner;
        try {
          return withKernelContext(frame, () => call(...args));
        } finally {
          this.#currentOwner = prevOwner;
        }
      };
    }
    return out as unknown as KernelAbi;
  }

  #removeLeftovers(name: string, report: boolean): number {
    const left = this.#kprobes.ownedBy(name);
    for (const kp of left) {
      if (report) {
        const addr = BigInt(kp.addr ?? 0);
        this.#logDirect(
          4,
          `kprobes: module ${name} left a kprobe registered at ${
            this.#kallsyms.formatAddress(addr)
          }, unregistering it`,
        );
      }
      if (!this.#jprobes.unregisterByKprobe(kp) && !this.#kretprobes.unregisterByKprobe(kp)) {
        this.#kprobes.unregister(kp);
      }
    }
    return left.length;
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
    const mod = this.#modules.get(name);
    if (mod === undefined) {
      this.#checkAlive("rmmod");
      throw new ModuleError(
        `Cannot remove module ${describeValue(name, true)}: it is not loaded, see lsmod`,
      );
    }
    try {
      const exports = mod.exports;
      const call = this.#callModule(name, "cleanup_module", () => {
        // Read inside the call: a throwing getter is the cleanup's failure.
        const cleanup = exports.cleanup_module;
        return typeof cleanup === "function" ? cleanup.call(exports) : undefined;
      });
      call.ctx.open = false;
      if (call.threw) {
        this.#incidents.handlerErrors++;
        this.#logDirect(
          3,
          `kprobes: module ${name}: ${this.#threwText("cleanup_module", call.value)}`,
        );
      } else if (call.value !== null && typeof call.value === "object") {
        this.#logDirect(
          4,
          `kprobes: module ${name}: cleanup_module returned a promise; rmmod does not wait for it`,
        );
        const report = (e: unknown) => {
          this.#incidents.handlerErrors++;
          this.#logDirect(
            3,
            `kprobes: module ${name}: cleanup_module's promise rejected with ${describeValue(e)}`,
          );
          this.#flushConsole();
        };
        try {
          Promise.resolve(call.value).then(undefined, report);
        } catch (e) {
          report(e); // a Promise whose `constructor` getter throws
        }
      }
    } finally {
      this.#removeLeftovers(name, true);
      this.#modules.delete(name);
      this.#kprobes.collectSlots();
      this.#flushConsole();
    }
  }

  /** The loaded modules, in load order. */
  lsmod(): ModuleInfo[] {
    return [...this.#modules.values()].map((m) => ({
      name: m.name,
      origin: m.origin,
      probes: this.#kprobes.ownedBy(m.name).length,
    }));
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
    this.#checkAlive("run");
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
    if (this.#driver === null) this.#driver = new WorkloadDriver(workload);
    else this.#driver.restart(workload);
    const driver = this.#driver;
    const before = this.#executed;
    const seconds = options.watchdog ?? 10;
    if (typeof seconds !== "number" || !(seconds > 0)) {
      throw new KernelError(
        `Cannot run with watchdog ${
          String(seconds)
        }: it must be a number of seconds above 0, or Infinity to turn it off`,
      );
    }
    const host = options.watchdogClock === "host";
    this.#wdCycles = seconds * this.#tscKhz * 1000;
    this.#wdWallMs = host ? seconds * 1000 : Infinity;
    // Linux's hung-task check (khungtaskd), for the workload: when no system
    // call completes for HUNG_TASK_TIMEOUT_SECS of guest time (every sleep
    // is shorter, see MAX_SLEEP_MS), the tasks are blocked for good (a
    // parent waiting for children parked after a recursive fault): end the
    // run instead of ticking until maxInstructions.
    const clock = this.#cpus[0];
    const hungCycles = HUNG_TASK_TIMEOUT_SECS * this.#tscKhz * 1000;
    let seen = driver.records.length;
    let since = clock.tsc;
    let hung = false;
    try {
      this.#runLoop(() => {
        if (this.#workloadComplete(driver)) return true;
        if (driver.records.length !== seen) {
          seen = driver.records.length;
          since = clock.tsc;
        } else if (clock.tsc - since > hungCycles) hung = true;
        return hung;
      }, limit);
    } finally {
      this.#wdCycles = Infinity;
      this.#wdWallMs = Infinity;
    }
    if (hung) {
      this.#reportHungTasks();
      this.#stopReason = "hungTask";
    }
    const completed = this.#workloadComplete(driver);
    this.#flushConsole();
    return {
      instructions: this.#executed - before,
      syscalls: [...driver.records],
      completed,
      stopReason: this.#stopReason,
    };
  }

  /** Stops the kernel; further calls are errors. */
  shutdown(): Promise<void> {
    if (!this.#shutDown) {
      this.#shutDown = true;
      // rmmod reports a failing cleanup and removes the module anyway, so
      // every module's cleanup_module runs.
      for (const name of [...this.#modules.keys()].reverse()) this.rmmod(name);
    }
    return Promise.resolve();
  }

  /** `await using kernel = await Kernel.boot()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
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
    this.#checkAlive("ptRegs");
    const cpu = Number.isInteger(id) ? this.#cpus[id] : undefined;
    if (cpu === undefined) {
      throw new KernelError(
        `Cannot read pt_regs of CPU ${
          String(id)
        }: the kernel has ${this.#cpus.length} CPUs, numbered 0 to ${this.#cpus.length - 1}`,
      );
    }
    return this.#arch.ptRegs(cpu) as unknown as PtRegs;
  }

  /**
   * Linux: check_hung_task()'s report for each task parked after a
   * recursive fault that is still in TASK_UNINTERRUPTIBLE.
   */
  #reportHungTasks(): void {
    for (const [pid, task] of this.#parked) {
      try {
        const t = this.#taskRef(task);
        if (t.pid !== pid || this.#memory.readU32(task + 4n) !== TASK_UNINTERRUPTIBLE) continue;
        this.#logDirect(
          3,
          `INFO: task ${t.comm}:${pid} blocked for more than ${HUNG_TASK_TIMEOUT_SECS} seconds.`,
        );
      } catch {
        // Freed and unmapped: not hung.
      }
    }
  }

  /** Throws when the kernel has been shut down. */
  #checkAlive(what: string): void {
    if (this.#shutDown) {
      throw new KernelError(`Cannot run "${what}": the kernel has been shut down, boot a new one`);
    }
  }
}
