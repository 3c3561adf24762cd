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

/** Bytes of user memory each task uses for its call's pointed-to data. */
export const USER_SCRATCH = 0x1000;

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
  const str = (s: string | number | bigint, off: number): bigint => {
    if (typeof s !== "string") return BigInt.asUintN(64, BigInt(s));
    const bytes = new TextEncoder().encode(s.slice(0, 0xe00 - off - 1));
    memory.writeBytes(scratch + BigInt(off), bytes);
    memory.writeU8(scratch + BigInt(off + bytes.length), 0);
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
      return [fd(call.fd), scratch + 0x800n, BigInt(Math.min(call.count, 0x600))];
    case "write":
      return [
        BigInt(call.fd),
        str(call.text, 0x100),
        BigInt(new TextEncoder().encode(call.text).length),
      ];
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
      memory.writeU64(mask, call.cpus.reduce((acc, c) => acc | (1n << BigInt(c)), 0n));
      return [0n, BigInt(ptrSize), mask];
    }
    case "syscall":
      return (call.args ?? []).map((a) => BigInt.asUintN(64, BigInt(a)));
    default:
      return [];
  }
}
