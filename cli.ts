// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The `kprobes-sim` command line: boot a simulated kernel, insert probe
 * modules, drive a workload and print the kernel log as a console would.
 *
 *     deno run -A cli.ts insmod examples/kprobe_example.ts
 *     deno run -A cli.ts insmod --quiet examples/kprobe_example.ts symbol=do_exit
 *     deno run -A cli.ts modinfo examples/kprobe_example.ts
 *     deno run -A cli.ts kallsyms | grep do_fork
 *     deno run -A cli.ts disasm do_fork
 *     deno run -A cli.ts funcs 'sys_*'
 *     deno run -A cli.ts trace 'r:myret sys_open ret=$retval:s64'   (cli_trace.ts)
 *
 * Exit status: 0 clean run, 1 user error (bad file, module refused,
 * permission denied), 2 usage error, 3 the kernel Oopsed or panicked, a
 * handler threw or a watchdog fired. `insmod` runs the kernel in a Worker
 * (`cli_worker.ts`) that this thread terminates when a handler stays in
 * one call longer than `--watchdog` seconds.
 *
 * @module
 */

import type { ArchName, Workload } from "./mod.ts";
import { type CliModule, EXIT_OK, EXIT_USAGE, EXIT_USER_ERROR } from "./_cli_protocol.ts";
import { insmodInWorker, type KernelWorker, startWorker, startWorkerEarly } from "./_cli_run.ts";

// Start-up: `insmod` spends its time in the worker (loading the kernel's
// modules, booting, running), so the main thread starts the worker first
// and loads only what parsing needs: commander (imported when `main` runs,
// in parallel with the worker's loading), the watchdog and the message
// shapes. The library (`mod.ts`) is imported where a command needs it
// (modinfo, kallsyms, --workload), never for a plain insmod.

/** The library, imported only where a command needs it. */
type Library = typeof import("./mod.ts");

/**
 * Imports one of this package's modules when a command first needs it. The
 * URL is computed on purpose: before a program's first line runs, Deno reads
 * every module a literal `import()` names and all they import (here the whole
 * library and every arch), which would delay starting the kernel's worker.
 * (Commander keeps its literal import: resolving it costs nothing measurable,
 * and a published package needs the import map to rewrite it.)
 */
function importLate<T>(path: string): Promise<T> {
  return import(new URL(path, import.meta.url).href);
}

/**
 * What the commander program is built from, imported only when a command
 * line needs commander (a plain insmod does not): the package and the
 * `disasm`/`funcs` and `trace` commands.
 */
interface CommanderParts {
  cmd: typeof import("@commander-js/extra-typings");
  disasm: typeof import("./cli_disasm.ts");
  trace: typeof import("./cli_trace.ts");
}

/** Where the CLI's output goes (default: the process's stdout and stderr). */
export interface CliIo {
  /** Receives each stdout line (console lines, kallsyms lines). */
  stdout?: (line: string) => void;
  /** Receives stderr text (error messages, usage). */
  stderr?: (text: string) => void;
}

export { EXIT_INCIDENT, EXIT_OK, EXIT_USAGE, EXIT_USER_ERROR } from "./_cli_protocol.ts";

/**
 * The architectures `--arch` takes: the library's `ARCH_NAMES` (a test
 * checks they agree), spelled here so that parsing loads no kernel code.
 */
export const CLI_ARCH_NAMES = ["x86_64", "i386", "ppc64", "sparc64"] as const;

/**
 * Most CPUs `--cpus` takes: the NR_CPUS the guest images are built with
 * (raising it means rebuilding them, `deno task build-images`).
 */
export const CLI_MAX_CPUS = 64;

/** A bad option value; commander's InvalidArgumentError once commander is loaded. */
class BadValue extends Error {}

function parseCpus(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > CLI_MAX_CPUS) {
    throw new BadValue(`"${v}" is not a CPU count from 1 to ${CLI_MAX_CPUS}.`);
  }
  return n;
}

/** A `name=value` module parameter (name: a C identifier, `-` allowed as Linux's parameq). */
const PARAM_ARG = /^([A-Za-z_][A-Za-z0-9_-]*)=(.*)$/s;

/**
 * Splits insmod's arguments into modules and their parameters: each
 * `name=value` belongs to the module file before it (a file whose name
 * contains `=` is written `./a=b.ts`).
 */
function splitModuleArgs(args: readonly string[]): CliModule[] {
  const out: CliModule[] = [];
  for (const a of args) {
    const m = PARAM_ARG.exec(a);
    if (m === null) {
      out.push({ file: a, params: {} });
      continue;
    }
    const last = out.at(-1);
    if (last === undefined) {
      throw new CliExit(
        EXIT_USAGE,
        `Cannot set parameter "${a}": no module file comes before it, put it after its module`,
      );
    }
    last.params[m[1]] = m[2];
  }
  if (out.length === 0) {
    throw new CliExit(EXIT_USAGE, "Cannot insert modules: no module file given");
  }
  return out;
}

function parseArch(v: string): ArchName {
  if (!(CLI_ARCH_NAMES as readonly string[]).includes(v)) {
    throw new BadValue(
      `"${v}" is not a supported architecture (${CLI_ARCH_NAMES.join(", ")}).`,
    );
  }
  return v as ArchName;
}

function parseWatchdog(v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 86_400) {
    throw new BadValue(`"${v}" is not a number of seconds above 0, at most 86400.`);
  }
  return n;
}

/** Reads and validates a workload file (regular file, size-limited, schema-checked). */
async function readWorkload(path: string): Promise<Workload> {
  const { loadWorkload } = await importLate<Library>("./mod.ts");
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

/** One diagnostic of `deno check`. */
interface CheckDiagnostic {
  where: string;
  text: string;
}

/** Parses `deno check` output (NO_COLOR) into `file:line:col: TSxxxx message` diagnostics. */
function parseDenoCheck(output: string): CheckDiagnostic[] {
  const out: CheckDiagnostic[] = [];
  let cur: CheckDiagnostic | null = null;
  for (const line of output.split("\n")) {
    const head = /^(TS\d+) \[ERROR\]: (.*)$/.exec(line);
    if (head !== null) {
      cur = { where: "", text: `${head[1]} ${head[2]}` };
      out.push(cur);
      continue;
    }
    const at = /^\s+at (\S+):(\d+):(\d+)\s*$/.exec(line);
    if (at !== null && cur !== null && cur.where === "") {
      let file = at[1];
      try {
        const u = new URL(file);
        if (u.protocol === "file:") file = decodeURIComponent(u.pathname);
      } catch {
        // keep it as printed
      }
      cur.where = `${file}:${at[2]}:${at[3]}`;
    }
  }
  return out;
}

/**
 * `insmod --check`: type-checks the module files with `deno check`, using
 * this package's compiler options, and refuses (exit 1) with each type
 * error as `file:line:col: TSxxxx message` on stderr.
 */
async function checkModules(files: readonly string[], err: (text: string) => void): Promise<void> {
  const config = new URL("deno.json", import.meta.url);
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(Deno.execPath(), {
      args: [
        "check",
        "--quiet",
        "--no-lock",
        "--config",
        decodeURIComponent(config.pathname),
        ...files,
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
  } catch (e) {
    const denied = e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied;
    throw new CliExit(
      EXIT_USER_ERROR,
      `Cannot check modules ${files.map((f) => `"${f}"`).join(", ")}: ${
        denied
          ? "running deno check is not allowed, allow it with --allow-run or drop --check"
          : `deno check did not start (${e instanceof Error ? e.message : String(e)})`
      }`,
    );
  }
  if (output.success) return;
  const text = new TextDecoder().decode(output.stderr) + new TextDecoder().decode(output.stdout);
  const diags = parseDenoCheck(text);
  for (const d of diags) err(`${d.where === "" ? "" : `${d.where}: `}${d.text}\n`);
  if (diags.length === 0) err(text);
  throw new CliExit(
    EXIT_USER_ERROR,
    `Cannot insert modules: they do not type-check (${diags.length || "some"} error${
      diags.length === 1 ? "" : "s"
    }), fix them or run without --check`,
  );
}

/** insmod's options, as commander or {@linkcode parseInsmodFast} reads them. */
interface InsmodOptions {
  arch: ArchName;
  cpus: number;
  preempt: boolean;
  workload?: string;
  watchdog: number;
  check: boolean;
  quiet: boolean;
  json: boolean;
  list: boolean;
  profile: boolean;
}

/** insmod's options that take no value, by spelling. */
const INSMOD_FLAGS: ReadonlyMap<
  string,
  "preempt" | "check" | "quiet" | "json" | "list" | "profile"
> = new Map([
  ["--preempt", "preempt"],
  ["--check", "check"],
  ["--quiet", "quiet"],
  ["--json", "json"],
  ["--list", "list"],
  ["--profile", "profile"],
]);

/**
 * Reads a plain `insmod` command line without commander, whose Node
 * polyfills cost the main thread ~0.1 s of CPU (measured against an empty
 * `deno run`), time the kernel's worker needs on this 2-core machine:
 * module files and parameters, each option at most once, spelled
 * `--flag` or `--option value` with a valid value. Anything else (help, a
 * bad or unknown option, `--opt=value`, `--`, no file) returns null and
 * goes to commander, which parses and reports it as it always has.
 */
function parseInsmodFast(args: readonly string[]): { files: string[]; opts: InsmodOptions } | null {
  if (args[0] !== "insmod") return null;
  const opts: InsmodOptions = {
    arch: "x86_64",
    cpus: 1,
    preempt: false,
    watchdog: 10,
    check: false,
    quiet: false,
    json: false,
    list: false,
    profile: false,
  };
  const files: string[] = [];
  const seen = new Set<string>();
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("-")) {
      files.push(a);
      continue;
    }
    if (seen.has(a)) return null;
    seen.add(a);
    const flag = INSMOD_FLAGS.get(a);
    if (flag !== undefined) {
      opts[flag] = true;
      continue;
    }
    const v = args[++i];
    if (v === undefined || v.startsWith("-")) return null;
    try {
      if (a === "--arch") opts.arch = parseArch(v);
      else if (a === "--cpus") opts.cpus = parseCpus(v);
      else if (a === "--watchdog") opts.watchdog = parseWatchdog(v);
      else if (a === "--workload") opts.workload = v;
      else return null;
    } catch {
      return null;
    }
  }
  return files.length > 0 ? { files, opts } : null;
}

/** `insmod`: checks, reads the workload, runs the job in the worker, reports. */
async function runInsmod(
  args: string[],
  opts: InsmodOptions,
  out: (line: string) => void,
  err: (text: string) => void,
  takeWorker: (arch: ArchName) => KernelWorker,
): Promise<void> {
  const modules = splitModuleArgs(args);
  const pkg = new URL(".", import.meta.url);
  checkReadable(pkg, "boot from", decodeURIComponent(pkg.pathname).replace(/\/$/, ""));
  if (opts.workload) checkReadable(opts.workload, "read workload", dirOf(opts.workload));
  for (const { file } of modules) checkReadable(file, "insert module", dirOf(file));
  const workload = opts.workload ? await readWorkload(opts.workload) : undefined;
  if (opts.check) await checkModules(modules.map((m) => m.file), err);
  const r = await insmodInWorker(
    {
      modules,
      arch: opts.arch,
      cpus: opts.cpus,
      preempt: opts.preempt,
      workload,
      watchdog: opts.watchdog,
      quiet: opts.quiet,
      json: opts.json,
      list: opts.list,
      profile: opts.profile,
    },
    out,
    takeWorker(opts.arch),
  );
  if (opts.json) {
    out(JSON.stringify({ type: "summary", status: r.code, errors: r.errors, ...r.summary }));
  }
  if (r.code !== EXIT_OK) throw new CliExit(r.code, r.errors.join("\n"));
}

/**
 * Builds the commander program; console lines go to `out`, usage errors to
 * `err`; `insmod` runs in the worker `takeWorker` gives.
 */
function makeProgram(
  { cmd, disasm, trace }: CommanderParts,
  takeWorker: (arch: ArchName) => KernelWorker,
  out: (line: string) => void,
  err: (text: string) => void,
) {
  // Option parsers throw BadValue; commander reports its own error type.
  const value = <T>(parse: (v: string) => T) => (v: string): T => {
    try {
      return parse(v);
    } catch (e) {
      if (e instanceof BadValue) throw new cmd.InvalidArgumentError(e.message);
      throw e;
    }
  };
  const program = new cmd.Command()
    .name("kprobes-sim")
    .description("Kprobes on a simulated Linux kernel whose code is real machine code.")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeErr: err, writeOut: (s) => out(s.replace(/\n$/, "")) });

  program
    .command("insmod")
    .description("boot, insert the modules, run the workload, remove the modules, print the log")
    .usage("[options] <module> [name=value...] [<module> [name=value...]...]")
    .argument(
      "<files...>",
      "probe modules (.ts files exporting init_module/cleanup_module), each followed by its " +
        "parameters as name=value",
    )
    .option(
      "--arch <arch>",
      `architecture: ${CLI_ARCH_NAMES.join(", ")}`,
      value(parseArch),
      "x86_64" as const,
    )
    .option(`--cpus <n>`, `number of CPUs (NR_CPUS), 1 to ${CLI_MAX_CPUS}`, value(parseCpus), 1)
    .option("--preempt", "CONFIG_PREEMPT: the timer preempts kernel code", false)
    .option("--workload <file>", 'JSON workload: {"init": [{"call": "fork", "child": [...]}, ...]}')
    .option(
      "--watchdog <seconds>",
      "soft-lockup watchdog: stop with exit status 3 when a handler does not return, or a CPU " +
        "stays in kernel mode without scheduling, for this many seconds",
      value(parseWatchdog),
      10,
    )
    .option(
      "--check",
      "type-check the modules against the package (deno check) before booting; " +
        "needs --allow-run",
      false,
    )
    .option("--quiet", "do not print the boot messages (the log before the first module)", false)
    .option(
      "--json",
      "print JSON Lines: log records, system calls, probes' hits, incidents, a summary",
      false,
    )
    .option("--list", "print debugfs kprobes/list and lsmod after the modules are inserted", false)
    .option("--profile", "print kprobe_profile (hits, misses) after the workload", false)
    .addHelpText(
      "after",
      `\nArchitectures: ${
        CLI_ARCH_NAMES.join(", ")
      }. CPUs: 1 to ${CLI_MAX_CPUS} (the guest's NR_CPUS).\n` +
        "Parameters: insmod a.ts symbol=do_exit n=3 b.ts flag=y (see modinfo for a module's).\n" +
        "Each run boots its own kernel, so there is no lsmod command: --list shows lsmod.\n" +
        "\nExit status: 0 clean, 1 user error, 2 usage error, 3 the kernel Oopsed or panicked,\n" +
        "a handler threw, or the watchdog fired. Untrusted modules need only read access:\n" +
        "  deno run --allow-read=. cli.ts insmod my_probe.ts",
    )
    .action((files, opts) => runInsmod(files, opts, out, err, takeWorker));

  program
    .command("modinfo")
    .description("print a module's file, description, author, license and parameters")
    .argument("<files...>", "probe modules")
    .action(async (files) => {
      const { modinfo } = await importLate<Library>("./mod.ts");
      for (const f of files) {
        checkReadable(f, "read module", dirOf(f));
        for (const { key, value } of await modinfo(f)) out(`${`${key}:`.padEnd(16)}${value}`);
      }
    });

  program
    .command("kallsyms")
    .description("print /proc/kallsyms of the booted kernel")
    .option("--arch <arch>", "architecture", value(parseArch), "x86_64" as const)
    .action(async (opts) => {
      const { Kernel } = await importLate<Library>("./mod.ts");
      const kernel = await Kernel.boot({ arch: opts.arch });
      for (const line of kernel.procKallsyms().trimEnd().split("\n")) out(line);
      await kernel.shutdown();
    });
  disasm.addDisasmCommands(program, out, value(parseArch), CLI_ARCH_NAMES);
  trace.addTraceCommand(program, {
    out,
    err,
    parseArch: value(parseArch),
    parseCpus: value(parseCpus),
    parseWatchdog: value(parseWatchdog),
    exit: (code, message) => {
      throw new CliExit(code, message);
    },
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
  let early = startWorkerEarly(args);
  const takeWorker = (arch: ArchName) => {
    const kw = early ?? startWorker(arch);
    early = null;
    return kw;
  };
  const out = io.stdout ?? console.log;
  const err = io.stderr ?? ((s: string) => Deno.stderr.writeSync(new TextEncoder().encode(s)));
  try {
    const fast = parseInsmodFast(args);
    if (fast !== null) {
      await runInsmod(fast.files, fast.opts, out, err, takeWorker);
      return EXIT_OK;
    }
    const [cmd, disasm, trace] = await Promise.all([
      import("@commander-js/extra-typings"),
      importLate<CommanderParts["disasm"]>("./cli_disasm.ts"),
      importLate<CommanderParts["trace"]>("./cli_trace.ts"),
    ]);
    await makeProgram({ cmd, disasm, trace }, takeWorker, out, err)
      .parseAsync(args, { from: "user" });
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
    // Only a command that loaded the library can have thrown its errors.
    const { KernelError } = await importLate<Library>("./mod.ts");
    if (e instanceof KernelError) {
      stderr(`error: ${e.message}\n`);
      return EXIT_USER_ERROR;
    }
    throw e;
  } finally {
    // A usage error or another command: the early worker is not needed.
    early?.worker.terminate();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
