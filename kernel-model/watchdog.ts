// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The host-side watchdog's heartbeat. A synchronous JavaScript handler that
 * never returns (`pre_handler: () => { for (;;) {} }`) cannot be stopped
 * from its own thread, so a kernel that runs untrusted handlers runs in a
 * Worker and marks, in a `SharedArrayBuffer`, "in handler X of module M on
 * CPU N" around every handler and module call ({@linkcode Heartbeat}). The
 * thread that started the worker polls the buffer ({@linkcode HeartbeatWatch})
 * and, when one mark has stood for longer than the bound, terminates the
 * worker and prints Linux's soft-lockup line naming the handler
 * ({@linkcode formatHandlerLockup}).
 *
 * The guest-side watchdog (a CPU that stays in kernel mode without
 * scheduling) lives in the kernel's run loop: see `RunOptions.watchdog`.
 *
 * Linux: `kernel/watchdog.c` (`watchdog_timer_fn()`, "BUG: soft lockup").
 *
 * @example A mark that stands too long expires
 * ```ts
 * import { Heartbeat, HeartbeatWatch } from "./watchdog.ts";
 * import assert from "node:assert/strict";
 * const labels = new Map<number, string>();
 * const beat = new Heartbeat(undefined, (id, text) => labels.set(id, text));
 * const watch = new HeartbeatWatch(beat.buffer, 1);
 * function pre_handler() {}
 * beat.enter("looper", "pre_handler", 0, pre_handler);
 * assert.equal(watch.poll(0), null);
 * const expired = watch.poll(1500);
 * assert.equal(labels.get(expired!.label), "pre_handler of module looper");
 * assert.equal(expired!.seconds, 1);
 * ```
 *
 * @module
 */

/** Bytes of the shared buffer a {@linkcode Heartbeat} needs. */
export const HEARTBEAT_BYTES = 32;

const DEPTH = 0;
const LABEL = 1;
const CPU = 2;
const SEQ = 3;
const PID = 4;
const COMM = 5;
const AT = 6;
const SLOTS = 5;

/** Who a CPU is running for, as the report's `[comm:pid]` shows it. */
export interface HeartbeatTask {
  /** The task's pid. */
  pid: number;
  /** Its name. */
  comm: string;
  /** Where the CPU is: `[<ffffffff810014ab>] do_fork+0x1/0x318`. */
  at?: string;
}

/**
 * The worker's half: marks entry to and exit from handlers and module
 * calls in a shared buffer. Marks nest (a handler hit from inside
 * `init_module`'s printk). Each distinct label is sent once through
 * `onLabel` (e.g. `postMessage`), so a mark is a few integer stores.
 */
export class Heartbeat {
  /** The shared buffer; give it to {@linkcode HeartbeatWatch}. */
  readonly buffer: SharedArrayBuffer;
  readonly #words: Int32Array;
  readonly #ids = new Map<unknown, Map<string, number>>();
  readonly #texts = new Map<string, number>();
  readonly #stack: number[] = [];
  readonly #onLabel: (id: number, text: string) => void;
  #taskOf: ((cpu: number) => HeartbeatTask) | null = null;

  /**
   * Creates a heartbeat over a shared buffer that a watching thread reads.
   *
   * @param buffer A `SharedArrayBuffer` of {@linkcode HEARTBEAT_BYTES} (default: a new one).
   * @param onLabel Receives each new label's id and text.
   */
  constructor(
    buffer: SharedArrayBuffer = new SharedArrayBuffer(HEARTBEAT_BYTES),
    onLabel: (id: number, text: string) => void = () => {},
  ) {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < HEARTBEAT_BYTES) {
      throw new TypeError(
        `Cannot use the heartbeat buffer: it must be a SharedArrayBuffer of ${HEARTBEAT_BYTES} bytes`,
      );
    }
    this.buffer = buffer;
    this.#words = new Int32Array(buffer, 0, HEARTBEAT_BYTES / 4);
    this.#onLabel = onLabel;
  }

  /**
   * Lets the heartbeat name the task a CPU runs (the kernel calls this at
   * boot).
   *
   * @param taskOf The current task of a CPU.
   */
  bindTasks(taskOf: (cpu: number) => HeartbeatTask): void {
    this.#taskOf = taskOf;
  }

  #intern(key: unknown, text: string): number {
    let byText = this.#ids.get(key);
    if (byText === undefined) this.#ids.set(key, byText = new Map());
    let id = byText.get(text);
    if (id === undefined) {
      id = this.#texts.get(text);
      if (id === undefined) {
        id = this.#texts.size + 1;
        this.#texts.set(text, id);
        this.#onLabel(id, text);
      }
      byText.set(text, id);
    }
    return id;
  }

  /**
   * Marks "CPU `cpu` is in `what` of module `owner`" until {@linkcode leave}.
   *
   * @param owner The module, or null for host code.
   * @param what The role: `pre_handler`, `init_module`…
   * @param cpu The CPU.
   * @param fn The function called (its name joins the label).
   */
  enter(owner: string | null, what: string, cpu: number, fn: unknown): void {
    const name = typeof fn === "function" ? fn.name : "";
    const label = this.#intern(fn, labelOf(owner, what, name));
    let pid = 0;
    let comm = 0;
    let at = 0;
    if (this.#taskOf !== null) {
      try {
        const t = this.#taskOf(cpu);
        pid = t.pid;
        comm = this.#intern(null, t.comm);
        if (t.at !== undefined) at = this.#intern(null, t.at);
      } catch {
        // No task to name: the report says swapper.
      }
    }
    this.#push(label, cpu, pid, comm, at);
  }

  #push(label: number, cpu: number, pid: number, comm: number, at: number): void {
    const w = this.#words;
    this.#stack.push(label, cpu, pid, comm, at);
    Atomics.store(w, LABEL, label);
    Atomics.store(w, CPU, cpu);
    Atomics.store(w, PID, pid);
    Atomics.store(w, COMM, comm);
    Atomics.store(w, AT, at);
    Atomics.store(w, DEPTH, this.#stack.length / SLOTS);
    Atomics.add(w, SEQ, 1);
  }

  /**
   * Marks a host phase that is not a handler (loading a module's code).
   *
   * @param text What the host is doing, e.g. `loading module "looper"`.
   */
  enterPhase(text: string): void {
    this.#push(this.#intern(undefined, text), 0, 0, 0, 0);
  }

  /** Ends the innermost mark. */
  leave(): void {
    const w = this.#words;
    const s = this.#stack;
    s.length = Math.max(0, s.length - SLOTS);
    const n = s.length;
    Atomics.store(w, LABEL, n === 0 ? 0 : s[n - 5]);
    Atomics.store(w, CPU, n === 0 ? 0 : s[n - 4]);
    Atomics.store(w, PID, n === 0 ? 0 : s[n - 3]);
    Atomics.store(w, COMM, n === 0 ? 0 : s[n - 2]);
    Atomics.store(w, AT, n === 0 ? 0 : s[n - 1]);
    Atomics.store(w, DEPTH, n / SLOTS);
    Atomics.add(w, SEQ, 1);
  }
}

function labelOf(owner: string | null, what: string, name: string): string {
  const who = owner === null ? "host code" : `module ${owner}`;
  return name === "" || name === what ? `${what} of ${who}` : `${what} ${name} of ${who}`;
}

/** What {@linkcode HeartbeatWatch.poll} reports when a mark outlived the bound. */
export interface HeartbeatExpiry {
  /** The label id of the mark (text from the worker's `onLabel`). */
  label: number;
  /** The CPU. */
  cpu: number;
  /** The interrupted task's pid (0: none). */
  pid: number;
  /** Label id of its comm (0: none). */
  comm: number;
  /** Label id of where the CPU was (0: unknown). */
  at: number;
  /** Whole seconds the mark has stood. */
  seconds: number;
}

/**
 * The watching thread's half: call {@linkcode poll} periodically; it
 * returns the standing mark once one has outlived `seconds`.
 */
export class HeartbeatWatch {
  readonly #words: Int32Array;
  readonly #limitMs: number;
  #seq = -1;
  #since = 0;

  /**
   * Creates a watcher over a heartbeat's buffer.
   *
   * @param buffer The {@linkcode Heartbeat}'s buffer.
   * @param seconds How long one mark may stand.
   */
  constructor(buffer: SharedArrayBuffer, seconds: number) {
    this.#words = new Int32Array(buffer, 0, HEARTBEAT_BYTES / 4);
    this.#limitMs = seconds * 1000;
  }

  /**
   * Looks at the heartbeat.
   *
   * @param now The current time in milliseconds (`performance.now()`).
   * @returns The expired mark, or null while all is well.
   */
  poll(now: number): HeartbeatExpiry | null {
    const w = this.#words;
    const seq = Atomics.load(w, SEQ);
    if (seq !== this.#seq) {
      this.#seq = seq;
      this.#since = now;
      return null;
    }
    if (Atomics.load(w, DEPTH) === 0 || now - this.#since < this.#limitMs) return null;
    return {
      label: Atomics.load(w, LABEL),
      cpu: Atomics.load(w, CPU),
      pid: Atomics.load(w, PID),
      comm: Atomics.load(w, COMM),
      at: Atomics.load(w, AT),
      seconds: Math.floor((now - this.#since) / 1000),
    };
  }
}

/** Everything {@linkcode formatHandlerLockup} prints. */
export interface HandlerLockupInfo {
  /** The CPU the handler runs on. */
  cpu: number;
  /** Seconds it has been stuck. */
  seconds: number;
  /** The interrupted task's comm (`swapper` when none). */
  comm: string;
  /** Its pid. */
  pid: number;
  /** The handler, e.g. `pre_handler handler_pre of module looper`. */
  handler: string;
  /** Where the CPU was when the handler was called: `[<ffffffff810014ab>] do_fork+0x1/0x318`. */
  at?: string;
  /** Modules loaded. */
  modules: readonly string[];
}

/**
 * The soft-lockup report for a host handler that never returned, one
 * string per line. No guest registers: the CPU is parked at the probe's
 * trap while the host runs the handler.
 *
 * @param o What to report.
 * @returns The lines.
 *
 * @example
 * ```ts
 * import { formatHandlerLockup } from "./watchdog.ts";
 * import assert from "node:assert/strict";
 * const lines = formatHandlerLockup({
 *   cpu: 0, seconds: 10, comm: "init", pid: 1,
 *   handler: "pre_handler of module looper", modules: ["looper"],
 * });
 * assert.equal(lines[0], "BUG: soft lockup - CPU#0 stuck for 10s! [init:1]");
 * ```
 */
export function formatHandlerLockup(o: HandlerLockupInfo): string[] {
  return [
    `BUG: soft lockup - CPU#${o.cpu} stuck for ${o.seconds}s! [${o.comm}:${o.pid}]`,
    `Modules linked in:${o.modules.map((m) => ` ${m}`).join("")}`,
    `CPU ${o.cpu}`,
    `Pid: ${o.pid}, comm: ${o.comm} Not tainted 2.6.12-kprobes-sim #1`,
    ...(o.at === undefined ? [] : [`IP: ${o.at}`]),
    `Stuck in ${o.handler} (host code: it never returned)`,
    `Kernel panic - not syncing: softlockup: hung tasks`,
  ];
}
