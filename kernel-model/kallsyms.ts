// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * The kernel symbol table: `kallsyms_lookup_name()`, address → `symbol+off/size
 * [module]`, and the `/proc/kallsyms` text, built from the kernel image's
 * `.symtab` with the type letters `nm` prints, plus the symbols of loaded
 * modules.
 *
 * Linux builds its table by running `nm -n` on `vmlinux` (`scripts/kallsyms`);
 * `nmSymbols()` (`nm.ts`) computes the same letters from the ELF directly, so
 * no toolchain is needed at run time.
 *
 * @module
 */

import type { ElfFile } from "./elf.ts";
import { SymbolError } from "./errors.ts";
import { compareEntries, coreEntriesOf, type Entry } from "./_kallsyms_entries.ts";

export * from "./nm.ts";

/** A kallsyms entry: a kernel or module symbol. */
export interface KallsymsSymbol {
  /** Symbol name. */
  name: string;
  /** Address (for `A` symbols, the absolute value). */
  address: bigint;
  /** `st_size`, 0n when unknown (lookups then use the distance to the next symbol). */
  size: bigint;
  /** The `nm` type letter shown in `/proc/kallsyms`. */
  type: string;
  /** Owning module; absent for the kernel image. */
  module?: string;
}

/** A symbol to add with {@linkcode Kallsyms.prototype.addSymbols}. */
export interface KallsymsInput {
  /** Symbol name; must not be empty. */
  name: string;
  /** Address. */
  address: bigint;
  /** Size in bytes; 0n or absent when unknown. */
  size?: bigint;
  /** One `nm` type letter, such as `"t"` or `"D"`. */
  type: string;
}

/** The result of {@linkcode Kallsyms.prototype.lookupAddress}. */
export interface KallsymsLookup {
  /** Name of the containing symbol. */
  name: string;
  /** Address of the containing symbol. */
  address: bigint;
  /** Offset of the looked-up address from the symbol. */
  offset: bigint;
  /** Size of the symbol as kallsyms reports it (see `lookupAddress`). */
  size: bigint;
  /**
   * The symbol's own size from the ELF symbol table (`st_size`; 0 when the
   * image gives none). `offset >= symbolSize > 0` is padding after it.
   */
  symbolSize: bigint;
  /** Owning module; absent for the kernel image. */
  module?: string;
}

/** Options of {@linkcode Kallsyms}. */
export interface KallsymsOptions {
  /** Address width: 64 (default) prints `%016lx`, 32 prints `%08lx`. */
  bits?: 32 | 64;
  /**
   * Architecture hook for {@linkcode Kallsyms.prototype.lookupName}: maps a
   * requested name to the names to try, in order. On ppc64 ELFv1 the text
   * entry of `do_fork` is `.do_fork` while `do_fork` is its function
   * descriptor in `.opd`, so the ppc64 arch passes
   * `(name) => name.startsWith(".") ? [name] : ["." + name, name]`, which is
   * Linux's `kprobe_lookup_name()` on ppc64. Default: `[name]`.
   */
  resolveName?: (name: string) => string[];
}

function hex(n: bigint): string {
  return n.toString(16);
}

/**
 * The kernel's symbol table (`kernel/kallsyms.c` plus the module part of
 * `kernel/module.c`). Build it from the kernel image with
 * {@linkcode Kallsyms.fromElf}; add and remove module symbols as modules
 * load and unload.
 *
 * @example Look up do_fork both ways
 * ```ts
 * import { Kallsyms } from "./kallsyms.ts";
 * import assert from "node:assert/strict";
 *
 * const kallsyms = new Kallsyms();
 * kallsyms.addSymbols([
 *   { name: "do_fork", address: 0xffffffff81001000n, size: 0x1a0n, type: "T" },
 *   { name: "do_exit", address: 0xffffffff810011a0n, size: 0x80n, type: "T" },
 * ]);
 * assert.equal(kallsyms.lookupName("do_fork"), 0xffffffff81001000n);
 * assert.equal(kallsyms.formatAddress(0xffffffff81001004n), "do_fork+0x4/0x1a0");
 * assert.equal(kallsyms.lookupName("no_such_symbol"), 0n);
 * ```
 */
export class Kallsyms {
  readonly #bits: 32 | 64;
  readonly #resolveName: (name: string) => string[];
  /** Kernel image symbols, sorted once. */
  #core: Entry[] = [];
  /** Module symbols by module, in load order and the order given. */
  readonly #modules = new Map<string, Entry[]>();
  /** Addressable symbols of kernel and modules, sorted; rebuilt lazily. */
  #index: Entry[] | undefined;
  /** First entry of each name in lookup order; rebuilt lazily. */
  #byName: Map<string, Entry> | undefined;

  /**
   * Creates an empty table; {@linkcode Kallsyms.fromElf} is the usual start.
   *
   * @param options Address width and the arch's name-resolution hook.
   */
  constructor(options: KallsymsOptions = {}) {
    this.#bits = options.bits ?? 64;
    this.#resolveName = options.resolveName ?? ((name) => [name]);
  }

  /**
   * Builds the table of a kernel image from its `.symtab`, as
   * `scripts/kallsyms` builds it from `nm -n vmlinux`: every symbol `nm`
   * lists except undefined ones and those with empty names, with the same
   * type letters. The address width follows the ELF class.
   *
   * @param elf The parsed kernel image.
   * @param options The arch's name-resolution hook (`bits` defaults to the ELF class).
   * @returns The table.
   *
   * @example Build the table of the kernel image
   * ```ts ignore
   * import { parseElf } from "./elf.ts";
   * import { Kallsyms } from "./kallsyms.ts";
   * import assert from "node:assert/strict";
   *
   * const path = "kernel-model/vmlinux/images/vmlinux-x86_64";
   * const kallsyms = Kallsyms.fromElf(parseElf(await Deno.readFile(path), path));
   * assert.notEqual(kallsyms.lookupName("do_fork"), 0n);
   * ```
   */
  static fromElf(elf: ElfFile, options: KallsymsOptions = {}): Kallsyms {
    const kallsyms = new Kallsyms({ bits: elf.class, ...options });
    kallsyms.#core = coreEntriesOf(elf);
    return kallsyms;
  }

  /**
   * Adds symbols: a module's when `module` is given (shown with `\t[module]`
   * in `/proc/kallsyms`, removed by {@linkcode Kallsyms.prototype.removeModule}),
   * else the kernel's. Absolute (`a`/`A`) and non-allocated (`n`/`N`)
   * symbols are listed but never match an address.
   *
   * @param list The symbols.
   * @param module The owning module's name.
   * @throws {SymbolError} For an empty name or a type that is not one letter.
   *
   * @example Add and remove a module's symbols
   * ```ts
   * import { Kallsyms } from "./kallsyms.ts";
   * import assert from "node:assert/strict";
   *
   * const kallsyms = new Kallsyms();
   * kallsyms.addSymbols([{ name: "handler_pre", address: 0xffffffffa0000000n, size: 0x40n, type: "t" }], "kprobe_example");
   * assert.equal(kallsyms.formatAddress(0xffffffffa0000010n), "handler_pre+0x10/0x40 [kprobe_example]");
   * kallsyms.removeModule("kprobe_example");
   * assert.equal(kallsyms.lookupName("handler_pre"), 0n);
   * ```
   */
  addSymbols(list: readonly KallsymsInput[], module?: string): void {
    const entries: Entry[] = list.map((input) => {
      if (input.name === "") {
        throw new SymbolError(`Cannot add symbol "" at 0x${hex(input.address)}: the name is empty`);
      }
      if (!/^[A-Za-z?]$/.test(input.type)) {
        throw new SymbolError(
          `Cannot add symbol "${input.name}": type "${input.type}" is not an nm type letter`,
        );
      }
      const entry: Entry = {
        name: input.name,
        address: input.address,
        size: input.size ?? 0n,
        type: input.type,
        addressable: !"aAnNUwv".includes(input.type),
      };
      if (module !== undefined) entry.module = module;
      return entry;
    });
    if (module === undefined) {
      this.#core = [...this.#core, ...entries].sort(compareEntries);
    } else {
      this.#modules.set(module, [...(this.#modules.get(module) ?? []), ...entries]);
    }
    this.#index = undefined;
    this.#byName = undefined;
  }

  /**
   * Removes every symbol of a module.
   *
   * @param module The module's name.
   * @returns How many symbols were removed (0 when the module had none).
   *
   * @example Unload a module
   * ```ts
   * import { Kallsyms } from "./kallsyms.ts";
   * import assert from "node:assert/strict";
   *
   * const kallsyms = new Kallsyms();
   * kallsyms.addSymbols([{ name: "jdo_fork", address: 0xffffffffa0000000n, type: "t" }], "jprobe_example");
   * assert.equal(kallsyms.removeModule("jprobe_example"), 1);
   * assert.equal(kallsyms.removeModule("jprobe_example"), 0);
   * ```
   */
  removeModule(module: string): number {
    const entries = this.#modules.get(module);
    if (entries === undefined) return 0;
    this.#modules.delete(module);
    this.#index = undefined;
    this.#byName = undefined;
    return entries.length;
  }

  /** Kernel then module entries, in /proc/kallsyms order. */
  *#all(): Generator<Entry> {
    yield* this.#core;
    for (const entries of this.#modules.values()) yield* entries;
  }

  #names(): Map<string, Entry> {
    if (this.#byName === undefined) {
      const byName = new Map<string, Entry>();
      for (const entry of this.#all()) {
        if (!byName.has(entry.name)) byName.set(entry.name, entry);
      }
      this.#byName = byName;
    }
    return this.#byName;
  }

  #addressIndex(): Entry[] {
    if (this.#index === undefined) {
      this.#index = [...this.#all()].filter((e) => e.addressable).sort(compareEntries);
    }
    return this.#index;
  }

  /**
   * Finds a symbol by name: the kernel's first (in address order), then the
   * modules' in load order; `"module:name"` looks in one module only. The
   * `resolveName` hook, when given, picks the names to try.
   *
   * @param name A symbol name, or `module:name`.
   * @returns The symbol, or `undefined`.
   *
   * @example Read a symbol's size
   * ```ts
   * import { Kallsyms } from "./kallsyms.ts";
   * import assert from "node:assert/strict";
   *
   * const kallsyms = new Kallsyms();
   * kallsyms.addSymbols([{ name: "do_fork", address: 0x1000n, size: 0x1a0n, type: "T" }]);
   * assert.equal(kallsyms.lookupSymbol("do_fork")?.size, 0x1a0n);
   * ```
   */
  lookupSymbol(name: string): KallsymsSymbol | undefined {
    for (const candidate of this.#resolveName(name)) {
      const colon = candidate.indexOf(":");
      if (colon > 0) {
        const module = candidate.slice(0, colon);
        const symbol = candidate.slice(colon + 1);
        const found = this.#modules.get(module)?.find((e) => e.name === symbol);
        if (found !== undefined) return publicEntry(found);
        continue;
      }
      const found = this.#names().get(candidate);
      if (found !== undefined) return publicEntry(found);
    }
    return undefined;
  }

  /**
   * Linux: kallsyms_lookup_name(). Returns a symbol's address, or 0n when
   * there is none, as the kernel does.
   *
   * @param name A symbol name, or `module:name`.
   * @returns The address, or 0n.
   *
   * @example Resolve ppc64 dot symbols through the hook
   * ```ts
   * import { Kallsyms } from "./kallsyms.ts";
   * import assert from "node:assert/strict";
   *
   * const ppc64 = new Kallsyms({
   *   resolveName: (name) => name.startsWith(".") ? [name] : ["." + name, name],
   * });
   * ppc64.addSymbols([
   *   { name: ".do_fork", address: 0xc000000000012340n, type: "T" },
   *   { name: "do_fork", address: 0xc0000000005a0000n, type: "D" },
   * ]);
   * assert.equal(ppc64.lookupName("do_fork"), 0xc000000000012340n);
   * ```
   */
  lookupName(name: string): bigint {
    return this.lookupSymbol(name)?.address ?? 0n;
  }

  /**
   * Linux: kallsyms_lookup(). Finds the symbol containing an address: the
   * nearest symbol at or below it (of several at one address, the first in
   * `compare_symbols()` order: non-weak, not linker-provided, fewest leading
   * underscores). Its size is `st_size` when the address lies within it;
   * otherwise (no `st_size`, or padding after the symbol) the distance to
   * the next symbol, which is what Linux's kallsyms always reports. Absolute,
   * non-allocated and TLS symbols never match.
   *
   * @param address The address.
   * @returns The symbol, offset and size, or `undefined` outside every symbol.
   *
   * @example Find the function around an address
   * ```ts
   * import { Kallsyms } from "./kallsyms.ts";
   * import assert from "node:assert/strict";
   *
   * const kallsyms = new Kallsyms();
   * kallsyms.addSymbols([
   *   { name: "schedule", address: 0x2000n, type: "T" },
   *   { name: "printk", address: 0x2100n, size: 0x40n, type: "T" },
   * ]);
   * const hit = kallsyms.lookupAddress(0x2010n);
   * assert.deepEqual(hit, {
   *   name: "schedule",
   *   address: 0x2000n,
   *   offset: 0x10n,
   *   size: 0x100n,
   *   symbolSize: 0n,
   * });
   * assert.equal(kallsyms.lookupAddress(0x1fffn), undefined);
   * ```
   */
  lookupAddress(address: bigint): KallsymsLookup | undefined {
    const index = this.#addressIndex();
    let lo = 0;
    let hi = index.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (index[mid].address <= address) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return undefined;
    const next = index[lo];
    let first = lo - 1;
    while (first > 0 && index[first - 1].address === index[first].address) first--;
    const entry = index[first];
    const offset = address - entry.address;
    let size: bigint;
    if (entry.size > 0n && offset < entry.size) {
      size = entry.size;
    } else if (next !== undefined && next.module === entry.module) {
      size = next.address - entry.address;
    } else if (offset === 0n) {
      size = entry.size;
    } else {
      return undefined;
    }
    const hit: KallsymsLookup = {
      name: entry.name,
      address: entry.address,
      offset,
      size,
      symbolSize: entry.size,
    };
    if (entry.module !== undefined) hit.module = entry.module;
    return hit;
  }

  /**
   * Formats an address as Linux's `%pS` does: `do_fork+0x0/0x1a0`, with
   * ` [module]` for module symbols, or `0x<hex>` when no symbol contains it.
   *
   * @param address The address.
   * @returns The symbolic form.
   *
   * @example Format addresses for a Call Trace
   * ```ts
   * import { Kallsyms } from "./kallsyms.ts";
   * import assert from "node:assert/strict";
   *
   * const kallsyms = new Kallsyms();
   * kallsyms.addSymbols([{ name: "do_fork", address: 0x1000n, size: 0x1a0n, type: "T" }]);
   * assert.equal(kallsyms.formatAddress(0x1000n), "do_fork+0x0/0x1a0");
   * assert.equal(kallsyms.formatAddress(0x10n), "0x10");
   * ```
   */
  formatAddress(address: bigint): string {
    const hit = this.lookupAddress(address);
    if (hit === undefined) return `0x${hex(address)}`;
    const module = hit.module === undefined ? "" : ` [${hit.module}]`;
    return `${hit.name}+0x${hex(hit.offset)}/0x${hex(hit.size)}${module}`;
  }

  /**
   * Lists every symbol in `/proc/kallsyms` order: the kernel's sorted by
   * address (ties as {@linkcode Kallsyms.prototype.lookupAddress} breaks
   * them), then each module's in load order.
   *
   * @returns Copies of the entries.
   *
   * @example Count the symbols
   * ```ts
   * import { Kallsyms } from "./kallsyms.ts";
   * import assert from "node:assert/strict";
   *
   * const kallsyms = new Kallsyms();
   * kallsyms.addSymbols([{ name: "do_fork", address: 0x1000n, type: "T" }]);
   * assert.equal(kallsyms.symbols().length, 1);
   * ```
   */
  symbols(): KallsymsSymbol[] {
    return Array.from(this.#all(), publicEntry);
  }

  /**
   * The function names closest to `name` by edit distance (insertions,
   * deletions, substitutions and swaps of adjacent characters), for an
   * "unknown symbol" message: at most `max` names (3 by default), nearest
   * first, then alphabetical. Only text symbols (`T`, `t`, `W`, `w`) are
   * candidates, kernel and modules alike; a leading `.` (ppc64's function
   * entries, `.do_fork`) is dropped from candidates and from `name`, so the
   * suggestion is what `symbol_name` takes. A name is close when its
   * distance is at most 1 for names up to 3 characters, 2 up to 7, 3 above,
   * and at most one more than the nearest name's.
   *
   * @param name The name that was not found.
   * @param max At most this many suggestions.
   * @returns The suggestions (none when nothing is close).
   *
   * @example A typo
   * ```ts
   * import { Kallsyms } from "./kallsyms.ts";
   * import assert from "node:assert/strict";
   *
   * const kallsyms = new Kallsyms();
   * kallsyms.addSymbols([
   *   { name: ".do_fork", address: 0x1000n, type: "T" },
   *   { name: "do_exit", address: 0x1100n, type: "T" },
   *   { name: "do_fork_data", address: 0x9000n, type: "D" },
   * ]);
   * assert.deepEqual(kallsyms.suggest("do_frok"), ["do_fork"]);
   * assert.deepEqual(kallsyms.suggest("do_exec"), ["do_exit"]);
   * assert.deepEqual(kallsyms.suggest("schedule"), []);
   * ```
   */
  suggest(name: string, max = 3): string[] {
    if (typeof name !== "string" || name.length === 0 || name.length > 256) return [];
    const query = name.startsWith(".") ? name.slice(1) : name;
    const limit = query.length <= 3 ? 1 : query.length <= 7 ? 2 : 3;
    const best = new Map<string, number>();
    for (const entry of this.#all()) {
      const t = entry.type;
      if (t !== "T" && t !== "t" && t !== "W" && t !== "w") continue;
      const candidate = entry.name.startsWith(".") ? entry.name.slice(1) : entry.name;
      if (candidate === query || best.has(candidate)) continue;
      if (Math.abs(candidate.length - query.length) > limit) continue;
      const d = editDistance(query, candidate, limit);
      if (d <= limit) best.set(candidate, d);
    }
    const ranked = [...best].sort((a, b) =>
      a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
    );
    // Names much further than the nearest one are noise beside it.
    const cutoff = ranked.length > 0 ? ranked[0][1] + 1 : 0;
    return ranked.filter(([, d]) => d <= cutoff).slice(0, Math.max(0, max)).map(([n]) => n);
  }

  /**
   * Returns the text of `/proc/kallsyms`, byte for byte as Linux 2.6 prints
   * it: `%016lx %c %s\n` (`%08lx` for 32-bit kernels), and
   * `%016lx %c %s\t[%s]\n` for module symbols.
   *
   * @returns The file contents.
   *
   * @example Read /proc/kallsyms
   * ```ts
   * import { Kallsyms } from "./kallsyms.ts";
   * import assert from "node:assert/strict";
   *
   * const kallsyms = new Kallsyms();
   * kallsyms.addSymbols([{ name: "do_fork", address: 0xffffffff81001000n, type: "T" }]);
   * kallsyms.addSymbols([{ name: "handler_pre", address: 0xffffffffa0000000n, type: "t" }], "kprobe_example");
   * assert.equal(
   *   kallsyms.procKallsyms(),
   *   "ffffffff81001000 T do_fork\nffffffffa0000000 t handler_pre\t[kprobe_example]\n",
   * );
   * ```
   */
  procKallsyms(): string {
    const width = this.#bits / 4;
    let text = "";
    for (const entry of this.#all()) {
      const address = hex(entry.address).padStart(width, "0");
      const module = entry.module === undefined ? "" : `\t[${entry.module}]`;
      text += `${address} ${entry.type} ${entry.name}${module}\n`;
    }
    return text;
  }
}

function publicEntry(entry: Entry): KallsymsSymbol {
  const symbol: KallsymsSymbol = {
    name: entry.name,
    address: entry.address,
    size: entry.size,
    type: entry.type,
  };
  if (entry.module !== undefined) symbol.module = entry.module;
  return symbol;
}

/**
 * Optimal-string-alignment distance of `a` and `b` (Levenshtein plus
 * adjacent swaps), or `limit + 1` as soon as it must exceed `limit`.
 */
function editDistance(a: string, b: string, limit: number): number {
  const n = a.length;
  const m = b.length;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, prev2[j - 2] + 1);
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m];
}
