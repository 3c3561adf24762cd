// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Host-side helpers of `Sparc64Cpu` that never run on the interpreter's
 * path: the `bigint` view of a register pair, the trap-level records
 * (TSTATE/TPC/TNPC/TT per TL) and decoding at a host-given address. The
 * hot state and everything the run loop calls stay in `cpu.ts`.
 *
 * @module
 */

import { Fault } from "../_common/fault.ts";
import { joinU64, splitU64 } from "../_common/u64.ts";
import type { Sparc64Cpu } from "./cpu.ts";
import type { Sparc64DecodedInsn } from "./decode.ts";
import { fetchSparc64 } from "./execute.ts";
import { MAXTL, R_TRAP } from "./regs.ts";

const scratch = new Uint32Array(2);

/**
 * Word index of trap level `tl`'s record in the register file.
 *
 * @param tl Trap level 1–MAXTL.
 * @returns The index of the record's first word.
 * @throws {RangeError} For another level.
 */
export function trapRecord(tl: number): number {
  if (!Number.isInteger(tl) || tl < 1 || tl > MAXTL) {
    throw new RangeError(`Cannot access trap level ${tl}: use 1-${MAXTL}`);
  }
  return R_TRAP + 8 * (tl - 1);
}

/**
 * The 64-bit register whose low half is word `i` (high half `i + 1`).
 *
 * @param regs The register file.
 * @param i Word index of the low half.
 * @returns The value.
 */
export function get64(regs: Uint32Array, i: number): bigint {
  return joinU64(regs[i + 1], regs[i]);
}

/**
 * Writes the 64-bit register whose low half is word `i`.
 *
 * @param regs The register file.
 * @param i Word index of the low half.
 * @param v The value (mod 2**64).
 */
export function set64(regs: Uint32Array, i: number, v: bigint): void {
  splitU64(v, scratch);
  regs[i] = scratch[0];
  regs[i + 1] = scratch[1];
}

/**
 * The decoded instruction at `addr`, from the CPU's cache; leaves no fetch
 * page behind. Backs `Sparc64Cpu.decodeAt`.
 *
 * @param cpu The CPU.
 * @param addr Address.
 * @returns The record (shared with the cache: do not modify).
 * @throws {RangeError} If the word cannot be fetched.
 */
export function decodeSparc64At(cpu: Sparc64Cpu, addr: bigint): Sparc64DecodedInsn {
  cpu.syncMemory();
  splitU64(addr, scratch);
  const lo = scratch[0];
  const hi = scratch[1];
  try {
    return fetchSparc64(cpu, hi, lo);
  } catch (e) {
    if (!(e instanceof Fault)) throw e;
    throw new RangeError(
      `Cannot decode at 0x${addr.toString(16)}: the address is not executable`,
    );
  } finally {
    cpu.page = null;
  }
}
