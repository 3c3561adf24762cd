// Copyright 2026 the kprobes-sim authors. MIT license.
// binutils objdump's text for the instructions Capstone cannot decode (the
// privileged, ASR and alternate-space forms of the trap code), rendered from
// a Sparc64DecodedInsn, so the decoder's fields can be checked against the
// objdump lines of tests/testdata/sparc64_gap_words.txt.

import { ASI_REG, type Sparc64DecodedInsn } from "../../../arch/sparc64/mod.ts";

// deno-fmt-ignore
const REGS = [
  "%g0", "%g1", "%g2", "%g3", "%g4", "%g5", "%g6", "%g7",
  "%o0", "%o1", "%o2", "%o3", "%o4", "%o5", "%sp", "%o7",
  "%l0", "%l1", "%l2", "%l3", "%l4", "%l5", "%l6", "%l7",
  "%i0", "%i1", "%i2", "%i3", "%i4", "%i5", "%fp", "%i7",
];
// deno-fmt-ignore
const PRIV_REGS = [
  "%tpc", "%tnpc", "%tstate", "%tt", "%tick", "%tba", "%pstate", "%tl",
  "%pil", "%cwp", "%cansave", "%canrestore", "%cleanwin", "%otherwin", "%wstate", "%fq",
];
const ASRS: Record<number, string> = {
  0: "%y",
  2: "%ccr",
  3: "%asi",
  4: "%tick",
  5: "%pc",
  6: "%fprs",
  19: "%gsr",
  20: "%softint_set",
  21: "%softint_clear",
  22: "%softint",
  23: "%tick_cmpr",
  24: "%stick",
  25: "%stick_cmpr",
};
const ASI_NAMES: Record<number, string> = {
  0x11: "#ASI_AIUS",
  0x20: "#ASI_SCRATCHPAD",
  0x80: "#ASI_P",
};

function num(n: number): string {
  return n >= 0 && n < 10 ? String(n) : n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}

function address(d: Sparc64DecodedInsn): string {
  const base = REGS[d.rs1];
  if (d.i !== 0) return d.imm === 0 ? base : `${base} + ${num(d.imm)}`;
  return d.rs2 === 0 ? base : `${base} + ${REGS[d.rs2]}`;
}

function asi(d: Sparc64DecodedInsn): string {
  return d.asi === ASI_REG ? "%asi" : ASI_NAMES[d.asi] ?? `#${num(d.asi)}`;
}

function second(d: Sparc64DecodedInsn): string {
  return d.i !== 0 ? num(d.imm) : REGS[d.rs2];
}

/**
 * objdump's text (mnemonic, one space, operands) of a decoded rdpr, wrpr,
 * rd, wr, ldstub, ldxa, stxa, saved, restored, retry or done; undefined for
 * anything else.
 */
export function objdumpText(d: Sparc64DecodedInsn): string | undefined {
  const m = d.mnemonic;
  switch (m) {
    case "saved":
    case "restored":
    case "retry":
    case "done":
      return m;
    case "rdpr":
      return `rdpr ${d.rs1 === 31 ? "%ver" : PRIV_REGS[d.rs1]}, ${REGS[d.rd]}`;
    case "wrpr": {
      // With rs1 = %g0 objdump prints the second operand alone; with a second
      // operand of %g0 the first alone.
      const pr = PRIV_REGS[d.rd];
      if (d.rs1 === 0) return `wrpr ${second(d)}, ${pr}`;
      if (d.i === 0 && d.rs2 === 0) return `wrpr ${REGS[d.rs1]}, ${pr}`;
      return `wrpr ${REGS[d.rs1]}, ${second(d)}, ${pr}`;
    }
    case "rd":
      return `rd ${ASRS[d.rs1] ?? `%asr${d.rs1}`}, ${REGS[d.rd]}`;
    case "wr": {
      const asr = ASRS[d.rd] ?? `%asr${d.rd}`;
      if (d.i === 0 && d.rs2 === 0) return `wr ${REGS[d.rs1]}, ${asr}`;
      return `wr ${REGS[d.rs1]}, ${second(d)}, ${asr}`;
    }
    case "ldstub":
      return `ldstub [ ${address(d)} ], ${REGS[d.rd]}`;
    case "ldxa":
      return `ldxa [ ${address(d)} ] ${asi(d)}, ${REGS[d.rd]}`;
    case "stxa":
      return `stxa ${REGS[d.rd]}, [ ${address(d)} ] ${asi(d)}`;
  }
  return undefined;
}
