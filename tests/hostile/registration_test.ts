// Copyright 2026 the kprobes-sim authors. MIT license.
// Hostile registrations: every malformed shape handed to register_kprobe(),
// register_jprobe(), register_kretprobe() and their plural forms gets a
// Linux errno, never a host exception, and leaves kernel text untouched.

import assert from "node:assert/strict";
import {
  E2BIG,
  EINVAL,
  ENOENT,
  type Jprobe,
  type Kernel,
  type Kprobe,
  type Kretprobe,
  register_jprobes,
  register_kprobe,
  register_kprobes,
  register_kretprobes,
  unregister_jprobe,
  unregister_jprobes,
  unregister_kprobe,
  unregister_kprobes,
  unregister_kretprobe,
} from "../../mod.ts";
import { catalogue, type HostileCase } from "./_case.ts";
import { inModule, sharedKernels } from "./_module.ts";

const kernelFor = sharedKernels();

/** Registers `kp` from host code on a shared kernel; asserts the errno and that text is unchanged. */
function refusesKprobe(name: string, kp: unknown, errno: number): HostileCase {
  return {
    name,
    async run() {
      const kernel = await kernelFor();
      const fork = kernel.kallsyms.lookupName("do_fork");
      const before = kernel.memory.readBytes(fork, 16);
      assert.equal(kernel.registerKprobe(kp as Kprobe), -errno);
      assert.deepEqual(kernel.memory.readBytes(fork, 16), before);
      assert.equal(kernel.kprobesList(), "");
    },
  };
}

/** The same through a module's register_kprobe(). */
function refusesInModule(name: string, call: () => number, errno: number): HostileCase {
  return {
    name,
    async run() {
      const kernel = await kernelFor();
      assert.equal(await inModule(kernel, call), -errno);
      assert.equal(kernel.kprobesList(), "");
    },
  };
}

function refusesJprobe(name: string, jp: unknown, errno: number): HostileCase {
  return {
    name,
    async run() {
      const kernel = await kernelFor();
      assert.equal(kernel.registerJprobe(jp as Jprobe), -errno);
      assert.equal(kernel.kprobesList(), "");
    },
  };
}

function refusesKretprobe(name: string, rp: unknown, errno: number): HostileCase {
  return {
    name,
    async run() {
      const kernel = await kernelFor();
      assert.equal(kernel.registerKretprobe(rp as Kretprobe), -errno);
      assert.equal(kernel.kprobesList(), "");
    },
  };
}

/** A Proxy whose every trap throws, counting how often one ran. */
function trappingProxy(counter: { traps: number }): object {
  const trap = () => {
    counter.traps++;
    throw new Error("trap ran");
  };
  return new Proxy({}, {
    get: trap,
    has: trap,
    ownKeys: trap,
    getOwnPropertyDescriptor: trap,
    getPrototypeOf: trap,
    set: trap,
    defineProperty: trap,
  });
}

const fork = () => ({ symbol_name: "do_fork" });

catalogue("registration", [
  refusesKprobe("register_kprobe(null)", null, EINVAL),
  refusesKprobe("register_kprobe(undefined)", undefined, EINVAL),
  refusesKprobe('register_kprobe("do_fork"): a string, not a struct', "do_fork", EINVAL),
  refusesKprobe("register_kprobe(42)", 42, EINVAL),
  refusesKprobe("register_kprobe(a function)", () => 0, EINVAL),
  refusesKprobe("kprobe addr: 1.5", { addr: 1.5 }, EINVAL),
  refusesKprobe('kprobe addr: "abc"', { addr: "abc" }, EINVAL),
  refusesKprobe("kprobe addr: {}", { addr: {} }, EINVAL),
  refusesKprobe("kprobe addr: -1n", { addr: -1n }, EINVAL),
  refusesKprobe("kprobe addr: 2^64", { addr: 2n ** 64n }, EINVAL),
  refusesKprobe("kprobe addr: NaN", { addr: NaN }, EINVAL),
  {
    name: "kprobe addr above 4 GiB on i386",
    async run() {
      const kernel = await kernelFor("i386");
      const fork = kernel.kallsyms.lookupName("do_fork");
      assert.equal(kernel.registerKprobe({ addr: fork + (1n << 32n) }), -EINVAL);
      assert.equal(kernel.registerKprobe({ addr: Number(fork) + 2 ** 32 }), -EINVAL);
    },
  },
  refusesKprobe("kprobe symbol_name: 42", { symbol_name: 42 }, EINVAL),
  refusesKprobe("kprobe symbol_name: a Symbol", { symbol_name: Symbol("do_fork") }, EINVAL),
  refusesKprobe(
    "kprobe symbol_name of KSYM_NAME_LEN characters",
    { symbol_name: "d".repeat(512) },
    ENOENT,
  ),
  refusesKprobe(
    "kprobe symbol_name of 10 MB",
    { symbol_name: "do_fork".repeat(1_500_000) },
    ENOENT,
  ),
  refusesKprobe("kprobe offset: 0.5", { ...fork(), offset: 0.5 }, EINVAL),
  refusesKprobe('kprobe offset: "4"', { ...fork(), offset: "4" }, EINVAL),
  refusesKprobe("kprobe offset: NaN", { ...fork(), offset: NaN }, EINVAL),
  refusesKprobe("kprobe offset: Infinity", { ...fork(), offset: Infinity }, EINVAL),
  refusesKprobe("kprobe offset: 2^70n", { ...fork(), offset: 2n ** 70n }, EINVAL),
  refusesKprobe('kprobe pre_handler: "abc"', { ...fork(), pre_handler: "abc" }, EINVAL),
  refusesKprobe("kprobe post_handler: {}", { ...fork(), post_handler: {} }, EINVAL),
  refusesKprobe("kprobe fault_handler: 1", { ...fork(), fault_handler: 1 }, EINVAL),
  refusesKprobe('kprobe flags: "1"', { ...fork(), flags: "1" }, EINVAL),
  refusesKprobe(
    "a frozen kprobe (registration could not write addr)",
    Object.freeze(fork()),
    EINVAL,
  ),
  {
    name: "kprobe with a getter for addr: refused without calling it",
    async run() {
      const kernel = await kernelFor();
      let calls = 0;
      const kp = {
        get addr() {
          calls++;
          throw new Error("getter ran");
        },
      };
      assert.equal(kernel.registerKprobe(kp as unknown as Kprobe), -EINVAL);
      assert.equal(calls, 0);
    },
  },
  {
    name: "a Proxy as the kprobe: refused without running a trap",
    async run() {
      const kernel = await kernelFor();
      const counter = { traps: 0 };
      assert.equal(kernel.registerKprobe(trappingProxy(counter) as Kprobe), -EINVAL);
      assert.equal(counter.traps, 0);
    },
  },
  {
    name: "a revoked Proxy as the kprobe",
    async run() {
      const kernel = await kernelFor();
      const { proxy, revoke } = Proxy.revocable({ symbol_name: "do_fork" }, {});
      revoke();
      assert.equal(kernel.registerKprobe(proxy as Kprobe), -EINVAL);
      assert.doesNotThrow(() => kernel.unregisterKprobe(proxy as Kprobe));
    },
  },
  refusesKprobe(
    "kprobe inheriting from a Proxy",
    Object.create(trappingProxy({ traps: 0 })),
    EINVAL,
  ),
  refusesInModule(
    "register_kprobe(null) from a module",
    () => register_kprobe(null as never),
    EINVAL,
  ),
  refusesJprobe("register_jprobe(null)", null, EINVAL),
  refusesJprobe('jprobe entry: "jdo_fork"', { kp: fork(), entry: "jdo_fork" }, EINVAL),
  refusesJprobe("jprobe kp: null", { kp: null, entry: () => 0 }, EINVAL),
  refusesJprobe("jprobe kp addr: 1.5", { kp: { addr: 1.5 }, entry: () => 0 }, EINVAL),
  {
    name: "register_jprobe() on a kprobe registered alone: refused, its handler kept",
    async run() {
      const kernel = await kernelFor();
      const pre = () => 0;
      const kp: Kprobe = { ...fork(), pre_handler: pre };
      assert.equal(kernel.registerKprobe(kp), 0);
      try {
        assert.equal(kernel.registerJprobe({ kp, entry: () => 0 }), -EINVAL);
        assert.equal(kp.pre_handler, pre);
      } finally {
        kernel.unregisterKprobe(kp);
      }
    },
  },
  refusesKretprobe("register_kretprobe(null)", null, EINVAL),
  refusesKretprobe("kretprobe maxactive: NaN", { kp: fork(), maxactive: NaN }, EINVAL),
  refusesKretprobe('kretprobe maxactive: "abc"', { kp: fork(), maxactive: "abc" }, EINVAL),
  refusesKretprobe("kretprobe maxactive: 2.5", { kp: fork(), maxactive: 2.5 }, EINVAL),
  refusesKretprobe("kretprobe maxactive: 20n", { kp: fork(), maxactive: 20n }, EINVAL),
  refusesKretprobe("kretprobe maxactive: 1e9 (E2BIG, not out of memory)", {
    kp: fork(),
    maxactive: 1e9,
  }, E2BIG),
  refusesKretprobe("kretprobe maxactive: 4097", { kp: fork(), maxactive: 4097 }, E2BIG),
  refusesKretprobe("kretprobe handler: 5", { kp: fork(), handler: 5 }, EINVAL),
  refusesKretprobe("kretprobe kp: a string", { kp: "do_fork" }, EINVAL),
  {
    name: "kretprobe maxactive: 4096 is the limit and -1 means the default (§1.3)",
    async run() {
      const kernel = await kernelFor();
      const rp: Kretprobe = { kp: fork(), maxactive: 4096 };
      assert.equal(kernel.registerKretprobe(rp), 0);
      assert.equal(kernel.kretprobeFreeInstances(rp), 4096);
      kernel.unregisterKretprobe(rp);
      const dflt: Kretprobe = { kp: fork(), maxactive: -1 };
      assert.equal(kernel.registerKretprobe(dflt), 0);
      assert.equal(dflt.maxactive, kernel.nrCpus);
      kernel.unregisterKretprobe(dflt);
    },
  },
  refusesInModule(
    'register_kprobes("abc", 1)',
    () => register_kprobes("abc" as never, 1),
    EINVAL,
  ),
  refusesInModule(
    "register_kprobes([kp], 2): num past the end",
    () => register_kprobes([fork()], 2),
    EINVAL,
  ),
  refusesInModule(
    "register_kprobes([kp], 0.5)",
    () => register_kprobes([fork()], 0.5),
    EINVAL,
  ),
  refusesInModule(
    'register_kprobes([kp], "1")',
    () => register_kprobes([fork()], "1" as never),
    EINVAL,
  ),
  refusesInModule(
    "register_kprobes() with a bad second entry rolls the first back",
    () => register_kprobes([fork(), { addr: 1.5 }], 2),
    EINVAL,
  ),
  refusesInModule(
    "register_kprobes() with an accessor element",
    () => {
      const list: Kprobe[] = [];
      Object.defineProperty(list, 0, {
        get() {
          throw new Error("element getter ran");
        },
        enumerable: true,
      });
      return register_kprobes(list, 1);
    },
    EINVAL,
  ),
  refusesInModule(
    "register_jprobes([jp], NaN)",
    () => register_jprobes([{ kp: fork(), entry: () => 0 }], NaN),
    EINVAL,
  ),
  refusesInModule(
    "register_kretprobes(null, 1)",
    () => register_kretprobes(null as never, 1),
    EINVAL,
  ),
  {
    name: "unregister_*() of junk is a no-op",
    async run() {
      const kernel: Kernel = await kernelFor();
      const kp: Kprobe = fork();
      assert.equal(kernel.registerKprobe(kp), 0);
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      await inModule(kernel, () => {
        for (const junk of [null, undefined, "x", 42, proxy, {}, { kp: null }]) {
          unregister_kprobe(junk as never);
          unregister_jprobe(junk as never);
          unregister_kretprobe(junk as never);
          unregister_kprobes(junk as never, 1);
          unregister_jprobes([junk] as never, 1);
          unregister_kprobes([junk] as never, Infinity);
        }
      });
      assert.match(kernel.kprobesList(), /do_fork/, "the real probe is still there");
      kernel.unregisterKprobe(kp);
    },
  },
]);
