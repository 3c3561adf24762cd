/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * The first 0x6000 bytes of the image (arch/sparc64/kernel/head.S and
 * ttable.S): the trap table at KERNEL_BASE, which is %tba (32 KiB
 * aligned). A trap at TL 0 vectors to %tba + TT * 32, one at TL > 0 to
 * %tba + 0x4000 + TT * 32 (SPARC V9 7.5). The host raises only the window
 * traps (spill, fill, clean_window), the timer (interrupt level 14) and
 * the system call ("ta 0x6d") here; every other trap stops the
 * interpreter and goes to the host, so the other slots hold zero words
 * (illtrap 0). Only window traps can happen at TL > 0 (in etrap and
 * rtrap), so the TL 1 half of the table ends after the fill vectors.
 *
 * The host starts every CPU at TL 0 in privileged mode with interrupts
 * off: CPU 0 at startup_64 (KERNEL_BASE + 0, the ELF entry), CPU n at
 * secondary_startup_64 (KERNEL_BASE + 0x60) with %o0 = n. Those are the
 * slots of trap types 0 and 3 (reserved and the reset traps, which a V9
 * CPU never takes through %tba).
 */
#include <linux/threads.h>
#include <asm/linkage.h>
#include <asm/page.h>
#include <asm/asm-offsets.h>
#include <asm/hypercall.h>

	.section .head.text, "ax"

/* Vector slot of trap type tt in the TL 0 (tl = 0) or TL > 0 (tl = 1) table. */
#define TT(tl, tt)	((tl) * 0x4000 + (tt) * 32)

/*
 * spill_N: store the window's locals and ins in its save area at %sp +
 * STACK_BIAS, then "saved; retry". Kernel windows use plain stores, user
 * windows ASI_AIUS (as if user) stores through %asi, which retry restores.
 */
	.macro SPILL_WINDOW st, asi
	\st	%l0, [%sp + STACK_BIAS + 0x00] \asi
	\st	%l1, [%sp + STACK_BIAS + 0x08] \asi
	\st	%l2, [%sp + STACK_BIAS + 0x10] \asi
	\st	%l3, [%sp + STACK_BIAS + 0x18] \asi
	\st	%l4, [%sp + STACK_BIAS + 0x20] \asi
	\st	%l5, [%sp + STACK_BIAS + 0x28] \asi
	\st	%l6, [%sp + STACK_BIAS + 0x30] \asi
	\st	%l7, [%sp + STACK_BIAS + 0x38] \asi
	\st	%i0, [%sp + STACK_BIAS + 0x40] \asi
	\st	%i1, [%sp + STACK_BIAS + 0x48] \asi
	\st	%i2, [%sp + STACK_BIAS + 0x50] \asi
	\st	%i3, [%sp + STACK_BIAS + 0x58] \asi
	\st	%i4, [%sp + STACK_BIAS + 0x60] \asi
	\st	%i5, [%sp + STACK_BIAS + 0x68] \asi
	\st	%i6, [%sp + STACK_BIAS + 0x70] \asi
	\st	%i7, [%sp + STACK_BIAS + 0x78] \asi
	saved
	retry
	.endm

	.macro FILL_WINDOW ld, asi
	\ld	[%sp + STACK_BIAS + 0x00] \asi, %l0
	\ld	[%sp + STACK_BIAS + 0x08] \asi, %l1
	\ld	[%sp + STACK_BIAS + 0x10] \asi, %l2
	\ld	[%sp + STACK_BIAS + 0x18] \asi, %l3
	\ld	[%sp + STACK_BIAS + 0x20] \asi, %l4
	\ld	[%sp + STACK_BIAS + 0x28] \asi, %l5
	\ld	[%sp + STACK_BIAS + 0x30] \asi, %l6
	\ld	[%sp + STACK_BIAS + 0x38] \asi, %l7
	\ld	[%sp + STACK_BIAS + 0x40] \asi, %i0
	\ld	[%sp + STACK_BIAS + 0x48] \asi, %i1
	\ld	[%sp + STACK_BIAS + 0x50] \asi, %i2
	\ld	[%sp + STACK_BIAS + 0x58] \asi, %i3
	\ld	[%sp + STACK_BIAS + 0x60] \asi, %i4
	\ld	[%sp + STACK_BIAS + 0x68] \asi, %i5
	\ld	[%sp + STACK_BIAS + 0x70] \asi, %i6
	\ld	[%sp + STACK_BIAS + 0x78] \asi, %i7
	restored
	retry
	.endm

	.macro SPILL_KERNEL
	SPILL_WINDOW stx
	.endm

	.macro SPILL_USER
	wr	%g0, ASI_AIUS, %asi
	SPILL_WINDOW stxa, %asi
	.endm

	.macro FILL_KERNEL
	FILL_WINDOW ldx
	.endm

	.macro FILL_USER
	wr	%g0, ASI_AIUS, %asi
	FILL_WINDOW ldxa, %asi
	.endm

/*
 * clean_window (only if the host ever finds CLEANWIN = CANRESTORE; the
 * kernel keeps CLEANWIN at NWINDOWS - 1): zero the new window, count it
 * clean, and retry the save.
 */
	.macro CLEAN_WINDOW
	clr	%o0
	clr	%o1
	clr	%o2
	clr	%o3
	clr	%o4
	clr	%o5
	clr	%o6
	clr	%o7
	clr	%l1
	clr	%l2
	clr	%l3
	clr	%l4
	clr	%l5
	clr	%l6
	clr	%l7
	rdpr	%cleanwin, %l0
	inc	%l0
	wrpr	%l0, 0, %cleanwin
	clr	%l0
	retry
	.endm

/* Both halves of the table share the window vectors. */
	.macro WINDOW_VECTORS tl
	. = TT(\tl, 0x080)		/* spill_0_normal: kernel windows */
	SPILL_KERNEL
	. = TT(\tl, 0x084)		/* spill_1_normal: user windows (in user mode) */
	SPILL_USER
	. = TT(\tl, 0x0a4)		/* spill_1_other: user windows seen from the kernel */
	SPILL_USER
	. = TT(\tl, 0x0c0)		/* fill_0_normal */
	FILL_KERNEL
	. = TT(\tl, 0x0c4)		/* fill_1_normal */
	FILL_USER
	. = TT(\tl, 0x0e4)		/* fill_1_other */
	FILL_USER
	.endm

	.globl	sparc64_ttable_tl0
sparc64_ttable_tl0:

ENTRY(startup_64)			/* TT 0x000 */
	ba,pt	%xcc, .Lstart_cpu0
	 nop
END(startup_64)

	. = TT(0, 0x003)		/* + 0x60 */
ENTRY(secondary_startup_64)
	ba,pt	%xcc, .Lstart_secondary
	 mov	%o0, %g4		/* the CPU number (%l0 would not survive CPU_SETUP's %cwp) */
END(secondary_startup_64)

	. = TT(0, 0x024)		/* clean_window, 4 slots */
	CLEAN_WINDOW

	. = TT(0, 0x04e)		/* interrupt_level_14: the tick (SOFTINT.TICK_INT) */
	ba,pt	%xcc, timer_interrupt
	 nop

	WINDOW_VECTORS 0

	. = TT(0, 0x100 + TRAP_SYSCALL)	/* ta 0x6d: Linux/sparc64's 64-bit system call */
	ba,pt	%xcc, linux_sparc_syscall
	 nop

	. = TT(1, 0)
	.globl	sparc64_ttable_tl1
sparc64_ttable_tl1:
	. = TT(1, 0x024)
	CLEAN_WINDOW
	WINDOW_VECTORS 1
	. = TT(1, 0x100)

/*
 * Both boot paths: trap table, register windows (all free, WSTATE for a
 * kernel that came from user mode: spill/fill 0 for its own windows, 1 for
 * "other" ones), interrupts masked by %pil.
 */
	.macro CPU_SETUP
	wrpr	%g0, 0, %tl
	wrpr	%g0, PIL_DISABLED, %pil
	wrpr	%g0, PSTATE_KERNEL, %pstate	/* IE on: from here %pil alone masks the tick */
	sethi	%hi(sparc64_ttable_tl0), %g1
	wrpr	%g1, %lo(sparc64_ttable_tl0), %tba
	wrpr	%g0, 0, %cwp
	wrpr	%g0, NWINDOWS - 2, %cansave
	wrpr	%g0, 0, %canrestore
	wrpr	%g0, 0, %otherwin
	wrpr	%g0, NWINDOWS - 1, %cleanwin
	wrpr	%g0, WSTATE_KERNEL_FROM_USER, %wstate
	.endm

/* CPU 0: swapper's stack, the end of the frame chain, this CPU's trap block, then C. */
.Lstart_cpu0:
	CPU_SETUP
	sethi	%hi(init_thread_union + THREAD_SIZE - STACKFRAME_SZ - STACK_BIAS), %g1
	or	%g1, %lo(init_thread_union + THREAD_SIZE - STACKFRAME_SZ - STACK_BIAS), %sp
	clr	%fp
	clr	%i7
	call	setup_trap_block	/* setup_trap_block(0) */
	 clr	%o0
	call	start_kernel		/* never returns */
	 nop
	illtrap	0

/* CPU n (%g4): wait for CPU 0 to create our idle task, then the same. */
.Lstart_secondary:
	CPU_SETUP
	sethi	%hi(smp_boot_done), %g1
1:	rd	%ccr, %g0		/* cpu_relax() */
	lduw	[%g1 + %lo(smp_boot_done)], %g2
	brz,pt	%g2, 1b
	 nop
	membar	#LoadLoad
	sethi	%hi(idle_stack_top), %g1
	or	%g1, %lo(idle_stack_top), %g1
	mov	%g4, %l0
	sllx	%l0, 3, %g2
	ldx	[%g1 + %g2], %g1
	sub	%g1, STACKFRAME_SZ + STACK_BIAS, %sp
	clr	%fp
	clr	%i7
	call	setup_trap_block	/* setup_trap_block(cpu) */
	 mov	%l0, %o0
	call	start_secondary		/* start_secondary(cpu) */
	 mov	%l0, %o0
	illtrap	0

	.section .note.GNU-stack, "", @progbits
