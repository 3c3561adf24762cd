// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The byte-level half of the `.debug_line` reader (dwarf_line.ts): a
 * bounded cursor whose every read checks the end of its unit, and the
 * DWARF 5 directory and file-name tables with their forms.
 *
 * @module
 */

import type { DebugLineSections } from "./dwarf_line.ts";

/** Reports a malformed field: throws a DwarfError. */
export type Fail = (problem: string, offset: number, field: string) => never;

// DW_LNCT_* (DWARF 5, 6.2.4.1).
const LNCT_PATH = 1;
const LNCT_DIRECTORY_INDEX = 2;

/** A bounded cursor over one section; every read checks the end. */
export class Cursor {
  pos: number;
  end: number;
  readonly #b: Uint8Array;
  readonly #le: boolean;
  readonly #fail: Fail;

  constructor(b: Uint8Array, le: boolean, fail: Fail) {
    this.#b = b;
    this.#le = le;
    this.#fail = fail;
    this.pos = 0;
    this.end = b.length;
  }

  need(n: number, field: string): void {
    if (n > this.end - this.pos) {
      this.#fail(`${field} runs past the end of its unit`, this.pos, field);
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.#b[this.pos++];
  }

  /** An unsigned little- or big-endian integer of `n` ≤ 8 bytes. */
  uint(n: number, field: string): bigint {
    this.need(n, field);
    let v = 0n;
    for (let i = 0; i < n; i++) {
      const byte = this.#b[this.pos + (this.#le ? n - 1 - i : i)];
      v = (v << 8n) | BigInt(byte);
    }
    this.pos += n;
    return v;
  }

  small(n: number, field: string): number {
    const v = this.uint(n, field);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      this.#fail(`${field} ${v} is too large`, this.pos - n, field);
    }
    return Number(v);
  }

  uleb(field: string): bigint {
    const at = this.pos;
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8(field);
      if (shift < 64n) v |= BigInt(b & 0x7f) << shift;
      else if ((b & 0x7f) !== 0) this.#fail(`${field} does not fit 64 bits`, at, field);
      shift += 7n;
      if ((b & 0x80) === 0) return v;
      if (shift > 70n * 7n) this.#fail(`${field} is an endless LEB128`, at, field);
    }
  }

  sleb(field: string): bigint {
    const at = this.pos;
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8(field);
      if (shift < 64n) v |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) {
        if (shift < 64n && (b & 0x40) !== 0) v -= 1n << shift;
        return BigInt.asIntN(64, v);
      }
      if (shift > 70n * 7n) this.#fail(`${field} is an endless LEB128`, at, field);
    }
  }

  /** A ULEB128 that must be a small count or index. */
  count(field: string, max = 0xffffffff): number {
    const at = this.pos;
    const v = this.uleb(field);
    if (v > BigInt(max)) this.#fail(`${field} ${v} is out of range`, at, field);
    return Number(v);
  }

  cstring(field: string): string {
    const at = this.pos;
    let i = this.pos;
    while (i < this.end && this.#b[i] !== 0) i++;
    if (i >= this.end) this.#fail(`${field} has no terminating NUL`, at, field);
    this.pos = i + 1;
    return new TextDecoder().decode(this.#b.subarray(at, i));
  }

  skip(n: number, field: string): void {
    this.need(n, field);
    this.pos += n;
  }
}

/** Reads a NUL-terminated string at `off` of a string section. */
export function strAt(sec: Uint8Array | undefined, off: bigint, fail: () => never): string {
  if (sec === undefined || off >= BigInt(sec.length)) return fail();
  const o = Number(off);
  const nul = sec.indexOf(0, o);
  if (nul < 0) return fail();
  return new TextDecoder().decode(sec.subarray(o, nul));
}

/** Reads a DWARF 5 directory or file-name table (format descriptions, then entries). */
export function readEntries(
  c: Cursor,
  sections: DebugLineSections,
  offsetSize: number,
  what: "directory" | "file_name",
  fail: Fail,
  strFail: (field: string, at: number) => () => never,
  add: (path: string, dir: number) => void,
): void {
  const formatCount = c.u8(`${what}_entry_format_count`);
  const format: [number, number][] = [];
  for (let i = 0; i < formatCount; i++) {
    format.push([c.count(`${what}_entry_format`), c.count(`${what}_entry_format`)]);
  }
  const count = c.count(`${what}s_count`, 1 << 20);
  for (let i = 0; i < count; i++) {
    let path = "";
    let dir = 0;
    for (const [type, form] of format) {
      const at = c.pos;
      const field = `${what} entry`;
      let s: string | undefined;
      let n: bigint | undefined;
      switch (form) {
        case 0x08: // DW_FORM_string
          s = c.cstring(field);
          break;
        case 0x1f: // DW_FORM_line_strp
          s = strAt(sections.debugLineStr, c.uint(offsetSize, field), strFail(field, at));
          break;
        case 0x0e: // DW_FORM_strp
          s = strAt(sections.debugStr, c.uint(offsetSize, field), strFail(field, at));
          break;
        case 0x0b: // DW_FORM_data1
          n = c.uint(1, field);
          break;
        case 0x05: // DW_FORM_data2
          n = c.uint(2, field);
          break;
        case 0x06: // DW_FORM_data4
          n = c.uint(4, field);
          break;
        case 0x07: // DW_FORM_data8
          n = c.uint(8, field);
          break;
        case 0x0f: // DW_FORM_udata
          n = c.uleb(field);
          break;
        case 0x1e: // DW_FORM_data16 (MD5)
          c.skip(16, field);
          break;
        case 0x09: // DW_FORM_block
          c.skip(c.count(field), field);
          break;
        default:
          fail(`form 0x${form.toString(16)} is not one a line table uses`, at, field);
      }
      if (type === LNCT_PATH && s !== undefined) path = s;
      if (type === LNCT_DIRECTORY_INDEX && n !== undefined) {
        if (n > 0xffffffn) fail(`directory index ${n} is out of range`, at, field);
        dir = Number(n);
      }
    }
    add(path, dir);
  }
}
