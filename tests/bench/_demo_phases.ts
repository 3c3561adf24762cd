// Copyright 2026 the kprobes-sim authors. MIT license.
// Where demo_ms goes (_startup.ts measures the whole): the README's first
// command's kernel work, phase by phase, each run a fresh process so that
// every phase is as cold as in the CLI:
//
//   deno run -A tests/bench/_demo_phases.ts [--runs N] [--arch A]
//
// Each run starts a Worker as the CLI does (`_cli_run.ts`) and, inside it,
// times what `cli_worker.ts` does for `insmod examples/kprobe_example.ts`:
// load the library and the arch, Kernel.boot(), insmod, run the default
// workload, rmmod and shutdown. Reported per phase: wall time (ms, the
// median and range of N runs) and the Worker thread's CPU time where Linux
// tells it (/proc/thread-self/schedstat; on a loaded machine trust the CPU
// figures, wall time includes waiting for a core). `create` is what
// `new Worker()` blocks its creator for (the Worker's bootstrap, nearly all
// of it); `start` from then to the Worker's first line.

const HERE = new URL(import.meta.url);
const EXAMPLE = new URL("../../examples/kprobe_example.ts", HERE).pathname;
const PHASES = ["create", "start", "library", "boot", "insmod", "run", "shutdown"] as const;

/** This thread's CPU time in ms, or NaN where /proc/thread-self does not tell it. */
function threadCpuMs(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/thread-self/schedstat").split(" ")[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/** An absolute time in ms, comparable between threads. */
function now(): number {
  return performance.timeOrigin + performance.now();
}

/** The Worker's half: the CLI worker's phases, each mark posted as [name, time, cpu]. */
async function workerPhases(arch: string): Promise<void> {
  const post = (globalThis as unknown as { postMessage: (m: unknown) => void }).postMessage;
  const mark = (name: string) => post([name, now(), threadCpuMs()]);
  mark("start");
  const [{ Kernel }, { loadArch }] = await Promise.all([
    import(new URL("../../mod.ts", HERE).href),
    import(new URL("../../arch/load_arch.ts", HERE).href),
  ]);
  await loadArch(arch);
  mark("library");
  const k = await Kernel.boot({ arch, console: () => {} });
  mark("boot");
  const m = await k.insmod(EXAMPLE);
  mark("insmod");
  k.run({ watchdogClock: "host" });
  mark("run");
  k.rmmod(m.name);
  await k.shutdown();
  mark("shutdown");
  post("done");
}

/** One cold run in this process: each phase's wall and Worker-thread CPU time. */
async function oneRun(arch: string): Promise<Record<string, [number, number]>> {
  const t0 = now();
  const worker = new Worker(`${HERE.href}?worker=${arch}`, { type: "module" });
  const created = now();
  const marks = new Map<string, [number, number]>();
  await new Promise<void>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent) => {
      if (e.data === "done") return resolve();
      marks.set(e.data[0], [e.data[1], e.data[2]]);
    };
    worker.onerror = (e) => reject(new Error(`The phases' worker failed: ${e.message}`));
  });
  worker.terminate();
  const out: Record<string, [number, number]> = { create: [created - t0, NaN] };
  let prev: [number, number] = [created, 0];
  for (const p of PHASES.slice(1)) {
    const m = marks.get(p)!;
    out[p] = [m[0] - prev[0], m[1] - prev[1]];
    prev = m;
  }
  return out;
}

function spread(xs: number[]): string {
  // NaN (no CPU figure) arrives as null through JSON.
  const s = xs.filter((x) => typeof x === "number" && !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return "-".padStart(20);
  const med = s[s.length >> 1];
  return `${med.toFixed(1)} (${s[0].toFixed(1)}–${s[s.length - 1].toFixed(1)})`.padStart(20);
}

const search = new URL(import.meta.url).searchParams;
if (search.has("worker")) {
  await workerPhases(search.get("worker")!);
} else if (Deno.args.includes("--child")) {
  const arch = Deno.args[Deno.args.indexOf("--child") + 1];
  console.log(JSON.stringify(await oneRun(arch)));
} else if (import.meta.main) {
  const flag = (name: string, fallback: string) => {
    const i = Deno.args.indexOf(name);
    return i >= 0 ? Deno.args[i + 1] : fallback;
  };
  const runs = Number(flag("--runs", "7"));
  const arch = flag("--arch", "x86_64");
  const rows: Record<string, [number, number]>[] = [];
  for (let i = 0; i <= runs; i++) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", HERE.pathname, "--child", arch],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`A phases run exited ${out.code}`);
    // The first run warms the file and code caches; it is not counted.
    if (i > 0) rows.push(JSON.parse(new TextDecoder().decode(out.stdout)));
  }
  console.log(`${arch}, ${runs} cold runs: median (range) in ms`);
  console.log(`${"phase".padEnd(10)}${"wall".padStart(20)}${"worker CPU".padStart(20)}`);
  for (const p of PHASES) {
    console.log(
      `${p.padEnd(10)}${spread(rows.map((r) => r[p][0]))}${spread(rows.map((r) => r[p][1]))}`,
    );
  }
  const total = (i: 0 | 1) => rows.map((r) => PHASES.reduce((a, p) => a + (r[p][i] || 0), 0));
  console.log(`${"total".padEnd(10)}${spread(total(0))}${spread(total(1))}`);
}
