// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The preallocated fault record thrown by memory and instruction semantics
 * and caught once per `run()` by the arch's step loop. It is not an `Error`:
 * no stack is captured, so raising it on the hot path is cheap.
 *
 * @module
 */

/** A CPU exception in flight: vector, error code and faulting address. */
export class Fault {
  /** Exception vector (x86 numbering: 0 #DE, 1 #DB, 3 #BP, 6 #UD, 13 #GP, 14 #PF). */
  vector = 0;
  /** Error code pushed by the hardware (page-fault bits for #PF). */
  errorCode = 0;
  /** High half of the faulting data address (CR2/DAR). */
  addrHi = 0;
  /** Low half of the faulting data address (CR2/DAR). */
  addrLo = 0;

  /**
   * Fills the record and returns it, ready to throw.
   *
   * @param vector The exception vector.
   * @param errorCode The error code.
   * @param addrHi High half of the faulting address.
   * @param addrLo Low half of the faulting address.
   * @returns This record.
   *
   * @example Raise a page fault
   * ```ts
   * import { Fault } from "./fault.ts";
   * import assert from "node:assert/strict";
   * const f = new Fault().set(14, 2, 0, 0);
   * assert.equal(f.vector, 14);
   * ```
   */
  set(vector: number, errorCode: number, addrHi: number, addrLo: number): Fault {
    this.vector = vector;
    this.errorCode = errorCode;
    this.addrHi = addrHi;
    this.addrLo = addrLo;
    return this;
  }
}
