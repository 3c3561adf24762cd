#!/usr/bin/env python3
# Copyright 2026 the kprobes-sim authors. MIT license.
# Builds alu (a static sparc64 ELF: every integer ALU, shift, multiply and
# divide op run over a table of edge and seeded random operands, each with
# two CCR/Y inputs, then conditional moves and branches over CCR values,
# storing rd and CCR << 32 | Y per case at `buf`) with binutils, and records
# what qemu-sparc64 computes in alu.out (16 bytes per case, big-endian).
# tests/arch/sparc64/alu_qemu_test.ts runs the same `tests` function on
# Sparc64Cpu. Run from this directory: python3 make_alu_golden.py
import random
import subprocess

OPS = [
    "add", "addcc", "addc", "addccc", "sub", "subcc", "subc", "subccc",
    "and", "andcc", "andn", "andncc", "or", "orcc", "orn", "orncc",
    "xor", "xorcc", "xnor", "xnorcc", "sll", "srl", "sra", "sllx", "srlx", "srax",
    "mulx", "umul", "smul", "umulcc", "smulcc", "mulscc",
    "udivx", "sdivx", "udiv", "sdiv", "udivcc", "sdivcc",
    "taddcc", "tsubcc",
]
CONDS = ["a", "n", "ne", "e", "g", "le", "ge", "l", "gu", "leu", "cc", "cs", "pos", "neg",
         "vc", "vs"]
# Condition users, run over every 5th CCR value: conditional moves on icc
# and xcc, register moves, and branches whose %o2 tells taken and annulled
# apart (delay slot +1, fall-through +2).
COND_OPS = []
for c in CONDS:
    COND_OPS += [f"mov %o0, %o2; mov{c} %icc, %o1, %o2", f"mov %o0, %o2; mov{c} %xcc, %o1, %o2",
                 f"clr %o2; b{c},a 2f; add %o2, 1, %o2; add %o2, 2, %o2; 2: nop",
                 f"clr %o2; b{c} 2f; add %o2, 1, %o2; add %o2, 2, %o2; 2: nop",
                 f"clr %o2; b{c},a,pt %xcc, 2f; add %o2, 1, %o2; add %o2, 2, %o2; 2: nop",
                 f"clr %o2; b{c},pn %icc, 2f; add %o2, 1, %o2; add %o2, 2, %o2; 2: nop"]
for r in ["z", "lez", "lz", "nz", "gz", "gez"]:
    COND_OPS += [f"mov %o1, %o2; movr{r} %o0, 7, %o2",
                 f"clr %o2; br{r},a %o0, 2f; add %o2, 1, %o2; add %o2, 2, %o2; 2: nop"]
COND_OPS += ["popc %o1, %o2"]
DIVS = {"udivx", "sdivx", "udiv", "sdiv", "udivcc", "sdivcc"}
M64 = (1 << 64) - 1
EDGE = [0, 1, 3, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000,
        0x7FFFFFFFFFFFFFFF, 0x8000000000000000, M64, 0xFFFFFFFF80000000]
rng = random.Random(0x5BA4C)
pairs = [(a, b) for a in EDGE for b in (1, 0x80000000, M64)]
pairs += [(rng.getrandbits(64), rng.getrandbits(64) >> rng.randrange(64)) for _ in range(15)]
pairs += [(a, 0) for a in EDGE[:4]]
INPUTS = [(0x00, 0), (0xFF, 0x80000001)]

def table(name, rows):
    out = [f"{name}:"]
    for a, b in rows:
        for ccr, y in INPUTS:
            out += [f"  .xword {a:#x}, {b:#x}, {y:#x}, {ccr:#x}"]
    return out

cond_rows = [(a, b, c) for c in range(0, 256, 17) for a, b in ((5, 9), (M64, 1))]
all_rows = pairs
div_rows = [(a, b) for a, b in pairs if b & 0xFFFFFFFF != 0]
lines = [".section .text", ".globl _start", "_start:",
         "  setx buf, %g2, %o5", "  call tests", "   nop",
         "  mov 1, %o0", "  setx buf, %g2, %o1", "  setx BUFSZ, %g2, %o2",
         "  mov 4, %g1", "  ta 0x6d", "  mov 0, %o0", "  mov 1, %g1", "  ta 0x6d",
         ".globl tests", "tests:"]
n = 0
for i, op in enumerate(OPS):
    rows = div_rows if op in DIVS else all_rows
    count = len(rows) * len(INPUTS)
    n += count
    lines += [f"  setx {'div_table' if op in DIVS else 'table'}, %g2, %l0", f"  set {count}, %l1",
              f"1:",
              "  ldx [%l0], %o0", "  ldx [%l0 + 8], %o1", "  ldx [%l0 + 16], %g3", "  wr %g3, 0, %y",
              "  ldx [%l0 + 24], %g3", "  wr %g3, 0, %ccr",
              f"  {op} %o0, %o1, %o2",
              "  rd %ccr, %o3", "  rd %y, %o4",
              "  sllx %o3, 32, %o3", "  or %o3, %o4, %o3",
              "  stx %o2, [%o5]", "  stx %o3, [%o5 + 8]",
              "  add %o5, 16, %o5", "  add %l0, 32, %l0", "  subcc %l1, 1, %l1",
              "  bne,pt %xcc, 1b", "   nop"]
for op in COND_OPS:
    count = len(cond_rows)
    n += count
    lines += ["  setx cond_table, %g2, %l0", f"  set {count}, %l1", "1:",
              "  ldx [%l0], %o0", "  ldx [%l0 + 8], %o1", "  wr %g0, 0, %y",
              "  ldx [%l0 + 24], %g3", "  wr %g3, 0, %ccr"]
    lines += ["  " + part.strip() for part in op.split(";")]
    lines += ["  rd %ccr, %o3", "  rd %y, %o4",
              "  sllx %o3, 32, %o3", "  or %o3, %o4, %o3",
              "  stx %o2, [%o5]", "  stx %o3, [%o5 + 8]",
              "  add %o5, 16, %o5", "  add %l0, 32, %l0", "  subcc %l1, 1, %l1",
              "  bne,pt %xcc, 1b", "   nop"]
lines += ["  retl", "   nop", ".section .data", ".align 8"]
lines += table("table", all_rows) + table("div_table", div_rows)
lines += ["cond_table:"] + [f"  .xword {a:#x}, {b:#x}, 0, {c:#x}" for a, b, c in cond_rows]
lines += [".section .bss", ".align 8", ".globl buf", f"buf: .skip {16 * n}", f"BUFSZ = {16 * n}"]
open("alu.S", "w").write("\n".join(lines) + "\n")
subprocess.run(["sparc64-linux-gnu-as", "-64", "-Av9", "alu.S", "-o", "alu.o"], check=True)
subprocess.run(["sparc64-linux-gnu-ld", "-static", "alu.o", "-o", "alu"], check=True)
subprocess.run(["rm", "alu.o", "alu.S"], check=True)
out = subprocess.run(["qemu-sparc64", "./alu"], check=True, capture_output=True).stdout
assert len(out) == 16 * n, (len(out), n)
open("alu.out", "wb").write(out)
print(f"{n} cases")
