// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The `disasm` and `funcs` subcommands of the CLI: where a probe may go.
 *
 *     deno run -A cli.ts disasm do_fork            # objdump -d -l style, refusals marked
 *     deno run -A cli.ts disasm --arch ppc64 do_fork
 *     deno run -A cli.ts funcs 'sys_*'             # like perf probe -F
 *
 * Both boot a kernel of the chosen architecture and ask its Kprobes core,
 * so what they show is what `register_kprobe()` would do. An unknown
 * symbol or a bad pattern is a user error (exit status 1).
 *
 * @module
 */

import type { Command } from "@commander-js/extra-typings";
// The library is imported when a command runs, not when the CLI starts
// (an insmod must not load the kernel on the main thread).

/**
 * Adds `disasm` and `funcs` to the CLI program.
 *
 * @param program The commander program.
 * @param out Receives each stdout line.
 * @param parseArch Validates `--arch` (the CLI's own parser, so the usage errors match).
 * @param archNames The architectures `--arch` accepts, for the help text.
 */
export function addDisasmCommands(
  program: Command,
  out: (line: string) => void,
  parseArch: (v: string) => "x86_64" | "i386" | "ppc64" | "sparc64",
  archNames: readonly string[],
): void {
  program
    .command("disasm")
    .description(
      "disassemble a kernel function (objdump -d -l style) and mark where a kprobe may go",
    )
    .argument("<target>", "a function (do_fork), function+offset (do_fork+0x4) or hex address")
    .option("--arch <arch>", `architecture: ${archNames.join(", ")}`, parseArch, "x86_64" as const)
    .option("--json", "print the listing as one JSON object", false)
    .addHelpText(
      "after",
      "\nEach instruction line: a mark (blank: register_kprobe() accepts a kprobe there;\n" +
        '"-": it refuses one, with the errno and reason at the end of the line), the address,\n' +
        "bytes, mnemonic and operands; a file.c:line line whenever the source line changes.\n" +
        'On ppc64 a function name ("do_fork") is followed through its descriptor to .do_fork.',
    )
    .action(async (target, opts) => {
      const { Kernel } = await import("./mod.ts");
      const { disasmToJson, disassemble, formatDisasm } = await import("./probes/mod.ts");
      await using kernel = await Kernel.boot({ arch: opts.arch });
      const listing = await disassemble(kernel, target);
      if (opts.json) out(JSON.stringify(disasmToJson(listing)));
      else for (const line of formatDisasm(listing)) out(line);
    });

  program
    .command("funcs")
    .description("list the functions a kprobe may be placed on (like perf probe -F)")
    .argument("[glob]", "only names matching this pattern: * any characters, ? one")
    .option("--arch <arch>", `architecture: ${archNames.join(", ")}`, parseArch, "x86_64" as const)
    .option("--json", "print a JSON array of names", false)
    .action(async (glob, opts) => {
      const { Kernel, KernelError } = await import("./mod.ts");
      const { probeableFunctions } = await import("./probes/mod.ts");
      await using kernel = await Kernel.boot({ arch: opts.arch });
      const names = probeableFunctions(kernel, glob);
      if (names.length === 0 && !opts.json) {
        throw new KernelError(
          `Cannot list functions matching "${glob}": no probe-able function of the ${opts.arch} kernel matches, try a wider pattern such as '*${glob}*'`,
        );
      }
      if (opts.json) out(JSON.stringify(names));
      else for (const n of names) out(n);
    });
}
