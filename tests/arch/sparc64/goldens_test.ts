// Copyright 2026 the kprobes-sim authors. MIT license.
// Differential truth on the bare interpreter: the image's vsprintf.c and
// string functions, called as the V9 ABI says (%o0-%o5, the rest at
// %sp + 2047 + 176, %o7 = host_call_return - 8) on a CPU over the loaded
// image without the kernel model, must return and write exactly what
// qemu-sparc64 ran natively (tests/testdata/difftruth/goldens-sparc64.json).

import assert from "node:assert/strict";
import { type Sparc64Cpu, STACK_BIAS } from "../../../arch/sparc64/mod.ts";
import { STOP_HALT } from "../../../arch/types.ts";
import { imageMachine } from "./_machine.ts";

interface GoldenArg {
  kind: "out" | "in" | "null" | "int";
  offset?: number;
  bytes?: string;
  value?: string;
  bits?: number;
}
interface GoldenCall {
  fn: string;
  args: unknown[];
  argv: GoldenArg[];
  ret: {
    ctype: string;
    bits?: number;
    signed?: boolean;
    value?: string;
    region?: string;
    offset?: number;
  };
  out_before?: string;
  out_after?: string;
}
interface Golden {
  arena: { size: number; align: number; out: number; in: number; out_fill: number };
  calls: GoldenCall[];
}

const GOLDEN: Golden = JSON.parse(
  Deno.readTextFileSync(new URL("../../testdata/difftruth/goldens-sparc64.json", import.meta.url)),
);

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Calls `fn` with `args` as the host would (ABI.md "Host → guest calls"); returns %o0. */
function call(
  m: ReturnType<typeof imageMachine>,
  fn: bigint,
  args: bigint[],
): { ret: bigint; stop: number; cpu: Sparc64Cpu } {
  const cpu = m.cpu;
  const stackTop = 0x800000n; // inside kernel RAM, well above the image
  const sp = stackTop - 0x400n; // 16-byte aligned frame with room for args
  cpu.tl = 0;
  cpu.pstate = 0x6;
  cpu.pil = 14;
  cpu.wstate = 0x08;
  cpu.cwp = 0;
  cpu.cansave = 6;
  cpu.canrestore = 0;
  cpu.otherwin = 0;
  cpu.cleanwin = 7;
  for (let i = 0; i < 6; i++) cpu.setReg(8 + i, args[i] ?? 0n);
  for (let i = 6; i < args.length; i++) {
    m.mem.writeU64(sp + 176n + BigInt(8 * (i - 6)), BigInt.asUintN(64, args[i]));
  }
  cpu.setReg(14, sp - BigInt(STACK_BIAS));
  cpu.setReg(15, m.symbols.get("host_call_return")! - 8n);
  cpu.setPc(fn);
  const stop = cpu.run(5_000_000);
  return { ret: cpu.getReg(8), stop, cpu };
}

Deno.test("Sparc64Cpu returns and writes what qemu-sparc64 does for vsprintf.c and string.c", () => {
  const m = imageMachine();
  const base = 0x400000n - 0x10000n;
  const g = GOLDEN;
  const outBase = base + BigInt(g.arena.out);
  const inBase = base + BigInt(g.arena.in);
  const halt = m.symbols.get("host_call_return")! + 4n;
  const mismatches: string[] = [];
  let replayed = 0;
  g.calls.forEach((c, i) => {
    const fn = m.symbols.get(c.fn);
    assert.ok(fn !== undefined, `${c.fn} is not in vmlinux-sparc64`);
    m.mem.writeBytes(outBase, new Uint8Array(g.arena.in - g.arena.out).fill(g.arena.out_fill));
    m.mem.writeBytes(inBase, new Uint8Array(g.arena.size - g.arena.in));
    if (c.out_before !== undefined) m.mem.writeBytes(outBase, fromHex(c.out_before));
    const args: bigint[] = [];
    for (const v of c.argv) {
      if (v.kind === "out") args.push(outBase + BigInt(v.offset!));
      else if (v.kind === "in") {
        m.mem.writeBytes(inBase + BigInt(v.offset!), fromHex(v.bytes!));
        args.push(inBase + BigInt(v.offset!));
      } else if (v.kind === "null") args.push(0n);
      else args.push(BigInt(v.value!));
    }
    const { ret, stop, cpu } = call(m, fn, args);
    replayed++;
    const what = `#${i} ${c.fn}(${JSON.stringify(c.args).slice(1, -1)})`;
    if (stop !== STOP_HALT || cpu.getPc() !== halt) {
      mismatches.push(
        `${what}: stopped with ${stop} (tt 0x${cpu.trapVector.toString(16)}) at 0x${
          cpu.getPc().toString(16)
        }`,
      );
      return;
    }
    const r = c.ret;
    if (r.ctype === "pointer") {
      const want = r.region === "null"
        ? 0n
        : (r.region === "out" ? outBase : inBase) + BigInt(r.offset ?? 0);
      if (ret !== want) {
        mismatches.push(`${what}: returned 0x${ret.toString(16)}, want 0x${want.toString(16)}`);
      }
    } else {
      const want = BigInt(r.value!);
      const v = r.signed ? BigInt.asIntN(r.bits!, ret) : BigInt.asUintN(r.bits!, ret);
      if (v !== want) mismatches.push(`${what}: returned ${v}, want ${want}`);
    }
    if (c.out_after !== undefined) {
      const after = toHex(m.mem.readBytes(outBase, c.out_after.length / 2));
      if (after !== c.out_after) mismatches.push(`${what}: wrote ${after}, want ${c.out_after}`);
    }
  });
  assert.deepEqual(mismatches, []);
  assert.equal(replayed, g.calls.length);
});
