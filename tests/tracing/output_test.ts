// Copyright 2026 the kprobes-sim authors. MIT license.
// The `trace` file's text in Linux 6.1: the nop tracer's header
// (s_show(), print_event_info(), print_func_help_header_irq() in
// kernel/trace/trace.c) and the line context (trace_print_context(),
// trace_print_lat_fmt() in kernel/trace/trace_output.c). Expected bytes are
// spelled out from the C format strings.

import assert from "node:assert/strict";
import {
  formatTraceLine,
  ns2usecs,
  traceHeader,
  traceLatFmt,
  type TraceLineContext,
  traceLinePrefix,
} from "../../tracing/mod.ts";

Deno.test("traceHeader() prints the nop tracer's header byte for byte", () => {
  // "#                            %.*s  _-----=> …" with %.*s = 2 spaces.
  const expected = [
    "# tracer: nop",
    "#",
    "# entries-in-buffer/entries-written: 3/3   #P:2",
    "#",
    "#                                _-----=> irqs-off/BH-disabled",
    "#                               / _----=> need-resched",
    "#                              | / _---=> hardirq/softirq",
    "#                              || / _--=> preempt-depth",
    "#                              ||| / _-=> migrate-disable",
    "#                              |||| /     delay",
    "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION",
    "#              | |         |   |||||     |         |",
    "",
  ].join("\n");
  assert.equal(traceHeader({ entries: 3, written: 3, cpus: 2 }), expected);
});

Deno.test("traceHeader() prints counts, CPUs, tracer and the TGID column", () => {
  const h = traceHeader({ entries: 12, written: 30, cpus: 4, tracer: "function" });
  assert.ok(h.startsWith("# tracer: function\n#\n"));
  assert.ok(h.includes("# entries-in-buffer/entries-written: 12/30   #P:4\n#\n"));
  // record-tgid: precision 12 of "            ", "     TGID   ", "       |    ".
  const t = traceHeader({ entries: 0, written: 0, cpus: 1, recordTgid: true }).split("\n");
  assert.equal(t[4], "#                                          _-----=> irqs-off/BH-disabled");
  assert.equal(t[10], "#           TASK-PID       TGID    CPU#  |||||  TIMESTAMP  FUNCTION");
  assert.equal(t[11], "#              | |           |       |   |||||     |         |");
});

const CTX: TraceLineContext = {
  comm: "init",
  pid: 1,
  cpu: 0,
  irqsOff: false,
  needResched: false,
  hardirq: false,
  softirq: false,
  preemptDepth: 0,
  migrateDisable: 0,
  tsUs: 0,
};

Deno.test("traceLinePrefix() prints %16s-%-7d [%03d] flags %5lu.%06lu: ", () => {
  assert.equal(
    traceLinePrefix({ ...CTX, irqsOff: true, preemptDepth: 1, tsUs: 123 }),
    "            init-1       [000] d..1.     0.000123: ",
  );
  assert.equal(
    traceLinePrefix({ ...CTX, comm: "kworker/u16:2", pid: 12345, cpu: 13, tsUs: 98765_432109 }),
    "   kworker/u16:2-12345   [013] ..... 98765.432109: ",
  );
  // %5lu grows past 5 digits; %-7d past 7; %03d past 3.
  assert.equal(
    traceLinePrefix({ ...CTX, pid: 123456789, cpu: 1024, tsUs: 123456_000001 }),
    "            init-123456789 [1024] ..... 123456.000001: ",
  );
  // A comm longer than TASK_COMM_LEN - 1 is cut to 15 bytes.
  assert.equal(
    traceLinePrefix({ ...CTX, comm: "a_very_long_task_name" }).slice(0, 17),
    " a_very_long_tas-",
  );
  assert.equal(traceLinePrefix({ ...CTX, tsUs: 1_000_000 }).slice(-15), "     1.000000: ");
});

Deno.test("traceLatFmt() prints each flag as trace_print_lat_fmt()", () => {
  const f = (over: Partial<TraceLineContext>) => traceLatFmt({ ...CTX, ...over });
  assert.equal(f({}), ".....");
  // irqs-off column
  assert.equal(f({ irqsOff: true }), "d....");
  assert.equal(f({ irqsOff: true, bhOff: true }), "D....");
  assert.equal(f({ bhOff: true }), "b....");
  assert.equal(f({ irqsNoSupport: true }), "X....");
  // need-resched column
  assert.equal(f({ needResched: true }), ".n...");
  assert.equal(f({ needResched: true, preemptResched: true }), ".N...");
  assert.equal(f({ preemptResched: true }), ".p...");
  // hardirq/softirq column
  assert.equal(f({ hardirq: true }), "..h..");
  assert.equal(f({ softirq: true }), "..s..");
  assert.equal(f({ hardirq: true, softirq: true }), "..H..");
  assert.equal(f({ nmi: true }), "..z..");
  assert.equal(f({ nmi: true, hardirq: true }), "..Z..");
  // preempt depth and migrate-disable: hex, clamped to 0xf.
  assert.equal(f({ preemptDepth: 1 }), "...1.");
  assert.equal(f({ preemptDepth: 10 }), "...a.");
  assert.equal(f({ preemptDepth: 200 }), "...f.");
  assert.equal(f({ migrateDisable: 2 }), "....2");
  assert.equal(f({ migrateDisable: 99 }), "....f");
  assert.equal(
    f({ irqsOff: true, needResched: true, hardirq: true, preemptDepth: 2, migrateDisable: 1 }),
    "dnh21",
  );
});

Deno.test("formatTraceLine() joins prefix, event name and body as print_kprobe_event()", () => {
  const prefix = traceLinePrefix({ ...CTX, irqsOff: true, preemptDepth: 1, tsUs: 131 });
  assert.equal(
    formatTraceLine(prefix, "myret", "(do_syscall+0x48/0x52 <- sys_open) ret=-2"),
    "            init-1       [000] d..1.     0.000131: myret: (do_syscall+0x48/0x52 <- sys_open) ret=-2\n",
  );
});

Deno.test("ns2usecs() rounds to the nearest microsecond", () => {
  assert.equal(ns2usecs(0), 0);
  assert.equal(ns2usecs(499), 0);
  assert.equal(ns2usecs(500), 1);
  assert.equal(ns2usecs(1_234_567_890), 1_234_568);
});
