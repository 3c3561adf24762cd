#!/usr/bin/env bash
# Copyright 2026 the kprobes-sim authors. MIT license.
# Regenerates gcc_kernel_text.txt: the .text words gcc -O2 -msoft-float emits
# for the guest kernel's C files on ppc64 (big-endian, ELFv1), one object per
# "# file" header, eight words a line. The x86 inline assembly of the headers
# is dropped from the compiler output (#APP … #NO_APP) before assembling, so
# the words are exactly the compiler's own code. Files gcc cannot compile
# against the x86 headers are skipped. Needs gcc-powerpc64-linux-gnu and
# binutils-powerpc64-linux-gnu; the tests read only the committed text.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../../../../kernel-model/vmlinux" && pwd)
CC=${CC:-powerpc64-linux-gnu-gcc}
AS=${AS:-powerpc64-linux-gnu-as}
OBJCOPY=${OBJCOPY:-powerpc64-linux-gnu-objcopy}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/include/generated"
for d in UTS_RELEASE UTS_VERSION LINUX_COMPILE_BY LINUX_COMPILE_HOST LINUX_COMPILER; do
	echo "#define $d \"x\"" >>"$TMP/include/generated/compile.h"
done
OUT="$HERE/gcc_kernel_text.txt"
{
	echo "# gcc $("$CC" -dumpfullversion) -O2 -msoft-float, kernel-model/vmlinux/kernel/*.c; make_gcc_corpus.sh"
	cd "$SRC"
	for src in kernel/*.c; do
		b=$(basename "$src" .c)
		"$CC" -O2 -std=gnu11 -ffreestanding -nostdinc -msoft-float -mno-altivec -fno-common \
			-fno-strict-aliasing -fno-stack-protector -fno-asynchronous-unwind-tables -w \
			-Iinclude -Iarch/x86/include -I"$TMP/include" -S "$src" -o "$TMP/$b.s" 2>/dev/null || continue
		awk '/^#APP/{skip=1;next} /^#NO_APP/{skip=0;next} !skip' "$TMP/$b.s" >"$TMP/$b.clean.s"
		"$AS" -a64 -mppc64 -o "$TMP/$b.o" "$TMP/$b.clean.s"
		"$OBJCOPY" -O binary -j .text "$TMP/$b.o" "$TMP/$b.bin"
		echo "# file $src"
		od -An -v -tx1 -w32 "$TMP/$b.bin" | sed 's/ //g; s/\(........\)/\1 /g; s/ $//'
	done
} >"$OUT"
echo "wrote $OUT ($(grep -vc '^#' "$OUT") lines)"
