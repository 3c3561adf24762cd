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

/**
 * The console side of the guest's printk buffer.
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
 * assert.deepEqual(log.lines, ["[    0.001500] hello"]);
 * ```
 */
export class LogBuffer {
  readonly #memory: LogMemory;
  readonly #buf: bigint;
  readonly #end: bigint;
  readonly #sink: ((line: string) => void) | undefined;
  readonly #decoder = new TextDecoder();
  #read = 0n;
  #partial = "";
  /** Every console line so far, level prefixes removed. */
  readonly lines: string[] = [];

  /**
   * @param memory Guest memory.
   * @param buf Address of `__log_buf`.
   * @param end Address of `log_end` (bytes ever written, u64).
   * @param sink Receives each line as it is read.
   */
  constructor(memory: LogMemory, buf: bigint, end: bigint, sink?: (line: string) => void) {
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
      const line = part.replace(/^<[0-7]>/, "");
      this.lines.push(line);
      this.#sink?.(line);
    }
  }

  /**
   * Appends one record as the guest's printk would: `<level>[sec.usec] text`.
   *
   * @param level The KERN_* level number.
   * @param text The line.
   * @param ns The timestamp in nanoseconds.
   */
  write(level: number, text: string, ns: number): void {
    const sec = Math.floor(ns / 1e9);
    const usec = Math.floor((ns % 1e9) / 1000);
    const stamp = `${String(sec).padStart(5)}.${String(usec).padStart(6, "0")}`;
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
