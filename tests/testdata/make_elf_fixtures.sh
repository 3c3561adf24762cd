#!/usr/bin/env bash
# Copyright 2026 the kprobes-sim authors. MIT license.
#
# Rebuilds the ELF fixtures of tests/kernel-model/{elf,kallsyms}_test.ts and
# their goldens, from elf_fixture.c and elf_fixture_ppc64.s:
#
#   elf_x86_64.o   ELF64 LE relocatable (section/file symbols, U, w, C)
#   elf_x86_64     ELF64 LE executable
#   elf_i386       ELF32 LE executable
#   elf_ppc64      ELF64 BE executable, ppc64 ELFv1 (.opd descriptors, dot symbols)
#   <fixture>.nm       `nm -S` output (the symbol golden)
#   <fixture>.readelf  `readelf -hlSW` output (the header golden)
#
# and, for each kernel image present in kernel-model/vmlinux/images/, the
# golden vmlinux-<arch>.nm. Rerun it whenever an image or a source changes;
# it is idempotent. Toolchain: gcc, binutils, binutils-powerpc64-linux-gnu and
# (for vmlinux-sparc64.nm) binutils-sparc64-linux-gnu (Debian bookworm: gcc
# 12.2, binutils 2.40).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"

need() {
  command -v "$1" >/dev/null 2>&1 || {
    echo "make_elf_fixtures.sh: $1 not found, install $2 (apt-get install $2)" >&2
    exit 1
  }
}
need gcc gcc
need ld binutils
need nm binutils
need readelf binutils
need powerpc64-linux-gnu-as binutils-powerpc64-linux-gnu

cflags=(-O1 -g0 -fno-pic -fno-asynchronous-unwind-tables -fno-stack-protector
  -ffreestanding -fno-common -fno-ident)
# -n: no page alignment between segments, which keeps the files small.
ldflags=(-n --build-id=none -z noexecstack --no-warn-rwx-segments
  --defsym undef_func=0x5678 -e _start)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gcc -m64 "${cflags[@]}" -c elf_fixture.c -o elf_x86_64.o
ld -m elf_x86_64 "${ldflags[@]}" elf_x86_64.o -o elf_x86_64
gcc -m32 "${cflags[@]}" -c elf_fixture.c -o "$tmp/elf_i386.o"
ld -m elf_i386 "${ldflags[@]}" "$tmp/elf_i386.o" -o elf_i386
powerpc64-linux-gnu-as -a64 -mbig elf_fixture_ppc64.s -o "$tmp/elf_ppc64.o"
# -N: text and data in one unaligned segment (ppc64 pages are 64 KiB).
powerpc64-linux-gnu-ld -m elf64ppc -N --build-id=none --no-warn-rwx-segments \
  -e _start "$tmp/elf_ppc64.o" -o elf_ppc64
chmod -x elf_x86_64 elf_i386 elf_ppc64

for f in elf_x86_64.o elf_x86_64 elf_i386; do
  nm -S "$f" >"$f.nm"
  readelf -hlSW "$f" >"$f.readelf"
done
powerpc64-linux-gnu-nm -S elf_ppc64 >elf_ppc64.nm
powerpc64-linux-gnu-readelf -hlSW elf_ppc64 >elf_ppc64.readelf

for arch in x86_64 i386 ppc64 sparc64; do
  image="$root/kernel-model/vmlinux/images/vmlinux-$arch"
  [ -f "$image" ] || continue
  if [ "$arch" = ppc64 ]; then
    powerpc64-linux-gnu-nm -S "$image" >"vmlinux-$arch.nm"
  elif [ "$arch" = sparc64 ]; then
    need sparc64-linux-gnu-nm binutils-sparc64-linux-gnu
    sparc64-linux-gnu-nm -S "$image" >"vmlinux-$arch.nm"
  else
    nm -S "$image" >"vmlinux-$arch.nm"
  fi
  echo "make_elf_fixtures.sh: wrote vmlinux-$arch.nm"
done

for f in elf_x86_64.o elf_x86_64 elf_i386 elf_ppc64; do
  size=$(stat -c %s "$f")
  if [ "$size" -gt 8192 ]; then
    echo "make_elf_fixtures.sh: $f is $size bytes, over the 8 KiB fixture budget" >&2
    exit 1
  fi
done
echo "make_elf_fixtures.sh: fixtures rebuilt in tests/testdata/"
