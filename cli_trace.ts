// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The CLI's `trace` command: kprobe events without a module.
 *
 *     deno run -A cli.ts trace 'p:myopen sys_open path=+0($arg1):ustring' \
 *                              'r:myret sys_open ret=$retval:s64'
 *
 * Boots a kernel, writes each definition to `kprobe_events`, sets the
 * `--filter`s, enables the events, runs the workload and streams
 * `trace_pipe` in Linux 6.1's format as events are recorded (or one JSON
 * object per event with `--json`), then `kprobe_profile` with `--profile`. A refused
 * definition or filter prints `error_log`'s three lines and exits 1.
 *
 * No module code runs here (the handlers are the tracer's own), so the
 * kernel runs in this thread, bounded by the kernel's soft-lockup watchdog
 * on the host clock; an Oops, panic or watchdog report exits 3.
 *
 * @module
 */

import type { Command } from "@commander-js/extra-typings";
import type { ArchName, Tracefs, Workload } from "./mod.ts";
// The library is imported when `trace` runs, not when the CLI starts (an
// insmod must not load the kernel on the main thread).

/** What `trace` needs from cli.ts. */
export interface TraceCommandContext {
  /** Prints a stdout line. */
  out: (line: string) => void;
  /** Prints stderr text. */
  err: (text: string) => void;
  /** Parses `--arch`. */
  parseArch: (v: string) => ArchName;
  /** Parses `--cpus`. */
  parseCpus: (v: string) => number;
  /** Parses `--watchdog`. */
  parseWatchdog: (v: string) => number;
  /** Ends the command with an exit status (its message already printed, or printed as `error:`). */
  exit: (code: number, message: string) => never;
}

/** Options of {@linkcode runTrace}. */
export interface TraceOptions {
  /** Architecture. */
  arch: ArchName;
  /** CPUs. */
  cpus: number;
  /** CONFIG_PREEMPT. */
  preempt: boolean;
  /** The workload, already read. */
  workload?: Workload;
  /** `EVENT:EXPR` filters. */
  filters: readonly string[];
  /** One JSON object per event. */
  json: boolean;
  /** Print kprobe_profile at the end. */
  profile: boolean;
  /** Do not print the kernel's console lines of the run. */
  quiet: boolean;
  /** The soft-lockup watchdog in host seconds. */
  watchdog: number;
}

/** The result of {@linkcode runTrace}: the exit status and what to print as `error:` lines. */
export interface TraceOutcome {
  /** 0, 1 or 3. */
  code: number;
  /** Error text for stderr (empty when it was printed already). */
  message: string;
}

/** The last entry of error_log: its three lines. */
function lastError(fs: Tracefs): string {
  const lines = fs.read("error_log").replace(/\n$/, "").split("\n");
  return lines.slice(-3).join("\n") + "\n";
}

function findEvent(fs: Tracefs, name: string): string | null {
  const events = fs.read("available_events").split("\n").filter((l) => l !== "");
  const want = name.replace("/", ":");
  const hit = events.find((e) => e === want || e.endsWith(`:${name}`));
  return hit === undefined ? null : hit.replace(":", "/");
}

/**
 * Runs `trace`: boot, define, filter, enable, run, print.
 *
 * @param defs The kprobe_events definitions.
 * @param opts The options.
 * @param out Prints a stdout line.
 * @param err Prints stderr text.
 * @returns The exit status and message.
 */
export async function runTrace(
  defs: readonly string[],
  opts: TraceOptions,
  out: (line: string) => void,
  err: (text: string) => void,
): Promise<TraceOutcome> {
  const { errnoName, Kernel } = await import("./mod.ts");
  let booted = false;
  const console = (line: string) => {
    if (booted && !opts.quiet) err(`${line}\n`);
  };
  await using kernel = await Kernel.boot({
    arch: opts.arch,
    cpus: opts.cpus,
    preempt: opts.preempt,
    console,
  });
  booted = true;
  const fs = kernel.tracefs;
  for (const def of defs) {
    const r = fs.write("kprobe_events", def, { append: true });
    if (r >= 0) continue;
    const log = fs.read("error_log");
    if (log !== "") err(lastError(fs));
    return {
      code: 1,
      message: `Cannot define "${def}": kprobe_events refused it with -${errnoName(r)}`,
    };
  }
  for (const f of opts.filters) {
    const colon = f.indexOf(":");
    const event = colon > 0 ? findEvent(fs, f.slice(0, colon)) : null;
    if (event === null) {
      return {
        code: 1,
        message: `Cannot set filter "${f}": ${
          colon > 0 ? `no event "${f.slice(0, colon)}" is defined` : "it is not EVENT:EXPR"
        }, name one of the events defined`,
      };
    }
    fs.write("error_log", "");
    if (fs.write(`events/${event}/filter`, f.slice(colon + 1)) < 0) {
      err(lastError(fs));
      return { code: 1, message: `Cannot set filter "${f}": the event filter refused it` };
    }
  }
  fs.write("events/enable", "1");
  // A reader on trace_pipe: each event printed as it is recorded, so a long
  // workload loses none to the ring buffer's overwriting.
  using _reader = fs.follow((line, rec) =>
    out(opts.json ? JSON.stringify(rec) : line.slice(0, -1))
  );
  const result = kernel.run({
    workload: opts.workload,
    watchdog: opts.watchdog,
    watchdogClock: "host",
  });
  if (opts.profile) {
    const profile = fs.read("kprobe_profile").replace(/\n$/, "").split("\n").filter((l) => l);
    if (opts.json) {
      const rows = profile.map((l) => l.trim().split(/\s+/)).map(([event, hits, misses]) => ({
        event,
        hits: Number(hits),
        misses: Number(misses),
      }));
      out(JSON.stringify({ profile: rows }));
    } else {
      for (const l of profile) out(l);
    }
  }
  const i = kernel.incidents;
  if (i.oopses + i.panics + i.handlerErrors + i.lockups > 0 || result.stopReason !== "completed") {
    return {
      code: 3,
      message: `The run ended with ${i.oopses} Oopses, ${i.panics} panics, ${i.lockups} ` +
        `watchdog reports (stop reason: ${result.stopReason}), see the log`,
    };
  }
  return { code: 0, message: "" };
}

/**
 * Adds `trace` to the CLI's program.
 *
 * @param program The commander program.
 * @param ctx Output and the option parsers of cli.ts.
 */
export function addTraceCommand(program: Command, ctx: TraceCommandContext): void {
  program
    .command("trace")
    .description(
      "boot, define kprobe events (kprobe_events syntax), run the workload, print trace_pipe",
    )
    .usage("[options] <definition...>")
    .argument("<definitions...>", "kprobe_events definitions, e.g. 'p:myopen sys_open'")
    .option(
      "--arch <arch>",
      "architecture: x86_64, i386, ppc64, sparc64",
      ctx.parseArch,
      "x86_64" as const,
    )
    .option("--cpus <n>", "number of CPUs", ctx.parseCpus, 1)
    .option("--preempt", "CONFIG_PREEMPT: the timer preempts kernel code", false)
    .option("--workload <file>", "JSON workload (default: the built-in one)")
    .option(
      "--filter <event:expr>",
      "an event filter, as written to events/<group>/<event>/filter (repeatable)",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option("--json", "one JSON object per event instead of trace_pipe lines", false)
    .option("--profile", "print kprobe_profile (event, hits, misses) at the end", false)
    .option("--quiet", "do not print the kernel's console lines of the run (stderr)", false)
    .option("--watchdog <seconds>", "soft-lockup watchdog, host seconds", ctx.parseWatchdog, 10)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  trace 'p:myopen sys_open path=+0($arg1):ustring flags=$arg2:x32'\n" +
        "  trace --filter 'myret:ret < 0' 'r:myret sys_open ret=$retval:s64'\n" +
        "\nExit status: 0 clean, 1 a definition or filter refused (error_log is printed),\n" +
        "2 usage error, 3 the kernel Oopsed or panicked or the watchdog fired.",
    )
    .action(async (defs, opts) => {
      const { loadWorkload } = await import("./mod.ts");
      const workload = opts.workload ? await loadWorkload(opts.workload) : undefined;
      const r = await runTrace(
        defs,
        {
          arch: opts.arch,
          cpus: opts.cpus,
          preempt: opts.preempt,
          workload,
          filters: opts.filter,
          json: opts.json,
          profile: opts.profile,
          quiet: opts.quiet,
          watchdog: opts.watchdog,
        },
        ctx.out,
        ctx.err,
      );
      if (r.code !== 0) ctx.exit(r.code, r.message);
    });
}
