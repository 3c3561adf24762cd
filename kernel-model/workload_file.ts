// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Reading a workload file: a regular file of at most
 * {@linkcode MAX_WORKLOAD_BYTES}, read without ever holding more than that
 * (`--workload /dev/zero` is refused, not read), then parsed and validated
 * by {@linkcode parseWorkload}. Every failure is a {@linkcode WorkloadError}
 * whose message is complete on its own: a missing file, a directory, a
 * device, a permission denial (reported as such, with the `--allow-read` to
 * grant), a file too large, bad JSON, a bad entry.
 *
 * @module
 */

import { WorkloadError } from "./errors.ts";
import type { Workload } from "./workload.ts";
import { MAX_WORKLOAD_BYTES, parseWorkload } from "./workload_schema.ts";

/** Why a read failed, in words, with what to do. */
function describe(e: unknown, path: string): string {
  if (e instanceof Deno.errors.NotFound) return "no such file, check the path";
  if (e instanceof Deno.errors.NotCapable) {
    return `read permission was not granted, run deno with --allow-read=${path}`;
  }
  if (e instanceof Deno.errors.PermissionDenied) {
    return "permission denied by the operating system, check the file's mode and owner";
  }
  if (e instanceof Deno.errors.IsADirectory) return "it is a directory, pass a JSON file";
  return `it cannot be read (${e instanceof Error ? `${e.name}: ${e.message}` : String(e)})`;
}

/**
 * Reads, parses and validates a workload file.
 *
 * @param path The file.
 * @returns The validated workload.
 * @throws {WorkloadError} When the file is missing, unreadable (permission
 * denied is said so), not a regular file, larger than
 * {@linkcode MAX_WORKLOAD_BYTES}, not JSON, or not a valid workload.
 *
 * @example Load a workload file
 * ```ts
 * import { loadWorkload } from "./workload_file.ts";
 * import assert from "node:assert/strict";
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await Deno.writeTextFile(path, '{"init": [{"call": "getpid"}]}');
 * const w = await loadWorkload(path);
 * assert.deepEqual(w.init, [{ call: "getpid" }]);
 * await Deno.remove(path);
 * ```
 *
 * @example A directory is refused
 * ```ts
 * import { loadWorkload } from "./workload_file.ts";
 * import { WorkloadError } from "./errors.ts";
 * import assert from "node:assert/strict";
 * await assert.rejects(() => loadWorkload(Deno.cwd()), WorkloadError);
 * ```
 */
export async function loadWorkload(path: string): Promise<Workload> {
  if (typeof path !== "string" || path === "") {
    throw new WorkloadError(String(path), "expected the path of a JSON workload file");
  }
  // stat before open: opening a FIFO would block until a writer comes.
  let first: Deno.FileInfo;
  try {
    first = await Deno.stat(path);
  } catch (e) {
    throw new WorkloadError(path, describe(e, path), "", { cause: e });
  }
  if (first.isDirectory) throw new WorkloadError(path, "it is a directory, pass a JSON file");
  if (!first.isFile) {
    throw new WorkloadError(
      path,
      "it is not a regular file (a device, pipe or socket), pass a JSON file",
    );
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (e) {
    throw new WorkloadError(path, describe(e, path), "", { cause: e });
  }
  let text: string;
  try {
    let info: Deno.FileInfo;
    try {
      info = await file.stat();
    } catch (e) {
      throw new WorkloadError(path, describe(e, path), "", { cause: e });
    }
    if (info.isDirectory) throw new WorkloadError(path, "it is a directory, pass a JSON file");
    if (!info.isFile) {
      throw new WorkloadError(
        path,
        "it is not a regular file (a device, pipe or socket), pass a JSON file",
      );
    }
    if (info.size > MAX_WORKLOAD_BYTES) {
      throw new WorkloadError(
        path,
        `it is ${info.size} bytes, more than the ${MAX_WORKLOAD_BYTES} (MAX_WORKLOAD_BYTES) a workload may have`,
      );
    }
    // Read at most one byte more than the limit, whatever stat said (the
    // file may grow while we read).
    const buf = new Uint8Array(MAX_WORKLOAD_BYTES + 1);
    let n = 0;
    for (;;) {
      let got: number | null;
      try {
        got = await file.read(buf.subarray(n));
      } catch (e) {
        throw new WorkloadError(path, describe(e, path), "", { cause: e });
      }
      if (got === null) break;
      n += got;
      if (n > MAX_WORKLOAD_BYTES) {
        throw new WorkloadError(
          path,
          `it is more than the ${MAX_WORKLOAD_BYTES} bytes (MAX_WORKLOAD_BYTES) a workload may have`,
        );
      }
    }
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(buf.subarray(0, n));
    } catch (e) {
      throw new WorkloadError(path, "it is not UTF-8 text, pass a JSON file", "", { cause: e });
    }
  } finally {
    file.close();
  }
  return parseWorkload(text, path);
}
