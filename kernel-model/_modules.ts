// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Modules of one kernel: insmod, rmmod and lsmod, calls into a module's
 * functions with their asynchronous contexts, and the probes a module leaves
 * behind.
 *
 * Private to kernel-model/: `Kernel` (kernel.ts) is the public face and
 * `KernelCore` (_kernel_core.ts) the state the seams share.
 *
 * @module
 */

import {
  type AsyncKernelContext,
  type KernelAbi,
  runAsyncKernelContext,
  withKernelContext,
} from "./context.ts";
import { describeValue } from "./_describe.ts";
import { ENOENT, errnoName } from "./errno.ts";
import { ModuleError } from "./errors.ts";
import { type ModuleSource, resolveModule, setInsmodParams } from "./module.ts";
import { isHandlerAbort, type KernelCore, type ModuleCall } from "./_kernel_core.ts";
import type { InsmodOptions, ModuleInfo } from "./kernel_options.ts";

/** The loaded modules of a kernel: load, call, unload. */
export class Modules {
  /** The kernel's shared state. */
  constructor(readonly k: KernelCore) {}

  /** See `Kernel.insmod()` (kernel.ts), which delegates here. */
  async insmod(source: ModuleSource, options: InsmodOptions = {}): Promise<ModuleInfo> {
    this.k.checkAlive("insmod");
    const resolved = await resolveModule(source);
    const name = options?.name ?? resolved.name;
    if (typeof name !== "string" || name === "") {
      throw new ModuleError(
        `Cannot insert module "${resolved.origin}": the name ${
          describeValue(name, true)
        } is not a non-empty string, pass another name`,
      );
    }
    if (this.k.modules.has(name) || this.k.loading.has(name)) {
      throw new ModuleError(
        `Cannot insert module "${resolved.origin}": a module named "${name}" is already loaded, rmmod it first`,
      );
    }
    const set = setInsmodParams(resolved, name, options?.params, this.k.arch.bits);
    for (const line of set.warnings) this.k.logDirect(4, line);
    if (set.error !== null) {
      this.k.logDirect(3, set.error.log);
      this.k.flushConsole();
      throw new ModuleError(
        `Cannot insert module "${resolved.origin}": ${set.error.reason} (-${
          errnoName(-set.error.errno)
        })`,
      );
    }
    this.k.loading.add(name);
    this.k.kprobes.takeUnknownSymbol();
    let failure: string | null = null;
    let cause: unknown = undefined;
    const call = this.callModule(name, "init_module", () => resolved.exports.init_module());
    let ret = call.value;
    try {
      if (call.threw) {
        failure = this.threwText("init_module", call.value);
        cause = call.value;
      } else if (ret !== null && (typeof ret === "object" || typeof ret === "function")) {
        try {
          ret = await ret;
        } catch (e) {
          failure = isHandlerAbort(e)
            ? "init_module oopsed, see the kernel log"
            : this.k.isJprobeReturn(e)
            ? "init_module called jprobe_return() outside a jprobe handler"
            : `init_module's promise rejected with ${describeValue(e)}`;
          cause = e;
        }
      }
    } finally {
      call.ctx.open = false;
      this.k.loading.delete(name);
    }
    failure ??= this.initResult(name, ret);
    const unknown = this.k.kprobes.takeUnknownSymbol();
    if (failure !== null && ret === -ENOENT && unknown !== null) {
      // The last registration of this init refused a symbol_name: name it.
      const hint = this.k.didYouMean(unknown.suggestions);
      failure += `: unknown symbol ${JSON.stringify(unknown.name)}${hint ? ` (${hint})` : ""}`;
    }
    if (failure !== null) {
      this.removeLeftovers(name, false);
      this.k.flushConsole();
      throw new ModuleError(
        `Cannot insert module "${resolved.origin}": ${failure}`,
        cause === undefined ? undefined : { cause },
      );
    }
    this.k.modules.set(name, { name, origin: resolved.origin, exports: resolved.exports });
    this.k.flushConsole();
    return { name, origin: resolved.origin, probes: this.k.kprobes.ownedBy(name).length };
  }

  /** Why `init_module`'s result `ret` fails the insmod, or null when it loads. Linux: do_init_module(). */
  initResult(name: string, ret: unknown): string | null {
    if (ret === undefined || ret === 0) return null;
    if (typeof ret !== "number" || !Number.isInteger(ret)) {
      return `init_module returned ${
        describeValue(ret, true)
      }, not an int: return 0 or a negative errno`;
    }
    if (ret < 0) return `init_module returned ${ret} (${errnoName(ret)})`;
    this.k.logDirect(
      4,
      `do_init_module: '${name}'->init suspiciously returned ${ret}, it should follow 0/-E convention`,
    );
    this.k.logDirect(4, "do_init_module: loading module anyway...");
    return null;
  }

  /** What a module function threw, for a message. */
  threwText(what: string, e: unknown): string {
    const head = `${what} `;
    if (isHandlerAbort(e)) return `${head}oopsed, see the kernel log`;
    if (this.k.isJprobeReturn(e)) return `${head}called jprobe_return() outside a jprobe handler`;
    return `${head}threw ${describeValue(e)}`;
  }

  /**
   * Runs a module function in the module's kernel context, synchronous and
   * asynchronous; never throws. The caller closes `ctx` when the result settles.
   */
  callModule(name: string, what: string, fn: () => unknown): ModuleCall {
    this.k.heartbeat?.enter(name, what, this.k.abiCpu.id, undefined);
    const prevOwner = this.k.currentOwner;
    this.k.currentOwner = name;
    const ctx: AsyncKernelContext = {
      abi: this.resumingAbi(name),
      open: true,
      late: (call) => {
        this.k.logDirect(
          4,
          `kprobes: ${call}() from module ${name} after its ${what} finished: ignored (-EINVAL)`,
        );
        this.k.flushConsole();
      },
    };
    try {
      return { ctx, threw: false, value: runAsyncKernelContext(ctx, this.k.calls.frame(name), fn) };
    } catch (e) {
      return { ctx, threw: true, value: e };
    } finally {
      this.k.currentOwner = prevOwner;
      this.k.heartbeat?.leave();
    }
  }

  /**
   * The ABI as code after an `await` in a running module function sees it:
   * each call re-enters the module's context (owner and frame) first.
   */
  resumingAbi(owner: string): KernelAbi {
    const frame = this.k.calls.frame(owner);
    const out: Record<string, unknown> = {};
    for (const [key, f] of Object.entries(this.k.calls.abi)) {
      const call = f as (...args: unknown[]) => unknown;
      out[key] = (...args: unknown[]) => {
        const prevOwner = this.k.currentOwner;
        this.k.currentOwner = owner;
        try {
          return withKernelContext(frame, () => call(...args));
        } finally {
          this.k.currentOwner = prevOwner;
        }
      };
    }
    return out as unknown as KernelAbi;
  }
  removeLeftovers(name: string, report: boolean): number {
    const left = this.k.kprobes.ownedBy(name);
    for (const kp of left) {
      if (report) {
        const addr = BigInt(kp.addr ?? 0);
        this.k.logDirect(
          4,
          `kprobes: module ${name} left a kprobe registered at ${
            this.k.kallsyms.formatAddress(addr)
          }, unregistering it`,
        );
      }
      if (!this.k.jprobes.unregisterByKprobe(kp) && !this.k.kretprobes.unregisterByKprobe(kp)) {
        this.k.kprobes.unregister(kp);
      }
    }
    return left.length;
  }
  /** See `Kernel.rmmod()` (kernel.ts), which delegates here. */
  rmmod(name: string): void {
    const mod = this.k.modules.get(name);
    if (mod === undefined) {
      this.k.checkAlive("rmmod");
      throw new ModuleError(
        `Cannot remove module ${describeValue(name, true)}: it is not loaded, see lsmod`,
      );
    }
    try {
      const exports = mod.exports;
      const call = this.callModule(name, "cleanup_module", () => {
        // Read inside the call: a throwing getter is the cleanup's failure.
        const cleanup = exports.cleanup_module;
        return typeof cleanup === "function" ? cleanup.call(exports) : undefined;
      });
      call.ctx.open = false;
      if (call.threw) {
        this.k.incidents.handlerErrors++;
        this.k.logDirect(
          3,
          `kprobes: module ${name}: ${this.threwText("cleanup_module", call.value)}`,
        );
      } else if (call.value !== null && typeof call.value === "object") {
        this.k.logDirect(
          4,
          `kprobes: module ${name}: cleanup_module returned a promise; rmmod does not wait for it`,
        );
        const report = (e: unknown) => {
          this.k.incidents.handlerErrors++;
          this.k.logDirect(
            3,
            `kprobes: module ${name}: cleanup_module's promise rejected with ${describeValue(e)}`,
          );
          this.k.flushConsole();
        };
        try {
          Promise.resolve(call.value).then(undefined, report);
        } catch (e) {
          report(e); // a Promise whose `constructor` getter throws
        }
      }
    } finally {
      this.removeLeftovers(name, true);
      this.k.modules.delete(name);
      this.k.kprobes.collectSlots();
      this.k.flushConsole();
    }
  }
  /** See `Kernel.lsmod()` (kernel.ts), which delegates here. */
  lsmod(): ModuleInfo[] {
    return [...this.k.modules.values()].map((m) => ({
      name: m.name,
      origin: m.origin,
      probes: this.k.kprobes.ownedBy(m.name).length,
    }));
  }
}
