// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The `kprobes-sim` command line: boot a simulated kernel, insert probe
 * modules, drive a workload and print the kernel log as a console would.
 *
 *     deno run -A cli.ts insmod examples/kprobe_example.ts
 *     deno run -A cli.ts kallsyms | grep do_fork
 *
 * Exit status: 0 clean run, 1 user error (bad file, module refused,
 * permission denied), 2 usage error, 3 the kernel Oopsed or panicked, a
 * handler threw or a watchdog fired. `insmod` runs the kernel in a Worker
 * (`cli_worker.ts`) that this thread terminates when a handler stays in
 * one call longer than `--watchdog` seconds.
 *
 * @module
 */

import { Command, InvalidArgumentError } from "@commander-js/extra-typings";
import {
  ARCH_NAMES,
  formatHandlerLockup,
  HEARTBEAT_BYTES,
  HeartbeatWatch,
  Kernel,
  KernelError,
  loadWorkload,
  type Workload,
} from "./mod.ts";
import type { CliJob, CliWorkerMessage } from "./cli_worker.ts";

/** Where the CLI's output goes (default: the process's stdout and stderr). */
export interface CliIo {
  /** Receives each stdout line (console lines, kallsyms lines). */
  stdout?: (line: string) => void;
  /** Receives stderr text (error messages, usage). */
  stderr?: (text: string) => void;
}

/** Exit status: the run was clean. */
export const EXIT_OK = 0;
/** Exit status: a user error (file, module, permission, workload). */
export const EXIT_USER_ERROR = 1;
/** Exit status: a usage error (unknown command or option, bad value). */
export const EXIT_USAGE = 2;
/** Exit status: the kernel Oopsed or panicked, a handler threw, or a watchdog fired. */
export const EXIT_INCIDENT = 3;

function parseCpus(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 8) {
    throw new InvalidArgumentError(`"${v}" is not a CPU count from 1 to 8.`);
  }
  return n;
}

function parseArch(v: string): "x86_64" | "i386" | "ppc64" {
  if (!(ARCH_NAMES as readonly string[]).includes(v)) {
    throw new InvalidArgumentError(
      `"${v}" is not a supported architecture (${ARCH_NAMES.join(", ")}).`,
    );
  }
  return v as "x86_64";
}

function parseWatchdog(v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 86_400) {
    throw new InvalidArgumentError(`"${v}" is not a number of seconds above 0, at most 86400.`);
  }
  return n;
}

/** Reads and validates a workload file (regular file, size-limited, schema-checked). */
function readWorkload(path: string): Promise<Workload> {
  return loadWorkload(path);
}

/** An error that carries its exit status (the watchdog's, a denied permission's). */
class CliExit extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = "CliExit";
  }
}

/**
 * Refuses, before any work, a path that `--allow-read` does not cover
 * (asking first where Deno may prompt), naming the flag that would allow it.
 */
function checkReadable(path: string | URL, what: string, allow: string): void {
  if (
    typeof path === "string" && /^[a-z][a-z0-9+.-]*:/i.test(path) && !/^[a-z]:[\\/]/i.test(path)
  ) {
    return;
  }
  if (path instanceof URL && path.protocol !== "file:") return;
  let state: string;
  try {
    const desc = { name: "read", path } as const;
    state = Deno.permissions.querySync(desc).state;
    if (state === "prompt") state = Deno.permissions.requestSync(desc).state;
  } catch {
    return;
  }
  if (state !== "granted") {
    const shown = path instanceof URL ? decodeURIComponent(path.pathname) : path;
    throw new CliExit(
      EXIT_USER_ERROR,
      `Cannot ${what} "${shown}": read access to it is denied, allow it with --allow-read=${allow}`,
    );
  }
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

interface InsmodRun {
  files: string[];
  arch: CliJob["arch"];
  cpus: number;
  preempt: boolean;
  workload?: Workload;
  watchdog: number;
}

/**
 * Runs `insmod` in a worker, streaming its console lines to `out`; on a
 * handler that outlives the watchdog, terminates the worker and prints the
 * soft-lockup report. Returns the exit status and the error lines.
 */
function insmodInWorker(
  run: InsmodRun,
  out: (line: string) => void,
): Promise<{ code: number; errors: string[] }> {
  const buffer = new SharedArrayBuffer(HEARTBEAT_BYTES);
  const watch = new HeartbeatWatch(buffer, run.watchdog);
  const labels = new Map<number, string>();
  let modules: string[] = [];
  let stamp = "";
  const worker = new Worker(new URL("./cli_worker.ts", import.meta.url).href, { type: "module" });
  const channel = new MessageChannel();
  return new Promise((resolve) => {
    let finished = false;
    const finish = (code: number, errors: string[]) => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      worker.terminate();
      channel.port1.close();
      resolve({ code, errors });
    };
    const timer = setInterval(() => {
      const x = watch.poll(performance.now());
      if (x === null) return;
      const handler = labels.get(x.label) ?? "a handler";
      const lines = formatHandlerLockup({
        cpu: x.cpu,
        seconds: x.seconds,
        comm: x.pid === 0 && x.comm === 0 ? "swapper" : labels.get(x.comm) ?? "?",
        pid: x.pid,
        handler,
        at: x.at === 0 ? undefined : labels.get(x.at),
        modules,
      });
      worker.terminate();
      for (const l of lines) out(`${stamp}${l}`);
      finish(EXIT_INCIDENT, [
        `Cannot finish the run: ${handler} did not return within the ${run.watchdog}s watchdog, the kernel was stopped (see --watchdog)`,
      ]);
    }, Math.min(100, run.watchdog * 250));
    // The worker answers on a private port: module code in the worker can
    // call the global postMessage, but cannot forge these messages.
    channel.port1.onmessage = (e: MessageEvent<CliWorkerMessage>) => {
      if (finished) return;
      const m = e.data;
      switch (m.kind) {
        case "line": {
          out(m.line);
          const t = /^\[[ \d.]+\] /.exec(m.line);
          if (t) stamp = t[0];
          return;
        }
        case "label":
          labels.set(m.id, m.text);
          return;
        case "modules":
          modules = m.names;
          return;
        case "done":
          finish(m.code, m.errors);
      }
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      finish(EXIT_USER_ERROR, [`Cannot finish the run: the kernel's worker failed: ${e.message}`]);
    };
    const job: CliJob = { ...run, heartbeat: buffer, port: channel.port2 };
    worker.postMessage(job, [channel.port2]);
  });
}

/** Builds the commander program; console lines go to `out`, usage errors to `err`. */
function makeProgram(
  out: (line: string) => void = console.log,
  err: (text: string) => void = (s) => Deno.stderr.writeSync(new TextEncoder().encode(s)),
) {
  const program = new Command()
    .name("kprobes-sim")
    .description("Kprobes on a simulated Linux kernel whose code is real machine code.")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeErr: err, writeOut: (s) => out(s.replace(/\n$/, "")) });

  program
    .command("insmod")
    .description("boot, insert the modules, run the workload, remove the modules, print the log")
    .argument("<files...>", "probe modules (.ts files exporting init_module/cleanup_module)")
    .option("--arch <arch>", "architecture", parseArch, "x86_64" as const)
    .option("--cpus <n>", "number of CPUs (NR_CPUS)", parseCpus, 1)
    .option("--preempt", "CONFIG_PREEMPT: the timer preempts kernel code", false)
    .option("--workload <file>", 'JSON workload: {"init": [{"call": "fork", "child": [...]}, ...]}')
    .option(
      "--watchdog <seconds>",
      "soft-lockup watchdog: stop with exit status 3 when a handler does not return, or a CPU " +
        "stays in kernel mode without scheduling, for this many seconds",
      parseWatchdog,
      10,
    )
    .addHelpText(
      "after",
      "\nExit status: 0 clean, 1 user error, 2 usage error, 3 the kernel Oopsed or panicked,\n" +
        "a handler threw, or the watchdog fired. Untrusted modules need only read access:\n" +
        "  deno run --allow-read=. cli.ts insmod my_probe.ts",
    )
    .action(async (files, opts) => {
      const pkg = new URL(".", import.meta.url);
      checkReadable(pkg, "boot from", decodeURIComponent(pkg.pathname).replace(/\/$/, ""));
      if (opts.workload) checkReadable(opts.workload, "read workload", dirOf(opts.workload));
      for (const f of files) checkReadable(f, "insert module", dirOf(f));
      const workload = opts.workload ? await readWorkload(opts.workload) : undefined;
      const r = await insmodInWorker({
        files,
        arch: opts.arch,
        cpus: opts.cpus,
        preempt: opts.preempt,
        workload,
        watchdog: opts.watchdog,
      }, out);
      if (r.code !== EXIT_OK) throw new CliExit(r.code, r.errors.join("\n"));
    });

  program
    .command("kallsyms")
    .description("print /proc/kallsyms of the booted kernel")
    .option("--arch <arch>", "architecture", parseArch, "x86_64" as const)
    .action(async (opts) => {
      const kernel = await Kernel.boot({ arch: opts.arch });
      for (const line of kernel.procKallsyms().trimEnd().split("\n")) out(line);
      await kernel.shutdown();
    });
  return program;
}

/**
 * Runs the CLI; returns the exit code.
 *
 * @param args Command-line arguments.
 * @param io Where output goes (default: stdout and stderr).
 * @returns {@linkcode EXIT_OK} (0) on a clean run, {@linkcode EXIT_USER_ERROR}
 * (1) on a user error, {@linkcode EXIT_USAGE} (2) on a usage error,
 * {@linkcode EXIT_INCIDENT} (3) when the kernel Oopsed or panicked, a
 * handler threw or the watchdog fired.
 *
 * @example Usage errors exit 2
 * ```ts
 * import { main } from "./cli.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await main(["insmod", "--cpus", "0", "x.ts"], { stderr: () => {} }), 2);
 * ```
 */
export async function main(args: string[], io: CliIo = {}): Promise<number> {
  const stderr = io.stderr ?? ((s: string) => console.error(s.replace(/\n$/, "")));
  const program = makeProgram(io.stdout, io.stderr);
  try {
    await program.parseAsync(args, { from: "user" });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof Error && "exitCode" in e && "code" in e) {
      const code = (e as { exitCode: number; code: string }).code;
      if (code === "commander.helpDisplayed" || code === "commander.version") return EXIT_OK;
      return EXIT_USAGE;
    }
    if (e instanceof CliExit) {
      for (const line of e.message.split("\n")) if (line !== "") stderr(`error: ${line}\n`);
      return e.code;
    }
    if (e instanceof KernelError) {
      stderr(`error: ${e.message}\n`);
      return EXIT_USER_ERROR;
    }
    throw e;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
