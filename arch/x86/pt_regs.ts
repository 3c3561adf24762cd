// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The handler-facing `struct pt_regs` of x86: reading a field reads the
 * live register of the trapped CPU, assigning writes it back (the CPU
 * resumes with it). x86_64 fields are `bigint`, i386 fields `number`.
 * Both answer to their 2.6 names (`rax`, `eip`, `xcs`…) and to Linux 6.x's
 * (`ax`, `ip`, `sp`, `flags`, `orig_ax`, `cs`, `ss`, and `r8`…`r15` on
 * x86_64) with the same values; `arch` says which view it is, and the other
 * arches' register names throw a `RegisterError` naming register and arch.
 *
 * @module
 */

import type { X86Cpu } from "./cpu.ts";
import { REG_NAMES64 } from "./regs.ts";
import { definePtRegsArch } from "../_common/pt_regs.ts";

/** i386 `struct pt_regs` field names in register-file order. */
const NAMES32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"] as const;

/** A `pt_regs` view over one x86 CPU (internal; handlers see it as `PtRegs`). */
export class X86PtRegs {
  /** The CPU whose registers this view shows. */
  readonly cpu: X86Cpu;

  /**
   * Binds a view to a CPU.
   *
   * @param cpu The CPU.
   */
  constructor(cpu: X86Cpu) {
    this.cpu = cpu;
  }
}

function define(
  proto: object,
  name: string,
  get: (c: X86Cpu) => unknown,
  set: (c: X86Cpu, v: unknown) => void,
) {
  Object.defineProperty(proto, name, {
    get(this: X86PtRegs) {
      return get(this.cpu);
    },
    set(this: X86PtRegs, v: unknown) {
      set(this.cpu, v);
    },
    enumerable: true,
    configurable: false,
  });
}

/** The x86_64 view class. */
export class X86_64PtRegs extends X86PtRegs {
  /** The discriminant of `PtRegs`. */
  declare readonly arch: "x86_64";
}
/** The i386 view class. */
export class I386PtRegs extends X86PtRegs {
  /** The discriminant of `PtRegs`. */
  declare readonly arch: "i386";
}
definePtRegsArch(X86_64PtRegs.prototype, "x86_64");
definePtRegsArch(I386PtRegs.prototype, "i386");

/** Linux 6.x names of the x86 general registers, in register-file order (rax/eax first). */
const NAMES6 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"] as const;

const u64 = (v: unknown) => BigInt.asUintN(64, BigInt(v as bigint | number));
// x86_64 `struct pt_regs` names are the register names (rax … r15).
REG_NAMES64.forEach((name, i) => {
  define(X86_64PtRegs.prototype, name, (c) => c.getReg(i), (c, v) => c.setReg(i, u64(v)));
  if (i < 8) {
    define(X86_64PtRegs.prototype, NAMES6[i], (c) => c.getReg(i), (c, v) => c.setReg(i, u64(v)));
  }
});
for (const name of ["rip", "ip"]) {
  define(X86_64PtRegs.prototype, name, (c) => c.getRip(), (c, v) => c.setRip(u64(v)));
}
for (const name of ["eflags", "flags"]) {
  define(
    X86_64PtRegs.prototype,
    name,
    (c) => BigInt(c.getFlags()),
    (c, v) => c.setFlags(Number(u64(v) & 0xffffffffn)),
  );
}
define(X86_64PtRegs.prototype, "orig_rax", () => 0xffffffffffffffffn, () => {});
define(X86_64PtRegs.prototype, "orig_ax", () => 0xffffffffffffffffn, () => {});
define(X86_64PtRegs.prototype, "cs", (c) => BigInt(c.cpl === 3 ? 0x33 : 0x10), () => {});
define(X86_64PtRegs.prototype, "ss", (c) => BigInt(c.cpl === 3 ? 0x2b : 0x18), () => {});

const u32 = (v: unknown) => Number(BigInt.asUintN(32, BigInt(v as bigint | number)));
NAMES32.forEach((name, i) => {
  for (const n of [name, NAMES6[i]]) {
    define(
      I386PtRegs.prototype,
      n,
      (c) => Number(c.getReg(i) & 0xffffffffn),
      (c, v) => c.setReg(i, BigInt(u32(v))),
    );
  }
});
for (const name of ["eip", "ip"]) {
  define(I386PtRegs.prototype, name, (c) => c.ripLo >>> 0, (c, v) => c.setRip(BigInt(u32(v))));
}
for (const name of ["eflags", "flags"]) {
  define(I386PtRegs.prototype, name, (c) => c.getFlags() >>> 0, (c, v) => c.setFlags(u32(v)));
}
define(I386PtRegs.prototype, "orig_eax", () => 0xffffffff, () => {});
define(I386PtRegs.prototype, "orig_ax", () => 0xffffffff, () => {});
// 2.6 i386 segments: __KERNEL_CS 0x60, __KERNEL_DS 0x68, __USER_CS 0x73, __USER_DS 0x7b.
for (const name of ["xcs", "cs"]) {
  define(I386PtRegs.prototype, name, (c) => (c.cpl === 3 ? 0x73 : 0x60), () => {});
}
define(I386PtRegs.prototype, "ss", (c) => (c.cpl === 3 ? 0x7b : 0x68), () => {});
