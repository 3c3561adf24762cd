// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Runs an argument's fetch instructions at a probe hit, and prints stored
 * values as Linux's print_type_* functions do. Linux: process_fetch_insn()
 * (kernel/trace/trace_kprobe.c), process_fetch_insn_bottom()
 * (kernel/trace/trace_probe_tmpl.h), print_type_*() (trace_probe.c).
 *
 * @module
 */

import type { PtRegs } from "../probes/types.ts";
import { FAULT_STRING, type FetchInsn, type FetchType, MAX_STRING_SIZE } from "./fetch_types.ts";
import type { ProbeArg } from "./probe_args.ts";
import type { TracingHost } from "./tracing_host.ts";

/** A stored scalar: an integer (raw bits), a string, or null for a string that faulted. */
export type FetchScalar = bigint | string | null;
/** A stored argument: a scalar or an array of them. */
export type FetchValue = FetchScalar | FetchScalar[];

/** A compiled argument fetch: the stored value from a hit's registers. */
export type Fetcher = (regs: PtRegs) => FetchValue;

/** Value masks by store size. */
const MASKS: readonly bigint[] = [
  0n,
  0xffn,
  0xffffn,
  0n,
  0xffffffffn,
  0n,
  0n,
  0n,
  (1n << 64n) - 1n,
];

const X86_64_ARGS = ["di", "si", "dx", "cx", "r8", "r9"];

type Source = (regs: PtRegs) => bigint | string;

/**
 * Argument `n` (from 0) at a function entry. x86_64 and ppc64 as Linux's
 * regs_get_kernel_argument() (ppc64: r3–r10, then the parameter save area);
 * i386 by this image's convention, `-mregparm=0`: every argument on the
 * stack above the return address; sparc64 by the V9 ABI, as the portable
 * `regs_get_kernel_argument()` does (Linux 6.1 sparc64 has no
 * CONFIG_HAVE_FUNCTION_ARG_ACCESS_API; the sim gives it one): `%o0`–`%o5`
 * (the trap's `i0`–`i5`), then the caller's argument words at
 * `%sp + 2047 + 176`, stack word `n + 16`.
 */
function argumentSource(h: TracingHost, n: number): Source {
  switch (h.arch) {
    case "x86_64":
      return n < 6 ? h.registerReader(X86_64_ARGS[n]) : () => h.stackWord(n - 5);
    case "i386":
      return () => h.stackWord(n + 1);
    case "ppc64": {
      if (n < 8) return h.registerReader(`r${n + 3}`);
      const r1 = h.registerReader("r1");
      return (regs) => h.readMemory(r1(regs) + 48n + BigInt(8 * n), 8, false) ?? 0n;
    }
    case "sparc64":
      return n < 6 ? h.registerReader(`i${n}`) : () => h.stackWord(n + 16);
  }
}

/** Linux: process_fetch_insn()'s first stage, compiled. */
function sourceOf(insn: FetchInsn, h: TracingHost): Source {
  // sparc64 "sp" is a pseudo-name of the reader: %sp + 2047, kernel_stack_pointer().
  const sp = h.arch === "ppc64" ? "r1" : "sp";
  switch (insn.op) {
    case "REG":
      return h.registerReader(insn.reg);
    case "STACK": {
      const n = insn.param;
      return () => h.stackWord(n);
    }
    case "STACKP":
      return h.registerReader(sp);
    case "RETVAL":
      return h.registerReader(h.arch === "ppc64" ? "r3" : h.arch === "sparc64" ? "i0" : "ax");
    case "IMM":
      // Read when fetched: @SYM immediates are resolved at registration.
      return () => insn.immediate;
    case "COMM":
      return () => h.currentComm();
    case "DATA": {
      const d = insn.data;
      return () => d;
    }
    case "ARG":
      return argumentSource(h, insn.param);
    default:
      return () => 0n;
  }
}

function storeOne(
  st: FetchInsn,
  bf: FetchInsn | null,
  val: bigint | string,
  h: TracingHost,
): FetchScalar {
  if (typeof val === "string") {
    return st.op === "ST_STRING" ? val.slice(0, MAX_STRING_SIZE - 1) : 0n;
  }
  let v: bigint;
  switch (st.op) {
    case "ST_RAW":
      v = val & MASKS[st.size];
      break;
    case "ST_MEM":
    case "ST_UMEM":
      v = h.readMemory(val + st.offset, st.size as 1 | 2 | 4 | 8, st.op === "ST_UMEM") ?? 0n;
      break;
    case "ST_STRING":
    case "ST_USTRING":
      return h.readString(val + st.offset, MAX_STRING_SIZE - 1, st.op === "ST_USTRING");
    case "ST_SYMSTR":
      return h.formatSymbol(val + st.offset);
    default:
      return 0n;
  }
  if (bf !== null) {
    const bits = BigInt(bf.size * 8);
    v = BigInt.asUintN(Number(bits), v << BigInt(bf.lshift)) >> BigInt(bf.rshift);
  }
  return v;
}

/** What a fetch that faulted before its store leaves: 0, or `(fault)` for strings. */
function faulted(arg: ProbeArg): FetchValue {
  const one = arg.type.string ? null : 0n;
  return arg.count ? new Array(arg.count).fill(one) : one;
}

/** Linux: process_fetch_insn_bottom(): dereferences, store, bitfield, array loop. */
function bottom(arg: ProbeArg, h: TracingHost, word: 4 | 8, start: number, v0: bigint | string) {
  const code = arg.code;
  let i = start;
  let val = v0;
  let lval = val;
  while (code[i].op === "DEREF" || code[i].op === "UDEREF") {
    if (typeof val === "string") return faulted(arg);
    lval = val;
    const r = h.readMemory(val + code[i].offset, word, code[i].op === "UDEREF");
    if (r === null) return faulted(arg);
    val = r;
    i++;
  }
  const st = code[i++];
  const bf = code[i].op === "MOD_BF" ? code[i++] : null;
  if (code[i].op !== "LP_ARRAY") return storeOne(st, bf, val, h);
  const out: FetchScalar[] = [];
  for (let j = 0; j < arg.count; j++) {
    if (j === 0 || typeof val === "string") {
      out.push(storeOne(st, bf, val, h));
    } else if (st.op === "ST_STRING" || st.op === "ST_USTRING") {
      // An array of strings is an array of pointers: read the next one.
      const p = typeof lval === "bigint"
        ? h.readMemory(lval + BigInt(j * word), word, st.op === "ST_USTRING")
        : null;
      out.push(p === null ? null : storeOne(st, bf, p, h));
    } else {
      out.push(storeOne(st, bf, (val as bigint) + BigInt(j * st.size), h));
    }
  }
  return out;
}

/**
 * Compiles an argument's fetch instructions into a function of the hit's
 * registers. A register, stack word or argument stored raw (the common
 * case) becomes one read and a mask; the rest runs Linux's stages.
 * Linux: process_fetch_insn() (kernel/trace/trace_kprobe.c),
 * process_fetch_insn_bottom() (kernel/trace/trace_probe_tmpl.h).
 *
 * @param arg The argument.
 * @param h The kernel.
 * @returns The fetcher.
 */
export function compileFetch(arg: ProbeArg, h: TracingHost): Fetcher {
  const code = arg.code;
  const word = h.bits === 64 ? 8 : 4;
  let i = 0;
  while (code[i].op === "NOP_SYMBOL") i++;
  const src = sourceOf(code[i++], h);
  const next = i;
  if (code[next].op === "ST_RAW" && code[next + 1].op === "END") {
    const mask = MASKS[code[next].size];
    return (regs) => {
      const v = src(regs);
      return typeof v === "string" ? 0n : v & mask;
    };
  }
  return (regs) => bottom(arg, h, word, next, src(regs));
}

/**
 * Prints one stored scalar of `type`. Linux: print_type_*().
 *
 * @param v The value.
 * @param type Its type.
 * @param host For `%pS`.
 * @returns The text.
 */
export function printScalar(v: FetchScalar, type: FetchType, host: TracingHost): string {
  if (type.string) return v === null ? FAULT_STRING : `"${v as string}"`;
  const bits = type.size * 8;
  const raw = BigInt.asUintN(bits, v as bigint);
  switch (type.print) {
    case "hex":
      return `0x${raw.toString(16)}`;
    case "symbol":
      return host.formatSymbol(raw);
    case "char":
      return `'${String.fromCharCode(Number(raw))}'`;
    default:
      return (type.signed ? BigInt.asIntN(bits, raw) : raw).toString();
  }
}

/**
 * Prints an argument's value: a scalar, or `{a,b,…}` for an array. Linux:
 * print_probe_args() (kernel/trace/trace_probe_tmpl.h).
 *
 * @param arg The argument.
 * @param v Its stored value.
 * @param host For `%pS`.
 * @returns The text.
 */
export function printArg(arg: ProbeArg, v: FetchValue, host: TracingHost): string {
  if (Array.isArray(v)) return `{${v.map((x) => printScalar(x, arg.type, host)).join(",")}}`;
  return printScalar(v, arg.type, host);
}

/**
 * The value a filter compares: the signed or unsigned integer, or the
 * string ("" for a fault).
 *
 * @param arg The argument.
 * @param v Its stored value.
 * @returns The comparable value.
 */
export function filterValue(arg: ProbeArg, v: FetchValue): bigint | string {
  if (Array.isArray(v)) return 0n;
  if (arg.type.string) return v === null ? "" : v as string;
  const bits = arg.type.size * 8;
  const raw = BigInt.asUintN(bits, v as bigint);
  return arg.type.signed ? BigInt.asIntN(bits, raw) : raw;
}

/**
 * The value as JSON: a number when it is a safe integer of a decimal type,
 * the printed text otherwise (hex, symbols, chars, big values), strings as
 * strings, a fault as null.
 *
 * @param arg The argument.
 * @param v Its stored value.
 * @param host For `%pS`.
 * @returns A JSON-able value.
 */
export function jsonValue(arg: ProbeArg, v: FetchValue, host: TracingHost): unknown {
  const one = (x: FetchScalar): unknown => {
    if (arg.type.string) return x;
    if (arg.type.print !== "dec") return printScalar(x, arg.type, host);
    const n = filterValue(arg, x) as bigint;
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(n)
      : n.toString();
  };
  return Array.isArray(v) ? v.map(one) : one(v);
}
