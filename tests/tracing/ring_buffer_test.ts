// Copyright 2026 the kprobes-sim authors. MIT license.
// The per-CPU trace ring buffer: page accounting as kernel/trace/ring_buffer.c
// (4080 data bytes a page on 64-bit, at least 2 pages, rb_calculate_event_length()),
// overwrite of the oldest page with overrun counts, the reader page,
// merge order across CPUs, resize and reset.

import assert from "node:assert/strict";
import {
  DEFAULT_BUFFER_SIZE_KB,
  MAX_BUFFER_SIZE_KB,
  TRACE_BUF_SIZE_DEFAULT,
  TraceBufferError,
  TraceRingBuffer,
} from "../../tracing/mod.ts";

/** A buffer whose events take exactly `bytes` of a page each (`bytes` a multiple of 4, > 120). */
function buffer(cpus: number, sizeKb: number, bytes: number): TraceRingBuffer<number> {
  // Payloads over 112 bytes carry a 4-byte length besides the 4-byte header.
  return new TraceRingBuffer<number>({ cpus, sizeKb, entrySize: () => bytes - 8 });
}

function entriesOf(buf: TraceRingBuffer<number>): number[] {
  return [...buf.read()].map((r) => r.entry);
}

Deno.test("TraceRingBuffer sizes whole pages as buffer_size_kb reports them", () => {
  // 1408 KB = 1441792 bytes = 353.4 pages of 4080 → 354 pages → 1444320 bytes → 1410 KB.
  assert.equal(DEFAULT_BUFFER_SIZE_KB, TRACE_BUF_SIZE_DEFAULT >> 10);
  const buf = buffer(2, DEFAULT_BUFFER_SIZE_KB, 128);
  assert.equal(buf.sizeKb, 1410);
  // The unexpanded buffer: 2 pages → 8160 bytes → 7 KB.
  assert.equal(buffer(1, 1, 128).sizeKb, 7);
  // 32-bit kernels: a 12-byte page header leaves 4084 bytes.
  const b32 = new TraceRingBuffer<number>({
    cpus: 1,
    sizeKb: 8,
    entrySize: () => 8,
    pageHeaderSize: 12,
  });
  assert.equal(b32.sizeKb, 11); // ceil(8192 / 4084) = 3 pages = 12252 bytes → 11 KB
});

Deno.test("TraceRingBuffer overwrites the oldest page and counts its events as overrun", () => {
  // 1020-byte events: 4 to a 4080-byte page; 2 pages.
  const buf = buffer(1, 1, 1020);
  for (let i = 0; i < 8; i++) buf.write(0, i, i);
  assert.equal(buf.entries(), 8);
  assert.equal(buf.overrun(), 0);
  buf.write(0, 8, 8); // needs a third page: page [0..3] goes
  assert.deepEqual(entriesOf(buf), [4, 5, 6, 7, 8]);
  assert.equal(buf.overrun(0), 4);
  assert.equal(buf.entries(0), 5);
  assert.equal(buf.written(), 9);
  for (let i = 9; i < 13; i++) buf.write(0, i, i); // fills [8..11], 12 drops [4..7]
  assert.deepEqual(entriesOf(buf), [8, 9, 10, 11, 12]);
  assert.equal(buf.overrun(), 8);
  assert.equal(buf.entries() + buf.overrun(), buf.written());
});

Deno.test("TraceRingBuffer accounts event lengths as rb_calculate_event_length()", () => {
  // A 1-byte payload takes 8 bytes (header + aligned data): 510 to a page.
  const small = new TraceRingBuffer<number>({ cpus: 1, sizeKb: 1, entrySize: () => 1 });
  for (let i = 0; i < 1020; i++) small.write(0, i, i);
  assert.equal(small.overrun(), 0);
  small.write(0, 1020, 1020);
  assert.equal(small.overrun(), 510);
  // 112 bytes stay small (116 bytes); 113 take a length word (4 + 4 + 116 = 124).
  const at112 = new TraceRingBuffer<number>({ cpus: 1, sizeKb: 1, entrySize: () => 112 });
  const at113 = new TraceRingBuffer<number>({ cpus: 1, sizeKb: 1, entrySize: () => 113 });
  // 4080 / 116 = 35 a page; 4080 / 124 = 32 a page.
  for (let i = 0; i < 71; i++) at112.write(0, i, i);
  for (let i = 0; i < 65; i++) at113.write(0, i, i);
  assert.equal(at112.overrun(), 35);
  assert.equal(at113.overrun(), 32);
  // An 8-byte payload would take 12, which Linux rounds to 16.
  const at8 = new TraceRingBuffer<number>({ cpus: 1, sizeKb: 1, entrySize: () => 8 });
  for (let i = 0; i < 511; i++) at8.write(0, i, i); // 255 a page
  assert.equal(at8.overrun(), 255);
});

Deno.test("TraceRingBuffer adds a time extend when the delta needs more than 27 bits", () => {
  // 1020-byte events: four fill a page exactly, but a 4th that needs an
  // 8-byte time extend (1028 bytes) does not fit and starts page 2.
  const buf = buffer(1, 1, 1020);
  buf.write(0, 0, 0);
  buf.write(0, 1, 1);
  buf.write(0, 2, 2);
  buf.write(0, 2 + 2 ** 27, 3); // delta 2^27: starts page 2, which has its own stamp
  for (let i = 4; i < 9; i++) buf.write(0, 2 + 2 ** 27 + i, i); // page 2: 3..6; 7 starts page 3
  // Page 1 held 3 events (without the extend it would have held 4).
  assert.equal(buf.overrun(), 3);
  assert.deepEqual(entriesOf(buf), [3, 4, 5, 6, 7, 8]);
});

Deno.test("TraceRingBuffer drops an event larger than a page", () => {
  const buf = new TraceRingBuffer<number>({ cpus: 1, sizeKb: 1, entrySize: (n) => n });
  buf.write(0, 0, 4068); // 4068 + 4 + 4 = 4076 > 4072 (BUF_MAX_DATA_SIZE)
  buf.write(0, 1, 4064); // 4072 fits
  assert.equal(buf.dropped(), 1);
  assert.deepEqual(entriesOf(buf), [4064]);
  assert.equal(buf.written(), 1);
});

Deno.test("TraceRingBuffer read() merges CPUs by time stamp, then CPU, without consuming", () => {
  const buf = buffer(3, 8, 128);
  buf.write(2, 5, 25);
  buf.write(0, 7, 7);
  buf.write(1, 5, 15);
  buf.write(1, 9, 19);
  buf.write(0, 5, 5);
  buf.write(2, 1, 21);
  // Per CPU the order is write order; across CPUs the smallest head stamp
  // wins and ties go to the lower CPU.
  const all = [...buf.read()];
  assert.deepEqual(all.map((r) => [r.cpu, r.ts, r.entry]), [
    [1, 5, 15],
    [2, 5, 25],
    [2, 1, 21],
    [0, 7, 7],
    [0, 5, 5],
    [1, 9, 19],
  ]);
  assert.equal(buf.entries(), 6);
  assert.equal(entriesOf(buf).length, 6);
});

Deno.test("TraceRingBuffer consume() removes the oldest event across CPUs", () => {
  const buf = buffer(2, 8, 128);
  buf.write(1, 1, 11);
  buf.write(0, 2, 2);
  buf.write(0, 3, 3);
  buf.write(1, 3, 13);
  const got: number[] = [];
  for (let r = buf.consume(); r !== undefined; r = buf.consume()) got.push(r.entry);
  assert.deepEqual(got, [11, 2, 3, 13]);
  assert.equal(buf.entries(), 0);
  assert.equal(buf.consumed(), 4);
  assert.equal(buf.written(), 4);
  assert.equal(buf.consume(), undefined);
  // Writes after a drain are read again, also into the page the reader holds.
  buf.write(0, 4, 4);
  assert.equal(buf.consume()?.entry, 4);
  buf.write(0, 5, 5);
  assert.deepEqual(entriesOf(buf), [5]);
  assert.equal(buf.consume()?.entry, 5);
});

Deno.test("TraceRingBuffer never overwrites the page the reader holds", () => {
  // 2 pages of 4 events. Consuming takes page [0..3] out of the ring.
  const buf = buffer(1, 1, 1020);
  for (let i = 0; i < 8; i++) buf.write(0, i, i);
  assert.equal(buf.consume()?.entry, 0);
  // The ring now has [4..7] and room for one more page.
  for (let i = 8; i < 12; i++) buf.write(0, i, i);
  assert.equal(buf.overrun(), 0);
  buf.write(0, 12, 12); // drops [4..7], not the reader's [1..3]
  assert.equal(buf.overrun(), 4);
  assert.deepEqual(entriesOf(buf), [1, 2, 3, 8, 9, 10, 11, 12]);
  assert.equal(buf.entries(), 8);
});

Deno.test("TraceRingBuffer resize() keeps the newest pages and counts the rest as overrun", () => {
  const buf = buffer(1, 16, 1020); // ceil(16384 / 4080) = 5 pages
  for (let i = 0; i < 20; i++) buf.write(0, i, i);
  assert.equal(buf.overrun(), 0);
  buf.resize(8); // ceil(8192 / 4080) = 3 pages
  assert.equal(buf.sizeKb, 11); // 12240 >> 10
  assert.equal(buf.overrun(), 8);
  assert.deepEqual(entriesOf(buf), [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  buf.resize(64);
  for (let i = 20; i < 40; i++) buf.write(0, i, i);
  assert.equal(buf.overrun(), 8);
  assert.equal(buf.entries(), 32);
});

Deno.test("TraceRingBuffer reset() empties the buffers and zeroes the counters", () => {
  const buf = buffer(2, 1, 1020);
  for (let i = 0; i < 12; i++) buf.write(i % 2, i, i);
  buf.consume();
  buf.reset();
  assert.deepEqual([buf.entries(), buf.overrun(), buf.written(), buf.consumed()], [0, 0, 0, 0]);
  assert.equal(buf.consume(), undefined);
  buf.write(1, 100, 100);
  assert.deepEqual(entriesOf(buf), [100]);
  assert.equal(buf.sizeKb, 7);
});

Deno.test("TraceRingBuffer refuses bad sizes, CPU counts and CPUs with a typed error", () => {
  const errno = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof TraceBufferError);
      return e.errno;
    }
    assert.fail("expected a TraceBufferError");
  };
  const make = (cpus: number, sizeKb: number) =>
    new TraceRingBuffer<number>({ cpus, sizeKb, entrySize: () => 8 });
  assert.equal(errno(() => make(1, 0)), -22);
  assert.equal(errno(() => make(1, -1)), -22);
  assert.equal(errno(() => make(1, 1.5)), -22);
  assert.equal(errno(() => make(1, NaN)), -22);
  assert.equal(errno(() => make(1, MAX_BUFFER_SIZE_KB + 1)), -12);
  assert.equal(errno(() => make(0, 8)), -22);
  assert.equal(errno(() => make(2.5, 8)), -22);
  const buf = make(2, 8);
  assert.equal(errno(() => buf.resize(0)), -22);
  assert.equal(errno(() => buf.write(2, 0, 0)), -22);
  assert.equal(errno(() => buf.write(-1, 0, 0)), -22);
  assert.equal(errno(() => buf.entries(5)), -22);
  const bad = new TraceRingBuffer<number>({ cpus: 1, sizeKb: 8, entrySize: () => NaN });
  assert.equal(errno(() => bad.write(0, 0, 0)), -22);
  assert.match(
    (() => {
      try {
        buf.resize(0);
      } catch (e) {
        return (e as Error).message;
      }
      return "";
    })(),
    /^Cannot size the trace buffer to 0 KB: /,
  );
  // A refused resize leaves the size as it was.
  assert.equal(buf.sizeKb, 11);
});
