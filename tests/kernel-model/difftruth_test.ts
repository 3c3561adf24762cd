// Copyright 2026 the kprobes-sim authors. MIT license.
// Differential truth: the guest kernel's own C library functions
// (kernel/vsprintf.c, kernel/string.c, the arch's memcpy/memset) run in the
// interpreter through the booted image must return and write exactly what the
// same sources do as native code. The native results are the goldens of
// tests/testdata/difftruth/, made by make_goldens.sh from calls.json; each
// arch is checked when its golden, its image and its registry entry exist.

import assert from "node:assert/strict";
import { type ArchName, Kernel } from "../../mod.ts";
import { type Arch, archByName } from "../../arch/mod.ts";

const TESTDATA = new URL("../testdata/difftruth/", import.meta.url);
const IMAGES = new URL("../../kernel-model/vmlinux/images/", import.meta.url);
const REGENERATE = "run tests/testdata/difftruth/make_goldens.sh";

/** An argument as the native harness passed it on its arch. */
type GoldenArg =
  | { kind: "out"; offset: number }
  | { kind: "in"; offset: number; bytes: string }
  | { kind: "null" }
  | { kind: "int"; ctype: string; bits: number; signed: boolean; value: string };

/** A return value: an integer of the arch's width, or a pointer into the arena. */
type GoldenRet =
  | { ctype: "int" | "size_t"; bits: number; signed: boolean; value: string }
  | { ctype: "pointer"; region: "out" | "in" | "null" | "elsewhere"; offset?: number };

/** One call of goldens-<arch>.json. */
interface GoldenCall {
  fn: string;
  args: unknown[];
  argv: GoldenArg[];
  ret: GoldenRet;
  out_before?: string;
  out_after?: string;
}

/** goldens-<arch>.json. */
interface Golden {
  arch: string;
  long_bits: number;
  endian: "little" | "big";
  arena: { size: number; align: number; out: number; in: number; out_fill: number };
  calls: GoldenCall[];
}

function readJson<T>(url: URL): T | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(url)) as T;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

function isFile(url: URL): boolean {
  try {
    return Deno.statSync(url).isFile;
  } catch {
    return false;
  }
}

/** The arch object, or undefined while the registry does not wire it yet. */
function archOrUndefined(name: ArchName): Arch | undefined {
  try {
    return archByName(name);
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Bytes as text for a failure message: printable ASCII as is, the rest as
 * \xNN, runs of the 0xa5 fill shortened to \xa5*N.
 */
function show(hex: string): string {
  return [...fromHex(hex)].map((b) =>
    b >= 0x20 && b < 0x7f && b !== 0x5c
      ? String.fromCharCode(b)
      : `\\x${b.toString(16).padStart(2, "0")}`
  ).join("").replace(/(\\xa5){4,}/g, (run) => `\\xa5*${run.length / 4}`);
}

/**
 * Appends an integer argument as the arch's C calling convention passes it:
 * one register or stack slot, or on a 32-bit arch two slots for a 64-bit
 * value, low word first on a little-endian CPU (i386).
 */
function pushInt(args: bigint[], value: bigint, bits: number, arch: Arch): void {
  if (bits <= arch.bits) {
    args.push(value);
    return;
  }
  const lo = BigInt.asUintN(32, value);
  const hi = BigInt.asUintN(32, value >> 32n);
  if (arch.littleEndian) args.push(lo, hi);
  else args.push(hi, lo);
}

const calls = readJson<{ calls: { fn: string; args: unknown[] }[] }>(
  new URL("calls.json", TESTDATA),
)!.calls;

for (const name of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
  const golden = readJson<Golden>(new URL(`goldens-${name}.json`, TESTDATA));
  const image = isFile(new URL(`vmlinux-${name}`, IMAGES));
  const arch = archOrUndefined(name);

  Deno.test({
    name: `make_goldens.sh goldens-${name}.json records every call of calls.json in order`,
    ignore: golden === undefined,
    fn() {
      assert.equal(golden!.arch, name);
      assert.deepEqual(
        golden!.calls.map(({ fn, args }) => ({ fn, args })),
        calls.map(({ fn, args }) => ({ fn, args })),
        `goldens-${name}.json is stale: ${REGENERATE}`,
      );
    },
  });

  Deno.test({
    name:
      `Kernel.callFunction() returns and writes what native ${name} code does for vsprintf.c and string.c`,
    ignore: golden === undefined || !image || arch === undefined,
    async fn(t) {
      const g = golden!;
      const a = arch!;
      assert.equal(g.long_bits, a.bits, `goldens-${name}.json is for another word size`);
      assert.equal(g.endian === "little", a.littleEndian);
      await using kernel = await Kernel.boot({ arch: name });

      // The arena sits at the same page offset as the native harness's: near
      // the top of the user region, below init's stack page.
      const base = a.userBase + BigInt(a.userSize) - 0x10000n;
      assert.equal(base % BigInt(g.arena.align), 0n);
      const outBase = base + BigInt(g.arena.out);
      const inBase = base + BigInt(g.arena.in);
      const outFill = new Uint8Array(g.arena.in - g.arena.out).fill(g.arena.out_fill);
      const inZero = new Uint8Array(g.arena.size - g.arena.in);

      const byFn = new Map<string, [number, GoldenCall][]>();
      g.calls.forEach((c, i) => byFn.set(c.fn, [...(byFn.get(c.fn) ?? []), [i, c]]));
      let replayed = 0;
      for (const [fn, group] of byFn) {
        if (kernel.kallsyms.lookupName(fn) === 0n) {
          await t.step({ name: `${fn} is not in vmlinux-${name}`, ignore: true, fn() {} });
          continue;
        }
        await t.step(`${fn}: ${group.length} calls`, () => {
          const mismatches: string[] = [];
          for (const [i, call] of group) {
            kernel.memory.writeBytes(outBase, outFill);
            kernel.memory.writeBytes(inBase, inZero);
            if (call.out_before !== undefined) {
              kernel.memory.writeBytes(outBase, fromHex(call.out_before));
            }
            const args: bigint[] = [];
            for (const v of call.argv) {
              if (v.kind === "out") args.push(outBase + BigInt(v.offset));
              else if (v.kind === "in") {
                kernel.memory.writeBytes(inBase + BigInt(v.offset), fromHex(v.bytes));
                args.push(inBase + BigInt(v.offset));
              } else if (v.kind === "null") args.push(0n);
              else pushInt(args, BigInt(v.value), v.bits, a);
            }
            const logBefore = kernel.logLines.length;
            const got = kernel.callFunction(fn, args);
            replayed++;

            const what = `#${i} ${fn}(${JSON.stringify(call.args).slice(1, -1)})`;
            const problems: string[] = [];
            const r = call.ret;
            if (r.ctype === "pointer") {
              const want = r.region === "null"
                ? 0n
                : (r.region === "out" ? outBase : inBase) + BigInt(r.offset ?? 0);
              if (got !== want) {
                problems.push(
                  `returned 0x${got.toString(16)}, want ${r.region}${
                    r.region === "null" ? "" : `+${r.offset}`
                  } (0x${want.toString(16)})`,
                );
              }
            } else {
              const want = BigInt(r.value);
              const v = r.signed ? BigInt.asIntN(r.bits, got) : BigInt.asUintN(r.bits, got);
              if (v !== want) problems.push(`returned ${v} (${r.ctype}), want ${want}`);
            }
            if (call.out_after !== undefined) {
              const after = toHex(kernel.memory.readBytes(outBase, call.out_after.length / 2));
              if (after !== call.out_after) {
                problems.push(`wrote "${show(after)}", want "${show(call.out_after)}"`);
              }
            }
            const oops = kernel.logLines.slice(logBefore).filter((l) => /Oops|BUG|panic/.test(l));
            if (oops.length > 0) problems.push(`the kernel logged: ${oops.join(" | ")}`);
            if (problems.length > 0) mismatches.push(`${what}: ${problems.join("; ")}`);
          }
          assert.deepEqual(mismatches, [], `${fn} differs from native ${name} code`);
        });
      }
      assert.ok(replayed > 0, `no call of goldens-${name}.json names a function of the image`);
    },
  });
}
