// Copyright 2026 the kprobes-sim authors. MIT license.
// Capstone as the reference SPARC V9 disassembler, and the alias table that
// maps our base mnemonics (Sparc64DecodedInsn.mnemonic: `lduw`, `or`,
// `jmpl`, `bne,pt` …) to the spelling Capstone prints (`ld`, `mov`, `ret`,
// `bne` …).
//
// capstone-wasm 1.0.3 has no SPARC backend; @alexaltea/capstone-js 5.0.9 (a
// full Capstone 5.0 build, already the ppc64 reference) has one, in mode
// MODE_V9 | MODE_BIG_ENDIAN. Its SPARC tables are LLVM's V8-centred ones:
// they lack the V9 privileged instructions and the alternate-space forms the
// kernel's trap code uses, which `capstoneGap` names (the test then checks
// those words field by field instead).

import { F_ALT, type Sparc64DecodedInsn } from "../../../arch/sparc64/mod.ts";

/** The Capstone build used for sparc64. */
export const CAPSTONE_SPARC_MODULE = "capstone-js";

/** Disassembles one big-endian word: Capstone's mnemonic, or null when it rejects it. */
export type SparcDisassembler = (word: number) => string | null;

interface CapstoneInsn {
  mnemonic: string;
}
interface CapstoneModule {
  ARCH_SPARC: number;
  MODE_V9: number;
  MODE_BIG_ENDIAN: number;
  Capstone: new (arch: number, mode: number) => {
    disasm(bytes: number[], address: number): CapstoneInsn[];
  };
}

/** Loads Capstone for SPARC V9, big-endian. */
export async function loadSparcCapstone(): Promise<SparcDisassembler> {
  const mod = await import(CAPSTONE_SPARC_MODULE) as { default: () => Promise<CapstoneModule> };
  const cs = await mod.default();
  const d = new cs.Capstone(cs.ARCH_SPARC, cs.MODE_V9 | cs.MODE_BIG_ENDIAN);
  return (w: number) => {
    try {
      const r = d.disasm([w >>> 24, (w >>> 16) & 255, (w >>> 8) & 255, w & 255], 0x1000);
      return r.length > 0 ? r[0].mnemonic : null;
    } catch {
      return null; // capstone-js throws "cs_disasm failed … OK" for a word it rejects
    }
  };
}

// V8 names Capstone keeps for V9 instructions.
const RENAMED: Record<string, string> = {
  lduw: "ld",
  stw: "st",
  addc: "addx",
  subc: "subx",
  addccc: "addxcc",
  subccc: "subxcc",
  illtrap: "unimp",
  return: "rett", // V9 RETURN has V8 RETT's encoding (op3 0x39)
  lduwa: "lda",
  stwa: "sta",
};

/**
 * The mnemonic Capstone prints for a word we decoded: its aliases for `or`
 * from %g0 (`mov`), `subcc` to %g0 (`cmp`), `sethi 0, %g0` (`nop`),
 * `jmpl` (`call`, `jmp`, `ret`, `retl`), `casa` on ASI_PRIMARY (`cas`), and
 * branches without the default `,pt` (Capstone prints only `,pn`).
 */
export function capstoneAlias(d: Sparc64DecodedInsn): string {
  const m = d.mnemonic;
  if (m === "sethi" && d.rd === 0 && d.imm22 === 0) return "nop";
  if (m === "or" && d.rs1 === 0) return "mov";
  if (m === "subcc" && d.rd === 0) return "cmp";
  if (m === "jmpl") {
    if (d.rd === 15) return "call";
    if (d.rd === 0 && d.i === 1 && d.imm === 8 && d.rs1 === 31) return "ret";
    if (d.rd === 0 && d.i === 1 && d.imm === 8 && d.rs1 === 15) return "retl";
    return d.rd === 0 ? "jmp" : "jmpl";
  }
  if (m === "casa" && d.i === 0 && d.asi === 0x80) return "cas";
  if (m === "casxa" && d.i === 0 && d.asi === 0x80) return "casx";
  if (d.relative !== 0 && m.endsWith(",pt")) return m.slice(0, -3);
  return RENAMED[m] ?? m;
}

/**
 * Why Capstone cannot decode a word we decode (so a null from Capstone is
 * expected), or undefined when it should.
 */
export function capstoneGap(d: Sparc64DecodedInsn): string | undefined {
  const m = d.mnemonic;
  if (m === "rdpr" || m === "wrpr") return "Capstone has no V9 privileged registers (rdpr/wrpr)";
  if (m === "saved" || m === "restored" || m === "done" || m === "retry") {
    return "Capstone has no V9 saved/restored/done/retry";
  }
  if ((m === "rd" && d.rs1 !== 0) || (m === "wr" && d.rd !== 0)) {
    return "Capstone reads and writes only %y of the ancillary state registers";
  }
  if (m === "ldstub" || m === "ldstuba") return "Capstone has no ldstub";
  if ((d.flags & F_ALT) !== 0 && m !== "casa" && m !== "casxa") {
    return "Capstone has no alternate-space loads and stores";
  }
  if (m === "casa" || m === "casxa") return "Capstone has cas/casx on ASI_PRIMARY (0x80) only";
  if (m === "mulscc") return "Capstone has no mulscc";
  if (m === "sir") return "Capstone has no sir";
  if (m === "prefetch" || m === "prefetcha") {
    return "Capstone has no implementation-dependent prefetch functions (16-31)";
  }
  if (m === "ldd" || m === "std") return "Capstone rejects some ldd/std register pairs";
  if (d.i === 1 && (m === "flush" || m === "popc")) {
    return "Capstone rejects immediate forms of flush/popc";
  }
  return undefined;
}
