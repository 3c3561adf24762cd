// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The trace ring buffer: one bounded buffer per CPU that, in ftrace's
 * default overwrite mode, drops its oldest page when full and counts what
 * it lost, with the page-based byte accounting of
 * kernel/trace/ring_buffer.c.
 *
 * @module
 */

import { KernelError } from "../kernel-model/errors.ts";

/** Linux: TRACE_BUF_SIZE_DEFAULT (kernel/trace/trace.c): 1441792 bytes per CPU. */
export const TRACE_BUF_SIZE_DEFAULT = 1441792;

/**
 * The default `buffer_size_kb` of Linux 6.1: `TRACE_BUF_SIZE_DEFAULT >> 10`,
 * the number 6.1 prints as `7 (expanded: 1408)` before the buffer is first
 * expanded. Once allocated at that size the buffer holds whole pages, so
 * `buffer_size_kb` then reads 1410 (354 pages of 4080 bytes).
 */
export const DEFAULT_BUFFER_SIZE_KB = 1408;

/** The largest `buffer_size_kb` accepted per CPU (1 GiB); beyond, `-ENOMEM`. */
export const MAX_BUFFER_SIZE_KB = 1 << 20;

/** The most CPUs a buffer may have. */
export const MAX_TRACE_CPUS = 4096;

/** Linux: RB_LEN_TIME_EXTEND: the 8-byte event added when a delta exceeds 27 bits. */
const RB_LEN_TIME_EXTEND = 8;
/** Linux: TS_SHIFT: an event header holds a 27-bit time delta. */
const TS_DELTA_LIMIT = 2 ** 27;
/** Linux: RB_MAX_SMALL_DATA: payloads up to 112 bytes keep their length in the header. */
const RB_MAX_SMALL_DATA = 112;

const EINVAL = 22;
const ENOMEM = 12;

/**
 * A bad size, CPU count or CPU number given to a {@linkcode TraceRingBuffer}.
 * `errno` is what Linux's `buffer_size_kb` write returns for the same value
 * (`-EINVAL`, or `-ENOMEM` for a size it cannot allocate).
 *
 * @example
 * ```ts
 * import { TraceBufferError, TraceRingBuffer } from "./ring_buffer.ts";
 * import assert from "node:assert/strict";
 *
 * const buf = new TraceRingBuffer<string>({ cpus: 1, sizeKb: 7, entrySize: () => 8 });
 * assert.throws(() => buf.resize(0), (e) => e instanceof TraceBufferError && e.errno === -22);
 * ```
 */
export class TraceBufferError extends KernelError {
  /** The negative errno Linux returns for the same request. */
  readonly errno: number;

  /**
   * Creates an error.
   *
   * @param message A Deno-style message naming the bad value.
   * @param errno The negative errno Linux returns (`-EINVAL`, `-ENOMEM`).
   */
  constructor(message: string, errno: number) {
    super(message);
    this.name = "TraceBufferError";
    this.errno = errno;
  }
}

/** Options of a {@linkcode TraceRingBuffer}. */
export interface TraceRingBufferOptions<T> {
  /** Number of CPUs, one buffer each. */
  cpus: number;
  /** Requested `buffer_size_kb` per CPU (rounded up to whole pages, at least 2). */
  sizeKb: number;
  /**
   * Bytes the event reserves, as `trace_event_buffer_reserve()` asks: the
   * 8-byte `struct trace_entry` plus the event's own fields and dynamic
   * data. The buffer adds the ring buffer's event header.
   */
  entrySize(e: T): number;
  /** PAGE_SIZE: 4096 by default. */
  pageSize?: number;
  /** Linux: BUF_PAGE_HDR_SIZE: 16 on 64-bit kernels (default), 12 on 32-bit. */
  pageHeaderSize?: number;
}

/** One buffered event: the CPU that wrote it, its time stamp (ns) and the event. */
export interface TraceRecord<T> {
  /** CPU whose buffer holds it. */
  cpu: number;
  /** Time stamp in nanoseconds, as given to `write()`. */
  ts: number;
  /** The event. */
  entry: T;
}

/** One buffer page (`struct buffer_page`): its events, bytes used and events read. */
interface Page<T> {
  recs: TraceRecord<T>[];
  used: number;
  read: number;
}

/** One CPU's buffer (`struct ring_buffer_per_cpu`). */
interface CpuBuffer<T> {
  /** Data pages in the ring, oldest first; the last is the one being written. */
  ring: Page<T>[];
  /** The page the reader took out of the ring (`reader_page`), if any. */
  reader: Page<T> | null;
  /** True while the writer still writes into the reader page. */
  readerIsTail: boolean;
  nrPages: number;
  written: number;
  overrun: number;
  consumed: number;
  dropped: number;
  lastTs: number | null;
}

/**
 * The per-CPU trace buffer of ftrace, in overwrite mode.
 *
 * Accounting follows Linux's pages: each CPU has `nr_pages =
 * max(2, ceil(sizeKb * 1024 / (PAGE_SIZE - BUF_PAGE_HDR_SIZE)))` pages of
 * 4080 data bytes (64-bit). An event takes `rb_calculate_event_length()`
 * bytes (4-byte header, 4 more above 112 bytes of payload, 4-byte aligned,
 * never 12) plus an 8-byte time extend when its delta from the previous
 * event on the same page needs more than 27 bits. An event that does not
 * fit in the current page starts the next one; when the ring is full the
 * oldest page is dropped whole and its events count as overrun, as in
 * Linux. A consuming read takes the oldest page out of the ring as the
 * reader page (it is never overwritten), so a reader holds up to one page
 * more than `nr_pages`. Events larger than a page are dropped and counted
 * by {@linkcode TraceRingBuffer.dropped}. Approximations: the time extend
 * is decided per page by the previous event's stamp (Linux's lockless
 * before/after stamps are not modelled), and all CPUs have one size.
 *
 * @typeParam T The event type.
 *
 * @example Overwrite the oldest page
 * ```ts
 * import { TraceRingBuffer } from "./ring_buffer.ts";
 * import assert from "node:assert/strict";
 *
 * // 2 pages of 4080 bytes; an event takes 4 + 4 + 1012 = 1020 bytes: 4 per page.
 * const buf = new TraceRingBuffer<number>({ cpus: 2, sizeKb: 1, entrySize: () => 1012 });
 * for (let i = 0; i < 9; i++) buf.write(0, i, i);
 * buf.write(1, 4, 100);
 * assert.equal(buf.entries(0), 5); // the first page (events 0–3) was overwritten
 * assert.equal(buf.overrun(0), 4);
 * assert.deepEqual([...buf.read()].map((r) => r.entry), [4, 100, 5, 6, 7, 8]);
 * assert.equal(buf.consume()?.entry, 4);
 * ```
 */
export class TraceRingBuffer<T> {
  #cpus: CpuBuffer<T>[];
  #entrySize: (e: T) => number;
  #pageData: number;

  /**
   * Creates a buffer.
   *
   * @param options CPU count, size per CPU in KiB, and the event size function.
   * @throws {TraceBufferError} If a count or size is not a positive integer or is too large.
   */
  constructor(options: TraceRingBufferOptions<T>) {
    const { cpus, entrySize } = options;
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > MAX_TRACE_CPUS) {
      throw new TraceBufferError(
        `Cannot create a trace buffer for ${cpus} CPUs: the count must be an integer from 1 to ${MAX_TRACE_CPUS}`,
        -EINVAL,
      );
    }
    const pageSize = options.pageSize ?? 4096;
    const header = options.pageHeaderSize ?? 16;
    if (!Number.isInteger(pageSize) || !Number.isInteger(header) || pageSize - header < 64) {
      throw new TraceBufferError(
        `Cannot create a trace buffer with ${pageSize}-byte pages and ${header}-byte page headers: a page must hold at least 64 data bytes`,
        -EINVAL,
      );
    }
    this.#pageData = pageSize - header;
    this.#entrySize = entrySize;
    const nrPages = this.#pagesFor(options.sizeKb);
    this.#cpus = Array.from({ length: cpus }, () => ({
      ring: [],
      reader: null,
      readerIsTail: false,
      nrPages,
      written: 0,
      overrun: 0,
      consumed: 0,
      dropped: 0,
      lastTs: null,
    }));
  }

  /** Linux: ring_buffer_resize()'s page count for a size, with tracing_entries_write()'s checks. */
  #pagesFor(sizeKb: number): number {
    if (!Number.isInteger(sizeKb) || sizeKb < 1) {
      throw new TraceBufferError(
        `Cannot size the trace buffer to ${sizeKb} KB: the size must be a whole number of KB, at least 1`,
        -EINVAL,
      );
    }
    if (sizeKb > MAX_BUFFER_SIZE_KB) {
      throw new TraceBufferError(
        `Cannot size the trace buffer to ${sizeKb} KB: at most ${MAX_BUFFER_SIZE_KB} KB per CPU can be allocated`,
        -ENOMEM,
      );
    }
    return Math.max(2, Math.ceil(sizeKb * 1024 / this.#pageData));
  }

  #cpu(cpu: number): CpuBuffer<T> {
    const b = Number.isInteger(cpu) ? this.#cpus[cpu] : undefined;
    if (b === undefined) {
      throw new TraceBufferError(
        `Cannot use CPU ${cpu} of the trace buffer: it has CPUs 0 to ${this.#cpus.length - 1}`,
        -EINVAL,
      );
    }
    return b;
  }

  /** Linux: rb_calculate_event_length() for a payload of `size` bytes. */
  #eventLength(size: number): number {
    let length = Math.max(1, Math.ceil(size));
    if (length > RB_MAX_SMALL_DATA) length += 4;
    length = (length + 4 + 3) & ~3;
    if (length === RB_LEN_TIME_EXTEND + 4) length += 4;
    return length;
  }

  /**
   * Records an event in `cpu`'s buffer, overwriting that CPU's oldest page
   * if the buffer is full.
   *
   * Linux: ring_buffer_lock_reserve() + ring_buffer_unlock_commit().
   *
   * @param cpu The writing CPU.
   * @param ts The time stamp in nanoseconds.
   * @param entry The event.
   * @throws {TraceBufferError} If `cpu` is not one of the buffer's, or `entrySize` returns a bad size.
   */
  write(cpu: number, ts: number, entry: T): void {
    const b = this.#cpu(cpu);
    const size = this.#entrySize(entry);
    if (!Number.isFinite(size) || size < 0) {
      throw new TraceBufferError(
        `Cannot write an event of ${size} bytes to the trace buffer: entrySize must return a size of 0 or more`,
        -EINVAL,
      );
    }
    const base = this.#eventLength(size);
    const rec: TraceRecord<T> = { cpu, ts, entry };
    // BUF_MAX_DATA_SIZE: a page less two 32-bit words.
    if (base > this.#pageData - 8) {
      b.dropped++;
      return;
    }
    const tail = b.ring.length > 0 ? b.ring[b.ring.length - 1] : b.readerIsTail ? b.reader : null;
    if (tail !== null) {
      const extend = b.lastTs !== null && ts - b.lastTs >= TS_DELTA_LIMIT ? RB_LEN_TIME_EXTEND : 0;
      if (tail.used + base + extend <= this.#pageData) {
        tail.recs.push(rec);
        tail.used += base + extend;
        b.written++;
        b.lastTs = ts;
        return;
      }
    }
    // The rest of the page is padding; the next page starts with its own stamp.
    b.readerIsTail = false;
    if (b.ring.length >= b.nrPages) b.overrun += b.ring.shift()!.recs.length;
    b.ring.push({ recs: [rec], used: base, read: 0 });
    b.written++;
    b.lastTs = ts;
  }

  /** The next unread record of a CPU, without taking it. */
  #peek(b: CpuBuffer<T>): TraceRecord<T> | undefined {
    if (b.reader !== null && b.reader.read < b.reader.recs.length) {
      return b.reader.recs[b.reader.read];
    }
    return b.ring.length > 0 ? b.ring[0].recs[0] : undefined;
  }

  /**
   * Every unread event, oldest first across CPUs (by time stamp, then CPU),
   * without consuming them: what the `trace` file shows. The result is a
   * snapshot; later writes do not change it.
   *
   * Linux: ring_buffer_read_start() iterators merged by __find_next_entry().
   *
   * @returns The records, in the order the `trace` file prints them.
   */
  read(): Iterable<TraceRecord<T>> {
    const lists = this.#cpus.map((b) => {
      const out: TraceRecord<T>[] = [];
      if (b.reader !== null) out.push(...b.reader.recs.slice(b.reader.read));
      for (const p of b.ring) out.push(...p.recs);
      return out;
    });
    const heads = lists.map(() => 0);
    const merged: TraceRecord<T>[] = [];
    for (;;) {
      let best = -1;
      for (let c = 0; c < lists.length; c++) {
        if (heads[c] >= lists[c].length) continue;
        if (best < 0 || lists[c][heads[c]].ts < lists[best][heads[best]].ts) best = c;
      }
      if (best < 0) return merged;
      merged.push(lists[best][heads[best]++]);
    }
  }

  /**
   * Removes and returns the oldest unread event across CPUs (by time
   * stamp, then CPU): what the next line of `trace_pipe` shows.
   *
   * Linux: ring_buffer_consume() per CPU, merged as trace_find_next_entry_inc().
   *
   * @returns The record, or `undefined` if every buffer is empty.
   */
  consume(): TraceRecord<T> | undefined {
    let best: CpuBuffer<T> | undefined;
    let bestRec: TraceRecord<T> | undefined;
    for (const b of this.#cpus) {
      const r = this.#peek(b);
      if (r !== undefined && (bestRec === undefined || r.ts < bestRec.ts)) {
        best = b;
        bestRec = r;
      }
    }
    if (best === undefined) return undefined;
    if (best.reader === null || best.reader.read >= best.reader.recs.length) {
      // Linux: rb_get_reader_page() swaps the head page out of the ring.
      best.reader = best.ring.shift()!;
      best.readerIsTail = best.ring.length === 0;
    }
    best.consumed++;
    return best.reader.recs[best.reader.read++];
  }

  /**
   * Empties every CPU's buffer and zeroes its counters, as writing to the
   * `trace` file with O_TRUNC does.
   *
   * Linux: tracing_reset_online_cpus() → ring_buffer_reset_cpu().
   */
  reset(): void {
    for (const b of this.#cpus) {
      b.ring = [];
      b.reader = null;
      b.readerIsTail = false;
      b.written =
        b.overrun =
        b.consumed =
        b.dropped =
          0;
      b.lastTs = null;
    }
  }

  /**
   * Sets every CPU's size, as writing `buffer_size_kb` does. Shrinking drops
   * the oldest pages and counts their events as overrun (Linux:
   * rb_remove_pages()); the page the reader holds is kept.
   *
   * Linux: tracing_entries_write() → ring_buffer_resize().
   *
   * @param sizeKb The new size per CPU in KiB (at least 1).
   * @throws {TraceBufferError} `errno` -EINVAL for 0 or a non-integer, -ENOMEM above {@linkcode MAX_BUFFER_SIZE_KB}.
   */
  resize(sizeKb: number): void {
    const nrPages = this.#pagesFor(sizeKb);
    for (const b of this.#cpus) {
      b.nrPages = nrPages;
      while (b.ring.length > nrPages) b.overrun += b.ring.shift()!.recs.length;
    }
  }

  /**
   * The size per CPU as `buffer_size_kb` prints it: whole pages' data
   * bytes, in KiB rounded down (`ring_buffer_size() >> 10`).
   */
  get sizeKb(): number {
    return Math.floor(this.#cpus[0].nrPages * this.#pageData / 1024);
  }

  /** Number of CPUs. */
  get cpus(): number {
    return this.#cpus.length;
  }

  #sum(cpu: number | undefined, f: (b: CpuBuffer<T>) => number): number {
    if (cpu !== undefined) return f(this.#cpu(cpu));
    let n = 0;
    for (const b of this.#cpus) n += f(b);
    return n;
  }

  /**
   * Events in the buffer, not yet consumed (Linux: ring_buffer_entries_cpu()).
   *
   * @param cpu One CPU, or all when omitted.
   * @returns The count.
   */
  entries(cpu?: number): number {
    return this.#sum(cpu, (b) => b.written - b.overrun - b.consumed);
  }

  /**
   * Events lost to overwriting (Linux: ring_buffer_overrun_cpu()).
   *
   * @param cpu One CPU, or all when omitted.
   * @returns The count.
   */
  overrun(cpu?: number): number {
    return this.#sum(cpu, (b) => b.overrun);
  }

  /**
   * Events written since the last reset, overwritten and consumed ones
   * included. (The `trace` header's "entries-written" is
   * `entries() + overrun()`, which leaves out consumed events.)
   *
   * @param cpu One CPU, or all when omitted.
   * @returns The count.
   */
  written(cpu?: number): number {
    return this.#sum(cpu, (b) => b.written);
  }

  /**
   * Events removed by {@linkcode TraceRingBuffer.consume} since the last reset.
   *
   * @param cpu One CPU, or all when omitted.
   * @returns The count.
   */
  consumed(cpu?: number): number {
    return this.#sum(cpu, (b) => b.consumed);
  }

  /**
   * Events refused because they do not fit in one page.
   *
   * @param cpu One CPU, or all when omitted.
   * @returns The count.
   */
  dropped(cpu?: number): number {
    return this.#sum(cpu, (b) => b.dropped);
  }
}
