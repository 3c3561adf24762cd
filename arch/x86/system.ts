// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * System instructions: INT3/INT n/INT1/INTO/IRET, CLI/STI (with the STI
 * interrupt shadow), HLT, VMCALL, LGDT/LIDT/LTR and friends, MOV to/from
 * CRn/DRn, RDMSR/WRMSR, RDTSC/RDTSCP (the retired-instruction count),
 * CPUID, SWAPGS, flag-bit instructions, fences and the NOP family, port
 * I/O (no devices: reads return all ones) and `#UD`.
 *
 * @module
 */

import { STOP_HALT, STOP_HYPERCALL, STOP_USER } from "../types.ts";
import { cmpxchg8b } from "./alu_unary.ts";
import type { X86Cpu } from "./cpu.ts";
import type { DecodedInsn } from "./decode.ts";
import { getArithFlags, getOf, setArithFlags } from "./flags.ts";
import {
  computeEa,
  readE,
  readMem,
  readMem32,
  readMem64,
  writeE,
  writeMem,
  writeReg,
} from "./modrm.ts";
import {
  BRANCH_BREAK,
  BRANCH_EVENT,
  BRANCH_NONE,
  BRANCH_RIP,
  EA_HI,
  EA_LO,
  FLAG_AC,
  FLAG_CF,
  FLAG_DF,
  FLAG_IF,
  OP_HI,
  RAX,
  RBX,
  RCX,
  RDX,
  RIP_HI,
  RIP_LO,
} from "./regs.ts";
import { deliver, iret, raise, setEflags, stop, trap } from "./traps.ts";

const TWO32 = 4294967296;
const INV32 = 1 / TWO32;

function privileged(cpu: X86Cpu): void {
  if (cpu.cpl !== 0) raise(cpu, 13, 0);
}

/** Every undefined or unmodelled encoding: #UD. */
export function opUd(cpu: X86Cpu, _insn: DecodedInsn): void {
  raise(cpu, 6, 0);
}

/** NOP forms: 0F 18–1F (incl. endbr64), wait, fences, prefetch. */
export function opNop(_cpu: X86Cpu, _insn: DecodedInsn): void {}

/** CC: int3 → #BP trap, RIP after the instruction. */
export function opInt3(cpu: X86Cpu, _insn: DecodedInsn): void {
  trap(cpu, 3);
}

/**
 * CC: int3 as the run loop's threaded fast path binds it (`insn.exec`,
 * fastpath.ts): with a stop hook on the CPU and no events pending, RIP goes
 * past it and `BRANCH_BREAK` asks the loop to offer the #BP to the hook at
 * once (a kprobe hit), without a pending trap and a slow step; otherwise
 * as {@linkcode opInt3}. The slow step and the translator's in-place calls
 * use `DISPATCH`'s opInt3, never this.
 */
export function opInt3Loop(cpu: X86Cpu, insn: DecodedInsn): void {
  if (cpu.stopHook === null || cpu.events !== 0) {
    trap(cpu, 3);
    return;
  }
  cpu.regs[RIP_LO] = insn.nextLo;
  cpu.regs[RIP_HI] = insn.nextHi;
  cpu.branch = BRANCH_BREAK;
}

/** F1: int1 (icebp) → #DB trap. */
export function opInt1(cpu: X86Cpu, _insn: DecodedInsn): void {
  trap(cpu, 1);
}

/** CE (protected mode): into. */
export function opInto(cpu: X86Cpu, _insn: DecodedInsn): void {
  if (getOf(cpu.lf) === 1) trap(cpu, 4);
}

/** CD: int n. Vectors below 32 stop as traps; others go through the IDT. */
export function opIntIb(cpu: X86Cpu, insn: DecodedInsn): void {
  const v = insn.imm;
  if (v < 32) {
    trap(cpu, v);
    return;
  }
  // The frame holds the address after `int n`.
  cpu.regs[RIP_LO] = insn.nextLo;
  cpu.regs[RIP_HI] = insn.nextHi;
  deliver(cpu, v, true);
  cpu.branch = BRANCH_RIP;
}

/** CF: iret/iretd/iretq; landing in CPL 3 stops with `STOP_USER`. */
export function opIret(cpu: X86Cpu, insn: DecodedInsn): void {
  const cpl = iret(cpu, insn.opsize);
  cpu.branch = BRANCH_RIP;
  if (cpl === 3) stop(cpu, STOP_USER);
}

/** F4: hlt (RIP after it). */
export function opHlt(cpu: X86Cpu, _insn: DecodedInsn): void {
  privileged(cpu);
  stop(cpu, STOP_HALT);
}

function iopl(cpu: X86Cpu): void {
  if (cpu.cpl > ((cpu.flagsBase >> 12) & 3)) raise(cpu, 13, 0);
}

/** FA: cli. */
export function opCli(cpu: X86Cpu, _insn: DecodedInsn): void {
  iopl(cpu);
  setEflags(cpu, cpu.flagsBase & ~FLAG_IF);
}

/** FB: sti (interrupts stay blocked for one more instruction). */
export function opSti(cpu: X86Cpu, _insn: DecodedInsn): void {
  iopl(cpu);
  if ((cpu.flagsBase & FLAG_IF) === 0) cpu.shadowTsc = cpu.clock[0] + 1;
  setEflags(cpu, cpu.flagsBase | FLAG_IF);
}

/** F5 cmc, F8 clc, F9 stc, FC cld, FD std. */
export function opFlagBit(cpu: X86Cpu, insn: DecodedInsn): void {
  switch (insn.opcode) {
    case 0xf5:
      setArithFlags(cpu.lf, getArithFlags(cpu.lf) ^ FLAG_CF);
      break;
    case 0xf8:
      setArithFlags(cpu.lf, getArithFlags(cpu.lf) & ~FLAG_CF);
      break;
    case 0xf9:
      setArithFlags(cpu.lf, getArithFlags(cpu.lf) | FLAG_CF);
      break;
    case 0xfc:
      cpu.flagsBase &= ~FLAG_DF;
      break;
    default:
      cpu.flagsBase |= FLAG_DF;
  }
}

/** 9E: sahf. */
export function opSahf(cpu: X86Cpu, _insn: DecodedInsn): void {
  setArithFlags(cpu.lf, (getArithFlags(cpu.lf) & ~0xff) | (cpu.regs8[1] & 0xd5));
}

/** 9F: lahf. */
export function opLahf(cpu: X86Cpu, _insn: DecodedInsn): void {
  cpu.regs8[1] = (getArithFlags(cpu.lf) & 0xd5) | 2;
}

/** 0F 31: rdtsc (EDX:EAX = retired instructions). */
export function opRdtsc(cpu: X86Cpu, _insn: DecodedInsn): void {
  const t = cpu.clock[0];
  const regs = cpu.regs;
  regs[RAX << 1] = t % TWO32;
  regs[(RAX << 1) | 1] = 0;
  regs[RDX << 1] = Math.floor(t * INV32);
  regs[(RDX << 1) | 1] = 0;
}

function setRegPair(cpu: X86Cpu, r: number, v: number): void {
  cpu.regs[r << 1] = v >>> 0;
  cpu.regs[(r << 1) | 1] = 0;
}

/** 0F A2: cpuid — a plausible 64-bit CPU ("KprobesSimVM"), features we model. */
export function opCpuid(cpu: X86Cpu, _insn: DecodedInsn): void {
  const leaf = cpu.regs[RAX << 1];
  const sub = cpu.regs[RCX << 1];
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  switch (leaf) {
    case 0:
      a = 7;
      b = 0x6f72704b; // "Kpro"
      d = 0x53736562; // "besS"
      c = 0x4d566d69; // "imVM"
      break;
    case 1:
      a = 0x000306a9; // family 6
      b = 0x00000800; // clflush size 8 qwords
      c = 1 << 23; // popcnt
      d = (1 << 0) | (1 << 4) | (1 << 5) | (1 << 8) | (1 << 15) | (1 << 19);
      // fpu tsc msr cx8 cmov clfsh
      break;
    case 7:
      if (sub === 0) b = (1 << 3) | (1 << 20); // bmi1 (tzcnt), smap (stac/clac)
      break;
    case 0x80000000:
      a = 0x80000008;
      break;
    case 0x80000001:
      c = (1 << 0) | (1 << 5); // lahf64, abm (lzcnt)
      d = (1 << 20) | (1 << 29) | (1 << 27); // nx, lm, rdtscp
      break;
    case 0x80000008:
      a = 0x3028; // 40-bit physical, 48-bit virtual
      break;
  }
  setRegPair(cpu, RAX, a);
  setRegPair(cpu, RBX, b);
  setRegPair(cpu, RCX, c);
  setRegPair(cpu, RDX, d);
}

/** 0F 32: rdmsr. */
export function opRdmsr(cpu: X86Cpu, _insn: DecodedInsn): void {
  privileged(cpu);
  const v = cpu.readMsr(cpu.regs[RCX << 1]);
  setRegPair(cpu, RAX, Number(v & 0xffffffffn));
  setRegPair(cpu, RDX, Number(v >> 32n));
}

/** 0F 30: wrmsr. */
export function opWrmsr(cpu: X86Cpu, _insn: DecodedInsn): void {
  privileged(cpu);
  const v = (BigInt(cpu.regs[RDX << 1]) << 32n) | BigInt(cpu.regs[RAX << 1]);
  cpu.writeMsr(cpu.regs[RCX << 1], v);
}

/** 0F 20: mov r, CRn. */
export function opMovRdCd(cpu: X86Cpu, insn: DecodedInsn): void {
  privileged(cpu);
  let lo: number;
  let hi = 0;
  switch (insn.reg) {
    case 0:
      lo = cpu.cr0;
      break;
    case 2:
      lo = cpu.cr2Lo;
      hi = cpu.cr2Hi;
      break;
    case 3:
      lo = cpu.cr3;
      break;
    case 4:
      lo = cpu.cr4;
      break;
    case 8:
      lo = 0;
      break;
    default:
      return raise(cpu, 6, 0);
  }
  writeReg(cpu, insn, insn.rm, cpu.mode === 64 ? 3 : 2, lo, hi);
}

/** 0F 22: mov CRn, r. */
export function opMovCdRd(cpu: X86Cpu, insn: DecodedInsn): void {
  privileged(cpu);
  const lo = cpu.regs[insn.rm << 1];
  const hi = cpu.mode === 64 ? cpu.regs[(insn.rm << 1) | 1] : 0;
  switch (insn.reg) {
    case 0:
      cpu.cr0 = lo;
      break;
    case 2:
      cpu.cr2Lo = lo;
      cpu.cr2Hi = hi;
      break;
    case 3:
      cpu.cr3 = lo;
      break;
    case 4:
      cpu.cr4 = lo;
      break;
    case 8:
      break;
    default:
      raise(cpu, 6, 0);
  }
}

/** 0F 21: mov r, DRn. */
export function opMovRdDd(cpu: X86Cpu, insn: DecodedInsn): void {
  privileged(cpu);
  const n = insn.reg;
  let v: number;
  if (n < 4) v = cpu.dr[n];
  else if (n === 6 || n === 4) v = cpu.dr6;
  else if (n === 7 || n === 5) v = cpu.dr7;
  else return raise(cpu, 6, 0);
  writeReg(cpu, insn, insn.rm, cpu.mode === 64 ? 3 : 2, v >>> 0, 0);
}

/** 0F 23: mov DRn, r. */
export function opMovDdRd(cpu: X86Cpu, insn: DecodedInsn): void {
  privileged(cpu);
  const n = insn.reg;
  const v = cpu.regs[insn.rm << 1];
  if (n < 4) cpu.dr[n] = v;
  else if (n === 6 || n === 4) cpu.dr6 = (v | 0xffff0ff0) >>> 0;
  else if (n === 7 || n === 5) cpu.dr7 = (v | 0x400) >>> 0;
  else raise(cpu, 6, 0);
}

/** 0F 00: group 6 (sldt, str, lldt, ltr, verr, verw). */
export function opGrp6(cpu: X86Cpu, insn: DecodedInsn): void {
  const r = insn.reg & 7;
  if (r === 0 || r === 1) {
    if (insn.mod !== 3) computeEa(cpu, insn);
    writeE(cpu, insn, insn.mod === 3 ? insn.width : 1, r === 0 ? cpu.ldtr : cpu.tr, 0);
    return;
  }
  privileged(cpu);
  const sel = readE(cpu, insn, 1);
  if (r === 2) {
    cpu.ldtr = sel;
  } else if (r === 3) {
    loadTaskRegister(cpu, sel);
  } else {
    raise(cpu, 6, 0);
  }
}

/**
 * `ltr`: reads the TSS descriptor (16 bytes in long mode) from the GDT and
 * caches its base.
 *
 * @param cpu The CPU.
 * @param sel The selector.
 */
export function loadTaskRegister(cpu: X86Cpu, sel: number): void {
  if ((sel & ~7) === 0 || (sel | 7) > cpu.gdtLimit) raise(cpu, 13, sel & ~3);
  const s = cpu.gdtBaseLo + (sel & ~7);
  const lo = s >>> 0;
  const hi = cpu.mode === 64 ? (cpu.gdtBaseHi + (s - lo) * INV32) >>> 0 : 0;
  const w0 = readMem32(cpu, hi, lo);
  const w1 = readMem32(cpu, hi, (lo + 4) >>> 0);
  const type = (w1 >>> 8) & 0xf;
  if ((w1 & 0x8000) === 0) raise(cpu, 11, sel & ~3);
  if (type !== 9 && type !== 11 && type !== 1 && type !== 3) raise(cpu, 13, sel & ~3);
  cpu.trBaseLo = ((w0 >>> 16) | ((w1 & 0xff) << 16) | (w1 & 0xff000000)) >>> 0;
  cpu.trBaseHi = cpu.mode === 64 ? readMem32(cpu, hi, (lo + 8) >>> 0) : 0;
  cpu.tr = sel;
}

const EV_FLUSH = 8;

/**
 * A `vmcall` the host may handle in place (an optimized kprobe's detour
 * calling in: Linux's template calling optimized_callback()): RIP past it
 * for the host, which runs the handlers on this CPU; true when it did, and
 * the run loop goes on at the next instruction, still linked (no stop, no
 * lookup). Guest code the handlers ran (printk) advanced the clock, which
 * the run loop's fast path holds in a local and is about to store as the
 * count before this instruction plus one: that advance is carried
 * (`cpu.clockCarry`) to the loop's next slow step, forced by an event, as
 * are text writes the handlers made. Executed by the slow step (`cpu.cur`
 * is the instruction there), the clock is read from memory: nothing to carry.
 */
function callInPlace(cpu: X86Cpu, insn: DecodedInsn): boolean {
  const regs = cpu.regs;
  regs[RIP_LO] = insn.nextLo;
  regs[RIP_HI] = insn.nextHi;
  const clock = cpu.clock;
  const before = clock[0];
  const slowStep = cpu.cur === insn;
  if (!cpu.callIn!()) return false;
  if (clock[0] !== before && !slowStep) {
    cpu.clockCarry += clock[0] - before;
    clock[0] = before;
    cpu.events |= EV_FLUSH;
  }
  // The vmcall itself goes on to the next instruction; whatever branch
  // state the host's own runs left, only pending events count.
  cpu.branch = cpu.events !== 0 ? BRANCH_EVENT : BRANCH_NONE;
  return true;
}

/**
 * A `vmcall` at the head of a translated block (jit.ts), the clock not yet
 * counting it (as in the interpreter): the host's call-in as
 * {@linkcode opGrp7} makes it, else the stop. The block goes on (after
 * re-reading the clock: guest code the handlers ran counts) only when this
 * returns true; false leaves the CPU as the interpreter would after the
 * instruction, with an event pending (the block counts the vmcall).
 *
 * @param cpu The CPU.
 * @param insn The `vmcall`.
 * @returns True when handled with no event pending.
 */
export function blockCallIn(cpu: X86Cpu, insn: DecodedInsn): boolean {
  const regs = cpu.regs;
  cpu.hypercallNr = regs[RAX << 1];
  regs[RIP_LO] = insn.nextLo;
  regs[RIP_HI] = insn.nextHi;
  if (cpu.callIn === null || !cpu.callIn()) {
    stop(cpu, STOP_HYPERCALL);
    return false;
  }
  cpu.branch = cpu.events !== 0 ? BRANCH_EVENT : BRANCH_NONE;
  return cpu.events === 0;
}

/**
 * Is `insn` a `vmcall` (0F 01 C1)?
 *
 * @param insn A decoded instruction.
 * @returns True for `vmcall`.
 */
export function isVmcall(insn: DecodedInsn): boolean {
  return insn.opcode === 0x101 && insn.mod === 3 && (insn.reg & 7) === 0 && (insn.rm & 7) === 1;
}

/** 0F 01: group 7 (sgdt, sidt, lgdt, lidt, smsw, lmsw, invlpg, vmcall, swapgs, rdtscp …). */
export function opGrp7(cpu: X86Cpu, insn: DecodedInsn): void {
  const r = insn.reg & 7;
  if (insn.mod === 3) {
    switch (r * 8 + (insn.rm & 7)) {
      case 0o01: // vmcall
        cpu.hypercallNr = cpu.regs[RAX << 1];
        if (cpu.callIn !== null && callInPlace(cpu, insn)) return;
        stop(cpu, STOP_HYPERCALL);
        return;
      case 0o10: // monitor
      case 0o11: // mwait
        privileged(cpu);
        return;
      case 0o12: // clac
      case 0o13: // stac
        privileged(cpu);
        cpu.flagsBase = (insn.rm & 7) === 2 ? cpu.flagsBase & ~FLAG_AC : cpu.flagsBase | FLAG_AC;
        return;
      case 0o20: // xgetbv
        setRegPair(cpu, RAX, cpu.regs[RCX << 1] === 0 ? 1 : 0);
        setRegPair(cpu, RDX, 0);
        return;
      case 0o70: { // swapgs
        privileged(cpu);
        const lo = cpu.gsBaseLo;
        const hi = cpu.gsBaseHi;
        cpu.gsBaseLo = cpu.kernelGsBaseLo;
        cpu.gsBaseHi = cpu.kernelGsBaseHi;
        cpu.kernelGsBaseLo = lo;
        cpu.kernelGsBaseHi = hi;
        return;
      }
      case 0o71: // rdtscp
        opRdtsc(cpu, insn);
        setRegPair(cpu, RCX, Number(cpu.readMsr(0xc0000103) & 0xffffffffn));
        return;
    }
    if (r === 4) {
      writeReg(cpu, insn, insn.rm, insn.width, insn.width === 1 ? cpu.cr0 & 0xffff : cpu.cr0, 0);
      return;
    }
    if (r === 6) {
      privileged(cpu);
      cpu.cr0 = ((cpu.cr0 & ~0xe) | (cpu.regs16[insn.rm << 2] & 0xf)) >>> 0;
      return;
    }
    raise(cpu, 6, 0);
  }
  const long = cpu.mode === 64;
  switch (r) {
    case 0:
    case 1: { // sgdt / sidt
      computeEa(cpu, insn);
      const lo = cpu.regs[EA_LO];
      const hi = cpu.regs[EA_HI];
      const limit = r === 0 ? cpu.gdtLimit : cpu.idtLimit;
      const baseLo = r === 0 ? cpu.gdtBaseLo : cpu.idtBaseLo;
      const baseHi = r === 0 ? cpu.gdtBaseHi : cpu.idtBaseHi;
      const s = lo + 2;
      const l2 = s >>> 0;
      const h2 = (hi + (s - l2) * INV32) >>> 0;
      writeMem(cpu, h2, l2, long ? 3 : 2, baseLo, baseHi);
      writeMem(cpu, hi, lo, 1, limit, 0);
      return;
    }
    case 2:
    case 3: { // lgdt / lidt
      privileged(cpu);
      computeEa(cpu, insn);
      const lo = cpu.regs[EA_LO];
      const hi = cpu.regs[EA_HI];
      const limit = readMem(cpu, hi, lo, 1);
      const s = lo + 2;
      const l2 = s >>> 0;
      const h2 = (hi + (s - l2) * INV32) >>> 0;
      let baseLo: number;
      let baseHi = 0;
      if (long) {
        baseLo = readMem64(cpu, h2, l2);
        baseHi = cpu.regs[OP_HI];
      } else {
        baseLo = readMem32(cpu, h2, l2);
      }
      if (r === 2) {
        cpu.gdtLimit = limit;
        cpu.gdtBaseLo = baseLo;
        cpu.gdtBaseHi = baseHi;
      } else {
        cpu.idtLimit = limit;
        cpu.idtBaseLo = baseLo;
        cpu.idtBaseHi = baseHi;
      }
      return;
    }
    case 4: // smsw m16
      computeEa(cpu, insn);
      writeMem(cpu, cpu.regs[EA_HI], cpu.regs[EA_LO], 1, cpu.cr0 & 0xffff, 0);
      return;
    case 6: { // lmsw m16
      privileged(cpu);
      const v = readE(cpu, insn, 1);
      cpu.cr0 = ((cpu.cr0 & ~0xe) | (v & 0xf)) >>> 0;
      return;
    }
    case 7: // invlpg
      privileged(cpu);
      return;
    default:
      raise(cpu, 6, 0);
  }
}

/** 0F AE: group 15 — fences are NOPs, clflush a NOP; the rest #UD. */
export function opGrp15(cpu: X86Cpu, insn: DecodedInsn): void {
  const r = insn.reg & 7;
  if (insn.mod === 3 ? r >= 5 && (insn.prefixes & 8) === 0 : r === 7) return;
  raise(cpu, 6, 0);
}

/** 0F C7: group 9 — cmpxchg8b/16b (rdrand/rdseed are not offered by cpuid). */
export function opGrp9(cpu: X86Cpu, insn: DecodedInsn): void {
  if (insn.mod === 3 || (insn.reg & 7) !== 1) raise(cpu, 6, 0);
  cmpxchg8b(cpu, insn);
}

/** E4/E5/EC/ED: in (no devices: all ones). */
export function opIn(cpu: X86Cpu, insn: DecodedInsn): void {
  iopl(cpu);
  writeReg(
    cpu,
    insn,
    RAX,
    insn.width,
    insn.width === 0 ? 0xff : insn.width === 1 ? 0xffff : 0xffffffff,
    0,
  );
}

/** E6/E7/EE/EF: out (ignored). */
export function opOut(cpu: X86Cpu, _insn: DecodedInsn): void {
  iopl(cpu);
}

/** 0F 06 clts, 0F 08 invd, 0F 09 wbinvd: privileged no-ops (clts clears CR0.TS). */
export function opPrivNop(cpu: X86Cpu, insn: DecodedInsn): void {
  privileged(cpu);
  if (insn.opcode === 0x106) cpu.cr0 = (cpu.cr0 & ~8) >>> 0;
}
