// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Portable `pt_regs` accessors with Linux's names (`asm/ptrace.h`): a handler
 * that reads its arguments, return value, instruction and stack pointer
 * through these runs unchanged on x86_64, i386, ppc64 and sparc64.
 *
 * Every value is a `bigint` on every arch (an `unsigned long`, so 32 bits
 * wide on i386), so the same arithmetic works everywhere; the registers
 * themselves stay `number` on i386 (`regs.eax`). Every function is total:
 * an argument that is not the `regs` a handler was given, a bad register
 * name or index gives `-EINVAL` (as a negative `bigint` where the result is
 * a value: a register read is unsigned, so it cannot be mistaken for one).
 *
 * | helper | x86_64 | i386 | ppc64 | sparc64 |
 * | --- | --- | --- | --- | --- |
 * | `regs_get_kernel_argument(regs, n)` | `di si dx cx r8 r9`, then stack | `ax dx cx` (regparm(3)), then stack | `r3`–`r10`, then the parameter save area | `u_regs[8]`–`u_regs[13]` (`%o0`–`%o5`), then the argument words |
 * | `regs_return_value` | `ax` | `ax` | `gpr[3]` | `u_regs[8]` (`%o0`) |
 * | `instruction_pointer` | `ip` | `ip` | `nip` | `tpc` |
 * | `kernel_stack_pointer` | `sp` | `sp` | `gpr[1]` | `u_regs[14]` + 2047 (`%sp` unbiased) |
 *
 * @module
 */

import { isProxy } from "node:util/types";
import type { PtRegs } from "../probes/types.ts";
import { kernelAbiFor } from "./context.ts";
import { EINVAL } from "./errno.ts";

/** What an invalid call returns where the result is a register value. */
const BAD = BigInt(-EINVAL);

/** The arch of a genuine `pt_regs` view, read without running any code of `regs`; else null. */
function archOf(regs: unknown): PtRegs["arch"] | null {
  if (typeof regs !== "object" || regs === null || isProxy(regs)) return null;
  const proto = Object.getPrototypeOf(regs);
  if (proto === null || isProxy(proto)) return null;
  const d = Object.getOwnPropertyDescriptor(proto, "arch");
  if (d === undefined || !("value" in d)) return null;
  const a = d.value;
  return a === "x86_64" || a === "i386" || a === "ppc64" || a === "sparc64" ? a : null;
}

/** Linux's `regoffset_table` names per arch (`regs_query_register_offset()`). */
const I386_NAMES: readonly string[] = [
  "bx",
  "cx",
  "dx",
  "si",
  "di",
  "bp",
  "ax",
  "orig_ax",
  "ip",
  "cs",
  "flags",
  "sp",
  "ss",
];
const X86_64_NAMES: readonly string[] = [
  "r15",
  "r14",
  "r13",
  "r12",
  "r11",
  "r10",
  "r9",
  "r8",
  ...I386_NAMES,
];
const PPC64_NAMES: readonly string[] = [
  "nip",
  "msr",
  "ctr",
  "link",
  "xer",
  "ccr",
  "trap",
  "dar",
  "dsisr",
];

/**
 * sparc64's names (Linux 6.1 `regoffset_table`, arch/sparc/kernel/ptrace_64.c):
 * `g0`–`g7` and `i0`–`i7` are `u_regs[0..15]` (a trap's `i` registers are the
 * trapped code's `%o` registers), `pc`/`npc` are `tpc`/`tnpc`, `lr` is `i7`.
 */
const SPARC64_NAMES: readonly string[] = [
  "g0",
  "g1",
  "g2",
  "g3",
  "g4",
  "g5",
  "g6",
  "g7",
  "i0",
  "i1",
  "i2",
  "i3",
  "i4",
  "i5",
  "i6",
  "i7",
  "tstate",
  "pc",
  "npc",
  "y",
  "lr",
];

/** The sparc64 `struct pt_regs` field of a name that is not a `u_regs` slot. */
const SPARC64_FIELDS: Readonly<Record<string, string>> = { pc: "tpc", npc: "tnpc" };

/** `%sp` is biased: the frame is at `%sp + STACK_BIAS` (the V9 ABI). */
const STACK_BIAS = 2047n;

/** Reads register `name` (a name the arch's view has) as an unsigned bigint. */
function read(regs: unknown, name: string): bigint {
  try {
    const v = (regs as Record<string, unknown>)[name];
    if (typeof v === "bigint") return v;
    if (typeof v === "number") return BigInt(v >>> 0);
  } catch {
    // A view without a CPU (Object.create of a view's prototype).
  }
  return BAD;
}

/** Reads `gpr[i]` of a ppc64 view. */
function gpr(regs: unknown, i: number): bigint {
  try {
    const v = (regs as { gpr: bigint[] }).gpr[i];
    if (typeof v === "bigint") return v;
  } catch {
    // As in read().
  }
  return BAD;
}

/** Reads `u_regs[i]` of a sparc64 view. */
function uReg(regs: unknown, i: number): bigint {
  try {
    const v = (regs as { u_regs: bigint[] }).u_regs[i];
    if (typeof v === "bigint") return v;
  } catch {
    // As in read().
  }
  return BAD;
}

/** A sparc64 register by its `regoffset_table` name. */
function sparc64Register(regs: unknown, name: string): bigint {
  const i = SPARC64_NAMES.indexOf(name);
  if (i < 0) return BAD;
  if (i < 16) return uReg(regs, i);
  if (name === "lr") return uReg(regs, 15);
  return read(regs, SPARC64_FIELDS[name] ?? name);
}

/**
 * The names {@linkcode regs_get_register} knows on `arch`: Linux's
 * `regoffset_table` (x86: `ax`, `bx`, … `ip`, `flags`, `sp`, plus `r8`–`r15`
 * on x86_64; ppc64: `r0`–`r31`, `gpr0`–`gpr31`, `nip`, `msr`, `ctr`,
 * `link`, `xer`, `ccr`, `trap`, `dar`, `dsisr`; sparc64: `g0`–`g7`,
 * `i0`–`i7` (the trapped `%o0`–`%o7`), `tstate`, `pc`, `npc`, `y`, `lr`).
 *
 * @param arch `x86_64`, `i386`, `ppc64` or `sparc64`.
 * @returns The names; empty for another arch.
 *
 * @example
 * ```ts
 * import { regs_register_names } from "./kapi_regs.ts";
 * import assert from "node:assert/strict";
 * assert.ok(regs_register_names("i386").includes("ax"));
 * assert.ok(!regs_register_names("i386").includes("r8"));
 * assert.ok(regs_register_names("ppc64").includes("gpr3"));
 * assert.ok(regs_register_names("sparc64").includes("i0"));
 * ```
 */
export function regs_register_names(arch: string): readonly string[] {
  switch (arch) {
    case "x86_64":
      return X86_64_NAMES;
    case "i386":
      return I386_NAMES;
    case "ppc64": {
      const names: string[] = [];
      for (let i = 0; i < 32; i++) names.push(`r${i}`, `gpr${i}`);
      return [...names, ...PPC64_NAMES];
    }
    case "sparc64":
      return SPARC64_NAMES;
    default:
      return [];
  }
}

/**
 * Reads a register by its Linux name, as `regs_get_register(regs,
 * regs_query_register_offset(name))` does in Linux (kprobe events' `%ax`).
 * The TypeScript form takes the name itself.
 *
 * @param regs The `regs` a handler was given.
 * @param name A name of {@linkcode regs_register_names} for the running arch.
 * @returns The register, unsigned; `-22n` (-EINVAL) for a name the arch
 * does not have or a `regs` that is not a handler's.
 *
 * @example First argument register, by name
 * ```ts ignore
 * import { regs_get_register } from "../mod.ts";
 * const pre_handler = (_p, regs) => {
 *   const di = regs_get_register(regs, regs.arch === "ppc64" ? "r3" : "di");
 *   return 0;
 * };
 * ```
 */
export function regs_get_register(regs: PtRegs, name: string): bigint {
  const arch = archOf(regs);
  if (arch === null || typeof name !== "string") return BAD;
  if (arch === "ppc64") {
    const m = /^(?:r|gpr)([0-9]|[12][0-9]|3[01])$/.exec(name);
    if (m !== null) return gpr(regs, Number(m[1]));
    return PPC64_NAMES.includes(name) ? read(regs, name) : BAD;
  }
  if (arch === "sparc64") return sparc64Register(regs, name);
  return (arch === "x86_64" ? X86_64_NAMES : I386_NAMES).includes(name) ? read(regs, name) : BAD;
}

/**
 * The instruction pointer: `ip` on x86 (in a pre_handler, just past the
 * int3, as in Linux), `nip` on ppc64 and `tpc` on sparc64 (the probed
 * instruction).
 *
 * @param regs The `regs` a handler was given.
 * @returns The address; `-22n` for a `regs` that is not a handler's.
 *
 * @example
 * ```ts ignore
 * import { instruction_pointer, printk } from "../mod.ts";
 * const pre_handler = (_p, regs) => printk("at %pS\n", instruction_pointer(regs));
 * ```
 */
export function instruction_pointer(regs: PtRegs): bigint {
  const arch = archOf(regs);
  if (arch === null) return BAD;
  return read(regs, arch === "ppc64" ? "nip" : arch === "sparc64" ? "tpc" : "ip");
}

/**
 * Moves the instruction pointer (the CPU resumes there; return 1 from the
 * pre_handler to skip the single-step). On sparc64 `tnpc` follows at
 * `val + 4`, as Linux's macro sets it. Linux: `instruction_pointer_set()`.
 *
 * @param regs The `regs` a handler was given.
 * @param val The new address.
 * @returns 0, or -EINVAL for a bad `regs` or a value that is not an integer.
 *
 * @example
 * ```ts ignore
 * import { instruction_pointer_set, kallsyms_lookup_name } from "../mod.ts";
 * const pre_handler = (_p, regs) => {
 *   instruction_pointer_set(regs, kallsyms_lookup_name("my_replacement"));
 *   return 1;
 * };
 * ```
 */
export function instruction_pointer_set(regs: PtRegs, val: bigint | number): number {
  const arch = archOf(regs);
  if (arch === null || !isInteger(val)) return -EINVAL;
  if (arch === "sparc64") {
    const pc = BigInt.asUintN(64, BigInt(val));
    const r = write(regs, "tpc", pc, arch);
    return r === 0 ? write(regs, "tnpc", pc + 4n, arch) : r;
  }
  return write(regs, arch === "ppc64" ? "nip" : "ip", val, arch);
}

/**
 * The kernel stack pointer at the trap: `sp` on x86 (at a function's entry
 * it points at the return address), `gpr[1]` on ppc64, and on sparc64 the
 * trapped `%sp` (`u_regs[14]`) plus the 2047 stack bias: the address of its
 * window save area, so `regs_get_kernel_stack_nth()` reads real memory
 * (Linux 6.1 returns the biased `%sp` itself, which no word sits at).
 *
 * @param regs The `regs` a handler was given.
 * @returns The address; `-22n` for a `regs` that is not a handler's.
 *
 * @example
 * ```ts ignore
 * import { kernel_stack_pointer } from "../mod.ts";
 * const pre_handler = (_p, regs) => { const sp = kernel_stack_pointer(regs); return 0; };
 * ```
 */
export function kernel_stack_pointer(regs: PtRegs): bigint {
  const arch = archOf(regs);
  if (arch === null) return BAD;
  if (arch === "sparc64") {
    const sp = uReg(regs, 14);
    return sp === BAD ? BAD : BigInt.asUintN(64, sp + STACK_BIAS);
  }
  return arch === "ppc64" ? gpr(regs, 1) : read(regs, "sp");
}

/**
 * The function return value in a kretprobe handler: `ax` on x86, `gpr[3]`
 * on ppc64, `u_regs[8]` (`%o0`, UREG_I0) on sparc64, **signed** (`long`) at the arch's width, so `< 0n` finds an
 * error return on every arch (`-2n` for -ENOENT on i386 too). Linux's x86
 * version returns `unsigned long` and its ppc64 one negates `gpr[3]` when
 * CR0.SO is set (a system call's error convention); here it is the value a
 * kernel function returned, which is what a kretprobe sees.
 *
 * @param regs The `regs` a handler was given.
 * @returns The value; `-22n` for a `regs` that is not a handler's.
 *
 * @example
 * ```ts ignore
 * import { printk, regs_return_value } from "../mod.ts";
 * const handler = (_ri, regs) => {
 *   if (regs_return_value(regs) < 0n) printk("failed: %ld\n", regs_return_value(regs));
 *   return 0;
 * };
 * ```
 */
export function regs_return_value(regs: PtRegs): bigint {
  const arch = archOf(regs);
  if (arch === null) return BAD;
  const v = arch === "ppc64" ? gpr(regs, 3) : arch === "sparc64" ? uReg(regs, 8) : read(regs, "ax");
  if (v === BAD) return BAD;
  return BigInt.asIntN(arch === "i386" ? 32 : 64, v);
}

/**
 * Sets the return value a kretprobe handler's function returns (fault
 * injection): `ax` on x86, `gpr[3]` on ppc64, `u_regs[8]` on sparc64, truncated to the arch's width
 * (`-12n` becomes -ENOMEM everywhere).
 *
 * @param regs The `regs` a handler was given.
 * @param rc The value.
 * @returns 0 (Linux's is `void`), or -EINVAL for a bad `regs` or a value that is not an integer.
 *
 * @example
 * ```ts ignore
 * import { ENOMEM, regs_set_return_value } from "../mod.ts";
 * const handler = (_ri, regs) => { regs_set_return_value(regs, -ENOMEM); return 0; };
 * ```
 */
export function regs_set_return_value(regs: PtRegs, rc: bigint | number): number {
  const arch = archOf(regs);
  if (arch === null || !isInteger(rc)) return -EINVAL;
  if (arch === "x86_64" || arch === "i386") return write(regs, "ax", rc, arch);
  try {
    const v = BigInt.asUintN(64, BigInt(rc));
    if (arch === "sparc64") (regs as { u_regs: bigint[] }).u_regs[8] = v;
    else (regs as { gpr: bigint[] }).gpr[3] = v;
    return 0;
  } catch {
    return -EINVAL;
  }
}

/**
 * Word `n` of the kernel stack from the stack pointer (word 0 at the stack
 * pointer), or 0 when that word is not on the same kernel stack (16 KiB
 * `THREAD_SIZE`) or cannot be read. Linux: `regs_get_kernel_stack_nth()`.
 * On i386 a function's arguments sit at words 1, 2, … at its entry: read
 * them so for the image's `asmlinkage` functions (see
 * {@linkcode regs_get_kernel_argument}).
 *
 * @param regs The `regs` a handler was given.
 * @param n The word index, a non-negative integer.
 * @returns The word, unsigned; 0 off the stack; `-22n` for a bad `regs` or `n`.
 *
 * @example do_fork's first argument on i386 (asmlinkage: on the stack)
 * ```ts ignore
 * import { regs_get_kernel_argument, regs_get_kernel_stack_nth } from "../mod.ts";
 * const pre_handler = (_p, regs) => {
 *   const flags = regs.arch === "i386"
 *     ? regs_get_kernel_stack_nth(regs, 1)
 *     : regs_get_kernel_argument(regs, 0);
 *   return 0;
 * };
 * ```
 */
export function regs_get_kernel_stack_nth(regs: PtRegs, n: number): bigint {
  const arch = archOf(regs);
  if (arch === null || !Number.isSafeInteger(n) || n < 0) return BAD;
  const sp = kernel_stack_pointer(regs);
  if (sp < 0n) return BAD;
  const word = arch === "i386" ? 4 : 8;
  const addr = sp + BigInt(n) * BigInt(word);
  const THREAD_SIZE = 0x4000n;
  if ((addr & ~(THREAD_SIZE - 1n)) !== (sp & ~(THREAD_SIZE - 1n))) return 0n;
  const abi = kernelAbiFor("regs_get_kernel_stack_nth");
  if (abi === null) return BAD;
  return abi.readNoFault(addr, word) ?? 0n;
}

/**
 * Argument `n` (from 0) of the function whose entry a kprobe trapped, by
 * the calling convention Linux assumes (`regs_get_kernel_argument()`):
 * x86_64 SysV `di`, `si`, `dx`, `cx`, `r8`, `r9`, then the stack above the
 * return address; ppc64 ELFv1 `r3`–`r10`, then the caller's parameter save
 * area (`gpr[1] + 48 + 8n`; Linux 6.1 has no ppc64 version); sparc64 V9
 * `%o0`–`%o5` (`u_regs[8..13]`), then the caller's argument words at
 * `%sp + 2047 + 176 + 8(n − 6)` (stack word `n + 16`; Linux 6.1 has no
 * sparc64 version).
 *
 * **i386 caveat**: Linux assumes `regparm(3)` (`ax`, `dx`, `cx`, then the
 * stack), as the kernel is built. This image is built with `-mregparm=0`:
 * only its `fastcall` functions (`do_exit`, `do_execve`, `oops_do_exit`)
 * take arguments in registers; every other one (`do_fork`, `sys_open`, all
 * `sys_*`) takes them all on the stack, so read those with
 * `regs_get_kernel_stack_nth(regs, n + 1)`. See `kernel-model/vmlinux/ABI.md`.
 *
 * Valid at the function's first instruction only (a pre_handler of a probe
 * at offset 0, a kretprobe entry_handler), as in Linux.
 *
 * @param regs The `regs` a handler was given.
 * @param n The argument index, a non-negative integer.
 * @returns The argument, unsigned (`unsigned long`); 0 for a stack
 * argument off the kernel stack; `-22n` for a bad `regs` or `n`.
 *
 * @example sys_open's flags
 * ```ts ignore
 * import { printk, regs_get_kernel_argument, type Kprobe } from "../mod.ts";
 * const kp: Kprobe = {
 *   symbol_name: "sys_open",
 *   pre_handler: (_p, regs) => printk("flags %lx\n", regs_get_kernel_argument(regs, 1)),
 * };
 * ```
 */
export function regs_get_kernel_argument(regs: PtRegs, n: number): bigint {
  const arch = archOf(regs);
  if (arch === null || !Number.isSafeInteger(n) || n < 0) return BAD;
  switch (arch) {
    case "x86_64": {
      const names = ["di", "si", "dx", "cx", "r8", "r9"];
      return n < 6 ? read(regs, names[n]) : regs_get_kernel_stack_nth(regs, n - 5);
    }
    case "i386": {
      const names = ["ax", "dx", "cx"];
      return n < 3 ? read(regs, names[n]) : regs_get_kernel_stack_nth(regs, n - 2);
    }
    case "ppc64":
      return n < 8 ? gpr(regs, 3 + n) : regs_get_kernel_stack_nth(regs, 6 + n);
    case "sparc64":
      return n < 6 ? uReg(regs, 8 + n) : regs_get_kernel_stack_nth(regs, 16 + n);
  }
}

/** Is `v` an integer a register can take? */
function isInteger(v: unknown): v is bigint | number {
  return typeof v === "bigint" || (typeof v === "number" && Number.isSafeInteger(v));
}

/** Writes `val` (truncated to the arch's width) to register `name` of an x86 view or `nip`. */
function write(regs: PtRegs, name: string, val: bigint | number, arch: PtRegs["arch"]): number {
  try {
    const r = regs as unknown as Record<string, unknown>;
    r[name] = arch === "i386"
      ? Number(BigInt.asUintN(32, BigInt(val)))
      : BigInt.asUintN(64, BigInt(val));
    return 0;
  } catch {
    return -EINVAL;
  }
}
