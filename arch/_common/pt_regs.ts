// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * What the `pt_regs` views of every arch share: the `arch` discriminant and
 * the registers each arch lacks. A handler that ignores the types and reads
 * `regs.rdi` on i386 gets a {@linkcode RegisterError} naming the register
 * and the arch (handler containment reports it in the log), never
 * `undefined` that later fails as "Cannot mix BigInt and other types".
 *
 * @module
 */

/** The arches a `pt_regs` view can belong to (the `regs.arch` values). */
export type PtRegsArch = "x86_64" | "i386" | "ppc64" | "sparc64";

/** Registers only x86_64's `struct pt_regs` has (2.6 names). */
export const X86_64_ONLY: readonly string[] = [
  "rax",
  "rbx",
  "rcx",
  "rdx",
  "rsi",
  "rdi",
  "rbp",
  "rsp",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "r13",
  "r14",
  "r15",
  "rip",
  "orig_rax",
];

/** Registers only i386's `struct pt_regs` has (2.6 names). */
export const I386_ONLY: readonly string[] = [
  "eax",
  "ebx",
  "ecx",
  "edx",
  "esi",
  "edi",
  "ebp",
  "esp",
  "eip",
  "orig_eax",
  "xcs",
];

/** Registers both x86 views have: `eflags` and the Linux 6.x names. */
export const X86_COMMON: readonly string[] = [
  "eflags",
  "ip",
  "sp",
  "flags",
  "ax",
  "bx",
  "cx",
  "dx",
  "si",
  "di",
  "bp",
  "orig_ax",
  "cs",
  "ss",
];

/** Registers only ppc64's `struct pt_regs` has. */
export const PPC64_ONLY: readonly string[] = [
  "gpr",
  "nip",
  "msr",
  "orig_gpr3",
  "ctr",
  "link",
  "xer",
  "ccr",
  "trap",
  "dar",
  "dsisr",
  "result",
];

/** Registers only sparc64's `struct pt_regs` has. */
export const SPARC64_ONLY: readonly string[] = ["u_regs", "tstate", "tpc", "tnpc", "y"];

/** Thrown when a handler reads or writes a register its arch does not have. */
export class RegisterError extends Error {
  /**
   * @param action `read` or `write`.
   * @param name The register.
   * @param arch The running arch.
   * @param owner The arch(es) that have it.
   */
  constructor(action: string, name: string, arch: PtRegsArch, owner: string) {
    super(
      `Cannot ${action} register "${name}" on ${arch}: it is ${owner} register, narrow on regs.arch or use regs_get_register() and the other portable helpers`,
    );
    this.name = "RegisterError";
  }
}

/**
 * Gives a view prototype its `arch` (a read-only data property, so reading
 * it runs no code) and accessors for every other arch's registers that
 * throw {@linkcode RegisterError}. The accessors are not enumerable, so
 * spreading or printing a view does not throw.
 *
 * @param proto The view class's prototype.
 * @param arch The arch of the view.
 */
export function definePtRegsArch(proto: object, arch: PtRegsArch): void {
  Object.defineProperty(proto, "arch", {
    value: arch,
    writable: false,
    enumerable: true,
    configurable: false,
  });
  const foreign: [string, string][] = [];
  if (arch !== "x86_64") { for (const n of X86_64_ONLY) foreign.push([n, "an x86_64"]); }
  if (arch !== "i386") { for (const n of I386_ONLY) foreign.push([n, "an i386"]); }
  const x86 = arch === "x86_64" || arch === "i386";
  if (!x86) { for (const n of X86_COMMON) foreign.push([n, "an x86"]); }
  if (arch !== "ppc64") { for (const n of PPC64_ONLY) foreign.push([n, "a ppc64"]); }
  if (arch !== "sparc64") { for (const n of SPARC64_ONLY) foreign.push([n, "a sparc64"]); }
  for (const [name, owner] of foreign) {
    Object.defineProperty(proto, name, {
      get() {
        throw new RegisterError("read", name, arch, owner);
      },
      set(_v: unknown) {
        throw new RegisterError("write", name, arch, owner);
      },
      enumerable: false,
      configurable: false,
    });
  }
}
