// Copyright 2026 the kprobes-sim authors. MIT license.
// The spec's behaviour on every architecture (x86_64, i386, ppc64, sparc64):
// the examples, probe mechanics and their fixups (sparc64: delay slots too),
// jprobes with the arch's argument passing, return probes with the arch's
// return register.

import assert from "node:assert/strict";
import {
  type ArchName,
  type Jprobe,
  jprobe_return,
  Kernel,
  type Kprobe,
  type Kretprobe,
  type PtRegs,
  type Workload,
} from "../mod.ts";
import { decodePpc64, decodeX86, sparc64 } from "../arch/mod.ts";
import { fastcall } from "../probes/mod.ts";

const ARCHES: ArchName[] = ["x86_64", "i386", "ppc64", "sparc64"];
const examples = new URL("../examples/", import.meta.url);

/** The return register as a signed 32-bit value, per arch. */
function retval(arch: ArchName, regs: PtRegs): number {
  assert.equal(regs.arch, arch);
  switch (regs.arch) {
    case "i386":
      return regs.eax | 0;
    case "ppc64":
      return Number(BigInt.asIntN(32, regs.gpr[3]));
    case "sparc64":
      return Number(BigInt.asIntN(32, regs.u_regs[8])); // UREG_I0: the trapped %o0
    case "x86_64":
      return Number(BigInt.asIntN(32, regs.rax));
  }
}

/** The first instruction of `fn` matching `pred`, decoded for the arch. */
function findInsn(
  kernel: Kernel,
  fn: string,
  pred: (mnemonic: string, word: number) => boolean,
): bigint {
  const sym = kernel.kallsyms.lookupSymbol(kernel.arch === "ppc64" ? "." + fn : fn)!;
  let a = sym.address;
  const end = a + sym.size;
  while (a < end) {
    const bytes = kernel.memory.readBytes(a, 16);
    if (kernel.arch === "ppc64" || kernel.arch === "sparc64") {
      const word = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
      const m = kernel.arch === "ppc64"
        ? decodePpc64(word).mnemonic
        : sparc64.decodeSparc64(word).mnemonic;
      if (pred(m, word)) return a;
      a += 4n;
    } else {
      const d = decodeX86(bytes, 0, kernel.arch === "i386" ? 32 : 64);
      if (pred(d.mnemonic, 0)) return a;
      a += BigInt(d.length);
    }
  }
  throw new Error(`no matching instruction in ${fn}`);
}

const oneFork: Workload = { init: [{ call: "fork" }, { call: "wait4" }] };

for (const arch of ARCHES) {
  Deno.test(`${arch}: the three examples print what §8, §9 and §10 say`, async () => {
    await using kernel = await Kernel.boot({ arch, cpus: 2 });
    for (const name of ["kprobe_example", "jprobe_example", "kretprobe_example"]) {
      await kernel.insmod(new URL(`${name}.ts`, examples));
    }
    const r = kernel.run();
    for (const name of ["kretprobe_example", "jprobe_example", "kprobe_example"]) {
      kernel.rmmod(name);
    }
    assert.ok(r.completed);
    const log = kernel.log;
    const pcName = { x86_64: "rip", i386: "eip", ppc64: "nip", sparc64: "tpc" }[arch];
    assert.equal(
      log.match(new RegExp(`pre_handler: p->addr=0x[0-9a-f]+, ${pcName}=`, "g"))?.length,
      3,
    );
    assert.equal(log.match(/post_handler: p->addr=0x/g)?.length, 3);
    assert.equal(
      log.match(/jprobe: clone_flags=0x11, stack_size=0x0, regs=0x[0-9a-f]+\n/g)?.length,
      3,
    );
    assert.equal(log.match(/sys_open returns -2\n/g)?.length, 3);
    assert.equal(log.match(/sys_open returns -13\n/g)?.length, 3);
    assert.match(log, /Missed probing 0 instances of sys_open/);
    const doFork = arch === "ppc64" ? "\\.do_fork" : "do_fork";
    assert.match(
      log,
      new RegExp(
        `\\] ${doFork}\\+0x[01]/0x[0-9a-f]+\\n.*\\] ${arch === "ppc64" ? "\\." : ""}sys_fork\\+`,
      ),
    );
  });

  Deno.test(`${arch}: the breakpoint is in text while armed and the original is back after unregister`, async () => {
    await using kernel = await Kernel.boot({ arch });
    const addr = BigInt(kernel.kallsyms.lookupName("do_fork"));
    const before = kernel.memory.readBytes(addr, 4);
    const kp: Kprobe = { addr };
    assert.equal(kernel.registerKprobe(kp), 0);
    const armed = kernel.memory.readBytes(addr, 4);
    if (arch === "ppc64") assert.deepEqual([...armed], [0x7f, 0xe0, 0x00, 0x08]);
    else if (arch === "sparc64") assert.deepEqual([...armed], [0x91, 0xd0, 0x20, 0x70]); // ta 0x70
    else assert.equal(armed[0], 0xcc);
    kernel.unregisterKprobe(kp);
    assert.deepEqual(kernel.memory.readBytes(addr, 4), before);
  });

  Deno.test(`${arch}: probes on calls, branches and returns keep the kernel correct`, async () => {
    const baseline = await Kernel.boot({ arch });
    const expected = baseline.run().syscalls.map((s) => `${s.pid}:${s.call}=${s.ret}`);
    await baseline.shutdown();
    await using kernel = await Kernel.boot({ arch });
    const picks = arch === "ppc64"
      ? [
        findInsn(kernel, "sys_fork", (m) => m === "bl"),
        findInsn(kernel, "do_sys_open", (m, w) => m === "bc" && (w >>> 26) === 16),
        findInsn(kernel, "do_fork", (m) => m === "bclr"),
      ]
      : arch === "sparc64"
      ? [
        findInsn(kernel, "sys_fork", (m) => m === "call"),
        findInsn(kernel, "do_sys_open", (m) => /^(b|br)[a-z]+(,|$)/.test(m) && !/^ba\b/.test(m)),
        // ret / retl (jmpl %i7 + 8 / %o7 + 8) or return
        findInsn(kernel, "do_fork", (m, w) => m === "return" || (w >>> 0) === 0x81c7e008),
      ]
      : [
        findInsn(kernel, "sys_fork", (m) => m === "call"),
        findInsn(kernel, "do_sys_open", (m) => m.startsWith("j") && m !== "jmp"),
        findInsn(kernel, "do_fork", (m) => m === "ret"),
      ];
    const hits = picks.map(() => 0);
    picks.forEach((addr, i) => {
      assert.equal(
        kernel.registerKprobe({ addr, pre_handler: () => void hits[i]++ }),
        0,
        `probe ${addr.toString(16)}`,
      );
    });
    const got = kernel.run().syscalls.map((s) => `${s.pid}:${s.call}=${s.ret}`);
    assert.deepEqual(got, expected);
    assert.ok(hits.every((h) => h > 0), `every probe fired: ${hits}`);
  });

  Deno.test(`${arch}: a probe hit inside a handler counts nmissed`, async () => {
    await using kernel = await Kernel.boot({ arch });
    const inner: Kprobe = { symbol_name: "vsnprintf" };
    const outer: Kprobe = {
      symbol_name: "do_fork",
      pre_handler: () => {
        kernel.callFunction("strlen", ["nested"]);
        kernel.callFunction("vsnprintf", [0n, 0n, "x", 0n]);
        return 0;
      },
    };
    assert.equal(kernel.registerKprobe(inner), 0);
    assert.equal(kernel.registerKprobe(outer), 0);
    kernel.run({ workload: oneFork });
    assert.equal(inner.nmissed, 1);
  });

  Deno.test(`${arch}: return probes see the return value and dying tasks leak no instance`, async () => {
    await using kernel = await Kernel.boot({ arch, cpus: 2 });
    const rets: string[] = [];
    const rp: Kretprobe = {
      kp: { symbol_name: "sys_open" },
      handler: (ri, regs) => void rets.push(`${ri.task.pid}:${retval(arch, regs)}`),
    };
    const onExit: Kretprobe = { kp: { symbol_name: "do_exit" }, maxactive: 2 };
    assert.equal(kernel.registerKretprobe(rp), 0);
    assert.equal(kernel.registerKretprobe(onExit), 0);
    const r = kernel.run();
    // On 2 CPUs the return probe of one task may fire before another task's
    // open is recorded: compare each task's sequence of return values.
    const byPid = (list: string[]) => list.slice().sort((a, b) => parseInt(a) - parseInt(b));
    assert.deepEqual(
      byPid(rets),
      byPid(r.syscalls.filter((s) => s.call === "open").map((s) => `${s.pid}:${s.ret}`)),
    );
    assert.equal(onExit.nmissed, 0);
    assert.equal(kernel.kretprobeFreeInstances(onExit), 2);
  });

  Deno.test(`${arch}: nmissed counts tasks sleeping in a return-probed function on 2 CPUs`, async () => {
    await using kernel = await Kernel.boot({ arch, cpus: 2 });
    let returns = 0;
    const rp: Kretprobe = {
      kp: { symbol_name: "sys_nanosleep" },
      handler: () => void returns++,
      maxactive: 1,
    };
    assert.equal(kernel.registerKretprobe(rp), 0);
    const r = kernel.run({
      workload: {
        init: [
          {
            call: "repeat",
            times: 3,
            body: [{ call: "fork", child: [{ call: "nanosleep", ms: 5 }, { call: "exit" }] }],
          },
          { call: "repeat", times: 3, body: [{ call: "wait4" }] },
        ],
      },
    });
    assert.ok(r.completed);
    assert.ok(rp.nmissed! >= 1);
    assert.equal(returns + rp.nmissed!, 3);
    assert.equal(kernel.kretprobeFreeInstances(rp), 1);
  });

  Deno.test(`${arch}: dump_stack() in a return-probed function shows the trampoline (§5)`, async () => {
    await using kernel = await Kernel.boot({ arch });
    const rp: Kretprobe = { kp: { symbol_name: "sys_nanosleep" }, maxactive: 2 };
    const kp: Kprobe = {
      symbol_name: "schedule_timeout",
      pre_handler: () => void kernel.callFunction("dump_stack"),
    };
    assert.equal(kernel.registerKretprobe(rp), 0);
    assert.equal(kernel.registerKprobe(kp), 0);
    kernel.run({ workload: { init: [{ call: "nanosleep", ms: 1 }] } });
    assert.match(kernel.log, /\] kretprobe_trampoline\+0x0\//);
  });

  Deno.test(`${arch}: a jprobe gets the arguments and the probed function runs unchanged`, async () => {
    await using kernel = await Kernel.boot({ arch });
    const flags: (bigint | number)[] = [];
    const jp: Jprobe = {
      kp: { symbol_name: "do_fork" },
      entry: (clone_flags: bigint | number) => {
        flags.push(clone_flags);
        jprobe_return();
      },
    };
    assert.equal(kernel.registerJprobe(jp), 0);
    const r = kernel.run({ workload: oneFork });
    assert.deepEqual(flags.map(Number), [17]);
    assert.ok(r.syscalls.find((s) => s.call === "fork")!.ret > 1);
  });
}

Deno.test("i386: a jprobe on a fastcall function reads eax, edx, ecx (§1.2)", async () => {
  await using kernel = await Kernel.boot({ arch: "i386" });
  const seen: string[] = [];
  const jp: Jprobe = {
    kp: { symbol_name: "do_execve" },
    entry: fastcall((filename: number) => {
      let s = "";
      for (let i = 0; i < 64; i++) {
        const b = kernel.memory.readU8(BigInt(filename + i));
        if (b === 0) break;
        s += String.fromCharCode(b);
      }
      seen.push(s);
      jprobe_return();
    }),
  };
  assert.equal(kernel.registerJprobe(jp), 0);
  kernel.run({ workload: { init: [{ call: "execve", path: "/bin/sh" }] } });
  assert.deepEqual(seen, ["/bin/sh"]);
});

Deno.test("sparc64: probes on delay-slot instructions (after call, an annulled branch, ret) keep the kernel correct", async () => {
  const baseline = await Kernel.boot({ arch: "sparc64" });
  const expected = baseline.run().syscalls.map((s) => `${s.pid}:${s.call}=${s.ret}`);
  await baseline.shutdown();
  await using kernel = await Kernel.boot({ arch: "sparc64" });
  // The word after each transfer is its delay slot: it runs with nPC = the target.
  const picks = [
    findInsn(kernel, "sys_fork", (m) => m === "call") + 4n,
    findInsn(kernel, "do_sys_open", (m) => /^b[a-z]+,a/.test(m) && !/^ba\b/.test(m)) + 4n,
    findInsn(kernel, "sys_fork", (_m, w) => w === 0x81c7e008) + 4n, // ret; restore
  ];
  const hits = picks.map(() => 0);
  const tnpcs = picks.map(() => new Set<bigint>());
  picks.forEach((addr, i) => {
    const kp: Kprobe = {
      addr,
      pre_handler: (_p, regs) => {
        hits[i]++;
        if (regs.arch === "sparc64") {
          assert.equal(regs.tpc, addr);
          tnpcs[i].add(regs.tnpc);
        }
        return 0;
      },
    };
    assert.equal(kernel.registerKprobe(kp), 0, `probe ${addr.toString(16)}`);
  });
  const got = kernel.run().syscalls.map((s) => `${s.pid}:${s.call}=${s.ret}`);
  assert.deepEqual(got, expected);
  assert.ok(hits.every((h) => h > 0), `every probe fired: ${hits}`);
  // In a delay slot, tnpc is the transfer's target, not the next word.
  assert.ok(!tnpcs[0].has(picks[0] + 4n), `call's slot: ${[...tnpcs[0]]}`);
  assert.equal(kernel.incidents.handlerErrors, 0);
});
