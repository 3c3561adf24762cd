// Copyright 2026 the kprobes-sim authors. MIT license.
// Shared test helpers: booting, finding instructions in guest functions.

import { decodeX86 } from "../arch/x86/decode.ts";
import { type BootOptions, Kernel } from "../mod.ts";

/**
 * The block translator threshold tests run with: `KPROBES_SIM_JIT_THRESHOLD`
 * (e.g. 0 to translate every block, -1 for the interpreter alone), read by
 * tests only; undefined (the arch's default) when unset.
 */
export function testJitThreshold(): number | undefined {
  let v: string | undefined;
  try {
    v = Deno.env.get("KPROBES_SIM_JIT_THRESHOLD");
  } catch {
    return undefined;
  }
  return v === undefined || v === "" ? undefined : Number(v);
}

/**
 * `KPROBES_SIM_OPTIMIZE=force deno test -A tests/probes/` runs the tests with
 * every kprobe optimized at registration where the rules allow
 * (`kprobesOptimizeDelay: 0`); `off` runs them with the optimizer off.
 */
const OPTIMIZE = Deno.env.get("KPROBES_SIM_OPTIMIZE");

/** Boot options the `KPROBES_SIM_OPTIMIZE` environment variable asks for. */
export function optimizeOptions(): BootOptions {
  if (OPTIMIZE === "force") return { kprobesOptimizeDelay: 0 };
  if (OPTIMIZE === "off") return { kprobesOptimization: false };
  return {};
}

/**
 * `KPROBES_SIM_BOOST=off deno test -A tests/probes/` runs the tests with
 * every kprobe hit single-stepped (`kprobesBoost: false`), no emulation or
 * boosting.
 */
const BOOST = Deno.env.get("KPROBES_SIM_BOOST");

/** Boot options the `KPROBES_SIM_BOOST` environment variable asks for. */
export function boostOptions(): BootOptions {
  return BOOST === "off" ? { kprobesBoost: false } : {};
}

/** Addresses of the probe points `kernel.kprobesList()` shows `[OPTIMIZED]`. */
export function optimizedAddrs(kernel: Kernel): Set<bigint> {
  const out = new Set<bigint>();
  for (const line of kernel.kprobesList().split("\n")) {
    if (line.includes("[OPTIMIZED]")) out.add(BigInt(`0x${line.split(" ")[0]}`));
  }
  return out;
}

/** Bytes an optimized probe's jump covers: 5 on x86 (Linux JMP32_INSN_SIZE), one word on ppc64. */
export function jumpSize(arch: string): number {
  return arch === "ppc64" ? 4 : 5;
}

/**
 * Boots a kernel with a quiet console, with `testJitThreshold()`,
 * `optimizeOptions()` and `boostOptions()` unless `options` says otherwise.
 */
export function boot(options: BootOptions = {}): Promise<Kernel> {
  return Kernel.boot({
    jitThreshold: testJitThreshold(),
    ...optimizeOptions(),
    ...boostOptions(),
    ...options,
  });
}

/** One decoded instruction of a guest function. */
export interface FoundInsn {
  addr: bigint;
  length: number;
  mnemonic: string;
  opcode: number;
  ripRelative: boolean;
  bytes: Uint8Array;
}

/** Decodes the instructions of function `name` (x86_64). */
export function instructionsOf(kernel: Kernel, name: string): FoundInsn[] {
  const sym = kernel.kallsyms.lookupSymbol(name);
  if (sym === undefined) throw new Error(`no symbol ${name}`);
  const out: FoundInsn[] = [];
  const start = sym.address;
  const end = start + BigInt(sym.size);
  let a = start;
  while (a < end) {
    const bytes = kernel.memory.readBytes(a, 16);
    const d = decodeX86(bytes, 0, 64);
    if (d.length === 0) break;
    out.push({
      addr: a,
      length: d.length,
      mnemonic: d.mnemonic,
      opcode: d.opcode,
      ripRelative: d.ripRelative === 1,
      bytes: bytes.slice(0, d.length),
    });
    a += BigInt(d.length);
  }
  return out;
}

/** The first instruction of `name` matching `pred`. */
export function findInsn(kernel: Kernel, name: string, pred: (i: FoundInsn) => boolean): FoundInsn {
  const found = instructionsOf(kernel, name).find(pred);
  if (found === undefined) throw new Error(`no matching instruction in ${name}`);
  return found;
}

/** Syscall results of one kind, in completion order. */
export function results(records: readonly { call: string; ret: number }[], call: string): number[] {
  return records.filter((r) => r.call === call).map((r) => r.ret);
}
