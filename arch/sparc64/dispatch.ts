// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The sparc64 dispatch table: one handler per slot of `opcodes.ts`
 * (`Sparc64DecodedInsn.dispatch`). Privileged slots (`F_PRIV`) are wrapped
 * once at load time so user mode gets `privileged_opcode` (0x011); every
 * empty slot is `illegal_instruction`.
 *
 * @module
 */

import {
  opAddcc,
  opAddccc,
  opLogic,
  opLogicCc,
  opMovcc,
  opMovr,
  opPopc,
  opSethi,
  opShift,
  opSparc64Add,
  opSparc64Addc,
  opSub,
  opSubc,
  opSubcc,
  opSubccc,
  opTaddcc,
  opTaddcctv,
  opTsubcc,
  opTsubcctv,
} from "./alu.ts";
import { opBicc, opBpcc, opBpr, opCall, opFbfcc, opJmpl } from "./branch.ts";
import type { Sparc64Cpu } from "./cpu.ts";
import type { Sparc64DecodedInsn } from "./decode.ts";
import {
  opCas,
  opFpDisabled,
  opLdd,
  opLdstub,
  opLoad,
  opLoadPlain,
  opSparc64Nop,
  opSparc64Std,
  opStore,
  opStorePlain,
  opSwap,
} from "./load_store.ts";
import {
  opMulscc,
  opMulx,
  opSdiv,
  opSdivcc,
  opSdivx,
  opSmul,
  opSmulcc,
  opUdiv,
  opUdivcc,
  opUdivx,
  opUmul,
  opUmulcc,
} from "./muldiv.ts";
import {
  F_PRIV,
  SLOT_MEMBAR,
  SLOT_OP2,
  SLOT_OP3,
  SLOT_RESTORED,
  SLOT_RETRY,
  SLOT_SIR,
  SLOT_STBAR,
  SPARC64_FLAGS,
  SPARC64_SLOTS,
} from "./opcodes.ts";
import {
  opDone,
  opRd,
  opRdpr,
  opRetry,
  opSir,
  opSparc64Illegal,
  opTcc,
  opWr,
  opWrpr,
} from "./privileged.ts";
import { PSTATE_PRIV, R_PSTATE, TT_PRIVILEGED_OPCODE } from "./regs.ts";
import { hostTrap } from "./traps.ts";
import { opFlushw, opRestore, opRestored, opReturn, opSave, opSaved } from "./windows.ts";

/** An instruction handler. */
export type Sparc64Handler = (cpu: Sparc64Cpu, insn: Sparc64DecodedInsn) => void;

function privileged(fn: Sparc64Handler): Sparc64Handler {
  return (cpu, insn) => {
    if ((cpu.regs[R_PSTATE] & PSTATE_PRIV) === 0) hostTrap(cpu, TT_PRIVILEGED_OPCODE);
    fn(cpu, insn);
  };
}

function build(): Sparc64Handler[] {
  const t: Sparc64Handler[] = new Array<Sparc64Handler>(SPARC64_SLOTS).fill(opSparc64Illegal);
  const A = SLOT_OP2;
  const M = SLOT_OP3;
  // op 0, op 1
  t[1] = opBpcc;
  t[2] = opBicc;
  t[3] = opBpr;
  t[4] = opSethi;
  t[5] = opFbfcc;
  t[6] = opFbfcc;
  t[8] = opCall;
  // op 2
  // deno-fmt-ignore
  const arith: [number, Sparc64Handler][] = [
    [0x00, opSparc64Add],     [0x01, opLogic],   [0x02, opLogic],    [0x03, opLogic],
    [0x04, opSub],     [0x05, opLogic],   [0x06, opLogic],    [0x07, opLogic],
    [0x08, opSparc64Addc],    [0x09, opMulx],    [0x0a, opUmul],     [0x0b, opSmul],
    [0x0c, opSubc],    [0x0d, opUdivx],   [0x0e, opUdiv],     [0x0f, opSdiv],
    [0x10, opAddcc],   [0x11, opLogicCc], [0x12, opLogicCc],  [0x13, opLogicCc],
    [0x14, opSubcc],   [0x15, opLogicCc], [0x16, opLogicCc],  [0x17, opLogicCc],
    [0x18, opAddccc],  [0x1a, opUmulcc],  [0x1b, opSmulcc],
    [0x1c, opSubccc],  [0x1e, opUdivcc],  [0x1f, opSdivcc],
    [0x20, opTaddcc],  [0x21, opTsubcc],  [0x22, opTaddcctv], [0x23, opTsubcctv],
    [0x24, opMulscc],  [0x25, opShift],   [0x26, opShift],    [0x27, opShift],
    [0x28, opRd],      [0x2a, opRdpr],    [0x2b, opFlushw],   [0x2c, opMovcc],
    [0x2d, opSdivx],   [0x2e, opPopc],    [0x2f, opMovr],
    [0x30, opWr],      [0x31, opSaved],   [0x32, opWrpr],
    [0x34, opFpDisabled], [0x35, opFpDisabled],
    [0x38, opJmpl],    [0x39, opReturn],  [0x3a, opTcc],      [0x3b, opSparc64Nop],
    [0x3c, opSave],    [0x3d, opRestore], [0x3e, opDone],
  ];
  for (const [op3, fn] of arith) t[A + op3] = fn;
  // op 3
  for (const op3 of [0x00, 0x01, 0x02, 0x08, 0x09, 0x0a, 0x0b]) {
    t[M + op3] = opLoadPlain;
    t[M + op3 + 0x10] = opLoad;
  }
  for (const op3 of [0x04, 0x05, 0x06, 0x0e]) {
    t[M + op3] = opStorePlain;
    t[M + op3 + 0x10] = opStore;
  }
  t[M + 0x03] = t[M + 0x13] = opLdd;
  t[M + 0x07] = t[M + 0x17] = opSparc64Std;
  t[M + 0x0d] = t[M + 0x1d] = opLdstub;
  t[M + 0x0f] = t[M + 0x1f] = opSwap;
  for (const op3 of [0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27]) t[M + op3] = opFpDisabled;
  for (const op3 of [0x30, 0x32, 0x33, 0x34, 0x36, 0x37]) t[M + op3] = opFpDisabled;
  t[M + 0x2d] = opSparc64Nop;
  t[M + 0x3d] = opSparc64Nop;
  t[M + 0x3c] = opCas;
  t[M + 0x3e] = opCas;
  // variants
  t[SLOT_MEMBAR] = opSparc64Nop;
  t[SLOT_STBAR] = opSparc64Nop;
  t[SLOT_SIR] = opSir;
  t[SLOT_RESTORED] = opRestored;
  t[SLOT_RETRY] = opRetry;
  t[0] = opSparc64Illegal;
  for (let s = 0; s < SPARC64_SLOTS; s++) {
    if ((SPARC64_FLAGS[s] & F_PRIV) !== 0) t[s] = privileged(t[s]);
  }
  return t;
}

/** Handler per dispatch slot. */
export const SPARC64_DISPATCH: readonly Sparc64Handler[] = build();
