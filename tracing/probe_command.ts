// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Parses one `kprobe_events` definition (`p[:[GRP/][EVENT]] SYM[+offs]|ADDR
 * [FETCHARGS]`, `r[MAXACTIVE]…`, `SYM%return`) into a probe definition, or
 * into Linux 6.1's error: its kind, the word it is in and the offset there.
 * Linux: __trace_kprobe_create() (kernel/trace/trace_kprobe.c),
 * traceprobe_parse_event_name() (kernel/trace/trace_probe.c).
 *
 * @module
 */

import {
  type FetchType,
  KRETPROBE_MAXACTIVE_MAX,
  MAX_EVENT_NAME_LEN,
  MAX_TRACE_ARGS,
  type ProbeErrorName,
} from "./fetch_types.ts";
import { isGoodName, kstrto, parseProbeArgument, type ProbeArg } from "./probe_args.ts";

/** A parsed probe definition. Linux: struct trace_kprobe before registration. */
export interface ProbeDefinition {
  /** A return probe (`r`, `%return`). */
  isReturn: boolean;
  /** `r<N>`: kretprobe instances; 0 for the default. */
  maxactive: number;
  /** Group (`kprobes` by default). */
  group: string;
  /** Event name. */
  event: string;
  /** Probed symbol, or null for an address probe. */
  symbol: string | null;
  /** Offset from the symbol. */
  offset: number;
  /** Probed address of an address probe. */
  addr: bigint | null;
  /** The arguments. */
  args: ProbeArg[];
  /** Size of the argument area. */
  size: number;
}

/** A refused definition: the errno and, when Linux logs one, its error_log entry. */
export interface ProbeCommandError {
  /** Positive errno. */
  errno: number;
  /** The error_log entry, or null when Linux logs none. */
  log: { type: ProbeErrorName; index: number; offset: number } | null;
}

/** What the parser asks of the kernel. */
export interface ProbeCommandHost {
  /** Word size. */
  bits: 32 | 64;
  /** Types by name. */
  types: ReadonlyMap<string, FetchType>;
  /** The arch's register names for `%REG`. */
  registers: ReadonlySet<string>;
  /** Words of kernel stack. */
  maxStack: number;
  /** A symbol's address, 0n when unknown. */
  lookupName(name: string): bigint;
  /** Whether `addr` is the first byte of a function. */
  isFunctionStart(addr: bigint): boolean;
  /** How many symbols have this name. Linux: number_of_same_symbols(). */
  countSymbols(name: string): number;
}

const EINVAL = 22;
const ENOENT = 2;
const EADDRNOTAVAIL = 99;

/** Splits like Linux's argv_split(): on whitespace runs. */
export function argvSplit(line: string): string[] {
  return line.split(/[ \t\n\v\f\r]+/).filter((w) => w.length > 0);
}

/**
 * The error_log command text and caret position of an error at `index`,
 * `offset`. Linux: __trace_probe_log_err() (kernel/trace/trace_probe.c).
 *
 * @param argv The words.
 * @param index The word.
 * @param offset Offset within it.
 * @returns The command and the caret's column within it.
 */
export function errorPosition(
  argv: readonly string[],
  index: number,
  offset: number,
): { command: string; pos: number } {
  let len = 0;
  let pos = 0;
  for (let i = 0; i < argv.length; i++) {
    if (i === index) pos = len;
    len += argv[i].length + 1;
  }
  if (index >= argv.length) {
    pos = len;
    offset = 0;
  }
  return { command: argv.join(" "), pos: pos + offset };
}

/** Linux: traceprobe_split_symbol_offset(). */
function splitSymbolOffset(symbol: string): [string, bigint] | null {
  const at = symbol.search(/[+-]/);
  if (at < 0) return [symbol, 0n];
  const off = kstrto(symbol.slice(at), true);
  if (off === null) return null;
  return [symbol.slice(0, at), off];
}

function err(type: ProbeErrorName, index: number, offset: number, errno = EINVAL) {
  return { errno, log: { type, index, offset } };
}

/** Linux: traceprobe_parse_event_name(). */
function parseEventName(
  text: string,
  offset: number,
): { group: string | null; event: string | null } | ProbeCommandError {
  let event = text;
  let group: string | null = null;
  let slash = event.indexOf("/");
  if (slash < 0) slash = event.indexOf(".");
  if (slash >= 0) {
    if (slash === 0) return err("NO_GROUP_NAME", 0, offset);
    if (slash + 1 > MAX_EVENT_NAME_LEN) return err("GROUP_TOO_LONG", 0, offset);
    group = event.slice(0, slash);
    if (!isGoodName(group, true)) return err("BAD_GROUP_NAME", 0, offset);
    offset += slash + 1;
    event = event.slice(slash + 1);
  }
  if (event.length === 0) {
    if (slash >= 0) return { group, event: null };
    return err("NO_EVENT_NAME", 0, offset);
  }
  if (event.length >= MAX_EVENT_NAME_LEN) return err("EVENT_TOO_LONG", 0, offset);
  if (!isGoodName(event)) return err("BAD_EVENT_NAME", 0, offset);
  return { group, event };
}

/**
 * Parses a definition already split into words. Linux:
 * __trace_kprobe_create() up to register_trace_kprobe().
 *
 * @param argv The words (`argvSplit`), at least one.
 * @param host The kernel facts the parser needs.
 * @returns The definition, or the error.
 */
export function parseProbeCommand(
  argv: readonly string[],
  host: ProbeCommandHost,
): ProbeDefinition | ProbeCommandError {
  const head = argv[0];
  const isR = head[0] === "r";
  if (head[0] !== "p" && !isR) return { errno: EINVAL, log: null };
  if (argv.length < 2) return { errno: EINVAL, log: null };
  let isReturn = isR;
  const colon = head.indexOf(":", 1);
  const eventText = colon >= 0 ? head.slice(colon + 1) : null;
  let maxactive = 0;
  if (/^[0-9]/.test(head.slice(1))) {
    if (!isReturn) return err("MAXACT_NO_KPROBE", 0, 1);
    const digits = colon >= 0 ? head.slice(1, colon) : head.slice(1);
    if (digits.length > MAX_EVENT_NAME_LEN - 1) return err("BAD_MAXACT", 0, 1);
    const n = kstrto(digits, false);
    if (n === null || n === 0n || n > 0xffffffffn) return err("BAD_MAXACT", 0, 1);
    if (n > BigInt(KRETPROBE_MAXACTIVE_MAX)) return err("MAXACT_TOO_BIG", 0, 1);
    maxactive = Number(n);
  }
  let symbol: string | null = null;
  let offset = 0n;
  const addr: bigint | null = kstrto(argv[1], false);
  let fentry = false;
  if (addr === null) {
    if (argv[1].includes("/") && argv[1].includes(":")) return { errno: EINVAL, log: null };
    let sym = argv[1];
    const pct = sym.indexOf("%");
    if (pct >= 0) {
      if (sym.slice(pct) !== "%return") return err("BAD_ADDR_SUFFIX", 1, pct);
      sym = sym.slice(0, pct);
      isReturn = true;
    }
    const split = splitSymbolOffset(sym);
    if (split === null || split[1] < 0n || split[1] > 0xffffffffn) {
      return err("BAD_PROBE_ADDR", 1, 0);
    }
    [symbol, offset] = split;
    // Linux: kprobe_on_func_entry(); an unknown symbol is left to registration.
    const base = host.lookupName(symbol);
    if (base !== 0n) {
      fentry = host.isFunctionStart(base + offset);
      if (!fentry && isReturn) return err("BAD_RETPROBE", 1, 0);
    }
    if (!symbol.includes(":")) {
      const count = host.countSymbols(symbol);
      if (count > 1) return err("NON_UNIQ_SYMBOL", 1, 0, EADDRNOTAVAIL);
      if (count === 0) return err("BAD_PROBE_ADDR", 1, 0, ENOENT);
    }
  }
  // An address probe is not checked here (Linux checks kprobe_on_func_entry()
  // for symbols only): `$argN` is refused at its address, and a return probe
  // off a function entry fails at registration.
  let group = "kprobes";
  let event: string | null = null;
  if (eventText !== null) {
    const r = parseEventName(eventText, colon + 1);
    if ("errno" in r) return r;
    if (r.group !== null) group = r.group;
    event = r.event;
  }
  if (event === null) {
    const kind = isReturn ? "r" : "p";
    const made = symbol !== null
      ? `${kind}_${symbol}_${offset}`
      : `${kind}_0x${addr!.toString(16).padStart(host.bits / 4, "0")}`;
    // Linux: snprintf(MAX_EVENT_NAME_LEN) then sanitize_event_name() from the second character.
    const cut = made.slice(0, MAX_EVENT_NAME_LEN - 1);
    event = cut[0] + cut.slice(1).replace(/[:.]/g, "_");
  }
  const args: ProbeArg[] = [];
  const size = { value: 0 };
  const ctx = {
    types: host.types,
    defaultType: host.types.get(host.bits === 64 ? "x64" : "x32")!,
    registers: host.registers,
    isReturn,
    fentry,
    maxStack: host.maxStack,
  };
  const nargs = Math.min(argv.length - 2, MAX_TRACE_ARGS);
  for (let i = 0; i < nargs; i++) {
    const r = parseProbeArgument(argv[i + 2], i, args, size, ctx);
    if ("errno" in r) {
      return { errno: r.errno, log: r.type === null ? null : { ...r, type: r.type, index: i + 2 } };
    }
    args.push(r);
  }
  return {
    isReturn,
    maxactive,
    group,
    event,
    symbol,
    offset: Number(offset),
    addr: symbol === null ? addr : null,
    args,
    size: size.value,
  };
}
