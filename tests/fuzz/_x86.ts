// Copyright 2026 the kprobes-sim authors. MIT license.
// x86 decoder and interpreter fuzz target (64- and 32-bit modes).
//
// Decoder: random byte strings and mutations of real instructions from the
// committed images → decodeX86() never throws; `length` is 1–15, or 0 with
// `invalid` set (the bytes ran out, or more than 15 bytes of prefixes).
// A sample is cross-checked against Capstone (capstone-wasm, as
// tests/arch/x86/decode_test.ts): where Capstone decodes, the length must be
// Capstone's and the instruction must be valid, and where Capstone refuses,
// ours must be invalid, except for the classes in `allowedDisagreement()`,
// each with the reason it is allowed.
//
// Interpreter: an X86Cpu executing a page of random (or mutated real) code
// with random registers, some pointing at a data page, at CPL 0 or 3 → every
// stop is STOP_BUDGET/TRAP/HALT/USER/HYPERCALL with a vector 0–255; never a
// host exception or a hang. After each trap RIP moves to a random place in
// the page and execution goes on, up to a step budget.

import { Capstone, Const, loadCapstone } from "capstone-wasm";
import {
  DecodedInsn,
  decodeX86,
  PREFIX_66,
  PREFIX_F2,
  PREFIX_F3,
  PREFIX_LOCK,
  PREFIX_VEX,
  STOP_BUDGET,
  STOP_HALT,
  STOP_HYPERCALL,
  STOP_TRAP,
  STOP_USER,
  X86Cpu,
} from "../../arch/mod.ts";
import { A_NOEXEC, ATTR } from "../../arch/x86/opcodes.ts";
import {
  Memory,
  parseElf,
  PROT_EXEC,
  PROT_READ,
  PROT_USER,
  PROT_WRITE,
} from "../../kernel-model/mod.ts";
import { FuzzFinding, type FuzzTarget } from "./_harness.ts";
import type { Rng } from "./_rng.ts";

const ROOT = new URL("../../", import.meta.url);

interface CapstoneInsn {
  size: number;
  mnemonic: string;
  opStr: string;
}

/** What the x86 target shares across inputs. */
export interface X86Ctx {
  /** `.text` of vmlinux-x86_64 and vmlinux-i386, with the instruction starts. */
  text: Record<64 | 32, { bytes: Uint8Array; starts: number[] }>;
  capstone: Record<
    64 | 32,
    { disasm(b: Uint8Array, o: { address: number; count: number }): CapstoneInsn[] }
  >;
  /** Tally of allowed disagreements by reason (reported by `deno task fuzz`). */
  allowed: Map<string, number>;
  /** Tally of interpreter outcomes. */
  outcomes: Map<string, number>;
}

async function loadText(
  path: string,
  mode: 64 | 32,
): Promise<{ bytes: Uint8Array; starts: number[] }> {
  const elf = parseElf(await Deno.readFile(new URL(path, ROOT)), path);
  const text = elf.sectionByName(".text")!;
  const bytes = elf.sectionData(text);
  const slots = elf.symbols.find((s) => s.name === "__insn_slots_start")?.value;
  const end = slots !== undefined && slots >= text.addr && slots < text.addr + BigInt(text.size)
    ? Number(slots - text.addr)
    : bytes.length;
  const starts: number[] = [];
  const d = new DecodedInsn();
  for (let off = 0; off < end;) {
    starts.push(off);
    decodeX86(bytes, off, mode, d);
    off += d.length > 0 ? d.length : 1;
  }
  return { bytes: bytes.subarray(0, end), starts };
}

/** Loads the image text and Capstone. */
export async function setupX86(): Promise<X86Ctx> {
  await loadCapstone();
  return {
    text: {
      64: await loadText("kernel-model/vmlinux/images/vmlinux-x86_64", 64),
      32: await loadText("kernel-model/vmlinux/images/vmlinux-i386", 32),
    },
    capstone: {
      64: new Capstone(Const.CS_ARCH_X86, Const.CS_MODE_64),
      32: new Capstone(Const.CS_ARCH_X86, Const.CS_MODE_32),
    },
    allowed: new Map(),
    outcomes: new Map(),
  };
}

const PREFIXES = [0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65];

// Opcodes with system, control-transfer, string, divide and bit-field
// semantics, where an interpreter's corner cases live; random bytes reach
// most of them too rarely.
const SOUP: number[][] = [
  [0x0f, 0x01],
  [0x0f, 0x00],
  [0x0f, 0x20],
  [0x0f, 0x22],
  [0x0f, 0x21],
  [0x0f, 0x23],
  [0x0f, 0x30],
  [0x0f, 0x32],
  [0x0f, 0x31],
  [0x0f, 0xa2],
  [0x0f, 0x05],
  [0x0f, 0x07],
  [0x0f, 0x34],
  [0x0f, 0x35],
  [0x0f, 0x06],
  [0x0f, 0x08],
  [0x0f, 0x09],
  [0x0f, 0xb0],
  [0x0f, 0xb1],
  [0x0f, 0xc7],
  [0x0f, 0xc0],
  [0x0f, 0xc1],
  [0x0f, 0xa3],
  [0x0f, 0xab],
  [0x0f, 0xb3],
  [0x0f, 0xbb],
  [0x0f, 0xba],
  [0x0f, 0xa4],
  [0x0f, 0xa5],
  [0x0f, 0xac],
  [0x0f, 0xad],
  [0x0f, 0xbc],
  [0x0f, 0xbd],
  [0x0f, 0xb2],
  [0x0f, 0xb4],
  [0x0f, 0xb5],
  [0x0f, 0xa0],
  [0x0f, 0xa1],
  [0x0f, 0xa8],
  [0x0f, 0xa9],
  [0x0f, 0xc8],
  [0x0f, 0xaf],
  [0x0f, 0x0b],
  [0x0f, 0xae],
  [0x0f, 0x18],
  [0x0f, 0x1f],
  [0xcf],
  [0xca],
  [0xcb],
  [0xcd],
  [0xcc],
  [0xce],
  [0xf1],
  [0x8e],
  [0x8c],
  [0x9a],
  [0xea],
  [0xff],
  [0xfe],
  [0xc8],
  [0xc9],
  [0xf4],
  [0xfa],
  [0xfb],
  [0x9c],
  [0x9d],
  [0x9e],
  [0x9f],
  [0xe4],
  [0xe5],
  [0xe6],
  [0xe7],
  [0xec],
  [0xed],
  [0xee],
  [0xef],
  [0x6c],
  [0x6d],
  [0x6e],
  [0x6f],
  [0xf3, 0xa4],
  [0xf3, 0xa5],
  [0xf3, 0xaa],
  [0xf3, 0xab],
  [0xf3, 0xa6],
  [0xf2, 0xae],
  [0xf3, 0xac],
  [0xa7],
  [0xd4],
  [0xd5],
  [0xd6],
  [0xd7],
  [0xf6],
  [0xf7],
  [0xc0],
  [0xc1],
  [0xd0],
  [0xd1],
  [0xd2],
  [0xd3],
  [0x62],
  [0x63],
  [0xc4],
  [0xc5],
  [0x8d],
  [0x8f],
  [0x27],
  [0x2f],
  [0x37],
  [0x3f],
  [0x60],
  [0x61],
  [0x06],
  [0x07],
  [0x0e],
  [0x16],
  [0x17],
  [0x1e],
  [0x1f],
  [0xe0],
  [0xe1],
  [0xe2],
  [0xe3],
  [0xc2],
  [0xc3],
  [0xe8],
  [0xe9],
  [0x98],
  [0x99],
  [0x69],
  [0x6b],
  [0x86],
  [0x87],
  [0x90],
  [0x91],
  [0xa0],
  [0xa1],
  [0xa2],
  [0xa3],
  [0xce],
];

/** Interesting opcode + random operand bytes, behind random prefixes. */
function soup(rng: Rng, mode: 64 | 32): Uint8Array {
  const out: number[] = [];
  for (let n = rng.pick([0, 0, 0, 1, 1, 2, 3]); n > 0; n--) out.push(rng.pick(PREFIXES));
  if (mode === 64 && rng.chance(0.4)) out.push(0x40 | rng.below(16));
  out.push(...rng.pick(SOUP));
  for (let n = rng.int(0, 8); n > 0; n--) {
    out.push(rng.chance(0.2) ? rng.pick([0, 0xff, 0x80]) : rng.below(256));
  }
  return Uint8Array.from(out.slice(0, 15));
}

/** One instruction-sized input: random bytes, or a real instruction mutated. */
function insnBytes(rng: Rng, ctx: X86Ctx, mode: 64 | 32): Uint8Array {
  if (rng.chance(0.25)) return soup(rng, mode);
  const out = new Uint8Array(rng.int(1, 16));
  if (rng.chance(0.3)) {
    for (let i = 0; i < out.length; i++) out[i] = rng.u32() & 0xff;
    return out;
  }
  const t = ctx.text[mode];
  const at = rng.pick(t.starts);
  const buf = Array.from(t.bytes.subarray(at, at + 15));
  for (let n = rng.int(1, 3); n > 0; n--) {
    const i = rng.below(buf.length);
    switch (rng.below(6)) {
      case 0:
        buf[i] ^= 1 << rng.below(8);
        break;
      case 1:
        buf[i] = rng.pick([0, 0xff, 0x0f, 0x66, 0xf0, 0xcc, 0x40 | rng.below(16), rng.below(256)]);
        break;
      case 2:
        buf.unshift(rng.pick(PREFIXES));
        break;
      case 3:
        if (mode === 64) buf.unshift(0x40 | rng.below(16));
        break;
      case 4:
        buf.splice(i, 1);
        break;
      default:
        buf.splice(i, 0, rng.below(256));
    }
  }
  const bytes = Uint8Array.from(buf.slice(0, out.length));
  return bytes.length > 0 ? bytes : out;
}

function hexBytes(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");
}

/**
 * The documented classes where our decoder and Capstone 5 may disagree.
 * Returns the reason, or undefined when the disagreement is a bug.
 */
export function allowedDisagreement(
  d: DecodedInsn,
  c: CapstoneInsn | undefined,
  mode: 64 | 32,
  bytes: Uint8Array,
): string | undefined {
  const op = d.opcode;
  // ModRM.reg from the bytes: a decode that ran out of bytes leaves d.reg unset.
  const reg = ((bytes[d.opcodeOffset + 1] ?? 0) >> 3) & 7;
  const lock = (d.prefixes & PREFIX_LOCK) !== 0;
  if (c === undefined) {
    // Capstone refuses; we decode a valid instruction.
    if (op === 0x063 && mode === 64 && (d.rex & 8) === 0) {
      return "movsxd without REX.W: the SDM defines MOVSXD r32, r/m32; Capstone 5 lacks it";
    }
    if (op >= 0x118 && op <= 0x11f) {
      return "0F 18–1F hint space: the SDM makes every ModRM form a NOP Ev; Capstone decodes only some";
    }
    if (
      (d.prefixes & (PREFIX_F2 | PREFIX_F3)) !== 0 &&
      (op === 0x090 || (op & 0xff0) === 0x180 || op === 0x1bc || op === 0x1bd)
    ) {
      return "F2/F3 (with or without 66) on pause, jcc rel, bsf/bsr: ignored by hardware (F2 is BND on branches); Capstone refuses the combination";
    }
    if ((d.prefixes & (PREFIX_F2 | PREFIX_F3)) !== 0 && isLegacy0F(op)) {
      return "F2/F3 on a legacy (pre-SSE) 0F instruction: ignored by hardware (the SDM reserves it); Capstone refuses the combination";
    }
    if (
      op === 0x1ae && d.mod === 3 && (d.reg & 7) >= 5 &&
      (d.prefixes & (PREFIX_F2 | PREFIX_F3 | PREFIX_66)) === 0
    ) {
      return "lfence/mfence/sfence with r/m ≠ 0: the SDM says the r/m field is ignored; Capstone decodes r/m 0 only";
    }
    if (op === 0x0c2 && (d.prefixes & PREFIX_66) !== 0 && (d.rex & 8) !== 0) {
      return "66 REX.W C2 iw: ret's immediate is 16 bits whatever the operand size; Capstone 5 reads 32 and runs out";
    }
    if (op === 0x10d) {
      return "0F 0D prefetch group: /2–/7 are NOPs on current CPUs; Capstone decodes only /0 and /1";
    }
    return undefined;
  }
  if (c.size !== d.length) {
    if (op === 0x1ff || op === 0x1b9) {
      return "ud0/ud1: the SDM gives them a ModRM byte, Capstone decodes two bytes; both raise #UD";
    }
    if ((op === 0x08f && reg !== 0) || op === 0x10f || op === 0x1a6 || op === 0x1a7) {
      return "AMD-only XOP (8F /1–7) and 3DNow! (0F 0F), VIA PadLock (0F A6/A7): #UD on the Intel CPU modelled";
    }
    if (
      mode === 64 && (d.prefixes & PREFIX_66) !== 0 && c.size === d.length - 2 &&
      ((op & 0xff0) === 0x180 || op === 0x0e8 || op === 0x0e9)
    ) {
      return "66 on a near jcc/jmp/call in 64-bit mode: Intel ignores it (rel32, as Linux's insn decoder), AMD and Capstone take rel16";
    }
    if (
      op === 0x0c2 && (d.prefixes & PREFIX_66) !== 0 && (d.rex & 8) !== 0 && c.size === d.length + 2
    ) {
      return "66 REX.W C2 iw: ret's immediate is 16 bits whatever the operand size; Capstone 5 reads 32";
    }
    return undefined;
  }
  // Same length, Capstone decodes, we raise #UD.
  if (d.invalid === 0 || d.length === 0) return undefined;
  if ((ATTR[op] & A_NOEXEC) !== 0 || (d.prefixes & PREFIX_VEX) !== 0) {
    return "x87/MMX/SSE/AVX/EVEX and other unmodelled encodings: decoded for the length, #UD when run";
  }
  if (lock) {
    return "LOCK on an instruction that is not lockable or has a register destination: #UD per the SDM, Capstone does not check";
  }
  if (op === 0x10b || op === 0x1b9 || op === 0x1ff) return "ud0/ud1/ud2: defined to raise #UD";
  if ((op === 0x08f && reg !== 0) || op === 0x10f) {
    return "AMD-only XOP (8F /1–7) and 3DNow! (0F 0F): #UD on the Intel CPU modelled";
  }
  if (op === 0x1ae || op === 0x1c7) {
    return "group 15/9 members the interpreter does not run (fxsave…xsaveopt, rdfsbase…, rdrand, rdseed, rdpid, vmptrld…; fences with 66/F2/F3 are tpause/umwait/incssp): #UD";
  }
  if (op === 0x101 && (d.mod === 3 || (d.reg & 7) === 5)) {
    return "0F 01 register forms and /5 outside the modelled set (VMX, SVM, SGX, CET rstorssp, monitor/mwait, xgetbv…): #UD, the guest kernel uses none";
  }
  if (op === 0x08e && (d.reg & 7) === 1) return "mov cs, r/m: #UD per the SDM";
  if (
    (op === 0x1c3 || op === 0x177 || op === 0x178 || op === 0x179) &&
    (d.prefixes & (PREFIX_66 | PREFIX_F2 | PREFIX_F3)) !== 0
  ) {
    return "movnti/emms/vmread/vmwrite (NP in the SDM) with a 66/F2/F3 prefix: #UD; Capstone ignores the prefix on some";
  }
  if (mode === 32 && (op === 0x063 || op === 0x105 || op === 0x107)) {
    return "arpl, syscall, sysret in 32-bit mode: not modelled (the i386 kernel uses none), #UD";
  }
  return undefined;
}

/** A pre-SSE 0F-map instruction, on which F2/F3 select nothing (popcnt, tzcnt, lzcnt excepted). */
function isLegacy0F(op: number): boolean {
  return (op >= 0x100 && op <= 0x109 && op !== 0x104) || (op >= 0x120 && op <= 0x123) ||
    (op >= 0x130 && op <= 0x135) || (op >= 0x140 && op <= 0x14f) ||
    (op >= 0x180 && op <= 0x1bf && op !== 0x1b8 && op !== 0x1b9 && op !== 0x1bc && op !== 0x1bd) ||
    op === 0x1c0 || op === 0x1c1 || op === 0x1c7 || (op >= 0x1c8 && op <= 0x1cf);
}

/** Decodes one input and checks the decoder contract (and Capstone for a sample). */
function checkDecode(rng: Rng, ctx: X86Ctx, mode: 64 | 32, capstone: boolean): void {
  const bytes = insnBytes(rng, ctx, mode);
  const what = `decodeX86([${hexBytes(bytes)}], ${mode})`;
  let d: DecodedInsn;
  try {
    d = decodeX86(bytes, 0, mode);
  } catch (e) {
    throw new FuzzFinding(`${what} threw a host exception`, { cause: e });
  }
  const len = d.length;
  if (!Number.isInteger(len) || len < 0 || len > 15 || len > bytes.length) {
    throw new FuzzFinding(`${what}: length ${len} is not 1–15 within the ${bytes.length} bytes`);
  }
  if (len === 0 && d.invalid !== 1) throw new FuzzFinding(`${what}: length 0 but not invalid`);
  if (d.invalid !== 0 && d.invalid !== 1) throw new FuzzFinding(`${what}: invalid is ${d.invalid}`);
  if (!capstone) return;
  let c: CapstoneInsn | undefined;
  try {
    c = ctx.capstone[mode].disasm(bytes, { address: 0x1000, count: 1 })[0];
  } catch {
    c = undefined;
  }
  const agree = c === undefined ? len === 0 || d.invalid === 1 : c.size === len && d.invalid === 0;
  if (agree) return;
  const reason = allowedDisagreement(d, c, mode, bytes);
  if (reason !== undefined) {
    ctx.allowed.set(reason, (ctx.allowed.get(reason) ?? 0) + 1);
    return;
  }
  throw new FuzzFinding(
    `${what}: Capstone says ${
      c === undefined ? "invalid" : `${c.size} bytes, ${c.mnemonic} ${c.opStr}`
    }; ours ${len} bytes, ${d.mnemonic}${d.invalid ? " (invalid)" : ""}`,
  );
}

const CODE = 0xffffffff81000000n;
const DATA = 0xffffffff81100000n;
const USER = 0x400000n;
const CODE32 = 0xc1000000n;
const DATA32 = 0xc1100000n;

/** Runs a page of random code; every outcome must be an arch stop, never a host exception. */
function checkExecute(rng: Rng, ctx: X86Ctx, mode: 64 | 32): void {
  const code = mode === 64 ? CODE : CODE32;
  const data = mode === 64 ? DATA : DATA32;
  const user = rng.chance(0.3);
  const page = new Uint8Array(4096);
  let desc: string;
  if (rng.chance(0.5)) {
    page.set(rng.bytes(4096));
    desc = "random bytes";
  } else {
    let p = 0;
    while (p < 4096) {
      const b = insnBytes(rng, ctx, mode);
      page.set(b.subarray(0, 4096 - p), p);
      p += b.length;
    }
    desc = "mutated image instructions";
  }
  const mem = new Memory({ littleEndian: true });
  const uflag = user ? PROT_USER : 0;
  // One page of code half the time: instructions then straddle into unmapped memory.
  const codeSize = rng.chance(0.5) ? 0x1000 : 0x2000;
  mem.map(code, codeSize, PROT_READ | PROT_WRITE | uflag);
  mem.map(data, 0x10000, PROT_READ | PROT_WRITE | uflag);
  mem.map(USER, 0x10000, PROT_READ | PROT_WRITE | PROT_USER);
  mem.writeBytes(code, page);
  mem.protect(code, codeSize, PROT_READ | PROT_EXEC | uflag);
  const cpu = new X86Cpu(mem, { mode });
  cpu.setCs(user ? (mode === 64 ? 0x33 : 0x73) : 0x10);
  for (let r = 0; r < (mode === 64 ? 16 : 8); r++) {
    const v = rng.chance(0.5) ? data + BigInt(rng.below(0x10000)) : rng.u64();
    cpu.setReg(r, mode === 64 ? v : v & 0xffffffffn);
  }
  cpu.setReg(4, data + 0x8000n); // rsp
  // Arithmetic flags, DF, and sometimes TF (single-step traps), IF and AC.
  if (rng.chance(0.4)) cpu.setFlags((rng.u32() & (rng.chance(0.3) ? 0x00040fd5 : 0x00000cd5)) | 2);
  const what = `X86Cpu(${mode}-bit, CPL ${user ? 3 : 0}) on a page of ${desc} (seed ${rng.seed})`;
  let steps = 3000;
  let stops = 0;
  const anywhere = () => code + BigInt(rng.chance(0.2) ? 4096 - rng.int(1, 15) : rng.below(4096));
  let rip = anywhere();
  const t0 = performance.now();
  try {
    while (steps > 0 && stops < 64) {
      cpu.setRip(rip);
      const budget = Math.min(steps, 500);
      steps -= budget;
      const r = cpu.run(budget);
      let key: string;
      if (r === STOP_TRAP) {
        const v = cpu.trapVector;
        if (!Number.isInteger(v) || v < 0 || v > 255) {
          throw new FuzzFinding(`${what}: STOP_TRAP with vector ${v}`);
        }
        key = `trap ${v}`;
      } else if (r === STOP_BUDGET) {
        key = "budget";
        rip = cpu.getRip();
        ctx.outcomes.set(key, (ctx.outcomes.get(key) ?? 0) + 1);
        continue;
      } else if (r === STOP_HALT || r === STOP_USER || r === STOP_HYPERCALL) {
        key = ["", "", "halt", "user", "hypercall"][r];
      } else {
        throw new FuzzFinding(`${what}: run() returned ${r}, not a StopReason`);
      }
      ctx.outcomes.set(key, (ctx.outcomes.get(key) ?? 0) + 1);
      stops++;
      rip = anywhere();
      // A trap may have left the CPU in user mode or with paging state changed:
      // put it back where the input said.
      cpu.setCs(user ? (mode === 64 ? 0x33 : 0x73) : 0x10);
    }
  } catch (e) {
    if (e instanceof FuzzFinding) throw e;
    const at = cpu.getRip();
    const off = Number(at - code);
    const bytes = off >= 0 && off < 4096 ? hexBytes(page.subarray(off, off + 15)) : "?";
    throw new FuzzFinding(
      `${what}: host exception at rip 0x${at.toString(16)} (bytes ${bytes})`,
      { cause: e },
    );
  }
  const ms = performance.now() - t0;
  if (ms > 10_000) throw new FuzzFinding(`${what}: 3000 steps took ${ms.toFixed(0)} ms`);
}

/** The x86 target: per input, a batch of decodes (a sample against Capstone) and one sandbox run. */
export function x86Target(
  options: { decodes: number; capstoneRate: number; execute: boolean },
): FuzzTarget<X86Ctx> {
  return {
    name: "x86",
    setup: setupX86,
    one(rng, ctx) {
      const mode = rng.chance(0.5) ? 64 : 32;
      for (let i = 0; i < options.decodes; i++) {
        checkDecode(rng, ctx, mode, rng.chance(options.capstoneRate));
      }
      if (options.execute) checkExecute(rng, ctx, mode);
    },
  };
}
