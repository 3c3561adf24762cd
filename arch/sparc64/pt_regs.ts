// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The handler-facing `struct pt_regs` of sparc64 (Linux's
 * arch/sparc/include/uapi/asm/ptrace.h): `u_regs[16]` (`%g0`–`%g7`, then
 * the trapped window's `%o0`–`%o7`, indexed by the `UREG_*` constants),
 * `tstate`, `tpc`, `tnpc`, `y` and `magic`, all `bigint`. There is no trap
 * frame in memory: the host takes the trap without V9 trap entry, so every
 * field reads the live register of the stopped CPU, and assigning one
 * writes it back (the CPU resumes with it), as rtrap would restore it.
 * `tstate` is composed as etrap folds it: `CCR << 32 | ASI << 24 | PIL << 20
 * | PSTATE << 8 | CWP`; writing it sets CCR, ASI, PIL and PSTATE and keeps
 * CWP (rtrap also puts the current window there). `arch` is `"sparc64"`;
 * the other arches' register names throw a `RegisterError`.
 *
 * @module
 */

import type { Sparc64Cpu } from "./cpu.ts";
import { definePtRegsArch } from "../_common/pt_regs.ts";

const u64 = (v: unknown) => BigInt.asUintN(64, BigInt(v as bigint | number));

/** Linux: UREG_G0 … UREG_G7 are 0–7. */
export const UREG_G0 = 0;
/** `%g1`: the system call number. */
export const UREG_G1 = 1;
/** The trapped `%o0` (Linux names the trapped outs `UREG_I0`…, the ins of etrap's window). */
export const UREG_I0 = 8;
/** The trapped `%o6`: the (biased) stack pointer. */
export const UREG_FP = 14;
/** The trapped `%o7`: the return address of a function entered by `call` (minus 8). */
export const UREG_RETPC = 15;
/** Linux: PT_REGS_MAGIC, `magic` = this | trap type. */
export const PT_REGS_MAGIC = 0x57ac6c00;

/**
 * The live `u_regs[]` of a CPU: index `i` < 16 is register `r[i]` of the
 * current window (`%g0`–`%g7`, `%o0`–`%o7`); `%g0` reads 0 and ignores
 * writes.
 *
 * @example Read and write %o0 (u_regs[UREG_I0])
 * ```ts
 * import { Sparc64URegs, UREG_I0 } from "./pt_regs.ts";
 * import assert from "node:assert/strict";
 * const regs = new Map<number, bigint>();
 * const cpu = {
 *   getReg: (r: number) => regs.get(r) ?? 0n,
 *   setReg: (r: number, v: bigint) => void regs.set(r, v),
 * };
 * // deno-lint-ignore no-explicit-any
 * const u = new Sparc64URegs(cpu as any);
 * u[UREG_I0] = -1n;
 * assert.equal(regs.get(8), 0xffffffffffffffffn);
 * assert.equal(u.length, 16);
 * ```
 */
export class Sparc64URegs {
  /** The CPU whose registers this view shows. */
  readonly cpu: Sparc64Cpu;
  /** Always 16. */
  readonly length = 16;
  /** `u_regs[n]`: `%g0`–`%g7`, `%o0`–`%o7` as 64-bit `bigint`s (read and written through the CPU). */
  [index: number]: bigint;

  /**
   * Binds a view to a CPU.
   *
   * @param cpu The CPU.
   */
  constructor(cpu: Sparc64Cpu) {
    this.cpu = cpu;
  }
}

for (let i = 0; i < 16; i++) {
  Object.defineProperty(Sparc64URegs.prototype, String(i), {
    get(this: Sparc64URegs) {
      return this.cpu.getReg(i);
    },
    set(this: Sparc64URegs, v: unknown) {
      if (i !== 0) this.cpu.setReg(i, u64(v));
    },
    enumerable: true,
    configurable: false,
  });
}

/**
 * TSTATE of a CPU as etrap saves it: `CCR << 32 | ASI << 24 | PIL << 20 |
 * PSTATE << 8 | CWP`.
 *
 * @param cpu The CPU.
 * @returns The composed TSTATE.
 *
 * @example
 * ```ts
 * import { composeTstate } from "./pt_regs.ts";
 * import assert from "node:assert/strict";
 * const cpu = { ccr: 0x11, asi: 0x80, pil: 14, pstate: 6, cwp: 3 };
 * // deno-lint-ignore no-explicit-any
 * assert.equal(composeTstate(cpu as any), 0x1180e00603n);
 * ```
 */
export function composeTstate(cpu: Sparc64Cpu): bigint {
  return (BigInt(cpu.ccr & 0xff) << 32n) |
    BigInt(
      (((cpu.asi & 0xff) << 24) | ((cpu.pil & 0xf) << 20) | ((cpu.pstate & 0xfff) << 8) |
        (cpu.cwp & 0x1f)) >>> 0,
    );
}

/**
 * A `pt_regs` view over one sparc64 CPU (internal; handlers see it as
 * `PtRegs`).
 *
 * @example Skip the probed instruction by moving tpc and tnpc
 * ```ts ignore
 * regs.tpc = regs.tnpc;
 * regs.tnpc = regs.tpc + 4n;
 * ```
 */
export class Sparc64PtRegs {
  /** The discriminant of `PtRegs`. */
  declare readonly arch: "sparc64";
  /** The CPU whose registers this view shows. */
  readonly cpu: Sparc64Cpu;
  /** `%g0`–`%g7`, then the trapped `%o0`–`%o7` (`UREG_*` indices). */
  readonly u_regs: Sparc64URegs;

  /**
   * Binds a view to a CPU.
   *
   * @param cpu The CPU.
   */
  constructor(cpu: Sparc64Cpu) {
    this.cpu = cpu;
    this.u_regs = new Sparc64URegs(cpu);
  }

  /** TSTATE with the PIL in bits 23:20; writing keeps CWP. */
  get tstate(): bigint {
    return composeTstate(this.cpu);
  }
  set tstate(v: bigint) {
    const t = u64(v);
    const c = this.cpu;
    const lo = Number(t & 0xffffffffn);
    c.ccr = Number((t >> 32n) & 0xffn);
    c.asi = (lo >>> 24) & 0xff;
    c.pil = (lo >>> 20) & 0xf;
    c.pstate = (lo >>> 8) & 0xfff;
  }

  /** The trapping instruction (the probe address at a breakpoint). */
  get tpc(): bigint {
    return this.cpu.getPc();
  }
  set tpc(v: bigint) {
    // TPC alone: TNPC stays, as in the trap frame.
    const c = this.cpu;
    const npc = c.getNpc();
    c.setPc(u64(v));
    c.setNpc(npc);
  }

  /** The instruction after it (a delay slot's branch target). */
  get tnpc(): bigint {
    return this.cpu.getNpc();
  }
  set tnpc(v: bigint) {
    this.cpu.setNpc(u64(v));
  }

  /** The Y register (32 bits). */
  get y(): bigint {
    return BigInt(this.cpu.y >>> 0);
  }
  set y(v: bigint) {
    this.cpu.y = Number(u64(v) & 0xffffffffn);
  }

  /** `PT_REGS_MAGIC | trap type` (read-only). */
  get magic(): bigint {
    return BigInt((PT_REGS_MAGIC | (Math.max(this.cpu.trapVector, 0) & 0x1ff)) >>> 0);
  }
  set magic(_v: bigint) {}
}

definePtRegsArch(Sparc64PtRegs.prototype, "sparc64");
