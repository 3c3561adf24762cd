// Copyright 2026 the kprobes-sim authors. MIT license.
// Differential truth for the integer ALU: tests/testdata/sparc64_alu/alu
// (built by make_alu_golden.py) runs every add/sub/logic/shift/multiply/
// divide/tagged op over a table of operands with two CCR/Y inputs, then
// movcc/movr/popc and Bicc/BPcc/BPr (annulled or not) over CCR values, and
// stores rd and CCR:Y per case; Sparc64Cpu must store exactly what
// qemu-sparc64 did (alu.out).

import assert from "node:assert/strict";
import { Sparc64Cpu } from "../../../arch/sparc64/mod.ts";
import { STOP_HALT } from "../../../arch/types.ts";
import { parseElf } from "../../../kernel-model/elf.ts";
import { Memory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../../kernel-model/memory.ts";

const DIR = new URL("../../testdata/sparc64_alu/", import.meta.url);

Deno.test("Sparc64Cpu stores what qemu-sparc64 does for every integer ALU op", () => {
  const elf = parseElf(Deno.readFileSync(new URL("alu", DIR)), "alu");
  const want = Deno.readFileSync(new URL("alu.out", DIR));
  const sym = (name: string) => elf.symbols.find((s) => s.name === name)!.value;
  const mem = new Memory({ littleEndian: false });
  mem.map(0x100000n, 0x200000, PROT_READ | PROT_WRITE | PROT_EXEC);
  for (const s of elf.segments) {
    if (s.type === 1) mem.writeBytes(s.vaddr, elf.bytes.subarray(s.offset, s.offset + s.filesz));
  }
  const halt = 0x2ff000n;
  mem.writeU32(halt, 0x91d0207e); // ta 0x7e
  const cpu = new Sparc64Cpu(mem);
  cpu.setReg(13, sym("buf")); // %o5
  cpu.setReg(15, halt - 8n); // %o7: retl lands on the halt
  cpu.setPc(sym("tests"));
  assert.equal(cpu.run(1_000_000), STOP_HALT);
  const got = mem.readBytes(sym("buf"), want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length && bad.length < 10; i += 16) {
    const w = want.subarray(i, i + 16);
    const g = got.subarray(i, i + 16);
    if (w.some((b, k) => b !== g[k])) {
      const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
      bad.push(`case ${i / 16}: rd, ccr:y ${hex(g)}, qemu ${hex(w)}`);
    }
  }
  assert.deepEqual(bad, []);
});
