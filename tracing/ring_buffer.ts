// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Stand-in (i9-events) for the per-CPU trace ring buffer that branch
 * i9-parts owns: bounded per CPU, overwriting the oldest entries and
 * counting them. The integrator keeps i9-parts' version.
 *
 * @module
 */

/** Options of {@linkcode TraceRingBuffer}. */
export interface TraceRingBufferOptions<T> {
  /** Number of CPUs. */
  cpus: number;
  /** Size of each CPU's buffer in KiB. */
  sizeKb: number;
  /** Bytes an entry takes. */
  entrySize(e: T): number;
}

/** One record. */
export interface TraceRecord<T> {
  /** CPU it was written on. */
  cpu: number;
  /** Timestamp. */
  ts: number;
  /** The entry. */
  entry: T;
}

interface PerCpu<T> {
  recs: TraceRecord<T>[];
  head: number;
  bytes: number;
  overrun: number;
}

/**
 * A per-CPU ring of trace records.
 *
 * @example
 * ```ts
 * import { TraceRingBuffer } from "./ring_buffer.ts";
 * import assert from "node:assert/strict";
 * const rb = new TraceRingBuffer<string>({ cpus: 1, sizeKb: 1, entrySize: () => 8 });
 * rb.write(0, 1, "a");
 * assert.equal(rb.entries(), 1);
 * ```
 */
export class TraceRingBuffer<T> {
  #cpus: PerCpu<T>[] = [];
  #sizeKb: number;
  #entrySize: (e: T) => number;
  #written = 0;

  /**
   * Makes an empty buffer.
   *
   * @param options CPUs, size and the entry size function.
   */
  constructor(options: TraceRingBufferOptions<T>) {
    this.#sizeKb = options.sizeKb;
    this.#entrySize = options.entrySize;
    for (let i = 0; i < options.cpus; i++) {
      this.#cpus.push({ recs: [], head: 0, bytes: 0, overrun: 0 });
    }
  }

  /** Size of each CPU's buffer in KiB. */
  get sizeKb(): number {
    return this.#sizeKb;
  }

  /**
   * Appends an entry, dropping the oldest ones that no longer fit.
   *
   * @param cpu The CPU.
   * @param ts Timestamp.
   * @param entry The entry.
   */
  write(cpu: number, ts: number, entry: T): void {
    const c = this.#cpus[cpu];
    c.recs.push({ cpu, ts, entry });
    c.bytes += this.#entrySize(entry);
    this.#written++;
    this.#trim(c);
  }

  #trim(c: PerCpu<T>): void {
    const max = this.#sizeKb * 1024;
    while (c.bytes > max && c.head < c.recs.length) {
      c.bytes -= this.#entrySize(c.recs[c.head++].entry);
      c.overrun++;
    }
    if (c.head > 1024 && c.head * 2 > c.recs.length) {
      c.recs = c.recs.slice(c.head);
      c.head = 0;
    }
  }

  /**
   * Every entry, oldest first across CPUs, without consuming (`trace`).
   *
   * @returns The records.
   */
  *read(): Iterable<TraceRecord<T>> {
    const idx = this.#cpus.map((c) => c.head);
    for (;;) {
      let best = -1;
      for (let i = 0; i < idx.length; i++) {
        const c = this.#cpus[i];
        if (idx[i] >= c.recs.length) continue;
        if (best < 0 || c.recs[idx[i]].ts < this.#cpus[best].recs[idx[best]].ts) best = i;
      }
      if (best < 0) return;
      yield this.#cpus[best].recs[idx[best]++];
    }
  }

  /**
   * Removes the oldest entry (`trace_pipe`).
   *
   * @returns It, or undefined when empty.
   */
  consume(): TraceRecord<T> | undefined {
    let best = -1;
    for (let i = 0; i < this.#cpus.length; i++) {
      const c = this.#cpus[i];
      if (c.head >= c.recs.length) continue;
      if (best < 0 || c.recs[c.head].ts < this.#cpus[best].recs[this.#cpus[best].head].ts) {
        best = i;
      }
    }
    if (best < 0) return undefined;
    const c = this.#cpus[best];
    const r = c.recs[c.head++];
    c.bytes -= this.#entrySize(r.entry);
    return r;
  }

  /** Empties every CPU's buffer. */
  reset(): void {
    for (const c of this.#cpus) {
      c.recs = [];
      c.head = 0;
      c.bytes = 0;
      c.overrun = 0;
    }
    this.#written = 0;
  }

  /**
   * Resizes every CPU's buffer, dropping the oldest entries that no longer fit.
   *
   * @param sizeKb The new size per CPU in KiB.
   */
  resize(sizeKb: number): void {
    this.#sizeKb = sizeKb;
    for (const c of this.#cpus) this.#trim(c);
  }

  /**
   * Entries held now.
   *
   * @param cpu One CPU, or all.
   * @returns The count.
   */
  entries(cpu?: number): number {
    const cs = cpu === undefined ? this.#cpus : [this.#cpus[cpu]];
    return cs.reduce((n, c) => n + c.recs.length - c.head, 0);
  }

  /**
   * Entries lost by overwrite.
   *
   * @param cpu One CPU, or all.
   * @returns The count.
   */
  overrun(cpu?: number): number {
    const cs = cpu === undefined ? this.#cpus : [this.#cpus[cpu]];
    return cs.reduce((n, c) => n + c.overrun, 0);
  }

  /**
   * Entries ever written since the last reset.
   *
   * @returns The count.
   */
  written(): number {
    return this.#written;
  }
}
