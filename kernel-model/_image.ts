// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Reading a vmlinux image for `Kernel.boot()`: bytes, a path or a URL, of
 * bounded size. Private to kernel-model/.
 *
 * @module
 */

import { KernelError } from "./errors.ts";

function defaultImageUrl(arch: string): URL {
  return new URL(`./vmlinux/images/vmlinux-${arch}`, import.meta.url);
}

/** Largest kernel image `Kernel.boot()` reads (the committed ones are well under 1 MiB). */
const MAX_IMAGE_BYTES = 64 * 1024 * 1024;

/** Reads at most MAX_IMAGE_BYTES from a stream, or throws. */
async function readBounded(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let n = 0;
  for await (const chunk of stream) {
    n += chunk.length;
    if (n > MAX_IMAGE_BYTES) {
      await stream.cancel().catch(() => {});
      throw new Error(`it is larger than ${MAX_IMAGE_BYTES} bytes, pass a vmlinux image`);
    }
    chunks.push(chunk);
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Reads a regular file of bounded size: stat first, so that "/dev/zero", a
 * FIFO or a directory is refused before it is opened, then the `size` bytes
 * stat reported (a file that grew since is cut there, one that shrank ends
 * early). Synchronous on purpose: `Kernel.boot()` runs the guest
 * synchronously right after, so nothing waits on the event loop meanwhile,
 * and the three async ops this replaces (stat, open, read) each waited for
 * a thread-pool hop: 1-5 ms of a 10 ms boot on a loaded machine, against
 * 0.1-1 ms.
 */
function readRegularFile(url: string | URL): Uint8Array {
  const info = Deno.statSync(url);
  if (!info.isFile) throw new Error("it is not a regular file, pass a vmlinux image");
  if (info.size > MAX_IMAGE_BYTES) {
    throw new Error(`it is larger than ${MAX_IMAGE_BYTES} bytes, pass a vmlinux image`);
  }
  using file = Deno.openSync(url);
  const buf = new Uint8Array(info.size);
  let n = 0;
  while (n < buf.length) {
    const r = file.readSync(buf.subarray(n));
    if (r === null) break;
    n += r;
  }
  return n === buf.length ? buf : buf.subarray(0, n);
}

export async function readImage(
  image: Uint8Array | string | URL | undefined,
  arch: string,
): Promise<[Uint8Array, string]> {
  if (image instanceof Uint8Array) return [image, "vmlinux"];
  const url = image === undefined ? defaultImageUrl(arch) : image;
  const shown = String(url);
  try {
    if (url instanceof URL && url.protocol !== "file:") {
      const res = await fetch(url);
      if (!res.ok || res.body === null) {
        await res.body?.cancel();
        throw new Error(`HTTP ${res.status}`);
      }
      return [await readBounded(res.body), shown];
    }
    return [readRegularFile(url), shown];
  } catch (e) {
    const why = e instanceof Deno.errors.NotCapable
      ? `read permission was not granted, run deno with --allow-read=${
        url instanceof URL ? decodeURIComponent(url.pathname) : url
      }`
      : e instanceof Error
      ? e.message
      : String(e);
    throw new KernelError(`Cannot read kernel image "${shown}": ${why}`, { cause: e });
  }
}
