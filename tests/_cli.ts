// Copyright 2026 the kprobes-sim authors. MIT license.
// Runs cli.ts as a user would: a separate `deno run -A cli.ts …` process.

const root = new URL("../", import.meta.url);

/** What one cli.ts run left: its exit status and its whole output. */
export interface CliRun {
  /** Exit status. */
  code: number;
  /** Standard output, decoded. */
  stdout: string;
  /** Standard error, decoded. */
  stderr: string;
}

/**
 * Runs `deno run -A cli.ts ...args` from the repository root and waits for it.
 *
 * @param args The command line after `cli.ts`.
 * @returns Its exit status and output.
 */
export async function cli(...args: string[]): Promise<CliRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
