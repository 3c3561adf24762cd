// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Branches (Power ISA Book I §2.4): `b`/`bl`/`ba`/`bla`, `bc` with CTR
 * decrement and condition (`bdnz`, `beq` …), `bclr`/`bclrl` (`blr`) and
 * `bcctr`/`bcctrl` (`bctr`). Relative targets are computed once at fetch
 * (`insn.targetLo/Hi`) and threaded through `insn.target`; LR and CTR
 * targets go through NIP.
 *
 * BO bits (value weights): 16 ignore the condition, 8 the condition value
 * to branch on, 4 do not decrement CTR, 2 branch when CTR = 0 (else ≠ 0),
 * 1 hint.
 *
 * @module
 */

import type { Ppc64Cpu } from "./cpu.ts";
import type { Ppc64DecodedInsn } from "./decode.ts";
import { R_CR, R_CTR_HI, R_CTR_LO, R_LR_HI, R_LR_LO, R_NIP_HI, R_NIP_LO } from "./regs.ts";
import { BR_NIP, BR_TARGET } from "./traps.ts";

// Evaluates BO/BI, decrementing CTR when BO says so.
function taken(g: Uint32Array, bo: number, bi: number): boolean {
  if ((bo & 4) === 0) {
    const lo = g[R_CTR_LO];
    if (lo === 0) g[R_CTR_HI] = g[R_CTR_HI] - 1;
    g[R_CTR_LO] = lo - 1;
    const zero = (g[R_CTR_LO] | g[R_CTR_HI]) === 0;
    if (zero !== ((bo & 2) !== 0)) return false;
  }
  return (bo & 16) !== 0 || ((g[R_CR] >>> (31 - bi)) & 1) === ((bo >>> 3) & 1);
}

/**
 * `b`, `bl`, `ba`, `bla` target.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opB(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  if (insn.lk !== 0) {
    const g = cpu.regs;
    g[R_LR_LO] = insn.nextLo;
    g[R_LR_HI] = insn.nextHi;
  }
  cpu.branch = BR_TARGET;
}

/**
 * `bc`, `bcl`, `bca`, `bcla` BO,BI,target.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opBc(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const t = taken(g, insn.bo, insn.bi);
  if (insn.lk !== 0) {
    g[R_LR_LO] = insn.nextLo;
    g[R_LR_HI] = insn.nextHi;
  }
  if (t) cpu.branch = BR_TARGET;
}

/**
 * `bclr`, `bclrl` BO,BI (`blr`, `beqlr`, `bdnzlr` …): to LR & ~3.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opBclr(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const lo = g[R_LR_LO] & ~3;
  const hi = g[R_LR_HI];
  const t = taken(g, insn.bo, insn.bi);
  if (insn.lk !== 0) {
    g[R_LR_LO] = insn.nextLo;
    g[R_LR_HI] = insn.nextHi;
  }
  if (t) {
    g[R_NIP_LO] = lo;
    g[R_NIP_HI] = hi;
    cpu.branch = BR_NIP;
  }
}

/**
 * `bcctr`, `bcctrl` BO,BI (`bctr`, `bctrl` …): to CTR & ~3. BO without
 * the "do not decrement" bit is an invalid form; it is executed as if the
 * bit were set.
 *
 * @param cpu The CPU.
 * @param insn The instruction.
 */
export function opBcctr(cpu: Ppc64Cpu, insn: Ppc64DecodedInsn): void {
  const g = cpu.regs;
  const lo = g[R_CTR_LO] & ~3;
  const hi = g[R_CTR_HI];
  const t = taken(g, insn.bo | 4, insn.bi);
  if (insn.lk !== 0) {
    g[R_LR_LO] = insn.nextLo;
    g[R_LR_HI] = insn.nextHi;
  }
  if (t) {
    g[R_NIP_LO] = lo;
    g[R_NIP_HI] = hi;
    cpu.branch = BR_NIP;
  }
}
