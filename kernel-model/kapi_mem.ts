// Copyright 2026 the kprobes-sim authors. MIT license.
/**
 * Reading kernel memory that may not be there, without faulting: Linux's
 * `*_nofault` family. Unlike `kernel_read` (a C dereference: a bad address
 * goes to the fault_handler, then Oopses), these return `-EFAULT`.
 *
 * @module
 */

import type { KernelAddress } from "../probes/types.ts";
import { kernelAbiFor } from "./context.ts";
import { EFAULT, EINVAL } from "./errno.ts";

/**
 * Copies a NUL-terminated string from a kernel address, without faulting.
 * Linux: `strncpy_from_kernel_nofault(dst, unsafe_addr, count)`. Two forms:
 *
 * - `strncpy_from_kernel_nofault(unsafe_addr, count)` returns the string
 *   (at most `count - 1` bytes, decoded as UTF-8) or `-EFAULT`;
 * - `strncpy_from_kernel_nofault(dst, unsafe_addr, count)` fills the
 *   `Uint8Array` `dst` as Linux does (the bytes, then a NUL; at most
 *   `count` bytes) and returns Linux's result: the length including the
 *   NUL, `count` when the string was cut, or `-EFAULT` (what was read
 *   before the fault is kept, NUL-terminated).
 *
 * A user-space address, an unmapped byte, or a read running off mapped
 * memory gives `-EFAULT`, as Linux refuses user addresses here. A bad
 * argument (a count that is not a positive integer, a `dst` shorter than
 * `count`) gives `-EINVAL`, as does a call outside any kernel.
 *
 * @param args `(unsafe_addr, count)` or `(dst, unsafe_addr, count)`.
 * @returns The string or the length (see above), or a negative errno.
 *
 * @example do_execve's filename (its first argument) as a string
 * ```ts ignore
 * import { regs_get_kernel_argument, strncpy_from_kernel_nofault } from "../mod.ts";
 * const pre_handler = (_p, regs) => {
 *   const name = strncpy_from_kernel_nofault(regs_get_kernel_argument(regs, 0), 256);
 *   return 0;
 * };
 * ```
 */
export function strncpy_from_kernel_nofault(
  ...args: [unsafe_addr: KernelAddress, count: number] | [
    dst: Uint8Array,
    unsafe_addr: KernelAddress,
    count: number,
  ]
): string | number {
  const withDst = args.length === 3;
  const dst = withDst ? args[0] : null;
  const addr: unknown = withDst ? args[1] : args[0];
  const count: unknown = withDst ? args[2] : args[1];
  if (withDst && !(dst instanceof Uint8Array)) return -EINVAL;
  if (typeof count !== "number" || !Number.isSafeInteger(count) || count <= 0) return -EINVAL;
  if (dst !== null && dst.length < count) return -EINVAL;
  let a: bigint;
  if (typeof addr === "bigint" && addr >= 0n && addr < 1n << 64n) a = addr;
  else if (typeof addr === "number" && Number.isSafeInteger(addr) && addr >= 0) a = BigInt(addr);
  else return -EINVAL;
  const abi = kernelAbiFor("strncpy_from_kernel_nofault");
  if (abi === null) return -EINVAL;
  const bytes: number[] = [];
  let faulted = false;
  while (bytes.length < count) {
    const b = abi.readNoFault(a + BigInt(bytes.length), 1);
    if (b === null) {
      faulted = true;
      break;
    }
    if (b === 0n) break;
    bytes.push(Number(b));
  }
  const cut = !faulted && bytes.length === count;
  if (cut) bytes.pop(); // count - 1 bytes and the NUL, as Linux
  if (dst !== null) {
    dst.set(bytes);
    dst[bytes.length] = 0;
    if (faulted) return -EFAULT;
    return cut ? count : bytes.length + 1;
  }
  if (faulted) return -EFAULT;
  return new TextDecoder().decode(new Uint8Array(bytes));
}
