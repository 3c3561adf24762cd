// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Control transfer: JMP/Jcc/CALL (relative and indirect), RET/RET imm16,
 * LOOP/LOOPE/LOOPNE/JrCXZ, and CALL/JMP r/m (FF /2, /4).
 * Relative branches take the static target the decode cache computed
 * (`cpu.branch = BRANCH_TARGET`); indirect ones write RIP
 * (`cpu.branch = BRANCH_RIP`). The return address is `insn.nextLo/nextHi`.
 *
 * @module
 */

import type { X86Cpu } from "./cpu.ts";
import type { DecodedInsn } from "./decode.ts";
import { getZf, testCc } from "./flags.ts";
import { readE } from "./modrm.ts";
import { BRANCH_RIP, BRANCH_TARGET, OP_HI, RCX, RIP_HI, RIP_LO } from "./regs.ts";
import { addSp, push, readStack } from "./stack.ts";

/** 70–7F: jcc rel8. 0F 80–8F: jcc rel32. */
export function opJcc(cpu: X86Cpu, insn: DecodedInsn): void {
  if (testCc(cpu.lf, insn.cc)) cpu.branch = BRANCH_TARGET;
}

/** EB: jmp rel8. E9: jmp rel32. */
export function opJmpJ(cpu: X86Cpu, _insn: DecodedInsn): void {
  cpu.branch = BRANCH_TARGET;
}

/** E8: call rel32. */
export function opCallJz(cpu: X86Cpu, insn: DecodedInsn): void {
  push(cpu, cpu.stackSize, insn.nextLo, insn.nextHi);
  cpu.branch = BRANCH_TARGET;
}

/** C3: ret. C2: ret imm16. */
export function opRet(cpu: X86Cpu, insn: DecodedInsn): void {
  const size = insn.opsize === 2 ? 2 : cpu.stackSize;
  const lo = readStack(cpu, size, 0);
  const hi = cpu.mode === 64 ? cpu.regs[OP_HI] : 0;
  addSp(cpu, size + (insn.opcode === 0xc2 ? insn.imm : 0));
  cpu.regs[RIP_LO] = lo;
  cpu.regs[RIP_HI] = hi;
  cpu.branch = BRANCH_RIP;
}

/** E0–E2: loopne/loope/loop rel8 (count in rCX at the address size). */
export function opLoop(cpu: X86Cpu, insn: DecodedInsn): void {
  const regs = cpu.regs;
  let zero: boolean;
  if (insn.addrsize === 8) {
    const s = regs[RCX << 1] - 1;
    const l = s >>> 0;
    regs[RCX << 1] = l;
    if (s < 0) regs[(RCX << 1) | 1] = (regs[(RCX << 1) | 1] - 1) >>> 0;
    zero = l === 0 && regs[(RCX << 1) | 1] === 0;
  } else if (insn.addrsize === 4) {
    const l = (regs[RCX << 1] - 1) >>> 0;
    regs[RCX << 1] = l;
    if (cpu.mode === 64) regs[(RCX << 1) | 1] = 0;
    zero = l === 0;
  } else {
    const l = (cpu.regs16[RCX << 2] - 1) & 0xffff;
    cpu.regs16[RCX << 2] = l;
    zero = l === 0;
  }
  const op = insn.opcode;
  if (!zero && (op === 0xe2 || (op === 0xe1 ? getZf(cpu.lf) === 1 : getZf(cpu.lf) === 0))) {
    cpu.branch = BRANCH_TARGET;
  }
}

/** E3: jrcxz/jecxz/jcxz rel8. */
export function opJrcxz(cpu: X86Cpu, insn: DecodedInsn): void {
  const regs = cpu.regs;
  const zero = insn.addrsize === 8
    ? regs[RCX << 1] === 0 && regs[(RCX << 1) | 1] === 0
    : insn.addrsize === 4
    ? regs[RCX << 1] === 0
    : cpu.regs16[RCX << 2] === 0;
  if (zero) cpu.branch = BRANCH_TARGET;
}

/** FF /2: call r/m. */
export function opCallEv(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const lo = readE(cpu, insn, w);
  const hi = w === 3 ? cpu.regs[OP_HI] : 0;
  push(cpu, insn.opsize, insn.nextLo, insn.nextHi);
  cpu.regs[RIP_LO] = w === 1 ? lo & 0xffff : lo;
  cpu.regs[RIP_HI] = hi;
  cpu.branch = BRANCH_RIP;
}

/** FF /4: jmp r/m. */
export function opJmpEv(cpu: X86Cpu, insn: DecodedInsn): void {
  const w = insn.width;
  const lo = readE(cpu, insn, w);
  cpu.regs[RIP_HI] = w === 3 ? cpu.regs[OP_HI] : 0;
  cpu.regs[RIP_LO] = w === 1 ? lo & 0xffff : lo;
  cpu.branch = BRANCH_RIP;
}
