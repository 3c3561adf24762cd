// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Where may a probe go? An `objdump -d -l` style listing of one kernel
 * function (address, bytes, mnemonic, operands, `file.c:line` headers from
 * the image's line tables), each instruction marked with what
 * `register_kprobe()` would say of a kprobe there: accepted, or refused
 * with its errno and reason (blacklisted, entry code, `.kprobes.text`,
 * padding, an instruction that cannot be single-stepped), and the probes
 * registered there. The verdict comes from the Kprobes core itself
 * (`checkProbeAddress`), so the listing and a registration cannot disagree.
 * Linux: `perf probe -L` and `objdump -d -l vmlinux`; no kernel code.
 *
 * @module
 */

import { errnoName } from "../kernel-model/errno.ts";
import { KernelError } from "../kernel-model/errors.ts";
import type { Kallsyms, KallsymsLookup } from "../kernel-model/kallsyms.ts";
import type { SourceLine } from "../kernel-model/dwarf_line.ts";
import { didYouMean, NOT_KERNEL_TEXT, type ProbeRefusal } from "./kprobes_host.ts";
import { type InsnPrinter, loadPrinter } from "./_capstone.ts";

/** What a listing needs of a booted kernel (a `Kernel` has all of it). */
export interface DisasmHost {
  /** `x86_64`, `i386`, `ppc64` or `sparc64`. */
  readonly arch: string;
  /** The kernel's symbols. */
  readonly kallsyms: Kallsyms;
  /** register_kprobe()'s verdict on an address, without registering. */
  checkProbeAddress(addr: bigint): ProbeRefusal | null;
  /** Text as the image has it (armed breakpoints hidden). */
  readText(addr: bigint, n: number): Uint8Array;
  /** Registered probe points. */
  probePoints(): readonly { addr: bigint; kind: "k" | "j" | "r" }[];
  /** The source line of `addr` (throws a KernelError when the line table is malformed). */
  sourceLine(addr: bigint): SourceLine | undefined;
}

/** One listed instruction. */
export interface DisasmInsn {
  /** Its address. */
  address: bigint;
  /** Its bytes as the image has them. */
  bytes: Uint8Array;
  /** Capstone's mnemonic (`.long` for a word Capstone rejects on ppc64, `.word` on sparc64, `(bad)` on x86). */
  mnemonic: string;
  /** Capstone's operands, with `<sym+0xoff>` after a branch target. */
  operands: string;
  /** The source line, when the line table covers it. */
  source: SourceLine | null;
  /** null: a kprobe may go here; else why register_kprobe() refuses it. */
  refusal: ProbeRefusal | null;
  /** Kinds of the probes registered here (`k`, `j`, `r`). */
  probes: ("k" | "j" | "r")[];
}

/** The listing of one function. */
export interface DisasmListing {
  /** The architecture. */
  arch: string;
  /** The function's symbol (`.do_fork` on ppc64). */
  name: string;
  /** Its first address. */
  start: bigint;
  /** Bytes listed: up to the next symbol, padding included. */
  size: bigint;
  /** The symbol's own size (0n when the image gives none). */
  symbolSize: bigint;
  /** The address asked for (the start, or `SYM+0xOFF`, or a hex address). */
  target: bigint;
  /** ppc64: the function descriptor that was followed to the code. */
  descriptor: { name: string; address: bigint } | null;
  /** Why there are no source lines (a malformed line table), or null. */
  lineError: string | null;
  /** The instructions. */
  insns: DisasmInsn[];
}

const TEXT_TYPES = new Set(["T", "t", "W", "w"]);
const ADDRESS = /^(?:0x)?([0-9a-f]{1,16})$/i;
const SYMBOL = /^([A-Za-z_.$][A-Za-z0-9_.$]*)(?:\+(0x[0-9a-f]+|[0-9]+))?$/i;

function hex(n: bigint, bits: number): string {
  return n.toString(16).padStart(bits / 4, "0");
}

function symbolType(ks: Kallsyms, name: string): string | undefined {
  for (const s of ks.symbols()) if (s.name === name && s.module === undefined) return s.type;
  return undefined;
}

/**
 * ppc64 ELFv1: `addr` is a function descriptor in `.opd` when a data
 * symbol starts there and its first doubleword is the start of a text
 * symbol; returns that entry.
 */
function followDescriptor(host: DisasmHost, addr: bigint): bigint | null {
  if (host.arch !== "ppc64") return null;
  const b = host.readText(addr, 8);
  if (b.length < 8) return null;
  let entry = 0n;
  for (const x of b) entry = (entry << 8n) | BigInt(x);
  const fn = host.kallsyms.lookupAddress(entry);
  if (fn === undefined || fn.offset !== 0n) return null;
  return TEXT_TYPES.has(symbolType(host.kallsyms, fn.name) ?? "") ? entry : null;
}

interface Resolved {
  addr: bigint;
  fn: KallsymsLookup;
  descriptor: { name: string; address: bigint } | null;
}

/** Resolves `SYM`, `SYM+0xOFF` or a hex address to the function to list. */
function resolve(host: DisasmHost, target: string): Resolved {
  const ks = host.kallsyms;
  const bits = host.arch === "i386" ? 32 : 64;
  const t = target.trim();
  let addr: bigint;
  let descriptor: Resolved["descriptor"] = null;
  const sym = SYMBOL.exec(t);
  const isAddr = ADDRESS.test(t) && (t.toLowerCase().startsWith("0x") || t.length >= 8);
  if (isAddr || sym === null) {
    const a = ADDRESS.exec(t);
    if (a === null) {
      throw new KernelError(
        `Cannot disassemble "${target}": it is not a symbol, symbol+offset or hex address, give e.g. do_fork, do_fork+0x4 or 0x${
          hex(ks.lookupName("do_fork"), bits)
        }`,
      );
    }
    addr = BigInt(`0x${a[1]}`);
    const at = ks.lookupAddress(addr);
    if (at !== undefined && at.offset === 0n) {
      const entry = followDescriptor(host, addr);
      if (entry !== null) {
        descriptor = { name: at.name, address: addr };
        addr = entry;
      }
    }
  } else {
    const name = sym[1];
    const off = sym[2] === undefined ? 0n : BigInt(sym[2]);
    let base: bigint;
    const exact = ks.symbols().find((s) => s.name === name && s.module === undefined);
    if (exact !== undefined && !TEXT_TYPES.has(exact.type)) {
      // ppc64 `do_fork`: the descriptor in .opd, whose first doubleword is `.do_fork`.
      const entry = followDescriptor(host, exact.address);
      if (entry === null) {
        throw new KernelError(
          `Cannot disassemble "${target}": ${name} is not a function (symbol type ${exact.type}), give a text symbol`,
        );
      }
      descriptor = { name, address: exact.address };
      base = entry;
    } else {
      base = ks.lookupName(name);
      if (base === 0n) {
        const hint = didYouMean(ks.suggest(name));
        throw new KernelError(
          `Cannot disassemble "${target}": no such symbol${
            hint ? ` (${hint})` : ""
          }, see the funcs command`,
        );
      }
    }
    const whole = ks.lookupAddress(base);
    if (whole !== undefined && off >= whole.size) {
      throw new KernelError(
        `Cannot disassemble "${target}": offset 0x${
          off.toString(16)
        } is past the end of ${whole.name} (size 0x${whole.size.toString(16)})`,
      );
    }
    addr = BigInt.asUintN(bits, base + off);
  }
  const fn = ks.lookupAddress(addr);
  const type = fn === undefined ? undefined : symbolType(ks, fn.name);
  if (fn === undefined || !TEXT_TYPES.has(type ?? "")) {
    throw new KernelError(
      `Cannot disassemble "${target}": 0x${addr.toString(16)} is ${
        fn === undefined ? "in no symbol" : `in ${fn.name}, which is not a function (type ${type})`
      }, give an address in kernel text`,
    );
  }
  if (host.checkProbeAddress(addr)?.reason === NOT_KERNEL_TEXT) {
    throw new KernelError(
      `Cannot disassemble "${target}": 0x${
        addr.toString(16)
      } (${fn.name}) is not kernel text, give an address in kernel text`,
    );
  }
  if (fn.module !== undefined) {
    throw new KernelError(
      `Cannot disassemble "${target}": it is in module ${fn.module}, only the kernel image is listed`,
    );
  }
  return { addr, fn, descriptor };
}

/**
 * capstone-wasm prints a sign-extended 64-bit immediate in decimal
 * (`$18446744073709551602`); objdump prints `$0xfffffffffffffff2`.
 */
function hexImmediates(operands: string): string {
  return operands.replace(/\$(\d{2,})/g, (_, d: string) => `$0x${BigInt(d).toString(16)}`);
}

/** Appends `<sym+0xoff>` to a branch's absolute target, as objdump does. */
function annotate(ks: Kallsyms, arch: string, mnemonic: string, operands: string): string {
  const branch = arch === "ppc64"
    ? /^b/.test(mnemonic)
    : arch === "sparc64"
    ? /^(b|fb|call)/.test(mnemonic)
    : /^(j|call|loop)/.test(mnemonic);
  if (!branch) return operands;
  const m = /(?:^|[ ,])0x([0-9a-f]+)$/.exec(operands);
  if (m === null) return operands;
  const at = ks.lookupAddress(BigInt(`0x${m[1]}`));
  if (at === undefined) return operands;
  return `${operands} <${at.name}${at.offset === 0n ? "" : `+0x${at.offset.toString(16)}`}>`;
}

/**
 * Disassembles the function that `target` names, marking each instruction
 * with register_kprobe()'s verdict and the probes registered there.
 *
 * @param host A booted kernel.
 * @param target `SYM` (`do_fork`; on ppc64 the descriptor is followed to
 * `.do_fork`), `SYM+0xOFF` or a hex address (`0xffffffff81001000`).
 * @returns The listing of the whole function containing the target.
 * @throws {KernelError} When the target is not a function of the image
 * (with a did-you-mean for a misspelt symbol).
 *
 * @example vfs_read on x86_64
 * ```ts
 * import { Kernel } from "../kernel-model/kernel.ts";
 * import { disassemble } from "./disasm.ts";
 * import assert from "node:assert/strict";
 * await using kernel = await Kernel.boot();
 * const l = await disassemble(kernel, "vfs_read");
 * assert.equal(l.insns[0].mnemonic, "pushq");
 * assert.equal(l.insns[0].source?.file, "kernel/fs.c");
 * assert.equal(l.insns[0].refusal, null);
 * ```
 */
export async function disassemble(host: DisasmHost, target: string): Promise<DisasmListing> {
  const { addr, fn, descriptor } = resolve(host, target);
  const ks = host.kallsyms;
  const printer: InsnPrinter = await loadPrinter(host.arch);
  let lineError: string | null = null;
  const sourceLine = (a: bigint): SourceLine | null => {
    if (lineError !== null) return null;
    try {
      return host.sourceLine(a) ?? null;
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      lineError = e.message;
      return null;
    }
  };
  const probes = new Map<bigint, ("k" | "j" | "r")[]>();
  for (const p of host.probePoints()) {
    const list = probes.get(p.addr) ?? [];
    list.push(p.kind);
    probes.set(p.addr, list);
  }
  // Fixed 4-byte words (big-endian) on ppc64 and sparc64.
  const ppc = host.arch === "ppc64" || host.arch === "sparc64";
  const end = fn.address + fn.size;
  const insns: DisasmInsn[] = [];
  for (let a = fn.address; a < end;) {
    const left = Number(end - a);
    const bytes = host.readText(a, Math.min(ppc ? 4 : 15, left));
    if (bytes.length === 0) break;
    const p = printer(bytes, a);
    let size: number;
    let mnemonic: string;
    let operands: string;
    if (p !== null && p.size <= bytes.length) {
      size = p.size;
      mnemonic = p.mnemonic;
      operands = annotate(ks, host.arch, p.mnemonic, hexImmediates(p.operands));
    } else if (ppc && bytes.length === 4) {
      size = 4;
      mnemonic = host.arch === "sparc64" ? ".word" : ".long";
      operands = `0x${
        (((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0).toString(16)
      }`;
    } else {
      size = 1;
      mnemonic = "(bad)";
      operands = "";
    }
    const refusal = host.checkProbeAddress(a);
    if (refusal?.reason === NOT_KERNEL_TEXT) break; // the symbol's extent runs past _etext
    insns.push({
      address: a,
      bytes: bytes.slice(0, size),
      mnemonic,
      operands,
      source: sourceLine(a),
      refusal,
      probes: probes.get(a) ?? [],
    });
    a += BigInt(size);
  }
  return {
    arch: host.arch,
    name: fn.name,
    start: fn.address,
    size: fn.size,
    symbolSize: fn.symbolSize,
    target: addr,
    descriptor,
    lineError,
    insns,
  };
}

const KIND_NAMES = { k: "kprobe", j: "jprobe", r: "kretprobe" } as const;

/**
 * Formats a listing as `disasm` prints it: a `<symbol>:` header, a
 * `file.c:line` line whenever the source line changes, then per
 * instruction a mark (blank: a kprobe may go here, `-`: refused, `k`/`j`/`r`:
 * probes registered here; `>` after it at the target of `SYM+0xOFF`),
 * address, bytes, mnemonic and operands, and for a refused instruction
 * `; ERRNO: reason`.
 *
 * @param l The listing.
 * @returns The lines.
 *
 * @example
 * ```ts
 * import { formatDisasm } from "./disasm.ts";
 * import assert from "node:assert/strict";
 * const lines = formatDisasm({
 *   arch: "i386", name: "f", start: 0xc0100000n, size: 2n, symbolSize: 1n, target: 0xc0100000n,
 *   descriptor: null, lineError: null,
 *   insns: [
 *     { address: 0xc0100000n, bytes: new Uint8Array([0xc3]), mnemonic: "retl", operands: "",
 *       source: { file: "f.c", line: 3 }, refusal: null, probes: [] },
 *     { address: 0xc0100001n, bytes: new Uint8Array([0xcc]), mnemonic: "int3", operands: "",
 *       source: null, refusal: { errno: 22, reason: "padding" }, probes: [] },
 *   ],
 * });
 * assert.deepEqual(lines, [
 *   "c0100000 <f>:",
 *   "f.c:3",
 *   "   c0100000:  c3                    retl",
 *   "-  c0100001:  cc                    int3                             ; EINVAL: padding",
 *   "1 of 2 instructions may take a kprobe, 1 refused",
 * ]);
 * ```
 */
export function formatDisasm(l: DisasmListing): string[] {
  const bits = l.arch === "i386" ? 32 : 64;
  const ppc = l.arch === "ppc64" || l.arch === "sparc64";
  const perLine = ppc ? 4 : 7;
  const width = perLine * 3 - 1;
  const out: string[] = [];
  if (l.descriptor !== null) {
    out.push(
      `${l.descriptor.name}: function descriptor at ${
        hex(l.descriptor.address, bits)
      }, code at ${l.name}`,
    );
  }
  out.push(`${hex(l.start, bits)} <${l.name}>:`);
  if (l.lineError !== null) out.push(`(no source lines: ${l.lineError})`);
  let prev = "";
  let ok = 0;
  let probed = 0;
  const target = l.insns.some((i) => i.address === l.target);
  for (const i of l.insns) {
    if (i.source !== null) {
      const where = `${i.source.file}:${i.source.line}`;
      if (where !== prev) out.push(where);
      prev = where;
    }
    if (i.refusal === null) ok++;
    if (i.probes.length > 0) probed++;
    const mark = i.probes.length > 0 ? i.probes.join("") : i.refusal !== null ? "-" : "";
    const arrow = i.address === l.target && l.target !== l.start ? ">" : "";
    const bytes = [...i.bytes].map((b) => b.toString(16).padStart(2, "0"));
    let text = `${i.mnemonic.padEnd(8)} ${i.operands}`.trimEnd();
    let note = "";
    if (i.refusal !== null) note = `; ${errnoName(i.refusal.errno)}: ${i.refusal.reason}`;
    if (i.probes.length > 0) note = `; ${i.probes.map((k) => KIND_NAMES[k]).join(", ")}`;
    if (note !== "") text = `${text.padEnd(32)} ${note}`;
    out.push(
      `${(mark + arrow).padEnd(3)}${hex(i.address, bits)}:  ${
        bytes.slice(0, perLine).join(" ").padEnd(width)
      }  ${text}`,
    );
    for (let k = perLine; k < bytes.length; k += perLine) {
      out.push(`   ${hex(i.address + BigInt(k), bits)}:  ${bytes.slice(k, k + perLine).join(" ")}`);
    }
  }
  if (!target) {
    const at = l.insns.find((i) =>
      i.address < l.target && i.address + BigInt(i.bytes.length) > l.target
    );
    if (at !== undefined) {
      out.push(
        `0x${hex(l.target, bits)} is inside the instruction at ${
          hex(at.address, bits)
        }: not an instruction boundary (EILSEQ)`,
      );
    }
  }
  const refused = l.insns.length - ok;
  out.push(
    `${ok} of ${l.insns.length} instructions may take a kprobe${
      refused > 0 ? `, ${refused} refused` : ""
    }${probed > 0 ? `, ${probed} probed` : ""}`,
  );
  return out;
}

/**
 * A listing as plain JSON data (addresses and bytes as hex strings).
 *
 * @param l The listing.
 * @returns An object `JSON.stringify` takes.
 */
export function disasmToJson(l: DisasmListing): Record<string, unknown> {
  const h = (n: bigint) => `0x${n.toString(16)}`;
  return {
    arch: l.arch,
    name: l.name,
    start: h(l.start),
    size: h(l.size),
    target: h(l.target),
    descriptor: l.descriptor === null
      ? null
      : { name: l.descriptor.name, address: h(l.descriptor.address) },
    insns: l.insns.map((i) => ({
      address: h(i.address),
      bytes: [...i.bytes].map((b) => b.toString(16).padStart(2, "0")).join(" "),
      mnemonic: i.mnemonic,
      operands: i.operands,
      file: i.source?.file ?? null,
      line: i.source?.line ?? null,
      probeable: i.refusal === null,
      errno: i.refusal === null ? null : errnoName(i.refusal.errno),
      reason: i.refusal?.reason ?? null,
      probes: i.probes,
    })),
  };
}
