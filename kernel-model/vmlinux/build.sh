#!/usr/bin/env bash
# Copyright 2026 the kprobes-sim authors. MIT license.
#
# Rebuilds the guest kernel images bit for bit with the pinned Debian 12
# toolchains (gcc 12.2.0, binutils 2.40-2; versions per architecture below):
#
#   build.sh [ARCH...]             build images/vmlinux-ARCH for x86_64, i386,
#                                  ppc64 and sparc64 (all when none is named), refresh
#                                  each images/vmlinux-ARCH.sha256
#   build.sh --check [ARCH...]     build in a temporary directory and compare with
#                                  the committed images and checksums; exit 1 if
#                                  any differs
#   build.sh --mnemonics [ARCH...] also print each image's distinct mnemonics
#
# Environment: CC_X86_64 (default $CC, else gcc), CC_I386 (default
# i686-linux-gnu-gcc), CC_PPC64 (default powerpc64-linux-gnu-gcc), CC_SPARC64
# (default sparc64-linux-gnu-gcc). Other toolchains build, with a warning, but
# will not reproduce the committed bytes.
set -euo pipefail

export LC_ALL=C TZ=UTC
export SOURCE_DATE_EPOCH=1767225600	# 2026-01-01 00:00:00 UTC, fixed: no clock in the image

CHECK=0
MNEMONICS=0
ARCHES=()
for arg in "$@"; do
	case "$arg" in
	--check) CHECK=1 ;;
	--mnemonics) MNEMONICS=1 ;;
	x86_64 | i386 | ppc64 | sparc64) ARCHES+=("$arg") ;;
	-h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
	*) echo "build.sh: unknown argument \"$arg\" (try --help)" >&2; exit 2 ;;
	esac
done
[ ${#ARCHES[@]} -gt 0 ] || ARCHES=(x86_64 i386 ppc64 sparc64)

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

# --- per-architecture configuration ------------------------------------------
#
# Why each x86 flag beyond the brief's list:
#   -nostdinc                      only our headers (stdarg comes from builtins)
#   -fno-strict-aliasing           kernel code type-puns, as Linux builds it
#   -fno-delete-null-pointer-checks  as Linux
#   -fno-tree-loop-distribute-patterns  keep loops in string.c from becoming
#                                  calls to memset/memcpy (themselves)
#   -fno-reorder-blocks-and-partition   one contiguous body per function: no
#                                  foo.cold pieces in .text.unlikely
#   -fno-ipa-cp-clone -fno-partial-inlining  no foo.constprop.0 / foo.part.0
#                                  copies: a probe on a symbol sees every call
#   -fno-shrink-wrap               every function with a frame opens with
#                                  push %rbp; mov %rsp,%rbp (no frameless fast
#                                  paths to confuse frame-pointer unwinding)
#   -falign-functions=1 -falign-jumps=1 -falign-loops=1 -falign-labels=1
#                                  no nop padding at all in compiled code (gas
#                                  pads with cs-prefixed nopw); asm pads with int3
#   -Wno-unused-parameter          kernel-ABI signatures keep parameters they
#                                  ignore (Linux builds without -Wextra)
#   -Werror                        with the pinned toolchain only
# i386 adds:
#   -mregparm=0                    arguments on the stack (asmlinkage), as 2.6
#                                  i386 without CONFIG_REGPARM; fastcall
#                                  functions say regparm(3) themselves
#   -mpreferred-stack-boundary=2   4-byte stack alignment, as Linux i386: the
#                                  entry code calls C without realigning
# ppc64 (no frame pointers: the ELFv1 back chain in r1 is always kept):
#   -mabi=elfv1 -mcall-aixdesc     Linux/ppc64 2.6's ABI: descriptor "foo" in
#                                  .opd, code ".foo", calls as "bl .foo"
#   -mcpu=power4 -msoft-float -mno-altivec -mno-vsx -mno-multiple -mno-string
#                                  integer-only POWER4 code, no lmw/stmw/lswi
#   -mtraceback=no -fno-jump-tables  no data in .text (traceback tables, switch
#                                  tables), so all of .text is instructions
#   -Wa,-mregnames                 r0..r31 in assembly sources
# sparc64 (Linux/sparc64's own flags; register windows keep %fp/%i7, so no
# frame-pointer flag is needed):
#   -mcpu=ultrasparc -mcmodel=medlow  SPARC V9 code, every symbol below 4 GiB
#                                  (sethi/or absolute addresses), as Linux
#   -mno-fpu                       integer-only code: no FP registers at all
#   -ffixed-g4 -ffixed-g5 -fcall-used-g7  Linux/sparc64's global register rules
#                                  (%g4/%g5 untouched by C, %g7 call-clobbered)
#   -Wa,--undeclared-regs          %g2/%g3/%g6/%g7 in assembly without .register
#   -fno-jump-tables               gcc puts sparc switch tables in .text: keep
#                                  all of .text instructions, as on ppc64
# The tail of the x86_64 list, shared by i386 and ppc64.
COMMON_CFLAGS=(
	-fno-optimize-sibling-calls -fno-stack-protector
	-fno-asynchronous-unwind-tables -fno-unwind-tables
	-fno-common -fno-strict-aliasing -fno-delete-null-pointer-checks
	-fno-tree-loop-distribute-patterns -fno-reorder-blocks-and-partition
	-fno-ipa-cp-clone -fno-partial-inlining -fno-shrink-wrap
	-falign-functions=1 -falign-jumps=1 -falign-loops=1 -falign-labels=1
	-Wall -Wextra -Wno-unused-parameter
)
# The symbols ABI.md promises on every architecture (C functions also as
# ".name" code symbols on ppc64).
ABI_DATA=(boot_params cpu_curr __log_buf log_end smp_boot_done idle_stack_top
	host_call_return kretprobe_trampoline jprobe_trampoline oops_do_exit
	__kprobes_text_start __kprobes_text_end __insn_slots_start __insn_slots_end
	_stext _etext _end __start___ex_table __stop___ex_table ret_from_fork)
ABI_FUNCS=(do_fork sys_open sys_close do_exit do_execve schedule printk vsnprintf
	kmalloc kfree copy_from_user copy_to_user do_timer_interrupt putname
	do_sys_open filp_open vfs_read vfs_write)

config() {
	case "$1" in
	x86_64)
		CC=${CC_X86_64:-${CC:-gcc}}
		PINNED_GCC="gcc (Debian 12.2.0-14+deb12u1) 12.2.0"
		PINNED_LD="GNU ld (GNU Binutils for Debian) 2.40"
		BINUTILS_PKG=binutils
		TOOL_PREFIX=
		SOURCES=(
			arch/x86/kernel/head_64.S
			arch/x86/kernel/entry_64.S
			arch/x86/kernel/setup.c
			arch/x86/kernel/process.c
			arch/x86/lib/string_64.S
			arch/x86/lib/usercopy_64.S
			"${GENERIC_SOURCES[@]}"
			arch/x86/kernel/kprobes_text.S
		)
		LDS=arch/x86/vmlinux_64.lds
		ARCH_INCS=(-Iarch/x86/include)
		CFLAGS=(
			-O2 -g -std=gnu11 -ffreestanding -nostdinc -fno-pic -fno-pie
			-mcmodel=kernel -mno-red-zone
			-mno-sse -mno-sse2 -mno-mmx -mno-3dnow -mno-avx -mgeneral-regs-only
			-fno-omit-frame-pointer -fno-optimize-sibling-calls -fno-stack-protector
			-fcf-protection=none -fno-asynchronous-unwind-tables -fno-unwind-tables
			-fno-common -fno-strict-aliasing -fno-delete-null-pointer-checks
			-fno-tree-loop-distribute-patterns -fno-reorder-blocks-and-partition
			-fno-ipa-cp-clone -fno-partial-inlining -fno-shrink-wrap
			-falign-functions=1 -falign-jumps=1 -falign-loops=1 -falign-labels=1
			-Wall -Wextra -Wno-unused-parameter
		)
		ENTRY_SYMS=(startup_64 secondary_startup_64 timer_interrupt entry_INT80
			do_syscall init_tss idt_table gdt_table)
		;;
	i386)
		CC=${CC_I386:-i686-linux-gnu-gcc}
		PINNED_GCC="i686-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0"
		PINNED_LD="GNU ld (GNU Binutils for Debian) 2.40"
		BINUTILS_PKG=binutils-i686-linux-gnu
		TOOL_PREFIX=i686-linux-gnu-
		SOURCES=(
			arch/x86/kernel/head_32.S
			arch/x86/kernel/entry_32.S
			arch/x86/kernel/setup_32.c
			arch/x86/kernel/process_32.c
			arch/x86/kernel/syscall_32.c
			arch/x86/lib/string_32.S
			arch/x86/lib/usercopy_32.S
			arch/x86/lib/div64_32.c
			"${GENERIC_SOURCES[@]}"
			arch/x86/kernel/kprobes_text_32.S
		)
		LDS=arch/x86/vmlinux_32.lds
		# The i386 headers first; the rest of asm/ is shared with x86_64.
		ARCH_INCS=(-Iarch/x86/include32 -Iarch/x86/include)
		CFLAGS=(
			-O2 -g -std=gnu11 -ffreestanding -nostdinc -fno-pic -fno-pie
			-m32 -march=i686 -mregparm=0 -mpreferred-stack-boundary=2
			-mno-sse -mno-sse2 -mno-mmx -mno-3dnow -mno-avx -mgeneral-regs-only
			-fno-omit-frame-pointer -fcf-protection=none "${COMMON_CFLAGS[@]}"
		)
		ENTRY_SYMS=(startup_32 secondary_startup_32 timer_interrupt entry_INT80
			do_syscall init_tss idt_table gdt_table)
		;;
	ppc64)
		CC=${CC_PPC64:-powerpc64-linux-gnu-gcc}
		PINNED_GCC="powerpc64-linux-gnu-gcc (Debian 12.2.0-13) 12.2.0"
		PINNED_LD="GNU ld (GNU Binutils for Debian) 2.40"
		BINUTILS_PKG=binutils-powerpc64-linux-gnu
		TOOL_PREFIX=powerpc64-linux-gnu-
		SOURCES=(
			arch/ppc64/kernel/head_64.S
			arch/ppc64/kernel/entry_64.S
			arch/ppc64/kernel/setup.c
			arch/ppc64/kernel/process.c
			arch/ppc64/kernel/syscall.c
			arch/ppc64/lib/string.S
			arch/ppc64/lib/usercopy.S
			"${GENERIC_SOURCES[@]}"
			arch/ppc64/kernel/kprobes_text.S
		)
		LDS=arch/ppc64/vmlinux.lds
		ARCH_INCS=(-Iarch/ppc64/include)
		CFLAGS=(
			-O2 -g -std=gnu11 -ffreestanding -nostdinc -fno-pic -fno-pie
			-m64 -mbig-endian -mabi=elfv1 -mcall-aixdesc -mcpu=power4 -mcmodel=medium
			-msoft-float -mno-altivec -mno-vsx -mno-multiple -mno-string
			-mtraceback=no -fno-jump-tables -Wa,-mregnames "${COMMON_CFLAGS[@]}"
		)
		ENTRY_SYMS=(startup_64 secondary_startup_64 decrementer_pSeries system_call_pSeries
			decrementer_common system_call_common do_syscall .do_syscall paca
			.__switch_to __switch_to)
		;;
	sparc64)
		CC=${CC_SPARC64:-sparc64-linux-gnu-gcc}
		PINNED_GCC="sparc64-linux-gnu-gcc (Debian 12.2.0-13) 12.2.0"
		PINNED_LD="GNU ld (GNU Binutils for Debian) 2.40"
		BINUTILS_PKG=binutils-sparc64-linux-gnu
		TOOL_PREFIX=sparc64-linux-gnu-
		SOURCES=(
			arch/sparc64/kernel/head_64.S
			arch/sparc64/kernel/entry_64.S
			arch/sparc64/kernel/setup.c
			arch/sparc64/kernel/process.c
			arch/sparc64/kernel/syscall.c
			arch/sparc64/lib/string.S
			arch/sparc64/lib/usercopy.S
			"${GENERIC_SOURCES[@]}"
			arch/sparc64/kernel/kprobes_text.S
		)
		LDS=arch/sparc64/vmlinux.lds
		ARCH_INCS=(-Iarch/sparc64/include)
		CFLAGS=(
			-O2 -g -std=gnu11 -ffreestanding -nostdinc -fno-pic -fno-pie
			-m64 -mcpu=ultrasparc -mcmodel=medlow -mno-fpu
			-ffixed-g4 -ffixed-g5 -fcall-used-g7 -Wa,--undeclared-regs -fno-jump-tables
			"${COMMON_CFLAGS[@]}"
		)
		ENTRY_SYMS=(startup_64 secondary_startup_64 sparc64_ttable_tl0 sparc64_ttable_tl1
			etrap rtrap timer_interrupt linux_sparc_syscall do_syscall trap_block
			__switch_to)
		;;
	esac
}

# --- sources, in link order (the generic part) --------------------------------
GENERIC_SOURCES=(
	kernel/main.c
	kernel/sched.c
	kernel/fork.c
	kernel/exit.c
	kernel/exec.c
	kernel/fs.c
	kernel/timer.c
	kernel/syscall.c
	kernel/printk.c
	kernel/vsprintf.c
	kernel/slab.c
	kernel/uaccess.c
	kernel/string.c
	kernel/panic.c
	kernel/kprobes_text.c
	kernel/bench.c
)

LDFLAGS_COMMON=(
	-nostdlib -static -no-pie
	-Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack
)

fail() { echo "build.sh: $*" >&2; exit 1; }

build() {
	local ARCH=$1
	config "$ARCH"
	local IMAGE="$SRC/images/vmlinux-$ARCH"
	local SUMS="$IMAGE.sha256"
	echo "== $ARCH"

	# --- toolchain -------------------------------------------------------------
	command -v "$CC" >/dev/null 2>&1 || fail "$ARCH: no compiler \"$CC\" (apt-get install gcc-${TOOL_PREFIX%-})"
	local gcc_version ld_version deb mismatch=0
	gcc_version=$("$CC" --version | head -n 1)
	ld_version=$("$CC" -print-prog-name=ld | xargs -I{} sh -c '{} --version' | head -n 1)
	echo "toolchain: $gcc_version"
	echo "toolchain: $ld_version"
	[ "$gcc_version" = "$PINNED_GCC" ] || mismatch=1
	[ "$ld_version" = "$PINNED_LD" ] || mismatch=1
	if command -v dpkg-query >/dev/null 2>&1; then
		deb=$(dpkg-query -W -f='${Version}' "$BINUTILS_PKG" 2>/dev/null || true)
		echo "toolchain: $BINUTILS_PKG package $deb"
		[ "$deb" = "$PINNED_BINUTILS_DEB" ] || mismatch=1
	fi
	WERROR=(-Werror)
	if [ "$mismatch" = 1 ]; then
		WERROR=()
		echo "build.sh: warning: toolchain differs from the pinned \"$PINNED_GCC\" /" \
			"\"$PINNED_LD\" ($BINUTILS_PKG $PINNED_BINUTILS_DEB); images/vmlinux-$ARCH will" \
			"not match the committed one" >&2
	fi

	# --- build in a temporary directory -------------------------------------------
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/kprobes-sim-vmlinux.XXXXXX")
	mkdir -p "$TMP/include/generated" "$TMP/obj"

	# The banner's build facts (include/generated/compile.h, as Linux makes it).
	local compiler
	compiler=$("$CC" -v 2>&1 | tail -n 1 | sed 's/ *$//')
	cat >"$TMP/include/generated/compile.h" <<EOH
/* Generated by build.sh. */
#define UTS_RELEASE "2.6.12-kprobes-sim"
#define UTS_VERSION "#1 SMP $(date -u -d "@$SOURCE_DATE_EPOCH" '+%a %b %e %H:%M:%S UTC %Y')"
#define LINUX_COMPILE_BY "kprobes-sim"
#define LINUX_COMPILE_HOST "localhost"
#define LINUX_COMPILER "$compiler"
EOH

	local MAPS=(-ffile-prefix-map="$SRC"=. -ffile-prefix-map="$TMP"=build)
	local INCS=(-Iinclude "${ARCH_INCS[@]}" -I"$TMP/include")
	local OBJS=() src obj
	cd "$SRC"
	for src in "${SOURCES[@]}"; do
		obj="$TMP/obj/${src//\//_}.o"
		case "$src" in
		*.S) "$CC" "${CFLAGS[@]}" "${WERROR[@]}" -D__ASSEMBLY__ "${MAPS[@]}" "${INCS[@]}" -c "$src" -o "$obj" ;;
		*.c) "$CC" "${CFLAGS[@]}" "${WERROR[@]}" "${MAPS[@]}" "${INCS[@]}" -c "$src" -o "$obj" ;;
		esac
		OBJS+=("$obj")
	done
	"$CC" "${LDFLAGS_COMMON[@]}" -Wl,-T,"$LDS" -o "$TMP/vmlinux.g" "${OBJS[@]}"
	# Line tables only (disasm's file:line headers, kernel-model/dwarf_line.ts):
	# compiled with full -g, so the code is what it always was, then every
	# other debug section dropped, which halves the image.
	"${TOOL_PREFIX}objcopy" --strip-debug --keep-section=.debug_line \
		--keep-section=.debug_line_str "$TMP/vmlinux.g" "$TMP/vmlinux"

	# --- sanity checks on the result -------------------------------------------------
	local NM=${TOOL_PREFIX}nm OBJDUMP=${TOOL_PREFIX}objdump syms s bad
	syms=$("$NM" "$TMP/vmlinux")
	for s in "${ABI_DATA[@]}" "${ENTRY_SYMS[@]}"; do
		grep -qF " $s"$'\n' <<<"$syms"$'\n' || fail "$ARCH: ABI symbol $s is missing"
	done
	for s in "${ABI_FUNCS[@]}"; do
		grep -qE " $s\$" <<<"$syms" || fail "$ARCH: ABI symbol $s is missing"
		if [ "$ARCH" = ppc64 ]; then
			grep -qE " D $s\$" <<<"$syms" || fail "$ARCH: $s is not a function descriptor in .opd"
			grep -qE " T \.$s\$" <<<"$syms" || fail "$ARCH: the code symbol .$s is missing"
		fi
	done
	# (sparc64's nameless STT_REGISTER symbols, gcc's ".register %g2,#scratch",
	# list as "U" with no name: not undefined symbols.)
	! grep -qE ' [Uuw] \S' <<<"$syms" || fail "$ARCH: undefined symbols: $(grep -E ' [Uuw] \S' <<<"$syms")"
	! grep -qE '\.(cold|part|constprop|isra)' <<<"$syms" || fail "$ARCH: gcc split or cloned a function"
	"$OBJDUMP" -d --no-show-raw-insn "$TMP/vmlinux" >"$TMP/vmlinux.dis"
	awk -F'\t' '/^ *[0-9a-f]+:\t/ { split($2, a, " "); print a[1] }' "$TMP/vmlinux.dis" |
		sort -u >"$TMP/mnemonics"
	case "$ARCH" in
	x86_64 | i386)
		# No SSE/x87/AVX, syscall/sysret, swapgs or segment-override prefixes
		# (string instructions' implicit %ds:(%rsi),%es:(%rdi) operands are not
		# overrides).
		bad=$(grep -xE 'f[a-z0-9]*|.*fence|sys(call|ret[lq]?|enter|exit)|swapgs|(cs|ds|es|ss|fs|gs)|emms|movnti|prefetch.*|ldmxcsr|stmxcsr|xsave.*|xrstor.*|v[a-z0-9]*(ps|pd|ss|sd|dq|q|d|b|w)' \
			"$TMP/mnemonics" || true)
		[ -z "$bad" ] || fail "$ARCH: forbidden instructions in the image: $(echo $bad)"
		if sed -e 's/%ds:(%[re]si)//g; s/%es:(%[re]di)//g' "$TMP/vmlinux.dis" | grep -E '%([xyz]mm[0-9]|mm[0-7]|st\b|st\(|[cdefgs]s:)' >/dev/null; then
			fail "$ARCH: SSE/x87 registers or segment overrides in the image"
		fi
		PUTNAME_CALL='call.*<putname>'
		;;
	ppc64)
		# No floating point, AltiVec/VSX, load/store multiple or string
		# instructions, and no data words in .text but the deliberate
		# illegal words (".long 0x0") after code that never returns.
		bad=$(grep -xE '(l|st)f[a-z]*|f[a-z.]*|mffs.*|mtfs.*|(lv|stv|lxv|stxv|lxs|stxs)[a-z]*|v[a-z0-9.]*|x[xsv][a-z0-9.]*|lmw|stmw|lsw[ix]|stsw[ix]|dcb[a-z]*|icbi|tlb[a-z]*|slb[a-z]*|mtsr(in)?|mfsr(in)?' \
			"$TMP/mnemonics" || true)
		[ -z "$bad" ] || fail "$ARCH: forbidden instructions in the image: $(echo $bad)"
		! grep -P '\t\.long\t(?!0x0$)' "$TMP/vmlinux.dis" >/dev/null || fail "$ARCH: data words in .text"
		PUTNAME_CALL='bl.*<\.putname>'
		;;
	sparc64)
		# No floating point or VIS (mnemonics f* but flush/flushw, %f
		# registers, %fsr, %fprs, %gsr), no software trap but the ones
		# ABI.md gives the host (5 BUG, 0x70/0x71 kprobes, 0x7e halt, 0x7f
		# hypercall) and no illtrap but the deliberate "illtrap 0".
		bad=$(grep -xE 'f[a-z0-9,]*|edge[a-z0-9]*|array[0-9]*|alignaddr[a-z]*|bmask|bshuffle|pdist|fpack[0-9]*|fexpand|fpmerge|siam' \
			"$TMP/mnemonics" | grep -vxE 'flushw?' || true)
		[ -z "$bad" ] || fail "$ARCH: forbidden instructions in the image: $(echo $bad)"
		! grep -E '%f[0-9]|%fsr|%fprs|%gsr' "$TMP/vmlinux.dis" >/dev/null || fail "$ARCH: floating-point registers in the image"
		! grep -P '\tta\s+(?!(5|0x70|0x71|0x7e|0x7f)$)\S' "$TMP/vmlinux.dis" >/dev/null || fail "$ARCH: a software trap ABI.md does not list"
		! grep -P '\tilltrap\s+(?!0$)\S' "$TMP/vmlinux.dis" >/dev/null || fail "$ARCH: data words in .text"
		PUTNAME_CALL='call.*<putname>'
		;;
	esac
	# The inlining caveat (ABI.md): putname() is inlined into do_sys_open() only.
	awk '/<\.?do_sys_open>:/,/^$/' "$TMP/vmlinux.dis" | grep "$PUTNAME_CALL" >/dev/null &&
		fail "$ARCH: putname() is no longer inlined into do_sys_open()"
	awk '/<\.?sys_execve>:/,/^$/' "$TMP/vmlinux.dis" | grep "$PUTNAME_CALL" >/dev/null ||
		fail "$ARCH: sys_execve() no longer calls putname() out of line"
	for p in "$SRC" "$TMP"; do
		! grep -qF "$p" "$TMP/vmlinux" || fail "$ARCH: the build path $p leaked into the image"
	done
	if [ "$MNEMONICS" = 1 ]; then
		echo "mnemonics: $(wc -l <"$TMP/mnemonics") distinct:" $(cat "$TMP/mnemonics")
	fi

	# --- install or compare ---------------------------------------------------------
	local sum size
	sum=$(sha256sum "$TMP/vmlinux" | cut -d' ' -f1)
	size=$(stat -c %s "$TMP/vmlinux")
	if [ "$CHECK" = 1 ]; then
		[ -f "$IMAGE" ] || fail "no committed image at images/vmlinux-$ARCH"
		cmp -s "$TMP/vmlinux" "$IMAGE" || fail "images/vmlinux-$ARCH does not match a rebuild ($sum)"
		[ "$(cut -d' ' -f1 "$SUMS")" = "$sum" ] || fail "images/vmlinux-$ARCH.sha256 is stale"
		echo "images/vmlinux-$ARCH: reproduced ($size bytes, sha256 $sum)"
	else
		if [ -f "$SUMS" ] && [ "$(cut -d' ' -f1 "$SUMS")" != "$sum" ]; then
			echo "images/vmlinux-$ARCH: changed (was $(cut -d' ' -f1 "$SUMS"))"
		fi
		mkdir -p "$SRC/images"
		install -m 644 "$TMP/vmlinux" "$IMAGE"
		echo "$sum  vmlinux-$ARCH" >"$SUMS"
		echo "images/vmlinux-$ARCH: $size bytes, sha256 $sum"
	fi
	rm -rf "$TMP"
	TMP=
}

TMP=
trap '[ -z "$TMP" ] || rm -rf "$TMP"' EXIT
PINNED_BINUTILS_DEB="2.40-2"
for arch in "${ARCHES[@]}"; do
	build "$arch"
done
