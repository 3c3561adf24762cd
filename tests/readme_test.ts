// Copyright 2026 the kprobes-sim authors. MIT license.
// README.md shows what the code does: every command transcript in it is the
// output of a real run, every TypeScript block is either run by
// `deno test --doc` or an exact excerpt of a file.
//
// A transcript is a fenced block whose first line starts with `$ `. Each
// `$ deno run -A cli.ts ARGS` line is run from the package root (a
// subprocess, as the reader would type it; `'…'` quotes a word, a trailing
// ` \` continues the line); the lines up to the next `$ ` line are its
// expected output: stdout, then stderr. The command must exit 0
// unless its comment says `# … exit N`. The expected lines must match the
// whole output, line for line, with two relaxations:
//
// - Elision: a line that is exactly `...` stands for any number of lines
//   (none included); `...` inside a line stands for any run of characters.
// - Masking: a run of two or more `x` stands for as many hex digits
//   (`0-9a-f`, each `x` one digit, so the width is kept): `[    0.0xxxxx]`
//   is a timestamp below 0.1 s, `ffffffff810xxxxx` an x86_64 text address.
//   When the run follows a `0` that starts a number (a `0` not preceded by
//   a letter, digit, `_` or `.`), its first `x` is the literal `x` of the
//   `0x` prefix: `0xxxx` is `0x` and three digits. Everything else is
//   literal: `do_fork+0x0` does not match `do_fork+0x1`, `eflags=0x246`
//   does not match `eflags=0x146`.
//
// An excerpt is a ```ts ignore block preceded by
// `<!-- readme-test: excerpt FILE -->`: split at its `// ...` lines, each
// piece must occur verbatim in FILE, in order.

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const README = new URL("README.md", ROOT);

/** A fenced code block of a Markdown file. */
interface Fence {
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string (`ts ignore`, `sh`, ``). */
  info: string;
  /** The lines between the fences. */
  body: string[];
  /** The last non-blank line before the opening fence. */
  before: string;
}

/** The fenced blocks of `md` (``` fences, indented ones in list items too, not nested). */
function fences(md: string): Fence[] {
  const lines = md.split("\n");
  const out: Fence[] = [];
  let before = "";
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```(.*)$/.exec(lines[i]);
    if (open === null) {
      if (lines[i].trim() !== "") before = lines[i].trim();
      continue;
    }
    const [, indent, info] = open;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== `${indent}\`\`\``; i++) {
      body.push(lines[i].startsWith(indent) ? lines[i].slice(indent.length) : lines[i]);
    }
    assert.ok(i < lines.length, `README.md:${start + 1}: the block is not closed`);
    out.push({ line: start + 1, info: info.trim(), body, before });
    before = "";
  }
  return out;
}

/** One `$ ` command of a transcript and its expected output. */
interface Transcript {
  /** 1-based README line of the `$ ` line. */
  line: number;
  /** The command as written, without its comment. */
  command: string;
  /** The arguments after `deno run -A cli.ts`. */
  args: string[];
  /** The expected exit status (`# … exit N`, else 0). */
  status: number;
  /** The expected output lines. */
  expected: string[];
}

const CLI = "deno run -A cli.ts ";

/**
 * Splits a command as sh would, for the subset transcripts may use: words
 * separated by blanks, `'…'` quoting anything but `'`. Any other shell
 * syntax (`"`, `\\`, `$`, `|`, `<`, `>`, `;`, `&`, backquote) outside quotes is refused.
 */
function shellWords(command: string, where: string): string[] {
  const words: string[] = [];
  let cur: string | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      assert.ok(end > i, `${where}: an unclosed quote`);
      cur = (cur ?? "") + command.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(c)) {
      if (cur !== null) words.push(cur);
      cur = null;
    } else {
      assert.doesNotMatch(c, /["\\|<>;&$`]/, `${where}: no shell syntax outside '…'`);
      cur = (cur ?? "") + c;
    }
  }
  if (cur !== null) words.push(cur);
  return words;
}

/**
 * The commands of a transcript block (its first line starts with `$ `). A
 * command line ending in ` \\` goes on on the next line.
 */
function transcripts(f: Fence): Transcript[] {
  const out: Transcript[] = [];
  let continued: { text: string; k: number } | null = null;
  f.body.forEach((line, k) => {
    if (continued !== null) {
      continued.text = continued.text.slice(0, -1).trimEnd() + " " + line.trim();
      if (!continued.text.endsWith(" \\")) {
        out.push(command(f, continued.text, continued.k));
        continued = null;
      }
      return;
    }
    if (!line.startsWith("$ ")) {
      out.at(-1)!.expected.push(line);
      return;
    }
    if (line.endsWith(" \\")) continued = { text: line, k };
    else out.push(command(f, line, k));
  });
  return out;
}

/** One `$ ` command line (joined if continued) as a transcript. */
function command(f: Fence, text: string, k: number): Transcript {
  const hash = text.search(/\s#/);
  const command = (hash < 0 ? text.slice(2) : text.slice(2, hash)).trim();
  const comment = hash < 0 ? "" : text.slice(hash);
  const where = `README.md:${f.line + 1 + k}`;
  assert.ok(command.startsWith(CLI), `${where}: a transcript runs "${CLI}…", not "${command}"`);
  const status = /\bexit (\d+)\b/.exec(comment);
  return {
    line: f.line + 1 + k,
    command,
    args: shellWords(command.slice(CLI.length), where),
    status: status === null ? 0 : Number(status[1]),
    expected: [],
  };
}

/** The regular expression of one expected line (see the rules above). */
function lineRegExp(expected: string): RegExp {
  let src = "";
  let i = 0;
  while (i < expected.length) {
    if (expected.startsWith("...", i)) {
      src += ".*";
      i += 3;
      continue;
    }
    let n = 0;
    while (expected[i + n] === "x") n++;
    if (n >= 2) {
      const prev = expected[i - 1];
      const numberStartZero = prev === "0" && !/[0-9A-Za-z_.]/.test(expected[i - 2] ?? "");
      src += (numberStartZero ? "x" : "") + `[0-9a-f]{${numberStartZero ? n - 1 : n}}`;
      i += n;
      continue;
    }
    src += expected[i].replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    i++;
  }
  return new RegExp(`^${src}$`);
}

/**
 * Matches `actual` against `expected` (elision and masking); returns null on
 * a match, else the first expected line no alignment got past.
 */
function mismatch(expected: readonly string[], actual: readonly string[]): string | null {
  const res = expected.map((e) => e === "..." ? null : lineRegExp(e));
  const failed = new Set<string>();
  let furthest = 0;
  const go = (i: number, j: number): boolean => {
    furthest = Math.max(furthest, i);
    if (i === res.length) return j === actual.length;
    const key = `${i},${j}`;
    if (failed.has(key)) return false;
    const re = res[i];
    const ok = re === null
      ? Array.from({ length: actual.length - j + 1 }, (_, k) => j + k).some((k) => go(i + 1, k))
      : j < actual.length && re.test(actual[j]) && go(i + 1, j + 1);
    if (!ok) failed.add(key);
    return ok;
  };
  if (go(0, 0)) return null;
  return furthest < expected.length
    ? `no output line matches expected line ${furthest + 1}: ${expected[furthest]}`
    : "the output goes on past the last expected line (end the block with ... to elide)";
}

/** Runs a transcript's command from the package root, as a reader would. */
async function run(t: Transcript): Promise<{ code: number; lines: string[]; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", ...t.args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  const stdout = dec.decode(out.stdout);
  const stderr = dec.decode(out.stderr);
  const lines = (stdout + stderr).replace(/\n$/, "").split("\n");
  return { code: out.code, lines: stdout + stderr === "" ? [] : lines, stderr };
}

/** Runs `jobs` with at most `limit` at a time; the promises resolve in order. */
function pool<T, R>(items: readonly T[], limit: number, job: (t: T) => Promise<R>): Promise<R>[] {
  const started: Promise<R>[] = [];
  const gates: Promise<unknown>[] = [];
  items.forEach((item, k) => {
    const p = (k < limit ? Promise.resolve() : gates[k - limit]).then(() => job(item));
    started.push(p);
    gates.push(p.catch(() => {}));
  });
  return started;
}

const PRINTK_LINE = /^\[\s*\d+\.[\dx]{6}\] /;

Deno.test("readme_test's matcher: masks keep widths, elisions are explicit, a stale offset fails", () => {
  const ok = (e: string[], a: string[]) => assert.equal(mismatch(e, a), null, `${e} vs ${a}`);
  const no = (e: string[], a: string[]) => assert.notEqual(mismatch(e, a), null, `${e} vs ${a}`);
  const trace = "[    0.000076]  [<ffffffff810014ab>] do_fork+0x1/0x318";
  ok(["[    0.0xxxxx]  [<ffffffff810xxxxx>] do_fork+0x1/0xxxx"], [trace]);
  no(["[    0.0xxxxx]  [<ffffffff810xxxxx>] do_fork+0x0/0xxxx"], [trace]);
  no(["[    0.0xxxxx]  [<ffffffff810xxxxx>] do_fork+0x1/0xxx"], [trace]); // width kept
  no(["[    0.1xxxxx]  [<ffffffff810xxxxx>] do_fork+0x1/0xxxx"], [trace]);
  no(["[    0.0xxxxx]  [<ffffffff811xxxxx>] do_fork+0x1/0xxxx"], [trace]);
  ok(["eflags=0x246"], ["eflags=0x246"]);
  no(["eflags=0x246"], ["eflags=0x146"]);
  no(["p->addr=0xxxxx"], ["p->addr=0x12345"]); // 0x and four digits
  ok(["p->addr=0xxxxx"], ["p->addr=0x1234"]);
  no(["a xx b"], ["a 0G b"]); // hex digits only, lower case
  ok(["took xxx ns"], ["took 576 ns"]);
  ok(["0.x"], ["0.x"]); // a lone x is literal
  no(["0.x"], ["0.5"]);
  // Elision: whole lines only where a line is "...", characters inside a line.
  ok(["a", "...", "d"], ["a", "b", "c", "d"]);
  ok(["a", "...", "b"], ["a", "b"]);
  no(["a", "d"], ["a", "b", "d"]);
  no(["a", "b"], ["a", "b", "c"]);
  no(["a", "b", "c"], ["a", "b"]);
  ok(["Linux version 2.6.12 ..."], ["Linux version 2.6.12 (gcc 12)"]);
  no(["Linux version 2.6.12 ..."], ["Linux version 2.6.13 (gcc 12)"]);
  ok(["filename:       .../examples/a.ts"], ["filename:       /w/examples/a.ts"]);
  // A regular-expression character in README text is literal.
  no(["a.c"], ["abc"]);
  ok(["[<x+y>]"], ["[<x+y>]"]);
});

Deno.test("README.md: every output block is a transcript, every ts block is run or an excerpt", async () => {
  const md = await Deno.readTextFile(README);
  const blocks = fences(md);
  const scripts = blocks.filter((f) => f.body[0]?.startsWith("$ "));
  assert.ok(scripts.length >= 5, "README.md has its transcripts");
  for (const f of blocks) {
    const isTranscript = f.body[0]?.startsWith("$ ") ?? false;
    // Kernel-log output outside a transcript would go unchecked.
    if (!isTranscript) {
      const stray = f.body.find((l) => PRINTK_LINE.test(l));
      assert.equal(stray, undefined, `README.md:${f.line}: log output outside a "$ " transcript`);
    }
    if (/^(ts|typescript)\b/.test(f.info)) {
      // `deno test --doc` runs a ts block unless it is marked ignore; an
      // ignored one must be an excerpt checked below.
      if (/\bignore\b/.test(f.info)) {
        assert.match(
          f.before,
          /^<!-- readme-test: excerpt \S+ -->$/,
          `README.md:${f.line}: an ignored ts block must be marked as an excerpt of a file`,
        );
      }
    }
  }
  // The test task runs README.md's ts blocks (--doc, no file list, README not excluded).
  const cfg = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  assert.match(cfg.tasks.test, /^deno test .*--doc\b/);
  assert.doesNotMatch(cfg.tasks.test, /\.ts\b|\.md\b/);
  assert.ok(!JSON.stringify(cfg.test?.exclude ?? []).includes("README"));
  // The first command of the README is shown with its output.
  const first = blocks[0].body[0].replace(/^npx -y /, "").replace(/\s+#.*$/, "");
  assert.ok(
    scripts.some((f) => transcripts(f).some((t) => t.command === first)),
    `README.md: "${first}" has a transcript`,
  );
});

Deno.test("README.md: excerpts are verbatim pieces of their files", async () => {
  const md = await Deno.readTextFile(README);
  const excerpts = fences(md).filter((f) => f.before.startsWith("<!-- readme-test: excerpt "));
  assert.ok(excerpts.length >= 1);
  for (const f of excerpts) {
    const file = /^<!-- readme-test: excerpt (\S+) -->$/.exec(f.before)![1];
    const text = await Deno.readTextFile(new URL(file, ROOT));
    const pieces: string[][] = [[]];
    for (const l of f.body) {
      if (/^\s*\/\/ \.\.\.$/.test(l)) pieces.push([]);
      else pieces.at(-1)!.push(l);
    }
    let from = 0;
    for (const piece of pieces.filter((p) => p.length > 0)) {
      const at = text.indexOf(piece.join("\n") + "\n", from);
      assert.ok(
        at >= 0,
        `README.md:${f.line}: this piece is not in ${file} (after offset ${from}):\n${
          piece.join("\n")
        }`,
      );
      from = at + piece.join("\n").length;
    }
  }
});

Deno.test("README.md: each transcript is the output of a real run", async (t) => {
  const md = await Deno.readTextFile(README);
  const all = fences(md).filter((f) => f.body[0]?.startsWith("$ ")).flatMap(transcripts);
  const results = pool(all, 3, run);
  for (const [k, tr] of all.entries()) {
    await t.step(`README.md:${tr.line}: ${tr.command}`, async () => {
      const r = await results[k];
      const shown = `\n--- output of "${tr.command}" (exit ${r.code}) ---\n${r.lines.join("\n")}`;
      assert.equal(r.code, tr.status, `exit status${shown}`);
      const why = mismatch(tr.expected, r.lines);
      assert.equal(why, null, `README.md:${tr.line}: ${why}${shown}`);
    });
  }
});
