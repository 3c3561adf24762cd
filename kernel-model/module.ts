// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Kernel modules written in TypeScript: a file (or an in-memory object)
 * exporting `init_module()` and `cleanup_module()`, as the spec's samples
 * (§8–§10). Every insmod of a file imports a fresh instance of it, so its
 * top-level probe objects start clean each time.
 *
 * @module
 */

import { isNativeError, isProxy } from "node:util/types";
import { describeMessage, describeValue } from "./_describe.ts";
import { ModuleError } from "./errors.ts";
import {
  applyModuleParams,
  type DeclaredParam,
  declaredParams,
  type ParamsApplied,
  paramTypeName,
} from "./module_param.ts";

/**
 * Instances imported so far in this isolate, by module URL. Deno's module
 * map is per isolate, so this count is too (it is the one module-level
 * state here, and holds no kernel's state: every kernel still gets its own
 * instance). The n-th import of a file in any process uses the query
 * `?kprobes-sim-instance=n`: a URL Deno's code cache (keyed by URL) has seen
 * in earlier runs, where a random one always missed it (~9 ms against
 * ~1.3 ms for `examples/kprobe_example.ts`) and added an entry to it.
 */
const instances = new Map<string, number>();

function nextInstance(href: string): number {
  const n = (instances.get(href) ?? 0) + 1;
  instances.set(href, n);
  return n;
}

/** What a module exports. Linux: `module_init`/`module_exit`. */
export interface KernelModule {
  /**
   * Called at insmod; a negative errno fails the insmod with that error. An
   * async one is awaited, its kernel context kept across `await`.
   */
  init_module: () => number | void | Promise<number | void>;
  /** Called at rmmod. Synchronous, as Linux's exit function: a returned promise is not awaited. */
  cleanup_module?: () => void;
  /** Optional license string (informational, shown by modinfo). */
  MODULE_LICENSE?: string;
  /** Optional one-line description (shown by modinfo). Linux: MODULE_DESCRIPTION(). */
  MODULE_DESCRIPTION?: string;
  /** Optional author (shown by modinfo). Linux: MODULE_AUTHOR(). */
  MODULE_AUTHOR?: string;
  /** Optional version (shown by modinfo). Linux: MODULE_VERSION(). */
  MODULE_VERSION?: string;
}

/** A module given as an object, with its name. */
export interface ModuleObject extends KernelModule {
  /** The module's name as lsmod shows it. */
  name: string;
  /** Its parameters: an object made by `module_params()` (a file may export it under any name). */
  params?: object;
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

/** The text of `e`'s `key` data property, or "" (never throws). */
function textOf(e: unknown, key: string): string {
  try {
    if (typeof e !== "object" || e === null || isProxy(e)) return "";
    const d = Object.getOwnPropertyDescriptor(e, key) ??
      Object.getOwnPropertyDescriptor(Object.getPrototypeOf(e) ?? {}, key);
    return d !== undefined && "value" in d && typeof d.value === "string" ? d.value : "";
  } catch {
    return "";
  }
}

/**
 * ` at file:line:col` of a load error: the position Deno's parser or the
 * module's top level reports (in the message, else the first stack frame in
 * a module file), with the module's own URL shown as the path it was given
 * and other files as paths; "" when there is none.
 */
function loadErrorLocation(e: unknown, fresh: string, url: string, shown: string): string {
  const pattern =
    /(?:^|\s)(?:at\s+(?:.*?\()?)?((?:file|https?):\/\/[^\s()]+?):(\d+):(\d+)\)?(?=\s|$)/gm;
  const message = textOf(e, "message");
  let stack = "";
  try {
    // V8 keeps `stack` behind an accessor: read it only on a native error.
    if (isNativeError(e) && !isProxy(e)) stack = String(e.stack ?? "");
  } catch {
    stack = "";
  }
  const own = (u: string) => u === fresh || u === url;
  let found: RegExpExecArray | null = null;
  for (const text of [message, stack]) {
    const all = [...text.matchAll(pattern)];
    found = all.find((m) => own(m[1])) ?? (text === message ? all.at(-1) : all[0]) ?? null;
    if (found !== null) break;
  }
  if (found === null) return "";
  let file: string;
  if (own(found[1])) file = shown;
  else {
    try {
      const u = new URL(found[1]);
      u.search = "";
      file = u.protocol === "file:" ? decodeURIComponent(u.pathname) : u.href;
    } catch {
      file = found[1];
    }
  }
  return ` at ${file}:${found[2]}:${found[3]}`;
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
    (typeof source !== "object" || source === null || isProxy(source))
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
  fresh.searchParams.set("kprobes-sim-instance", String(nextInstance(url.href)));
  let ns: Record<string, unknown>;
  try {
    ns = await import(fresh.href);
  } catch (e) {
    const why = describeMessage(e);
    const at = loadErrorLocation(e, fresh.href, url.href, shown);
    throw new ModuleError(`Cannot insert module "${shown}": it failed to load: ${why}${at}`, {
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

/** One `key: value` line of {@linkcode modinfo}, as Linux's modinfo prints it. */
export interface ModinfoField {
  /** `filename`, `version`, `description`, `author`, `license`, `name` or `parm`. */
  key: string;
  /** The value; for `parm`, `name:description (type)`. */
  value: string;
}

/**
 * What Linux's `modinfo` shows of a module: its file, the
 * `MODULE_VERSION`/`MODULE_DESCRIPTION`/`MODULE_AUTHOR`/`MODULE_LICENSE`
 * strings it exports, its name and its parameters
 * (`parm: symbol:function to probe (charp)`). The module is imported (its
 * top-level code runs) but not initialised.
 *
 * @param source The file path, URL or object.
 * @returns The fields in modinfo's order.
 * @throws {ModuleError} When the module does not load, or declares a parameter twice.
 *
 * @example
 * ```ts
 * import { modinfo } from "./module.ts";
 * import { module_params, param } from "./module_param.ts";
 * import assert from "node:assert/strict";
 * const params = module_params({ n: param.int(3, "how many") });
 * const info = await modinfo({ name: "m", MODULE_LICENSE: "GPL", params, init_module: () => 0 });
 * assert.deepEqual(info.at(-1), { key: "parm", value: "n:how many (int)" });
 * ```
 */
export async function modinfo(source: ModuleSource): Promise<ModinfoField[]> {
  const m = await resolveModule(source);
  const out: ModinfoField[] = [{ key: "filename", value: filenameOf(source, m) }];
  const meta: [string, keyof KernelModule][] = [
    ["version", "MODULE_VERSION"],
    ["description", "MODULE_DESCRIPTION"],
    ["author", "MODULE_AUTHOR"],
    ["license", "MODULE_LICENSE"],
  ];
  for (const [key, name] of meta) {
    const v = (m.exports as unknown as Record<string, unknown>)[name];
    if (typeof v === "string") out.push({ key, value: v.replace(/\s+/g, " ") });
  }
  out.push({ key: "name", value: m.name });
  for (const p of moduleParams(m)) {
    const desc = p.spec.description.replace(/\s+/g, " ");
    const type = paramTypeName(p.spec);
    out.push({
      key: "parm",
      value: desc === "" ? `${p.name}:${type}` : `${p.name}:${desc} (${type})`,
    });
  }
  return out;
}

function filenameOf(source: ModuleSource, m: ResolvedModule): string {
  if (typeof source === "object" && !(source instanceof URL)) return `(object ${m.name})`;
  if (source instanceof URL) {
    return source.protocol === "file:" ? decodeURIComponent(source.pathname) : source.href;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(source) && !/^[a-z]:[\\/]/i.test(source)) return source;
  return source.startsWith("/") ? source : `${Deno.cwd()}/${source}`;
}

/**
 * The parameters a resolved module declares ({@linkcode module_params} exports).
 *
 * @param m The module.
 * @returns Its parameters.
 * @throws {ModuleError} When two exports declare the same parameter, or its exports cannot be read.
 */
export function moduleParams(m: ResolvedModule): DeclaredParam[] {
  try {
    return declaredParams(m.exports);
  } catch (e) {
    throw new ModuleError(
      `Cannot insert module "${m.origin}": its parameters cannot be read: ${describeMessage(e)}`,
      { cause: e },
    );
  }
}

/**
 * Checks insmod's `params` option and sets the module's declared parameters
 * from it (see {@linkcode applyModuleParams}). Linux: the `parse_args()`
 * step of load_module().
 *
 * @param m The module.
 * @param name Its name as loaded, for the log lines.
 * @param params insmod's `params` option (undefined: none).
 * @param longBits Bits of a C `long` on the kernel's arch.
 * @returns The log lines to print and the refusal, if any.
 * @throws {ModuleError} When `params` is not an object of names to values,
 * or the module declares a parameter twice.
 */
export function setInsmodParams(
  m: ResolvedModule,
  name: string,
  params: unknown,
  longBits: number,
): ParamsApplied {
  const declared = moduleParams(m);
  if (params === undefined) return { warnings: [], error: null };
  if (
    typeof params !== "object" || params === null || Array.isArray(params) ||
    isProxy(params)
  ) {
    throw new ModuleError(
      `Cannot insert module "${m.origin}": its params ${
        describeValue(params, true)
      } are not an object of names to values, pass { name: "value" }`,
    );
  }
  const given: Record<string, unknown> = {};
  for (const key of Object.keys(params)) {
    const d = Object.getOwnPropertyDescriptor(params, key);
    if (d === undefined || !("value" in d)) {
      throw new ModuleError(
        `Cannot insert module "${m.origin}": its param "${key}" is an accessor, pass plain values`,
      );
    }
    given[key] = d.value;
  }
  return applyModuleParams(name, declared, given, longBits);
}
