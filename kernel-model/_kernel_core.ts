// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The state one kernel's seams share, and how they fit. `Kernel`
 * (kernel.ts) is the public class; it builds one `KernelCore` and one object
 * per seam, each holding the core:
 *
 * - `traps` (_traps.ts): the die-chain entry, fixups, Oops, panic;
 * - `host` (_host_calls.ts): host → guest calls, printk, handler memory;
 * - `mods` (_modules.ts): insmod, rmmod, lsmod, module calls;
 * - `calls` (_abi.ts): the kernel ABI and handler invocation;
 * - `loop` (_run_loop.ts): the run loop and its watchdogs;
 * - `work` (_workload_run.ts): system calls issued for a workload.
 *
 * Seams reach each other through the core (`this.k.traps.oops(...)`), so no
 * seam file imports another and the import graph stays acyclic; only
 * kernel.ts imports probes/ values (the probe cores are wired by
 * _probe_wiring.ts from the classes kernel.ts passes in). Private to
 * kernel-model/: members are plain public fields, as hot machine state is
 * (STYLE.md rule 9).
 *
 * @module
 */

import { type Arch, type ArchCpu, PF_WRITE } from "../arch/types.ts";
import { isProxy } from "node:util/types";
import type { KprobesCore } from "../probes/kprobes.ts";
import type { Jprobes } from "../probes/jprobes.ts";
import type { Kretprobes } from "../probes/kretprobes.ts";
import type { TaskRef } from "../probes/types.ts";
import type { AsyncKernelContext, KernelContextFrame } from "./context.ts";
import { type ElfFile, PT_LOAD } from "./elf.ts";
import { KernelError } from "./errors.ts";
import { Kallsyms } from "./kallsyms.ts";
import { Memory, PROT_EXEC, PROT_READ, PROT_USER, PROT_WRITE } from "./memory.ts";
import type { KernelModule } from "./module.ts";
import { type DieArgs, NotifierChain } from "./notifier.ts";
import type { WorkloadDriver } from "./workload_driver.ts";
import { UserScratch } from "./syscall_args.ts";
import { LogBuffer } from "./printk.ts";
import type { CheckedBootOptions } from "./boot_options.ts";
import type { Heartbeat } from "./watchdog.ts";
import type { KernelIncidents, RunStopReason } from "./kernel_options.ts";
import type { RunLoop } from "./_run_loop.ts";
import type { WorkloadRun } from "./_workload_run.ts";
import type { Traps } from "./_traps.ts";
import type { HostCalls } from "./_host_calls.ts";
import type { KernelCalls } from "./_abi.ts";
import type { Modules } from "./_modules.ts";

export type Cpu = ArchCpu & { id: number };

export const CPU_RUNNING = 0;
export const CPU_HALTED = 1;
export const CPU_USER = 2;
export const CPU_DEAD = 3;

export const THREAD_SIZE = 16384n;
/** Clears the offset within a kernel stack (THREAD_SIZE as a number mask). */
const THREAD_MASK = ~(16384 - 1);
/** task_struct.state of a task nothing but wake_up_process() brings back. */
export const TASK_UNINTERRUPTIBLE = 2;
/** task_struct.state of an exited task not yet reaped, and of a reaped one (ABI.md). */
export const TASK_ZOMBIE = 16;
export const TASK_DEAD = 32;
/** What `WorkloadRun.othersState()` (_workload_run.ts) finds of the workload's other tasks. */
export const OTHERS_NONE = 0;
export const OTHERS_ALIVE = 1;
export const OTHERS_ZOMBIES = 2;
/**
 * Guest seconds without a completed system call after which `run()` ends a
 * blocked workload (Linux's default hung_task_timeout_secs).
 */
export const HUNG_TASK_TIMEOUT_SECS = 120;
/** Kernel stack a host → guest call leaves to the guest function it calls. */
export const HOST_CALL_STACK_RESERVE = 2048n;
/** thread_info flags bit: schedule() at the next opportunity. */
export const TIF_NEED_RESCHED = 3;

/** The outcome of one module-function call. */
export interface ModuleCall {
  /** Its asynchronous context, to close when it settles. */
  ctx: AsyncKernelContext;
  /** Whether it threw synchronously. */
  threw: boolean;
  /** What it returned or threw. */
  value: unknown;
}

export interface LoadedModule {
  name: string;
  origin: string;
  exports: KernelModule;
}

/** `ri->task`: fields are read from the task_struct on first use. */
export class LazyTask implements TaskRef {
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
export class StackRoomError extends KernelError {
  constructor(readonly problem: string) {
    super(`Cannot call into the guest: ${problem}, call from a shallower context`);
    this.name = "KernelError";
  }
}

/** Thrown through a handler to abandon it after an Oops inside it. */
export class HandlerAbort {
  constructor(readonly reason: string) {}
}

/** Is `e` a HandlerAbort? (Asked of any thrown value: runs no Proxy trap, no getter.) */
export function isHandlerAbort(e: unknown): e is HandlerAbort {
  return typeof e === "object" && e !== null && !isProxy(e) &&
    Object.getPrototypeOf(e) === HandlerAbort.prototype;
}

/** The symbols the host needs from the image. */
export interface KernelSymbols {
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

/**
 * The state one kernel's seams share: arch, memory, CPUs and their state
 * arrays, kallsyms, symbols, log, incidents, modules and the probe cores,
 * with the small helpers every seam uses. Internal to kernel-model/.
 */
export class KernelCore {
  readonly arch: Arch;
  readonly memory: Memory;
  readonly elf: ElfFile;
  readonly kallsyms: Kallsyms;
  readonly cpus: Cpu[] = [];
  readonly state: Int32Array;
  readonly nextTick: Float64Array;
  readonly tickPeriod: number;
  readonly quantum: number;
  readonly sym: KernelSymbols;
  readonly die = new NotifierChain();
  /** Preallocated die_args per CPU: a probe hit allocates nothing here. */
  readonly dieArgs: DieArgs[] = [];
  readonly modules = new Map<string, LoadedModule>();
  readonly frames = new Map<string | null, KernelContextFrame>();
  readonly log: LogBuffer;
  readonly ptrSize: number;
  readonly preempt: boolean;
  readonly kernelHi: number;
  readonly tscKhz: number;
  driver: WorkloadDriver | null = null;
  executed = 0;
  abiCpu: Cpu;
  hostCallDepth = 0;
  hostCallAborted = false;
  oopsCount = 0;
  readonly incidents: KernelIncidents = { oopses: 0, panics: 0, handlerErrors: 0, lockups: 0 };
  shutDown = false;
  readonly heartbeat: Heartbeat | null;
  /** Per CPU: guest clock when it last scheduled, idled or was in user mode. */
  readonly touchTsc: Float64Array;
  /** Per CPU: the task it ran then (low address half). */
  readonly touchTask: Float64Array;
  /** Per CPU: host clock (ms) when the run loop first saw that touch. */
  readonly touchWall: Float64Array;
  /** Per CPU: host clock (ms) of its last timer tick. */
  readonly tickWall: Float64Array;
  /** Watchdog bound in guest cycles, and in host ms (Infinity: guest clock only). */
  wdCycles = Infinity;
  wdWallMs = Infinity;
  stopReason: RunStopReason = "completed";
  /** Each live task's user scratch page. */
  readonly scratch: UserScratch;
  /** Pids an Oops sent to do_exit: a second Oops is a recursive fault. */
  readonly oopsExiting = new Set<number>();
  /** Tasks parked after a recursive fault: pid → task_struct. */
  readonly parked = new Map<number, bigint>();
  /** task_struct of each workload task seen in user mode or sent to do_exit, by pid. */
  readonly taskAt = new Map<number, bigint>();
  /** Set by `Kernel`'s constructor: the probe cores and seams (only kernel.ts may build them). */
  kprobes!: KprobesCore;
  jprobes!: Jprobes;
  kretprobes!: Kretprobes;
  loop!: RunLoop;
  work!: WorkloadRun;
  traps!: Traps;
  host!: HostCalls;
  calls!: KernelCalls;
  mods!: Modules;
  /** probes/ helpers the seams need (only kernel.ts may import probes/ values). */
  isJprobeReturn!: (e: unknown) => boolean;
  jprobeReturnSignal: unknown;
  didYouMean!: (suggestions: readonly string[]) => string;

  constructor(arch: Arch, elf: ElfFile, options: CheckedBootOptions) {
    this.arch = arch;
    this.#spLoAt = arch.spRegs?.[0] ?? -1;
    this.#spHiAt = arch.spRegs?.[1] ?? -1;
    this.elf = elf;
    this.ptrSize = arch.bits / 8;
    this.preempt = options.preempt;
    this.kernelHi = Number((arch.kernelBase >> 32n) & 0xffffffffn);
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
    // Kernel RAM and the user area in one allocation: no copy per mapping.
    this.memory = new Memory({
      littleEndian: arch.littleEndian,
      capacity: memSize + Math.ceil(arch.userSize / 4096) * 4096,
    });
    this.memory.map(arch.kernelBase, memSize, PROT_READ | PROT_WRITE);
    this.memory.map(arch.userBase, arch.userSize, PROT_READ | PROT_WRITE | PROT_USER);
    this.scratch = new UserScratch(arch.userBase, arch.userSize);
    this.loadSegments(memSize);
    this.kallsyms = Kallsyms.fromElf(elf, arch.kallsymsOptions);
    this.sym = this.resolveSymbols();
    this.log = new LogBuffer(this.memory, this.sym.logBuf, this.sym.logEnd, options.console);
    const hz = options.hz;
    const tscKhz = options.cpuMhz * 1000;
    this.tscKhz = tscKhz;
    this.tickPeriod = Math.round((tscKhz * 1000) / hz);
    this.quantum = options.quantum;
    this.writeBootParams(memSize, nr, hz, options.maxTasks, tscKhz);
    this.state = new Int32Array(nr);
    this.nextTick = new Float64Array(nr).fill(this.tickPeriod);
    this.touchTsc = new Float64Array(nr);
    this.touchTask = new Float64Array(nr);
    this.touchWall = new Float64Array(nr).fill(performance.now());
    this.tickWall = new Float64Array(nr).fill(performance.now());
    this.heartbeat = options.heartbeat ?? null;
    this.heartbeat?.bindTasks((id) => {
      const cpu = this.cpus[id];
      const pc = this.arch.getPc(cpu);
      const at = `[<${this.hex(pc)}>] ${this.kallsyms.formatAddress(pc)}`;
      return { ...this.taskRef(this.currentTask(cpu)), at };
    });
    for (let i = 0; i < nr; i++) {
      const cpu = arch.createCpu(this.memory, i) as Cpu;
      cpu.id = i;
      if (options.jitThreshold !== undefined) cpu.jitThreshold = options.jitThreshold;
      this.cpus.push(cpu);
      this.dieArgs.push({ cpu, str: "", err: 0, trapnr: 0 });
      arch.startCpu(cpu, i === 0 ? elf.entry : this.sym.secondary, BigInt(i));
    }
    this.abiCpu = this.cpus[0];
  }
  currentOwner: string | null = null;

  // ---------------------------------------------------------------- loading

  loadSegments(memSize: number): void {
    const elf = this.elf;
    const base = this.arch.kernelBase;
    for (const seg of elf.segments) {
      if (seg.type !== PT_LOAD || seg.memsz === 0) continue;
      if (seg.vaddr < base || seg.vaddr + BigInt(seg.memsz) > base + BigInt(memSize)) {
        throw new KernelError(
          `Cannot load "${elf.name}": segment at 0x${
            seg.vaddr.toString(16)
          } lies outside kernel RAM at 0x${base.toString(16)}`,
        );
      }
      this.memory.writeBytes(seg.vaddr, elf.bytes.subarray(seg.offset, seg.offset + seg.filesz));
    }
    for (const seg of elf.segments) {
      if (seg.type !== PT_LOAD || seg.memsz === 0 || (seg.flags & 2) !== 0) continue;
      // Read-only segments (text, rodata) are write-protected like CONFIG_DEBUG_RODATA.
      const start = seg.vaddr & ~0xfffn;
      const end = (seg.vaddr + BigInt(seg.memsz) + 0xfffn) & ~0xfffn;
      const exec = (seg.flags & 1) !== 0 ? PROT_EXEC : 0;
      this.memory.protect(start, Number(end - start), PROT_READ | exec);
    }
  }
  need(name: string): bigint {
    const a = this.kallsyms.lookupName(name);
    if (a === 0n) {
      throw new KernelError(
        `Cannot boot "${this.elf.name}": it lacks the symbol "${name}" the host needs (see kernel-model/vmlinux/ABI.md)`,
      );
    }
    return a;
  }
  symbolRange(name: string): [bigint, bigint] {
    const start = this.need(name);
    const size = this.kallsyms.lookupSymbol(name)?.size ?? 0n;
    return [start, start + (size > 0n ? size : 16n)];
  }

  /**
   * Is `addr` inside an executable section of the image (SHF_EXECINSTR)
   * within `_stext`…`_etext`? The alignment gaps between sections are not
   * text. Linux: kernel_text_address().
   */
  isTextAddress(addr: bigint): boolean {
    if (addr < this.sym.text[0] || addr >= this.sym.text[1]) return false;
    for (const s of this.elf.sections) {
      if (
        (s.flags & 4n) !== 0n && s.addr !== 0n && addr >= s.addr && addr < s.addr + BigInt(s.size)
      ) {
        return true;
      }
    }
    return false;
  }
  isFunctionEntry(addr: bigint): boolean {
    const s = this.kallsyms.lookupAddress(addr);
    return s !== undefined && s.offset === 0n && addr >= this.sym.text[0] &&
      addr < this.sym.text[1];
  }
  resolveSymbols(): KernelSymbols {
    return {
      bootParams: this.need("boot_params"),
      cpuCurr: this.need("cpu_curr"),
      logBuf: this.need("__log_buf"),
      logEnd: this.need("log_end"),
      hostCallReturn: this.need("host_call_return"),
      oopsDoExit: this.need("oops_do_exit"),
      printk: this.need("printk"),
      schedule: this.need("schedule"),
      secondary: this.need(this.arch.secondaryEntry),
      jprobeTrampoline: this.symbolRange("jprobe_trampoline"),
      kretprobeTrampoline: this.need("kretprobe_trampoline"),
      flushTask: this.need("kprobe_flush_task"),
      kprobesText: [this.need("__kprobes_text_start"), this.need("__kprobes_text_end")],
      insnSlots: [this.need("__insn_slots_start"), this.need("__insn_slots_end")],
      text: [this.need("_stext"), this.need("_etext")],
      exTable: [this.need("__start___ex_table"), this.need("__stop___ex_table")],
    };
  }
  writeBootParams(
    memSize: number,
    nr: number,
    hz: number,
    maxTasks: number,
    tscKhz: number,
  ): void {
    const m = this.memory;
    const b = this.sym.bootParams;
    m.writeU64(b, BigInt(memSize));
    m.writeU32(b + 8n, nr);
    m.writeU32(b + 12n, this.preempt ? 1 : 0);
    m.writeU32(b + 16n, hz);
    m.writeU32(b + 20n, maxTasks);
    m.writeU64(b + 24n, BigInt(tscKhz));
  }

  // ---------------------------------------------------------------- guest data

  readPtr(addr: bigint): bigint {
    return this.ptrSize === 8 ? this.memory.readU64(addr) : BigInt(this.memory.readU32(addr));
  }
  currentTask(cpu: Cpu): bigint {
    return this.readPtr(this.sym.cpuCurr + BigInt(cpu.id * this.ptrSize));
  }
  taskRef(task: bigint): TaskRef {
    const m = this.memory;
    if (task === 0n) {
      return { address: this.addr(0n), pid: 0, tgid: 0, comm: "swapper", state: 0, cpu: 0 };
    }
    const pid = m.readU32(task) | 0;
    const state = m.readU32(task + 4n) | 0;
    const comm = m.readCString(task + 16n, 16);
    // task->stack is the thread_info; its cpu follows the task pointer and flags.
    let cpu = 0;
    try {
      cpu = m.readU32(this.readPtr(task + 32n) + BigInt(this.ptrSize + 4)) | 0;
    } catch {
      // A task whose stack is gone (freed): cpu stays 0.
    }
    return { address: this.addr(task), pid, tgid: pid, comm, state, cpu };
  }

  /** Low half of `cpu_curr[cpu]` (kernel addresses share the high half). */
  currentTaskLo(cpu: Cpu): number {
    const a = this.sym.cpuCurr + BigInt(cpu.id * this.ptrSize);
    return this.memory.read32(
      this.kernelHi,
      Number(a & 0xffffffffn) + (this.arch.littleEndian ? 0 : 4),
    );
  }

  /** A TaskRef whose fields are read from guest memory when asked. */
  lazyTask(lo: number): TaskRef {
    return new LazyTask(this.kernelHi, lo >>> 0, this.readTask);
  }

  /** Reads a TaskRef from a task_struct address (one closure for all lazy tasks). */
  readonly readTask = (a: bigint): TaskRef => this.taskRef(a);
  parentPid(task: bigint): number {
    const parent = this.readPtr(task + 32n + BigInt(this.ptrSize));
    return parent === 0n ? 0 : this.memory.readU32(parent) | 0;
  }
  addr(a: bigint): bigint | number {
    return this.arch.bits === 64 ? a : Number(a);
  }
  initInUser(): boolean {
    for (const cpu of this.cpus) {
      if (this.state[cpu.id] === CPU_USER && this.memory.readU32(this.currentTask(cpu)) === 1) {
        return true;
      }
    }
    return false;
  }

  /**
   * Per CPU (4 words each): the stack base whose preempt_count offset is
   * kept (high half, low half, as int32), that offset, and the memory's
   * protectCount it was checked under.
   */
  readonly #preemptAt = new Int32Array(4 * 64).fill(-1);
  /** `arch.spRegs`: the stack pointer's halves in the CPU's regs (-1: none, or 0 for the high half). */
  readonly #spLoAt: number;
  readonly #spHiAt: number;

  /** preempt_count of the task whose kernel stack `cpu` runs on. */
  addPreempt(cpu: Cpu, delta: number): void {
    // thread_info sits at the 16 KiB-aligned base of the stack; the high
    // half of the address does not change within a stack. A probe hit
    // raises and lowers the count around its handlers: the offset of the
    // count is kept per CPU while it runs on the same stack (no BigInt, no
    // translation), checked again after any protect().
    let hi: number;
    let base: number;
    const loAt = this.#spLoAt;
    if (loAt >= 0) {
      const r = (cpu as unknown as { regs: Uint32Array }).regs;
      const hiAt = this.#spHiAt;
      hi = hiAt < 0 ? 0 : r[hiAt] | 0;
      base = r[loAt] & THREAD_MASK;
    } else {
      hi = this.arch.spHi(cpu) | 0;
      base = this.arch.spLo(cpu) & THREAD_MASK;
    }
    const m = this.memory;
    const at = this.#preemptAt;
    const i = (cpu.id & 63) << 2;
    let off: number;
    if (at[i] === hi && at[i + 1] === base && at[i + 3] === m.protectCount) off = at[i + 2];
    else {
      off = this.#preemptOffset(i, hi, base);
      if (off < 0) return;
    }
    const dv = m.dv;
    if (m.littleEndian) dv.setUint32(off, (dv.getUint32(off, true) + delta) >>> 0, true);
    else dv.setUint32(off, (dv.getUint32(off, false) + delta) >>> 0, false);
  }

  // The checked offset of the preempt_count on the stack at `base`, kept in
  // slot `i` when its page is writable and not text (a write to text must
  // be seen by the decode caches every time); -1 when it cannot be written.
  #preemptOffset(i: number, hi: number, base: number): number {
    const m = this.memory;
    const lo = (base + this.ptrSize + 8) >>> 0;
    let off: number;
    try {
      off = m.translate(hi >>> 0, lo, PF_WRITE);
    } catch {
      // A wild stack pointer: the fault path will report it.
      return -1;
    }
    if ((m.protectionOf((BigInt(hi >>> 0) << 32n) | BigInt(lo)) & PROT_EXEC) === 0) {
      const at = this.#preemptAt;
      at[i] = hi;
      at[i + 1] = base;
      at[i + 2] = off;
      at[i + 3] = m.protectCount;
    }
    return off;
  }
  hex(a: bigint): string {
    return a.toString(16).padStart(this.arch.bits / 4, "0");
  }

  /** Writes a line straight into the guest log buffer (for Oops and panic). */
  logDirect(level: number, text: string): void {
    this.log.write(level, text, Math.floor((this.abiCpu.tsc * 1_000_000) / this.tscKhz));
  }

  // ---------------------------------------------------------------- console

  flushConsole(): void {
    this.log.flush();
  }

  /** Names whose init_module is running (Linux: MODULE_STATE_COMING). */
  readonly loading = new Set<string>();

  /** Throws when the kernel has been shut down. */
  checkAlive(what: string): void {
    if (this.shutDown) {
      throw new KernelError(`Cannot run "${what}": the kernel has been shut down, boot a new one`);
    }
  }
}
