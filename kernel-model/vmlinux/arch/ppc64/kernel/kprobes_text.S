/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * The ppc64 half of .kprobes.text (ABI.md, ppc64) and the instruction-slot
 * area. The host refuses probes in [__kprobes_text_start,
 * __kprobes_text_end). These are plain code labels (no descriptors): the
 * host jumps to them, no C code calls them.
 */
#include <asm/linkage.h>
#include <asm/asm-offsets.h>
#include <asm/hypercall.h>
#include <asm/page.h>

	.section .kprobes.text, "ax"

/* The return address (LR) of every host -> guest call: the CPU waits here. */
ENTRY(host_call_return)
	.machine push
	.machine power9
	wait
	.machine pop
END(host_call_return)

/*
 * A kretprobed function returns here. The host keeps a kprobe on the nop;
 * its handler sends the CPU to the real return address, so the illegal
 * word after it is never reached.
 */
ENTRY(kretprobe_trampoline)
	nop
	.long	0
END(kretprobe_trampoline)

/*
 * A jprobe hit sends the CPU here with the probed function's registers
 * and stack: the host runs the TypeScript handler at the sc 1 (r0 = 2,
 * so r3-r10 still hold the arguments), and the trap is its
 * jprobe_return(), which restores the saved state.
 */
ENTRY(jprobe_trampoline)
	li	r0, HC_JPROBE
	sc	1
	trap
END(jprobe_trampoline)

/*
 * void oops_do_exit(long signr): the end of an Oops. The host jumps here
 * with r1 anywhere inside (or at the top of) the dying task's kernel
 * stack and r3 = signr; r2 may be anything.
 */
ENTRY(oops_do_exit)
	mr	r31, r3
	addi	r4, r1, -1		/* a byte inside the stack, even if r1 is its top */
	clrrdi	r4, r4, THREAD_SHIFT
	li	r0, 0
	stw	r0, TI_preempt_count(r4)
	clrrdi	r1, r1, 4
	stdu	r0, -(STACK_FRAME_OVERHEAD + USER_REDZONE_SIZE)(r1)	/* back chain 0: a fresh stack */
	LOAD_REG_IMMEDIATE(r12, do_exit)
	ld	r2, 8(r12)		/* the kernel TOC */
	mfmsr	r5
	ori	r5, r5, MSR_EE
	mtmsrd	r5, 1
	mr	r3, r31
	bl	.do_exit		/* never returns */
	.long	0
END(oops_do_exit)

/* Kprobes' instruction slots: 8 KiB of trap words, page aligned by the linker script. */
	.section .insn_slots, "ax", @progbits
	.fill	2048, 4, 0x7fe00008

	.section .note.GNU-stack, "", @progbits
