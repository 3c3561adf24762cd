// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * One x86 CPU: the register file, RIP, lazy flags, segment and system
 * state, the decode cache and the run loop entry. Fields are public hot
 * state (internal, as blink's `struct Machine`): the instruction handlers in
 * this folder read and write them directly. Hosts should prefer the
 * methods (`getReg`, `getRip`, `getFlags`, `run` …).
 *
 * @module
 */

import { DecodeCache, type DecodePage } from "../_common/decode_cache.ts";
import { Fault } from "../_common/fault.ts";
import { joinU64, splitU64 } from "../_common/u64.ts";
import { type GuestMemory, PF_WRITE, type StopReason } from "../types.ts";
import { type DecodedInsn, decodeX86 } from "./decode.ts";
import { fetchDecode, runCpu } from "./execute.ts";
import { DEFAULT_JIT_THRESHOLD, JIT_TLB_WORDS } from "./jit.ts";
import { getArithFlags, LAZY_OP, LAZY_SIZE, LAZY_W, LF_LOGIC, setArithFlags } from "./flags.ts";
import {
  CR0_PE,
  CR0_PG,
  CR0_WP,
  createRegisterFile,
  DR6_FIXED,
  FLAG_FIXED,
  RIP_HI,
  RIP_LO,
} from "./regs.ts";
import { deliverSoftwareInterrupt, setEflags } from "./traps.ts";

/** Options for {@linkcode X86Cpu}. */
export interface X86CpuOptions {
  /** 64 for long mode (x86_64), 32 for protected mode (i386). */
  mode: 64 | 32;
}

/** A pending stop raised by an instruction; `events` bit. */
export const EV_STOP = 1;
/** EFLAGS.TF is set: step one instruction at a time. */
export const EV_TF = 2;
/** An external interrupt is pending and IF = 1. */
export const EV_IRQ = 4;
/** Text changed: drop the current instruction and re-fetch from RIP. */
export const EV_FLUSH = 8;

function unlink(insn: DecodedInsn): void {
  insn.next = null;
  insn.target = null;
}

const scratch = new Uint32Array(2);

/**
 * An x86 CPU executing guest machine code from a {@linkcode GuestMemory}.
 * Internal hot state: every field is public for the handlers.
 *
 * @example Run `mov eax, 42; hlt`
 * ```ts
 * import { X86Cpu } from "./cpu.ts";
 * import { Memory, PROT_EXEC, PROT_READ } from "../../kernel-model/memory.ts";
 * import { STOP_HALT } from "../types.ts";
 * import assert from "node:assert/strict";
 * const mem = new Memory({ littleEndian: true });
 * mem.map(0x1000n, 0x1000, PROT_READ | PROT_EXEC);
 * mem.writeBytes(0x1000n, new Uint8Array([0xb8, 42, 0, 0, 0, 0xf4]));
 * const cpu = new X86Cpu(mem, { mode: 64 });
 * cpu.setRip(0x1000n);
 * assert.equal(cpu.run(100), STOP_HALT);
 * assert.equal(cpu.getReg(0), 42n);
 * assert.equal(cpu.getRip(), 0x1006n);
 * ```
 */
export class X86Cpu {
  /** The guest address space. */
  readonly mem: GuestMemory;
  /** 64 (long mode) or 32 (protected mode). */
  readonly mode: 64 | 32;
  /** GPR `i`: low half at `[2i]`, high half at `[2i + 1]`. */
  readonly regs: Uint32Array;
  /** 16-bit view of the register buffer (`regs16[4i]` = low word of GPR i). */
  readonly regs16: Uint16Array;
  /** 8-bit view of the register buffer (`regs8[8i]` low byte, `[8i + 1]` AH…BH). */
  readonly regs8: Uint8Array;
  /** Lazy arithmetic flags, indexed by `LAZY_*` (see `flags.ts`). */
  readonly lf: Uint32Array = new Uint32Array(LAZY_SIZE);
  /** `clock[0]`: retired instructions (a double; see `tsc`). */
  readonly clock: Float64Array = new Float64Array(1);
  /** Current privilege level (CS.RPL). */
  cpl: number = 0;
  /** Stack width in bytes: 8 in long mode, 4 in protected mode. */
  stackSize: number;
  /** EFLAGS bits other than the six arithmetic flags (TF, IF, DF, IOPL …). */
  flagsBase: number = FLAG_FIXED;
  /** Scratch pair for 64-bit helpers. */
  readonly pair: Uint32Array = new Uint32Array(2);
  /** How the last handler left RIP: `BRANCH_NONE`, `BRANCH_RIP` or `BRANCH_TARGET`. */
  branch: number = 0;
  /** The executing instruction (null between instructions and while fetching). */
  cur: DecodedInsn | null = null;
  /** Data access code for reads (`PF_USER` at CPL 3). */
  accRead: number = 0;
  /** Data access code for writes. */
  accWrite: number = PF_WRITE;

  /** Segment selectors: ES, CS, SS, DS, FS, GS. */
  readonly sreg: Uint16Array = new Uint16Array(6);
  /** FS base low half. */
  fsBaseLo: number = 0;
  /** FS base high half. */
  fsBaseHi: number = 0;
  /** GS base low half. */
  gsBaseLo: number = 0;
  /** GS base high half. */
  gsBaseHi: number = 0;
  /** IA32_KERNEL_GS_BASE low half (swapped by `swapgs`). */
  kernelGsBaseLo: number = 0;
  /** IA32_KERNEL_GS_BASE high half. */
  kernelGsBaseHi: number = 0;
  /** IA32_EFER. */
  efer: number = 0;
  /** Other MSRs written by the guest or host, as 64-bit values. */
  readonly msrs: Map<number, bigint> = new Map();

  /** CR0. */
  cr0: number;
  /** CR2 (last page-fault address) low half. */
  cr2Lo: number = 0;
  /** CR2 high half. */
  cr2Hi: number = 0;
  /** CR3 (low half; no paging is modelled). */
  cr3: number = 0;
  /** CR4. */
  cr4: number = 0;
  /** DR0–DR3 (low halves). */
  readonly dr: Float64Array = new Float64Array(4);
  /** DR6 (BS = single step). */
  dr6: number = DR6_FIXED;
  /** DR7. */
  dr7: number = 0x400;
  /** GDTR base low half. */
  gdtBaseLo: number = 0;
  /** GDTR base high half. */
  gdtBaseHi: number = 0;
  /** GDTR limit. */
  gdtLimit = 0xffff;
  /** IDTR base low half. */
  idtBaseLo: number = 0;
  /** IDTR base high half. */
  idtBaseHi: number = 0;
  /** IDTR limit. */
  idtLimit = 0xffff;
  /** LDTR selector. */
  ldtr: number = 0;
  /** Task register selector. */
  tr: number = 0;
  /** TSS base (from the GDT at `ltr`) low half. */
  trBaseLo: number = 0;
  /** TSS base high half. */
  trBaseHi: number = 0;

  /** Vector of the last exception (valid after `STOP_TRAP`). */
  trapVector: number = -1;
  /** Error code of the last exception (0 if the vector has none). */
  trapErrorCode: number = 0;
  /** `rax` at the last `vmcall` (valid after `STOP_HYPERCALL`). */
  hypercallNr: number = 0;
  /** Stop recorded by an instruction, returned at the next boundary. */
  pendingStop: number = -1;
  /** Vector of a trap-type exception raised by an instruction (int3, int n, into, int1). */
  pendingTrap: number = -1;
  /** `EV_*` bits: something needs the slow path before the next instruction. */
  events: number = 0;
  /** Pending external interrupts, one bit per vector. */
  readonly irqPending: Uint32Array = new Uint32Array(8);
  /** Number of pending external interrupts. */
  irqCount: number = 0;
  /** `tsc` value at which the sti/mov-ss interrupt shadow applies. */
  shadowTsc: number = -1;

  /** The preallocated fault for CPU-raised exceptions. */
  readonly fault: Fault = new Fault();
  /** Backing bytes of `mem` (refreshed when `mem.u8` is replaced). */
  u8: Uint8Array;
  /** Little-endian view over `u8`. */
  dv: DataView;
  /** Decoded instructions by address. */
  readonly cache: DecodeCache<DecodedInsn> = new DecodeCache(unlink);
  /** Slot array of the page holding RIP (`regs[PAGE_HI/PAGE_LO]`), or null. */
  page: DecodePage<DecodedInsn> | null = null;
  /**
   * The page RIP was on before (`prevPageHi/Lo`), execute permission
   * checked at the current CPL and decode cache; null after a text write or
   * CPL change.
   */
  prevPage: DecodePage<DecodedInsn> | null = null;
  /** Low half of `prevPage`'s address. */
  prevPageLo: number = 0;
  /** High half of `prevPage`'s address. */
  prevPageHi: number = 0;
  /**
   * The page RIP was on before `prevPage` (`prev2PageHi/Lo`), kept on the
   * same terms: a call into another page and the return through a third
   * (a return probe's trampoline) find all three at hand.
   */
  prev2Page: DecodePage<DecodedInsn> | null = null;
  /** Low half of `prev2Page`'s address. */
  prev2PageLo: number = 0;
  /** High half of `prev2Page`'s address. */
  prev2PageHi: number = 0;
  /**
   * A kprobe hit's stack page (_kprobes_step.ts stackPageOffset()): its
   * address halves as int32, its offset into `u8` (-1: none), and the
   * memory's protectCount and the write access it was checked under.
   */
  hitStackHi: number = 0;
  /** Low half of the kept stack page's address (int32). */
  hitStackLo: number = 0;
  /** Its offset into `u8`, or -1. */
  hitStackOff: number = -1;
  /** The protectCount it was checked under. */
  hitStackGen: number = -1;
  /** The write access it was checked for. */
  hitStackAcc: number = -1;
  /** Scratch for instructions that straddle a page. */
  readonly fetchBuf: Uint8Array = new Uint8Array(16);
  /**
   * Block translator threshold (`jit.ts`): a block head is translated on
   * its first entry after this many interpreted entries; 0 translates on
   * first entry, -1 turns the translator off.
   */
  jitThreshold: number = DEFAULT_JIT_THRESHOLD;
  /** The translator's read TLB (`jit.ts`), emptied (a new generation) when a run starts. */
  readonly jitTlbRead: Int32Array = new Int32Array(JIT_TLB_WORDS).fill(1);
  /** The translator's write TLB (only pages whose writes need no text-write notice). */
  readonly jitTlbWrite: Int32Array = new Int32Array(JIT_TLB_WORDS).fill(1);
  /** The translators' TLB generation (bits 3–11 of a tag), advanced when a run starts. */
  jitTlbGen: number = 8;
  /**
   * Called by the run loop with a trap or hypercall stop before it returns
   * it; true means the host handled the stop in place (a kprobe hit) and
   * the loop goes on. Null: every stop returns.
   */
  stopHook: ((reason: StopReason) => boolean) | null = null;
  /** See `ArchCpu.callIn`: a `vmcall` the host handles in place (an optimized kprobe hit). */
  callIn: (() => boolean) | null = null;
  /**
   * Retired instructions of guest code the host ran inside an in-place
   * `vmcall` (a handler's printk) while the run loop held the count in a
   * local: added to the clock at the loop's next slow step or exit.
   */
  clockCarry = 0;

  /**
   * Creates a reset CPU over `memory`: CPL 0, interrupts off, RIP 0.
   *
   * @param memory Guest memory (must be little-endian).
   * @param options The mode.
   */
  constructor(memory: GuestMemory, options: X86CpuOptions) {
    if (!memory.littleEndian) throw new TypeError("Cannot create an x86 CPU: memory is big-endian");
    this.mem = memory;
    this.mode = options.mode;
    const rf = createRegisterFile();
    this.regs = rf.regs;
    this.regs16 = rf.regs16;
    this.regs8 = rf.regs8;
    this.stackSize = options.mode === 64 ? 8 : 4;
    this.cr0 = CR0_PE | CR0_WP | (options.mode === 64 ? CR0_PG : 0);
    if (options.mode === 64) this.efer = 0x500; // LME | LMA
    this.u8 = memory.u8;
    this.dv = new DataView(this.u8.buffer, this.u8.byteOffset, this.u8.byteLength);
    this.lf[LAZY_OP] = LF_LOGIC;
    this.lf[LAZY_W] = 2;
    memory.onTextWrite((hi, lo, length) => {
      // Drop the written pages, unlink the threaded successors that point
      // into them (the cache keeps those links), and make the run loop
      // re-fetch from RIP.
      this.cache.invalidate(hi, lo, length);
      this.page = null;
      this.prevPage = null;
      this.prev2Page = null;
      this.events |= EV_FLUSH;
      if (this.branch === 0) this.branch = 3; // BRANCH_EVENT
    });
  }

  /** RIP low half (`regs[RIP_LO]`); while an instruction runs it points past it. */
  get ripLo(): number {
    return this.regs[RIP_LO];
  }
  set ripLo(v: number) {
    this.regs[RIP_LO] = v;
  }

  /** RIP high half (`regs[RIP_HI]`). */
  get ripHi(): number {
    return this.regs[RIP_HI];
  }
  set ripHi(v: number) {
    this.regs[RIP_HI] = v;
  }

  /** Retired instructions (what `rdtsc` returns): `clock[0]`. */
  get tsc(): number {
    return this.clock[0];
  }
  set tsc(v: number) {
    this.clock[0] = v;
  }

  /** CR2 (the last page-fault address) as one value. */
  get cr2(): bigint {
    return joinU64(this.cr2Hi, this.cr2Lo);
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
   * @returns `STOP_BUDGET`, `STOP_TRAP` (see `trapVector`), `STOP_HALT`,
   * `STOP_USER` or `STOP_HYPERCALL`.
   */
  run(budget: number): StopReason {
    return runCpu(this, budget);
  }

  /**
   * Materialized EFLAGS.
   *
   * @returns The 32-bit flags.
   */
  getFlags(): number {
    return (this.flagsBase | getArithFlags(this.lf)) >>> 0;
  }

  /**
   * Replaces EFLAGS (host use: all bits writable, TF/IF take effect at the
   * next instruction boundary).
   *
   * @param value New flags.
   */
  setFlags(value: number): void {
    setArithFlags(this.lf, value);
    setEflags(this, value);
  }

  /**
   * Reads a 64-bit general-purpose register.
   *
   * @param i Register index (RAX = 0 … R15 = 15).
   * @returns The value.
   */
  getReg(i: number): bigint {
    return joinU64(this.regs[2 * i + 1], this.regs[2 * i]);
  }

  /**
   * Writes a 64-bit general-purpose register.
   *
   * @param i Register index.
   * @param value The value (mod 2**64).
   */
  setReg(i: number, value: bigint): void {
    splitU64(value, scratch);
    this.regs[2 * i] = scratch[0];
    this.regs[2 * i + 1] = scratch[1];
  }

  /**
   * The instruction pointer.
   *
   * @returns RIP.
   */
  getRip(): bigint {
    return joinU64(this.regs[RIP_HI], this.regs[RIP_LO]);
  }

  /**
   * Moves the instruction pointer.
   *
   * @param value New RIP.
   */
  setRip(value: bigint): void {
    splitU64(value, scratch);
    this.regs[RIP_LO] = scratch[0];
    this.regs[RIP_HI] = this.mode === 64 ? scratch[1] : 0;
  }

  /**
   * Loads CS (and CPL from its RPL) the way a far transfer would, without
   * descriptor checks; host use when entering user or kernel mode.
   *
   * @param selector The selector.
   */
  setCs(selector: number): void {
    this.sreg[1] = selector;
    this.cpl = selector & 3;
    this.accRead = this.cpl === 3 ? 4 : 0;
    this.accWrite = this.accRead | PF_WRITE;
    this.page = null; // re-check execute permission at the new CPL
    this.prevPage = null;
    this.prev2Page = null;
  }

  /**
   * Makes external interrupt `vector` pending; it is delivered through the
   * IDT at the next instruction boundary with IF = 1 outside an interrupt
   * shadow.
   *
   * @param vector 32–255.
   */
  raiseInterrupt(vector: number): void {
    const word = vector >>> 5;
    const bit = 1 << (vector & 31);
    if ((this.irqPending[word] & bit) === 0) {
      this.irqPending[word] |= bit;
      this.irqCount++;
    }
    setEflags(this, this.flagsBase);
  }

  /**
   * Delivers `vector` through the IDT now, as `int n` would from the
   * current CPL (privilege checks, stack switch to TSS.rsp0 from CPL 3).
   * RIP pushed is the current RIP.
   *
   * @param vector 0–255.
   * @returns -1 on success, or `STOP_TRAP` with `trapVector` set when the
   * delivery itself faults.
   */
  deliverInterrupt(vector: number): number {
    this.syncMemory();
    return deliverSoftwareInterrupt(this, vector);
  }

  /**
   * The decoded instruction at `(hi, lo)`, from the cache.
   *
   * @param hi Address high half.
   * @param lo Address low half.
   * @returns The record (shared with the cache: do not modify).
   * @throws {RangeError} If the bytes cannot be fetched.
   */
  decodeAt(hi: number, lo: number): DecodedInsn {
    this.syncMemory();
    const insn = fetchDecode(this, hi >>> 0, lo >>> 0, 0);
    if (insn === null) {
      throw new RangeError(
        `Cannot decode at 0x${joinU64(hi, lo).toString(16)}: the bytes are not mapped`,
      );
    }
    return insn;
  }

  /**
   * Decodes without the cache or protection checks (host convenience).
   *
   * @param bytes Code bytes.
   * @returns The decoded instruction.
   */
  decodeBytes(bytes: Uint8Array): DecodedInsn {
    return decodeX86(bytes, 0, this.mode);
  }

  /**
   * Reads a model-specific register.
   *
   * @param index MSR number.
   * @returns Its value (0 if never written).
   */
  readMsr(index: number): bigint {
    switch (index >>> 0) {
      case 0xc0000100:
        return joinU64(this.fsBaseHi, this.fsBaseLo);
      case 0xc0000101:
        return joinU64(this.gsBaseHi, this.gsBaseLo);
      case 0xc0000102:
        return joinU64(this.kernelGsBaseHi, this.kernelGsBaseLo);
      case 0xc0000080:
        return BigInt(this.efer);
      case 0x10:
        return BigInt(this.clock[0]);
      default:
        return this.msrs.get(index >>> 0) ?? 0n;
    }
  }

  /**
   * Writes a model-specific register.
   *
   * @param index MSR number.
   * @param value New value.
   */
  writeMsr(index: number, value: bigint): void {
    splitU64(value, scratch);
    switch (index >>> 0) {
      case 0xc0000100:
        this.fsBaseLo = scratch[0];
        this.fsBaseHi = scratch[1];
        break;
      case 0xc0000101:
        this.gsBaseLo = scratch[0];
        this.gsBaseHi = scratch[1];
        break;
      case 0xc0000102:
        this.kernelGsBaseLo = scratch[0];
        this.kernelGsBaseHi = scratch[1];
        break;
      case 0xc0000080:
        this.efer = scratch[0];
        break;
      case 0x10:
        // The run loop stores the count before this instruction plus one
        // once it retires (the fast path holds it in a local): the jump to
        // the new value is carried to the next slow step, forced by the event
        // (execute.ts carryClock()). After the wrmsr the clock reads value + 1.
        this.clockCarry += Number(BigInt.asUintN(64, value)) - this.clock[0];
        this.events |= EV_FLUSH;
        if (this.branch === 0) this.branch = 3; // BRANCH_EVENT
        break;
      default:
        this.msrs.set(index >>> 0, BigInt.asUintN(64, value));
    }
  }
}
