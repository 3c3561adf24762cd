// Copyright 2026 the kprobes-sim authors. MIT license.
// enable_kprobe()/disable_kprobe() and their jprobe/kretprobe forms,
// KPROBE_FLAG_DISABLED at registration, `[DISABLED]` in the debugfs list,
// and the return probe's per-instance `ri.data` of `data_size` bytes
// (issue 8, part 4), through mod.ts and Kernel.

import assert from "node:assert/strict";
import {
  disable_jprobe,
  disable_kprobe,
  disable_kretprobe,
  EINVAL,
  enable_jprobe,
  enable_kprobe,
  enable_kretprobe,
  type Jprobe,
  jprobe_return,
  type Kernel,
  type Kprobe,
  kprobe_disabled,
  KPROBE_FLAG_DISABLED,
  type Kretprobe,
  register_kprobe,
} from "../../mod.ts";
import { boot, jumpSize, optimizedAddrs } from "../_helpers.ts";
import { type SweepArch, sweepBase } from "../_sweep.ts";

/** Runs `fn` as a module's init_module and returns its value. */
async function inModule<R>(kernel: Kernel, fn: () => R): Promise<R> {
  let out: R | undefined;
  const name = `m_${crypto.randomUUID().slice(0, 8)}`;
  await kernel.insmod({
    name,
    init_module: () => {
      out = fn();
      return 0;
    },
  });
  return out as R;
}

/** Armed: an int3, or the jump of an optimized probe. */
const isBreakpoint = (kernel: Kernel, addr: bigint) =>
  kernel.memory.readU8(addr) === 0xcc ||
  (kernel.memory.readU8(addr) === 0xe9 && optimizedAddrs(kernel).has(addr));

Deno.test("disable_kprobe() keeps the registration, restores the text and stops the hits; enable_kprobe() re-arms", async () => {
  await using kernel = await boot();
  let hits = 0;
  const kp: Kprobe = { symbol_name: "do_fork", pre_handler: () => void hits++ };
  assert.equal(await inModule(kernel, () => enable_kprobe(kp)), -EINVAL, "not registered yet");
  assert.equal(await inModule(kernel, () => register_then_disable(kp)), 0);
  const addr = BigInt(kp.addr!);
  const original = kernel.memory.readU8(addr);
  assert.notEqual(original, 0xcc);
  assert.equal(kprobe_disabled(kp), true);
  assert.equal(kp.flags, KPROBE_FLAG_DISABLED);
  assert.match(
    kernel.kprobesList(),
    /^ffffffff8[0-9a-f]+ {2}k {2}do_fork\+0x0 {4}\[m_[0-9a-f]+\] \[DISABLED\]$/m,
  );
  const r1 = kernel.run();
  assert.ok(r1.syscalls.some((s) => s.call === "fork" || s.call === "clone"));
  assert.equal(hits, 0);
  assert.equal(kernel.kprobeHits(kp), 0, "no hit counted while disabled");
  assert.equal(await inModule(kernel, () => disable_kprobe(kp)), 0, "disabling twice is 0");
  assert.equal(await inModule(kernel, () => enable_kprobe(kp)), 0);
  assert.equal(kprobe_disabled(kp), false);
  assert.equal(kp.flags, 0);
  assert.ok(isBreakpoint(kernel, addr));
  assert.doesNotMatch(kernel.kprobesList(), /DISABLED/);
  assert.equal(await inModule(kernel, () => enable_kprobe(kp)), 0, "enabling twice is 0");
  kernel.run();
  assert.equal(hits, 3);
  assert.equal(kernel.kprobeHits(kp), 3);
  kernel.unregisterKprobe(kp);
  assert.equal(kernel.memory.readU8(addr), original);
  assert.equal(kernel.disableKprobe(kp), -EINVAL, "unregistered");
  assert.equal(kernel.enableKprobe(kp), -EINVAL, "unregistered");
});

function register_then_disable(kp: Kprobe): number {
  return register_kprobe(kp) || disable_kprobe(kp);
}

Deno.test("KPROBE_FLAG_DISABLED at registration: registered, not armed, no hits; enable_kprobe() arms it", async () => {
  await using kernel = await boot();
  let hits = 0;
  const kp: Kprobe = {
    symbol_name: "do_fork",
    flags: KPROBE_FLAG_DISABLED,
    pre_handler: () => void hits++,
  };
  assert.equal(kernel.registerKprobe(kp), 0);
  const addr = BigInt(kp.addr!);
  assert.ok(!isBreakpoint(kernel, addr));
  assert.match(kernel.kprobesList(), /do_fork\+0x0 \[DISABLED\]$/m);
  kernel.run();
  assert.equal(hits, 0);
  assert.equal(kernel.kprobeHits(kp), 0);
  assert.equal(kernel.enableKprobe(kp), 0);
  assert.ok(isBreakpoint(kernel, addr));
  kernel.run();
  assert.equal(hits, 3);
});

Deno.test("at one address the int3 stays while one kprobe is enabled and leaves when all are disabled", async () => {
  await using kernel = await boot();
  const seen: string[] = [];
  const a: Kprobe = { symbol_name: "do_fork", pre_handler: () => void seen.push("a") };
  const b: Kprobe = { symbol_name: "do_fork", pre_handler: () => void seen.push("b") };
  assert.equal(kernel.registerKprobe(a), 0);
  assert.equal(kernel.registerKprobe(b), 0);
  const addr = BigInt(a.addr!);
  assert.equal(kernel.disableKprobe(a), 0);
  assert.ok(isBreakpoint(kernel, addr), "b is still enabled");
  kernel.run();
  assert.deepEqual(seen, ["b", "b", "b"]);
  assert.equal(kernel.disableKprobe(b), 0);
  assert.ok(!isBreakpoint(kernel, addr), "every probe at the address is disabled");
  seen.length = 0;
  kernel.run();
  assert.equal(seen.length, 0);
  // A new enabled kprobe at a disabled address arms it.
  const c: Kprobe = { symbol_name: "do_fork", pre_handler: () => void seen.push("c") };
  assert.equal(kernel.registerKprobe(c), 0);
  assert.ok(isBreakpoint(kernel, addr));
  // Unregistering the only enabled one leaves the disabled ones, disarmed.
  kernel.unregisterKprobe(c);
  assert.ok(!isBreakpoint(kernel, addr));
  assert.equal(kernel.kprobesList().match(/\[DISABLED\]/g)?.length, 2);
  assert.equal(kernel.enableKprobe(a), 0);
  assert.ok(isBreakpoint(kernel, addr));
});

Deno.test("enable_kprobe() while debugfs kprobes/enabled is 0 arms the probe only when probes are enabled again", async () => {
  await using kernel = await boot();
  const kp: Kprobe = { symbol_name: "do_fork", flags: KPROBE_FLAG_DISABLED };
  assert.equal(kernel.registerKprobe(kp), 0);
  const addr = BigInt(kp.addr!);
  kernel.setKprobesEnabled(false);
  assert.equal(kernel.enableKprobe(kp), 0);
  assert.ok(!isBreakpoint(kernel, addr));
  kernel.setKprobesEnabled(true);
  assert.ok(isBreakpoint(kernel, addr));
  assert.equal(kernel.disableKprobe(kp), 0);
  kernel.setKprobesEnabled(false);
  kernel.setKprobesEnabled(true);
  assert.ok(!isBreakpoint(kernel, addr), "arm_all_kprobes() skips disabled probes");
});

Deno.test("enable_jprobe()/disable_jprobe() and enable_kretprobe()/disable_kretprobe() act on the embedded kprobe", async () => {
  await using kernel = await boot();
  let jhits = 0;
  let rhits = 0;
  const jp: Jprobe = {
    kp: { symbol_name: "sys_open" },
    entry: () => {
      jhits++;
      jprobe_return();
    },
  };
  const rp: Kretprobe = { kp: { symbol_name: "do_execve" }, handler: () => void rhits++ };
  assert.equal(kernel.registerJprobe(jp), 0);
  assert.equal(kernel.registerKretprobe(rp), 0);
  assert.deepEqual(
    await inModule(kernel, () => [disable_jprobe(jp), disable_kretprobe(rp)]),
    [0, 0],
  );
  assert.match(kernel.kprobesList(), /j {2}sys_open\+0x0 \[DISABLED\]$/m);
  assert.match(kernel.kprobesList(), /r {2}do_execve\+0x0 \[DISABLED\]$/m);
  kernel.run();
  assert.deepEqual([jhits, rhits], [0, 0]);
  assert.equal(rp.nmissed, 0);
  assert.deepEqual(
    await inModule(kernel, () => [enable_jprobe(jp), enable_kretprobe(rp)]),
    [0, 0],
  );
  kernel.run();
  assert.ok(jhits > 0 && rhits > 0, `${jhits} ${rhits}`);
  assert.deepEqual(
    await inModule(kernel, () => [
      enable_jprobe({ kp: {}, entry: () => 0 }),
      disable_kretprobe({ kp: {} }),
    ]),
    [-EINVAL, -EINVAL],
  );
});

Deno.test("ri.data: data_size private bytes per instance, shared by entry_handler and handler of one call", async () => {
  await using kernel = await boot();
  let seq = 0;
  const pairs: [number, number, number][] = [];
  const rp: Kretprobe = {
    kp: { symbol_name: "sys_open" },
    data_size: 16,
    maxactive: 4,
    entry_handler: (ri) => {
      assert.ok(ri.data instanceof DataView);
      assert.equal(ri.data.byteLength, 16);
      assert.equal(ri.data.getBigUint64(8, true), 0n, "zeroed when taken");
      ri.data.setUint32(0, ++seq, true);
      ri.data.setUint32(4, ri.task.pid, true);
      return 0;
    },
    handler: (ri) => {
      pairs.push([ri.data.getUint32(0, true), ri.data.getUint32(4, true), ri.task.pid]);
      ri.data.setBigUint64(8, 0xdeadn, true);
      return 0;
    },
  };
  assert.equal(kernel.registerKretprobe(rp), 0);
  const r = kernel.run();
  const opens = r.syscalls.filter((s) => s.call === "open").length;
  assert.ok(opens >= 3);
  assert.equal(pairs.length, opens);
  assert.deepEqual(pairs.map((p) => p[0]), pairs.map((_, i) => i + 1));
  for (const [, pid, taskPid] of pairs) assert.equal(pid, taskPid);
  assert.equal(kernel.kretprobeFreeInstances(rp), 4);
});

Deno.test("entry_handler returning non-zero skips the instance: no handler call, nmissed unchanged", async () => {
  await using kernel = await boot();
  let entries = 0;
  let returns = 0;
  const rp: Kretprobe = {
    kp: { symbol_name: "sys_open" },
    data_size: 4,
    maxactive: 1,
    entry_handler: () => (++entries % 2 === 0 ? 1 : 0),
    handler: () => void returns++,
  };
  assert.equal(kernel.registerKretprobe(rp), 0);
  kernel.run();
  assert.ok(entries >= 3);
  assert.equal(returns, Math.ceil(entries / 2));
  assert.equal(rp.nmissed, 0);
  assert.equal(kernel.kretprobeFreeInstances(rp), 1);
});

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const satisfies readonly SweepArch[]) {
  Deno.test(`random register/enable/disable/unregister sequences leave text equal to the ELF image on ${arch}`, async () => {
    const base = await sweepBase(arch);
    const bpLen = arch === "ppc64" || arch === "sparc64" ? 4 : 1;
    await using kernel = await boot({ arch, image: base.image });
    const rnd = prng(4242);
    const inText = base.points.filter((p) => p.addr < base.text[1]);
    const k = Math.floor(rnd() * (inText.length - 8));
    const pool = inText.slice(k, k + 6);
    const live: Kprobe[] = [];
    const textNow = () => kernel.memory.readBytes(base.text[0], base.textBytes.length);
    for (let op = 0; op < 400; op++) {
      const x = rnd();
      if (x < 0.3) {
        const p = pool[Math.floor(rnd() * pool.length)];
        const kp: Kprobe = { addr: p.addr, flags: rnd() < 0.3 ? KPROBE_FLAG_DISABLED : 0 };
        if (kernel.registerKprobe(kp) === 0) live.push(kp);
      } else if (x < 0.5 && live.length > 0) {
        const [kp] = live.splice(Math.floor(rnd() * live.length), 1);
        kernel.unregisterKprobe(kp);
      } else if (x < 0.95 && live.length > 0) {
        const kp = live[Math.floor(rnd() * live.length)];
        assert.equal(rnd() < 0.5 ? kernel.disableKprobe(kp) : kernel.enableKprobe(kp), 0);
      } else {
        kernel.setKprobesEnabled(!kernel.kprobesEnabled);
      }
      // Armed exactly where some live kprobe is enabled (and probes are on).
      const armed = new Set(
        kernel.kprobesEnabled
          ? live.filter((kp) => !kprobe_disabled(kp)).map((kp) => BigInt(kp.addr!))
          : [],
      );
      const now = textNow();
      // Bytes after an optimized probe's first one hold its jump.
      const opt = [...optimizedAddrs(kernel)];
      const covered = (a: bigint) => opt.some((o) => a > o && a < o + BigInt(jumpSize(arch)));
      for (const p of pool) {
        if (covered(p.addr)) {
          assert.ok(!armed.has(p.addr), `op ${op}: ${p.where} armed inside a jump`);
          continue;
        }
        const off = Number(p.addr - base.text[0]);
        const same = now.subarray(off, off + bpLen).every((b, i) => b === base.textBytes[off + i]);
        assert.equal(!same, armed.has(p.addr), `op ${op}: ${p.where}`);
      }
    }
    for (const kp of live) kernel.unregisterKprobe(kp);
    kernel.setKprobesEnabled(true);
    assert.deepEqual(textNow(), base.textBytes);
  });
}

Deno.test("disable_kretprobe() takes no new instance; a call in flight still returns through the handler", async () => {
  await using kernel = await boot();
  const returns: number[] = [];
  const rp: Kretprobe = {
    kp: { symbol_name: "sys_nanosleep" },
    handler: (ri) => void returns.push(ri.task.pid),
    maxactive: 4,
  };
  assert.equal(kernel.registerKretprobe(rp), 0);
  let disabled = -1;
  await kernel.insmod({
    name: "switch",
    init_module: () =>
      register_kprobe({
        symbol_name: "sys_getpid",
        pre_handler: () => {
          // The child is asleep in sys_nanosleep now.
          disabled = disable_kretprobe(rp);
          return 0;
        },
      }),
  });
  const r = kernel.run({
    workload: {
      init: [
        { call: "fork", child: [{ call: "nanosleep", ms: 20 }, { call: "nanosleep", ms: 1 }] },
        { call: "nanosleep", ms: 5 },
        { call: "getpid" },
        { call: "wait4" },
      ],
    },
  });
  assert.equal(r.completed, true);
  assert.equal(disabled, 0);
  const child = r.syscalls.find((s) => s.call === "fork")!.ret;
  // init's sleep and the child's first (in flight at the disable); not the child's second.
  assert.deepEqual(returns.sort(), [1, child].sort());
  assert.equal(r.syscalls.filter((s) => s.call === "nanosleep").length, 3);
  assert.equal(rp.nmissed, 0);
  assert.equal(kernel.kretprobeFreeInstances(rp), 4);
});
