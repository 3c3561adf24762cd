// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Reading a vmlinux image for `Kernel.boot()`: bytes, a path or a URL, of
 * bounded size. Private to kernel-model/.
 *
 * @module
 */

import { type ElfFile, parseElf } from "./elf.ts";
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

/** A parsed image and the bytes it was parsed from, both never handed out to users. */
interface ParsedImage {
  bytes: Uint8Array;
  elf: ElfFile;
}

/** Images whose parse `loadImage` keeps: a process boots one to three images. */
const MAX_PARSED_IMAGES = 4;

/**
 * Parsed images by the name they were read from, least recently used
 * first. The one piece of state kernels of a process share, and
 * immutable: each entry is frozen, is used only when a new read of that
 * name gives the very same bytes, and only saves parsing them again (about
 * 0.5 ms of a 5-10 ms boot, with the kallsyms table kallsyms.ts keeps per
 * image). Bytes a caller passes are parsed afresh: the caller may change them.
 */
const parsedImages = new Map<string, ParsedImage>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const n = a.length >>> 2;
    const wa = new Uint32Array(a.buffer, a.byteOffset, n);
    const wb = new Uint32Array(b.buffer, b.byteOffset, n);
    for (let i = 0; i < n; i++) if (wa[i] !== wb[i]) return false;
    for (let i = n << 2; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Freezes the parse's records so that kernels sharing it cannot change it. */
function freezeElf(elf: ElfFile): ElfFile {
  for (const list of [elf.sections, elf.segments, elf.symbols]) {
    for (const item of list) Object.freeze(item);
    Object.freeze(list);
  }
  return Object.freeze(elf);
}

/**
 * Reads and parses the kernel image `Kernel.boot()` was given (bytes, a
 * path or a URL; the committed image of `arch` by default), reusing the
 * parse of an earlier read that gave the same bytes under the same name.
 *
 * @param image What `BootOptions.image` holds.
 * @param arch The architecture, for the default image.
 * @returns The parsed image (frozen when it came from a file or URL).
 * @throws {KernelError} When the image cannot be read or parsed (an ElfError).
 */
export async function loadImage(
  image: Uint8Array | string | URL | undefined,
  arch: string,
): Promise<ElfFile> {
  const [bytes, shown] = await readImage(image, arch);
  if (image instanceof Uint8Array) return parseElf(bytes, shown);
  const hit = parsedImages.get(shown);
  parsedImages.delete(shown);
  if (hit !== undefined && sameBytes(hit.bytes, bytes)) {
    parsedImages.set(shown, hit);
    return hit.elf;
  }
  const elf = freezeElf(parseElf(bytes, shown));
  parsedImages.set(shown, { bytes, elf });
  for (const name of parsedImages.keys()) {
    if (parsedImages.size <= MAX_PARSED_IMAGES) break;
    parsedImages.delete(name);
  }
  return elf;
}
