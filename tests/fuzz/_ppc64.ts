// Copyright 2026 the kprobes-sim authors. MIT license.
// ppc64 decoder and interpreter fuzz target.
//
// Decoder: random words and mutations of real words from vmlinux-ppc64 →
// decodePpc64() never throws, `length` is 4, `illegal` is 0 or 1, a legal
// word has a mnemonic. A sample is cross-checked against Capstone 5
// (capstone-js, as tests/arch/ppc64/decode_test.ts): validity must agree,
// except for the classes in `allowedDisagreement()`, each with its reason.
//
// Interpreter: a Ppc64Cpu executing a page of random (or mutated real)
// words with random registers, in kernel or problem state → every stop is
// an arch stop (STOP_TRAP with a Book III-S vector, STOP_BUDGET, …), never
// a host exception or a hang.

import {
  decodePpc64,
  Ppc64Cpu,
  type Ppc64DecodedInsn,
  STOP_BUDGET,
  STOP_HALT,
  STOP_HYPERCALL,
  STOP_TRAP,
  STOP_USER,
} from "../../arch/mod.ts";
import {
  Memory,
  parseElf,
  PROT_EXEC,
  PROT_READ,
  PROT_USER,
  PROT_WRITE,
} from "../../kernel-model/mod.ts";
import {
  F_RC_ALWAYS,
  PPC64_FLAGS,
  PPC64_MNEMONIC,
  PPC64_RESERVED,
  ppc64Slot,
} from "../../arch/ppc64/opcodes.ts";
import { capstoneGap, loadPpcCapstone, type PpcDisassembler } from "../arch/ppc64/_capstone.ts";
import { FuzzFinding, type FuzzTarget } from "./_harness.ts";
import type { Rng } from "./_rng.ts";

const ROOT = new URL("../../", import.meta.url);

/** What the ppc64 target shares across inputs. */
export interface Ppc64Ctx {
  /** The words of vmlinux-ppc64's .text. */
  words: Uint32Array;
  capstone: PpcDisassembler;
  /** Tally of allowed disagreements by reason. */
  allowed: Map<string, number>;
  /** Tally of interpreter outcomes. */
  outcomes: Map<string, number>;
}

/** Loads the image text and Capstone. */
export async function setupPpc64(): Promise<Ppc64Ctx> {
  const path = "kernel-model/vmlinux/images/vmlinux-ppc64";
  const elf = parseElf(await Deno.readFile(new URL(path, ROOT)), path);
  const text = elf.sectionData(".text");
  const dv = new DataView(text.buffer, text.byteOffset, text.byteLength);
  const words = new Uint32Array(text.length >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = dv.getUint32(i * 4);
  return { words, capstone: await loadPpcCapstone(), allowed: new Map(), outcomes: new Map() };
}

// Extended opcodes of primary 31 and 19 with system, reservation, divide,
// shift, string and cache semantics, where an interpreter's corner cases live.
const XO31 = [
  178,
  146,
  83,
  467,
  339,
  371,
  20,
  84,
  150,
  214,
  491,
  459,
  489,
  457,
  75,
  73,
  11,
  9,
  27,
  539,
  794,
  413,
  24,
  536,
  792,
  824,
  26,
  58,
  1014,
  86,
  982,
  598,
  4,
  68,
  144,
  19,
  597,
  725,
  533,
  661,
  532,
  534,
  15,
  47,
  79,
  854,
  306,
  498,
  402,
  434,
  595,
  210,
  242,
  370,
  566,
  0,
  32,
  235,
  233,
  104,
  40,
  8,
  136,
  200,
  234,
  202,
  138,
  10,
  922,
  954,
  986,
  284,
  476,
  444,
  412,
  316,
  124,
  60,
  28,
];
const XO19 = [18, 150, 16, 528, 0, 257, 129, 289, 193, 225, 33, 417, 449, 274, 82, 50];
const PRIMARY = [
  17,
  2,
  3,
  46,
  47,
  58,
  62,
  30,
  16,
  18,
  7,
  8,
  12,
  13,
  14,
  15,
  20,
  21,
  23,
  32,
  36,
  38,
  40,
  44,
  48,
];

/** A word from the interesting encodings, with random operand fields. */
function soupWord(rng: Rng): number {
  const fields = rng.u32() & 0x03ffffff;
  switch (rng.below(3)) {
    case 0:
      return ((31 << 26) | (fields & ~0x7fe) | (rng.pick(XO31) << 1)) >>> 0;
    case 1:
      return ((19 << 26) | (fields & ~0x7fe) | (rng.pick(XO19) << 1)) >>> 0;
    default: {
      const op = rng.pick(PRIMARY);
      return ((op << 26) | fields | (op === 17 ? 2 : 0)) >>> 0;
    }
  }
}

function oneWord(rng: Rng, ctx: Ppc64Ctx): number {
  if (rng.chance(0.25)) return soupWord(rng);
  if (rng.chance(0.3)) return rng.u32();
  let w = ctx.words[rng.below(ctx.words.length)];
  for (let n = rng.int(1, 2); n > 0; n--) {
    switch (rng.below(4)) {
      case 0:
        w ^= 1 << rng.below(32);
        break;
      case 1: // another primary opcode
        w = (w & 0x03ffffff) | (rng.below(64) << 26);
        break;
      case 2: // another extended opcode (bits 21–30)
        w = (w & ~0x7fe) | (rng.below(1024) << 1);
        break;
      default: // a byte to an edge value
      {
        const sh = rng.below(4) * 8;
        w = (w & ~(0xff << sh)) | (rng.pick([0, 0xff, 0x80, 0x7f]) << sh);
      }
    }
  }
  return w >>> 0;
}

function hex8(w: number): string {
  return w.toString(16).padStart(8, "0");
}

/**
 * Where our validity may differ from Capstone 5's. Returns the reason, or
 * undefined for a disagreement that is a bug.
 */
export function allowedDisagreement(
  d: Ppc64DecodedInsn,
  theirs: string | null,
): string | undefined {
  if (theirs === null) {
    // We decode, Capstone refuses.
    const gap = capstoneGap(d);
    if (gap !== undefined) return gap;
    return undefined;
  }
  // Capstone decodes, we say illegal.
  const w = d.word;
  const slot = ppc64Slot(w);
  if (d.opcd === 0) return "primary opcode 0: reserved (Capstone 5 prints `attn` for some)";
  if (PPC64_MNEMONIC[slot] === "") {
    return "an opcode outside the modelled subset (floating point, VMX/VSX, SPE, cache/TLB management, 32-bit-only forms): illegal instruction";
  }
  if ((w & PPC64_RESERVED[slot]) !== 0) {
    return "reserved bits set: the ISA leaves the result undefined, we raise illegal instruction; Capstone ignores them";
  }
  if ((PPC64_FLAGS[slot] & F_RC_ALWAYS) !== 0 && (w & 1) === 0) {
    return "stwcx./stdcx. without Rc: an invalid form";
  }
  if (d.opcd === 17) return "sc without bit 30: invalid form (Capstone ignores the bit)";
  if (d.opcd === 31 && ((w >>> 1) & 0x3ff) === 19) {
    return "mfcr with FXM ≠ 0 / mfocrf with FXM = 0: invalid form (Capstone takes any)";
  }
  return undefined;
}

function checkDecode(rng: Rng, ctx: Ppc64Ctx, capstone: boolean): void {
  const w = oneWord(rng, ctx);
  const what = `decodePpc64(0x${hex8(w)})`;
  let d: Ppc64DecodedInsn;
  try {
    d = decodePpc64(w);
  } catch (e) {
    throw new FuzzFinding(`${what} threw a host exception`, { cause: e });
  }
  if (d.length !== 4) throw new FuzzFinding(`${what}: length ${d.length}`);
  if (d.illegal !== 0 && d.illegal !== 1) throw new FuzzFinding(`${what}: illegal is ${d.illegal}`);
  if (
    d.illegal === 0 &&
    (typeof d.mnemonic !== "string" || d.mnemonic === "" || d.mnemonic === "(bad)")
  ) {
    throw new FuzzFinding(`${what}: legal but mnemonic "${d.mnemonic}"`);
  }
  if (!capstone) return;
  const theirs = ctx.capstone(w);
  if ((theirs === null) === (d.illegal === 1)) return;
  const reason = allowedDisagreement(d, theirs);
  if (reason !== undefined) {
    ctx.allowed.set(reason, (ctx.allowed.get(reason) ?? 0) + 1);
    return;
  }
  throw new FuzzFinding(
    `${what}: Capstone says ${theirs ?? "invalid"}; ours ${d.illegal ? "illegal" : d.mnemonic}`,
  );
}

const KERNEL = 0xc000000000000000n;
const TEXT = KERNEL + 0x10000n;
const DATA = KERNEL + 0x20000n;
const USER = 0x10000000n;

function checkExecute(rng: Rng, ctx: Ppc64Ctx): void {
  const mem = new Memory({ littleEndian: false });
  mem.map(KERNEL, 0x40000, PROT_READ | PROT_WRITE | PROT_EXEC);
  mem.map(USER, 0x10000, PROT_READ | PROT_WRITE | PROT_EXEC | PROT_USER);
  const random = rng.chance(0.5);
  for (let i = 0; i < 1024; i++) {
    mem.writeU32(TEXT + BigInt(4 * i), random ? rng.u32() : oneWord(rng, ctx));
  }
  const user = rng.chance(0.3);
  const cpu = new Ppc64Cpu(mem, { id: 0 });
  const base = user ? USER : TEXT;
  if (user) {
    // Problem state runs from user memory: copy the page there.
    mem.writeBytes(USER, mem.readBytes(TEXT, 4096));
  }
  // SF|EE|PR|RI or SF|ME|RI; sometimes SE (trace interrupts) too.
  const msr = (user ? 0x800000000000c002n : 0x8000000000001002n) | (rng.chance(0.2) ? 0x400n : 0n);
  cpu.setMsr(msr);
  for (let r = 0; r < 32; r++) {
    cpu.setReg(r, rng.chance(0.5) ? DATA + BigInt(rng.below(0x10000)) : rng.u64());
  }
  cpu.setReg(1, DATA + 0x8000n);
  cpu.setLr(base + BigInt(4 * rng.below(1024)));
  cpu.setCtr(rng.chance(0.5) ? base + BigInt(4 * rng.below(1024)) : rng.u64());
  const what = `Ppc64Cpu(${user ? "problem" : "kernel"} state) on a page of ${
    random ? "random words" : "mutated image words"
  } (seed ${rng.seed})`;
  let steps = 3000;
  let stops = 0;
  let pc = base + BigInt(4 * rng.below(1024));
  const t0 = performance.now();
  try {
    while (steps > 0 && stops < 64) {
      cpu.setPc(pc);
      const budget = Math.min(steps, 500);
      steps -= budget;
      const r = cpu.run(budget);
      let key: string;
      if (r === STOP_TRAP) {
        const v = cpu.trapVector;
        if (
          ![0x300, 0x380, 0x400, 0x480, 0x600, 0x700, 0xd00].includes(v) && !(v >= 0 && v < 0x3000)
        ) {
          throw new FuzzFinding(`${what}: STOP_TRAP with vector ${v}`);
        }
        key = `trap 0x${v.toString(16)}`;
      } else if (r === STOP_BUDGET) {
        pc = cpu.getPc();
        ctx.outcomes.set("budget", (ctx.outcomes.get("budget") ?? 0) + 1);
        continue;
      } else if (r === STOP_HALT || r === STOP_USER || r === STOP_HYPERCALL) {
        key = ["", "", "halt", "user", "hypercall"][r];
      } else {
        throw new FuzzFinding(`${what}: run() returned ${r}, not a StopReason`);
      }
      ctx.outcomes.set(key, (ctx.outcomes.get(key) ?? 0) + 1);
      stops++;
      pc = base + BigInt(4 * rng.below(1024));
      cpu.setMsr(msr);
    }
  } catch (e) {
    if (e instanceof FuzzFinding) throw e;
    let word = "?";
    try {
      word = hex8(mem.readU32(cpu.getPc()));
    } catch { /* unmapped */ }
    throw new FuzzFinding(
      `${what}: host exception at nip 0x${cpu.getPc().toString(16)} (word ${word})`,
      { cause: e },
    );
  }
  const ms = performance.now() - t0;
  if (ms > 10_000) throw new FuzzFinding(`${what}: 3000 steps took ${ms.toFixed(0)} ms`);
}

/** The ppc64 target: per input, a batch of decodes (a sample against Capstone) and one sandbox run. */
export function ppc64Target(
  options: { decodes: number; capstoneRate: number; execute: boolean },
): FuzzTarget<Ppc64Ctx> {
  return {
    name: "ppc64",
    setup: setupPpc64,
    one(rng, ctx) {
      for (let i = 0; i < options.decodes; i++) {
        checkDecode(rng, ctx, rng.chance(options.capstoneRate));
      }
      if (options.execute) checkExecute(rng, ctx);
    },
  };
}
