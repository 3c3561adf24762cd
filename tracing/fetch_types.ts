// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The fetch types of kprobe events (`u8`…`x64`, `string`, `symbol`…), the
 * error texts of `trace_probe.h`, the limits of Linux 6.1, and the fetch
 * instruction records the parser emits.
 *
 * @module
 */

/** A kprobe event argument type. Linux: struct fetch_type (kernel/trace/trace_probe.h). */
export interface FetchType {
  /** Its name in a definition (`u32`, `string`…). */
  readonly name: string;
  /** Bytes in the event record (4 for the `__data_loc` of strings). */
  readonly size: number;
  /** Printed and filtered as signed. */
  readonly signed: boolean;
  /** A string type (`string`, `ustring`, `symstr`). */
  readonly string: boolean;
  /** The C type the `format` file shows. */
  readonly fmttype: string;
  /** How values print: decimal, hex, `%pS`, a string, or a character. */
  readonly print: "dec" | "hex" | "symbol" | "string" | "char";
  /** The print format the `format` file's `print fmt` shows. */
  readonly fmt: string;
}

function basic(name: string, size: number, signed: boolean, hex: boolean): FetchType {
  const bits = size * 8;
  const long = size === 8 ? "L" : "";
  return {
    name,
    size,
    signed,
    string: false,
    fmttype: hex ? `u${bits}` : name,
    print: hex ? "hex" : "dec",
    fmt: hex ? `0x%${long}x` : `%${long}${signed ? "d" : "u"}`,
  };
}

function stringType(name: string): FetchType {
  return {
    name,
    size: 4,
    signed: false,
    string: true,
    fmttype: "__data_loc char[]",
    print: "string",
    fmt: '\\"%s\\"',
  };
}

/**
 * The types of one word size. Linux: probe_fetch_types[]
 * (kernel/trace/trace_probe.c); `char` is Linux 6.5's addition.
 *
 * @param bits The kernel's word size.
 * @returns Types by name.
 */
export function fetchTypes(bits: 32 | 64): ReadonlyMap<string, FetchType> {
  const m = new Map<string, FetchType>();
  for (const t of [stringType("string"), stringType("ustring"), stringType("symstr")]) {
    m.set(t.name, t);
  }
  for (const size of [1, 2, 4, 8]) {
    const b = size * 8;
    m.set(`u${b}`, basic(`u${b}`, size, false, false));
    m.set(`s${b}`, basic(`s${b}`, size, true, false));
    m.set(`x${b}`, basic(`x${b}`, size, false, true));
  }
  m.set("symbol", {
    name: "symbol",
    size: bits / 8,
    signed: false,
    string: false,
    fmttype: `u${bits}`,
    print: "symbol",
    fmt: "%pS",
  });
  m.set("char", {
    name: "char",
    size: 1,
    signed: false,
    string: false,
    fmttype: "u8",
    print: "char",
    fmt: "'%c'",
  });
  return m;
}

/** Linux 6.1 limits (kernel/trace/trace_probe.h, trace.h, trace_kprobe.c). */
export const MAX_TRACE_ARGS = 128;
/** Longest argument body. */
export const MAX_ARGSTR_LEN = 63;
/** Largest array. */
export const MAX_ARRAY_LEN = 64;
/** Longest argument name. */
export const MAX_ARG_NAME_LEN = 32;
/** Longest fetched string (PATH_MAX). */
export const MAX_STRING_SIZE = 4096;
/** Largest fixed part of an event record. */
export const MAX_PROBE_EVENT_SIZE = 3072;
/** Longest event or group name plus its NUL. */
export const MAX_EVENT_NAME_LEN = 64;
/** Largest kretprobe maxactive. */
export const KRETPROBE_MAXACTIVE_MAX = 4096;
/** Fetch instructions per argument. */
export const FETCH_INSN_MAX = 16;
/** The text a string that could not be fetched prints as. */
export const FAULT_STRING = "(fault)";

/**
 * The error texts of `trace_probe.h`'s ERRORS list that kprobe events use,
 * by Linux's name.
 */
export const PROBE_ERRORS = {
  MAXACT_NO_KPROBE: "Maxactive is not for kprobe",
  BAD_MAXACT: "Invalid maxactive number",
  MAXACT_TOO_BIG: "Maxactive is too big",
  BAD_PROBE_ADDR: "Invalid probed address or symbol",
  NON_UNIQ_SYMBOL: "The symbol is not unique",
  BAD_RETPROBE: "Retprobe address must be an function entry",
  BAD_ADDR_SUFFIX: "Invalid probed address suffix",
  NO_GROUP_NAME: "Group name is not specified",
  GROUP_TOO_LONG: "Group name is too long",
  BAD_GROUP_NAME: "Group name must follow the same rules as C identifiers",
  NO_EVENT_NAME: "Event name is not specified",
  EVENT_TOO_LONG: "Event name is too long",
  BAD_EVENT_NAME: "Event name must follow the same rules as C identifiers",
  EVENT_EXIST: "Given group/event name is already used by another event",
  RETVAL_ON_PROBE: "$retval is not available on probe",
  BAD_STACK_NUM: "Invalid stack number",
  BAD_ARG_NUM: "Invalid argument number",
  BAD_VAR: "Invalid $-variable specified",
  BAD_REG_NAME: "Invalid register name",
  BAD_MEM_ADDR: "Invalid memory address",
  BAD_IMM: "Invalid immediate value",
  IMMSTR_NO_CLOSE: "String is not closed with '\"'",
  FILE_ON_KPROBE: "File offset is not available with kprobe",
  TOO_MANY_OPS: "Dereference is too much nested",
  DEREF_NEED_BRACE: "Dereference needs a brace",
  BAD_DEREF_OFFS: "Invalid dereference offset",
  DEREF_OPEN_BRACE: "Dereference brace is not closed",
  COMM_CANT_DEREF: "$comm can not be dereferenced",
  BAD_FETCH_ARG: "Invalid fetch argument",
  ARRAY_NO_CLOSE: "Array is not closed",
  BAD_ARRAY_SUFFIX: "Array has wrong suffix",
  BAD_ARRAY_NUM: "Invalid array size",
  ARRAY_TOO_BIG: "Array number is too big",
  BAD_TYPE: "Unknown type is specified",
  BAD_STRING: "String accepts only memory argument",
  BAD_SYMSTRING: "Symbol String doesn't accept data/userdata",
  BAD_BITFIELD: "Invalid bitfield",
  ARG_NAME_TOO_LONG: "Argument name is too long",
  NO_ARG_NAME: "Argument name is not specified",
  BAD_ARG_NAME: "Argument name must follow the same rules as C identifiers",
  USED_ARG_NAME: "This argument name is already used",
  ARG_TOO_LONG: "Argument expression is too long",
  NO_ARG_BODY: "No argument expression",
  BAD_INSN_BNDRY: "Probe point is not an instruction boundary",
  FAIL_REG_PROBE: "Failed to register probe event",
  DIFF_PROBE_TYPE: "Probe type is different from existing probe",
  DIFF_ARG_TYPE: "Argument type or name is different from existing probe",
  SAME_PROBE: "There is already the exact same probe event",
  EVENT_TOO_BIG: "Event too big (too many fields?)",
} as const;

/** A name of {@linkcode PROBE_ERRORS}. */
export type ProbeErrorName = keyof typeof PROBE_ERRORS;

/**
 * One fetch instruction. Linux: struct fetch_insn and enum fetch_op
 * (kernel/trace/trace_probe.h); `op` keeps Linux's FETCH_OP_ suffix.
 */
export interface FetchInsn {
  /** The operation. */
  op:
    | "NOP"
    | "END"
    | "REG"
    | "STACK"
    | "STACKP"
    | "RETVAL"
    | "IMM"
    | "COMM"
    | "DATA"
    | "ARG"
    | "NOP_SYMBOL"
    | "DEREF"
    | "UDEREF"
    | "ST_RAW"
    | "ST_MEM"
    | "ST_UMEM"
    | "ST_STRING"
    | "ST_USTRING"
    | "ST_SYMSTR"
    | "MOD_BF"
    | "LP_ARRAY";
  /** Register name (REG), stack or argument index (STACK, ARG), array length (LP_ARRAY). */
  param: number;
  /** Register name of REG. */
  reg: string;
  /** Immediate (IMM). */
  immediate: bigint;
  /** Dereference or store offset. */
  offset: bigint;
  /** Store size in bytes. */
  size: number;
  /** Symbol (NOP_SYMBOL) or string (DATA). */
  data: string;
  /** Bitfield shifts (MOD_BF). */
  lshift: number;
  /** Right shift of MOD_BF. */
  rshift: number;
}

/** A fresh NOP instruction. */
export function nopInsn(): FetchInsn {
  return {
    op: "NOP",
    param: 0,
    reg: "",
    immediate: 0n,
    offset: 0n,
    size: 0,
    data: "",
    lshift: 0,
    rshift: 0,
  };
}
