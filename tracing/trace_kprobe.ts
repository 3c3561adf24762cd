// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Kprobe events: each definition becomes a `TraceKprobe` whose kprobe (or
 * kretprobe) is registered at once, disabled, and enabled with its event;
 * several probes may share one event (multiprobe). On a hit the probe
 * fetches its arguments and records an entry in the trace ring buffer.
 * Linux: kernel/trace/trace_kprobe.c (trace_kprobe, register_trace_kprobe,
 * kprobe_dispatcher, kretprobe_dispatcher).
 *
 * @module
 */

import { EBUSY, EEXIST, EILSEQ, EINVAL, ENOENT, ENOMEM } from "../kernel-model/errno.ts";
import {
  type Kprobe,
  KPROBE_FLAG_DISABLED,
  type Kretprobe,
  type KretprobeInstance,
  type PtRegs,
} from "../probes/types.ts";
import {
  COMMON_FILTER_FIELDS,
  compileFilter,
  type FilterField,
  type FilterResult,
  GENERIC_FILTER_FIELDS,
} from "./filter.ts";
import { compileFetch, type Fetcher, type FetchValue, filterValue } from "./fetch_eval.ts";
import type { ProbeErrorName } from "./fetch_types.ts";
import { kstrto } from "./probe_args.ts";
import type { ProbeCommandError, ProbeDefinition } from "./probe_command.ts";
import type { HitContext, TracingHost } from "./tracing_host.ts";

/**
 * One recorded event: the CPU and task state at the hit, and the event's
 * fields. Linux: struct trace_entry, struct kprobe_trace_entry_head and the
 * arguments.
 */
export interface TraceEntry extends HitContext {
  /** The event. */
  event: TraceEvent;
  /** The probe that hit. */
  probe: TraceKprobe;
  /** The probed address (`__probe_ip`; a return probe's `__probe_func`). */
  ip: bigint;
  /** A return probe's return address (`__probe_ret_ip`); 0n otherwise. */
  retIp: bigint;
  /** The argument values. */
  values: FetchValue[];
  /** Bytes the entry takes in Linux's ring buffer. */
  size: number;
}

/** A trace event: one group/name, one or more probes. Linux: struct trace_probe_event. */
export class TraceEvent {
  /** Group (`kprobes`). */
  readonly group: string;
  /** Event name. */
  readonly name: string;
  /** Event type id. */
  readonly id: number;
  /** Its probes, the first being the primary (its args name the fields). */
  readonly probes: TraceKprobe[] = [];
  /** Enabled (`enable` is 1). */
  enabled = false;
  /** The last filter written (what the `filter` file shows), or undefined. */
  filterResult: FilterResult | undefined = undefined;
  /** The active filter, or null (none, cleared, or refused: every event passes). */
  filter: ((values: readonly (bigint | string)[]) => boolean) | null = null;

  /**
   * Makes an event.
   *
   * @param group The group.
   * @param name The name.
   * @param id The type id.
   */
  constructor(group: string, name: string, id: number) {
    this.group = group;
    this.name = name;
    this.id = id;
  }

  /** The primary probe's definition. */
  get primary(): ProbeDefinition {
    return this.probes[0].def;
  }

  /**
   * The fields a filter may name, in the order {@linkcode TraceEvent.filterValues}
   * gives them: the event's own (Linux looks them up first), then the
   * generic `cpu`/`comm` fields, then the common ones.
   *
   * @param bits The kernel's word size.
   * @returns The fields.
   */
  filterFields(bits: number): FilterField[] {
    const word = bits / 8;
    const fields: FilterField[] = [];
    if (this.primary.isReturn) {
      fields.push({ name: "__probe_func", kind: "unsigned", size: word });
      fields.push({ name: "__probe_ret_ip", kind: "unsigned", size: word });
    } else {
      fields.push({ name: "__probe_ip", kind: "unsigned", size: word });
    }
    for (const a of this.primary.args) {
      if (a.count) continue;
      fields.push({
        name: a.name,
        kind: a.type.string ? "string" : a.type.signed ? "signed" : "unsigned",
        size: a.type.size,
      });
    }
    return [...fields, ...GENERIC_FILTER_FIELDS, ...COMMON_FILTER_FIELDS];
  }

  /**
   * The values of {@linkcode TraceEvent.filterFields} for an entry.
   *
   * @param e The entry.
   * @returns The values.
   */
  filterValues(e: TraceEntry): (bigint | string)[] {
    const v: (bigint | string)[] = [e.ip];
    if (this.primary.isReturn) v.push(e.retIp);
    const args = this.primary.args;
    for (let i = 0; i < args.length; i++) {
      if (!args[i].count) v.push(filterValue(args[i], e.values[i]));
    }
    const c = e;
    const cpu = BigInt(c.cpu);
    // struct trace_entry: TRACE_FLAG_IRQS_OFF 0x01, NEED_RESCHED 0x04, HARDIRQ 0x08, SOFTIRQ 0x10.
    const flags = (c.irqsOff ? 0x01 : 0) | (c.needResched ? 0x04 : 0) |
      ((c.preemptCount & 0x0fff0000) !== 0 ? 0x08 : 0) |
      ((c.preemptCount & 0x0000ff00) !== 0 ? 0x10 : 0);
    v.push(cpu, cpu, cpu, c.comm, c.comm);
    v.push(BigInt(this.id), BigInt(flags), BigInt(c.preemptCount & 0xff), BigInt(c.pid));
    return v;
  }
}

/** One probe of an event. Linux: struct trace_kprobe. */
export class TraceKprobe {
  /** Its definition. */
  readonly def: ProbeDefinition;
  /** Its event. */
  event: TraceEvent;
  /** The kprobe (a return probe's `rp.kp`). */
  readonly kp: Kprobe;
  /** The return probe, for `r` definitions. */
  readonly rp: Kretprobe | null;
  /** Hits (Linux: tk->nhit). */
  nhit = 0;
  /** The definition line as `kprobe_events` shows it. */
  readonly line: string;
  /** Compiled fetches of the arguments (set when registered). */
  fetchers: Fetcher[] = [];
  /** Whether an argument stores strings (the entry's size then depends on them). */
  readonly dynamic: boolean;

  /**
   * Makes a probe (registered by {@linkcode TraceKprobes.create}).
   *
   * @param def The definition.
   * @param event Its event.
   * @param onHit Called with the registers (and the instance of a return probe) at each hit.
   */
  constructor(
    def: ProbeDefinition,
    event: TraceEvent,
    onHit: (tk: TraceKprobe, regs: PtRegs, ri: KretprobeInstance | null) => void,
  ) {
    this.def = def;
    this.event = event;
    const kp: Kprobe = { flags: KPROBE_FLAG_DISABLED };
    if (def.symbol !== null) {
      kp.symbol_name = def.symbol;
      kp.offset = def.offset;
    } else {
      kp.addr = def.addr;
    }
    if (def.isReturn) {
      this.rp = {
        kp,
        maxactive: def.maxactive,
        handler: (ri, regs) => {
          onHit(this, regs, ri);
          return 0;
        },
      };
    } else {
      this.rp = null;
      kp.pre_handler = (_p, regs) => {
        onHit(this, regs, null);
        return 0;
      };
    }
    this.kp = kp;
    this.dynamic = def.args.some((a) => a.type.string);
    const where = def.symbol === null
      ? `0x${def.addr!.toString(16)}`
      : def.offset
      ? `${def.symbol}+${def.offset}`
      : def.symbol;
    const args = def.args.map((a) => ` ${a.name}=${a.comm}`).join("");
    this.line = `${def.isReturn ? "r" : "p"}${
      def.isReturn && def.maxactive ? def.maxactive : ""
    }:${event.group}/${event.name} ${where}${args}`;
  }

  /** The probed address, set once registered. */
  address = 0n;

  /** Misses: the kprobe's, plus the return probe's. Linux: probes_profile_seq_show(). */
  get nmissed(): number {
    return (this.kp.nmissed ?? 0) + (this.rp?.nmissed ?? 0);
  }
}

/** The outcome of creating a probe: 0, or a refusal. */
export type CreateResult = 0 | ProbeCommandError;

/** The kprobe events of one kernel and the recording of their hits. */
export class TraceKprobes {
  readonly #host: TracingHost;
  readonly #record: (e: TraceEntry) => void;
  readonly #tracingOn: () => boolean;
  /** Every probe, in creation order (Linux's dyn_event list). */
  readonly probes: TraceKprobe[] = [];
  #nextId = 1200;
  readonly #word: 4 | 8;

  /**
   * Makes the kprobe events of a kernel.
   *
   * @param host The kernel.
   * @param record Stores an entry in the ring buffer.
   * @param tracingOn Whether `tracing_on` is 1.
   */
  constructor(host: TracingHost, record: (e: TraceEntry) => void, tracingOn: () => boolean) {
    this.#host = host;
    this.#record = record;
    this.#tracingOn = tracingOn;
    this.#word = host.bits === 64 ? 8 : 4;
  }

  /** The events, in creation order. */
  events(): TraceEvent[] {
    const out: TraceEvent[] = [];
    for (const tk of this.probes) if (!out.includes(tk.event)) out.push(tk.event);
    return out;
  }

  /** Finds an event. Linux: find_trace_kprobe(). */
  find(group: string, name: string): TraceEvent | undefined {
    return this.probes.find((tk) => tk.event.group === group && tk.event.name === name)?.event;
  }

  /**
   * Registers a parsed definition, appending to an event of the same name.
   * Linux: register_trace_kprobe(), append_trace_kprobe().
   *
   * @param def The definition.
   * @returns 0, or the errno and error_log entry.
   */
  create(def: ProbeDefinition): CreateResult {
    const old = this.find(def.group, def.event);
    const onHit = (tk: TraceKprobe, regs: PtRegs, ri: KretprobeInstance | null) =>
      this.#hit(tk, regs, ri);
    if (old !== undefined) {
      const to = old.primary;
      if (to.isReturn !== def.isReturn) return logged("DIFF_PROBE_TYPE", 0, EEXIST);
      const diff = compareArgTypes(def, to);
      if (diff !== 0) return logged("DIFF_ARG_TYPE", diff + 1, EEXIST);
      const same = old.probes.some((p) =>
        p.def.symbol === def.symbol && p.def.offset === def.offset && p.def.addr === def.addr &&
        p.def.args.every((a, i) => a.comm === def.args[i].comm)
      );
      if (same) return logged("SAME_PROBE", 0, EEXIST);
      const tk = new TraceKprobe(def, old, onHit);
      const r = this.#register(tk, old.enabled);
      if (r !== 0) return r;
      old.probes.push(tk);
      this.probes.push(tk);
      return 0;
    }
    const event = new TraceEvent(def.group, def.event, this.#nextId++);
    const tk = new TraceKprobe(def, event, onHit);
    const r = this.#register(tk, false);
    if (r !== 0) return r;
    event.probes.push(tk);
    this.probes.push(tk);
    return 0;
  }

  /** Linux: __register_trace_kprobe() and its error mapping in register_trace_kprobe(). */
  #register(tk: TraceKprobe, enabled: boolean): CreateResult {
    // Linux: traceprobe_update_arg() resolves @SYM now.
    for (const a of tk.def.args) {
      for (let i = 0; i < a.code.length; i++) {
        const c = a.code[i];
        if (c.op !== "NOP_SYMBOL") continue;
        const at = c.data.search(/[+-]/);
        const name = at < 0 ? c.data : c.data.slice(0, at);
        const off = at < 0 ? 0n : kstrto(c.data.slice(at), true);
        const addr = this.#host.lookupName(name);
        if (off === null) return { errno: EINVAL, log: null };
        if (addr === 0n) return logged("BAD_PROBE_ADDR", 1, ENOENT);
        a.code[i + 1].immediate = addr + off;
      }
    }
    tk.fetchers = tk.def.args.map((a) => compileFetch(a, this.#host));
    tk.kp.flags = enabled ? 0 : KPROBE_FLAG_DISABLED;
    const ret = tk.rp !== null
      ? this.#host.registerKretprobe(tk.rp)
      : this.#host.registerKprobe(tk.kp);
    if (ret === 0) {
      tk.address = BigInt(tk.kp.addr ?? 0);
      return 0;
    }
    const errno = -ret;
    if (errno === EILSEQ) return logged("BAD_INSN_BNDRY", 1, errno);
    if (errno === ENOENT) return logged("BAD_PROBE_ADDR", 1, errno);
    if (errno === ENOMEM || errno === EEXIST) return { errno, log: null };
    return logged("FAIL_REG_PROBE", 1, errno);
  }

  /**
   * Removes the probes matching `-:[GRP/]EVENT [SYM [ARGS]]`. Linux:
   * dyn_event_release(), trace_kprobe_match(), unregister_trace_kprobe().
   *
   * @param argv The words.
   * @returns 0 or a negative errno.
   */
  release(argv: readonly string[]): number {
    const head = argv[0];
    if (head[1] !== ":") return -EINVAL;
    let event = head.slice(2);
    let group: string | null = null;
    const slash = event.indexOf("/");
    if (slash >= 0) {
      group = event.slice(0, slash);
      event = event.slice(slash + 1);
    }
    if (group === null && event === "") return -EINVAL;
    let ret = -ENOENT;
    for (const tk of [...this.probes]) {
      if (event !== "" && tk.event.name !== event) continue;
      if (group !== null && tk.event.group !== group) continue;
      if (!matchHead(tk, argv.slice(1))) continue;
      ret = this.#free(tk);
      if (ret !== 0) break;
    }
    return ret;
  }

  /**
   * Removes every probe, or none when any event is enabled. Linux:
   * dyn_events_release_all().
   *
   * @returns 0 or -EBUSY.
   */
  releaseAll(): number {
    if (this.probes.some((tk) => tk.event.enabled)) return -EBUSY;
    for (const tk of [...this.probes]) this.#free(tk);
    return 0;
  }

  #free(tk: TraceKprobe): number {
    const ev = tk.event;
    if (ev.probes.length === 1 && ev.enabled) return -EBUSY;
    if (tk.rp !== null) this.#host.unregisterKretprobe(tk.rp);
    else this.#host.unregisterKprobe(tk.kp);
    ev.probes.splice(ev.probes.indexOf(tk), 1);
    this.probes.splice(this.probes.indexOf(tk), 1);
    return 0;
  }

  /**
   * Enables or disables an event: its probes' kprobes are armed or disarmed.
   * Linux: enable_trace_kprobe(), disable_trace_kprobe().
   *
   * @param ev The event.
   * @param on Enable or disable.
   */
  setEnabled(ev: TraceEvent, on: boolean): void {
    if (ev.enabled === on) return;
    ev.enabled = on;
    for (const tk of ev.probes) {
      if (on) this.#host.enableKprobe(tk.kp);
      else this.#host.disableKprobe(tk.kp);
    }
  }

  /**
   * Sets an event's filter; `0` clears it; a refused one leaves the event
   * unfiltered and its error in the `filter` file, as Linux does.
   *
   * @param ev The event.
   * @param text The expression.
   * @returns The compile result.
   */
  setFilter(ev: TraceEvent, text: string): FilterResult {
    const r = compileFilter(text, ev.filterFields(this.#host.bits));
    ev.filterResult = r;
    ev.filter = r.ok && !r.cleared ? r.match : null;
    return r;
  }

  /** Linux: kprobe_dispatcher() / kretprobe_dispatcher() and __kprobe_trace_func(). */
  #hit(tk: TraceKprobe, regs: PtRegs, ri: KretprobeInstance | null): void {
    tk.nhit++;
    const ev = tk.event;
    if (!ev.enabled || !this.#tracingOn()) return;
    const fetchers = tk.fetchers;
    const values: FetchValue[] = new Array(fetchers.length);
    // struct trace_entry, the probe's address(es), the arguments, then strings.
    let size = 8 + (ri === null ? 1 : 2) * this.#word + tk.def.size;
    for (let i = 0; i < fetchers.length; i++) values[i] = fetchers[i](regs);
    if (tk.dynamic) {
      for (const v of values) {
        if (typeof v === "string") size += v.length + 1;
        else if (Array.isArray(v)) {
          for (const x of v) if (typeof x === "string") size += x.length + 1;
        }
      }
    }
    const entry: TraceEntry = {
      cpu: 0,
      pid: 0,
      comm: "",
      preemptCount: 0,
      irqsOff: true,
      needResched: false,
      tsNs: 0,
      event: ev,
      probe: tk,
      ip: tk.address,
      retIp: ri === null ? 0n : this.#host.returnAddress(ri),
      values,
      size,
    };
    this.#host.hitContext(entry);
    const f = ev.filter;
    if (f !== null && !f(ev.filterValues(entry))) return;
    this.#record(entry);
  }
}

function logged(type: ProbeErrorName, index: number, errno: number): ProbeCommandError {
  return { errno, log: { type, index, offset: 0 } };
}

/** Linux: trace_probe_compare_arg_type(): 0, or the 1-based index of the first difference. */
function compareArgTypes(a: ProbeDefinition, b: ProbeDefinition): number {
  if (a.args.length < b.args.length) return a.args.length + 1;
  if (a.args.length > b.args.length) return b.args.length + 1;
  for (let i = 0; i < a.args.length; i++) {
    const x = a.args[i];
    const y = b.args[i];
    if (x.type !== y.type || x.count !== y.count || x.name !== y.name) return i + 1;
  }
  return 0;
}

/** Linux: trace_kprobe_match_command_head(). */
function matchHead(tk: TraceKprobe, argv: readonly string[]): boolean {
  if (argv.length === 0) return true;
  const d = tk.def;
  const where = d.symbol === null
    ? `0x${d.addr!.toString(16)}`
    : d.offset
    ? `${d.symbol}+${d.offset}`
    : d.symbol;
  if (where !== argv[0]) return false;
  const rest = argv.slice(1);
  if (rest.length > d.args.length) return false;
  return rest.every((w, i) => w === `${d.args[i].name}=${d.args[i].comm}` || w === d.args[i].comm);
}
