// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The sparc64 register file and architectural constants. One `Uint32Array`
 * holds every register as 32-bit halves, low half first (as on ppc64 and in
 * `_common/u64.ts`): both global sets, the 8 physical windows (each its
 * locals then its ins; a window's outs are the next window's ins), PC/nPC,
 * (words 296–299 unused), the control registers (CCR, Y, ASI, PSTATE, PIL, TL, the window state),
 * the trap stack (TSTATE/TPC/TNPC/TT per trap level) and the scratchpad.
 * Instructions name registers through the CPU's `rmap`/`wmap` tables (word
 * index of the low half for r0–r31 of the current window and global set),
 * rebuilt on every CWP or PSTATE.AG change.
 *
 * @module
 */

/** Register windows (UltraSPARC: NWINDOWS 8). */
export const NWINDOWS = 8;
/** Highest trap level (UltraSPARC: MAXTL 5). */
export const MAXTL = 5;

/** `regs` word: normal global `%g0`'s low half; `%gN` at `2N` (low) and `2N + 1` (high). */
export const R_GLOBALS = 0;
/** `regs` word: the alternate globals (PSTATE.AG = 1). */
export const R_ALT_GLOBALS = 16;
/** `regs` word: window 0; window `w` at `R_WINDOWS + 32w` (locals `+0`, ins `+16`). */
export const R_WINDOWS = 32;
/** `regs` word pair that reads as `%g0` (always 0). */
export const R_ZERO = 288;
/** `regs` word pair that `%g0` writes go to (discarded). */
export const R_SINK = 290;
/** `regs` word: PC low half. */
export const R_PC_LO = 292;
/** `regs` word: PC high half. */
export const R_PC_HI = 293;
/** `regs` word: nPC low half. */
export const R_NPC_LO = 294;
/** `regs` word: nPC high half. */
export const R_NPC_HI = 295;
/** `regs` word: CCR (xcc in bits 7:4, icc in bits 3:0; N 8, Z 4, V 2, C 1). */
export const R_CCR = 300;
/** `regs` word: Y. */
export const R_Y = 301;
/** `regs` word: ASI register. */
export const R_ASI = 302;
/** `regs` word: PSTATE. */
export const R_PSTATE = 303;
/** `regs` word: PIL. */
export const R_PIL = 304;
/** `regs` word: TL. */
export const R_TL = 305;
/** `regs` word: CWP. */
export const R_CWP = 306;
/** `regs` word: CANSAVE. */
export const R_CANSAVE = 307;
/** `regs` word: CANRESTORE. */
export const R_CANRESTORE = 308;
/** `regs` word: OTHERWIN. */
export const R_OTHERWIN = 309;
/** `regs` word: CLEANWIN. */
export const R_CLEANWIN = 310;
/** `regs` word: WSTATE (NORMAL bits 2:0, OTHER bits 5:3). */
export const R_WSTATE = 311;
/** `regs` word: SOFTINT (bit 0 TICK_INT, bits 1–15 interrupt levels). */
export const R_SOFTINT = 312;
/** `regs` word: FPRS (kept, never enables floating point). */
export const R_FPRS = 313;
/** `regs` word: TBA low half. */
export const R_TBA_LO = 314;
/** `regs` word: TBA high half. */
export const R_TBA_HI = 315;
/** `regs` word: TICK_CMPR low half (kept; the host raises the tick). */
export const R_TICK_CMPR_LO = 316;
/** `regs` word: TICK_CMPR high half. */
export const R_TICK_CMPR_HI = 317;
/** `regs` word: low half of the cached code page (not architectural). */
export const R_FETCH_PAGE_LO = 318;
/** `regs` word: high half of the cached code page (not architectural). */
export const R_FETCH_PAGE_HI = 319;
/** Entries of the CPU's direct-mapped set of recent decode pages (`Sparc64Cpu.nearPages`). */
export const NEAR_PAGES = 8;
/** `regs` word: scratch for 64-bit results, low half. */
export const R_T0_LO = 320;
/** `regs` word: scratch, high half. */
export const R_T0_HI = 321;
/** `regs` word: second scratch pair, low half. */
export const R_T1_LO = 322;
/** `regs` word: second scratch, high half. */
export const R_T1_HI = 323;
/** `regs` word: effective address of the executing memory access, low half. */
export const R_ADDR_LO = 324;
/** `regs` word: effective address, high half. */
export const R_ADDR_HI = 325;
/** `regs` word: trap level 1's record; level `tl` at `R_TRAP + 8(tl − 1)`. */
export const R_TRAP = 328;
/** Offset in a trap record: TSTATE low half (then high at +1). */
export const T_TSTATE = 0;
/** Offset in a trap record: TPC low half (then high). */
export const T_TPC = 2;
/** Offset in a trap record: TNPC low half (then high). */
export const T_TNPC = 4;
/** Offset in a trap record: TT. */
export const T_TT = 6;
/** `regs` word: scratchpad register 0's low half; register `k` at `R_SCRATCHPAD + 2k`. */
export const R_SCRATCHPAD = 368;
/** Words in the register buffer. */
export const SPARC64_REGFILE_WORDS = 384;

/** PSTATE.AG: the alternate globals. */
export const PSTATE_AG = 0x1;
/** PSTATE.IE: interrupts enabled. */
export const PSTATE_IE = 0x2;
/** PSTATE.PRIV: privileged mode. */
export const PSTATE_PRIV = 0x4;
/** PSTATE.AM: 32-bit address masking. */
export const PSTATE_AM = 0x8;
/** PSTATE.PEF: floating point enabled (never set by the image). */
export const PSTATE_PEF = 0x10;
/** PSTATE.RED: reset/error state (never entered). */
export const PSTATE_RED = 0x20;
/** PSTATE.MM: memory model (kept, not modelled). */
export const PSTATE_MM = 0xc0;
/** PSTATE.TLE: trap little-endian (kept). */
export const PSTATE_TLE = 0x100;
/** PSTATE.CLE: current little-endian (kept; accesses stay big-endian). */
export const PSTATE_CLE = 0x200;
/** Writable PSTATE bits. */
export const PSTATE_MASK = 0x3ff;

/** CCR bit: N of icc (xcc is `<< 4`). */
export const CC_N = 8;
/** CCR bit: Z. */
export const CC_Z = 4;
/** CCR bit: V. */
export const CC_V = 2;
/** CCR bit: C. */
export const CC_C = 1;

/** Trap type: instruction_access_exception. */
export const TT_INSN_ACCESS = 0x008;
/** Trap type: illegal_instruction (also `illtrap`). */
export const TT_ILLEGAL = 0x010;
/** Trap type: privileged_opcode. */
export const TT_PRIVILEGED_OPCODE = 0x011;
/** Trap type: fp_disabled. */
export const TT_FP_DISABLED = 0x020;
/** Trap type: tag_overflow (`taddcctv`, `tsubcctv`). */
export const TT_TAG_OVERFLOW = 0x023;
/** Trap type: clean_window (0x024–0x027; the CPU raises 0x024). */
export const TT_CLEAN_WINDOW = 0x024;
/** Trap type: division_by_zero. */
export const TT_DIV_ZERO = 0x028;
/** Trap type: data_access_exception. */
export const TT_DATA_ACCESS = 0x030;
/** Trap type: mem_address_not_aligned. */
export const TT_UNALIGNED = 0x034;
/** Trap type: privileged_action (ASI below 0x80 in user mode). */
export const TT_PRIVILEGED_ACTION = 0x037;
/** Trap type of interrupt level `n`: `0x040 + n` (the tick is 0x04e). */
export const TT_INTERRUPT = 0x040;
/** Trap type: spill_0_normal; spill_n_normal is `+ 4n`. */
export const TT_SPILL_NORMAL = 0x080;
/** Trap type: spill_0_other; spill_n_other is `+ 4n`. */
export const TT_SPILL_OTHER = 0x0a0;
/** Trap type: fill_0_normal; fill_n_normal is `+ 4n`. */
export const TT_FILL_NORMAL = 0x0c0;
/** Trap type: fill_0_other; fill_n_other is `+ 4n`. */
export const TT_FILL_OTHER = 0x0e0;
/** Trap type of `ta n`: `0x100 + n`. */
export const TT_TRAP_INSN = 0x100;
/** Trap type of `ta 0x6d`, the system call. */
export const TT_SYSCALL = 0x16d;
/** Trap type of `sir` (software-initiated reset). */
export const TT_SIR = 0x004;

/** ASI_NUCLEUS. */
export const ASI_NUCLEUS = 0x04;
/** ASI_AS_IF_USER_PRIMARY. */
export const ASI_AIUP = 0x10;
/** ASI_AS_IF_USER_SECONDARY (the window vectors' user accesses). */
export const ASI_AIUS = 0x11;
/** ASI_SCRATCHPAD (sun4v): 8 per-CPU registers at `8·k`. */
export const ASI_SCRATCHPAD = 0x20;
/** ASI_PRIMARY (the implicit ASI). */
export const ASI_PRIMARY = 0x80;
/** ASI_SECONDARY. */
export const ASI_SECONDARY = 0x81;
/** ASI_PRIMARY_NOFAULT. */
export const ASI_PNF = 0x82;
/** ASI_SECONDARY_NOFAULT. */
export const ASI_SNF = 0x83;

/** The stack bias of the V9 ABI (`%sp + 2047` is the frame). */
export const STACK_BIAS = 2047;

/**
 * A new register buffer in the boot state ABI.md gives (PSTATE = PRIV,
 * PIL 15, CWP 0, CANSAVE 6, CLEANWIN 7, ASI 0x80, every register 0).
 *
 * @returns The buffer.
 *
 * @example The boot PSTATE
 * ```ts
 * import { createSparc64RegisterFile, PSTATE_PRIV, R_PSTATE } from "./regs.ts";
 * import assert from "node:assert/strict";
 * assert.equal(createSparc64RegisterFile()[R_PSTATE], PSTATE_PRIV);
 * ```
 */
export function createSparc64RegisterFile(): Uint32Array {
  const r = new Uint32Array(SPARC64_REGFILE_WORDS);
  r[R_PSTATE] = PSTATE_PRIV;
  r[R_PIL] = 15;
  r[R_CANSAVE] = NWINDOWS - 2;
  r[R_CLEANWIN] = NWINDOWS - 1;
  r[R_ASI] = ASI_PRIMARY;
  r[R_NPC_LO] = 4;
  return r;
}

/**
 * Word index (low half) of physical window register `r` (8–31) of window
 * `cwp`: outs are the next window's ins.
 *
 * @param cwp Current window pointer (0–7).
 * @param r Register number 8–31.
 * @returns The word index of the low half.
 *
 * @example `%o0` of window 0 is `%i0` of window 1
 * ```ts
 * import { windowRegIndex } from "./regs.ts";
 * import assert from "node:assert/strict";
 * assert.equal(windowRegIndex(0, 8), windowRegIndex(1, 24));
 * ```
 */
export function windowRegIndex(cwp: number, r: number): number {
  if (r < 16) return R_WINDOWS + 32 * ((cwp + 1) & (NWINDOWS - 1)) + 16 + 2 * (r - 8);
  if (r < 24) return R_WINDOWS + 32 * (cwp & (NWINDOWS - 1)) + 2 * (r - 16);
  return R_WINDOWS + 32 * (cwp & (NWINDOWS - 1)) + 16 + 2 * (r - 24);
}

/**
 * Fills the read and write maps for CWP and the global set (PSTATE.AG).
 *
 * @param rmap Read map (r → word index of the low half; `%g0` → `R_ZERO`).
 * @param wmap Write map (`%g0` → `R_SINK`).
 * @param cwp Current window pointer.
 * @param ag 1 for the alternate globals.
 */
export function buildRegisterMaps(
  rmap: Int32Array,
  wmap: Int32Array,
  cwp: number,
  ag: number,
): void {
  const g = ag !== 0 ? R_ALT_GLOBALS : R_GLOBALS;
  rmap[0] = R_ZERO;
  wmap[0] = R_SINK;
  for (let r = 1; r < 8; r++) rmap[r] = wmap[r] = g + 2 * r;
  for (let r = 8; r < 32; r++) rmap[r] = wmap[r] = windowRegIndex(cwp, r);
}

function buildAll(write: boolean): readonly Int32Array[] {
  const out: Int32Array[] = [];
  for (let ag = 0; ag < 2; ag++) {
    for (let cwp = 0; cwp < NWINDOWS; cwp++) {
      const r = new Int32Array(32);
      const w = new Int32Array(32);
      buildRegisterMaps(r, w, cwp, ag);
      out.push(write ? w : r);
    }
  }
  return out;
}

/** Read maps by `AG · 8 + CWP` (constant tables; see {@linkcode buildRegisterMaps}). */
export const SPARC64_READ_MAPS: readonly Int32Array[] = buildAll(false);
/** Write maps by `AG · 8 + CWP`. */
export const SPARC64_WRITE_MAPS: readonly Int32Array[] = buildAll(true);
