// Copyright 2026 the kprobes-sim authors. MIT license.
// The sparc64 decoder: fields of each instruction format by hand, reserved
// encodings, hostile words (never a throw, no stale fields), then the
// mnemonic of every word against Capstone 5.0 (through the alias table of
// _capstone.ts): a seeded sweep of every slot, and every instruction of the
// committed vmlinux-sparc64; the image's words Capstone cannot decode are
// checked against objdump's text instead (tests/testdata/sparc64_gap_words.txt).

import assert from "node:assert/strict";
import {
  ASI_REG,
  CC_ICC,
  CC_XCC,
  decodeSparc64,
  F_FP,
  isRelativeBranch,
  SPARC64_ILLEGAL_SLOT,
  SPARC64_MNEMONIC,
  SPARC64_SLOTS,
  type Sparc64DecodedInsn,
} from "../../../arch/sparc64/mod.ts";
import { parseElf } from "../../../kernel-model/elf.ts";
import {
  capstoneAlias,
  capstoneGap,
  loadSparcCapstone,
  type SparcDisassembler,
} from "./_capstone.ts";
import { objdumpText } from "./_objdump.ts";

const VMLINUX = new URL("../../../kernel-model/vmlinux/images/vmlinux-sparc64", import.meta.url);
const GAP_WORDS = new URL("../../testdata/sparc64_gap_words.txt", import.meta.url);
const GAP_REGENERATE = "run tests/testdata/make_sparc64_gap_words.sh";

function fields(d: Sparc64DecodedInsn, names: (keyof Sparc64DecodedInsn)[]): unknown[] {
  return names.map((n) => d[n]);
}

Deno.test("decodeSparc64() extracts rd, rs1, rs2 and simm13 of arithmetic and window forms", () => {
  assert.deepEqual(
    fields(decodeSparc64(0x9de3bf50), ["mnemonic", "op", "op3", "rd", "rs1", "i", "imm"]),
    [
      "save",
      2,
      0x3c,
      14,
      14,
      1,
      -176,
    ],
  ); // save %sp, -176, %sp
  assert.deepEqual(
    fields(decodeSparc64(0x8608c001), ["mnemonic", "rd", "rs1", "rs2", "i", "imm"]),
    [
      "and",
      3,
      3,
      1,
      0,
      0,
    ],
  ); // and %g3, %g1, %g3
  assert.deepEqual(fields(decodeSparc64(0x80a6001d), ["mnemonic", "rd", "rs1", "rs2"]), [
    "subcc",
    0,
    24,
    29,
  ]);
  assert.deepEqual(fields(decodeSparc64(0x91e80008), ["mnemonic", "rd", "rs1", "rs2"]), [
    "restore",
    8,
    0,
    8,
  ]);
  assert.deepEqual(fields(decodeSparc64(0x81cfe008), ["mnemonic", "rs1", "imm"]), [
    "return",
    31,
    8,
  ]);
  assert.deepEqual(fields(decodeSparc64(0x81c3e008), ["mnemonic", "rd", "rs1", "imm"]), [
    "jmpl",
    0,
    15,
    8,
  ]);
  assert.equal(decodeSparc64(0x81580000).mnemonic, "flushw");
});

Deno.test("decodeSparc64() extracts sethi, call and branch displacements", () => {
  const sethi = decodeSparc64(0x3b001099); // sethi %hi(0x426400), %i5
  assert.deepEqual(fields(sethi, ["mnemonic", "rd", "imm22", "imm"]), [
    "sethi",
    29,
    0x1099,
    0x1099 << 10,
  ]);
  assert.deepEqual(fields(decodeSparc64(0x01000000), ["mnemonic", "rd", "imm22"]), ["sethi", 0, 0]); // nop
  const call = decodeSparc64(0x7ffff254); // call .-0x36b0
  assert.deepEqual(fields(call, ["mnemonic", "op", "disp", "relative"]), ["call", 1, -0x36b0, 1]);
  assert.equal(decodeSparc64(0x40000010).disp, 0x40);
  const bicc = decodeSparc64(0x32bffffd); // bne,a .-12
  assert.deepEqual(fields(bicc, ["mnemonic", "op2", "cond", "annul", "disp"]), [
    "bne,a",
    2,
    9,
    1,
    -12,
  ]);
  const bpcc = decodeSparc64(0x126ffff7); // bne,pt %xcc, .-36
  assert.deepEqual(fields(bpcc, ["mnemonic", "cond", "cc", "predict", "disp"]), [
    "bne,pt",
    9,
    CC_XCC,
    1,
    -36,
  ]);
  assert.equal(decodeSparc64(0x12400008).cc, CC_ICC); // bne,pn %icc
  const bpr = decodeSparc64(0x02c20010); // brz,pn %o0, .+0x40 (d16hi 0, d16lo 0x10)
  assert.deepEqual(fields(bpr, ["mnemonic", "rcond", "rs1", "predict", "disp"]), [
    "brz,pn",
    1,
    8,
    0,
    0x40,
  ]);
  const back = decodeSparc64(0x2ef8fffb); // brgez,a,pt %g3, .-20 (d16hi 3)
  assert.deepEqual(fields(back, ["mnemonic", "annul", "disp"]), ["brgez,a,pt", 1, -20]);
});

Deno.test("decodeSparc64() extracts shifts, conditional moves, traps and membar", () => {
  assert.deepEqual(fields(decodeSparc64(0x932a700e), ["mnemonic", "x", "shcnt", "imm"]), [
    "sllx",
    1,
    14,
    14,
  ]);
  assert.deepEqual(fields(decodeSparc64(0x933a6018), ["mnemonic", "x", "shcnt"]), ["sra", 0, 24]);
  const movcc = decodeSparc64(0x83673001); // movgu %xcc, 1, %g1
  assert.deepEqual(fields(movcc, ["mnemonic", "cond", "cc", "fcc", "i", "imm", "rd"]), [
    "movgu",
    12,
    CC_XCC,
    0,
    1,
    1,
    1,
  ]);
  const movr = decodeSparc64(0x857f6401); // movrz %i5, 1, %g2
  assert.deepEqual(fields(movr, ["mnemonic", "rcond", "rs1", "imm", "rd"]), ["movrz", 1, 29, 1, 2]);
  const ta = decodeSparc64(0x91d02070); // ta 0x70: the kprobe breakpoint
  assert.deepEqual(fields(ta, ["mnemonic", "cond", "cc", "swTrap", "imm"]), [
    "ta",
    8,
    CC_ICC,
    0x70,
    0x70,
  ]);
  assert.equal(decodeSparc64(0x91d02071).swTrap, 0x71);
  const membar = decodeSparc64(0x8143e00c); // membar #StoreLoad | #StoreStore
  assert.deepEqual(fields(membar, ["mnemonic", "mmask", "cmask"]), ["membar", 0xc, 0]);
  assert.equal(decodeSparc64(0x8143c000).mnemonic, "stbar");
});

Deno.test("decodeSparc64() extracts ASIs, atomics and privileged registers", () => {
  const ldxa = decodeSparc64(0xcad80400); // ldxa [%g0] 0x20, %g5
  assert.deepEqual(fields(ldxa, ["mnemonic", "rd", "rs1", "asi", "flags"]).slice(0, 4), [
    "ldxa",
    5,
    0,
    0x20,
  ]);
  const viaReg = decodeSparc64(0xe0f5a7ff); // stxa %l0, [%l6 + 0x7ff] %asi
  assert.deepEqual(fields(viaReg, ["mnemonic", "i", "asi", "imm"]), ["stxa", 1, ASI_REG, 0x7ff]);
  const cas = decodeSparc64(0xcfe05003); // cas [%g1], %g3, %g7
  assert.deepEqual(fields(cas, ["mnemonic", "rs1", "rs2", "rd", "asi"]), ["casa", 1, 3, 7, 0x80]);
  assert.deepEqual(fields(decodeSparc64(0xc2688000), ["mnemonic", "rd", "rs1"]), ["ldstub", 1, 2]);
  assert.deepEqual(fields(decodeSparc64(0x83500000), ["mnemonic", "rd", "rs1"]), ["rdpr", 1, 0]); // %tpc
  assert.deepEqual(fields(decodeSparc64(0x8d902006), ["mnemonic", "rd", "rs1", "imm"]), [
    "wrpr",
    6,
    0,
    6,
  ]); // %pstate
  assert.deepEqual(fields(decodeSparc64(0x89400000), ["mnemonic", "rd", "rs1"]), ["rd", 4, 0]); // rd %y, %g4
  assert.equal(decodeSparc64(0x81880000).mnemonic, "saved");
  assert.equal(decodeSparc64(0x83880000).mnemonic, "restored");
  assert.equal(decodeSparc64(0x81f00000).mnemonic, "done");
  assert.equal(decodeSparc64(0x83f00000).mnemonic, "retry");
  assert.deepEqual(
    fields(decodeSparc64(0x00000000), ["mnemonic", "imm22", "illegal", "dispatch"]),
    [
      "illtrap",
      0,
      1,
      0,
    ],
  );
});

Deno.test("decodeSparc64() rejects reserved encodings", () => {
  const bad = [
    0x01c00000, // op2 7
    0x80c80000, // op3 0x19
    0x81480000, // op3 0x29 (V8 rdpsr)
    0x81980000, // op3 0x33
    0x81f80000, // op3 0x3f
    0xc0600000, // op 3, op3 0x0c
    0x87540000, // rdpr %16 (reserved)
    0x00c00000, // BPr rcond 0
    0x91d02870, // Tcc cc1‖cc0 = 01
    0x85880000, // saved fcn 2
    0x85f00000, // done fcn 2
    0x81b00000, // IMPDEP1 (VIS)
    0x80000001 | (0x25 << 19) | (1 << 5), // sll with reserved bits
    0xc2180000, // ldd with an odd rd (%g1)
    0x83cfe008, // return with rd set
    0x82002020 | (1 << 13), // ok: add %g0, 32, %g1 (control)
  ];
  for (const w of bad.slice(0, -1)) {
    const d = decodeSparc64(w);
    assert.equal(d.illegal, 1, w.toString(16));
    assert.equal(d.dispatch, SPARC64_ILLEGAL_SLOT, w.toString(16));
    assert.equal(d.mnemonic, "(bad)", w.toString(16));
  }
  assert.equal(decodeSparc64(bad[bad.length - 1]).illegal, 0);
});

Deno.test("isRelativeBranch() is true for call and the branch families only", () => {
  assert.equal(isRelativeBranch(0x7ffff254), true); // call
  assert.equal(isRelativeBranch(0x126ffff7), true); // bne,pt %xcc
  assert.equal(isRelativeBranch(0x32bffffd), true); // bne,a
  assert.equal(isRelativeBranch(0x02c20010), true); // brz
  assert.equal(isRelativeBranch(0x81c7e008), false); // ret
  assert.equal(isRelativeBranch(0x3b001099), false); // sethi
  assert.equal(isRelativeBranch(0x91d02070), false); // ta
});

// xorshift32: a fixed sequence for the sweeps.
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

Deno.test("decodeSparc64() never throws and leaves no stale fields on hostile words", () => {
  const next = rng(0xdecafbad);
  const shared = decodeSparc64(0);
  const special = [0, 0xffffffff, 0x80000000, 0x7fffffff, 0x40000000, 0xc0000000, 0x3fffffff];
  for (let k = 0; k < 50000; k++) {
    const w = k < special.length ? special[k] : next();
    const fresh = decodeSparc64(w);
    decodeSparc64(w, shared);
    // The same word decoded into a reused record gives the same record.
    assert.deepEqual({ ...shared, next: null, target: null }, {
      ...fresh,
      next: null,
      target: null,
    });
    assert.equal(fresh.word, w >>> 0);
    assert.equal(
      fresh.illegal === 1,
      fresh.dispatch === SPARC64_ILLEGAL_SLOT || fresh.dispatch === 0,
    );
    assert.equal(fresh.dispatch === SPARC64_ILLEGAL_SLOT, fresh.mnemonic === "(bad)");
    assert.ok(fresh.dispatch >= 0 && fresh.dispatch < SPARC64_SLOTS);
    if (fresh.relative !== 0) {
      assert.ok(
        Number.isInteger(fresh.disp) && fresh.disp % 4 === 0 && Math.abs(fresh.disp) <= 2 ** 31,
      );
    }
  }
  // Non-numbers and out-of-range numbers are taken modulo 2^32, as words.
  assert.equal(decodeSparc64(-1).word, 0xffffffff);
  assert.equal(decodeSparc64(2 ** 32 + 1).word, 1);
  assert.equal(decodeSparc64(Number.NaN).word, 0);
});

interface Tally {
  words: number;
  mismatches: string[];
  gaps: Map<string, number>;
}

// Every word we accept (but FP, which the image has none of and we do not
// name) against Capstone's mnemonic.
function compare(words: Iterable<number>, cs: SparcDisassembler): Tally {
  const t: Tally = { words: 0, mismatches: [], gaps: new Map() };
  const d = decodeSparc64(0);
  for (const w of words) {
    decodeSparc64(w, d);
    if (d.illegal !== 0 && d.mnemonic === "(bad)") continue;
    if ((d.flags & F_FP) !== 0) continue;
    t.words++;
    const theirs = cs(w);
    const ours = capstoneAlias(d);
    if (ours === theirs) continue;
    const gap = capstoneGap(d);
    if (gap !== undefined && theirs === null) {
      t.gaps.set(gap, (t.gaps.get(gap) ?? 0) + 1);
      continue;
    }
    if (t.mismatches.length < 20) {
      t.mismatches.push(
        `${w.toString(16).padStart(8, "0")}: ours ${d.mnemonic} (${ours}), Capstone ${theirs}`,
      );
    }
  }
  return t;
}

// Random words placed in each slot's op/op2/op3.
function* sweep(perSlot: number): Generator<number> {
  const next = rng(0x9e3779b9);
  for (let s = 0; s < 144; s++) {
    if (SPARC64_MNEMONIC[s] === "") continue;
    for (let i = 0; i < perSlot; i++) {
      const r = next();
      if (s < 8) yield ((r & 0x3e3fffff) | (s << 22)) >>> 0;
      else if (s === 8) yield ((r & 0x3fffffff) | 0x40000000) >>> 0;
      else if (s < 80) yield ((r & 0x3e07ffff) | 0x80000000 | ((s - 16) << 19)) >>> 0;
      else yield ((r & 0x3e07ffff) | 0xc0000000 | ((s - 80) << 19)) >>> 0;
    }
  }
}

Deno.test("decodeSparc64() agrees with Capstone on every opcode slot (seeded sweep)", async () => {
  const cs = await loadSparcCapstone();
  const t = compare(sweep(400), cs);
  assert.deepEqual(t.mismatches, []);
  assert.ok(t.words > 15000, `${t.words} words`);
});

function execWords(bytes: Uint8Array): number[] {
  const elf = parseElf(bytes);
  const out: number[] = [];
  for (const name of [".text", ".kprobes.text", ".insn_slots"]) {
    const s = elf.sections.find((x) => x.name === name);
    assert.ok(s, `the image has ${name}`);
    const dv = new DataView(bytes.buffer, bytes.byteOffset + s.offset, s.size);
    for (let i = 0; i + 4 <= s.size; i += 4) out.push(dv.getUint32(i));
  }
  return out;
}

let vmlinux: Uint8Array | undefined;
try {
  vmlinux = await Deno.readFile(VMLINUX);
} catch {
  vmlinux = undefined;
}

Deno.test({
  name: "decodeSparc64() agrees with Capstone on every instruction of vmlinux-sparc64",
  ignore: vmlinux === undefined,
  fn: async () => {
    const cs = await loadSparcCapstone();
    const words = execWords(vmlinux!);
    // Every word decodes; the only illtrap is the deliberate "illtrap 0".
    const bad = words.filter((w) => decodeSparc64(w).mnemonic === "(bad)");
    assert.deepEqual(bad.map((w) => w.toString(16)), []);
    assert.ok(words.filter((w) => w >>> 22 === 0).every((w) => w === 0));
    const t = compare(words, cs);
    assert.deepEqual(t.mismatches, [], `${t.words} words`);
    // The privileged trap code is what Capstone cannot read, and nothing else.
    assert.deepEqual([...t.gaps.keys()].sort(), [
      "Capstone has no V9 privileged registers (rdpr/wrpr)",
      "Capstone has no V9 saved/restored/done/retry",
      "Capstone has no alternate-space loads and stores",
      "Capstone has no ldstub",
      "Capstone reads and writes only %y of the ancillary state registers",
    ]);
    console.log(
      `vmlinux-sparc64: ${words.length} words, ${t.words} checked; gaps: ${
        JSON.stringify([...t.gaps])
      }`,
    );
  },
});

Deno.test({
  name: "decodeSparc64() matches objdump on every vmlinux-sparc64 word Capstone cannot decode",
  ignore: vmlinux === undefined,
  fn: async () => {
    const text = await Deno.readTextFile(GAP_WORDS);
    const lines = text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    const byAddr = new Map<number, [number, string]>();
    for (const l of lines) {
      const [addr, word, ...rest] = l.split(" ");
      byAddr.set(parseInt(addr, 16), [parseInt(word, 16), rest.join(" ")]);
    }
    const cs = await loadSparcCapstone();
    const elf = parseElf(vmlinux!);
    const checked: string[] = [];
    const wrong: string[] = [];
    for (const name of [".text", ".kprobes.text", ".insn_slots"]) {
      const s = elf.sections.find((x) => x.name === name)!;
      const dv = new DataView(vmlinux!.buffer, vmlinux!.byteOffset + s.offset, s.size);
      for (let i = 0; i < s.size; i += 4) {
        const w = dv.getUint32(i);
        const d = decodeSparc64(w);
        if (capstoneGap(d) === undefined || cs(w) !== null) continue;
        const addr = Number(s.addr) + i;
        const want = byAddr.get(addr);
        checked.push(addr.toString(16));
        if (want === undefined || want[0] !== w) {
          wrong.push(`${addr.toString(16)}: not in sparc64_gap_words.txt (${GAP_REGENERATE})`);
        } else if (objdumpText(d) !== want[1]) {
          wrong.push(`${addr.toString(16)}: ours "${objdumpText(d)}", objdump "${want[1]}"`);
        }
      }
    }
    assert.deepEqual(wrong, []);
    // The golden lists exactly those words: nothing the decoder left out.
    assert.equal(checked.length, byAddr.size, `stale golden: ${GAP_REGENERATE}`);
    assert.ok(checked.length > 300);
  },
});
