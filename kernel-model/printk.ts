// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The guest's printk ring buffer (`__log_buf`, `log_end`) as the console
 * reads it: records become lines without their `<N>` level, in order. The
 * host also appends records itself (Oops, panic) in printk's own format.
 *
 * @module
 */

/** Host access to guest memory the log buffer needs (the kernel's `Memory`). */
export interface LogMemory {
  /** Reads bytes at a guest address. */
  readBytes(addr: bigint, n: number): Uint8Array;
  /** Writes bytes at a guest address. */
  writeBytes(addr: bigint, bytes: Uint8Array): void;
  /** Reads a 64-bit value in the guest's byte order. */
  readU64(addr: bigint): bigint;
  /** Writes a 64-bit value in the guest's byte order. */
  writeU64(addr: bigint, value: bigint): void;
}

/** Linux: LOG_BUF_LEN of the guest (ABI.md). */
export const LOG_BUF_LEN = 65536n;

/** A record's `[sec.usec]` stamp, as printk writes it (`[%5lu.%06lu]`). */
const STAMP = /^\[ *(\d+)\.(\d{6})\]/;

/** `sssss.uuuuuu` for a time in microseconds. */
function formatStamp(usec: number): string {
  const sec = Math.floor(usec / 1e6);
  return `${String(sec).padStart(5)}.${String(usec % 1e6).padStart(6, "0")}`;
}

/**
 * The console side of the guest's printk buffer. Lines come out in the
 * buffer's order with non-decreasing timestamps (a record stamped earlier
 * than the one before it, by a CPU whose clock lags, shows the earlier
 * record's time).
 *
 * @example A record written and read back
 * ```ts
 * import { LogBuffer } from "./printk.ts";
 * import { Memory, PROT_READ, PROT_WRITE } from "./memory.ts";
 * import assert from "node:assert/strict";
 * const mem = new Memory({ littleEndian: true });
 * mem.map(0x100000n, 0x11000, PROT_READ | PROT_WRITE);
 * const log = new LogBuffer(mem, 0x100000n, 0x110000n);
 * log.write(6, "hello", 1_500_000);
 * log.write(6, "from a CPU whose clock lags", 1_200_000);
 * log.flush();
 * assert.deepEqual(log.lines, ["[    0.001500] hello", "[    0.001500] from a CPU whose clock lags"]);
 * ```
 */
export class LogBuffer {
  readonly #memory: LogMemory;
  readonly #buf: bigint;
  readonly #end: bigint;
  readonly #sink: ((line: string, level: number) => void) | undefined;
  readonly #decoder = new TextDecoder();
  #read = 0n;
  #partial = "";
  /** Greatest timestamp shown so far, in microseconds. */
  #lastUsec = 0;
  /** Every console line so far, level prefixes removed. */
  readonly lines: string[] = [];

  /**
   * Reads the guest's buffer from the start.
   *
   * @param memory Guest memory.
   * @param buf Address of `__log_buf`.
   * @param end Address of `log_end` (bytes ever written, u64).
   * @param sink Receives each line as it is read, with its KERN_* level (4,
   * the default message level, when the record has none).
   */
  constructor(
    memory: LogMemory,
    buf: bigint,
    end: bigint,
    sink?: (line: string, level: number) => void,
  ) {
    this.#memory = memory;
    this.#buf = buf;
    this.#end = end;
    this.#sink = sink;
  }

  /** Reads the records written since the last call into {@linkcode LogBuffer.lines}. */
  flush(): void {
    const end = this.#memory.readU64(this.#end);
    if (end === this.#read) return;
    let from = this.#read;
    if (end - from > LOG_BUF_LEN) from = end - LOG_BUF_LEN;
    this.#read = end;
    const n = Number(end - from);
    const at = from % LOG_BUF_LEN;
    const first = Math.min(n, Number(LOG_BUF_LEN - at));
    const bytes = new Uint8Array(n);
    bytes.set(this.#memory.readBytes(this.#buf + at, first));
    if (first < n) bytes.set(this.#memory.readBytes(this.#buf, n - first), first);
    const parts = (this.#partial + this.#decoder.decode(bytes)).split("\n");
    this.#partial = parts.pop() ?? "";
    for (const part of parts) {
      const line = this.#monotonic(part.replace(/^<[0-7]>/, ""));
      this.lines.push(line);
      this.#sink?.(line, line.length === part.length ? 4 : part.charCodeAt(1) - 0x30);
    }
  }

  /**
   * The line with its `[sec.usec]` stamp raised to the latest one the log
   * has shown, so the merged log never goes back in time. Each CPU stamps
   * its records with its own TSC, and the interpreter runs CPUs a quantum
   * at a time, so a CPU can be up to a quantum behind the one that wrote
   * the previous record; the buffer's order is the true order of the
   * writes (Linux serialises them under logbuf_lock), so the stamp a
   * reader sees is the greatest clock reading so far, as with Linux's
   * synchronised TSCs.
   */
  #monotonic(line: string): string {
    const m = STAMP.exec(line);
    if (m === null) return line;
    const usec = Number(m[1]) * 1e6 + Number(m[2]);
    if (usec >= this.#lastUsec) {
      this.#lastUsec = usec;
      return line;
    }
    return `[${formatStamp(this.#lastUsec)}]${line.slice(m[0].length)}`;
  }

  /**
   * Appends one record as the guest's printk would: `<level>[sec.usec] text`.
   *
   * @param level The KERN_* level number.
   * @param text The line.
   * @param ns The timestamp in nanoseconds.
   */
  write(level: number, text: string, ns: number): void {
    const stamp = formatStamp(Math.floor(ns / 1000));
    const bytes = new TextEncoder().encode(`<${level}>[${stamp}] ${text}\n`);
    let end = this.#memory.readU64(this.#end);
    let done = 0;
    while (done < bytes.length) {
      const at = end % LOG_BUF_LEN;
      const n = Math.min(bytes.length - done, Number(LOG_BUF_LEN - at));
      this.#memory.writeBytes(this.#buf + at, bytes.subarray(done, done + n));
      done += n;
      end += BigInt(n);
    }
    this.#memory.writeU64(this.#end, end);
    this.flush();
  }
}

/**
 * Longest line the guest's printk formats, in bytes: its `printk_buf[512]`
 * less the NUL (`vscnprintf()` cuts there). Linux 2.6.12's buffer is 1024
 * bytes; the guest's is smaller and is what counts.
 */
export const PRINTK_LINE_MAX = 511;

/** Longest format string passed to the guest, in bytes (Linux 2.6.12's `printk_buf[1024]` less the NUL). */
export const PRINTK_FMT_MAX = 1023;

/** Most arguments passed to one printk: more than a 1023-byte format can print in 511 bytes. */
export const PRINTK_MAX_ARGS = 128;

/** Most bytes of `%s` arguments copied onto the guest stack by one printk. */
export const PRINTK_STRINGS_MAX = 4096;

/** `s` cut to at most `max` UTF-8 bytes, at a character boundary. */
function cutUtf8(s: string, max: number): string {
  if (s.length * 3 <= max) return s;
  const bytes = new TextEncoder().encode(s);
  if (bytes.length <= max) return s;
  let end = max;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}

/** How many arguments `fmt` can consume at most: one per conversion, one per `*`. */
function consumable(fmt: string): number {
  let n = 0;
  for (let i = 0; i < fmt.length; i++) {
    if (fmt.charCodeAt(i) !== 0x25) continue; // '%'
    if (fmt.charCodeAt(i + 1) === 0x25) {
      i++;
      continue;
    }
    n++;
    // Flags, width, precision and length up to the conversion letter.
    for (let j = i + 1; j < fmt.length; j++) {
      const c = fmt.charCodeAt(j);
      if (c === 0x2a) n++; // '*'
      else if (!((c >= 0x30 && c <= 0x39) || "-+ #.lhzLqjt".includes(fmt[j]))) break;
    }
  }
  return n;
}

/**
 * The values the host passes to the guest's `printk`, bounded so a call
 * copies at most {@linkcode PRINTK_FMT_MAX} + {@linkcode PRINTK_STRINGS_MAX}
 * bytes and {@linkcode PRINTK_MAX_ARGS} arguments onto the guest stack,
 * without changing what the guest prints (it never shows more than
 * {@linkcode PRINTK_LINE_MAX} bytes). Total over every argument type:
 * strings are passed as strings (cut to {@linkcode PRINTK_LINE_MAX} bytes),
 * bigints and finite numbers as 64-bit integers (numbers truncated),
 * booleans as 1 or 0, anything else (NaN, objects, `undefined`…) as 0.
 * Arguments the format cannot consume are dropped; missing ones are 0, so
 * `printk("%s")` prints `(null)` rather than stack garbage.
 *
 * @param fmt The format (a string).
 * @param args The arguments.
 * @returns `[fmt, ...values]`.
 *
 * @example A 200 KB string is cut, extra arguments dropped
 * ```ts
 * import { boundPrintkArgs, PRINTK_LINE_MAX } from "./printk.ts";
 * import assert from "node:assert/strict";
 * const v = boundPrintkArgs("%s %d\n", ["x".repeat(200_000), 1.9, 3, 4]);
 * assert.equal((v[1] as string).length, PRINTK_LINE_MAX);
 * assert.deepEqual(v.slice(2), [1n]);
 * ```
 */
export function boundPrintkArgs(fmt: string, args: readonly unknown[]): (bigint | string)[] {
  const f = cutUtf8(fmt, PRINTK_FMT_MAX);
  const want = Math.min(consumable(f), PRINTK_MAX_ARGS);
  const values: (bigint | string)[] = [f];
  let budget = PRINTK_STRINGS_MAX;
  for (let i = 0; i < want; i++) {
    const a = i < args.length ? args[i] : 0n;
    if (typeof a === "string") {
      const s = cutUtf8(a, Math.min(PRINTK_LINE_MAX, budget));
      budget -= new TextEncoder().encode(s).length;
      values.push(s);
    } else if (typeof a === "bigint") values.push(BigInt.asUintN(64, a));
    else if (typeof a === "number") {
      values.push(Number.isFinite(a) ? BigInt.asUintN(64, BigInt(Math.trunc(a))) : 0n);
    } else if (typeof a === "boolean") values.push(a ? 1n : 0n);
    else values.push(0n);
  }
  return values;
}
