// Copyright 2026 the kprobes-sim authors. MIT license.
import assert from "node:assert/strict";
import { Capstone, Const, loadCapstone } from "capstone-wasm";
import { decodeX86, insnLength, UD_SLOT } from "../../../arch/x86/decode.ts";
import { parseElf } from "../../../kernel-model/elf.ts";

const hex = (s: string) => new Uint8Array(s.split(" ").filter(Boolean).map((h) => parseInt(h, 16)));

interface Vector {
  bytes: string;
  length: number;
  mnemonic: string;
  fields?: Record<string, number>;
}

// Hand vectors for the encodings the interpreter and Kprobes rely on.
const VECTORS64: Vector[] = [
  { bytes: "55", length: 1, mnemonic: "push", fields: { opsize: 8, rm: 5 } },
  { bytes: "41 57", length: 2, mnemonic: "push", fields: { rm: 15, rex: 0x41 } },
  { bytes: "48 89 e5", length: 3, mnemonic: "mov", fields: { mod: 3, reg: 4, rm: 5, opsize: 8 } },
  { bytes: "c3", length: 1, mnemonic: "ret" },
  { bytes: "c2 08 00", length: 3, mnemonic: "ret", fields: { imm: 8, immOffset: 1, immSize: 2 } },
  { bytes: "cc", length: 1, mnemonic: "int3" },
  { bytes: "cd 80", length: 2, mnemonic: "int", fields: { imm: 0x80 } },
  { bytes: "f1", length: 1, mnemonic: "int1" },
  {
    bytes: "e8 fb ff ff ff",
    length: 5,
    mnemonic: "call",
    fields: { imm: -5, relative: 1, immOffset: 1 },
  },
  { bytes: "e9 00 01 00 00", length: 5, mnemonic: "jmp", fields: { imm: 256, relative: 1 } },
  { bytes: "eb fe", length: 2, mnemonic: "jmp", fields: { imm: -2, relative: 1, immSize: 1 } },
  { bytes: "74 10", length: 2, mnemonic: "je", fields: { cc: 4, imm: 16, relative: 1 } },
  {
    bytes: "0f 8f 10 00 00 00",
    length: 6,
    mnemonic: "jg",
    fields: { cc: 15, imm: 16, relative: 1 },
  },
  { bytes: "e3 00", length: 2, mnemonic: "jrcxz", fields: { relative: 1 } },
  { bytes: "e2 fe", length: 2, mnemonic: "loop" },
  {
    bytes: "48 8b 05 10 00 00 00",
    length: 7,
    mnemonic: "mov",
    fields: { ripRelative: 1, dispOffset: 3, dispSize: 4, disp: 16, base: -1, index: -1 },
  },
  {
    bytes: "ff 15 f0 ff ff ff",
    length: 6,
    mnemonic: "call",
    fields: { ripRelative: 1, disp: -16, dispOffset: 2, reg: 2, opsize: 8 },
  },
  { bytes: "ff e0", length: 2, mnemonic: "jmp", fields: { reg: 4, mod: 3, rm: 0 } },
  {
    bytes: "c7 44 24 08 2a 00 00 00",
    length: 8,
    mnemonic: "mov",
    fields: { sib: 0x24, base: 4, index: -1, disp: 8, dispOffset: 3, immOffset: 4, imm: 42 },
  },
  {
    bytes: "4a 8b 84 c8 00 01 00 00",
    length: 8,
    mnemonic: "mov",
    fields: { base: 0, index: 9, scale: 3, disp: 256, dispSize: 4 },
  },
  { bytes: "48 83 ec 18", length: 4, mnemonic: "sub", fields: { imm: 0x18, immHi: 0, reg: 5 } },
  {
    bytes: "48 83 e4 f0",
    length: 4,
    mnemonic: "and",
    fields: { imm: 0xfffffff0, immHi: 0xffffffff },
  },
  {
    bytes: "48 b8 08 07 06 05 04 03 02 01",
    length: 10,
    mnemonic: "movabs",
    fields: { imm: 0x05060708, immHi: 0x01020304 },
  },
  { bytes: "66 90", length: 2, mnemonic: "nop" },
  { bytes: "f3 90", length: 2, mnemonic: "pause" },
  { bytes: "0f 1f 44 00 00", length: 5, mnemonic: "nop" },
  { bytes: "66 2e 0f 1f 84 00 00 00 00 00", length: 10, mnemonic: "nop", fields: { segment: 1 } },
  { bytes: "f3 0f 1e fa", length: 4, mnemonic: "endbr64" },
  { bytes: "9c", length: 1, mnemonic: "pushfq" },
  { bytes: "9d", length: 1, mnemonic: "popfq" },
  { bytes: "fa", length: 1, mnemonic: "cli" },
  { bytes: "fb", length: 1, mnemonic: "sti" },
  { bytes: "f4", length: 1, mnemonic: "hlt" },
  { bytes: "48 cf", length: 2, mnemonic: "iretq" },
  { bytes: "0f 01 c1", length: 3, mnemonic: "vmcall" },
  { bytes: "0f 01 f8", length: 3, mnemonic: "swapgs" },
  { bytes: "0f 0b", length: 2, mnemonic: "ud2", fields: { dispatch: UD_SLOT, invalid: 1 } },
  { bytes: "0f 31", length: 2, mnemonic: "rdtsc" },
  { bytes: "0f a2", length: 2, mnemonic: "cpuid" },
  { bytes: "0f 30", length: 2, mnemonic: "wrmsr" },
  { bytes: "0f 20 d8", length: 3, mnemonic: "mov", fields: { reg: 3, rm: 0 } },
  { bytes: "f0 48 0f b1 0a", length: 5, mnemonic: "lock cmpxchg", fields: { invalid: 0 } },
  { bytes: "f0 0f c1 02", length: 4, mnemonic: "lock xadd" },
  { bytes: "f3 48 ab", length: 3, mnemonic: "rep stosq" },
  { bytes: "f3 a6", length: 2, mnemonic: "repe cmpsb" },
  { bytes: "f2 ae", length: 2, mnemonic: "repne scasb" },
  {
    bytes: "65 48 8b 04 25 28 00 00 00",
    length: 9,
    mnemonic: "mov",
    fields: { segment: 5, base: -1, index: -1, disp: 0x28 },
  },
  { bytes: "48 63 c7", length: 3, mnemonic: "movsxd" },
  { bytes: "48 98", length: 2, mnemonic: "cdqe" },
  { bytes: "48 99", length: 2, mnemonic: "cqo" },
  { bytes: "0f b6 c0", length: 3, mnemonic: "movzx" },
  { bytes: "48 0f bf c0", length: 4, mnemonic: "movsx" },
  { bytes: "0f 94 c0", length: 3, mnemonic: "sete", fields: { cc: 4 } },
  { bytes: "48 0f 4c c1", length: 4, mnemonic: "cmovl", fields: { cc: 12 } },
  { bytes: "48 0f af c1", length: 4, mnemonic: "imul" },
  { bytes: "6b c0 0a", length: 3, mnemonic: "imul", fields: { imm: 10 } },
  { bytes: "48 f7 f1", length: 3, mnemonic: "div" },
  { bytes: "f6 c1 01", length: 3, mnemonic: "test", fields: { imm: 1, opsize: 1 } },
  { bytes: "f7 c1 00 01 00 00", length: 6, mnemonic: "test", fields: { imm: 256 } },
  { bytes: "48 0f a4 c2 04", length: 5, mnemonic: "shld", fields: { imm: 4 } },
  { bytes: "48 0f ba e8 03", length: 5, mnemonic: "bts", fields: { imm: 3 } },
  { bytes: "f3 48 0f bc c0", length: 5, mnemonic: "tzcnt" },
  { bytes: "f3 48 0f b8 c0", length: 5, mnemonic: "popcnt" },
  { bytes: "48 0f c8", length: 3, mnemonic: "bswap", fields: { rm: 0 } },
  { bytes: "c8 10 00 02", length: 4, mnemonic: "enter", fields: { imm: 16, imm2: 2 } },
  { bytes: "c9", length: 1, mnemonic: "leave" },
  {
    bytes: "8d 04 85 00 00 00 00",
    length: 7,
    mnemonic: "lea",
    fields: { base: -1, index: 0, scale: 2 },
  },
  { bytes: "67 8d 00", length: 3, mnemonic: "lea", fields: { addrsize: 4 } },
  { bytes: "66 b8 34 12", length: 4, mnemonic: "mov", fields: { opsize: 2, imm: 0x1234 } },
  {
    bytes: "a1 88 77 66 55 44 33 22 11",
    length: 9,
    mnemonic: "movabs",
    fields: { imm: 0x55667788, immHi: 0x11223344 },
  },
];

// Protected mode: no REX, 40–4F are inc/dec, push/pop are 32-bit.
const VECTORS32: Vector[] = [
  { bytes: "40", length: 1, mnemonic: "inc", fields: { rm: 0, opsize: 4 } },
  { bytes: "4f", length: 1, mnemonic: "dec", fields: { rm: 7 } },
  { bytes: "55", length: 1, mnemonic: "push", fields: { opsize: 4 } },
  { bytes: "8b 45 08", length: 3, mnemonic: "mov", fields: { base: 5, disp: 8 } },
  {
    bytes: "8b 05 10 00 00 00",
    length: 6,
    mnemonic: "mov",
    fields: { ripRelative: 0, base: -1, disp: 16 },
  },
  { bytes: "67 8b 47 02", length: 4, mnemonic: "mov", fields: { addrsize: 2, base: 3, disp: 2 } },
  { bytes: "cf", length: 1, mnemonic: "iretd" },
  { bytes: "06", length: 1, mnemonic: "push", fields: { invalid: 0 } },
  { bytes: "e8 00 00 00 00", length: 5, mnemonic: "call" },
  { bytes: "c4 00", length: 2, mnemonic: "les", fields: { mod: 0 } },
];

function check(v: Vector, mode: 64 | 32): void {
  const d = decodeX86(hex(v.bytes), 0, mode);
  assert.equal(d.length, v.length, `${v.bytes}: length`);
  assert.equal(d.mnemonic, v.mnemonic, `${v.bytes}: mnemonic`);
  for (const [k, want] of Object.entries(v.fields ?? {})) {
    assert.equal((d as unknown as Record<string, number>)[k], want, `${v.bytes}: ${k}`);
  }
}

Deno.test("decodeX86() decodes 64-bit hand vectors: lengths, mnemonics, ModRM/SIB, disp and imm fields", () => {
  for (const v of VECTORS64) check(v, 64);
});

Deno.test("decodeX86() decodes 32-bit hand vectors: inc/dec, no REX, 16-bit addressing", () => {
  for (const v of VECTORS32) check(v, 32);
});

Deno.test("decodeX86() marks undefined encodings invalid and still measures them", () => {
  for (
    const [bytes, length] of [["06", 1], ["d6", 1], ["f0 89 00", 3], ["8d c0", 2], [
      "0f 0b",
      2,
    ]] as const
  ) {
    const d = decodeX86(hex(bytes), 0, 64);
    assert.equal(d.length, length, bytes);
    assert.equal(d.invalid, 1, bytes);
    assert.equal(d.dispatch, UD_SLOT, bytes);
  }
});

Deno.test("decodeX86() measures VEX imm8 and EVEX encodings and refuses segment registers 6, 7 and mov cs (fuzz finds)", () => {
  // VEX map 0F forms with an imm8: vshufps, vcmpps, vpshufhw (found by tests/fuzz).
  for (
    const [bytes, length] of [
      ["c5 7c c6 f3 37", 5],
      ["c5 a8 c2 6e ce 8a", 6],
      ["c5 fe 70 01 39", 5],
      ["c5 f8 77", 3], // vzeroupper: no ModRM
    ] as const
  ) {
    const d = decodeX86(hex(bytes), 0, 64);
    assert.deepEqual([d.length, d.invalid, d.mnemonic], [length, 1, "vex"], bytes);
  }
  // EVEX (62 in long mode; in 32-bit mode only with ModRM.mod = 3 bits, else BOUND).
  const evex = decodeX86(hex("62 e2 ed 19 43 ed"), 0, 64);
  assert.deepEqual([evex.length, evex.invalid, evex.mnemonic], [6, 1, "evex"]);
  assert.equal(decodeX86(hex("62 f1 7c 48 10 44 24 01"), 0, 32).length, 8);
  assert.equal(decodeX86(hex("62 00"), 0, 32).mnemonic, "bound");
  // mov r/m, Sreg with Sreg 6/7 and mov cs, r/m raise #UD, as the interpreter does.
  for (const bytes of ["8c f8", "8c 30", "8e f0", "8e c8"]) {
    const d = decodeX86(hex(bytes), 0, 64);
    assert.deepEqual([d.length, d.invalid, d.dispatch], [2, 1, UD_SLOT], bytes);
  }
  assert.equal(decodeX86(hex("8c d8"), 0, 64).invalid, 0); // mov eax, ds
  assert.equal(decodeX86(hex("8e d8"), 0, 64).invalid, 0); // mov ds, eax
  // REX.W beats 66 for the default-64-bit pushes: push imm32, 8 bytes on the stack.
  const push = decodeX86(hex("66 48 68 30 01 81 03"), 0, 64);
  assert.deepEqual([push.length, push.opsize, push.invalid], [7, 8, 0]);
  assert.deepEqual([
    decodeX86(hex("66 68 30 01"), 0, 64).length,
    decodeX86(hex("66 50"), 0, 64).opsize,
  ], [4, 2]);
  // NP encodings with a prefix, and the group 9/15 members the interpreter does not run, are #UD.
  for (
    const bytes of [
      "f3 0f c3 08",
      "66 0f c3 08",
      "f3 0f 77",
      "0f ae 00",
      "0f ae 30",
      "66 0f ae f0",
      "f2 0f ae f0",
      "f3 0f ae c0",
      "0f c7 f0",
      "0f c7 30",
      "66 0f 79 c8",
      "f2 0f 78 c8",
    ]
  ) {
    assert.equal(decodeX86(hex(bytes), 0, 64).invalid, 1, bytes);
  }
  for (
    const [bytes, mnemonic] of [
      ["0f c3 08", "movnti"],
      ["0f 77", "emms"],
      ["0f ae e8", "lfence"],
      ["0f ae f8", "sfence"],
      ["0f ae 38", "clflush"],
      ["66 0f ae 38", "clflushopt"],
      ["0f c7 08", "cmpxchg8b"],
    ]
  ) {
    const d = decodeX86(hex(bytes), 0, 64);
    assert.deepEqual([d.invalid, d.mnemonic], [0, mnemonic], bytes);
  }
});

Deno.test("decodeX86() reports length 0 when the bytes end early", () => {
  assert.equal(decodeX86(hex("48 8b 05 10 00"), 0, 64).length, 0);
  assert.equal(decodeX86(hex("0f"), 0, 64).length, 0);
  assert.equal(decodeX86(hex("66 66 66"), 0, 64).length, 0);
});

Deno.test("insnLength() walks a function prologue", () => {
  const code = hex("55 48 89 e5 48 83 ec 10 e8 00 00 00 00 c9 c3");
  const lengths: number[] = [];
  for (let off = 0; off < code.length; off += lengths[lengths.length - 1]) {
    lengths.push(insnLength(code, off, 64));
  }
  assert.deepEqual(lengths, [1, 3, 4, 5, 1, 1]);
});

await loadCapstone();

function capstoneAgrees(bytes: Uint8Array, mode: 64 | 32, what: string): void {
  const cs = new Capstone(Const.CS_ARCH_X86, mode === 64 ? Const.CS_MODE_64 : Const.CS_MODE_32);
  let c;
  try {
    c = cs.disasm(bytes, { address: 0x1000, count: 1 })[0];
  } catch {
    throw new Error(`capstone cannot disassemble ${what}`);
  }
  const d = decodeX86(bytes, 0, mode);
  assert.equal(d.length, c.size, `${what}: length`);
  assert.equal(d.mnemonic, c.mnemonic, `${what}: mnemonic`);
}

Deno.test("decodeX86() agrees with capstone-wasm on the hand vectors", () => {
  for (const v of VECTORS64) capstoneAgrees(hex(v.bytes), 64, v.bytes);
  for (const v of VECTORS32) capstoneAgrees(hex(v.bytes), 32, v.bytes);
});

for (const [arch, mode] of [["x86_64", 64], ["i386", 32]] as const) {
  const url = new URL(`../../../kernel-model/vmlinux/images/vmlinux-${arch}`, import.meta.url);
  let image: Uint8Array | undefined;
  try {
    image = Deno.readFileSync(url);
  } catch {
    image = undefined;
  }

  Deno.test({
    name: `decodeX86() agrees with capstone-wasm on every instruction of vmlinux-${arch} .text`,
    ignore: image === undefined,
    fn() {
      const elf = parseElf(image!, `vmlinux-${arch}`);
      const slots = elf.symbols.find((s) => s.name === "__insn_slots_start")?.value;
      const cs = new Capstone(Const.CS_ARCH_X86, mode === 64 ? Const.CS_MODE_64 : Const.CS_MODE_32);
      let count = 0;
      const mismatches: string[] = [];
      for (const sec of elf.sections) {
        if ((sec.flags & 4n) === 0n || sec.type !== 1) continue; // SHF_EXECINSTR, PROGBITS
        const bytes = elf.sectionData(sec);
        // The instruction-slot area is int3 filler for Kprobes, not code.
        const end = slots !== undefined && slots >= sec.addr && slots < sec.addr + BigInt(sec.size)
          ? Number(slots - sec.addr)
          : bytes.length;
        for (let off = 0; off < end;) {
          const d = decodeX86(bytes, off, mode);
          const c = cs.disasm(bytes.subarray(off, Math.min(off + 15, bytes.length)), {
            address: Number(sec.addr & 0xfffffffffffn) + off,
            count: 1,
          })[0];
          count++;
          if (c === undefined || c.size !== d.length || c.mnemonic !== d.mnemonic) {
            mismatches.push(
              `${sec.name}+0x${
                off.toString(16)
              }: capstone ${c?.size} ${c?.mnemonic} ${c?.opStr}, ours ${d.length} ${d.mnemonic}`,
            );
          }
          off += d.length > 0 ? d.length : 1;
        }
      }
      assert.ok(count > 1000, `only ${count} instructions walked`);
      assert.deepEqual(mismatches.slice(0, 20), []);
    },
  });
}
