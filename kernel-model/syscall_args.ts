// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * How the host, playing a task's user-mode side, lays out one workload
 * system call: its arguments in registers, and what it points at (paths,
 * timespecs, affinity masks, buffers) in the task's user scratch page.
 *
 * @module
 */

import type { GuestMemory } from "../arch/types.ts";
import type { Syscall } from "./workload.ts";

/**
 * Bytes of user memory each task uses for its call's pointed-to data: one
 * page per live task, never shared (see {@linkcode UserScratch}). Layout:
 * path at 0x000, `write` text at 0x100, `read` buffer at 0x800–0xdff,
 * timespec 0xf00, wait status 0xf80, the user stack pointer and clone's tid
 * at 0xfc0, the affinity mask at 0xfd0.
 */
export const USER_SCRATCH = 0x1000;

/** Longest path (`open`, `execve`) in bytes that fits a task's scratch page, NUL excluded. */
export const MAX_PATH_BYTES = 0xe00 - 1;

/** Longest `write` text in bytes that fits a task's scratch page, NUL excluded. */
export const MAX_WRITE_BYTES = 0xe00 - 0x100 - 1;

/** Largest `read` count: the task's read buffer (0x800–0xdff of its scratch page). */
export const MAX_READ_COUNT = 0x600;

/**
 * Hands each live task its own scratch page in the user area, so one task's
 * system call never reads another's data. A page is taken at a task's first
 * call and given back when it exits (or is killed); pids never share one.
 *
 * @example Two tasks, two pages; an exited task's page is reused
 * ```ts
 * import { UserScratch, USER_SCRATCH } from "./syscall_args.ts";
 * import assert from "node:assert/strict";
 * const pages = new UserScratch(0x400000n, 4 * USER_SCRATCH);
 * const a = pages.pageOf(2);
 * const b = pages.pageOf(1026);
 * assert.notEqual(a, b);
 * pages.release(2);
 * assert.equal(pages.pageOf(7), a);
 * ```
 */
export class UserScratch {
  readonly #base: bigint;
  readonly #byPid = new Map<number, number>();
  readonly #free: number[] = [];
  #next = 0;
  readonly #count: number;

  /**
   * Creates the scratch allocator over one user area.
   *
   * @param base Start of the user area.
   * @param size Its size in bytes.
   */
  constructor(base: bigint, size: number) {
    this.#base = base;
    this.#count = Math.floor(size / USER_SCRATCH);
  }

  /** Pages in use. */
  get inUse(): number {
    return this.#byPid.size;
  }

  /**
   * The scratch page of `pid`, taking a free one at its first call.
   *
   * @param pid The task.
   * @returns The page's address, or `null` when every page is in use.
   */
  pageOf(pid: number): bigint | null {
    let slot = this.#byPid.get(pid);
    if (slot === undefined) {
      // Lowest freed page first, then fresh ones: deterministic.
      if (this.#free.length > 0) slot = this.#free.pop()!;
      else if (this.#next < this.#count) slot = this.#next++;
      else return null;
      this.#byPid.set(pid, slot);
    }
    return this.#base + BigInt(slot * USER_SCRATCH);
  }

  /**
   * Gives `pid`'s page back (the task exited or was killed).
   *
   * @param pid The task.
   */
  release(pid: number): void {
    const slot = this.#byPid.get(pid);
    if (slot === undefined) return;
    this.#byPid.delete(pid);
    this.#free.push(slot);
    this.#free.sort((a, b) => b - a);
  }

  /** Forgets every page (a new run starts from the same layout). */
  clear(): void {
    this.#byPid.clear();
    this.#free.length = 0;
    this.#next = 0;
  }
}

/** Host-side writes into guest memory (the kernel's `Memory`). */
export interface ScratchMemory extends GuestMemory {
  /** Writes bytes at a guest address. */
  writeBytes(addr: bigint, bytes: Uint8Array): void;
  /** Writes a byte. */
  writeU8(addr: bigint, value: number): void;
  /** Writes a 64-bit value in the guest's byte order. */
  writeU64(addr: bigint, value: bigint): void;
}

/**
 * The register arguments of `call`, writing what they point at into the
 * task's scratch page at `scratch`.
 *
 * @param memory Guest memory.
 * @param scratch The task's user scratch page.
 * @param call The system call.
 * @param last The result of the task's last open or fork (for `"last"` fds).
 * @param ptrSize The guest's pointer size in bytes.
 * @returns The arguments, in order.
 *
 * @example open() passes a pointer to the path in the scratch page
 * ```ts
 * import { syscallArgs } from "./syscall_args.ts";
 * import { Memory, PROT_READ, PROT_USER, PROT_WRITE } from "./memory.ts";
 * import assert from "node:assert/strict";
 * const mem = new Memory({ littleEndian: true });
 * mem.map(0x400000n, 0x1000, PROT_READ | PROT_WRITE | PROT_USER);
 * const args = syscallArgs(mem, 0x400000n, { call: "open", path: "/etc/passwd" }, 0, 8);
 * assert.deepEqual(args, [0x400000n, 0n, 0n]);
 * assert.equal(mem.readCString(0x400000n, 64), "/etc/passwd");
 * ```
 */
export function syscallArgs(
  memory: ScratchMemory,
  scratch: bigint,
  call: Syscall,
  last: number,
  ptrSize: number,
): bigint[] {
  // Never past the path/text area (0xe00): validateWorkload refuses longer
  // strings, and a direct caller gets them cut, with the count to match.
  let written = 0;
  const str = (s: string | number | bigint, off: number): bigint => {
    if (typeof s !== "string") return BigInt.asUintN(64, BigInt(s));
    const bytes = new TextEncoder().encode(s).subarray(0, 0xe00 - off - 1);
    memory.writeBytes(scratch + BigInt(off), bytes);
    memory.writeU8(scratch + BigInt(off + bytes.length), 0);
    written = bytes.length;
    return scratch + BigInt(off);
  };
  const fd = (v: number | "last") => BigInt(v === "last" ? last : v);
  switch (call.call) {
    case "fork":
    case "getpid":
      return [];
    case "clone":
      return [BigInt(call.flags), 0n, call.settid ? scratch + 0xfc0n : 0n, 0n];
    case "open":
      return [str(call.path, 0), BigInt(call.flags ?? 0), BigInt(call.mode ?? 0)];
    case "close":
      return [fd(call.fd)];
    case "read":
      return [
        fd(call.fd),
        scratch + 0x800n,
        BigInt(Math.max(0, Math.min(call.count, MAX_READ_COUNT))),
      ];
    case "write": {
      const text = str(call.text, 0x100);
      return [BigInt(call.fd), text, BigInt(written)];
    }
    case "execve":
      return [str(call.path, 0), 0n, 0n];
    case "exit":
      return [BigInt(call.code ?? 0)];
    case "wait4":
      return [BigInt.asUintN(64, BigInt(call.pid ?? -1)), scratch + 0xf80n, 0n, 0n];
    case "nanosleep": {
      const ts = scratch + 0xf00n;
      memory.writeU64(ts, BigInt(Math.floor(call.ms / 1000)));
      memory.writeU64(ts + 8n, BigInt((call.ms % 1000) * 1_000_000));
      return [ts, 0n];
    }
    case "setuid":
      return [BigInt(call.uid)];
    case "sched_setaffinity": {
      const mask = scratch + 0xfd0n;
      // len = sizeof(cpumask_t) = BITS_TO_LONGS(NR_CPUS = 64) longs: one u64,
      // or on i386 two little-endian longs (CPUs 0-31, then 32-63), which
      // is the same 8 bytes.
      const len = Math.ceil(64 / (8 * ptrSize)) * ptrSize;
      memory.writeU64(mask, call.cpus.reduce((acc, c) => acc | (1n << BigInt(c)), 0n));
      return [0n, BigInt(len), mask];
    }
    case "syscall":
      return (call.args ?? []).map((a) => BigInt.asUintN(64, BigInt(a)));
    default:
      return [];
  }
}
