// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Typed host errors. Every error the simulator throws at its host API is a
 * {@linkcode KernelError}; the subclasses name the part that failed. Messages
 * follow Deno's style: `Cannot <action> "<value>": <state>[, <what to do>]`.
 *
 * Kernel-ABI calls made by guest modules never throw these: they return a
 * negative errno, as Linux does (see `errno.ts`).
 *
 * @module
 */

/**
 * The base class of every host error the simulator throws.
 *
 * @example Catch any simulator error
 * ```ts
 * import { KernelError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const err = new KernelError('Cannot boot "sparc": no such architecture');
 * assert.equal(err.name, "KernelError");
 * assert.ok(err instanceof Error);
 * ```
 */
export class KernelError extends Error {
  /**
   * Creates an error.
   *
   * @param message A Deno-style message: `Cannot <action> "<value>": <state>`.
   * @param options Standard error options; `cause` keeps the underlying error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KernelError";
  }
}

/** Options of {@linkcode ElfError}: where in the file the problem is. */
export interface ElfErrorOptions extends ErrorOptions {
  /** File offset of the malformed field, in bytes from the start of the file. */
  offset: number;
  /** Name of the malformed field as in `<elf.h>` (`e_shoff`, `sh_name`, `st_name`…). */
  field: string;
}

/**
 * A malformed or unsupported ELF file. The message and the properties name
 * the file, the byte offset and the `<elf.h>` field at fault.
 *
 * @example Report a bad section header offset
 * ```ts
 * import { ElfError, KernelError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const err = new ElfError("vmlinux", "e_shoff 0x1234 points past the end of the file", {
 *   offset: 0x28,
 *   field: "e_shoff",
 * });
 * assert.equal(
 *   err.message,
 *   'Cannot parse ELF "vmlinux": e_shoff 0x1234 points past the end of the file (offset 0x28, field e_shoff)',
 * );
 * assert.equal(err.offset, 0x28);
 * assert.ok(err instanceof KernelError);
 * ```
 */
export class ElfError extends KernelError {
  /** Name of the file being parsed. */
  readonly file: string;
  /** File offset of the malformed field. */
  readonly offset: number;
  /** Name of the malformed field as in `<elf.h>`. */
  readonly field: string;

  /**
   * Creates an error for a malformed field.
   *
   * @param file Name of the ELF file (quoted in the message).
   * @param problem What is wrong, in lower case, without a final period.
   * @param options Offset and field name at fault, and an optional `cause`.
   */
  constructor(file: string, problem: string, options: ElfErrorOptions) {
    super(
      `Cannot parse ELF "${file}": ${problem} (offset 0x${
        options.offset.toString(16)
      }, field ${options.field})`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "ElfError";
    this.file = file;
    this.offset = options.offset;
    this.field = options.field;
  }
}

/**
 * A kernel module that cannot be loaded, initialised or removed.
 *
 * @example Refuse a module without init_module
 * ```ts
 * import { ModuleError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const err = new ModuleError('Cannot load module "probe.ts": it does not export init_module');
 * assert.equal(err.name, "ModuleError");
 * ```
 */
export class ModuleError extends KernelError {
  /**
   * Creates an error.
   *
   * @param message A Deno-style message naming the module.
   * @param options Standard error options; `cause` keeps the underlying error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ModuleError";
  }
}

/**
 * A host-side misuse of the probe machinery (the kernel ABI itself reports
 * failures as negative errno values, never with this error).
 *
 * @example Report a probe that cannot be armed
 * ```ts
 * import { KprobeError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const err = new KprobeError('Cannot arm kprobe at "do_fork+0x3": it is not an instruction boundary');
 * assert.equal(err.name, "KprobeError");
 * ```
 */
export class KprobeError extends KernelError {
  /**
   * Creates an error.
   *
   * @param message A Deno-style message naming the probe.
   * @param options Standard error options; `cause` keeps the underlying error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KprobeError";
  }
}

/**
 * A symbol the host asked for that the kernel does not have, or a symbol
 * table that cannot be built.
 *
 * @example Report a missing symbol
 * ```ts
 * import { SymbolError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const err = new SymbolError('Cannot find symbol "do_frok": it is not in kallsyms, check the spelling');
 * assert.equal(err.name, "SymbolError");
 * ```
 */
export class SymbolError extends KernelError {
  /**
   * Creates an error.
   *
   * @param message A Deno-style message naming the symbol.
   * @param options Standard error options; `cause` keeps the underlying error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SymbolError";
  }
}

/**
 * A workload that cannot be used: a file that cannot be read, text that is
 * not JSON, or an entry that does not match the workload schema. The
 * message names where it came from and the failing entry by path
 * (`init[2].child[0]`).
 *
 * @example Name the failing entry
 * ```ts
 * import { KernelError, WorkloadError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const err = new WorkloadError("w.json", '"open" needs a string "path"', "init[2].child[0]");
 * assert.equal(
 *   err.message,
 *   'Cannot load workload "w.json": init[2].child[0]: "open" needs a string "path"',
 * );
 * assert.equal(err.path, "init[2].child[0]");
 * assert.ok(err instanceof KernelError);
 * ```
 */
export class WorkloadError extends KernelError {
  /** Where the workload came from (a file name, or the workload's `name`). */
  readonly origin: string;
  /** The failing entry (`init[2].child[0]`), or `""` for the whole workload. */
  readonly path: string;

  /**
   * Creates an error.
   *
   * @param origin Where the workload came from (quoted in the message).
   * @param problem What is wrong and what to do, without a final period.
   * @param path The failing entry, or `""` for the workload as a whole.
   * @param options Standard error options; `cause` keeps the underlying error.
   */
  constructor(origin: string, problem: string, path = "", options?: ErrorOptions) {
    super(
      `Cannot load workload "${origin}": ${path === "" ? "" : `${path}: `}${problem}`,
      options,
    );
    this.name = "WorkloadError";
    this.origin = origin;
    this.path = path;
  }
}
