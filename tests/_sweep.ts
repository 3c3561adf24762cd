// Copyright 2026 the kprobes-sim authors. MIT license.
// The transparency sweep (issue 7): one kprobe with empty handlers at an
// instruction boundary, on a fresh kernel, must leave the default workload's
// system-call results and log equal to the unprobed run, and the text equal
// to the ELF image after unregister; so must a jprobe or a return probe at
// a function entry. Used by tests/transparency_test.ts (a
// sample) and tests/sweep.ts (every boundary of every function).

import { decodeX86 } from "../arch/x86/decode.ts";
import { type Jprobe, jprobe_return, Kernel, type Kprobe, type Kretprobe } from "../mod.ts";
import { parseElf } from "../kernel-model/mod.ts";
import { testJitThreshold } from "./_helpers.ts";

/** The four guest architectures. */
export type SweepArch = "x86_64" | "i386" | "ppc64" | "sparc64";

/** One instruction boundary of a kernel function. */
export interface SweepPoint {
  /** Its address. */
  addr: bigint;
  /** `sym+0xoff`. */
  where: string;
}

/** What probing one point did. */
export interface PointResult {
  /** `sym+0xoff`. */
  where: string;
  /** Refused by register_kprobe(), accepted and transparent, or accepted and broken. */
  outcome: "refused" | "ok" | "broken";
  /** The errno of a refusal. */
  errno?: number;
  /** The refusal's reason (from its log line) or what broke. */
  detail?: string;
  /** With `optimize`: whether the accepted probe was optimized (a jump, not an int3). */
  optimized?: boolean;
}

/** How {@linkcode sweepPoints} probes. */
export interface SweepOptions {
  /**
   * Optimize every probe the rules allow at registration
   * (`kprobesOptimizeDelay: 0`), with a pre_handler only (a post_handler
   * keeps a probe an int3 probe). Default: int3 probes with pre and post
   * handlers.
   */
  optimize?: boolean;
  /**
   * Probes with a pre_handler only and the optimizer off, so that every
   * accepted point runs emulated or boosted where the arch can
   * (`kprobesBoost`), single-stepped elsewhere.
   */
  boost?: boolean;
  /**
   * What to plant at each point: a kprobe (the default), or a jprobe (its
   * handler takes four arguments, takes a `pt_regs` view every other hit
   * and calls `jprobe_return()`) or a
   * return probe (an empty handler), which only function entries accept.
   */
  probe?: "kprobe" | "jprobe" | "kretprobe";
}

/** The ELF image and the unprobed run of one arch. */
export interface SweepBase {
  /** The arch. */
  arch: SweepArch;
  /** The image bytes (booted from memory: no file read per point). */
  image: Uint8Array;
  /** Start and end of kernel text proper (`_text`…`__kprobes_text_start`). */
  text: [bigint, bigint];
  /** Those bytes as the ELF image has them. */
  textBytes: Uint8Array;
  /** The unprobed run's system calls, as `pid call ret` lines. */
  syscalls: string[];
  /** The unprobed run's log without timestamps. */
  log: string[];
  /** Guest instructions of the unprobed run (bounds a probed run). */
  instructions: number;
  /** Every instruction boundary of every function of the image. */
  points: SweepPoint[];
}

const STAMP = /^\[\s*\d+\.\d+\] /;

function syscallLines(records: readonly { pid: number; call: string; ret: number }[]): string[] {
  return records.map((r) => `${r.pid} ${r.call} ${r.ret}`);
}

function logLines(kernel: Kernel, from: number): string[] {
  return kernel.logLines.slice(from).map((l) => l.replace(STAMP, ""));
}

/** Bytes of the image at run-time address `addr` (from its sections). */
function imageBytes(
  sections: readonly { addr: bigint; offset: number; size: number; type: number }[],
  bytes: Uint8Array,
  addr: bigint,
  n: number,
): Uint8Array {
  for (const s of sections) {
    if (s.addr === 0n || s.type === 8 /* SHT_NOBITS */) continue;
    if (addr >= s.addr && addr < s.addr + BigInt(s.size)) {
      const off = s.offset + Number(addr - s.addr);
      return bytes.subarray(off, Math.min(off + n, s.offset + s.size));
    }
  }
  return new Uint8Array(0);
}

/**
 * Loads the image, runs the unprobed baseline and lists every instruction
 * boundary of every function (decoded from the image, not live text).
 */
export async function sweepBase(arch: SweepArch): Promise<SweepBase> {
  const image = await Deno.readFile(
    new URL(`../kernel-model/vmlinux/images/vmlinux-${arch}`, import.meta.url),
  );
  const elf = parseElf(image, `vmlinux-${arch}`);
  await using kernel = await Kernel.boot({ arch, image, jitThreshold: testJitThreshold() });
  const ks = kernel.kallsyms;
  const text: [bigint, bigint] = [ks.lookupName("_text"), ks.lookupName("__kprobes_text_start")];
  const textBytes = imageBytes(elf.sections, image, text[0], Number(text[1] - text[0])).slice();
  const from = kernel.logLines.length;
  const r = kernel.run();
  if (!r.completed) throw new Error(`the unprobed ${arch} run did not complete`);
  const points: SweepPoint[] = [];
  const textEnd = ks.lookupName("_etext");
  const seen = new Set<bigint>();
  for (const s of ks.symbols()) {
    if (!/[tT]/.test(s.type) || s.size === 0n || seen.has(s.address)) continue;
    if (s.address < text[0] || s.address >= textEnd) continue;
    seen.add(s.address);
    const end = s.address + s.size;
    for (let a = s.address; a < end;) {
      points.push({ addr: a, where: `${s.name}+0x${(a - s.address).toString(16)}` });
      if (arch === "ppc64" || arch === "sparc64") {
        a += 4n;
        continue;
      }
      const d = decodeX86(imageBytes(elf.sections, image, a, 16), 0, arch === "x86_64" ? 64 : 32);
      if (d.length <= 0) break;
      a += BigInt(d.length);
    }
  }
  // Every address register_kprobe accepts must be swept: walk all of text
  // (each byte on x86, each word on ppc64 and sparc64) and add what the
  // symbol walk missed (asm with no ELF size, such as ppc64's bad_get_user).
  const log = logLines(kernel, from);
  const listed = new Set(points.map((p) => p.addr));
  const step = arch === "ppc64" || arch === "sparc64" ? 4n : 1n;
  for (let a = text[0]; a < textEnd; a += step) {
    if (listed.has(a)) continue;
    const kp = { addr: arch === "i386" ? Number(a) : a };
    if (kernel.registerKprobe(kp) !== 0) continue;
    kernel.unregisterKprobe(kp);
    points.push({ addr: a, where: ks.formatAddress(a).replace(/\/0x[0-9a-f]+$/, "") });
  }
  return {
    arch,
    image,
    text,
    textBytes,
    syscalls: syscallLines(r.syscalls),
    log,
    instructions: r.instructions,
    points,
  };
}

/** First difference between two line lists, for reports. */
function firstDiff(want: readonly string[], got: readonly string[]): string {
  const n = Math.max(want.length, got.length);
  for (let i = 0; i < n; i++) {
    if (want[i] !== got[i]) {
      return `line ${i}: want ${JSON.stringify(want[i])}, got ${JSON.stringify(got[i])}`;
    }
  }
  return "";
}

/**
 * Probes points one at a time, each accepted one on a fresh kernel (a
 * refused registration changes nothing, so the kernel is reused until a
 * probe is accepted).
 */
export async function* sweepPoints(
  base: SweepBase,
  points: readonly SweepPoint[],
  options: SweepOptions = {},
): AsyncGenerator<PointResult> {
  let kernel: Kernel | null = null;
  const optimize = options.optimize === true;
  const boost = options.boost === true;
  try {
    for (const pt of points) {
      kernel ??= await Kernel.boot({
        arch: base.arch,
        image: base.image,
        jitThreshold: testJitThreshold(),
        kprobesOptimizeDelay: optimize ? 0 : 5,
        kprobesOptimization: !boost,
      });
      const from = kernel.logLines.length;
      const kp: Kprobe = optimize || boost
        ? { addr: pt.addr, pre_handler: () => 0 }
        : { addr: pt.addr, pre_handler: () => 0, post_handler: () => {} };
      const addr = base.arch === "i386" ? Number(pt.addr) : pt.addr;
      const k0 = kernel;
      let unregister = () => k0.unregisterKprobe(kp);
      let ret: number;
      if (options.probe === "jprobe") {
        // Every other hit takes a pt_regs view, which makes the deferred
        // setjmp happen (the CPU saved and sent to the trampoline's call-in,
        // then restored): both ways a jprobe hit can go are swept.
        let hits = 0;
        const jp: Jprobe = {
          kp: { addr },
          entry: (_a: unknown, _b: unknown, _c: unknown, _d: unknown) => {
            if ((hits++ & 1) === 1) k0.ptRegs(k0.currentCpu());
            jprobe_return();
          },
        };
        ret = kernel.registerJprobe(jp);
        unregister = () => k0.unregisterJprobe(jp);
      } else if (options.probe === "kretprobe") {
        const rp: Kretprobe = { kp: { addr }, handler: () => 0 };
        ret = kernel.registerKretprobe(rp);
        unregister = () => k0.unregisterKretprobe(rp);
      } else ret = kernel.registerKprobe(kp);
      if (ret !== 0) {
        const line = logLines(kernel, from).find((l) => l.startsWith("kprobes: ")) ?? "";
        const m = /^kprobes: cannot probe [^:]+: (.*)$/.exec(line);
        yield { where: pt.where, outcome: "refused", errno: -ret, detail: m ? m[1] : line };
        continue;
      }
      const k = kernel;
      kernel = null;
      try {
        yield checkRun(base, k, pt, unregister, from);
      } finally {
        await k.shutdown();
      }
    }
  } finally {
    if (kernel !== null) await kernel.shutdown();
  }
}

function checkRun(
  base: SweepBase,
  kernel: Kernel,
  pt: SweepPoint,
  unregister: () => void,
  from: number,
): PointResult {
  const optimized = kernel.kprobesList().includes("[OPTIMIZED]");
  const broken = (detail: string): PointResult => ({
    where: pt.where,
    outcome: "broken",
    detail: `${detail}${optimized ? " (optimized)" : ""}`,
    optimized,
  });
  let r;
  try {
    r = kernel.run({ maxInstructions: base.instructions * 20 + 1_000_000 });
  } catch (e) {
    return broken(`host exception ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!r.completed) return broken("the workload did not complete");
  const inc = kernel.incidents;
  if (inc.oopses + inc.panics + inc.handlerErrors + inc.lockups !== 0) {
    return broken(`incidents ${JSON.stringify(inc)}`);
  }
  const sc = syscallLines(r.syscalls);
  if (sc.join("\n") !== base.syscalls.join("\n")) {
    return broken(`system calls differ: ${firstDiff(base.syscalls, sc)}`);
  }
  const log = logLines(kernel, from);
  if (log.join("\n") !== base.log.join("\n")) {
    return broken(`log differs: ${firstDiff(base.log, log)}`);
  }
  unregister();
  const now = kernel.memory.readBytes(base.text[0], base.textBytes.length);
  const i = now.findIndex((b, j) => b !== base.textBytes[j]);
  if (i >= 0) {
    return broken(`text differs from the image at 0x${(base.text[0] + BigInt(i)).toString(16)}`);
  }
  return { where: pt.where, outcome: "ok", optimized };
}

/** Tallies results: tested, accepted, refused by reason, broken. */
export interface SweepTally {
  /** Points tested. */
  tested: number;
  /** Accepted and transparent. */
  ok: number;
  /** Refused, by `errno reason`. */
  refused: Map<string, number>;
  /** Accepted and broken, with what broke. */
  broken: PointResult[];
}

/** Adds one result to a tally. */
export function tally(t: SweepTally, r: PointResult): void {
  t.tested++;
  if (r.outcome === "ok") t.ok++;
  else if (r.outcome === "broken") t.broken.push(r);
  else {
    const key = `-${r.errno} ${r.detail}`;
    t.refused.set(key, (t.refused.get(key) ?? 0) + 1);
  }
}

/** An empty tally. */
export function newTally(): SweepTally {
  return { tested: 0, ok: 0, refused: new Map(), broken: [] };
}
