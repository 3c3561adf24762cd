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
 * Reads the first `size` bytes (what stat said the file holds, at most
 * MAX_IMAGE_BYTES) of an open regular file, in one read when the OS allows:
 * a file that grew since is cut at `size`, one that shrank ends early.
 * Faster than a stream of 64 KiB chunks (each a promise and an op), which
 * took 2-10 ms of a 10 ms boot.
 */
async function readFileBounded(file: Deno.FsFile, size: number): Promise<Uint8Array> {
  const buf = new Uint8Array(size);
  let n = 0;
  while (n < size) {
    const r = await file.read(buf.subarray(n));
    if (r === null) break;
    n += r;
  }
  return n === size ? buf : buf.subarray(0, n);
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
    // A regular file of bounded size: "/dev/zero" or a directory is refused
    // before it is read.
    const info = await Deno.stat(url);
    if (!info.isFile) throw new Error("it is not a regular file, pass a vmlinux image");
    if (info.size > MAX_IMAGE_BYTES) {
      throw new Error(`it is larger than ${MAX_IMAGE_BYTES} bytes, pass a vmlinux image`);
    }
    using file = await Deno.open(url);
    return [await readFileBounded(file, info.size), shown];
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
