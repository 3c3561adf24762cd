// Copyright 2026 the kprobes-sim authors. MIT license.
import assert from "node:assert/strict";
import { Fault } from "../../arch/_common/fault.ts";
import { PF_INSTR, PF_PROT, PF_USER, PF_WRITE } from "../../arch/types.ts";
import {
  GuestMemoryError,
  Memory,
  PROT_EXEC,
  PROT_READ,
  PROT_USER,
  PROT_WRITE,
} from "../../kernel-model/memory.ts";

const KHI = 0xffffffff;
const KLO = 0x81000000;
const KBASE = 0xffffffff81000000n;

function kernelAndUser(littleEndian = true): Memory {
  const mem = new Memory({ littleEndian });
  mem.map(0x400000n, 0x400000, PROT_READ | PROT_WRITE | PROT_USER);
  mem.map(KBASE, 0x10000, PROT_READ | PROT_WRITE);
  mem.protect(KBASE, 0x2000, PROT_READ | PROT_EXEC); // "text"
  return mem;
}

function faultOf(fn: () => unknown): Fault {
  try {
    fn();
  } catch (e) {
    if (e instanceof Fault) return e;
    throw e;
  }
  throw new Error("no fault");
}

Deno.test("Memory reads and writes little-endian values in every region", () => {
  const mem = kernelAndUser();
  mem.write32(KHI, KLO + 0x2000, 0x11223344);
  assert.equal(mem.read8(KHI, KLO + 0x2000), 0x44);
  assert.equal(mem.read16(KHI, KLO + 0x2002), 0x1122);
  assert.equal(mem.read32(KHI, KLO + 0x2000), 0x11223344);
  mem.write16(0, 0x400010, 0xbeef);
  assert.equal(mem.readU16(0x400010n), 0xbeef);
  mem.writeU64(0x400020n, 0x0102030405060708n);
  assert.equal(mem.read32(0, 0x400020), 0x05060708);
  assert.equal(mem.read32(0, 0x400024), 0x01020304);
});

Deno.test("Memory reads and writes big-endian values when littleEndian is false", () => {
  const mem = new Memory({ littleEndian: false });
  mem.map(0xc000000000000000n, 0x1000, PROT_READ | PROT_WRITE);
  mem.write32(0xc0000000, 0, 0x7fe00008);
  assert.deepEqual([...mem.readBytes(0xc000000000000000n, 4)], [0x7f, 0xe0, 0x00, 0x08]);
  assert.equal(mem.readU32(0xc000000000000000n), 0x7fe00008);
});

Deno.test("Memory faults on unmapped addresses with the access bits and no PF_PROT", () => {
  const mem = kernelAndUser();
  let f = faultOf(() => mem.read8(0, 8));
  assert.equal(f.vector, 14);
  assert.equal(f.errorCode, 0);
  assert.deepEqual([f.addrHi, f.addrLo], [0, 8]);
  f = faultOf(() => mem.write32(0xdead0000, 0, 1));
  assert.equal(f.errorCode, PF_WRITE);
  f = faultOf(() => mem.translate(0, 0x1000, PF_INSTR | PF_USER));
  assert.equal(f.errorCode, PF_INSTR | PF_USER);
});

Deno.test("Memory faults with PF_PROT on writes to text, user access to kernel, fetch from data", () => {
  const mem = kernelAndUser();
  let f = faultOf(() => mem.write8(KHI, KLO + 0x10, 0xcc));
  assert.equal(f.errorCode, PF_PROT | PF_WRITE);
  assert.deepEqual([f.addrHi, f.addrLo], [KHI, KLO + 0x10]);
  assert.equal(mem.read8(KHI, KLO + 0x10), 0); // unchanged
  f = faultOf(() => mem.translate(KHI, KLO + 0x3000, PF_USER));
  assert.equal(f.errorCode, PF_PROT | PF_USER);
  f = faultOf(() => mem.translate(KHI, KLO + 0x3000, PF_INSTR));
  assert.equal(f.errorCode, PF_PROT | PF_INSTR);
  assert.equal(mem.translate(KHI, KLO + 0x10, PF_INSTR) >= 0, true);
  assert.equal(mem.translate(0, 0x400000, PF_USER | PF_WRITE) >= 0, true);
});

Deno.test("Memory page-crossing accesses check both pages before writing", () => {
  const mem = kernelAndUser();
  // Last data page of the kernel region ends the mapping.
  const last = KLO + 0xfffe;
  const f = faultOf(() => mem.write32(KHI, last, 0xaabbccdd));
  assert.equal(f.errorCode, PF_WRITE);
  assert.deepEqual([f.addrHi, f.addrLo], [KHI, KLO + 0x10000]);
  assert.equal(mem.read8(KHI, last), 0);
  // Into read-only text from writable data: PF_PROT, nothing stored.
  mem.protect(KBASE + 0x3000n, 0x1000, PROT_READ);
  const g = faultOf(() => mem.write32(KHI, KLO + 0x2ffe, 0xaabbccdd));
  assert.equal(g.errorCode, PF_PROT | PF_WRITE);
  assert.equal(mem.read16(KHI, KLO + 0x2ffe), 0);
  // A crossing read that succeeds assembles bytes from both pages.
  mem.writeBytes(KBASE + 0x2ffen, new Uint8Array([1, 2, 3, 4]));
  assert.equal(mem.read32(KHI, KLO + 0x2ffe), 0x04030201);
});

Deno.test("Memory.pokeText() ignores protection and notifies text-write listeners", () => {
  const mem = kernelAndUser();
  const seen: number[][] = [];
  mem.onTextWrite((hi, lo, n) => seen.push([hi, lo, n]));
  mem.pokeText(KHI, KLO + 0x20, new Uint8Array([0xcc]));
  assert.equal(mem.readU8(KBASE + 0x20n), 0xcc);
  assert.deepEqual(seen, [[KHI, KLO + 0x20, 1]]);
  // Host writes into executable pages are text writes too.
  mem.writeBytes(KBASE + 0x30n, new Uint8Array([0x90, 0x90]));
  assert.deepEqual(seen[1], [KHI, KLO + 0x30, 2]);
  // Host writes to data pages are not.
  mem.writeBytes(KBASE + 0x4000n, new Uint8Array([1]));
  assert.equal(seen.length, 2);
});

Deno.test("Memory host helpers read C strings and throw GuestMemoryError on unmapped addresses", () => {
  const mem = kernelAndUser();
  mem.writeBytes(0x400100n, new TextEncoder().encode("/etc/passwd\0junk"));
  assert.equal(mem.readCString(0x400100n, 256), "/etc/passwd");
  assert.equal(mem.readCString(0x400100n, 4), "/etc");
  assert.throws(() => mem.readU64(0x1000n), GuestMemoryError);
  assert.throws(
    () => mem.writeBytes(0x7ffffen, new Uint8Array(4)),
    (e: unknown) =>
      e instanceof GuestMemoryError && e.name === "GuestMemoryError" && /0x800000/.test(e.message),
  );
  assert.equal(mem.readU8(0x7fffffn), 0); // nothing written before the check failed
  assert.equal(mem.isMapped(KBASE), true);
  assert.equal(mem.protectionOf(KBASE), PROT_READ | PROT_EXEC);
  assert.equal(mem.protectionOf(0n), -1);
});

Deno.test("Memory.map() rejects overlaps and unaligned bases", () => {
  const mem = kernelAndUser();
  assert.throws(() => mem.map(0x400000n + 0x1000n, 0x1000, PROT_READ), GuestMemoryError);
  assert.throws(() => mem.map(0x900001n, 0x1000, PROT_READ), GuestMemoryError);
  mem.map(0x900000n, 0x1000, PROT_READ);
  assert.equal(mem.readU32(0x900000n), 0);
  // Existing contents survive the backing store growing.
  mem.writeU32(0x400000n, 0xfeedface);
  mem.map(0xa00000n, 0x100000, PROT_READ);
  assert.equal(mem.readU32(0x400000n), 0xfeedface);
});

Deno.test("Memory.map() places regions inside the capacity without replacing u8", () => {
  const mem = new Memory({ littleEndian: true, capacity: 0x3000 });
  mem.map(KBASE, 0x2000, PROT_READ | PROT_WRITE);
  const u8 = mem.u8;
  assert.equal(u8.length, 0x3000);
  mem.write32(KHI, KLO + 0x1ffc, 0xcafef00d);
  mem.map(0x400000n, 0x1000, PROT_READ | PROT_WRITE | PROT_USER);
  assert.equal(mem.u8, u8);
  mem.write8(0, 0x400fff, 0x5a);
  assert.equal(mem.read8(0, 0x400fff), 0x5a);
  assert.equal(mem.read32(KHI, KLO + 0x1ffc), 0xcafef00d);
  // Kernel pages stay kernel-only: the user region's protection is its own.
  assert.equal(faultOf(() => mem.read8(0, 0x401000)).errorCode, 0);
  assert.equal(mem.protectionOf(KBASE), PROT_READ | PROT_WRITE);
});

Deno.test("Memory.map() beyond the capacity grows the store and keeps every byte", () => {
  const mem = new Memory({ littleEndian: false, capacity: 0x1000 });
  mem.map(KBASE, 0x1000, PROT_READ | PROT_WRITE);
  mem.write32(KHI, KLO + 0xffc, 0x01020304);
  const before = mem.u8;
  mem.map(0x400000n, 0x2000, PROT_READ | PROT_WRITE);
  assert.notEqual(mem.u8, before);
  assert.equal(mem.u8.length, 0x3000);
  assert.equal(mem.read32(KHI, KLO + 0xffc), 0x01020304);
  assert.equal(mem.read32(0, 0x401ffc), 0);
  assert.equal(mem.dv.byteLength, mem.u8.length);
});

Deno.test("Memory() rejects a capacity that is not a whole number below 8 GiB", () => {
  assert.throws(() => new Memory({ littleEndian: true, capacity: -1 }), GuestMemoryError);
  assert.throws(() => new Memory({ littleEndian: true, capacity: 0.5 }), GuestMemoryError);
  assert.throws(() => new Memory({ littleEndian: true, capacity: 2 ** 33 }), GuestMemoryError);
});

Deno.test("Memory host helpers read and write across two adjacent regions", () => {
  const mem = new Memory({ littleEndian: true, capacity: 0x3000 });
  mem.map(0x2000n, 0x1000, PROT_READ | PROT_WRITE);
  mem.map(0x1000n, 0x1000, PROT_READ | PROT_EXEC);
  const heard: number[] = [];
  mem.onTextWrite((_hi, lo, n) => heard.push(lo, n));
  mem.writeU64(0x1ffcn, 0x1122334455667788n);
  assert.equal(mem.readU64(0x1ffcn), 0x1122334455667788n);
  assert.equal(mem.readU32(0x2000n), 0x11223344);
  assert.deepEqual(heard, [0x1ffc, 8]);
  mem.writeBytes(0x2ffen, new TextEncoder().encode("ab"));
  assert.equal(mem.readCString(0x2ffen, 2), "ab");
  mem.writeBytes(0x1ffen, new TextEncoder().encode("xyz\0"));
  assert.equal(mem.readCString(0x1ffen, 64), "xyz");
  assert.equal(mem.readCString(0x1ffen, 2), "xy");
  // A string running off the mapped space ends in an error, as before.
  assert.throws(() => mem.readCString(0x2ffen, 64), GuestMemoryError);
  assert.throws(() => mem.readU32(0x2ffen), GuestMemoryError);
  assert.deepEqual([...mem.readBytes(0x1ffen, 4)], [0x78, 0x79, 0x7a, 0]);
});

Deno.test("Memory.protectCount counts protect() calls, so a cached translation knows to check again", () => {
  const mem = new Memory({ littleEndian: true });
  mem.map(0x400000n, 0x2000, PROT_READ | PROT_WRITE);
  const before = mem.protectCount;
  const off = mem.translate(0, 0x401000, PF_WRITE);
  mem.protect(0x401000n, 0x1000, PROT_READ);
  assert.equal(mem.protectCount, before + 1);
  // The offset is the same; the permission is not.
  assert.equal(mem.translate(0, 0x401000, 0), off);
  assert.throws(() => mem.translate(0, 0x401000, PF_WRITE), Fault);
});
