// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The `kprobes-sim` command line: boot a simulated kernel, insert probe
 * modules, drive a workload and print the kernel log as a console would.
 *
 *     deno run -A cli.ts insmod examples/kprobe_example.ts
 *     deno run -A cli.ts kallsyms | grep do_fork
 *
 * @module
 */

import { Command, InvalidArgumentError } from "@commander-js/extra-typings";
import { ARCH_NAMES, expandScript, Kernel, KernelError, type Workload } from "./mod.ts";

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

async function readWorkload(path: string): Promise<Workload> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new KernelError(`Cannot read workload "${path}": ${e instanceof Error ? e.message : e}`);
  }
  try {
    const w = JSON.parse(text) as Workload;
    if (w === null || typeof w !== "object" || !Array.isArray(w.init)) {
      throw new Error(`expected an object with an "init" array of system calls`);
    }
    expandScript(w.init, "init");
    return w;
  } catch (e) {
    throw new KernelError(`Cannot read workload "${path}": ${e instanceof Error ? e.message : e}`);
  }
}

/** Builds the commander program; console lines go to `out`. */
function makeProgram(out: (line: string) => void = console.log) {
  const program = new Command()
    .name("kprobes-sim")
    .description("Kprobes on a simulated Linux kernel whose code is real machine code.")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeErr: (s) => Deno.stderr.writeSync(new TextEncoder().encode(s)) });

  program
    .command("insmod")
    .description("boot, insert the modules, run the workload, remove the modules, print the log")
    .argument("<files...>", "probe modules (.ts files exporting init_module/cleanup_module)")
    .option("--arch <arch>", "architecture", parseArch, "x86_64" as const)
    .option("--cpus <n>", "number of CPUs (NR_CPUS)", parseCpus, 1)
    .option("--preempt", "CONFIG_PREEMPT: the timer preempts kernel code", false)
    .option("--workload <file>", 'JSON workload: {"init": [{"call": "fork", "child": [...]}, ...]}')
    .action(async (files, opts) => {
      const workload = opts.workload ? await readWorkload(opts.workload) : undefined;
      const kernel = await Kernel.boot({
        arch: opts.arch,
        cpus: opts.cpus,
        preempt: opts.preempt,
        console: out,
      });
      const loaded: string[] = [];
      try {
        for (const f of files) loaded.push((await kernel.insmod(f)).name);
        const r = kernel.run({ workload });
        if (!r.completed) {
          throw new KernelError(
            "Cannot finish the workload: the kernel stopped making progress, see the log above",
          );
        }
      } finally {
        for (const name of loaded.reverse()) kernel.rmmod(name);
        await kernel.shutdown();
      }
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
 * @returns 0 on success, 1 on a user error, 2 on a usage error.
 */
export async function main(args: string[]): Promise<number> {
  const program = makeProgram();
  try {
    await program.parseAsync(args, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof Error && "exitCode" in e && "code" in e) {
      const code = (e as { exitCode: number; code: string }).code;
      if (code === "commander.helpDisplayed" || code === "commander.version") return 0;
      return 2;
    }
    if (e instanceof KernelError) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
