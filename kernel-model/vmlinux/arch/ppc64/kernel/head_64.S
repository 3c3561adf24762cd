/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * The first 0x1000 bytes of the image (arch/ppc64/kernel/head.S): the
 * entry points and the interrupt vectors, at KERNEL_BASE + offset.
 *
 * The host starts every CPU in 64-bit mode (MSR = SF | ME: supervisor,
 * interrupts off), r1 = 0: CPU 0 at startup_64 (KERNEL_BASE + 0, the
 * ELF entry), CPU n at secondary_startup_64 (KERNEL_BASE + 0x60) with
 * r3 = n. The host delivers the decrementer (0x900) and system calls
 * (0xc00) here, with SRR0/SRR1 set as the ISA says; every other
 * interrupt stops the interpreter and goes to the host, so the other
 * vectors hold zero words (illegal instructions).
 */
#include <linux/threads.h>
#include <asm/linkage.h>
#include <asm/page.h>
#include <asm/asm-offsets.h>

	.section .head.text, "ax"

ENTRY(startup_64)
	b	.Lstart_cpu0
END(startup_64)

	. = 0x60
ENTRY(secondary_startup_64)
	b	.Lstart_secondary
END(secondary_startup_64)

/*
 * The prologue of both vectors: r13 is the only free register until the
 * PACA (SPRG3) has room for r9-r13; r11 = the vector. SRR0/SRR1 hold the
 * interrupted nip and msr.
 */
	.macro EXCEPTION_PROLOG vector
	mtsprg	1, r13
	mfsprg	r13, 3
	std	r9, PACA_EX_R9(r13)
	std	r10, PACA_EX_R10(r13)
	std	r11, PACA_EX_R11(r13)
	std	r12, PACA_EX_R12(r13)
	mfsprg	r9, 1
	std	r9, PACA_EX_R13(r13)
	li	r11, \vector
	.endm

	. = 0x900
ENTRY(decrementer_pSeries)
	EXCEPTION_PROLOG 0x900
	b	decrementer_common
END(decrementer_pSeries)

	. = 0xc00
ENTRY(system_call_pSeries)
	EXCEPTION_PROLOG 0xc00
	b	system_call_common
END(system_call_pSeries)

	. = 0x1000

/*
 * CPU 0: the kernel TOC from start_kernel's descriptor, swapper's stack
 * with a terminating back chain, this CPU's PACA, then C.
 */
.Lstart_cpu0:
	LOAD_REG_IMMEDIATE(r12, start_kernel)
	ld	r2, 8(r12)
	LOAD_REG_IMMEDIATE(r1, init_thread_union + THREAD_SIZE - STACK_FRAME_OVERHEAD)
	li	r0, 0
	std	r0, 0(r1)
	li	r3, 0
	bl	.setup_paca		/* setup_paca(0): SPRG3 = &paca[0] */
	bl	.start_kernel
	.long	0			/* start_kernel() never returns */

/* CPU n (r3): wait for CPU 0 to create our idle task, then the same. */
.Lstart_secondary:
	mr	r31, r3
	LOAD_REG_IMMEDIATE(r12, start_kernel)
	ld	r2, 8(r12)
	LOAD_REG_IMMEDIATE(r4, smp_boot_done)
1:	or	1, 1, 1			/* HMT_low: spin politely */
	lwz	r5, 0(r4)
	cmpwi	r5, 0
	beq	1b
	or	2, 2, 2			/* HMT_medium */
	isync
	LOAD_REG_IMMEDIATE(r4, idle_stack_top)
	sldi	r5, r31, 3
	ldx	r1, r4, r5
	addi	r1, r1, -STACK_FRAME_OVERHEAD
	li	r0, 0
	std	r0, 0(r1)
	mr	r3, r31
	bl	.setup_paca		/* setup_paca(cpu) */
	mr	r3, r31
	bl	.start_secondary	/* start_secondary(cpu) */
	.long	0

	.section .note.GNU-stack, "", @progbits
