// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * One ppc64 CPU (64-bit big-endian Book III-S, POWER5-like, no MMU): the
 * register file, MSR, the decode cache, interrupt state and the run loop
 * entry. Fields are public hot state (internal, as blink's `struct
 * Machine`): the handlers in this folder index `regs` directly. Hosts
 * should prefer the methods (`getReg`, `getPc`, `getMsr`, `run` …), which
 * take and return `bigint` at the boundary.
 *
 * @module
 */

import { DecodeCache, type DecodePage } from "../_common/decode_cache.ts";
import { Fault } from "../_common/fault.ts";
import { joinU64, splitU64 } from "../_common/u64.ts";
import { type ArchCpu, type GuestMemory, PF_WRITE, type StopReason } from "../types.ts";
import type { Ppc64DecodedInsn } from "./decode.ts";
import { fetchPpc64, runPpc64 } from "./execute.ts";
import { JitCache, PPC64_JIT_DEFAULT_THRESHOLD, runPpc64Jit } from "./jit.ts";
import {
  createPpc64RegisterFile,
  MSR_ME,
  MSR_PR,
  MSR_SF_HI,
  PPC64_REGFILE_WORDS,
  R_CR,
  R_CTR_HI,
  R_CTR_LO,
  R_LR_HI,
  R_LR_LO,
  R_MSR_HI,
  R_MSR_LO,
  R_NIP_HI,
  R_NIP_LO,
  R_RESV_SIZE,
  R_TMP_HI,
  R_XER,
  VEC_SYSCALL,
} from "./regs.ts";
import { readSpr, writeSpr } from "./system.ts";
import { BR_NONE, enterInterrupt, EVT_FLUSH, syncPpc64Events, writeMsr } from "./traps.ts";

/** Options for {@linkcode Ppc64Cpu}. */
export interface Ppc64CpuOptions {
  /** Processor id (PIR; also what `startCpu` may pass in r3). Default 0. */
  id?: number;
  /** Base of the guest's interrupt vectors. Default `0xc000000000000000n` (KERNEL_BASE). */
  vectorBase?: bigint;
}

/** A snapshot of every register (NIP, MSR, GPRs, SPRs, CR, XER, reservation, DEC). */
export interface Ppc64Context {
  /** Copy of the register buffer. */
  regs: Uint32Array;
  /** Copy of the other SPRs. */
  sprFile: Uint32Array;
  /** DEC reference time. */
  decTsc: number;
}

/** Default guest vector base: KERNEL_BASE 0xc000000000000000. */
export const PPC64_KERNEL_BASE = 0xc000000000000000n;

const scratch = new Uint32Array(2);

function unlink(insn: Ppc64DecodedInsn): void {
  insn.next = null;
  insn.target = null;
}

/**
 * A ppc64 CPU executing big-endian guest code from a
 * {@linkcode GuestMemory}. Internal hot state: every field is public for
 * the handlers. Reset state: 64-bit kernel mode (MSR = SF | ME, so EE,
 * PR and SE are 0), every register 0.
 *
 * @example Run `li r0,3; li r3,42; sc 1` and stop at the hypercall
 * ```ts
 * import { Ppc64Cpu } from "./cpu.ts";
 * import { Memory, PROT_EXEC, PROT_READ } from "../../kernel-model/memory.ts";
 * import { STOP_HYPERCALL } from "../types.ts";
 * import assert from "node:assert/strict";
 * const mem = new Memory({ littleEndian: false });
 * mem.map(0x10000n, 0x1000, PROT_READ | PROT_EXEC);
 * mem.writeU32(0x10000n, 0x38000003); // li r0,3
 * mem.writeU32(0x10004n, 0x3860002a); // li r3,42
 * mem.writeU32(0x10008n, 0x44000022); // sc 1
 * const cpu = new Ppc64Cpu(mem);
 * cpu.setPc(0x10000n);
 * assert.equal(cpu.run(100), STOP_HYPERCALL);
 * assert.equal(cpu.getReg(3), 42n);
 * assert.equal(cpu.hypercallNr, 3);
 * assert.equal(cpu.getPc(), 0x1000cn);
 * ```
 */
export class Ppc64Cpu implements ArchCpu {
  /** The guest address space (big-endian). */
  readonly mem: GuestMemory;
  /** Processor id (PIR). */
  readonly id: number;
  /**
   * The register file (see `regs.ts`): GPR `i` low half at `[2i]`, high
   * half at `[2i + 1]`; then NIP, LR, CTR, MSR, SRR0/1, DAR, SPRG0–3 as
   * (low, high) pairs and XER, CR, DSISR, DEC words.
   */
  readonly regs: Uint32Array = createPpc64RegisterFile();
  /** The 32 GPRs as (low, high) pairs: a view of `regs[0..63]`. */
  readonly gpr: Uint32Array;
  /** SPRs without a dedicated slot (HSPRGs, HID …), (low, high) at `[2n]`. */
  readonly sprFile: Uint32Array = new Uint32Array(2048);
  /** `clock[0]`: retired instructions (also the time base; see `tsc`). */
  readonly clock: Float64Array = new Float64Array(1);
  /** `tsc` when DEC was last written. */
  decTsc = 0;
  /** Guest vector base, high half. */
  vectorBaseHi: number;
  /** Guest vector base, low half. */
  vectorBaseLo: number;

  /** Vector of the interrupt that stopped `run()` with `STOP_TRAP` (0x300, 0x700, 0xd00 …). */
  trapVector: number = -1;
  /**
   * Its code: the SRR1 reason for program (0x20000 trap, 0x40000
   * privileged, 0x80000 illegal) and instruction-storage interrupts, DSISR
   * for data-storage and alignment interrupts, 0 for trace.
   */
  trapErrorCode = 0;
  /** x86-style `PF_*` bits of a storage interrupt's access (0 otherwise). */
  trapAccess = 0;
  /** SRR0 of the last host-handled interrupt, high half (the trapping or next NIP). */
  trapNipHi = 0;
  /** SRR0 of the last host-handled interrupt, low half. */
  trapNipLo = 0;
  /** r0 (low half) at the last `sc 1`: the hypercall number (valid after `STOP_HYPERCALL`). */
  hypercallNr = 0;
  /** Stop recorded by an instruction, returned at the next boundary; -1 for none. */
  pendingStop: number = -1;
  /** `EVT_*` bits: something needs the slow path before the next instruction. */
  events = 0;
  /** Pending interrupts: bit `vector >> 7` (0x500 → 10, 0x900 → 18). */
  irqPending = 0;
  /** How the last handler left NIP: `BR_NONE`, `BR_TARGET` or `BR_NIP`. */
  branch: number = BR_NONE;
  /** Set by `rfid`, `sc` and interrupt entry: no trace interrupt after this instruction. */
  noTrace = 0;
  /** The executing instruction (null between instructions and while fetching). */
  cur: Ppc64DecodedInsn | null = null;
  /** Data access code for reads (`PF_USER` in problem state). */
  accRead = 0;
  /** Data access code for writes. */
  accWrite: number = PF_WRITE;

  /** The preallocated fault for CPU-raised interrupts. */
  readonly fault: Fault = new Fault();
  /** Backing bytes of `mem` (refreshed when `mem.u8` is replaced). */
  u8: Uint8Array;
  /** Big-endian view over `u8`. */
  dv: DataView;
  /** Decoded instructions by address. */
  readonly cache: DecodeCache<Ppc64DecodedInsn> = new DecodeCache(unlink);
  /** Slot array of the page holding NIP (`regs[R_PAGE_HI/LO]`), or null. */
  page: DecodePage<Ppc64DecodedInsn> | null = null;
  /**
   * The block translator: -1 off (interpreter only), 0 compile every block
   * on its first entry, N compile a block at its N-th entry. The boot
   * option that sets it on every CPU is the kernel's.
   */
  jitThreshold: number = PPC64_JIT_DEFAULT_THRESHOLD;
  /** Compiled blocks by address (see `jit.ts`). */
  readonly jit: JitCache = new JitCache();
  /** The compiled code's translation cache (see `jit_mem.ts`). */
  readonly tlb: Uint32Array = new Uint32Array(6).fill(0xffffffff);
  /** The exit a compiled block left by when it found no next block (-1: left early). */
  jitExit = 0;
  /**
   * Called by the run loop with a trap or hypercall stop before it returns
   * it; true means the host handled the stop in place (a kprobe hit) and
   * the loop goes on. Null: every stop returns.
   */
  stopHook: ((reason: StopReason) => boolean) | null = null;
  /** See `ArchCpu.callIn`: an `sc 1` the host handles in place (an optimized kprobe hit). */
  callIn: (() => boolean) | null = null;

  /**
   * Creates a CPU over guest memory, in its reset state.
   *
   * @param memory Guest memory (must be big-endian).
   * @param options Processor id and vector base.
   */
  constructor(memory: GuestMemory, options: Ppc64CpuOptions = {}) {
    if (memory.littleEndian) {
      throw new TypeError("Cannot create a ppc64 CPU: memory is little-endian");
    }
    this.mem = memory;
    this.id = options.id ?? 0;
    this.gpr = this.regs.subarray(0, 64);
    splitU64(options.vectorBase ?? PPC64_KERNEL_BASE, scratch);
    this.vectorBaseLo = scratch[0];
    this.vectorBaseHi = scratch[1];
    this.u8 = memory.u8;
    this.dv = new DataView(this.u8.buffer, this.u8.byteOffset, this.u8.byteLength);
    this.regs[R_MSR_HI] = MSR_SF_HI;
    this.regs[R_MSR_LO] = MSR_ME;
    memory.onTextWrite((hi, lo, length) => {
      // Drop the written pages, unlink the threaded successors into them
      // (the cache keeps those links), re-fetch from NIP.
      this.cache.invalidate(hi, lo, length);
      this.jit.invalidate(hi, lo, length);
      this.page = null;
      this.events |= EVT_FLUSH;
    });
  }

  /** Retired instructions (what `mftb` returns): `clock[0]`. */
  get tsc(): number {
    return this.clock[0];
  }
  set tsc(v: number) {
    this.clock[0] = v;
  }

  /** Base of the guest interrupt vectors (SRR0/1 saved, NIP = base + vector). */
  get vectorBase(): bigint {
    return joinU64(this.vectorBaseHi, this.vectorBaseLo);
  }
  set vectorBase(v: bigint) {
    splitU64(v, scratch);
    this.vectorBaseLo = scratch[0];
    this.vectorBaseHi = scratch[1];
  }

  /** NIP low half; while an instruction runs it is stale (see `cur`). */
  get nipLo(): number {
    return this.regs[R_NIP_LO];
  }
  set nipLo(v: number) {
    this.regs[R_NIP_LO] = v & ~3;
    this.page = null;
  }

  /** NIP high half. */
  get nipHi(): number {
    return this.regs[R_NIP_HI];
  }
  set nipHi(v: number) {
    this.regs[R_NIP_HI] = v;
    this.page = null;
  }

  /** MSR low half (EE 0x8000, PR 0x4000, SE 0x400, ME 0x1000 …). */
  get msrLo(): number {
    return this.regs[R_MSR_LO];
  }

  /** MSR high half (SF 0x80000000 = MSR bit 63, HV 0x10000000). */
  get msrHi(): number {
    return this.regs[R_MSR_HI];
  }

  /** CR (32 bits, CR0 in the top nibble). */
  get cr(): number {
    return this.regs[R_CR];
  }
  set cr(v: number) {
    this.regs[R_CR] = v;
  }

  /** XER (SO 0x80000000, OV 0x40000000, CA 0x20000000). */
  get xer(): number {
    return this.regs[R_XER];
  }
  set xer(v: number) {
    writeSpr(this, 1, 0, v);
  }

  /** Re-reads `mem.u8` if the memory grew since the last run. */
  syncMemory(): void {
    if (this.u8 !== this.mem.u8) {
      this.u8 = this.mem.u8;
      this.dv = new DataView(this.u8.buffer, this.u8.byteOffset, this.u8.byteLength);
    }
  }

  /**
   * Executes up to `budget` instructions.
   *
   * @param budget Instruction budget.
   * @returns `STOP_BUDGET`; `STOP_TRAP` with `trapVector` 0x300/0x400/0x600/0x700/0xd00 and NIP
   * at SRR0; `STOP_USER` (rfid to MSR.PR = 1, NIP at the user address);
   * `STOP_HYPERCALL` (`sc 1`); `STOP_HALT` (`wait`).
   */
  run(budget: number): StopReason {
    if (this.jitThreshold >= 0) return runPpc64Jit(this, budget);
    return runPpc64(this, budget);
  }

  /**
   * Reads a general-purpose register.
   *
   * @param i 0–31.
   * @returns The value.
   */
  getReg(i: number): bigint {
    return joinU64(this.regs[2 * i + 1], this.regs[2 * i]);
  }

  /**
   * Writes a general-purpose register.
   *
   * @param i 0–31.
   * @param value The value (mod 2**64).
   */
  setReg(i: number, value: bigint): void {
    splitU64(value, scratch);
    this.regs[2 * i] = scratch[0];
    this.regs[2 * i + 1] = scratch[1];
  }

  /**
   * The next instruction's address (NIP).
   *
   * @returns NIP.
   */
  getPc(): bigint {
    return joinU64(this.regs[R_NIP_HI], this.regs[R_NIP_LO]);
  }

  /**
   * Moves NIP (the low two bits are cleared).
   *
   * @param value New NIP.
   */
  setPc(value: bigint): void {
    splitU64(value, scratch);
    this.regs[R_NIP_LO] = scratch[0] & ~3;
    this.regs[R_NIP_HI] = scratch[1];
    this.page = null;
  }

  /**
   * The machine state register.
   *
   * @returns MSR (EE 0x8000n, PR 0x4000n, SE 0x400n, SF 1n << 63n …).
   */
  getMsr(): bigint {
    return joinU64(this.regs[R_MSR_HI], this.regs[R_MSR_LO]);
  }

  /**
   * Replaces MSR as the host (no privilege rules; SE and EE take effect
   * at the next instruction boundary, PR changes the access rights).
   *
   * @param value New MSR.
   */
  setMsr(value: bigint): void {
    splitU64(value, scratch);
    writeMsr(this, scratch[1], scratch[0]);
  }

  /**
   * The link register.
   *
   * @returns LR.
   */
  getLr(): bigint {
    return joinU64(this.regs[R_LR_HI], this.regs[R_LR_LO]);
  }

  /**
   * Sets the link register.
   *
   * @param value New LR.
   */
  setLr(value: bigint): void {
    splitU64(value, scratch);
    this.regs[R_LR_LO] = scratch[0];
    this.regs[R_LR_HI] = scratch[1];
  }

  /**
   * The count register.
   *
   * @returns CTR.
   */
  getCtr(): bigint {
    return joinU64(this.regs[R_CTR_HI], this.regs[R_CTR_LO]);
  }

  /**
   * Sets the count register.
   *
   * @param value New CTR.
   */
  setCtr(value: bigint): void {
    splitU64(value, scratch);
    this.regs[R_CTR_LO] = scratch[0];
    this.regs[R_CTR_HI] = scratch[1];
  }

  /**
   * Reads an SPR as `mfspr` would in supervisor state (XER 1, LR 8, CTR 9,
   * DSISR 18, DAR 19, DEC 22, SRR0 26, SRR1 27, TB 268/269, SPRG0–3
   * 272–275, PVR 287, PIR 1023; any other number is plain storage).
   *
   * @param n SPR number.
   * @returns The value.
   */
  getSpr(n: number): bigint {
    const lo = readSpr(this, n);
    return joinU64(this.regs[R_TMP_HI], lo);
  }

  /**
   * Writes an SPR as `mtspr` would in supervisor state.
   *
   * @param n SPR number.
   * @param value The value.
   */
  setSpr(n: number, value: bigint): void {
    splitU64(value, scratch);
    writeSpr(this, n, scratch[1], scratch[0]);
  }

  /**
   * SRR0 of the last host-handled interrupt: the trapping instruction
   * (program, storage, alignment) or the next one (trace).
   *
   * @returns The address.
   */
  getTrapNip(): bigint {
    return joinU64(this.trapNipHi, this.trapNipLo);
  }

  /**
   * Makes interrupt `vector` pending (0x500 external, 0x900 decrementer …,
   * a multiple of 0x80 below 0x1000); it is delivered through the guest
   * vector at the next instruction boundary with MSR.EE = 1.
   *
   * @param vector The vector offset.
   * @throws {RangeError} For a vector the CPU cannot hold.
   */
  raiseInterrupt(vector: number): void {
    if (vector < 0 || vector >= 0x1000 || (vector & 0x7f) !== 0) {
      throw new RangeError(`Cannot raise interrupt 0x${vector.toString(16)}: not a ppc64 vector`);
    }
    this.irqPending |= 1 << (vector >>> 7);
    syncPpc64Events(this);
  }

  /**
   * Takes interrupt `vector` through the guest vector now: SRR0 = NIP,
   * SRR1 = MSR (bits 33–36 and 42–47 cleared) | `srr1Reason`, the interrupt
   * MSR, NIP = `vectorBase` + `vector`.
   *
   * @param vector The vector offset.
   * @param srr1Reason Bits for SRR1 (0 by default).
   */
  deliverInterrupt(vector: number, srr1Reason = 0): void {
    enterInterrupt(this, vector, this.regs[R_NIP_HI], this.regs[R_NIP_LO], srr1Reason);
  }

  /**
   * Makes the CPU execute a system call as user code would with `sc`: the
   * host loads r0 (number) and r3–r8 (arguments) and sets NIP to the user
   * address after the `sc`; this enters the guest's 0xc00 vector (SRR0 =
   * NIP, SRR1 = the user MSR, kernel MSR).
   */
  deliverSyscall(): void {
    this.deliverInterrupt(VEC_SYSCALL);
  }

  /**
   * Snapshot of every register.
   *
   * @returns A context for {@linkcode Ppc64Cpu.restoreContext}.
   */
  saveContext(): Ppc64Context {
    return { regs: this.regs.slice(), sprFile: this.sprFile.slice(), decTsc: this.decTsc };
  }

  /**
   * Restores a snapshot (the reservation is dropped: memory may have moved on).
   *
   * @param ctx A context from {@linkcode Ppc64Cpu.saveContext}.
   */
  restoreContext(ctx: Ppc64Context): void {
    if (ctx.regs.length !== PPC64_REGFILE_WORDS) {
      throw new RangeError(
        "Cannot restore a ppc64 context: the register buffer has the wrong size",
      );
    }
    const oldPr = this.regs[R_MSR_LO] & MSR_PR;
    this.regs.set(ctx.regs);
    this.sprFile.set(ctx.sprFile);
    this.decTsc = ctx.decTsc;
    this.regs[R_RESV_SIZE] = 0;
    const msrLo = this.regs[R_MSR_LO];
    this.regs[R_MSR_LO] = (msrLo & ~MSR_PR) | oldPr; // let writeMsr see a PR change
    writeMsr(this, this.regs[R_MSR_HI], msrLo);
    this.page = null;
  }

  /**
   * Whether MSR.PR is set (problem state: user mode).
   *
   * @returns True in user mode.
   */
  isUserMode(): boolean {
    return (this.regs[R_MSR_LO] & MSR_PR) !== 0;
  }

  /**
   * The decoded instruction at `(hi, lo)`, from the cache.
   *
   * @param hi Address high half.
   * @param lo Address low half.
   * @returns The record (shared with the cache: do not modify).
   * @throws {RangeError} If the word cannot be fetched.
   */
  decodeAt(hi: number, lo: number): Ppc64DecodedInsn {
    this.syncMemory();
    try {
      return fetchPpc64(this, hi >>> 0, (lo & ~3) >>> 0);
    } catch (e) {
      if (!(e instanceof Fault)) throw e;
      throw new RangeError(
        `Cannot decode at 0x${joinU64(hi, lo).toString(16)}: the address is not executable`,
      );
    }
  }
}
