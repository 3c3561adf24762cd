// Copyright 2026 the kprobes-sim authors. MIT license.
// disasm's printer for the sparc64 words Capstone cannot decode, checked
// against objdump's text for every such word of the image.

import assert from "node:assert/strict";
import { printSparc64Gap } from "../../probes/_sparc64_print.ts";

const GOLDEN = new URL("../testdata/sparc64_gap_words.txt", import.meta.url);

/** objdump's `[ %sp + 0x7ff ]` spaced as Capstone spaces it: `[%sp+0x7ff]`. */
function capstoneSpacing(text: string): string {
  return text.replace(/\[ ([^\]]*) \]/g, (_, inner: string) => `[${inner.replaceAll(" ", "")}]`);
}

Deno.test("printSparc64Gap() prints every Capstone gap word of vmlinux-sparc64 as objdump does", () => {
  const lines = Deno.readTextFileSync(GOLDEN).split("\n").filter((l) => l !== "" && l[0] !== "#");
  assert.ok(lines.length > 300, `${lines.length} golden lines`);
  const wrong: string[] = [];
  for (const line of lines) {
    const [, hexWord, ...text] = line.split(" ");
    const want = capstoneSpacing(text.join(" "));
    const p = printSparc64Gap(parseInt(hexWord, 16));
    const got = p === null ? "null" : `${p.mnemonic} ${p.operands}`.trimEnd();
    if (got !== want) wrong.push(`${hexWord}: got "${got}", objdump "${want}"`);
  }
  assert.deepEqual(wrong, []);
});

Deno.test("printSparc64Gap() leaves Capstone's words and invalid words alone", () => {
  assert.equal(printSparc64Gap(0x9de3bf50), null); // save %sp, -176, %sp
  assert.equal(printSparc64Gap(0x91d02070), null); // ta 0x70
  assert.equal(printSparc64Gap(0x00000000), null); // illtrap 0
  assert.equal(printSparc64Gap(0xffffffff), null);
});
