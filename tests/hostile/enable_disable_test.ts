// Copyright 2026 the kprobes-sim authors. MIT license.
// Hostile inputs to enable_kprobe()/disable_kprobe() and their jprobe and
// kretprobe forms, and to a return probe's data_size: every one gets a
// Linux errno, never a host exception, and leaves kernel text untouched.

import assert from "node:assert/strict";
import {
  disable_jprobe,
  disable_kprobe,
  disable_kretprobe,
  E2BIG,
  EINVAL,
  enable_jprobe,
  enable_kprobe,
  enable_kretprobe,
  ENOMEM,
  type Jprobe,
  type Kprobe,
  type Kretprobe,
} from "../../mod.ts";
import { catalogue, type HostileCase } from "./_case.ts";
import { inModule, sharedKernels } from "./_module.ts";

const kernelFor = sharedKernels();

/** Calls each enable/disable form with `value` from a module; all must be -EINVAL. */
function refusesToggle(name: string, value: () => unknown): HostileCase {
  return {
    name,
    async run() {
      const kernel = await kernelFor();
      const fork = kernel.kallsyms.lookupName("do_fork");
      const before = kernel.memory.readBytes(fork, 16);
      const got = await inModule(kernel, () => {
        const v = value();
        return [
          enable_kprobe(v as Kprobe),
          disable_kprobe(v as Kprobe),
          enable_jprobe(v as Jprobe),
          disable_jprobe(v as Jprobe),
          enable_kretprobe(v as Kretprobe),
          disable_kretprobe(v as Kretprobe),
        ];
      });
      assert.deepEqual(got, Array(6).fill(-EINVAL));
      assert.deepEqual(kernel.memory.readBytes(fork, 16), before);
    },
  };
}

function refusesDataSize(
  name: string,
  data_size: unknown,
  errno: number,
  maxactive = 4,
): HostileCase {
  return {
    name,
    async run() {
      const kernel = await kernelFor();
      const rp = { kp: { symbol_name: "sys_open" }, data_size, maxactive } as unknown as Kretprobe;
      assert.equal(kernel.registerKretprobe(rp), -errno);
      assert.equal(kernel.kprobesList(), "");
    },
  };
}

catalogue("abi", [
  refusesToggle("enable/disable_kprobe(null)", () => null),
  refusesToggle("enable/disable_kprobe(42)", () => 42),
  refusesToggle('enable/disable_kprobe("do_fork")', () => "do_fork"),
  refusesToggle("enable/disable_kprobe(a never-registered kprobe)", () => ({
    symbol_name: "do_fork",
  })),
  refusesToggle("enable/disable_kprobe(a Proxy)", () =>
    new Proxy({}, {
      get() {
        throw new Error("trap");
      },
      getOwnPropertyDescriptor() {
        throw new Error("trap");
      },
    })),
  refusesToggle("enable/disable_jprobe({ get kp() { throw } })", () => ({
    get kp(): Kprobe {
      throw new Error("getter");
    },
  })),
  {
    name: "enable_kprobe() of a kprobe already unregistered",
    async run() {
      const kernel = await kernelFor();
      const kp: Kprobe = { symbol_name: "do_fork" };
      assert.equal(kernel.registerKprobe(kp), 0);
      kernel.unregisterKprobe(kp);
      assert.equal(await inModule(kernel, () => enable_kprobe(kp)), -EINVAL);
      assert.equal(await inModule(kernel, () => disable_kprobe(kp)), -EINVAL);
    },
  },
  {
    name: "disable_kprobe() of a kprobe frozen after registration",
    async run() {
      const kernel = await kernelFor();
      const kp: Kprobe = { symbol_name: "do_fork" };
      assert.equal(kernel.registerKprobe(kp), 0);
      const addr = BigInt(kp.addr!);
      Object.freeze(kp);
      assert.equal(kernel.disableKprobe(kp), 0);
      assert.notEqual(kernel.memory.readU8(addr), 0xcc);
      assert.match(kernel.kprobesList(), /\[DISABLED\]$/m);
      assert.equal(kernel.enableKprobe(kp), 0);
      assert.equal(kernel.memory.readU8(addr), 0xcc);
      kernel.unregisterKprobe(kp);
      assert.equal(kernel.kprobesList(), "");
    },
  },
  {
    name: "enable_kprobe() of a kprobe whose flags say KPROBE_FLAG_GONE",
    async run() {
      const kernel = await kernelFor();
      const kp: Kprobe = { symbol_name: "do_fork" };
      assert.equal(kernel.registerKprobe(kp), 0);
      assert.equal(kernel.disableKprobe(kp), 0);
      kp.flags = 3;
      assert.equal(kernel.enableKprobe(kp), -EINVAL);
      kernel.unregisterKprobe(kp);
    },
  },
  {
    name: "enable/disable from outside any kernel",
    run() {
      const error = console.error;
      console.error = () => {};
      try {
        assert.equal(enable_kprobe({ symbol_name: "do_fork" }), -EINVAL);
        assert.equal(disable_kretprobe({ kp: { symbol_name: "do_fork" } }), -EINVAL);
      } finally {
        console.error = error;
      }
    },
  },
]);

catalogue("registration", [
  refusesDataSize("kretprobe data_size: -1", -1, EINVAL),
  refusesDataSize("kretprobe data_size: 1.5", 1.5, EINVAL),
  refusesDataSize("kretprobe data_size: NaN", NaN, EINVAL),
  refusesDataSize('kretprobe data_size: "8"', "8", EINVAL),
  refusesDataSize("kretprobe data_size: 8n", 8n, EINVAL),
  refusesDataSize("kretprobe data_size: Infinity", Infinity, EINVAL),
  refusesDataSize("kretprobe data_size: 65537", 65537, E2BIG),
  refusesDataSize("kretprobe data_size: 2**40", 2 ** 40, E2BIG),
  refusesDataSize("kretprobe data_size 65536 × maxactive 4096 (256 MiB)", 65536, ENOMEM, 4096),
  {
    name: "kretprobe data_size behind a getter",
    async run() {
      const kernel = await kernelFor();
      const rp = {
        kp: { symbol_name: "sys_open" },
        get data_size(): number {
          throw new Error("getter");
        },
      } as Kretprobe;
      assert.equal(kernel.registerKretprobe(rp), -EINVAL);
      assert.equal(kernel.kprobesList(), "");
    },
  },
  {
    name: "kprobe with a non-writable flags field",
    async run() {
      const kernel = await kernelFor();
      const kp = Object.defineProperty({ symbol_name: "do_fork" }, "flags", {
        value: 0,
        writable: false,
      }) as Kprobe;
      assert.equal(kernel.registerKprobe(kp), -EINVAL);
      assert.equal(kernel.kprobesList(), "");
    },
  },
]);
