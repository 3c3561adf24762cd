// Copyright 2026 the kprobes-sim authors. MIT license.
// Capstone as the reference ppc64 disassembler, and the alias table that maps
// our base mnemonics (Ppc64DecodedInsn.mnemonic: `addi`, `or`, `bc`, `bclr`,
// `rlwinm` …) to the simplified spelling Capstone prints (`li`, `mr`, `beq+`,
// `blr`, `slwi` …).
//
// capstone-wasm 1.0.3 (the project's pinned x86 reference) is built without
// the PPC backend (Capstone.support(CS_ARCH_PPC) is false), so ppc64 uses
// @alexaltea/capstone-js 5.0.9, a full Capstone 5.0 build, loaded on demand.

import type { Ppc64DecodedInsn } from "../../../arch/ppc64/mod.ts";

/** The Capstone build used for ppc64. */
export const CAPSTONE_PPC_MODULE = "capstone-js";

/** Disassembles one big-endian word: Capstone's mnemonic, or null when it rejects it. */
export type PpcDisassembler = (word: number) => string | null;

interface CapstoneInsn {
  mnemonic: string;
}
interface CapstoneModule {
  ARCH_PPC: number;
  MODE_64: number;
  MODE_BIG_ENDIAN: number;
  Capstone: new (arch: number, mode: number) => {
    disasm(bytes: number[], address: number): CapstoneInsn[];
  };
}

/** Loads Capstone for 64-bit big-endian PPC. */
export async function loadPpcCapstone(): Promise<PpcDisassembler> {
  const mod = await import(CAPSTONE_PPC_MODULE) as { default: () => Promise<CapstoneModule> };
  const cs = await mod.default();
  const d = new cs.Capstone(cs.ARCH_PPC, cs.MODE_64 | cs.MODE_BIG_ENDIAN);
  return (w: number) => {
    try {
      const r = d.disasm([w >>> 24, (w >>> 16) & 255, (w >>> 8) & 255, w & 255], 0x1000);
      return r.length > 0 ? r[0].mnemonic : null;
    } catch {
      return null; // capstone-js throws "cs_disasm failed … OK" for an invalid word
    }
  };
}

// Trap TO values with a Capstone name (tw 4 → tweq, twi 24 → twnei, td 31 → tdu).
const TO_NAMES: Record<number, string> = {
  1: "lgt",
  2: "llt",
  4: "eq",
  8: "gt",
  16: "lt",
  24: "ne",
  31: "u",
};
// CR bit conditions by BI & 3, branch-if-true and branch-if-false.
const COND_TRUE = ["lt", "gt", "eq", "so"];
const COND_FALSE = ["ge", "le", "ne", "ns"];

// mfspr/mtspr names Capstone prints instead of `mfspr rT, n` (every SPR number 0–1023 tried).
const MFSPR: Record<number, string> = {
  1: "mfxer",
  4: "mfrtcu",
  5: "mfrtcl",
  8: "mflr",
  9: "mfctr",
  17: "mfdscr",
  18: "mfdsisr",
  19: "mfdar",
  28: "mfcfar",
  29: "mfamr",
  48: "mfpid",
  280: "mfasr",
  287: "mfpvr",
  512: "mfspefscr",
  980: "mfesr",
  981: "mfdear",
  986: "mftcr",
  988: "mftbhi",
  989: "mftblo",
  990: "mfsrr2",
  991: "mfsrr3",
  1018: "mfdccr",
  1019: "mficcr",
};
const MTSPR: Record<number, string> = {
  1: "mtxer",
  8: "mtlr",
  9: "mtctr",
  17: "mtdscr",
  18: "mtdsisr",
  19: "mtdar",
  28: "mtcfar",
  29: "mtamr",
  48: "mtpid",
  284: "mttbl",
  285: "mttbu",
  512: "mtspefscr",
  980: "mtesr",
  981: "mtdear",
  986: "mttcr",
  988: "mttbhi",
  989: "mttblo",
  990: "mtsrr2",
  991: "mtsrr3",
  1018: "mtdccr",
  1019: "mticcr",
};
for (let i = 0; i < 8; i++) {
  // 528–543: the 32-bit BATs (ibatNu/l, dbatNu/l).
  MFSPR[528 + 2 * i] = i < 4 ? "mfibatu" : "mfdbatu";
  MFSPR[529 + 2 * i] = i < 4 ? "mfibatl" : "mfdbatl";
  MTSPR[528 + 2 * i] = i < 4 ? "mtibatu" : "mtdbatu";
  MTSPR[529 + 2 * i] = i < 4 ? "mtibatl" : "mtdbatl";
}

// Capstone's branch stem for BO and BI: bdnzf, bdzf, b<false>, bdnzt, bdzt, b<true>, bdnz, bdz.
// (It prints BO = 20, "branch always", as bdnz too, except bclr/bcctr with BI = 0: blr, bctr.)
function branchStem(bo: number, bi: number): string {
  if (bo < 4) return bo < 2 ? "bdnzf" : "bdzf";
  if (bo < 8) return "b" + COND_FALSE[bi & 3];
  if (bo < 12) return bo < 10 ? "bdnzt" : "bdzt";
  if (bo < 16) return "b" + COND_TRUE[bi & 3];
  return (bo & 2) !== 0 ? "bdz" : "bdnz";
}

// The static prediction suffix: "-" for at = 10, "+" for at = 11.
function hint(bo: number): string {
  if ((bo >= 4 && bo < 8) || (bo >= 12 && bo < 16)) {
    return (bo & 3) === 2 ? "-" : (bo & 3) === 3 ? "+" : "";
  }
  if (bo === 24 || bo === 26) return "-";
  if (bo === 25 || bo === 27) return "+";
  return "";
}

function dot(m: string): string {
  return m.endsWith(".") ? "." : "";
}

/**
 * The mnemonic Capstone 5.0 prints for an instruction we decoded. The
 * rules, all observed by enumerating Capstone:
 *
 * | ours | Capstone |
 * |---|---|
 * | `addi`/`addis` with RA = 0 | `li`/`lis` |
 * | `or` with RS = RB (not `or.`) | `mr` |
 * | `ori 0,0,0`, `xori 0,0,0` | `nop`, `xnop` |
 * | `rlwinm[.]` MB=0 ME=31-SH / ME=31 SH=32-MB / SH=0 ME=31 / MB=0 ME=31 | `slwi`, `srwi`, `clrlwi`, `rotlwi` (`rotlwi` wins at SH=0) |
 * | `rlwnm[.]` MB=0 ME=31 | `rotlw` |
 * | `rldicl[.]` MB=0 / SH=0 | `rotldi`, `clrldi` (no `srdi`) |
 * | `rldicr` ME=63-SH (not the record form) | `sldi` (no `clrrdi`) |
 * | `rldcl[.]` MB=0 | `rotld` |
 * | `tw`/`td`/`twi`/`tdi` with TO 1, 2, 4, 8, 16, 24, 31 | `tw`+`lgt`/`llt`/`eq`/`gt`/`lt`/`ne`/`u` (+`i`); `tw 31,0,0` is `trap` |
 * | `bc[l][a]` | stem by BO (see `branchStem`) + `l` + `a` + hint |
 * | `bclr[l]`, `bcctr[l]` | `blr`/`bctr`[`l`] for BO=20 BI=0 BH=0, else stem + `lr`/`ctr` + `l` + hint |
 * | `crxor`/`creqv` with BT=BA=BB; `cror`/`crnor` with BA=BB | `crclr`/`crset`; `crmove`/`crnot` |
 * | `mfspr`/`mtspr` of the SPRs in `MFSPR`/`MTSPR` | their names; `mftb` of 269 is `mftbu` |
 * | `dcbf` L=1, L=3; `dcbt`/`dcbtst` TH=16 | `dcbfl`, `dcbflp`; `dcbtt`, `dcbtstt` |
 *
 * Everything else (including `sync`/`lwsync`/`ptesync`, `cmpwi` …,
 * `mfocrf`/`mtocrf`, `isel`, `sc`) is spelled the same.
 */
export function capstoneAlias(d: Ppc64DecodedInsn): string {
  const m = d.mnemonic;
  switch (m) {
    case "addi":
      return d.ra === 0 ? "li" : m;
    case "addis":
      return d.ra === 0 ? "lis" : m;
    case "or":
      return d.rt === d.rb ? "mr" : m;
    case "ori":
      return d.word === 0x60000000 ? "nop" : m;
    case "xori":
      return d.word === 0x68000000 ? "xnop" : m;
    case "rlwinm":
    case "rlwinm.":
      if (d.mb === 0 && d.me === 31 - d.sh) return (d.me === 31 ? "rotlwi" : "slwi") + dot(m);
      if (d.me === 31 && d.sh === 32 - d.mb) return "srwi" + dot(m);
      if (d.sh === 0 && d.me === 31) return "clrlwi" + dot(m);
      if (d.mb === 0 && d.me === 31) return "rotlwi" + dot(m);
      return m;
    case "rlwnm":
    case "rlwnm.":
      return d.mb === 0 && d.me === 31 ? "rotlw" + dot(m) : m;
    case "rldicl":
    case "rldicl.":
      if (d.mb === 0) return "rotldi" + dot(m);
      return d.sh === 0 ? "clrldi" + dot(m) : m;
    case "rldicr":
      return d.me === 63 - d.sh ? "sldi" : m;
    case "rldcl":
    case "rldcl.":
      return d.mb === 0 ? "rotld" + dot(m) : m;
    case "tw":
    case "td":
    case "twi":
    case "tdi": {
      if (d.word === 0x7fe00008) return "trap";
      const to = TO_NAMES[d.rt];
      return to === undefined ? m : m.slice(0, 2) + to + (m.endsWith("i") ? "i" : "");
    }
    case "bc":
    case "bcl":
    case "bca":
    case "bcla":
      return branchStem(d.bo, d.bi) + (d.lk ? "l" : "") + (d.aa ? "a" : "") + hint(d.bo);
    case "bclr":
    case "bclrl":
    case "bcctr":
    case "bcctrl": {
      const to = m.startsWith("bclr") ? "lr" : "ctr";
      if (d.bo === 20 && d.bi === 0 && (d.word & 0x1800) === 0) return "b" + to + (d.lk ? "l" : "");
      return branchStem(d.bo, d.bi) + to + (d.lk ? "l" : "") + hint(d.bo);
    }
    case "crxor":
      return d.rt === d.ra && d.ra === d.rb ? "crclr" : m;
    case "creqv":
      return d.rt === d.ra && d.ra === d.rb ? "crset" : m;
    case "cror":
      return d.ra === d.rb ? "crmove" : m;
    case "crnor":
      return d.ra === d.rb ? "crnot" : m;
    case "mfspr":
      return MFSPR[d.spr] ?? m;
    case "mtspr":
      return MTSPR[d.spr] ?? m;
    case "mftb":
      return d.spr === 269 ? "mftbu" : m;
    case "dcbf":
      return (d.rt & 3) === 1 ? "dcbfl" : (d.rt & 3) === 3 ? "dcbflp" : m;
    case "dcbt":
    case "dcbtst":
      return d.rt === 16 ? m + "t" : m;
    default:
      return m;
  }
}

/**
 * Where Capstone 5.0 and the ISA (and so we) disagree, for canonical
 * encodings: the XO-form overflow variants (`addo`, `subfo.`, `mullwo`,
 * `divdo` …, OE = 1), which Capstone's PPC tables lack, and the ISA 2.06
 * `wait` (XO 62; it knows the ISA 3.0 one, XO 30). Returns the reason, or undefined.
 */
export function capstoneGap(d: Ppc64DecodedInsn): string | undefined {
  if (d.illegal) return undefined;
  if (d.oe !== 0) return "Capstone has no OE (overflow) forms";
  if (d.mnemonic === "wait" && d.xo === 62) return "Capstone does not decode the ISA 2.06 wait";
  return undefined;
}
