// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * One sparc64 CPU (SPARC V9, UltraSPARC-like: NWINDOWS 8, MAXTL 5, no
 * MMU, no floating point): the register file, the window maps, the decode
 * cache, interrupt state and the run loop entry. Fields are public hot
 * state (internal, as blink's `struct Machine`): the handlers in this
 * folder index `regs` through `rmap`/`wmap`. Hosts use the accessors and
 * methods, which take and return `bigint` at the boundary.
 *
 * @module
 */

import { DecodeCache, type DecodePage } from "../_common/decode_cache.ts";
import { Fault } from "../_common/fault.ts";
import { joinU64, splitU64 } from "../_common/u64.ts";
import { type ArchCpu, type GuestMemory, PF_USER, type StopReason } from "../types.ts";
import { decodeSparc64At, get64, set64, trapRecord } from "./_cpu_host.ts";
import type { Sparc64DecodedInsn } from "./decode.ts";
import { runSparc64 } from "./execute.ts";
import { runSparc64Jit, SPARC64_JIT_DEFAULT_THRESHOLD, Sparc64JitCache } from "./jit.ts";
import {
  createSparc64RegisterFile,
  MAXTL,
  NEAR_PAGES,
  NWINDOWS,
  PSTATE_AG,
  PSTATE_MASK,
  PSTATE_PRIV,
  R_ASI,
  R_CANRESTORE,
  R_CANSAVE,
  R_CCR,
  R_CLEANWIN,
  R_CWP,
  R_NPC_HI,
  R_NPC_LO,
  R_OTHERWIN,
  R_PC_HI,
  R_PC_LO,
  R_PIL,
  R_PSTATE,
  R_SCRATCHPAD,
  R_SOFTINT,
  R_TBA_HI,
  R_TBA_LO,
  R_TL,
  R_WSTATE,
  R_Y,
  SPARC64_READ_MAPS,
  SPARC64_REGFILE_WORDS,
  SPARC64_WRITE_MAPS,
  T_TNPC,
  T_TPC,
  T_TSTATE,
  T_TT,
} from "./regs.ts";
import { enterTrap, syncSparc64Events } from "./traps.ts";
import { flushSparc64Windows } from "./windows.ts";

/** Options for {@linkcode Sparc64Cpu}. */
export interface Sparc64CpuOptions {
  /** Processor id. Default 0. */
  id?: number;
}

/**
 * A snapshot of every register: all 8 windows' physical registers, both
 * global sets, PC/nPC, the control, trap and scratchpad registers.
 */
export interface Sparc64Context {
  /** Copy of the register buffer. */
  regs: Uint32Array;
}

const scratch = new Uint32Array(2);

/**
 * A sparc64 CPU executing big-endian guest code from a
 * {@linkcode GuestMemory}, in the boot state of ABI.md (TL 0, PSTATE =
 * PRIV, PIL 15, CWP 0, CANSAVE 6, CLEANWIN 7, ASI 0x80, every register 0).
 *
 * @example Run `mov 42, %o0; mov 3, %g1; ta 0x7f` and stop at the hypercall
 * ```ts
 * import { Sparc64Cpu } from "./cpu.ts";
 * import { Memory, PROT_EXEC, PROT_READ } from "../../kernel-model/memory.ts";
 * import { STOP_HYPERCALL } from "../types.ts";
 * import assert from "node:assert/strict";
 * const mem = new Memory({ littleEndian: false });
 * mem.map(0x400000n, 0x1000, PROT_READ | PROT_EXEC);
 * mem.writeU32(0x400000n, 0x9010202a); // mov 42, %o0
 * mem.writeU32(0x400004n, 0x82102003); // mov 3, %g1
 * mem.writeU32(0x400008n, 0x91d0207f); // ta 0x7f
 * const cpu = new Sparc64Cpu(mem);
 * cpu.setPc(0x400000n);
 * assert.equal(cpu.run(100), STOP_HYPERCALL);
 * assert.equal(cpu.getReg(8), 42n);
 * assert.equal(cpu.hypercallNr, 3);
 * assert.equal(cpu.getPc(), 0x40000cn);
 * ```
 */
export class Sparc64Cpu implements ArchCpu {
  /** The guest address space (big-endian). */
  readonly mem: GuestMemory;
  /** Processor id. */
  readonly id: number;
  /** The register file (see `regs.ts`). */
  readonly regs: Uint32Array = createSparc64RegisterFile();
  /**
   * r0–r31 of the current window and global set → word index of the low
   * half (reads): one of the shared constant `SPARC64_READ_MAPS`.
   */
  rmap: Int32Array = SPARC64_READ_MAPS[0];
  /** The same for writes (`%g0` → a discarded pair): one of `SPARC64_WRITE_MAPS`. */
  wmap: Int32Array = SPARC64_WRITE_MAPS[0];
  /** `clock[0]`: retired instructions (what `%tick` reads). */
  readonly clock: Float64Array = new Float64Array(1);
  /** Scratch for 32 × 32 products. */
  readonly scratch: Uint32Array = new Uint32Array(2);
  /** Trap type of the trap that stopped `run()` with `STOP_TRAP`. */
  trapVector: number = -1;
  /** `PF_*` bits of an access fault's access, else 0. */
  trapErrorCode = 0;
  /** Address of the last access fault, high half. */
  faultHi = 0;
  /** Address of the last access fault, low half. */
  faultLo = 0;
  /** `%g1` (low half) at the last `ta 0x7f`. */
  hypercallNr = 0;
  /** Stop recorded by an instruction, returned at the next boundary; -1 for none. */
  pendingStop: number = -1;
  /** `EVT_*` bits: something needs the slow path before the next instruction. */
  events = 0;
  /** Instructions left in the current `run()` (kept in a local while the loop runs). */
  budget = 0;
  /** `clock[0]` when the run loop last started (for the budget after a fault). */
  loopStart = 0;
  /**
   * The executing instruction (null between instructions). While it runs,
   * PC/nPC already hold its successors: its own address is here.
   */
  cur: Sparc64DecodedInsn | null = null;
  /** `PF_USER` in user mode (PSTATE.PRIV = 0), else 0. */
  accUser = 0;
  /** The preallocated fault for CPU-raised traps. */
  readonly fault: Fault = new Fault();
  /** Backing bytes of `mem` (refreshed when `mem.u8` is replaced). */
  u8: Uint8Array;
  /** Big-endian view over `u8`. */
  dv: DataView;
  /** Decoded instructions by address. */
  readonly cache: DecodeCache<Sparc64DecodedInsn> = new DecodeCache();
  /** Slot array of the page holding PC, or null. */
  page: DecodePage<Sparc64DecodedInsn> | null = null;
  /**
   * The pages PC went through lately, direct-mapped by page number
   * (`nearHi`/`nearLo` their addresses), so that going back and forth
   * between a few pages (a probed page and its slot, a caller and its
   * callees) skips the cache's lookup; emptied by every text write.
   */
  readonly nearPages: (DecodePage<Sparc64DecodedInsn> | null)[] = new Array<
    DecodePage<Sparc64DecodedInsn> | null
  >(NEAR_PAGES).fill(null);
  /** High halves of `nearPages`' addresses. */
  readonly nearHi: Uint32Array = new Uint32Array(NEAR_PAGES);
  /** Low halves of `nearPages`' addresses (page-aligned). */
  readonly nearLo: Uint32Array = new Uint32Array(NEAR_PAGES);
  /**
   * Called by the run loop with a `STOP_TRAP` or `STOP_HYPERCALL` before
   * it returns it; true means the host handled the stop in place (a kprobe
   * hit) and the loop goes on. Null: every stop returns.
   */
  stopHook: ((reason: StopReason) => boolean) | null = null;
  /**
   * The block translator: -1 off (interpreter only), 0 compile every block
   * on its first entry, N compile a block at its N-th entry. The boot
   * option that sets it on every CPU is the kernel's.
   */
  jitThreshold: number = SPARC64_JIT_DEFAULT_THRESHOLD;
  /** Compiled blocks by address (see `jit.ts`). */
  readonly jit: Sparc64JitCache = new Sparc64JitCache();
  /** The exit a compiled block left by when it found no next block (-1: none to follow). */
  jitExit = 0;
  /** Set by every text write; a compiled block leaves after a store that set it. */
  jitFlush = 0;

  /**
   * Creates a CPU over guest memory, in its boot state.
   *
   * @param memory Guest memory (must be big-endian).
   * @param options Processor id.
   * @throws {TypeError} On little-endian memory.
   */
  constructor(memory: GuestMemory, options: Sparc64CpuOptions = {}) {
    if (memory.littleEndian) {
      throw new TypeError("Cannot create a sparc64 CPU: memory is little-endian");
    }
    this.mem = memory;
    this.id = options.id ?? 0;
    this.u8 = memory.u8;
    this.dv = new DataView(this.u8.buffer, this.u8.byteOffset, this.u8.byteLength);
    this.remap();
    memory.onTextWrite((hi, lo, length) => {
      this.cache.invalidate(hi, lo, length);
      this.jit.invalidate(hi, lo, length);
      this.jitFlush = 1;
      this.page = null;
      this.nearPages.fill(null);
    });
  }

  /** Rebuilds `rmap`/`wmap` after CWP or PSTATE.AG changed. */
  remap(): void {
    const r = this.regs;
    const i = ((r[R_PSTATE] & PSTATE_AG) << 3) | (r[R_CWP] & (NWINDOWS - 1));
    this.rmap = SPARC64_READ_MAPS[i];
    this.wmap = SPARC64_WRITE_MAPS[i];
  }

  /**
   * Writes PSTATE (the writable bits) and everything that depends on it:
   * the access mode, the fetch page, the interrupt check. The caller
   * remaps when AG may have changed.
   *
   * @param v New PSTATE.
   */
  writePstate(v: number): void {
    const r = this.regs;
    const old = r[R_PSTATE];
    r[R_PSTATE] = v & PSTATE_MASK;
    this.accUser = (v & PSTATE_PRIV) !== 0 ? 0 : PF_USER;
    if (((old ^ v) & PSTATE_PRIV) !== 0) this.page = null;
    syncSparc64Events(this);
  }

  /** Re-reads `mem.u8` if the memory grew since the last run. */
  syncMemory(): void {
    if (this.u8 !== this.mem.u8) {
      this.u8 = this.mem.u8;
      this.dv = new DataView(this.u8.buffer, this.u8.byteOffset, this.u8.byteLength);
    }
  }

  /** Retired instructions (`%tick`). */
  get tsc(): number {
    return this.clock[0];
  }
  set tsc(v: number) {
    this.clock[0] = v;
  }

  /** CCR (xcc bits 7:4, icc bits 3:0). */
  get ccr(): number {
    return this.regs[R_CCR];
  }
  set ccr(v: number) {
    this.regs[R_CCR] = v & 0xff;
  }

  /** Y. */
  get y(): number {
    return this.regs[R_Y];
  }
  set y(v: number) {
    this.regs[R_Y] = v;
  }

  /** The ASI register. */
  get asi(): number {
    return this.regs[R_ASI];
  }
  set asi(v: number) {
    this.regs[R_ASI] = v & 0xff;
  }

  /** PSTATE (AG 0x1, IE 0x2, PRIV 0x4, AM 0x8, PEF 0x10 …). */
  get pstate(): number {
    return this.regs[R_PSTATE];
  }
  set pstate(v: number) {
    this.writePstate(v);
    this.remap();
  }

  /** PIL (0–15). */
  get pil(): number {
    return this.regs[R_PIL];
  }
  set pil(v: number) {
    this.regs[R_PIL] = v & 15;
    syncSparc64Events(this);
  }

  /** TL (0–MAXTL). */
  get tl(): number {
    return this.regs[R_TL];
  }
  set tl(v: number) {
    this.regs[R_TL] = Math.max(0, Math.min(v, MAXTL));
    syncSparc64Events(this);
  }

  /** CWP (0–7). */
  get cwp(): number {
    return this.regs[R_CWP];
  }
  set cwp(v: number) {
    this.regs[R_CWP] = v & (NWINDOWS - 1);
    this.remap();
  }

  /** CANSAVE. */
  get cansave(): number {
    return this.regs[R_CANSAVE];
  }
  set cansave(v: number) {
    this.regs[R_CANSAVE] = v & (NWINDOWS - 1);
  }

  /** CANRESTORE. */
  get canrestore(): number {
    return this.regs[R_CANRESTORE];
  }
  set canrestore(v: number) {
    this.regs[R_CANRESTORE] = v & (NWINDOWS - 1);
  }

  /** OTHERWIN. */
  get otherwin(): number {
    return this.regs[R_OTHERWIN];
  }
  set otherwin(v: number) {
    this.regs[R_OTHERWIN] = v & (NWINDOWS - 1);
  }

  /** CLEANWIN. */
  get cleanwin(): number {
    return this.regs[R_CLEANWIN];
  }
  set cleanwin(v: number) {
    this.regs[R_CLEANWIN] = v & (NWINDOWS - 1);
  }

  /** WSTATE (NORMAL bits 2:0, OTHER bits 5:3). */
  get wstate(): number {
    return this.regs[R_WSTATE];
  }
  set wstate(v: number) {
    this.regs[R_WSTATE] = v & 0x3f;
  }

  /** TBA (trap base address; the low 15 bits read as 0). */
  get tba(): bigint {
    return joinU64(this.regs[R_TBA_HI], this.regs[R_TBA_LO]);
  }
  set tba(v: bigint) {
    splitU64(v, scratch);
    this.regs[R_TBA_LO] = scratch[0] & ~0x7fff;
    this.regs[R_TBA_HI] = scratch[1];
  }

  /** SOFTINT (bit 0 TICK_INT, bit n interrupt level n). */
  get softint(): number {
    return this.regs[R_SOFTINT];
  }
  set softint(v: number) {
    this.regs[R_SOFTINT] = v & 0x1ffff;
    syncSparc64Events(this);
  }

  /**
   * Executes up to `budget` instructions.
   *
   * @param budget Instruction budget.
   * @returns `STOP_BUDGET`; `STOP_TRAP` (host-taken trap: `trapVector`,
   * PC on the trapping instruction); `STOP_HYPERCALL` (`ta 0x7f`, PC past
   * it); `STOP_HALT` (`ta 0x7e`, PC past it); `STOP_USER` (`retry`/`done`
   * into user mode, PC = the user TPC).
   */
  run(budget: number): StopReason {
    if (this.jitThreshold >= 0) return runSparc64Jit(this, budget);
    return runSparc64(this, budget);
  }

  /**
   * Makes interrupt level `level` pending: 14 (the tick) sets
   * SOFTINT.TICK_INT (bit 0), 1–15 otherwise set SOFTINT bit `level`. It
   * is delivered as TT 0x040 + level at a boundary with PSTATE.IE = 1, TL 0
   * and PIL below the level.
   *
   * @param level Interrupt level 1–15.
   * @throws {RangeError} For another level.
   */
  raiseInterrupt(level: number): void {
    if (!Number.isInteger(level) || level < 1 || level > 15) {
      throw new RangeError(`Cannot raise interrupt level ${level}: use 1-15 (14 is the tick)`);
    }
    this.regs[R_SOFTINT] |= level === 14 ? 1 : 1 << level;
    syncSparc64Events(this);
  }

  /**
   * SPARC V9 trap entry into the guest's table now, at the current PC/nPC
   * (which become TPC/TNPC): how the host starts a system call (`ta 0x6d`
   * from user mode: PC = the `ta`, nPC = the next instruction, then
   * `deliverTrap(0x16d)`; the guest's `done` resumes past it).
   *
   * @param tt Trap type (0–0x1ff).
   * @throws {RangeError} For a bad trap type, or at TL = MAXTL.
   */
  deliverTrap(tt: number): void {
    if (!Number.isInteger(tt) || tt < 0 || tt > 0x1ff) {
      throw new RangeError(`Cannot deliver trap type ${tt}: use 0-0x1ff`);
    }
    if (this.regs[R_TL] >= MAXTL) {
      throw new RangeError(`Cannot deliver trap type 0x${tt.toString(16)}: TL is already ${MAXTL}`);
    }
    this.cur = null;
    enterTrap(this, tt);
  }

  /**
   * Reads r0–r31 of the current window and global set (`%g0` reads 0).
   *
   * @param r Register number.
   * @returns The value.
   */
  getReg(r: number): bigint {
    const i = this.rmap[r & 31];
    return joinU64(this.regs[i + 1], this.regs[i]);
  }

  /**
   * Writes r0–r31 of the current window and global set (`%g0` ignores it).
   *
   * @param r Register number.
   * @param v The value (mod 2**64).
   */
  setReg(r: number, v: bigint): void {
    const i = this.wmap[r & 31];
    splitU64(v, scratch);
    this.regs[i] = scratch[0];
    this.regs[i + 1] = scratch[1];
  }

  /** PC. @returns The address of the next instruction to execute. */
  getPc(): bigint {
    return joinU64(this.regs[R_PC_HI], this.regs[R_PC_LO]);
  }

  /**
   * Moves PC, and nPC to PC + 4.
   *
   * @param pc New PC.
   */
  setPc(pc: bigint): void {
    splitU64(pc, scratch);
    this.regs[R_PC_LO] = scratch[0];
    this.regs[R_PC_HI] = scratch[1];
    splitU64(pc + 4n, scratch);
    this.regs[R_NPC_LO] = scratch[0];
    this.regs[R_NPC_HI] = scratch[1];
  }

  /** nPC. @returns The address after PC's instruction (a branch target in a delay slot). */
  getNpc(): bigint {
    return joinU64(this.regs[R_NPC_HI], this.regs[R_NPC_LO]);
  }

  /**
   * Moves nPC only.
   *
   * @param npc New nPC.
   */
  setNpc(npc: bigint): void {
    splitU64(npc, scratch);
    this.regs[R_NPC_LO] = scratch[0];
    this.regs[R_NPC_HI] = scratch[1];
  }

  /** PC low half. @returns The low 32 bits of PC. */
  pcLo(): number {
    return this.regs[R_PC_LO];
  }

  /** PC high half. @returns The high 32 bits of PC. */
  pcHi(): number {
    return this.regs[R_PC_HI];
  }

  /** TSTATE of trap level `tl` (1–5). @param tl Trap level. @returns CCR << 32 | ASI << 24 | PSTATE << 8 | CWP. */
  getTstate(tl: number): bigint {
    return get64(this.regs, trapRecord(tl) + T_TSTATE);
  }
  /** Sets TSTATE of `tl`. @param tl Trap level. @param v The value. */
  setTstate(tl: number, v: bigint): void {
    set64(this.regs, trapRecord(tl) + T_TSTATE, v & 0xff_ff03_ff07n);
  }
  /** TPC of `tl`. @param tl Trap level. @returns TPC. */
  getTpc(tl: number): bigint {
    return get64(this.regs, trapRecord(tl) + T_TPC);
  }
  /** Sets TPC of `tl`. @param tl Trap level. @param v The value. */
  setTpc(tl: number, v: bigint): void {
    set64(this.regs, trapRecord(tl) + T_TPC, v);
  }
  /** TNPC of `tl`. @param tl Trap level. @returns TNPC. */
  getTnpc(tl: number): bigint {
    return get64(this.regs, trapRecord(tl) + T_TNPC);
  }
  /** Sets TNPC of `tl`. @param tl Trap level. @param v The value. */
  setTnpc(tl: number, v: bigint): void {
    set64(this.regs, trapRecord(tl) + T_TNPC, v);
  }
  /** TT of `tl`. @param tl Trap level. @returns The trap type. */
  getTt(tl: number): number {
    return this.regs[trapRecord(tl) + T_TT];
  }

  /**
   * Scratchpad register `k` (ASI 0x20 at `8·k`; 0 holds `&trap_block[cpu]`).
   *
   * @param k 0–7.
   * @returns The value.
   */
  getScratchpad(k: number): bigint {
    return get64(this.regs, R_SCRATCHPAD + 2 * (k & 7));
  }
  /** Sets scratchpad register `k`. @param k 0–7. @param v The value. */
  setScratchpad(k: number, v: bigint): void {
    set64(this.regs, R_SCRATCHPAD + 2 * (k & 7), v);
  }

  /** Address of the last access fault (data or instruction). @returns The address. */
  faultAddress(): bigint {
    return joinU64(this.faultHi, this.faultLo);
  }

  /** Whether PSTATE.PRIV is clear. @returns True in user mode. */
  isUserMode(): boolean {
    return (this.regs[R_PSTATE] & PSTATE_PRIV) === 0;
  }

  /**
   * Snapshot of every register.
   *
   * @returns A context for {@linkcode Sparc64Cpu.restoreState}.
   */
  saveState(): Sparc64Context {
    return { regs: this.regs.slice() };
  }

  /**
   * Restores a snapshot (a stop not yet returned is dropped).
   *
   * @param ctx A context from {@linkcode Sparc64Cpu.saveState}.
   * @throws {RangeError} If the buffer has the wrong size.
   */
  restoreState(ctx: Sparc64Context): void {
    if (ctx.regs.length !== SPARC64_REGFILE_WORDS) {
      throw new RangeError(
        "Cannot restore a sparc64 context: the register buffer has the wrong size",
      );
    }
    this.regs.set(ctx.regs);
    this.page = null;
    this.cur = null;
    this.pendingStop = -1;
    this.writePstate(this.regs[R_PSTATE]);
    this.page = null;
    this.remap();
  }

  /**
   * Host-side `flushw` without traps: every window CANRESTORE (and, as
   * user accesses, OTHERWIN) holds goes to its save area at `%sp + 2047`
   * as `spill_0_normal` writes it; then CANSAVE = 6, CANRESTORE =
   * OTHERWIN = 0.
   *
   * @returns False if a save area cannot be written (state then unchanged).
   */
  flushWindows(): boolean {
    this.syncMemory();
    return flushSparc64Windows(this);
  }

  /**
   * The decoded instruction at `addr`, from the cache.
   *
   * @param addr Address.
   * @returns The record (shared with the cache: do not modify).
   * @throws {RangeError} If the word cannot be fetched.
   */
  decodeAt(addr: bigint): Sparc64DecodedInsn {
    return decodeSparc64At(this, addr);
  }
}
