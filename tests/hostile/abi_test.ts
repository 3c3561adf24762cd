// Copyright 2026 the kprobes-sim authors. MIT license.
// Hostile kernel-ABI calls: printk, kallsyms_lookup_name, kernel_read,
// kernel_write, msleep, get_current, utsname… with junk arguments or from
// outside any kernel give an errno or a documented neutral value, never a
// host exception.

import assert from "node:assert/strict";
import {
  dump_stack,
  EINVAL,
  get_current,
  jprobe_return,
  kallsyms_lookup_name,
  kernel_read,
  kernel_write,
  msleep,
  NO_TASK,
  printk,
  register_jprobe,
  register_kprobe,
  register_kprobes,
  register_kretprobe,
  schedule,
  unregister_kprobe,
  utsname,
} from "../../mod.ts";
import { catalogue, type HostileCase } from "./_case.ts";
import { inModule, sharedKernels, stderrOf } from "./_module.ts";

const kernelFor = sharedKernels();

/** Runs `call` in a module on a shared kernel; asserts its result. */
function inKernel(name: string, call: () => unknown, expected: unknown): HostileCase {
  return {
    name,
    async run() {
      const kernel = await kernelFor();
      assert.deepEqual(await inModule(kernel, call), expected);
    },
  };
}

/** Runs `call` outside any kernel; asserts its result and one warning on stderr naming `what`. */
function outside(what: string, call: () => unknown, expected: unknown): HostileCase {
  return {
    name: `${what}() outside any kernel`,
    async run() {
      let got: unknown = "not called";
      const lines = await stderrOf(() => {
        got = call();
      });
      assert.deepEqual(got, expected);
      assert.equal(lines.length, 1);
      assert.match(lines[0], new RegExp(`^Warning: ${what}\\(\\) called outside any kernel`));
    },
  };
}

const fork = () => ({ symbol_name: "do_fork" });

catalogue("abi", [
  inKernel("printk(42): a format that is not a string", () => printk(42 as never), -EINVAL),
  inKernel("printk(null)", () => printk(null as never), -EINVAL),
  {
    name: "printk() with NaN, Infinity, a Symbol, an object and a revoked Proxy as arguments",
    async run() {
      const kernel = await kernelFor();
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      const n = await inModule(
        kernel,
        () =>
          printk(
            "junk: %d %d %d %d %d\n",
            NaN,
            Infinity,
            Symbol("s") as never,
            {} as never,
            proxy as never,
          ),
      );
      assert.ok(n > 0);
      assert.match(kernel.log, /junk: 0 0 0 0 0$/m);
    },
  },
  inKernel("kallsyms_lookup_name(42)", () => kallsyms_lookup_name(42 as never), 0n),
  inKernel("kallsyms_lookup_name(a Symbol)", () => kallsyms_lookup_name(Symbol() as never), 0n),
  inKernel(
    "kallsyms_lookup_name() of a 1 MB name",
    () => kallsyms_lookup_name("x".repeat(1 << 20)),
    0n,
  ),
  inKernel('kernel_read("abc", 4)', () => kernel_read("abc" as never, 4), -22n),
  inKernel("kernel_read(addr, 3)", () => kernel_read(0xffffffff81000000n, 3 as never), -22n),
  inKernel("kernel_read(-1, 4)", () => kernel_read(-1, 4), -22n),
  inKernel("kernel_read(1.5, 8)", () => kernel_read(1.5, 8), -22n),
  inKernel("kernel_read(2^64, 1)", () => kernel_read(2n ** 64n, 1), -22n),
  {
    name: 'kernel_write(addr, 4, "abc") and other junk writes nothing',
    async run() {
      const kernel = await kernelFor();
      const addr = kernel.kallsyms.lookupName("jiffies") || kernel.kallsyms.lookupName("do_fork");
      const before = kernel.memory.readBytes(addr, 8);
      await inModule(kernel, () => {
        kernel_write(addr, 4, "abc" as never);
        kernel_write(addr, 4, 1.5);
        kernel_write(addr, 3 as never, 0);
        kernel_write("abc" as never, 4, 0);
        kernel_write(addr, 4, {} as never);
      });
      assert.deepEqual(kernel.memory.readBytes(addr, 8), before);
    },
  },
  inKernel('msleep("abc")', () => msleep("abc" as never), undefined),
  inKernel("msleep(-1)", () => msleep(-1), undefined),
  inKernel("dump_stack() with junk arguments", () =>
    (dump_stack as (...a: unknown[]) => void)(
      Symbol(),
      null,
    ), undefined),
  inKernel(
    "get_current() ignores junk arguments",
    () => (get_current as (...a: unknown[]) => { pid: number })(Symbol()).pid >= 0,
    true,
  ),
  inKernel("utsname() in x86_64", () => utsname().machine, "x86_64"),
  outside("register_kprobe", () => register_kprobe(fork()), -EINVAL),
  outside("register_kprobes", () => register_kprobes([fork()], 1), -EINVAL),
  outside("register_jprobe", () => register_jprobe({ kp: fork(), entry: () => 0 }), -EINVAL),
  outside("register_kretprobe", () => register_kretprobe({ kp: fork() }), -EINVAL),
  outside("unregister_kprobe", () => unregister_kprobe(fork()), undefined),
  outside("printk", () => printk("hello\n"), -EINVAL),
  outside("kallsyms_lookup_name", () => kallsyms_lookup_name("do_fork"), 0),
  outside("kernel_read", () => kernel_read(0xffffffff81000000n, 4), -22n),
  outside("kernel_write", () => kernel_write(0xffffffff81000000n, 4, 0), -EINVAL),
  outside("get_current", () => get_current(), NO_TASK),
  outside("utsname", () => utsname().machine, ""),
  outside("dump_stack", () => dump_stack(), undefined),
  outside("msleep", () => msleep(1), undefined),
  outside("schedule", () => schedule(), undefined),
  outside("jprobe_return", () => jprobe_return(), undefined),
]);
