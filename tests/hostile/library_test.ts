// Copyright 2026 the kprobes-sim authors. MIT license.
// Hostile library use: bad boot and run options, calls on a shut-down
// kernel, printk bombs, kernel_write onto text, out-of-range CPUs and a
// recursive fault in do_exit. Each is a KernelError with a message that
// names the option, value and range, an errno, or Linux's log line.

import assert from "node:assert/strict";
import {
  type BootOptions,
  EFAULT,
  EINVAL,
  GuestMemoryError,
  Kernel,
  kernel_read,
  kernel_write,
  KernelError,
  type Kprobe,
  printk,
  register_kprobe,
} from "../../mod.ts";
import { PRINTK_LINE_MAX } from "../../kernel-model/mod.ts";
import { catalogue, type HostileCase } from "./_case.ts";

/** Asserts that booting with `options` throws a KernelError whose message is `message`. */
function badBoot(name: string, options: unknown, message: string | RegExp): HostileCase {
  return {
    name,
    async run() {
      await assert.rejects(() => Kernel.boot(options as BootOptions), (e: unknown) => {
        assert.ok(e instanceof KernelError, `expected KernelError, got ${e}`);
        if (typeof message === "string") assert.equal(e.message, message);
        else assert.match(e.message, message);
        return true;
      });
    },
  };
}

/** The default workload's system-call results, for comparing runs of fresh kernels. */
function results(kernel: Kernel): string {
  const r = kernel.run();
  assert.equal(r.completed, true);
  return r.syscalls.map((s) => `${s.pid}:${s.call}=${s.ret}`).sort().join(" ");
}

/** The default workload's results on a fresh, untouched kernel. */
async function baseline(): Promise<string> {
  await using kernel = await Kernel.boot();
  return results(kernel);
}

/** A module whose init_module runs `fn` and returns 0. */
function initOnly(name: string, fn: () => void) {
  return {
    name,
    init_module: () => {
      fn();
      return 0;
    },
  };
}

const PC = { x86_64: "rip", i386: "eip", ppc64: "nip", sparc64: "tpc" } as const;

catalogue("library", [
  badBoot(
    "hz: 0",
    { hz: 0 },
    "Cannot boot with hz 0: hz (timer interrupts per second) must be an integer from 1 to 10000",
  ),
  badBoot(
    "quantum: 0",
    { quantum: 0 },
    "Cannot boot with quantum 0: quantum (instructions per CPU turn) must be an integer from 1 to 10000000",
  ),
  badBoot(
    "cpus: 65 and cpus: 1.5",
    { cpus: 65 },
    "Cannot boot with cpus 65: cpus (NR_CPUS) must be an integer from 1 to 64",
  ),
  badBoot("cpus: 1.5", { cpus: 1.5 }, /^Cannot boot with cpus 1\.5: cpus \(NR_CPUS\)/),
  badBoot(
    "memSize too small",
    { memSize: 4096 },
    "Cannot boot with memSize 4096: memSize (kernel RAM in bytes) must be an integer from 4194304 to 268435456",
  ),
  badBoot("memSize of 5 GiB", { memSize: 5 * 2 ** 30 }, /^Cannot boot with memSize 5368709120: /),
  badBoot(
    "memSize not a multiple of the page",
    { memSize: 4 * 2 ** 20 + 1 },
    "Cannot boot with memSize 4194305: memSize must be a multiple of the 4096-byte page",
  ),
  badBoot(
    'arch: "sparc"',
    { arch: "sparc" },
    'Cannot boot architecture "sparc": arch must be one of x86_64, i386, ppc64, sparc64',
  ),
  badBoot(
    "cpuMhz: NaN",
    { cpuMhz: NaN },
    /^Cannot boot with cpuMhz NaN: cpuMhz .* from 1 to 100000$/,
  ),
  badBoot(
    "maxTasks: 5000",
    { maxTasks: 5000 },
    /^Cannot boot with maxTasks 5000: .* from 2 to 1024$/,
  ),
  badBoot(
    'arch: "sparc64", maxTasks: 769',
    { arch: "sparc64", maxTasks: 769 },
    /^Cannot boot with maxTasks 769: .* on sparc64\) must be an integer from 2 to 768$/,
  ),
  badBoot(
    "image: 42",
    { image: 42 },
    "Cannot boot with image 42: image must be the bytes of a vmlinux (Uint8Array), a path or a URL",
  ),
  badBoot(
    'console: "stdout"',
    { console: "stdout" },
    'Cannot boot with console "stdout": console must be a function receiving each line',
  ),
  badBoot(
    'preempt: "yes"',
    { preempt: "yes" },
    'Cannot boot with preempt "yes": preempt must be true or false',
  ),
  badBoot("options null", null, /^Cannot boot with options null: pass an object/),
  badBoot(
    "hz too fast for the clock",
    { hz: 10_000, cpuMhz: 1 },
    "Cannot boot with hz 10000 at cpuMhz 1: a tick would be 100 instructions, fewer than the 10000 the timer interrupt needs; lower hz or raise cpuMhz",
  ),
  badBoot(
    "a missing image file",
    { image: "/no/such/vmlinux" },
    /^Cannot read kernel image "\/no\/such\/vmlinux": /,
  ),
  badBoot(
    'image: "/dev/zero" is refused without reading it',
    { image: "/dev/zero" },
    'Cannot read kernel image "/dev/zero": it is not a regular file, pass a vmlinux image',
  ),
  badBoot(
    "image: a directory",
    { image: new URL("./", import.meta.url) },
    /^Cannot read kernel image "file:\/\/.*\/tests\/hostile\/": it is not a regular file, pass a vmlinux image$/,
  ),
  badBoot(
    "options whose getter throws",
    {
      get cpus(): never {
        throw new Error("boom");
      },
    },
    "Cannot boot: the options object cannot be read, pass a plain object",
  ),
  {
    name: "run() with a bad maxInstructions or options",
    async run() {
      await using kernel = await Kernel.boot();
      assert.throws(() => kernel.run({ maxInstructions: -1 }), {
        name: "KernelError",
        message:
          /^Cannot run with maxInstructions -1: maxInstructions must be an integer from 1 to \d+$/,
      });
      assert.throws(() => kernel.run({ maxInstructions: 0.5 }), KernelError);
      assert.throws(() => kernel.run(null as never), /^KernelError: Cannot run with options null/);
    },
  },
  {
    name: "calls on a shut-down kernel",
    async run() {
      const kernel = await Kernel.boot();
      await kernel.shutdown();
      await kernel.shutdown(); // idempotent
      const kp: Kprobe = { symbol_name: "do_fork" };
      const calls: [string, () => unknown][] = [
        ["run", () => kernel.run()],
        ["callFunction", () => kernel.callFunction("strlen", ["x"])],
        ["registerKprobe", () => kernel.registerKprobe(kp)],
        [
          "registerJprobe",
          () => kernel.registerJprobe({ kp: { symbol_name: "do_fork" }, entry: () => {} }),
        ],
        ["registerKretprobe", () => kernel.registerKretprobe({ kp: { symbol_name: "do_fork" } })],
        ["ptRegs", () => kernel.ptRegs(0)],
        ["setKprobesEnabled", () => kernel.setKprobesEnabled(false)],
        ["rmmod", () => kernel.rmmod("m")],
      ];
      for (const [what, call] of calls) {
        assert.throws(call, {
          name: "KernelError",
          message: `Cannot run "${what}": the kernel has been shut down, boot a new one`,
        });
      }
      await assert.rejects(() => kernel.insmod(initOnly("m", () => {})), {
        message: 'Cannot run "insmod": the kernel has been shut down, boot a new one',
      });
      // Reading what happened stays possible.
      assert.match(kernel.log, /Linux version/);
    },
  },
  {
    name: "ptRegs of a CPU that does not exist",
    async run() {
      await using kernel = await Kernel.boot({ cpus: 2 });
      for (const id of [99, -1, 1.5, Number.NaN]) {
        assert.throws(() => kernel.ptRegs(id), {
          name: "KernelError",
          message: `Cannot read pt_regs of CPU ${id}: the kernel has 2 CPUs, numbered 0 to 1`,
        });
      }
      const regs = kernel.ptRegs(1);
      assert.ok(regs.arch === "x86_64");
      assert.equal(typeof regs.rip, "bigint");
    },
  },
  {
    name: "callFunction with arguments that are not integers or strings",
    async run() {
      await using kernel = await Kernel.boot();
      assert.throws(() => kernel.callFunction("strlen", [1.5]), {
        name: "KernelError",
        message:
          'Cannot call "strlen" with argument 0 = 1.5: arguments must be integers (number or bigint) or strings',
      });
      assert.throws(() => kernel.callFunction("strlen", [{} as never]), /argument 0 = object/);
      assert.throws(() => kernel.callFunction("strlen", ["x"], { cpu: 5 }), {
        message: 'Cannot call "strlen" on CPU 5: there are 1 CPUs, numbered 0 to 0',
      });
      assert.throws(() => kernel.callFunction("no_such_fn"), {
        message: 'Cannot call "no_such_fn": it is not a kernel function, see kallsyms',
      });
      assert.equal(kernel.callFunction("strlen", ["kprobes"]), 7n);
    },
  },
  {
    name: "callFunction with a 200 KB string does not write past the kernel stack",
    async run() {
      const before = await baseline();
      await using kernel = await Kernel.boot();
      assert.throws(() => kernel.callFunction("strlen", ["x".repeat(200_000)]), {
        name: "KernelError",
        message:
          /^Cannot call into the guest: \d+ bytes are left on CPU 0's kernel stack and the call needs \d+, call from a shallower context$/,
      });
      assert.equal(kernel.callFunction("strlen", ["x".repeat(5000)]), 5000n);
      assert.equal(results(kernel), before);
      assert.deepEqual(kernel.incidents, { oopses: 0, panics: 0, handlerErrors: 0, lockups: 0 });
    },
  },
  {
    name: "printk of a 200 KB %s is cut to the guest's line limit",
    async run() {
      await using kernel = await Kernel.boot();
      let ret = 0;
      await kernel.insmod(initOnly("bomb", () => {
        ret = printk("%s\n", "x".repeat(200_000));
      }));
      assert.equal(ret, PRINTK_LINE_MAX);
      const line = kernel.logLines.find((l) => l.includes("xxxx"))!;
      assert.equal(line.replace(/^\[[ \d.]+\] /, ""), "x".repeat(PRINTK_LINE_MAX));
      assert.equal(kernel.run().completed, true);
      assert.deepEqual(kernel.incidents, { oopses: 0, panics: 0, handlerErrors: 0, lockups: 0 });
    },
  },
  {
    name: "printk with 5000 arguments",
    async run() {
      const before = await baseline();
      await using kernel = await Kernel.boot();
      await kernel.insmod(initOnly("bomb", () => {
        printk("%d ".repeat(5000) + "\n", ...Array.from({ length: 5000 }, (_, i) => i));
      }));
      const line = kernel.logLines.find((l) => / 0 1 2 3 /.test(l))!;
      assert.match(line, /\] 0 1 2 3 4 5 .* 126 127 0 0 0/);
      assert.equal(results(kernel), before);
    },
  },
  {
    name: "printk bombs from a probe handler deep in the kernel leave the kernel intact",
    async run() {
      const before = await baseline();
      await using kernel = await Kernel.boot();
      let ret = -1;
      await kernel.insmod({
        name: "bomb",
        init_module: () =>
          register_kprobe({
            symbol_name: "__strncpy_from_user",
            pre_handler: () => {
              ret = printk(
                "%s %s %s %s %s %s %s %s %s %s\n",
                ...Array(10).fill("y".repeat(100_000)),
              );
              return 0;
            },
          }),
      });
      assert.equal(results(kernel), before);
      assert.ok(ret >= 0);
      assert.deepEqual(kernel.incidents, { oopses: 0, panics: 0, handlerErrors: 0, lockups: 0 });
    },
  },
  {
    name: "printk with arguments of every type",
    async run() {
      await using kernel = await Kernel.boot();
      const rets: number[] = [];
      await kernel.insmod(initOnly("types", () => {
        rets.push(printk(
          "types: %d %d %d %d %d %d %s|\n",
          NaN,
          Infinity,
          {} as never,
          Symbol("s") as never,
          undefined as never,
          true,
          null as never,
        ));
        rets.push(printk(42 as never));
        rets.push(printk("missing: %s %d\n"));
      }));
      assert.ok(
        kernel.logLines.includes(
          kernel.logLines.find((l) => l.endsWith("] types: 0 0 0 0 0 1 (null)|"))!,
        ),
      );
      assert.equal(rets[1], -EINVAL);
      assert.ok(kernel.logLines.some((l) => l.endsWith("] missing: (null) 0")));
    },
  },
  {
    name: "kernel_write onto kernel text is refused with -EFAULT",
    async run() {
      for (const arch of ["x86_64", "ppc64", "sparc64"] as const) {
        await using kernel = await Kernel.boot({ arch });
        const strlen = kernel.kallsyms.lookupName(arch === "ppc64" ? ".strlen" : "strlen");
        const before = kernel.memory.readBytes(strlen, 8);
        let rets: number[] = [];
        let read = 0n;
        await kernel.insmod(initOnly("poke", () => {
          rets = [kernel_write(strlen, 1, 0xcc), kernel_write(strlen, 8, 0n)];
          read = kernel_read(strlen, 1);
        }));
        assert.deepEqual(rets, [-EFAULT, -EFAULT], arch);
        assert.equal(read, BigInt(before[0]));
        assert.deepEqual(kernel.memory.readBytes(strlen, 8), before);
        assert.equal(kernel.callFunction("strlen", ["abc"]), 3n);
      }
    },
  },
  {
    name: "kernel_write to data works, to rodata and with a bad size does not",
    async run() {
      await using kernel = await Kernel.boot();
      const jiffies = kernel.kallsyms.lookupName("jiffies");
      const banner = kernel.kallsyms.lookupName("linux_banner");
      const rets: number[] = [];
      await kernel.insmod(initOnly("poke", () => {
        rets.push(kernel_write(jiffies, 8, kernel_read(jiffies, 8)));
        rets.push(kernel_write(banner, 1, 0x41));
        rets.push(kernel_write(jiffies, 3 as never, 0));
        rets.push(kernel_write(jiffies, 8, 1.5));
        rets.push(kernel_write("abc" as never, 8, 0));
      }));
      assert.notEqual(banner, 0n);
      assert.deepEqual(rets, [0, -EFAULT, -EINVAL, -EINVAL, -EINVAL]);
    },
  },
  {
    name: "GuestMemoryError from the memory API is a KernelError",
    async run() {
      await using kernel = await Kernel.boot();
      assert.throws(() => kernel.memory.readU64(0n), (e: unknown) => {
        assert.ok(e instanceof GuestMemoryError);
        assert.ok(e instanceof KernelError);
        assert.equal(e.message, "Cannot read guest memory at 0x0: the address is not mapped");
        return true;
      });
    },
  },
  {
    name: "a recursive fault in do_exit is fixed once per task and parks it",
    async run() {
      for (const arch of ["x86_64", "i386", "ppc64", "sparc64"] as const) {
        await using kernel = await Kernel.boot({ arch });
        let hits = 0;
        await kernel.insmod({
          name: "wild",
          init_module: () =>
            register_kprobe({
              symbol_name: "do_exit",
              pre_handler: (_p, regs) => {
                hits++;
                (regs as unknown as Record<string, bigint | number>)[PC[arch]] = arch === "i386"
                  ? 8
                  : 8n;
                return 1; // the handler changed the PC: resume there
              },
            }),
        });
        // Three children that exit at once; init sleeps while they die
        // (waiting for them would never return: they are parked for good).
        const r = kernel.run({
          workload: {
            init: [
              { call: "repeat", times: 3, body: [{ call: "fork" }] },
              { call: "nanosleep", ms: 5 },
            ],
          },
          maxInstructions: 50_000_000,
        });
        assert.equal(r.completed, true, arch);
        const fixes = kernel.logLines.filter((l) =>
          l.endsWith("] Fixing recursive fault but reboot is needed!")
        );
        assert.equal(fixes.length, 3, arch);
        // Each child: the Oops at 0x8, then the recursive one in do_exit, then parked.
        assert.equal(kernel.incidents.oopses, 6, arch);
        assert.equal(hits, 6, arch);
        assert.equal(kernel.incidents.panics, 0, arch);
        assert.deepEqual(r.syscalls.map((s) => s.call), ["fork", "fork", "fork", "nanosleep"]);
        // Nothing recurs afterwards and the kernel goes on.
        const again = kernel.run({ workload: { init: [{ call: "getpid" }] } });
        assert.deepEqual(again.syscalls.map((s) => s.ret), [1]);
        assert.equal(kernel.incidents.oopses, 6, arch);
      }
    },
  },
  {
    name: "init waiting for parked children ends the run with Linux's hung-task report",
    async run() {
      await using kernel = await Kernel.boot();
      await kernel.insmod({
        name: "wild",
        init_module: () =>
          register_kprobe({
            symbol_name: "do_exit",
            pre_handler: (_p, regs) => {
              (regs as unknown as { rip: bigint }).rip = 8n;
              return 1;
            },
          }),
      });
      // The default workload: init's wait4 can never return.
      const r = kernel.run();
      assert.equal(r.completed, false);
      assert.ok(r.instructions < 100_000_000, `ran ${r.instructions} instructions`);
      const hung = kernel.logLines.filter((l) => l.includes("blocked for more than"));
      assert.deepEqual(hung.map((l) => l.replace(/^\[[ \d.]+\] /, "")), [
        "INFO: task sh:2 blocked for more than 120 seconds.",
        "INFO: task sh:3 blocked for more than 120 seconds.",
        "INFO: task sh:4 blocked for more than 120 seconds.",
      ]);
      assert.match(hung[0], /^\[ {2}12\d\.\d{6}\] /);
    },
  },
  {
    name: "a fault in exit_files after PF_EXITING is fixed by the guest's own check",
    async run() {
      await using kernel = await Kernel.boot();
      await kernel.insmod({
        name: "wild",
        init_module: () =>
          register_kprobe({
            symbol_name: "exit_files",
            pre_handler: (_p, regs) => {
              (regs as unknown as { rdi: bigint }).rdi = 8n; // a NULL-ish files_struct
              return 0;
            },
          }),
      });
      const r = kernel.run({
        workload: {
          init: [{ call: "repeat", times: 3, body: [{ call: "fork" }] }, {
            call: "nanosleep",
            ms: 5,
          }],
        },
      });
      assert.equal(r.completed, true);
      assert.equal(
        kernel.logLines.filter((l) => l.endsWith("] Fixing recursive fault but reboot is needed!"))
          .length,
        3,
      );
      assert.equal(kernel.incidents.oopses, 3);
    },
  },
]);
