// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The Oops report: what a kernel developer reads after a guest fault —
 * the cause, `Oops: <err> [#n] SMP`, registers, `Code:` bytes around the
 * faulting instruction and the `Call Trace:`. Linux: `__die()`, `show_regs()`.
 *
 * @module
 */

import type { Arch, ArchCpu, GuestMemory } from "../arch/types.ts";
import type { Kallsyms } from "./kallsyms.ts";

/** Everything an Oops report shows. */
export interface OopsInfo {
  /** The architecture. */
  arch: Arch;
  /** The faulting CPU (its registers are the report's). */
  cpu: ArchCpu & { id: number };
  /** Guest memory, for the `Code:` line. */
  memory: GuestMemory;
  /**
   * Text as the image has it (a probe's saved bytes over its breakpoint),
   * for the `Code:` line; else `memory` as it is.
   */
  readText?: (addr: bigint, n: number) => Uint8Array;
  /** Symbols, for `IP:` and `RIP:`. */
  kallsyms: Kallsyms;
  /** What happened (`unable to handle kernel NULL pointer dereference at …`). */
  title: string;
  /** Print the title as `BUG: …` with an `IP:` line (page faults). */
  bug: boolean;
  /** For `BUG()` (ud2): the address, printed as `kernel BUG at …!`. */
  bugAt?: bigint;
  /** The hardware error code. */
  err: number;
  /** Oops counter (`[#1]`). */
  count: number;
  /** Current task. */
  pid: number;
  /** Its name. */
  comm: string;
  /** Loaded modules. */
  modules: string[];
  /** Formatted `Call Trace:` lines. */
  trace: string[];
}

/**
 * Formats an Oops report, one string per log line.
 *
 * @param o What to report.
 * @returns The lines.
 */
export function formatOops(o: OopsInfo): string[] {
  const pc = o.arch.getPc(o.cpu);
  const width = o.arch.bits / 4;
  const hex = (a: bigint) => a.toString(16).padStart(width, "0");
  const sym = o.kallsyms.formatAddress(pc);
  const lines: string[] = [];
  if (o.bugAt !== undefined) {
    lines.push("------------[ cut here ]------------");
    lines.push(`kernel BUG at ${o.kallsyms.formatAddress(o.bugAt)}!`);
  }
  if (o.bug) {
    lines.push(`BUG: ${o.title}`);
    lines.push(`IP: [<${hex(pc)}>] ${sym}`);
  }
  lines.push(
    `${o.bug ? "Oops" : o.title}: ${o.err.toString(16).padStart(4, "0")} [#${o.count}] SMP`,
  );
  lines.push(...machineState(o));
  lines.push(`---[ end trace ${o.count.toString(16).padStart(16, "0")} ]---`);
  return lines;
}

/** Everything a soft-lockup report shows. */
export interface SoftLockupInfo {
  /** The architecture. */
  arch: Arch;
  /** The stuck CPU (its registers are the report's). */
  cpu: ArchCpu & { id: number };
  /** Guest memory, for the `Code:` line. */
  memory: GuestMemory;
  /** Symbols, for `RIP:`. */
  kallsyms: Kallsyms;
  /** Whole seconds the CPU has been stuck. */
  seconds: number;
  /** Current task. */
  pid: number;
  /** Its name. */
  comm: string;
  /** Loaded modules. */
  modules: string[];
  /** Formatted `Call Trace:` lines. */
  trace: string[];
}

/**
 * Formats the soft-lockup watchdog's report, one string per log line:
 * `BUG: soft lockup - CPU#0 stuck for 10s! [init:1]`, the modules, the
 * registers (the stuck function as `symbol+off/size`), the call trace.
 * Linux: `watchdog_timer_fn()` (kernel/watchdog.c).
 *
 * @param o What to report.
 * @returns The lines.
 */
export function formatSoftLockup(o: SoftLockupInfo): string[] {
  return [
    `BUG: soft lockup - CPU#${o.cpu.id} stuck for ${o.seconds}s! [${o.comm}:${o.pid}]`,
    ...machineState(o),
  ];
}

/** From `Modules linked in:` to `Code:`, shared by Oops and soft-lockup reports. */
function machineState(o: SoftLockupInfo | OopsInfo): string[] {
  const pc = o.arch.getPc(o.cpu);
  const sym = o.kallsyms.formatAddress(pc);
  return [
    `Modules linked in:${o.modules.map((m) => ` ${m}`).join("")}`,
    `CPU ${o.cpu.id}`,
    `Pid: ${o.pid}, comm: ${o.comm} Not tainted 2.6.12-kprobes-sim #1`,
    ...o.arch.oopsRegisters(o.cpu, (a) => o.kallsyms.formatAddress(a))
      .map((l) => l.replace("%SYM%", sym)),
    "Call Trace:",
    ...o.trace,
    `Code: ${codeBytes(o.memory, pc, "readText" in o ? o.readText : undefined)}`,
  ];
}

// The bytes around `pc`; with `readText`, as the image has them, so that a
// probe's breakpoint does not change the report of a fault at or near it.
function codeBytes(
  memory: GuestMemory,
  pc: bigint,
  readText: ((addr: bigint, n: number) => Uint8Array) | undefined,
): string {
  const out: string[] = [];
  for (let i = -16; i < 16; i++) {
    const a = pc + BigInt(i);
    let b: string;
    if (readText !== undefined) {
      const t = readText(a, 1);
      b = t.length === 0 ? "??" : t[0].toString(16).padStart(2, "0");
    } else {
      try {
        b = memory.read8(Number((a >> 32n) & 0xffffffffn), Number(a & 0xffffffffn)).toString(16)
          .padStart(2, "0");
      } catch {
        b = "??";
      }
    }
    out.push(i === 0 ? `<${b}>` : b);
  }
  return out.join(" ");
}
