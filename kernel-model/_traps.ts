// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Traps of one kernel: the die-chain entry (Linux do_int3(), do_debug(),
 * do_page_fault(), do_general_protection()), `__ex_table` fixups, Oops, panic,
 * recursive faults, and the guest's hypercalls.
 *
 * Private to kernel-model/: `Kernel` (kernel.ts) is the public face and
 * `KernelCore` (_kernel_core.ts) the state the seams share.
 *
 * @module
 */

import {
  STOP_HYPERCALL,
  STOP_TRAP,
  TRAP_BREAKPOINT,
  TRAP_DIVIDE,
  TRAP_GP,
  TRAP_INVALID,
  TRAP_PAGEFAULT,
  TRAP_SINGLESTEP,
} from "../arch/types.ts";
import { Fault } from "../arch/fault.ts";
import type { TaskRef } from "../probes/types.ts";
import { GuestMemoryError } from "./memory.ts";
import {
  DIE_DEBUG,
  DIE_GPF,
  DIE_INT3,
  DIE_PAGE_FAULT,
  DIE_TRAP,
  type DieArgs,
  NOTIFY_STOP,
} from "./notifier.ts";
import { formatOops } from "./oops.ts";
import {
  type Cpu,
  CPU_DEAD,
  type KernelCore,
  TASK_UNINTERRUPTIBLE,
  THREAD_SIZE,
} from "./_kernel_core.ts";

/** The jprobe trampoline's hypercall number (ABI.md). */
const HYPERCALL_JPROBE_ENTRY = 2;

/** The trap half of a kernel: the die chain, Oops and panic. */
export class Traps {
  /**
   * Per CPU: the clock (+1) of the breakpoint or single-step trap the run
   * loop's stop hook already offered to Kprobes, which declined it; the die
   * chain's Kprobes notifier passes that trap on instead of asking again.
   * Keyed by the clock, so a stale mark never hides a later trap.
   */
  readonly kprobesDeclined: Float64Array = new Float64Array(64);

  /** The kernel's shared state. */
  constructor(readonly k: KernelCore) {}

  // ---------------------------------------------------------------- traps

  /**
   * The run loop's stop hook: a breakpoint or single-step trap Kprobes
   * claims, or the jprobe trampoline's hypercall, is handled without
   * leaving the CPU's run loop (Linux's do_int3() and exc_debug_kernel()
   * also ask Kprobes first, before the die chain). Anything else returns
   * to the host's run loop.
   *
   * @returns true when handled.
   */
  fastStop(cpu: Cpu, reason: number): boolean {
    const k = this.k;
    if (reason === STOP_TRAP) {
      const kind = k.arch.trapKind(cpu);
      if (kind === TRAP_BREAKPOINT) {
        // The kretprobe trampoline first: it needs no probe lookup.
        if (k.kretprobes.onTrampoline(cpu) || k.kprobes.onBreakpoint(cpu)) return true;
      } else if (kind === TRAP_SINGLESTEP) {
        if (k.kprobes.onSingleStep(cpu)) return true;
      } else return false;
      this.kprobesDeclined[cpu.id] = cpu.tsc + 1;
      return false;
    }
    if (reason === STOP_HYPERCALL) {
      // An optimized probe's detour call-in never gets here: the hypercall
      // instruction offered it to Kprobes itself (cpu.callIn). The jprobe
      // trampoline calling in: run the jprobe handler here too.
      if (k.arch.hypercallNr(cpu) !== HYPERCALL_JPROBE_ENTRY) return false;
      this.jprobeEntry(cpu);
      return true;
    }
    return false;
  }

  kprobeExceptionsNotify(val: number, args: DieArgs): number {
    const k = this.k;
    const cpu = args.cpu as Cpu;
    switch (val) {
      case DIE_INT3:
        if (this.kprobesDeclined[cpu.id] === cpu.tsc + 1) return 0;
        return k.kprobes.onBreakpoint(cpu) ? NOTIFY_STOP : 0;
      case DIE_DEBUG:
        if (this.kprobesDeclined[cpu.id] === cpu.tsc + 1) return 0;
        return k.kprobes.onSingleStep(cpu) ? NOTIFY_STOP : 0;
      case DIE_GPF:
      case DIE_PAGE_FAULT:
      case DIE_TRAP:
        // Any fault of a single-stepped or emulated instruction: the step
        // is undone (the control block reset, the PC back at the probe) so
        // the kernel handles it as the probed instruction's own fault. With
        // no probe active, a faulting copy in a boosted slot or an optimized
        // probe's detour gets the PC of its original likewise.
        if (k.kprobes.ctlblk(cpu.id).current === null) {
          k.kprobes.onSlotFault(cpu);
          return 0;
        }
        return k.kprobes.onFault(cpu, args.trapnr) ? NOTIFY_STOP : 0;
    }
    return 0;
  }

  /** Linux: do_int3, do_debug, do_page_fault, do_general_protection, do_trap. */
  trap(cpu: Cpu): void {
    const k = this.k;
    const v = cpu.trapVector;
    const err = cpu.trapErrorCode;
    const args = k.dieArgs[cpu.id];
    args.str = "";
    args.err = err;
    args.trapnr = v;
    const kind = k.arch.trapKind(cpu);
    try {
      this.#trapKind(cpu, kind, v, err);
    } finally {
      this.kprobesDeclined[cpu.id] = 0;
    }
  }

  #trapKind(cpu: Cpu, kind: number, v: number, err: number): void {
    const k = this.k;
    const t = k.arch.traps;
    const args = k.dieArgs[cpu.id];
    switch (kind) {
      case TRAP_BREAKPOINT:
        args.str = "int3";
        if (k.die.call(DIE_INT3, args) === NOTIFY_STOP) return;
        this.oops(cpu, {
          title: "int3",
          err: 0,
          bugAt: k.arch.breakpointIsBug ? k.arch.getPc(cpu) : undefined,
        });
        return;
      case TRAP_SINGLESTEP:
        args.str = "debug";
        if (k.die.call(DIE_DEBUG, args) === NOTIFY_STOP) return;
        k.arch.clearTraceFlag(cpu);
        return;
      case TRAP_PAGEFAULT:
      case TRAP_GP: {
        const pf = kind === TRAP_PAGEFAULT;
        args.str = pf ? "page fault" : "general protection fault";
        args.trapnr = pf ? t.pageFault : t.generalProtection;
        if (k.die.call(pf ? DIE_PAGE_FAULT : DIE_GPF, args) === NOTIFY_STOP) return;
        if (this.fixupException(cpu)) return;
        if (pf) {
          const addr = k.arch.faultAddress(cpu);
          const what = addr < 4096n ? "NULL pointer dereference" : "paging request";
          this.oops(cpu, {
            title: `unable to handle kernel ${what} at ${k.hex(addr)}`,
            bug: true,
            err,
          });
        } else this.oops(cpu, { title: "general protection fault", err });
        return;
      }
      case TRAP_INVALID:
        args.str = "invalid opcode";
        if (k.die.call(DIE_TRAP, args) === NOTIFY_STOP) return;
        this.oops(cpu, { title: "invalid opcode", err: 0, bugAt: k.arch.getPc(cpu) });
        return;
      case TRAP_DIVIDE:
        args.str = "divide error";
        if (k.die.call(DIE_TRAP, args) === NOTIFY_STOP) return;
        this.oops(cpu, { title: "divide error", err: 0 });
        return;
      default:
        args.str = `trap ${v}`;
        if (k.die.call(DIE_TRAP, args) === NOTIFY_STOP) return;
        this.oops(cpu, { title: `trap ${v}`, err });
    }
  }

  /** Linux: fixup_exception() over `__ex_table`. */
  fixupException(cpu: Cpu): boolean {
    const pc = this.k.arch.getPc(cpu);
    const [start, end] = this.k.sym.exTable;
    const step = BigInt(this.k.ptrSize);
    for (let e = start; e < end; e += 2n * step) {
      if (this.k.readPtr(e) === pc) {
        this.k.arch.setPc(cpu, this.k.readPtr(e + step));
        return true;
      }
    }
    return false;
  }
  oops(cpu: Cpu, o: { title: string; err: number; bug?: boolean; bugAt?: bigint }): void {
    this.k.oopsCount++;
    this.k.incidents.oopses++;
    const taskAddr = this.k.currentTask(cpu);
    let task: TaskRef;
    try {
      task = this.k.taskRef(taskAddr);
    } catch {
      task = {
        address: this.k.addr(taskAddr),
        pid: 0,
        tgid: 0,
        comm: "(bad task_struct)",
        state: 0,
        cpu: 0,
      };
    }
    const lines = formatOops({
      arch: this.k.arch,
      cpu,
      memory: this.k.memory,
      readText: this.k.kprobes === undefined ? undefined : (a, n) => this.k.kprobes.readText(a, n),
      kallsyms: this.k.kallsyms,
      title: o.title,
      bug: o.bug ?? false,
      bugAt: o.bugAt,
      err: o.err,
      count: this.k.oopsCount,
      pid: task.pid,
      comm: task.comm,
      modules: [...this.k.modules.keys()],
      trace: this.callTrace(cpu),
    });
    for (const l of lines) this.k.logDirect(1, l);
    if (this.k.hostCallDepth > 0) {
      this.k.hostCallAborted = true;
      return;
    }
    if (task.pid <= 1) {
      this.panic(
        cpu,
        task.pid === 0 ? "Attempted to kill the idle task!" : "Attempted to kill init!",
      );
      return;
    }
    if (this.k.oopsExiting.has(task.pid)) {
      this.fixRecursiveFault(cpu, taskAddr, task.pid);
      return;
    }
    this.k.oopsExiting.add(task.pid);
    this.k.taskAt.set(task.pid, taskAddr);
    this.k.scratch.release(task.pid);
    // Linux: do_exit(SIGSEGV) on a fresh stack (rewind_stack_do_exit). The
    // stack comes from task->stack, not the stack pointer, which the fault
    // may have been about.
    try {
      const ti = this.k.readPtr(taskAddr + 32n);
      this.k.arch.setupCall(
        cpu,
        this.k.memory,
        this.k.sym.oopsDoExit,
        [11n],
        0n,
        ti + THREAD_SIZE - 64n,
      );
    } catch (e) {
      if (!(e instanceof Fault) && !(e instanceof GuestMemoryError)) throw e;
      this.panic(cpu, "Fatal exception: the dying task's stack is not mapped");
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
  fixRecursiveFault(cpu: Cpu, taskAddr: bigint, pid: number): void {
    this.k.logDirect(1, "Fixing recursive fault but reboot is needed!");
    this.k.parked.set(pid, taskAddr);
    const m = this.k.memory;
    try {
      const ti = this.k.readPtr(taskAddr + 32n);
      m.writeU32(ti + BigInt(this.k.ptrSize + 8), 0); // preempt_count, as oops_do_exit does
      m.writeU32(taskAddr + 4n, TASK_UNINTERRUPTIBLE);
      // Below the faulting frames when the stack pointer is sane (they may
      // hold wait-queue entries or timers), else at the top of the stack.
      const sp = this.k.arch.getSp(cpu);
      const top = ti + THREAD_SIZE;
      const park = sp > ti + 4096n && sp <= top ? sp - 512n : top - 64n;
      this.k.arch.setupCall(
        cpu,
        m,
        this.k.arch.callTarget(m, this.k.sym.schedule),
        [],
        this.k.sym.oopsDoExit,
        park,
      );
    } catch (e) {
      if (!(e instanceof Fault) && !(e instanceof GuestMemoryError)) throw e;
      this.panic(cpu, `Fatal exception: cannot park pid ${pid} after a recursive fault`);
    }
  }
  panic(cpu: Cpu, msg: string): void {
    this.k.incidents.panics++;
    this.k.logDirect(0, `Kernel panic - not syncing: ${msg}`);
    this.k.state[cpu.id] = CPU_DEAD;
  }
  callTrace(cpu: Cpu): string[] {
    const pcs = this.k.arch.unwind(
      cpu,
      this.k.memory,
      (pc) => this.k.kallsyms.lookupAddress(pc)?.address,
    );
    return pcs.map((pc) => ` [<${this.k.hex(pc)}>] ${this.k.kallsyms.formatAddress(pc)}`);
  }
  /** The jprobe trampoline's hypercall: the jprobe handler runs. */
  jprobeEntry(cpu: Cpu): void {
    const prev = this.k.abiCpu;
    this.k.abiCpu = cpu;
    try {
      this.k.jprobes.runEntry(cpu);
    } finally {
      this.k.abiCpu = prev;
    }
  }
  hypercall(cpu: Cpu): void {
    // An optimized probe's detour that reached the host's run loop (the
    // CPU's budget ran out right after its call-in).
    if (this.k.kprobes.onOptimizedHit(cpu)) return;
    const nr = this.k.arch.hypercallNr(cpu);
    switch (nr) {
      case 1:
        this.k.host.dumpStack(cpu);
        return;
      case HYPERCALL_JPROBE_ENTRY:
        this.jprobeEntry(cpu);
        return;
      case 3: {
        let msg = "";
        try {
          msg = this.k.memory.readCString(this.k.arch.hypercallArg(cpu), 256);
        } catch {
          msg = "(bad message pointer)";
        }
        this.panic(cpu, msg);
        return;
      }
      default:
        this.oops(cpu, { title: `unknown hypercall ${nr}`, err: 0 });
    }
  }
}
