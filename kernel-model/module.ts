// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Kernel modules written in TypeScript: a file (or an in-memory object)
 * exporting `init_module()` and `cleanup_module()`, as the spec's samples
 * (§8–§10). Every insmod of a file imports a fresh instance of it, so its
 * top-level probe objects start clean each time.
 *
 * @module
 */

import { types } from "node:util";
import { describeMessage, describeValue } from "./_describe.ts";
import { ModuleError } from "./errors.ts";

/** What a module exports. Linux: `module_init`/`module_exit`. */
export interface KernelModule {
  /**
   * Called at insmod; a negative errno fails the insmod with that error. An
   * async one is awaited, its kernel context kept across `await`.
   */
  init_module: () => number | void | Promise<number | void>;
  /** Called at rmmod. Synchronous, as Linux's exit function: a returned promise is not awaited. */
  cleanup_module?: () => void;
  /** Optional license string (informational). */
  MODULE_LICENSE?: string;
}

/** A module given as an object, with its name. */
export interface ModuleObject extends KernelModule {
  /** The module's name as lsmod shows it. */
  name: string;
}

/** A module source: a path or URL of a `.ts`/`.js` file, or an object. */
export type ModuleSource = string | URL | ModuleObject;

/** A module resolved and imported, ready for `init_module()`. */
export interface ResolvedModule {
  /** Name as lsmod shows it (the file's base name without extension). */
  name: string;
  /** Where it came from, for messages. */
  origin: string;
  /** Its exports. */
  exports: KernelModule;
}

function moduleNameOf(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.(ts|js|mjs|mts)$/, "").replace(/-/g, "_");
}

/**
 * Imports a module source as a fresh instance and checks its shape.
 *
 * @param source The file path (relative to the working directory), URL or object.
 * @returns The module.
 * @throws {ModuleError} When the file is missing, fails to load, or lacks `init_module`.
 *
 * @example An in-memory module
 * ```ts
 * import { resolveModule } from "./module.ts";
 * import assert from "node:assert/strict";
 * const m = await resolveModule({ name: "hello", init_module: () => 0 });
 * assert.equal(m.name, "hello");
 * ```
 */
export async function resolveModule(source: ModuleSource): Promise<ResolvedModule> {
  if (
    typeof source !== "string" &&
    (typeof source !== "object" || source === null || types.isProxy(source))
  ) {
    throw new ModuleError(
      `Cannot insert module ${
        describeValue(source, true)
      }: it is not a path, URL or module object, pass one of those`,
    );
  }
  if (typeof source === "object" && !(source instanceof URL)) {
    let name: unknown;
    let init: unknown;
    try {
      // A getter on the object runs here, inside the try.
      name = source.name;
      init = source.init_module;
    } catch (e) {
      throw new ModuleError(
        `Cannot insert module object: reading its fields threw ${describeValue(e)}`,
        { cause: e },
      );
    }
    if (typeof name !== "string" || name === "") {
      throw new ModuleError(`Cannot insert module object: it has no "name", give it one`);
    }
    if (typeof init !== "function") {
      throw new ModuleError(`Cannot insert module "${name}": it does not export init_module`);
    }
    return { name, origin: name, exports: source };
  }
  let url: URL;
  const shown = String(source);
  if (source instanceof URL) url = source;
  else if (/^[a-z][a-z0-9+.-]*:/i.test(source) && !/^[a-z]:[\\/]/i.test(source)) {
    url = new URL(source);
  } else {
    const cwd = Deno.cwd().replace(/\\/g, "/");
    url = new URL(source.startsWith("/") ? `file://${source}` : `file://${cwd}/${source}`);
  }
  if (url.protocol === "file:") {
    try {
      const st = await Deno.stat(url);
      if (!st.isFile) throw new ModuleError(`Cannot insert module "${shown}": it is not a file`);
    } catch (e) {
      if (e instanceof ModuleError) throw e;
      throw new ModuleError(`Cannot insert module "${shown}": file not found, check the path`, {
        cause: e,
      });
    }
  }
  const name = moduleNameOf(url.pathname);
  const fresh = new URL(url);
  fresh.searchParams.set("kprobes-sim-instance", crypto.randomUUID());
  let ns: Record<string, unknown>;
  try {
    ns = await import(fresh.href);
  } catch (e) {
    const why = describeMessage(e);
    throw new ModuleError(`Cannot insert module "${shown}": it failed to load: ${why}`, {
      cause: e,
    });
  }
  if (typeof ns.init_module !== "function") {
    const why = ns.init_module !== undefined
      ? "its init_module is not a function"
      : ns.default !== undefined
      ? "it does not export init_module (a default export is not used: export init_module by name)"
      : "it does not export init_module";
    throw new ModuleError(`Cannot insert module "${shown}": ${why}`);
  }
  if (ns.cleanup_module !== undefined && typeof ns.cleanup_module !== "function") {
    throw new ModuleError(`Cannot insert module "${shown}": its cleanup_module is not a function`);
  }
  return { name, origin: shown, exports: ns as unknown as KernelModule };
}
