// Copyright 2026 the kprobes-sim authors. MIT license.
// Portable handlers (issue 8): PtRegs per arch with its discriminant, the
// Linux 6.x register names, and the helpers of kapi_regs/kapi_time/
// kapi_sched/kapi_mem, each checked on x86_64, i386, ppc64 and sparc64.

import assert from "node:assert/strict";
import {
  type ArchName,
  EFAULT,
  EINVAL,
  get_current,
  get_cycles,
  in_interrupt,
  instruction_pointer,
  Kernel,
  kernel_stack_pointer,
  type Kprobe,
  type Kretprobe,
  ktime_get,
  ktime_get_ns,
  preemptible,
  printk,
  type PtRegs,
  register_kprobe,
  register_kretprobe,
  regs_get_kernel_argument,
  regs_get_kernel_stack_nth,
  regs_get_register,
  regs_return_value,
  regs_set_return_value,
  smp_processor_id,
  stack_trace_save,
  strncpy_from_kernel_nofault,
  unregister_kprobe,
  unregister_kretprobe,
} from "../../mod.ts";

const ARCHES: ArchName[] = ["x86_64", "i386", "ppc64", "sparc64"];

/** Inserts a module that registers `kps`/`rps`, runs the default workload, removes it. */
async function probe(
  kernel: Kernel,
  kps: Kprobe[],
  rps: Kretprobe[] = [],
): Promise<ReturnType<Kernel["run"]>> {
  const name = `m_${crypto.randomUUID().slice(0, 8)}`;
  await kernel.insmod({
    name,
    init_module: () => {
      for (const kp of kps) assert.equal(register_kprobe(kp), 0);
      for (const rp of rps) assert.equal(register_kretprobe(rp), 0);
      return 0;
    },
    cleanup_module: () => {
      for (const kp of kps) unregister_kprobe(kp);
      for (const rp of rps) unregister_kretprobe(rp);
    },
  });
  const r = kernel.run();
  kernel.rmmod(name);
  return r;
}

for (const arch of ARCHES) {
  Deno.test(`PtRegs on ${arch}: regs.arch narrows, x86 6.x names alias the 2.6 ones`, async () => {
    await using kernel = await Kernel.boot({ arch });
    const seen: string[] = [];
    await probe(kernel, [{
      symbol_name: "do_fork",
      pre_handler: (p, regs) => {
        seen.push(regs.arch);
        switch (regs.arch) {
          case "x86_64":
            assert.equal(regs.ip, regs.rip);
            assert.equal(regs.ip, BigInt(p.addr!) + 1n);
            assert.equal(regs.sp, regs.rsp);
            assert.equal(regs.flags, regs.eflags);
            assert.equal(regs.di, regs.rdi);
            assert.equal(regs.ax, regs.rax);
            assert.equal(regs.orig_ax, regs.orig_rax);
            assert.equal(regs.cs, 0x10n);
            regs.r11 = 0x1234n; // a clobbered register: the write lands
            assert.equal(regs.r11, 0x1234n);
            break;
          case "i386":
            assert.equal(regs.ip, regs.eip);
            assert.equal(regs.ip, Number(p.addr) + 1);
            assert.equal(regs.sp, regs.esp);
            assert.equal(regs.flags, regs.eflags);
            assert.equal(regs.cx, regs.ecx);
            assert.equal(regs.cs, regs.xcs);
            assert.equal(regs.ss, 0x68);
            break;
          case "ppc64":
            assert.equal(regs.nip, BigInt(p.addr!));
            break;
          case "sparc64":
            // The trapped instruction itself, and nPC after it (no delay slot here).
            assert.equal(regs.tpc, BigInt(p.addr!));
            assert.equal(regs.tnpc, BigInt(p.addr!) + 4n);
            assert.equal(regs.u_regs[0], 0n); // %g0
            assert.equal(regs.u_regs[8], 0x11n); // %o0: do_fork's clone_flags, SIGCHLD
            assert.equal((regs.tstate >> 8n) & 4n, 4n, "TSTATE.PSTATE.PRIV: kernel mode");
            regs.u_regs[1] = 0x1234n; // %g1, a clobbered register: the write lands
            assert.equal(regs.u_regs[1], 0x1234n);
            break;
        }
        return 0;
      },
    }]);
    assert.deepEqual(seen, [arch, arch, arch]);
    assert.equal(kernel.ptRegs(0).arch, arch);
    assert.equal(kernel.incidents.handlerErrors, 0);
  });

  Deno.test(`PtRegs on ${arch}: another arch's register is reported with its name and the arch`, async () => {
    await using kernel = await Kernel.boot({ arch });
    const foreign = arch === "x86_64" ? "eax" : arch === "i386" ? "rdi" : "ip";
    await probe(kernel, [{
      symbol_name: "sys_getpid",
      pre_handler: (_p, regs) => {
        // A JavaScript user ignoring the types.
        const v = (regs as unknown as Record<string, bigint>)[foreign] + 1n;
        printk("never %ld\n", v);
        return 0;
      },
    }]);
    const log = kernel.log;
    assert.match(
      log,
      new RegExp(
        `pre_handler of m_\\w+ threw RegisterError: Cannot read register "${foreign}" on ${arch}: it is an? (x86_64|i386|x86) register`,
      ),
    );
    assert.doesNotMatch(log, /Cannot mix BigInt|never/);
    assert.equal(kernel.incidents.handlerErrors, 3);
  });

  Deno.test(`regs_get_kernel_argument() on ${arch}: do_execve's filename and sys_open's flags`, async () => {
    await using kernel = await Kernel.boot({ arch });
    const paths: unknown[] = [];
    const flags: bigint[] = [];
    const userPtr: unknown[] = [];
    await probe(kernel, [{
      // fastcall on i386: regparm(3), the convention Linux's helper assumes.
      symbol_name: "do_execve",
      pre_handler: (_p, regs) => {
        paths.push(strncpy_from_kernel_nofault(regs_get_kernel_argument(regs, 0), 64));
        return 0;
      },
    }, {
      // asmlinkage on i386: its arguments are on the stack above the return address.
      symbol_name: "sys_open",
      pre_handler: (_p, regs) => {
        flags.push(
          regs.arch === "i386"
            ? regs_get_kernel_stack_nth(regs, 2)
            : regs_get_kernel_argument(regs, 1),
        );
        const filename = regs.arch === "i386"
          ? regs_get_kernel_stack_nth(regs, 1)
          : regs_get_kernel_argument(regs, 0);
        userPtr.push(strncpy_from_kernel_nofault(filename, 64));
        return 0;
      },
    }]);
    assert.deepEqual(paths, ["/bin/sh", "/bin/sh", "/bin/sh"]);
    assert.equal(flags.length, 9);
    assert.ok(flags.every((f) => f >= 0n && f < 0x10000n), `${flags}`);
    // sys_open's filename is a user pointer: the nofault read refuses it.
    assert.deepEqual(new Set(userPtr), new Set([-EFAULT]));
  });

  Deno.test(`regs_return_value() on ${arch}: signed, and regs_set_return_value() changes it`, async () => {
    await using kernel = await Kernel.boot({ arch });
    const rets: bigint[] = [];
    const r = await probe(kernel, [], [{
      kp: { symbol_name: "sys_open" },
      handler: (_ri, regs) => {
        rets.push(regs_return_value(regs));
        return 0;
      },
    }, {
      kp: { symbol_name: "sys_getpid" },
      handler: (_ri, regs) => {
        assert.equal(regs_set_return_value(regs, -1n), 0);
        return 0;
      },
    }]);
    const opens = r.syscalls.filter((s) => s.call === "open").map((s) => BigInt(s.ret));
    assert.deepEqual(rets, opens);
    assert.ok(rets.includes(-2n) && rets.includes(-13n));
    const pids = r.syscalls.filter((s) => s.call === "getpid").map((s) => s.ret);
    assert.deepEqual(pids, [-1, -1, -1]);
  });

  Deno.test(`instruction_pointer(), kernel_stack_pointer(), regs_get_register() on ${arch}`, async () => {
    await using kernel = await Kernel.boot({ arch });
    let checked = 0;
    await probe(kernel, [{
      symbol_name: "do_fork",
      pre_handler: (p, regs) => {
        const addr = BigInt(p.addr!);
        const ip = instruction_pointer(regs);
        const sp = kernel_stack_pointer(regs);
        if (regs.arch === "ppc64") {
          assert.equal(ip, addr);
          assert.equal(sp, regs.gpr[1]);
          assert.equal(regs_get_register(regs, "r3"), regs.gpr[3]);
          assert.equal(regs_get_register(regs, "gpr31"), regs.gpr[31]);
          assert.equal(regs_get_register(regs, "link"), regs.link);
          assert.equal(regs_get_register(regs, "ax"), BigInt(-EINVAL));
        } else if (regs.arch === "sparc64") {
          assert.equal(ip, addr);
          assert.equal(sp, regs.u_regs[14] + 2047n); // UREG_FP, unbiased
          assert.equal(regs_get_register(regs, "i0"), regs.u_regs[8]);
          assert.equal(regs_get_register(regs, "i0"), 0x11n);
          assert.equal(regs_get_register(regs, "g1"), regs.u_regs[1]);
          assert.equal(regs_get_register(regs, "lr"), regs.u_regs[15]);
          assert.equal(regs_get_register(regs, "pc"), regs.tpc);
          assert.equal(regs_get_register(regs, "npc"), regs.tnpc);
          assert.equal(regs_get_register(regs, "tstate"), regs.tstate);
          assert.equal(regs_get_register(regs, "y"), regs.y);
          assert.equal(regs_get_register(regs, "o0"), BigInt(-EINVAL));
          assert.equal(regs_get_register(regs, "ax"), BigInt(-EINVAL));
          // %o7 (UREG_RETPC) is the call in sys_fork: the return address is +8.
          assert.match(kernel.kallsyms.formatAddress(regs.u_regs[15]), /^sys_fork\+/);
        } else {
          assert.equal(ip, addr + 1n);
          assert.equal(sp, BigInt(regs.sp));
          assert.equal(regs_get_register(regs, "ax"), BigInt(regs.ax));
          assert.equal(regs_get_register(regs, "flags"), BigInt(regs.flags));
          assert.equal(
            regs_get_register(regs, "r8"),
            regs.arch === "x86_64" ? regs.r8 : BigInt(-EINVAL),
          );
          assert.equal(regs_get_register(regs, "gpr3"), BigInt(-EINVAL));
        }
        // Word 0 of the stack at a function's entry is the return address (x86).
        if (regs.arch !== "ppc64" && regs.arch !== "sparc64") {
          assert.match(
            kernel.kallsyms.formatAddress(regs_get_kernel_stack_nth(regs, 0)),
            /^sys_fork\+/,
          );
        }
        assert.equal(regs_get_kernel_stack_nth(regs, 1 << 20), 0n); // off the stack
        checked++;
        return 0;
      },
    }]);
    assert.equal(checked, 3);
    assert.equal(kernel.incidents.handlerErrors, 0);
  });

  Deno.test(`ktime_get_ns(), smp_processor_id(), preemptible(), in_interrupt(), current on ${arch}`, async () => {
    await using kernel = await Kernel.boot({ arch, cpus: 2, preempt: true });
    const ns: bigint[] = [];
    const irq: boolean[] = [];
    const tasks: string[] = [];
    const stamps = new Map<unknown, bigint>();
    const deltas: bigint[] = [];
    await probe(kernel, [{
      symbol_name: "do_fork",
      pre_handler: () => {
        const t0 = ktime_get_ns();
        const c0 = get_cycles();
        ns.push(t0);
        assert.ok(c0 > 0n);
        irq.push(in_interrupt());
        assert.equal(preemptible(), false); // handlers run with preemption off
        const cur = get_current();
        assert.equal(cur.cpu, smp_processor_id());
        assert.ok(smp_processor_id() === 0 || smp_processor_id() === 1);
        tasks.push(`${cur.pid}/${cur.tgid}/${cur.comm}/${cur.state}`);
        return 0;
      },
    }, {
      symbol_name: "scheduler_tick", // called between irq_enter() and irq_exit()
      pre_handler: () => {
        irq.push(in_interrupt());
        return 0;
      },
    }], [{
      kp: { symbol_name: "do_fork" },
      entry_handler: (ri) => {
        stamps.set(ri, ktime_get());
        return 0;
      },
      handler: (ri) => {
        deltas.push(ktime_get() - stamps.get(ri)!);
        return 0;
      },
    }]);
    assert.equal(ns.length, 3);
    assert.ok(ns[0] < ns[1] && ns[1] < ns[2], `${ns}`);
    assert.equal(irq.slice(0, 1)[0], false);
    assert.ok(irq.includes(true), "a probe under do_timer_interrupt runs in interrupt context");
    assert.deepEqual(tasks, ["1/1/init/0", "1/1/init/0", "1/1/init/0"]);
    // Nanosecond resolution: a do_fork call takes microseconds, not 0 and not a jiffy.
    assert.equal(deltas.length, 3);
    for (const d of deltas) assert.ok(d > 0n && d < 1_000_000n, `${d}`);
  });

  Deno.test(`stack_trace_save() and %pS/%ps/%pB on ${arch}`, async () => {
    await using kernel = await Kernel.boot({ arch });
    const counts: number[] = [];
    await probe(kernel, [{
      symbol_name: "do_fork",
      pre_handler: () => {
        const entries: (bigint | number)[] = [];
        counts.push(stack_trace_save(entries, 2, 0));
        printk("trace: %pS < %ps (%pB)\n", entries[0], entries[1], entries[1]);
        const skipped: (bigint | number)[] = [];
        assert.equal(stack_trace_save(skipped, 1, 1), 1);
        assert.equal(skipped[0], entries[1]);
        assert.equal(typeof entries[0], arch === "i386" ? "number" : "bigint");
        return 0;
      },
    }]);
    assert.deepEqual(counts, [2, 2, 2]);
    const off = arch === "ppc64" || arch === "sparc64" ? "0x0" : "0x1";
    const dot = arch === "ppc64" ? "\\." : ""; // ELFv1 text symbols
    const lines = kernel.log.match(/trace: .*/g) ?? [];
    assert.equal(lines.length, 3);
    for (const l of lines) {
      assert.match(
        l,
        new RegExp(
          `^trace: ${dot}do_fork\\+${off}/0x[0-9a-f]+ < ${dot}sys_fork \\(${dot}sys_fork\\+0x[0-9a-f]+/0x[0-9a-f]+\\)$`,
        ),
      );
    }
  });
}

for (
  const [arch, name, owner] of [["x86_64", "u_regs", "a sparc64"], [
    "sparc64",
    "gpr",
    "a ppc64",
  ]] as const
) {
  Deno.test(`PtRegs on ${arch}: ${owner} register "${name}" is reported with its owner`, async () => {
    await using kernel = await Kernel.boot({ arch });
    await probe(kernel, [{
      symbol_name: "sys_getpid",
      pre_handler: (_p, regs) => {
        printk("never %s\n", String((regs as unknown as Record<string, unknown>)[name]));
        return 0;
      },
    }]);
    assert.match(
      kernel.log,
      new RegExp(
        `threw RegisterError: Cannot read register "${name}" on ${arch}: it is ${owner} register`,
      ),
    );
    assert.doesNotMatch(kernel.log, /never/);
  });
}

Deno.test("printk() %pS of a module symbol names the module; unknown addresses print as hex", async () => {
  await using kernel = await Kernel.boot();
  const fork = kernel.kallsyms.lookupName("do_fork");
  const name = "pstest";
  await kernel.insmod({
    name,
    init_module: () => {
      printk("a=%pS b=%ps c=%pS d=%-12ps| e=%pF %d\n", fork, fork + 5n, 0x10n, fork, fork, 7);
      return 0;
    },
  });
  assert.match(
    kernel.log,
    /a=do_fork\+0x0\/0x[0-9a-f]+ b=do_fork c=0x10 d=do_fork {5}\| e=do_fork\+0x0\/0x[0-9a-f]+ 7\n/,
  );
});

Deno.test("portable helpers are total: junk arguments give -EINVAL, never a host exception", async () => {
  await using kernel = await Kernel.boot();
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  const junk: unknown[] = [null, undefined, 42, "regs", {}, { arch: "x86_64", rdi: 1n }, proxy];
  let ran = false;
  await probe(kernel, [{
    symbol_name: "sys_getpid",
    pre_handler: (_p, regs) => {
      ran = true;
      for (const j of junk) {
        const r = j as PtRegs;
        assert.equal(regs_get_kernel_argument(r, 0), -22n);
        assert.equal(regs_return_value(r), -22n);
        assert.equal(instruction_pointer(r), -22n);
        assert.equal(kernel_stack_pointer(r), -22n);
        assert.equal(regs_get_register(r, "ax"), -22n);
        assert.equal(regs_get_kernel_stack_nth(r, 0), -22n);
        assert.equal(regs_set_return_value(r, 0), -EINVAL);
      }
      const fake = Object.create(Object.getPrototypeOf(regs)) as PtRegs; // no CPU behind it
      assert.equal(instruction_pointer(fake), -22n);
      assert.equal(regs_get_kernel_argument(regs, -1), -22n);
      assert.equal(regs_get_kernel_argument(regs, 1.5), -22n);
      assert.equal(regs_get_kernel_argument(regs, "0" as never), -22n);
      assert.equal(regs_get_register(regs, 3 as never), -22n);
      assert.equal(regs_set_return_value(regs, NaN), -EINVAL);
      assert.equal(regs_set_return_value(regs, "0" as never), -EINVAL);
      assert.equal(strncpy_from_kernel_nofault(0, 16), -EFAULT);
      assert.equal(strncpy_from_kernel_nofault(-1, 16), -EINVAL);
      assert.equal(strncpy_from_kernel_nofault(0xffffffff81000000n, 0), -EINVAL);
      assert.equal(strncpy_from_kernel_nofault({} as never, 8), -EINVAL);
      assert.equal(strncpy_from_kernel_nofault(new Uint8Array(2), 0xffffffff81000000n, 8), -EINVAL);
      assert.equal(strncpy_from_kernel_nofault(0xffffffffffffff00n, 1024), -EFAULT);
      assert.equal(stack_trace_save(null as never, 4, 0), 0);
      assert.equal(stack_trace_save([], -1, 0), 0);
      assert.equal(stack_trace_save(Object.freeze([]) as never, 4, 0), 0);
      return 0;
    },
  }]);
  assert.ok(ran);
  assert.equal(kernel.incidents.handlerErrors, 0);
});

Deno.test("strncpy_from_kernel_nofault() with a dst array fills it as Linux does", async () => {
  await using kernel = await Kernel.boot();
  const banner = kernel.kallsyms.lookupName("linux_banner");
  let full: unknown;
  let cut: unknown;
  let str: unknown;
  const dst = new Uint8Array(64);
  const small = new Uint8Array(6);
  await kernel.insmod({
    name: "strtest",
    init_module: () => {
      full = strncpy_from_kernel_nofault(dst, banner, 64);
      cut = strncpy_from_kernel_nofault(small, banner, 6);
      str = strncpy_from_kernel_nofault(banner, 6);
      return 0;
    },
  });
  assert.equal(full, 64); // the banner is longer: cut, count returned
  assert.equal(new TextDecoder().decode(dst.subarray(0, 5)), "Linux");
  assert.equal(cut, 6);
  assert.deepEqual([...small], [..."Linux"].map((c) => c.charCodeAt(0)).concat(0));
  assert.equal(str, "Linux");
});

Deno.test("portable helpers outside any kernel return their neutral values", () => {
  const error = console.error;
  console.error = () => {};
  try {
    assert.equal(ktime_get(), -22n);
    assert.equal(ktime_get_ns(), -22n);
    assert.equal(get_cycles(), -22n);
    assert.equal(smp_processor_id(), -EINVAL);
    assert.equal(preemptible(), false);
    assert.equal(in_interrupt(), false);
    assert.equal(stack_trace_save([], 4, 0), 0);
    assert.equal(strncpy_from_kernel_nofault(0xffffffff81000000n, 8), -EINVAL);
  } finally {
    console.error = error;
  }
});
