// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The handler-facing `struct pt_regs` of ppc64 (asm-ppc64/ptrace.h):
 * `gpr[0..31]`, `nip`, `msr`, `orig_gpr3`, `ctr`, `link`, `xer`, `ccr`,
 * `trap`, `dar`, `dsisr`, `result`, all `bigint`. Reading a field reads the
 * live register of the trapped CPU; assigning writes it back, and the CPU
 * resumes with it. `gpr` is an array-like view with the same behaviour
 * (`regs.gpr[3] = -14n`). `arch` is `"ppc64"`; the x86 register names
 * throw a `RegisterError` naming register and arch.
 *
 * @module
 */

import type { Ppc64Cpu } from "./cpu.ts";
import { SPR_DAR, SPR_DSISR, SPR_XER } from "./regs.ts";
import { definePtRegsArch } from "../_common/pt_regs.ts";

const u64 = (v: unknown) => BigInt.asUintN(64, BigInt(v as bigint | number));

/**
 * The live `gpr[]` of a CPU: indices 0–31 read and write the registers.
 *
 * @example Read and write r3
 * ```ts
 * import { Ppc64Cpu, Ppc64Gprs } from "./mod.ts";
 * import { Memory } from "../../kernel-model/memory.ts";
 * import assert from "node:assert/strict";
 * const cpu = new Ppc64Cpu(new Memory({ littleEndian: false }));
 * const gpr = new Ppc64Gprs(cpu);
 * gpr[3] = -1n;
 * assert.equal(cpu.getReg(3), 0xffffffffffffffffn);
 * assert.equal(gpr.length, 32);
 * ```
 */
export class Ppc64Gprs {
  /** The CPU whose registers this view shows. */
  readonly cpu: Ppc64Cpu;
  /** Always 32. */
  readonly length = 32;
  /** `gpr[n]`: register rN as a 64-bit `bigint` (read and written through the CPU). */
  [index: number]: bigint;

  /**
   * Binds a view to a CPU.
   *
   * @param cpu The CPU.
   */
  constructor(cpu: Ppc64Cpu) {
    this.cpu = cpu;
  }
}

for (let i = 0; i < 32; i++) {
  Object.defineProperty(Ppc64Gprs.prototype, String(i), {
    get(this: Ppc64Gprs) {
      return this.cpu.getReg(i);
    },
    set(this: Ppc64Gprs, v: unknown) {
      this.cpu.setReg(i, u64(v));
    },
    enumerable: true,
    configurable: false,
  });
}

/**
 * A `pt_regs` view over one ppc64 CPU (internal; handlers see it as
 * `PtRegs`).
 *
 * @example Move NIP past a probed instruction
 * ```ts
 * import { Ppc64Cpu, Ppc64PtRegs } from "./mod.ts";
 * import { Memory } from "../../kernel-model/memory.ts";
 * import assert from "node:assert/strict";
 * const cpu = new Ppc64Cpu(new Memory({ littleEndian: false }));
 * const regs = new Ppc64PtRegs(cpu);
 * regs.nip = 0xc000000000001004n;
 * assert.equal(cpu.getPc(), 0xc000000000001004n);
 * regs.gpr[3] = 7n;
 * assert.equal(regs.gpr[3], 7n);
 * ```
 */
export class Ppc64PtRegs {
  /** The discriminant of `PtRegs`. */
  declare readonly arch: "ppc64";
  /** The CPU whose registers this view shows. */
  readonly cpu: Ppc64Cpu;
  /** r0–r31. */
  readonly gpr: Ppc64Gprs;

  /**
   * Binds a view to a CPU.
   *
   * @param cpu The CPU.
   */
  constructor(cpu: Ppc64Cpu) {
    this.cpu = cpu;
    this.gpr = new Ppc64Gprs(cpu);
  }

  /** Next instruction (the trapping one for a breakpoint). */
  get nip(): bigint {
    return this.cpu.getPc();
  }
  set nip(v: bigint) {
    this.cpu.setPc(u64(v));
  }

  /** MSR. */
  get msr(): bigint {
    return this.cpu.getMsr();
  }
  set msr(v: bigint) {
    this.cpu.setMsr(u64(v));
  }

  /** The r3 a system call started with (not tracked: r3). */
  get orig_gpr3(): bigint {
    return this.cpu.getReg(3);
  }
  set orig_gpr3(_v: bigint) {}

  /** CTR. */
  get ctr(): bigint {
    return this.cpu.getCtr();
  }
  set ctr(v: bigint) {
    this.cpu.setCtr(u64(v));
  }

  /** LR. */
  get link(): bigint {
    return this.cpu.getLr();
  }
  set link(v: bigint) {
    this.cpu.setLr(u64(v));
  }

  /** XER. */
  get xer(): bigint {
    return this.cpu.getSpr(SPR_XER);
  }
  set xer(v: bigint) {
    this.cpu.setSpr(SPR_XER, u64(v));
  }

  /** CR. */
  get ccr(): bigint {
    return BigInt(this.cpu.cr >>> 0);
  }
  set ccr(v: bigint) {
    this.cpu.cr = Number(u64(v) & 0xffffffffn);
  }

  /** The vector of the interrupt that stopped the CPU (0x700 for a breakpoint). */
  get trap(): bigint {
    return BigInt(Math.max(this.cpu.trapVector, 0));
  }
  set trap(_v: bigint) {}

  /** DAR. */
  get dar(): bigint {
    return this.cpu.getSpr(SPR_DAR);
  }
  set dar(v: bigint) {
    this.cpu.setSpr(SPR_DAR, u64(v));
  }

  /** DSISR. */
  get dsisr(): bigint {
    return this.cpu.getSpr(SPR_DSISR);
  }
  set dsisr(v: bigint) {
    this.cpu.setSpr(SPR_DSISR, u64(v));
  }

  /** System call result slot (not tracked: 0). */
  get result(): bigint {
    return 0n;
  }
  set result(_v: bigint) {}
}

definePtRegsArch(Ppc64PtRegs.prototype, "ppc64");
