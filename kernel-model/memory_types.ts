// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The vocabulary of guest memory shared by `Memory` and its
 * host helpers: page-protection bits, the page size, the error host
 * accesses throw and the options a memory is created with.
 *
 * @module
 */

import { KernelError } from "./errors.ts";

/** Pages may be read. */
export const PROT_READ = 1;
/** Pages may be written. */
export const PROT_WRITE = 2;
/** Pages may be executed. */
export const PROT_EXEC = 4;
/** Pages may be accessed from user mode. */
export const PROT_USER = 8;

/** Bytes per page. */
export const PAGE_SIZE = 4096;

/**
 * A host access to guest memory failed: the address is not mapped. A
 * {@linkcode KernelError}, as every error the host API throws.
 *
 * @example Read an unmapped address from a test
 * ```ts
 * import { GuestMemoryError, Kernel, KernelError } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * await using kernel = await Kernel.boot();
 * assert.throws(() => kernel.memory.readU64(0x1000n), GuestMemoryError);
 * assert.throws(() => kernel.memory.readU64(0x1000n), KernelError);
 * ```
 */
export class GuestMemoryError extends KernelError {
  /**
   * Creates the error.
   *
   * @param message Deno-style message.
   * @param options Standard error options.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "GuestMemoryError";
  }
}

/** Options for `Memory`. */
export interface MemoryOptions {
  /** Byte order of multi-byte accesses: true for x86, false for ppc64. */
  littleEndian: boolean;
  /**
   * Bytes of backing store to allocate at the first `map` (default: what
   * that mapping needs). Mappings that fit in it are placed without copying;
   * one that does not grows the store by a copy, which also replaces `u8`.
   * A kernel passes the sum of its regions so its RAM is allocated once.
   */
  capacity?: number;
}
