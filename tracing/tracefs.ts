// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * A kernel's tracefs, as mounted at /sys/kernel/tracing: `kprobe_events`,
 * `events/…/{enable,filter,format,id}`, `tracing_on`, `trace`,
 * `trace_pipe`, `kprobe_profile`, `error_log`, `README`,
 * `buffer_size_kb`, `available_events`. Reads return the file's text;
 * writes return the bytes written or a negative errno, as write(2) does.
 *
 * @module
 */

import { EINVAL, ENOENT } from "../kernel-model/errno.ts";
import { KernelError } from "../kernel-model/errors.ts";
import { fetchTypes } from "./fetch_types.ts";
import { jsonValue, printArg } from "./fetch_eval.ts";
import { formatTraceLine, ns2usecs, traceHeader, traceLinePrefix } from "./output.ts";
import { DEFAULT_SYS_FILTER_MESSAGE, filterErrorLogEntry, filterFileText } from "./filter_text.ts";
import {
  argvSplit,
  errorPosition,
  parseProbeCommand,
  type ProbeCommandHost,
} from "./probe_command.ts";
import { PROBE_ERRORS } from "./fetch_types.ts";
import { DEFAULT_BUFFER_SIZE_KB, TraceBufferError, TraceRingBuffer } from "./ring_buffer.ts";
import { type TraceEntry, type TraceEvent, TraceKprobes } from "./trace_kprobe.ts";
import type { TracingHost } from "./tracing_host.ts";
import { formatFile, README_TEXT, registerNames } from "./_format.ts";

/** Options of {@linkcode Tracefs.write}. */
export interface TracefsWriteOptions {
  /** Open with O_APPEND (`>>`) rather than O_TRUNC (`>`). Default false. */
  append?: boolean;
}

/** One event read from `trace_pipe` as data (what `trace --json` prints). */
export interface TraceRecordJson {
  /** Timestamp in seconds. */
  ts: number;
  /** CPU. */
  cpu: number;
  /** Task pid. */
  pid: number;
  /** Task comm. */
  comm: string;
  /** `group:event`. */
  event: string;
  /** The probed address as `sym+0xoff/0xsize`. */
  ip: string;
  /** The argument values by name. */
  fields: Record<string, unknown>;
}

interface ErrorLogEntry {
  tsUs: number;
  loc: string;
  message: string;
  command: string;
  pos: number;
}

/** Linux: TRACING_LOG_ERRS_MAX. */
const ERROR_LOG_MAX = 8;
const PREFIXES = ["/sys/kernel/tracing/", "/sys/kernel/debug/tracing/", "/"];

/**
 * The tracefs of one kernel. Get it from `kernel.tracefs`.
 *
 * @example Define, enable, run, read
 * ```ts
 * import { Kernel } from "../mod.ts";
 * import assert from "node:assert/strict";
 * await using kernel = await Kernel.boot();
 * const fs = kernel.tracefs;
 * assert.ok(fs.write("kprobe_events", "p:myfork do_fork flags=$arg1:x64") > 0);
 * fs.write("events/kprobes/myfork/enable", "1");
 * kernel.run();
 * assert.match(fs.read("trace"), /myfork: \(do_fork\+0x0\/0x[0-9a-f]+\) flags=0x/);
 * ```
 */
export class Tracefs {
  readonly #host: TracingHost;
  readonly #kprobes: TraceKprobes;
  readonly #ring: TraceRingBuffer<TraceEntry>;
  readonly #errors: ErrorLogEntry[] = [];
  readonly #parseHost: ProbeCommandHost;
  #tracingOn = true;
  #followers: ((line: string, record: TraceRecordJson) => void)[] = [];
  #symbolCounts: Map<string, number> | null = null;

  /**
   * Makes the tracefs of a kernel (`kernel.tracefs` does this once).
   *
   * @param host The kernel, as tracing sees it.
   * @param symbols Every symbol name of the kernel (for Linux's non-unique symbol check).
   */
  constructor(host: TracingHost, symbols: () => readonly string[]) {
    this.#host = host;
    this.#ring = new TraceRingBuffer<TraceEntry>({
      cpus: host.nrCpus,
      sizeKb: DEFAULT_BUFFER_SIZE_KB,
      entrySize: (e) => e.size,
      pageHeaderSize: host.bits === 64 ? 16 : 12,
    });
    this.#kprobes = new TraceKprobes(
      host,
      (e) => this.#commit(e),
      () => this.#tracingOn,
    );
    const count = (name: string) => {
      if (this.#symbolCounts === null) {
        this.#symbolCounts = new Map();
        for (const n of symbols()) this.#symbolCounts.set(n, (this.#symbolCounts.get(n) ?? 0) + 1);
      }
      return this.#symbolCounts.get(name) ?? (host.lookupName(name) !== 0n ? 1 : 0);
    };
    this.#parseHost = {
      bits: host.bits,
      types: fetchTypes(host.bits),
      registers: registerNames(host.arch),
      maxStack: 0x4000 / (host.bits / 8),
      lookupName: (n) => host.lookupName(n),
      isFunctionStart: (a) => host.isFunctionStart(a),
      countSymbols: count,
    };
  }

  /**
   * Reads a file.
   *
   * @param path A path under /sys/kernel/tracing (absolute or relative).
   * @returns Its text (`trace_pipe` consumes what it returns).
   * @throws {KernelError} When there is no such file.
   */
  read(path: string): string {
    const p = normalize(path);
    switch (p) {
      case "kprobe_events":
        return this.#kprobes.probes.map((tk) => tk.line + "\n").join("");
      case "kprobe_profile":
        return this.#kprobes.probes.map((tk) =>
          `  ${tk.event.name.padEnd(44)} ${String(tk.nhit).padStart(15)} ${
            String(tk.nmissed).padStart(15)
          }\n`
        ).join("");
      case "tracing_on":
        return this.#tracingOn ? "1\n" : "0\n";
      case "buffer_size_kb":
        return `${this.#ring.sizeKb}\n`;
      case "README":
        return README_TEXT;
      case "error_log":
        return this.#errors.map(formatError).join("");
      case "available_events":
        return this.#kprobes.events().map((e) => `${e.group}:${e.name}\n`).join("");
      case "trace":
        return this.#traceText();
      case "trace_pipe": {
        let out = "";
        for (let r = this.#ring.consume(); r !== undefined; r = this.#ring.consume()) {
          out += this.#formatEntry(r.entry);
        }
        return out;
      }
      case "events/enable":
        return enableText(this.#kprobes.events());
    }
    const ev = this.#eventPath(p);
    if (ev !== null) {
      const [events, file] = ev;
      if (file === "enable") return enableText(events);
      if (file === "filter" && p.split("/").length === 3) return DEFAULT_SYS_FILTER_MESSAGE;
      if (events.length === 1) {
        const e = events[0];
        if (file === "format") return formatFile(e, this.#host.bits);
        if (file === "id") return `${e.id}\n`;
        if (file === "filter") return filterFileText(e.filterResult);
      }
    }
    throw new KernelError(
      `Cannot read tracefs file "${path}": no such file, see the README file for the list`,
    );
  }

  /**
   * Writes a file, as `echo TEXT > path` (or `>>` with `append`).
   *
   * @param path A path under /sys/kernel/tracing.
   * @param text What to write.
   * @param options `append` for `>>`.
   * @returns The bytes written, or a negative errno (-EINVAL, -EBUSY, -ENOENT…).
   */
  write(path: string, text: string, options: TracefsWriteOptions = {}): number {
    const p = normalize(path);
    const bytes = new TextEncoder().encode(text).length;
    const append = options.append ?? false;
    switch (p) {
      case "kprobe_events": {
        if (!append) {
          const r = this.#kprobes.releaseAll();
          if (r < 0) return r;
          this.#ring.reset();
        }
        for (const raw of text.split("\n")) {
          const hash = raw.indexOf("#");
          const line = hash >= 0 ? raw.slice(0, hash) : raw;
          const r = this.#command(line);
          if (r < 0) return r;
        }
        return bytes;
      }
      case "error_log":
        if (!append) this.#errors.length = 0;
        return bytes;
      case "trace":
        if (!append) this.#ring.reset();
        return bytes;
      case "tracing_on": {
        const v = parseUlong(text);
        if (v === null) return -EINVAL;
        this.#tracingOn = v !== 0;
        return bytes;
      }
      case "buffer_size_kb": {
        const v = parseUlong(text);
        if (v === null || v === 0) return -EINVAL;
        try {
          this.#ring.resize(v);
        } catch (e) {
          if (e instanceof TraceBufferError) return e.errno;
          throw e;
        }
        return bytes;
      }
      case "events/enable":
        return this.#setEnable(this.#kprobes.events(), text, bytes);
    }
    const ev = this.#eventPath(p);
    if (ev !== null) {
      const [events, file] = ev;
      if (file === "enable") return this.#setEnable(events, text, bytes);
      if (file === "filter") {
        // A group's filter applies to each of its events (Linux: apply_subsystem_event_filter()).
        const subsystem = p.split("/").length === 3;
        let ret = bytes;
        for (const e of events) {
          const r = this.#kprobes.setFilter(e, text);
          if (r.ok) continue;
          const log = filterErrorLogEntry(r, { subsystem });
          this.#logError(log.loc, log.message, log.command, log.pos);
          ret = r.errno;
        }
        return ret;
      }
      if (events.length === 1 && (file === "format" || file === "id")) return -EINVAL;
    }
    return -ENOENT;
  }

  /**
   * Reads `trace_pipe` as a reader blocked on it would: each event, once
   * recorded, is consumed and handed to `reader` as its line and as data
   * (what `trace` streams). Events already in the buffer stay there.
   *
   * @param reader Called in the probe hit, with the line (newline included) and the record.
   * @returns Stops following.
   *
   * @example Stream a return probe's values
   * ```ts
   * import { Kernel } from "../mod.ts";
   * import assert from "node:assert/strict";
   * await using kernel = await Kernel.boot();
   * const fs = kernel.tracefs;
   * fs.write("kprobe_events", "r:myret sys_open ret=$retval:s64");
   * fs.write("events/enable", "1");
   * const rets: unknown[] = [];
   * using _ = fs.follow((_line, rec) => rets.push(rec.fields.ret));
   * kernel.run();
   * assert.deepEqual(rets.slice(0, 3), [3, -2, -13]);
   * assert.equal(fs.read("trace_pipe"), "");
   * ```
   */
  follow(reader: (line: string, record: TraceRecordJson) => void): Disposable {
    this.#followers.push(reader);
    return {
      [Symbol.dispose]: () => {
        const i = this.#followers.indexOf(reader);
        if (i >= 0) this.#followers.splice(i, 1);
      },
    };
  }

  #commit(e: TraceEntry): void {
    this.#ring.write(e.cpu, e.tsNs, e);
    if (this.#followers.length === 0) return;
    for (let r = this.#ring.consume(); r !== undefined; r = this.#ring.consume()) {
      const line = this.#formatEntry(r.entry);
      const rec = this.#record(r.entry);
      for (const f of [...this.#followers]) f(line, rec);
    }
  }

  /**
   * Consumes what `trace_pipe` holds, as data.
   *
   * @returns One record per event, oldest first.
   */
  consumeRecords(): TraceRecordJson[] {
    const out: TraceRecordJson[] = [];
    for (let r = this.#ring.consume(); r !== undefined; r = this.#ring.consume()) {
      out.push(this.#record(r.entry));
    }
    return out;
  }

  #record(e: TraceEntry): TraceRecordJson {
    const fields: Record<string, unknown> = {};
    e.event.primary.args.forEach((a, i) => {
      fields[a.name] = jsonValue(a, e.values[i], this.#host);
    });
    return {
      ts: ns2usecs(e.tsNs) / 1e6,
      cpu: e.cpu,
      pid: e.pid,
      comm: e.comm,
      event: `${e.event.group}:${e.event.name}`,
      ip: this.#host.formatSymbol(e.probe.def.isReturn ? e.retIp : e.ip),
      fields,
    };
  }

  /**
   * One entry as a `trace` line. Linux: print_trace_fmt() with
   * print_kprobe_event() / print_kretprobe_event().
   */
  #formatEntry(e: TraceEntry): string {
    const c = e;
    const h = this.#host;
    const prefix = traceLinePrefix({
      comm: c.comm,
      pid: c.pid,
      cpu: c.cpu,
      irqsOff: c.irqsOff,
      needResched: c.needResched,
      hardirq: (c.preemptCount & 0x0fff0000) !== 0,
      softirq: (c.preemptCount & 0x0000ff00) !== 0,
      preemptDepth: c.preemptCount & 0xff,
      migrateDisable: 0,
      tsUs: ns2usecs(c.tsNs),
    });
    const where = e.probe.def.isReturn
      ? `(${h.formatSymbol(e.retIp)} <- ${h.symbolName(e.ip)})`
      : `(${h.formatSymbol(e.ip)})`;
    const args = e.event.primary.args.map((a, i) => ` ${a.name}=${printArg(a, e.values[i], h)}`)
      .join("");
    return formatTraceLine(prefix, e.event.name, `${where}${args}`);
  }

  #traceText(): string {
    let out = traceHeader({
      entries: this.#ring.entries(),
      written: this.#ring.entries() + this.#ring.overrun(),
      cpus: this.#host.nrCpus,
    });
    for (const r of this.#ring.read()) out += this.#formatEntry(r.entry);
    return out;
  }

  /** One line of kprobe_events. Linux: create_or_delete_trace_kprobe(). */
  #command(line: string): number {
    const argv = argvSplit(line);
    if (argv.length === 0) return 0;
    if (argv[0][0] === "-") {
      const r = this.#kprobes.release(argv);
      if (r === 0) this.#ring.reset();
      return r;
    }
    const def = parseProbeCommand(argv, this.#parseHost);
    const result = "errno" in def ? def : this.#kprobes.create(def);
    if (result === 0) return 0;
    if (result.log !== null) {
      const { command, pos } = errorPosition(argv, result.log.index, result.log.offset);
      this.#logError("trace_kprobe", PROBE_ERRORS[result.log.type], command, pos);
    }
    return -result.errno;
  }

  #logError(loc: string, message: string, command: string, pos: number): void {
    if (this.#errors.length >= ERROR_LOG_MAX) this.#errors.shift();
    this.#errors.push({ tsUs: this.#host.clockUs(), loc, message, command, pos });
  }

  #setEnable(events: readonly TraceEvent[], text: string, bytes: number): number {
    const v = parseUlong(text);
    if (v === null || v > 1) return -EINVAL;
    for (const e of events) this.#kprobes.setEnabled(e, v === 1);
    return bytes;
  }

  /** `events/<group>[/<event>]/<file>` → the events and the file name; null otherwise. */
  #eventPath(p: string): [TraceEvent[], string] | null {
    const parts = p.split("/");
    if (parts[0] !== "events") return null;
    const all = this.#kprobes.events();
    if (parts.length === 3) {
      const events = all.filter((e) => e.group === parts[1]);
      return events.length > 0 && (parts[2] === "enable" || parts[2] === "filter")
        ? [events, parts[2]]
        : null;
    }
    if (parts.length === 4) {
      const e = all.find((x) => x.group === parts[1] && x.name === parts[2]);
      return e === undefined ? null : [[e], parts[3]];
    }
    return null;
  }
}

function normalize(path: string): string {
  let p = path;
  for (const pre of PREFIXES) {
    if (p.startsWith(pre)) {
      p = p.slice(pre.length);
      break;
    }
  }
  return p.replace(/\/+$/, "");
}

function parseUlong(text: string): number | null {
  const t = text.trim();
  return /^[0-9]+$/.test(t) ? Number(t) : null;
}

function enableText(events: readonly TraceEvent[]): string {
  if (events.length === 0) return "0\n";
  const on = events.filter((e) => e.enabled).length;
  return on === 0 ? "0\n" : on === events.length ? "1\n" : "X\n";
}

/** Linux: tracing_err_log_seq_show() (kernel/trace/trace.c). */
function formatError(e: ErrorLogEntry): string {
  const sec = Math.floor(e.tsUs / 1e6);
  const us = Math.floor(e.tsUs % 1e6);
  return `[${String(sec).padStart(5)}.${
    String(us).padStart(6, "0")
  }] ${e.loc}: error: ${e.message}\n` +
    `  Command: ${e.command}\n${" ".repeat(11 + e.pos)}^\n`;
}
