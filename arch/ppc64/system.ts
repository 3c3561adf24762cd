// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * System instructions: `mfspr`/`mtspr` (XER, LR, CTR, DSISR, DAR, DEC,
 * SRR0/1, SPRG0–3, TB, PVR, PIR; others are plain storage), `mftb`,
 * `mfmsr`, `mtmsr`, `mtmsrd` (L = 0 and L = 1), `rfid`, `sc` (LEV 0: the
 * guest's 0xc00 vector; LEV 1: `STOP_HYPERCALL`), the trap instructions
 * `tw`/`twi`/`td`/`tdi` (program interrupt with the trap reason),
 * `wait` (`STOP_HALT`), the barriers, and the illegal-instruction handler.
 *
 * Privilege: in problem state (MSR.PR = 1) `mfmsr`, `mtmsr[d]`, `rfid` and
 * `mfspr`/`mtspr` of an SPR whose number has bit 0x10 set (the ISA's
 * privileged half) raise a program interrupt with the privileged reason.
 *
 * @module
 */

import { STOP_HALT, STOP_HYPERCALL, STOP_USER } from "../types.ts";
import type { Ppc64Cpu } from "./cpu.ts";
import type { Ppc64DecodedInsn } from "./decode.ts";
import {
  MSR_DR,
  MSR_EE,
  MSR_HV_HI,
  MSR_IR,
  MSR_PR,
  MSR_RI,
  PVR_POWER5P,
  R_CTR_HI,
  R_CTR_LO,
  R_DAR_HI,
  R_DAR_LO,
  R_DEC,
  R_DSISR,
  R_LR_HI,
  R_LR_LO,
  R_MSR_HI,
  R_MSR_LO,
  R_NIP_HI,
  R_NIP_LO,
  R_SPRG0_LO,
  R_SRR0_HI,
  R_SRR0_LO,
  R_SRR1_HI,
  R_SRR1_LO,
  R_TMP_HI,
  R_XER,
  SPR_CTR,
  SPR_DAR,
  SPR_DEC,
  SPR_DSISR,
  SPR_LR,
  SPR_PIR,
  SPR_PVR,
  SPR_SPRG0,
  SPR_SRR0,
  SPR_SRR1,
  SPR_TBRL,
  SPR_TBRU,
  SPR_TBWL,
  SPR_TBWU,
  SPR_XER,
  SRR1_ILLEGAL,
  SRR1_PRIVILEGED,
  VEC_SYSCALL,
} from "./regs.ts";
import {
  BR_NIP,
  BR_NONE,
  enterInterrupt,
  raiseProgramInterrupt,
  requestStop,
  takeProgramTrap,
  writeMsr,
} from "./traps.ts";

const TWO32 = 4294967296;
/** XER bits that exist: SO, OV, CA and the 7-bit byte count. */
const XER_MASK = 0xe000007f;
/** User-readable alias of SPRG3. */
const SPR_USPRG3 = 259;

function checkPrivileged(cpu: Ppc64Cpu): void {
  if ((cpu.regs[R_MSR_LO] & MSR_PR) !== 0) raiseProgramInterrupt(cpu, SRR1_PRIVILEGED);
}

/**
 * Reads SPR `n` as `mfspr` does (no privilege check).
 *
 * @param cpu The CPU.
 * @param n SPR number.
 * @returns The low half; the high half is left in `regs[R_TMP_HI]`.
 */
export function readSpr(cpu: Ppc64Cpu, n: number): number {
  const g = cpu.regs;
  let hi = 0;
  let lo = 0;
  switch (n) {
    case SPR_XER:
      lo = g[R_XER];
      break;
    case SPR_LR:
      hi = g[R_LR_HI];
      lo = g[R_LR_LO];
      break;
    case SPR_CTR:
      hi = g[R_CTR_HI];
      lo = g[R_CTR_LO];
      break;
    case SPR_DSISR:
      lo = g[R_DSISR];
      break;
    case SPR_DAR:
      hi = g[R_DAR_HI];
      lo = g[R_DAR_LO];
      break;
    case SPR_DEC:
      lo = (g[R_DEC] - (cpu.clock[0] - cpu.decTsc)) >>> 0;
      break;
    case SPR_SRR0:
      hi = g[R_SRR0_HI];
      lo = g[R_SRR0_LO];
      break;
    case SPR_SRR1:
      hi = g[R_SRR1_HI];
      lo = g[R_SRR1_LO];
      break;
    case SPR_SPRG0:
    case SPR_SPRG0 + 1:
    case SPR_SPRG0 + 2:
    case SPR_SPRG0 + 3:
    case SPR_USPRG3: {
      const i = R_SPRG0_LO + 2 * (n === SPR_USPRG3 ? 3 : n - SPR_SPRG0);
      lo = g[i];
      hi = g[i + 1];
      break;
    }
    case SPR_TBRL:
    case SPR_TBRU: {
      const tb = cpu.clock[0];
      hi = Math.floor(tb / TWO32);
      lo = tb >>> 0;
      if (n === SPR_TBRU) {
        lo = hi;
        hi = 0;
      }
      break;
    }
    case SPR_PVR:
      lo = PVR_POWER5P;
      break;
    case SPR_PIR:
      lo = cpu.id;
      break;
    default:
      lo = cpu.sprFile[2 * (n & 1023)];
      hi = cpu.sprFile[2 * (n & 1023) + 1];
  }
  g[R_TMP_HI] = hi;
  return lo;
}

/**
 * Writes SPR `n` as `mtspr` does (no privilege check; PVR and PIR are
 * read-only, TB writes are ignored: the time base is the retired count).
 *
 * @param cpu The CPU.
 * @param n SPR number.
 * @param hi High half of the value.
 * @param lo Low half of the value.
 */
export function writeSpr(cpu: Ppc64Cpu, n: number, hi: number, lo: number): void {
  const g = cpu.regs;
  switch (n) {
    case SPR_XER:
      g[R_XER] = lo & XER_MASK;
      break;
    case SPR_LR:
      g[R_LR_HI] = hi;
      g[R_LR_LO] = lo;
      break;
    case SPR_CTR:
      g[R_CTR_HI] = hi;
      g[R_CTR_LO] = lo;
      break;
    case SPR_DSISR:
      g[R_DSISR] = lo;
      break;
    case SPR_DAR:
      g[R_DAR_HI] = hi;
      g[R_DAR_LO] = lo;
      break;
    case SPR_DEC:
      g[R_DEC] = lo;
      cpu.decTsc = cpu.clock[0];
      break;
    case SPR_SRR0:
      g[R_SRR0_HI] = hi;
      g[R_SRR0_LO] = lo;
      break;
    case SPR_SRR1:
      g[R_SRR1_HI] = hi;
      g[R_SRR1_LO] = lo;
      break;
    case SPR_SPRG0:
    case SPR_SPRG0 + 1:
    case SPR_SPRG0 + 2:
    case SPR_SPRG0 + 3: {
      const i = R_SPRG0_LO + 2 * (n - SPR_SPRG0);
      g[i] = lo;
      g[i + 1] = hi;
      break;
    }
    case SPR_TBWL:
    case SPR_TBWU:
    case SPR_PVR:
    case SPR_PIR:
    case SPR_USPRG3:
      break;
    default:
      cpu.sprFile[2 * (n & 1023)] = lo;
      cpu.sprFile[2 * (n & 1023) + 1] = hi;
  }
}

/**
 * `mfspr` RT,SPR (`mflr`, `mfctr`, `mfxer`, `mfsrr0` …).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMfspr(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const n = insn.spr;
  if ((n & 0x10) !== 0) checkPrivileged(cpu);
  const g = cpu.regs;
  const lo = readSpr(cpu, n);
  const t = insn.rt << 1;
  g[t] = lo;
  g[t + 1] = g[R_TMP_HI];
}

/**
 * `mtspr` SPR,RS (`mtlr`, `mtctr` …).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMtspr(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const n = insn.spr;
  if ((n & 0x10) !== 0) checkPrivileged(cpu);
  const g = cpu.regs;
  const s = insn.rt << 1;
  writeSpr(cpu, n, g[s + 1], g[s]);
}

/**
 * `mftb` RT,TBR (the old X-form time-base read): TB is the retired count.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMftb(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const lo = readSpr(cpu, insn.spr === SPR_TBRU ? SPR_TBRU : SPR_TBRL);
  const t = insn.rt << 1;
  g[t] = lo;
  g[t + 1] = g[R_TMP_HI];
}

/**
 * `mfmsr` RT (privileged).
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMfmsr(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  checkPrivileged(cpu);
  const g = cpu.regs;
  const t = insn.rt << 1;
  g[t] = g[R_MSR_LO];
  g[t + 1] = g[R_MSR_HI];
}

// A new MSR with problem state implies EE, IR and DR (ISA Book III-S §4.2.1).
function userImplied(lo: number): number {
  return (lo & MSR_PR) !== 0 ? lo | MSR_EE | MSR_IR | MSR_DR : lo;
}

// Writes MSR for mtmsr[d]/rfid and stops at the boundary on entry to user mode.
function setMsrFromGuest(cpu: Ppc64Cpu, hi: number, lo: number): void {
  const g = cpu.regs;
  const wasUser = (g[R_MSR_LO] & MSR_PR) !== 0;
  hi = (hi & ~MSR_HV_HI) | (g[R_MSR_HI] & MSR_HV_HI);
  lo = userImplied(lo);
  writeMsr(cpu, hi >>> 0, lo >>> 0);
  if (!wasUser && (lo & MSR_PR) !== 0) requestStop(cpu, STOP_USER);
}

/**
 * `mtmsrd` RS,L (privileged): L = 0 replaces MSR (HV kept); L = 1 copies
 * only EE and RI. Newly enabled interrupts are taken before the next
 * instruction.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMtmsrd(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  checkPrivileged(cpu);
  const g = cpu.regs;
  const s = insn.rt << 1;
  if (insn.l !== 0) {
    const m = MSR_EE | MSR_RI;
    writeMsr(cpu, g[R_MSR_HI], (g[R_MSR_LO] & ~m) | (g[s] & m));
  } else {
    setMsrFromGuest(cpu, g[s + 1], g[s]);
  }
}

/**
 * `mtmsr` RS,L (privileged): the low word of MSR only.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opMtmsr(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  checkPrivileged(cpu);
  const g = cpu.regs;
  const s = insn.rt << 1;
  if (insn.l !== 0) {
    const m = MSR_EE | MSR_RI;
    writeMsr(cpu, g[R_MSR_HI], (g[R_MSR_LO] & ~m) | (g[s] & m));
  } else {
    setMsrFromGuest(cpu, g[R_MSR_HI], g[s]);
  }
}

/**
 * `rfid` (privileged): MSR ← SRR1 (HV kept), NIP ← SRR0 & ~3. Returning
 * to problem state stops the CPU with `STOP_USER` at the user address. Not
 * followed by a trace interrupt.
 *
 * @param cpu The CPU.
 * @param _insn The instruction.
 */
export function opRfid(cpu: Ppc64Cpu, _insn: Ppc64DecodedInsn): void {
  checkPrivileged(cpu);
  const g = cpu.regs;
  const nipHi = g[R_SRR0_HI];
  const nipLo = g[R_SRR0_LO] & ~3;
  setMsrFromGuest(cpu, g[R_SRR1_HI], g[R_SRR1_LO]);
  g[R_NIP_HI] = nipHi;
  g[R_NIP_LO] = nipLo;
  cpu.branch = BR_NIP;
  cpu.noTrace = 1;
}

/**
 * `sc` LEV: LEV 1 stops with `STOP_HYPERCALL` (`hypercallNr` = r0, the
 * argument in r3, NIP after the `sc`: ABI.md, ppc64), unless the host's
 * `cpu.callIn` handles it in place (an optimized kprobe's detour calling
 * in: the handlers run now, on this CPU, and the run loop goes on at the
 * next instruction; the loop keeps the clock in memory, so guest code the
 * handlers ran counts as it does after a stop); any other level
 * enters the guest's system-call vector 0xc00 with SRR0 = the next
 * instruction.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opSc(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  cpu.noTrace = 1;
  if (insn.imm === 1) {
    cpu.hypercallNr = cpu.regs[0];
    if (cpu.callIn !== null) {
      const regs = cpu.regs;
      regs[R_NIP_LO] = insn.nextLo;
      regs[R_NIP_HI] = insn.nextHi;
      if (cpu.callIn()) {
        cpu.branch = BR_NONE; // on to the next instruction, whatever the host's runs left
        return;
      }
    }
    requestStop(cpu, STOP_HYPERCALL);
    return;
  }
  enterInterrupt(cpu, VEC_SYSCALL, insn.nextHi, insn.nextLo, 0);
  cpu.branch = BR_NIP;
}

/**
 * An `sc 1` at the head of a translated block (jit_compile.ts): the host's
 * call-in as {@linkcode opSc} makes it, else the stop. The block goes on
 * only when this returns true; false leaves NIP past the `sc` with an event
 * pending (the stop, or text the handlers wrote), and the block leaves
 * early, counting the `sc`.
 *
 * @param cpu The CPU.
 * @param insn The `sc 1`.
 * @returns True when handled with no event pending.
 */
export function blockCallInPpc64(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): boolean {
  cpu.noTrace = 1;
  const regs = cpu.regs;
  cpu.hypercallNr = regs[0];
  regs[R_NIP_LO] = insn.nextLo;
  regs[R_NIP_HI] = insn.nextHi;
  if (cpu.callIn === null || !cpu.callIn()) {
    requestStop(cpu, STOP_HYPERCALL);
    return false;
  }
  cpu.branch = BR_NONE;
  return cpu.events === 0;
}

// TO-condition test of a trap: a and b as (hi, lo) pairs compared signed/unsigned.
function trapTaken(to: number, ah: number, al: number, bh: number, bl: number): boolean {
  let lt: boolean;
  let ltu: boolean;
  if (ah !== bh) {
    lt = (ah | 0) < (bh | 0);
    ltu = ah >>> 0 < bh >>> 0;
  } else {
    lt = al >>> 0 < bl >>> 0;
    ltu = lt;
  }
  const eq = ah === bh && al === bl;
  const gt = !lt && !eq;
  const gtu = !ltu && !eq;
  return ((to & 16) !== 0 && lt) || ((to & 8) !== 0 && gt) || ((to & 4) !== 0 && eq) ||
    ((to & 2) !== 0 && ltu) || ((to & 1) !== 0 && gtu);
}

// Word operands compared as sign-extended 32-bit values.
function trapWord(cpu: Ppc64Cpu, to: number, a: number, b: number): void {
  if (trapTaken(to, a >> 31, a, b >> 31, b)) takeProgramTrap(cpu);
}

/**
 * `tw` TO,RA,RB (`trap` = `tw 31,0,0`, Kprobes' breakpoint; `tweq` …):
 * program interrupt 0x700 with SRR1 trap reason 0x20000 when TO matches.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opTw(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  trapWord(cpu, insn.rt, g[insn.ra << 1] | 0, g[insn.rb << 1] | 0);
}

/**
 * `twi` TO,RA,SI.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opTwi(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  trapWord(cpu, insn.rt, cpu.regs[insn.ra << 1] | 0, insn.imm);
}

/**
 * `td` TO,RA,RB.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opTd(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  const b = insn.rb << 1;
  if (trapTaken(insn.rt, g[a + 1], g[a], g[b + 1], g[b])) takeProgramTrap(cpu);
}

/**
 * `tdi` TO,RA,SI.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opTdi(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const a = insn.ra << 1;
  if (trapTaken(insn.rt, g[a + 1], g[a], insn.immHi, insn.immLo)) {
    takeProgramTrap(cpu);
  }
}

/**
 * `sync`, `lwsync`, `ptesync`, `eieio`, `isync`: ordering has no effect
 * on one interleaved thread.
 *
 * @param _cpu The CPU.
 * @param _insn The instruction.
 */
export function opSync(_cpu: Ppc64Cpu, _insn: Ppc64DecodedInsn): void {}

/**
 * `wait` (Power ISA 3.0, XO 30; and the ISA 2.06 form, XO 62): stops with
 * `STOP_HALT`, NIP after it. The guest's idle loop and `host_call_return`.
 *
 * @param cpu The CPU.
 * @param _insn The instruction.
 */
export function opWait(cpu: Ppc64Cpu, _insn: Ppc64DecodedInsn): void {
  requestStop(cpu, STOP_HALT);
}

/**
 * Every undefined or unimplemented encoding: program interrupt 0x700 with
 * SRR1 illegal reason 0x80000.
 *
 * @param cpu The CPU.
 * @param _insn The instruction.
 */
export function opIllegal(cpu: Ppc64Cpu, _insn: Ppc64DecodedInsn): void {
  raiseProgramInterrupt(cpu, SRR1_ILLEGAL);
}
