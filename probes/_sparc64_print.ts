// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Prints the SPARC V9 words Capstone cannot (its SPARC tables are LLVM's
 * V8-centred ones): the privileged `rdpr`/`wrpr`, `saved`/`restored`/
 * `retry`/`done`, the ancillary-state `rd`/`wr` beyond `%y`, `ldstub` and
 * the alternate-space loads and stores the kernel's trap code uses. The
 * text is objdump's (`sparc-dis.c`: its register and ASI names, its
 * `wrpr imm, %reg` alias, immediates from −9 to 9 in decimal, others in
 * hex), with memory operands spaced as Capstone spaces them (`[%sp+0x7ff]`)
 * so one listing reads alike. `tests/probes/sparc64_print_test.ts` checks it
 * against objdump on every such word of the image. Private to probes/.
 *
 * @module
 */

import { ASI_REG, decodeSparc64, F_ALT } from "../arch/sparc64/mod.ts";

/** The mnemonic and operands of one word. */
export interface Sparc64Text {
  /** objdump's mnemonic. */
  mnemonic: string;
  /** objdump's operands, memory operands without inner spaces. */
  operands: string;
}

const REG_NAMES: readonly string[] = [
  "%g0",
  "%g1",
  "%g2",
  "%g3",
  "%g4",
  "%g5",
  "%g6",
  "%g7",
  "%o0",
  "%o1",
  "%o2",
  "%o3",
  "%o4",
  "%o5",
  "%sp",
  "%o7",
  "%l0",
  "%l1",
  "%l2",
  "%l3",
  "%l4",
  "%l5",
  "%l6",
  "%l7",
  "%i0",
  "%i1",
  "%i2",
  "%i3",
  "%i4",
  "%i5",
  "%fp",
  "%i7",
];

/** `rdpr`/`wrpr` register numbers (SPARC V9 §5.2.10 and sparc-dis.c `v9_priv_reg_names`). */
const PRIV_NAMES: Readonly<Record<number, string>> = {
  0: "%tpc",
  1: "%tnpc",
  2: "%tstate",
  3: "%tt",
  4: "%tick",
  5: "%tba",
  6: "%pstate",
  7: "%tl",
  8: "%pil",
  9: "%cwp",
  10: "%cansave",
  11: "%canrestore",
  12: "%cleanwin",
  13: "%otherwin",
  14: "%wstate",
  15: "%fq",
  16: "%gl",
  31: "%ver",
};

/** Ancillary state registers by number (sparc-dis.c `v9a_asr_reg_names` from 16). */
const ASR_NAMES: Readonly<Record<number, string>> = {
  0: "%y",
  2: "%ccr",
  3: "%asi",
  4: "%tick",
  5: "%pc",
  6: "%fprs",
  16: "%pcr",
  17: "%pic",
  18: "%dcr",
  19: "%gsr",
  20: "%softint_set",
  21: "%softint_clear",
  22: "%softint",
  23: "%tick_cmpr",
  24: "%stick",
  25: "%stick_cmpr",
};

/** ASI names objdump prints for an immediate ASI (opcodes/sparc-opc.c `asi_table`, the ones the image uses and their kin). */
const ASI_NAMES: Readonly<Record<number, string>> = {
  0x04: "#ASI_N",
  0x0c: "#ASI_N_L",
  0x10: "#ASI_AIUP",
  0x11: "#ASI_AIUS",
  0x20: "#ASI_SCRATCHPAD",
  0x80: "#ASI_P",
  0x81: "#ASI_S",
  0x82: "#ASI_PNF",
  0x83: "#ASI_SNF",
  0x88: "#ASI_P_L",
  0x89: "#ASI_S_L",
};

/** An immediate as objdump prints it: −9…9 in decimal, else `0x…` (`-0x…` below zero). */
function imm(v: number): string {
  if (v >= -9 && v <= 9) return String(v);
  return v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

/** `[rs1+rs2]`, `[rs1+imm]` or `[rs1]`, as Capstone spaces it. */
function address(rs1: number, i: number, rs2: number, simm13: number): string {
  if (i === 0) return rs2 === 0 ? `[${REG_NAMES[rs1]}]` : `[${REG_NAMES[rs1]}+${REG_NAMES[rs2]}]`;
  if (simm13 === 0) return `[${REG_NAMES[rs1]}]`;
  if (rs1 === 0) return `[${imm(simm13)}]`;
  return `[${REG_NAMES[rs1]}+${imm(simm13)}]`;
}

/** The second operand of a format-3 ALU-like word. */
function second(i: number, rs2: number, simm13: number): string {
  return i === 1 ? imm(simm13) : REG_NAMES[rs2];
}

/**
 * objdump's text for a word Capstone does not decode.
 *
 * @param word The instruction word.
 * @returns The text, or null for a word this printer does not cover (Capstone's, or invalid).
 */
export function printSparc64Gap(word: number): Sparc64Text | null {
  const d = decodeSparc64(word >>> 0);
  if (d.illegal === 1 && d.mnemonic !== "illtrap") return null;
  const m = d.mnemonic;
  switch (m) {
    case "saved":
    case "restored":
    case "retry":
    case "done":
      return { mnemonic: m, operands: "" };
    case "rdpr": {
      const r = PRIV_NAMES[d.rs1];
      return r === undefined ? null : { mnemonic: m, operands: `${r}, ${REG_NAMES[d.rd]}` };
    }
    case "wrpr": {
      const r = PRIV_NAMES[d.rd];
      if (r === undefined) return null;
      if (d.rs1 === 0 && d.i === 1) return { mnemonic: m, operands: `${imm(d.simm13)}, ${r}` };
      if (d.rs1 === 0 && d.i === 0) return { mnemonic: m, operands: `${REG_NAMES[d.rs2]}, ${r}` };
      if (d.rs2 === 0 && d.i === 0) return { mnemonic: m, operands: `${REG_NAMES[d.rs1]}, ${r}` };
      return {
        mnemonic: m,
        operands: `${REG_NAMES[d.rs1]}, ${second(d.i, d.rs2, d.simm13)}, ${r}`,
      };
    }
    case "rd": {
      const r = ASR_NAMES[d.rs1] ?? `%asr${d.rs1}`;
      return { mnemonic: m, operands: `${r}, ${REG_NAMES[d.rd]}` };
    }
    case "wr": {
      const r = ASR_NAMES[d.rd] ?? `%asr${d.rd}`;
      return {
        mnemonic: m,
        operands: `${REG_NAMES[d.rs1]}, ${second(d.i, d.rs2, d.simm13)}, ${r}`,
      };
    }
  }
  const memory = d.op === 3;
  if (!memory) return null;
  const alt = (d.flags & F_ALT) !== 0;
  if (!alt && m !== "ldstub") return null;
  const addr = address(d.rs1, d.i, d.rs2, d.simm13);
  const where = !alt
    ? addr
    : d.asi === ASI_REG
    ? `${addr} %asi`
    : `${addr} ${ASI_NAMES[d.asi] ?? imm(d.asi)}`;
  const store = m.startsWith("st") || m === "casa" || m === "casxa";
  if (m === "casa" || m === "casxa") {
    const asi = d.asi === ASI_REG ? "%asi" : ASI_NAMES[d.asi] ?? imm(d.asi);
    return {
      mnemonic: m,
      operands: `[${REG_NAMES[d.rs1]}] ${asi}, ${REG_NAMES[d.rs2]}, ${REG_NAMES[d.rd]}`,
    };
  }
  return {
    mnemonic: m,
    operands: store ? `${REG_NAMES[d.rd]}, ${where}` : `${where}, ${REG_NAMES[d.rd]}`,
  };
}
