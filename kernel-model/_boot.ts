// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Booting a kernel: checks the options, loads the arch and the image,
 * refuses an image of another machine, has the composition root build the
 * kernel, and runs it until init (pid 1) first reaches user mode; every
 * failure a {@linkcode KernelError} naming the image. Private to
 * kernel-model/: `Kernel.boot()` is the public face, and the wiring of
 * `probes/` into the kernel stays in kernel.ts (the one composition root).
 * Linux: start_kernel() up to the first user-mode init.
 *
 * @module
 */

import type { Arch } from "../arch/types.ts";
import { loadArch } from "../arch/load_arch.ts";
import { describeValue } from "./_describe.ts";
import type { ElfFile } from "./elf.ts";
import { KernelError } from "./errors.ts";
import { checkBootOptions, type CheckedBootOptions } from "./boot_options.ts";
import type { KernelCore } from "./_kernel_core.ts";
import { loadImage } from "./_image.ts";
import type { BootOptions } from "./kernel_options.ts";

/** Guest instructions boot may take before init must be in user mode. */
const BOOT_INSTRUCTIONS = 500_000_000;

/** Builds a wired kernel for an arch and image (the composition root's half of boot). */
export type ComposeKernel = (arch: Arch, elf: ElfFile, options: CheckedBootOptions) => KernelCore;

/**
 * The console output of `k` so far: every log line, without level prefixes.
 *
 * @param k The kernel.
 * @returns The lines, each ending in a newline.
 */
export function consoleText(k: KernelCore): string {
  k.flushConsole();
  const lines = k.log.lines;
  return lines.join("\n") + (lines.length > 0 ? "\n" : "");
}

/**
 * Boots a kernel: options checked, arch and image loaded, `compose`d, run
 * until init first reaches user mode.
 *
 * @param options The caller's boot options (unchecked).
 * @param compose Builds the kernel (kernel.ts wires arch, probes and kernel).
 * @returns The booted kernel.
 * @throws {KernelError} On a bad option, an image of another machine, an
 * image that breaks the host's boot, or an init that never reaches user mode.
 */
export async function bootKernel(
  options: BootOptions,
  compose: ComposeKernel,
): Promise<KernelCore> {
  const checked = checkBootOptions(options);
  const arch = await loadArch(checked.arch);
  const elf = await loadImage(checked.image, arch.name);
  const shown = elf.name;
  if (elf.machine !== arch.elfMachine || elf.class !== arch.bits) {
    throw new KernelError(
      `Cannot boot "${shown}" as ${arch.name}: it is an ELF${elf.class} ${elf.machineName} image, pass the matching --arch or image`,
    );
  }
  let k: KernelCore;
  try {
    k = compose(arch, elf, checked);
    k.loop.runLoop(() => k.initInUser(), BOOT_INSTRUCTIONS);
    k.flushConsole();
  } catch (e) {
    // A damaged image can fault the host's own reads of it (a wild
    // `current`, boot_params outside RAM): still a KernelError.
    if (e instanceof KernelError) throw e;
    throw new KernelError(
      `Cannot boot "${shown}": the image broke the host's boot (${
        describeValue(e)
      }), check that it is a kprobes-sim vmlinux (see kernel-model/vmlinux/ABI.md)`,
      { cause: e },
    );
  }
  if (!k.initInUser()) {
    throw new KernelError(
      `Cannot boot "${shown}": init did not reach user mode; the log says:\n${consoleText(k)}`,
    );
  }
  return k;
}
