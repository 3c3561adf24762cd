// Copyright 2026 the kprobes-sim authors. MIT license.
// Helpers of the registration, handler, module and ABI catalogues: run code
// as a module's init_module, capture stderr, share a booted kernel per file.

import { type ArchName, Kernel } from "../../mod.ts";

/**
 * Runs `fn` as the body of a fresh module's `init_module()` on `kernel`,
 * removes the module again, and returns what `fn` returned.
 */
export async function inModule<R>(kernel: Kernel, fn: () => R): Promise<R> {
  let out: { value: R } | null = null;
  const name = `m_${crypto.randomUUID().slice(0, 8)}`;
  await kernel.insmod({
    name,
    init_module: () => {
      out = { value: fn() };
      return 0;
    },
  });
  kernel.rmmod(name);
  if (out === null) throw new Error("init_module did not run");
  return (out as { value: R }).value;
}

/** Runs `fn`, returning the lines it wrote with console.error. */
export async function stderrOf(fn: () => unknown): Promise<string[]> {
  const lines: string[] = [];
  const saved = console.error;
  console.error = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  try {
    await fn();
  } finally {
    console.error = saved;
  }
  return lines;
}

/** One kernel per architecture, booted on first use and shared by a file's cases. */
export function sharedKernels(): (arch?: ArchName) => Promise<Kernel> {
  const kernels = new Map<ArchName, Promise<Kernel>>();
  return (arch: ArchName = "x86_64") => {
    let k = kernels.get(arch);
    if (k === undefined) kernels.set(arch, k = Kernel.boot({ arch }));
    return k;
  };
}

/** Resolves after `ms` milliseconds of host time (timers a module started can fire). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
