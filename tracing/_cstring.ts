// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * C-string primitives the event filter needs, with the kernel's semantics:
 * `<linux/ctype.h>` classes (Latin-1 table of lib/ctype.c), `strncmp`,
 * `strnstr`, `glob_match_len` (lib/glob.c) and `kstrtoull`/`kstrtoll` with
 * base 0 (lib/kstrtox.c).
 *
 * Strings here are "byte strings": JS strings whose every char code is one
 * byte (0–255), as {@linkcode toByteString} makes from UTF-8. Reading past
 * the end of a byte string yields NUL, which models a zero-padded C buffer.
 *
 * @module
 */

const CTYPE_U = 0x01;
const CTYPE_L = 0x02;
const CTYPE_D = 0x04;
const CTYPE_S = 0x20;

/** The classes of bytes 0–255 that the filter asks about (upper, lower, digit, space). */
const CTYPE: Uint8Array = buildCtype();

function buildCtype(): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 9; c <= 13; c++) t[c] = CTYPE_S;
  t[32] = CTYPE_S;
  for (let c = 48; c <= 57; c++) t[c] = CTYPE_D;
  for (let c = 65; c <= 90; c++) t[c] = CTYPE_U;
  for (let c = 97; c <= 122; c++) t[c] = CTYPE_L;
  // Latin-1 half of lib/ctype.c: 160 is a space, 192–222 upper (but 215),
  // 223–255 lower (but 247).
  t[160] = CTYPE_S;
  for (let c = 192; c <= 222; c++) t[c] = c === 215 ? 0 : CTYPE_U;
  for (let c = 223; c <= 255; c++) t[c] = c === 247 ? 0 : CTYPE_L;
  return t;
}

/** Byte `i` of `s`, or 0 past its end (a NUL-padded buffer). */
export function byteAt(s: string, i: number): number {
  return i < s.length && i >= 0 ? s.charCodeAt(i) : 0;
}

/** Linux: isspace() (include/linux/ctype.h). */
export function isSpace(c: number): boolean {
  return (CTYPE[c & 0xff] & CTYPE_S) !== 0;
}

/** Linux: isdigit(). */
export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Linux: isalnum(). */
export function isAlnum(c: number): boolean {
  return (CTYPE[c & 0xff] & (CTYPE_U | CTYPE_L | CTYPE_D)) !== 0;
}

// deno-lint-ignore no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/** UTF-8 bytes of `s` as a byte string (one char per byte). */
export function toByteString(s: string): string {
  if (!NON_ASCII.test(s)) return s;
  const bytes = new TextEncoder().encode(s);
  let out = "";
  for (let i = 0; i < bytes.length; i += 0x2000) {
    out += String.fromCharCode(...bytes.subarray(i, i + 0x2000));
  }
  return out;
}

/** Length of the C string in `s` (up to its first NUL). */
export function cStrlen(s: string): number {
  const nul = s.indexOf("\0");
  return nul < 0 ? s.length : nul;
}

/** Linux: strncmp() — compare at most `n` bytes, stopping at a NUL. */
export function strncmp(a: string, aOff: number, b: string, n: number): number {
  for (let i = 0; i < n; i++) {
    const ca = byteAt(a, aOff + i);
    const cb = byteAt(b, i);
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca === 0) return 0;
  }
  return 0;
}

/** Linux: memcmp() of `n` bytes of `a` at `aOff` with the start of `b`. */
export function memEqual(a: string, aOff: number, b: string, n: number): boolean {
  for (let i = 0; i < n; i++) {
    if (byteAt(a, aOff + i) !== byteAt(b, i)) return false;
  }
  return true;
}

/** Linux: strnstr() — is `needle` within the first `len` bytes of `hay`? */
export function strnstr(hay: string, needle: string, len: number): boolean {
  const l2 = cStrlen(needle);
  if (l2 === 0) return true;
  for (let k = 0; len >= l2; k++, len--) {
    if (memEqual(hay, k, needle, l2)) return true;
  }
  return false;
}

/**
 * Linux: glob_match_len() (lib/glob.c): `*`, `?`, `[...]` classes with
 * ranges and `!` inversion, `\` escapes; bytes at or past `len` read as NUL.
 */
export function globMatchLen(pat: string, str: string, len: number): boolean {
  let p = 0;
  let s = 0;
  let backPat = -1;
  let backStr = 0;
  for (;;) {
    const c = s >= len ? 0 : byteAt(str, s);
    let d = byteAt(pat, p++);
    s++;
    let mismatch = false;
    if (d === 0x3f /* ? */) {
      if (c === 0) return false;
      continue;
    }
    if (d === 0x2a /* * */) {
      if (byteAt(pat, p) === 0) return true;
      backPat = p;
      backStr = --s;
      continue;
    }
    let literal = d !== 0x5b /* [ */;
    if (d === 0x5b) {
      const inverted = byteAt(pat, p) === 0x21 /* ! */;
      let cls = p + (inverted ? 1 : 0);
      let a = byteAt(pat, cls++);
      let match = false;
      let malformed = false;
      do {
        let b = a;
        if (a === 0) {
          malformed = true;
          break;
        }
        if (byteAt(pat, cls) === 0x2d /* - */ && byteAt(pat, cls + 1) !== 0x5d /* ] */) {
          b = byteAt(pat, cls + 1);
          if (b === 0) {
            malformed = true;
            break;
          }
          cls += 2;
        }
        if (a <= c && c <= b) match = true;
        a = byteAt(pat, cls++);
      } while (a !== 0x5d);
      if (malformed) {
        literal = true; // the '[' is matched as itself
      } else if (match === inverted) {
        mismatch = true;
      } else {
        p = cls;
        continue;
      }
    }
    if (literal && !mismatch) {
      if (d === 0x5c /* \ */) d = byteAt(pat, p++);
      if (c === d) {
        if (d === 0) return true;
        continue;
      }
    }
    if (c === 0 || backPat < 0) return false;
    p = backPat;
    s = ++backStr;
  }
}

/** Result of {@linkcode kstrtoull}: the value, or Linux's error. */
export type KstrtoxResult = { ok: true; value: bigint } | { ok: false; errno: "EINVAL" | "ERANGE" };

const U64_MAX = (1n << 64n) - 1n;

/** Linux: _kstrtoull() after the sign: radix fix-up, digits, optional "\n", end. */
function kstrtoullDigits(s: string, base: number): KstrtoxResult {
  let i = 0;
  if (base === 0) {
    if (byteAt(s, 0) === 0x30) {
      const x = byteAt(s, 1) | 0x20;
      const c2 = byteAt(s, 2);
      const isX = isDigit(c2) || ((c2 | 0x20) >= 0x61 && (c2 | 0x20) <= 0x66);
      base = x === 0x78 && isX ? 16 : 8;
    } else base = 10;
  }
  if (base === 16 && byteAt(s, 0) === 0x30 && (byteAt(s, 1) | 0x20) === 0x78) i = 2;
  let res = 0n;
  let digits = 0;
  let overflow = false;
  for (;; i++, digits++) {
    const c = byteAt(s, i);
    const lc = c | 0x20;
    let val: number;
    if (c >= 0x30 && c <= 0x39) val = c - 0x30;
    else if (lc >= 0x61 && lc <= 0x66) val = lc - 0x61 + 10;
    else break;
    if (val >= base) break;
    res = res * BigInt(base) + BigInt(val);
    if (res > U64_MAX) {
      overflow = true;
      res &= U64_MAX;
    }
  }
  if (overflow) return { ok: false, errno: "ERANGE" };
  if (digits === 0) return { ok: false, errno: "EINVAL" };
  if (byteAt(s, i) === 0x0a) i++;
  if (byteAt(s, i) !== 0) return { ok: false, errno: "EINVAL" };
  return { ok: true, value: res };
}

/** Linux: kstrtoull(s, base) — an optional '+', then digits in `base` (0: C prefixes). */
export function kstrtoull(s: string, base = 0): KstrtoxResult {
  return kstrtoullDigits(byteAt(s, 0) === 0x2b ? s.slice(1) : s, base);
}

/** Linux: kstrtoll(s, base) — as kstrtoull with a '-' sign; the value is the s64 as u64 bits. */
export function kstrtoll(s: string, base = 0): KstrtoxResult {
  if (byteAt(s, 0) === 0x2d) {
    const r = kstrtoullDigits(s.slice(1), base);
    if (!r.ok) return r;
    const neg = (1n << 64n) - r.value & U64_MAX;
    if (BigInt.asIntN(64, neg) > 0n) return { ok: false, errno: "ERANGE" };
    return { ok: true, value: neg };
  }
  const r = kstrtoull(s, base);
  if (!r.ok) return r;
  if (BigInt.asIntN(64, r.value) < 0n) return { ok: false, errno: "ERANGE" };
  return r;
}
