// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Host calls into the guest on one kernel: a guest function called from the
 * host (printk, `Kernel.callFunction()`), console lines, dump_stack(), and a
 * handler's checked memory accesses.
 *
 * Private to kernel-model/: `Kernel` (kernel.ts) is the public face and
 * `KernelCore` (_kernel_core.ts) the state the seams share.
 *
 * @module
 */

import { STOP_BUDGET, STOP_HALT, STOP_HYPERCALL, STOP_TRAP } from "../arch/types.ts";
import { Fault } from "../arch/fault.ts";
import { expandSymbolPointers, type PointerFormat } from "./_printk_pointer.ts";
import { EFAULT } from "./errno.ts";
import { KernelError } from "./errors.ts";
import { GuestMemoryError, PROT_WRITE } from "./memory.ts";
import { boundPrintkArgs, PRINTK_LINE_MAX } from "./printk.ts";
import {
  type Cpu,
  CPU_DEAD,
  HandlerAbort,
  HOST_CALL_STACK_RESERVE,
  type KernelCore,
  StackRoomError,
  THREAD_SIZE,
} from "./_kernel_core.ts";

/** Host → guest calls of a kernel, and a handler's memory accesses. */
export class HostCalls {
  /** The kernel's shared state. */
  constructor(readonly k: KernelCore) {}

  /** See `Kernel.callFunction()`. */
  callFunction(
    name: string,
    args: readonly (bigint | number | string)[] = [],
    options: { cpu?: number } = {},
  ): bigint {
    this.k.checkAlive("callFunction");
    const fn = typeof name === "string" ? this.k.kallsyms.lookupName(name) : 0n;
    if (fn === 0n || !this.k.isFunctionEntry(fn)) {
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
    const cpu = Number.isInteger(id) ? this.k.cpus[id] : undefined;
    if (cpu === undefined) {
      throw new KernelError(
        `Cannot call "${name}" on CPU ${
          String(id)
        }: there are ${this.k.cpus.length} CPUs, numbered 0 to ${this.k.cpus.length - 1}`,
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
    const prev = this.k.abiCpu;
    this.k.abiCpu = cpu;
    try {
      const r = this.callGuest(cpu, fn, values);
      this.k.flushConsole();
      return BigInt.asUintN(this.k.arch.bits, r);
    } finally {
      this.k.abiCpu = prev;
    }
  }
  dumpStack(cpu: Cpu): void {
    const task = this.k.taskRef(this.k.currentTask(cpu));
    const lines = [
      `Pid: ${task.pid}, comm: ${task.comm} Not tainted 2.6.12-kprobes-sim #1`,
      "Call Trace:",
      ...this.k.traps.callTrace(cpu),
    ];
    for (const l of lines) this.printLine(cpu, 4, l);
  }

  // ---------------------------------------------------------------- host calls

  /**
   * Calls guest function `fn` on `cpu` with `args` and returns its result;
   * the CPU's state is restored afterwards. Runs with interrupts off.
   */
  callGuest(cpu: Cpu, fn: bigint, args: readonly (bigint | string)[]): bigint {
    const arch = this.k.arch;
    const top = arch.isUserMode(cpu) ? arch.kernelStackTop(cpu, this.k.memory) : arch.getSp(cpu);
    // Nothing is ever written below the current kernel stack: measure first.
    const encoded = args.map((a) => typeof a === "string" ? new TextEncoder().encode(a) : null);
    let need = 512n + 256n + 16n * BigInt(args.length) + HOST_CALL_STACK_RESERVE;
    for (const b of encoded) if (b !== null) need += BigInt(b.length + 16);
    const base = (top - 1n) & ~(THREAD_SIZE - 1n);
    if (!this.k.memory.isMapped(base) || !this.k.memory.isMapped(top - 1n)) {
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
    const savedState = this.k.state[cpu.id];
    let sp = (top - 512n) & ~15n;
    const values: bigint[] = [];
    for (const [i, a] of args.entries()) {
      if (typeof a === "bigint") {
        values.push(a);
        continue;
      }
      const bytes = encoded[i]!;
      sp = (sp - BigInt(bytes.length + 1)) & ~15n;
      this.k.memory.writeBytes(sp, bytes);
      this.k.memory.writeU8(sp + BigInt(bytes.length), 0);
      values.push(sp);
    }
    sp = (sp - 256n) & ~15n;
    arch.setupCall(
      cpu,
      this.k.memory,
      arch.callTarget(this.k.memory, fn),
      values,
      this.k.sym.hostCallReturn,
      sp,
    );
    this.k.hostCallDepth++;
    const wasAborted = this.k.hostCallAborted;
    this.k.hostCallAborted = false;
    let result = -14n; // -EFAULT when the call is abandoned
    // Bounded by the watchdog (and 200 M instructions whatever it says): a
    // guest call that never returns is reported as a soft lockup.
    const sinceTsc = cpu.tsc;
    const sinceWall = performance.now();
    const limit = Math.min(200_000_000, this.k.wdCycles);
    try {
      for (let n = 0;;) {
        const before = cpu.tsc;
        const reason = cpu.run(100_000);
        n += cpu.tsc - before;
        this.k.executed += cpu.tsc - before;
        if (reason === STOP_HALT && arch.haltPc(cpu) === this.k.sym.hostCallReturn) {
          result = arch.getReturnValue(cpu);
          break;
        }
        if (reason === STOP_TRAP) this.k.traps.trap(cpu);
        else if (reason === STOP_HYPERCALL) this.k.traps.hypercall(cpu);
        else if (reason !== STOP_BUDGET) break;
        if (this.k.hostCallAborted || this.k.state[cpu.id] === CPU_DEAD) break;
        if (
          n >= limit ||
          (this.k.wdWallMs !== Infinity && performance.now() - sinceWall >= this.k.wdWallMs)
        ) {
          this.k.loop.softLockup(cpu, sinceTsc, sinceWall);
          break;
        }
      }
    } finally {
      this.k.hostCallDepth--;
      this.k.hostCallAborted = wasAborted;
      arch.restoreContext(cpu, ctx);
      if (this.k.state[cpu.id] !== CPU_DEAD) this.k.state[cpu.id] = savedState;
    }
    return result;
  }
  printLine(cpu: Cpu, level: number, text: string): void {
    try {
      this.callGuest(cpu, this.k.sym.printk, [`<${level}>%s\n`, text]);
    } catch (e) {
      if (!(e instanceof StackRoomError)) throw e;
      this.k.logDirect(level, text); // no room for the guest's printk: the host writes the line
    }
  }

  /**
   * copy_from_kernel_nofault() of one value: null for an address below the
   * kernel (Linux refuses user addresses here), unmapped, or wrapping.
   */
  readNoFault(addr: bigint, size: 1 | 2 | 4 | 8): bigint | null {
    const a = typeof addr === "bigint" ? addr : -1n;
    if (a < this.k.arch.kernelBase || a + BigInt(size) > 1n << BigInt(this.k.arch.bits)) {
      return null;
    }
    const m = this.k.memory;
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
  preemptCount(cpu: Cpu): number {
    const hi = this.k.arch.spHi(cpu);
    const lo = ((this.k.arch.spLo(cpu) & ~(Number(THREAD_SIZE) - 1)) + this.k.ptrSize + 8) >>> 0;
    try {
      return this.k.memory.read32(hi, lo) | 0;
    } catch {
      return 0;
    }
  }
  sleepFromModule(what: string): void {
    const cpu = this.k.abiCpu;
    const count = this.preemptCount(cpu);
    if (count !== 0 || this.k.kprobes.ctlblk(cpu.id).current !== null) {
      // The guest's schedule() check (kernel/sched.c), reported for the
      // task the handler interrupted; the CPU cannot block inside a trap.
      const t = this.k.taskRef(this.k.currentTask(cpu));
      const pc = `0x${(count >>> 0).toString(16).padStart(8, "0")}`;
      this.printLine(cpu, 3, `BUG: scheduling while atomic: ${t.comm}/${t.pid}/${pc}`);
      this.dumpStack(cpu);
      return;
    }
    // init_module/cleanup_module run on the host between guest instructions
    // and cannot block: say so and return (an ABI call never throws).
    this.k.logDirect(
      4,
      `kprobes: ${what}() from module ${
        this.k.currentOwner ?? "host"
      } returns at once: module code cannot block`,
    );
  }

  /**
   * printk from a module: total over any argument types, bounded by
   * boundPrintkArgs() (printk.ts) and by the room left on the kernel stack.
   * Returns the guest's count of printed bytes, -EINVAL for a format that is
   * not a string, 0 when the stack has no room (with a log line).
   */
  printk(fmt: unknown, args: readonly unknown[]): number {
    if (typeof fmt !== "string") return -22;
    const [f, a] = expandSymbolPointers(fmt, Array.isArray(args) ? args : [], this.symbolize);
    const values = boundPrintkArgs(f, a);
    let r: bigint;
    try {
      r = this.callGuest(this.k.abiCpu, this.k.sym.printk, values);
    } catch (e) {
      if (!(e instanceof StackRoomError)) throw e;
      this.k.logDirect(4, `printk: message dropped: ${e.problem}`);
      return 0;
    }
    // A line cut at the guest's buffer loses its newline: end it, so the
    // next message does not run on.
    if (r >= BigInt(PRINTK_LINE_MAX) && fmt.endsWith("\n")) {
      try {
        this.callGuest(this.k.abiCpu, this.k.sym.printk, ["\n"]);
      } catch (e) {
        if (!(e instanceof StackRoomError)) throw e;
      }
    }
    this.k.flushConsole();
    return Number(BigInt.asIntN(32, r));
  }

  /** The text of printk's `%pS`, `%ps`, `%pF`, `%pf`, `%pB` for `address` (Linux's sprint_symbol()). */
  readonly symbolize = (address: bigint, kind: PointerFormat): string => {
    let a = BigInt.asUintN(this.k.arch.bits, address);
    if (kind === "F" || kind === "f") {
      try {
        a = this.k.arch.callTarget(this.k.memory, a); // a ppc64 function descriptor
      } catch {
        // Not a readable descriptor: symbolize the address itself.
      }
    }
    const back = kind === "B" && a > 0n ? 1n : 0n;
    const hit = this.k.kallsyms.lookupAddress(a - back);
    if (hit === undefined) return `0x${a.toString(16)}`;
    const mod = hit.module === undefined ? "" : ` [${hit.module}]`;
    if (kind === "s" || kind === "f") return hit.name + mod;
    return `${hit.name}+0x${(hit.offset + back).toString(16)}/0x${hit.size.toString(16)}${mod}`;
  };

  /** Is `a` mapped read-only (text, rodata)? Unmapped addresses fault on access instead. */
  writable(a: bigint): boolean {
    const p = this.k.memory.protectionOf(a);
    return p === -1 || (p & PROT_WRITE) !== 0;
  }
  handlerAccess(addr: bigint | number, size: number, value: bigint | null): bigint {
    const a = BigInt.asUintN(this.k.arch.bits, BigInt(addr));
    const m = this.k.memory;
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
      if (!this.writable(a) || !this.writable(a + BigInt(size - 1))) return BigInt(-EFAULT);
      if (size === 1) m.writeU8(a, Number(value & 0xffn));
      else if (size === 2) m.writeU16(a, Number(value & 0xffffn));
      else if (size === 4) m.writeU32(a, Number(value & 0xffffffffn));
      else m.writeU64(a, BigInt.asUintN(64, value));
      return 0n;
    } catch (e) {
      if (!(e instanceof Fault) && !(e instanceof Error && e.name === "GuestMemoryError")) throw e;
      const cpu = this.k.abiCpu;
      if (
        this.k.kprobes.ctlblk(cpu.id).current !== null &&
        this.k.kprobes.onFault(cpu, this.k.arch.traps.pageFault)
      ) {
        throw new HandlerAbort("fault handled");
      }
      const what = a < 4096n ? "NULL pointer dereference" : "paging request";
      this.k.incidents.oopses++;
      this.k.logDirect(
        1,
        `BUG: unable to handle kernel ${what} at ${this.k.hex(a)} in a probe handler`,
      );
      this.dumpStack(cpu);
      throw new HandlerAbort("oops");
    }
  }
}
