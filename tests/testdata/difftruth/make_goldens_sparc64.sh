#!/usr/bin/env bash
# Copyright 2026 the kprobes-sim authors. MIT license.
#
# Regenerates goldens-sparc64.json through make_goldens.sh's own pipeline
# (same calls.json, harness.c, renaming and checks), for the sparc64 image
# that has no interpreter yet: it runs copies of make_goldens.sh and
# harness.c with a sparc64 case added. Once those two have it themselves
# (and tests/kernel-model/difftruth_test.ts lists sparc64), this file goes.
#
#   make_goldens_sparc64.sh
#
# Toolchain (Debian bookworm): gcc-sparc64-linux-gnu (with
# libc6-dev-sparc64-cross for the static harness), qemu-user (qemu-sparc64),
# deno. The guest objects get the kernel's flags but -fcall-used-g7: in a
# user program %g7 is glibc's thread pointer.
set -euo pipefail
export LC_ALL=C TZ=UTC

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
work=$(mktemp -d "${TMPDIR:-/tmp}/difftruth-sparc64.XXXXXX")
trap 'rm -rf "$work"' EXIT

patch() { # patch FROM TO: replace the one occurrence of FROM, or fail
	case "$script" in
	*"$1"*) script=${script/"$1"/"$2"} ;;
	*) echo "make_goldens_sparc64.sh: make_goldens.sh changed; cannot find: $1" >&2; exit 1 ;;
	esac
}
script=$(cat "$here/harness.c")
patch '#else
#error "unsupported architecture"' '#elif defined(__sparc__) && defined(__arch64__)
#define ARCH "sparc64"
#else
#error "unsupported architecture"'
printf '%s\n' "$script" >"$work/harness.c"

script=$(cat "$here/make_goldens.sh")
patch '"$here/harness.c"' "\"$work/harness.c\""
patch 'here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)' "here=\"$here\""
patch 'x86_64 | i386 | ppc64) arches+=' 'x86_64 | i386 | ppc64 | sparc64) arches+='
patch '	ppc64)
		cc=powerpc64-linux-gnu-gcc' '	sparc64)
		cc=sparc64-linux-gnu-gcc cross=sparc64-linux-gnu-
		guest_flags=(-m64 -mcpu=ultrasparc -mno-fpu -ffixed-g4 -ffixed-g5
			-Wa,--undeclared-regs -I"$vmlinux/arch/sparc64/include")
		sources=(kernel/vsprintf.c kernel/string.c arch/sparc64/lib/string.S)
		runner=(qemu-sparc64) ;;
	ppc64)
		cc=powerpc64-linux-gnu-gcc'
bash -c "$script" make_goldens.sh sparc64
