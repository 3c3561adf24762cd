/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Kernel entry and exit (arch/ppc64/kernel/entry.S and head.S's common
 * handlers): the system call (0xc00), the decrementer (0x900), the way
 * back to user or interrupted kernel code (with rescheduling and kernel
 * preemption), ret_from_fork and the register half of the context switch.
 *
 * Every entry saves a Linux 2.6 ppc64 struct pt_regs in an interrupt
 * frame: at the top of the kernel stack for an entry from user mode
 * (back chain 0), else below the interrupted code's 288-byte red zone
 * (back chain = its r1). Every register is restored on the way out
 * except r3 and CR0.SO after a system call.
 */
#include <linux/errno.h>
#include <asm/linkage.h>
#include <asm/asm-offsets.h>
#include <asm/page.h>

	/*
	 * After EXCEPTION_PROLOG (r13 = PACA, r9-r13 in the PACA, r11 =
	 * vector): find the stack, save everything, load the kernel TOC,
	 * r3 = the pt_regs.
	 */
	.macro EXCEPTION_COMMON
	mfcr	r9
	mfsrr1	r12
	andi.	r10, r12, MSR_PR
	mr	r10, r1
	beq	1f
	ld	r1, PACA_KSTACK(r13)		/* from user: the top of the kernel stack */
	addi	r1, r1, -INT_FRAME_USER
	std	r0, GPR(0)(r1)
	li	r0, 0
	std	r0, 0(r1)			/* the back chain ends here */
	b	2f
1:	addi	r1, r1, -INT_FRAME_KERNEL	/* from kernel: below its red zone */
	std	r0, GPR(0)(r1)
	std	r10, 0(r1)			/* back chain: the interrupted frame */
2:	std	r10, GPR(1)(r1)
	std	r2, GPR(2)(r1)
	std	r3, GPR(3)(r1)
	std	r4, GPR(4)(r1)
	std	r5, GPR(5)(r1)
	std	r6, GPR(6)(r1)
	std	r7, GPR(7)(r1)
	std	r8, GPR(8)(r1)
	std	r11, _TRAP(r1)
	ld	r0, PACA_EX_R9(r13)
	std	r0, GPR(9)(r1)
	ld	r0, PACA_EX_R10(r13)
	std	r0, GPR(10)(r1)
	ld	r0, PACA_EX_R11(r13)
	std	r0, GPR(11)(r1)
	ld	r0, PACA_EX_R12(r13)
	std	r0, GPR(12)(r1)
	ld	r0, PACA_EX_R13(r13)
	std	r0, GPR(13)(r1)
	std	r14, GPR(14)(r1)
	std	r15, GPR(15)(r1)
	std	r16, GPR(16)(r1)
	std	r17, GPR(17)(r1)
	std	r18, GPR(18)(r1)
	std	r19, GPR(19)(r1)
	std	r20, GPR(20)(r1)
	std	r21, GPR(21)(r1)
	std	r22, GPR(22)(r1)
	std	r23, GPR(23)(r1)
	std	r24, GPR(24)(r1)
	std	r25, GPR(25)(r1)
	std	r26, GPR(26)(r1)
	std	r27, GPR(27)(r1)
	std	r28, GPR(28)(r1)
	std	r29, GPR(29)(r1)
	std	r30, GPR(30)(r1)
	std	r31, GPR(31)(r1)
	std	r9, _CCR(r1)
	mflr	r0
	std	r0, _LINK(r1)
	mfctr	r0
	std	r0, _CTR(r1)
	mfxer	r0
	std	r0, _XER(r1)
	mfsrr0	r0
	std	r0, _NIP(r1)
	std	r12, _MSR(r1)
	std	r3, ORIG_GPR3(r1)
	li	r0, 0
	std	r0, _SOFTE(r1)
	std	r0, _DAR(r1)
	std	r0, _DSISR(r1)
	std	r0, RESULT(r1)
	ld	r2, PACA_TOC(r13)
	addi	r3, r1, STACK_FRAME_OVERHEAD
	.endm

	.macro ENABLE_INTS
	mfmsr	r10
	ori	r10, r10, MSR_EE
	mtmsrd	r10, 1
	.endm

	.macro DISABLE_INTS
	mfmsr	r10
	rldicl	r10, r10, 48, 1		/* rotate EE (bit 48) to the top and clear it */
	rotldi	r10, r10, 16
	mtmsrd	r10, 1
	.endm

	.text

/*
 * sc from user mode (vector 0xc00): r0 = number, arguments in r3-r8;
 * do_syscall() stores the result in regs->gpr[3] and sets CR0.SO in
 * regs->ccr when it is an error.
 */
ENTRY(system_call_common)
	EXCEPTION_COMMON
	ENABLE_INTS
	bl	.do_syscall		/* do_syscall(struct pt_regs *regs) */
	DISABLE_INTS
	b	ret_from_except
END(system_call_common)

/* Vector 0x900, raised by the host on every CPU HZ times a second. */
ENTRY(decrementer_common)
	EXCEPTION_COMMON
	bl	.do_timer_interrupt	/* do_timer_interrupt(struct pt_regs *regs) */
	b	ret_from_except
END(decrementer_common)

/* The common exit: r1 = the interrupt frame, interrupts off. */
ENTRY(ret_from_except)
	ld	r3, _MSR(r1)
	andi.	r0, r3, MSR_PR
	beq	.Lresume_kernel

	/* Back to user mode: reschedule first if asked to. */
	clrrdi	r9, r1, THREAD_SHIFT
	lwz	r4, TI_flags(r9)
	andi.	r0, r4, _TIF_NEED_RESCHED
	beq	.Lrestore
	ENABLE_INTS
	bl	.schedule
	DISABLE_INTS
	b	ret_from_except

	/*
	 * Back to kernel code: with boot_params.preempt set, preempt it if
	 * a reschedule is pending, preempt_count is 0 and it ran with
	 * interrupts on (CONFIG_PREEMPT's resume_kernel).
	 */
.Lresume_kernel:
	LOAD_REG_IMMEDIATE(r4, boot_params)
	lwz	r4, BP_preempt(r4)
	cmpwi	r4, 0
	beq	.Lrestore
	clrrdi	r9, r1, THREAD_SHIFT
	lwz	r4, TI_preempt_count(r9)
	cmpwi	r4, 0
	bne	.Lrestore
	lwz	r4, TI_flags(r9)
	andi.	r0, r4, _TIF_NEED_RESCHED
	beq	.Lrestore
	andi.	r0, r3, MSR_EE
	beq	.Lrestore
	bl	.preempt_schedule_irq	/* returns with interrupts off */
	b	ret_from_except

.Lrestore:
	ld	r0, _CCR(r1)
	mtcr	r0
	ld	r0, _LINK(r1)
	mtlr	r0
	ld	r0, _CTR(r1)
	mtctr	r0
	ld	r0, _XER(r1)
	mtxer	r0
	ld	r2, GPR(2)(r1)
	ld	r3, GPR(3)(r1)
	ld	r4, GPR(4)(r1)
	ld	r5, GPR(5)(r1)
	ld	r6, GPR(6)(r1)
	ld	r7, GPR(7)(r1)
	ld	r8, GPR(8)(r1)
	ld	r9, GPR(9)(r1)
	ld	r10, GPR(10)(r1)
	ld	r11, GPR(11)(r1)
	ld	r12, GPR(12)(r1)
	ld	r13, GPR(13)(r1)
	ld	r14, GPR(14)(r1)
	ld	r15, GPR(15)(r1)
	ld	r16, GPR(16)(r1)
	ld	r17, GPR(17)(r1)
	ld	r18, GPR(18)(r1)
	ld	r19, GPR(19)(r1)
	ld	r20, GPR(20)(r1)
	ld	r21, GPR(21)(r1)
	ld	r22, GPR(22)(r1)
	ld	r23, GPR(23)(r1)
	ld	r24, GPR(24)(r1)
	ld	r25, GPR(25)(r1)
	ld	r26, GPR(26)(r1)
	ld	r27, GPR(27)(r1)
	ld	r28, GPR(28)(r1)
	ld	r29, GPR(29)(r1)
	ld	r30, GPR(30)(r1)
	ld	r31, GPR(31)(r1)
	ld	r0, _NIP(r1)
	mtsrr0	r0
	ld	r0, _MSR(r1)
	mtsrr1	r0
	ld	r0, GPR(0)(r1)
	ld	r1, GPR(1)(r1)
	rfid
END(ret_from_except)

/*
 * A new task's first instructions. __switch_to() "returned" here with
 * r3 = the task we switched from and r1 = the interrupt frame above the
 * child's pt_regs, a copy of the parent's with r3 = 0: finish the switch
 * and go to user mode.
 */
ENTRY(ret_from_fork)
	bl	.schedule_tail		/* schedule_tail(prev) */
	DISABLE_INTS
	b	ret_from_except
END(ret_from_fork)

/*
 * struct task_struct *__switch_to(struct task_struct *prev,
 *				   struct task_struct *next)
 *
 * Save the non-volatile registers (r14-r31, CR) and LR in a switch
 * frame on prev's stack and r1 in prev->thread.ksp, load next's, and
 * return the task we came from ("last", r3) on next's stack. A task
 * that never ran "returns" into ret_from_fork through the frames
 * copy_thread() built. Called with the runqueue lock held and interrupts
 * off; the C caller has already set its PACA's kstack.
 */
#define SWITCH_FRAME_SIZE	(STACK_FRAME_OVERHEAD + 19 * 8 + 8)	/* r14-r31, CR, pad */
_GLOBAL(__switch_to)
	mflr	r0
	std	r0, 16(r1)
	stdu	r1, -SWITCH_FRAME_SIZE(r1)
	std	r14, STACK_FRAME_OVERHEAD + 0(r1)
	std	r15, STACK_FRAME_OVERHEAD + 8(r1)
	std	r16, STACK_FRAME_OVERHEAD + 16(r1)
	std	r17, STACK_FRAME_OVERHEAD + 24(r1)
	std	r18, STACK_FRAME_OVERHEAD + 32(r1)
	std	r19, STACK_FRAME_OVERHEAD + 40(r1)
	std	r20, STACK_FRAME_OVERHEAD + 48(r1)
	std	r21, STACK_FRAME_OVERHEAD + 56(r1)
	std	r22, STACK_FRAME_OVERHEAD + 64(r1)
	std	r23, STACK_FRAME_OVERHEAD + 72(r1)
	std	r24, STACK_FRAME_OVERHEAD + 80(r1)
	std	r25, STACK_FRAME_OVERHEAD + 88(r1)
	std	r26, STACK_FRAME_OVERHEAD + 96(r1)
	std	r27, STACK_FRAME_OVERHEAD + 104(r1)
	std	r28, STACK_FRAME_OVERHEAD + 112(r1)
	std	r29, STACK_FRAME_OVERHEAD + 120(r1)
	std	r30, STACK_FRAME_OVERHEAD + 128(r1)
	std	r31, STACK_FRAME_OVERHEAD + 136(r1)
	mfcr	r0
	std	r0, STACK_FRAME_OVERHEAD + 144(r1)
	std	r1, TASK_thread_ksp(r3)
	ld	r1, TASK_thread_ksp(r4)
	ld	r14, STACK_FRAME_OVERHEAD + 0(r1)
	ld	r15, STACK_FRAME_OVERHEAD + 8(r1)
	ld	r16, STACK_FRAME_OVERHEAD + 16(r1)
	ld	r17, STACK_FRAME_OVERHEAD + 24(r1)
	ld	r18, STACK_FRAME_OVERHEAD + 32(r1)
	ld	r19, STACK_FRAME_OVERHEAD + 40(r1)
	ld	r20, STACK_FRAME_OVERHEAD + 48(r1)
	ld	r21, STACK_FRAME_OVERHEAD + 56(r1)
	ld	r22, STACK_FRAME_OVERHEAD + 64(r1)
	ld	r23, STACK_FRAME_OVERHEAD + 72(r1)
	ld	r24, STACK_FRAME_OVERHEAD + 80(r1)
	ld	r25, STACK_FRAME_OVERHEAD + 88(r1)
	ld	r26, STACK_FRAME_OVERHEAD + 96(r1)
	ld	r27, STACK_FRAME_OVERHEAD + 104(r1)
	ld	r28, STACK_FRAME_OVERHEAD + 112(r1)
	ld	r29, STACK_FRAME_OVERHEAD + 120(r1)
	ld	r30, STACK_FRAME_OVERHEAD + 128(r1)
	ld	r31, STACK_FRAME_OVERHEAD + 136(r1)
	ld	r0, STACK_FRAME_OVERHEAD + 144(r1)
	mtcr	r0
	addi	r1, r1, SWITCH_FRAME_SIZE
	ld	r0, 16(r1)
	mtlr	r0
	blr				/* r3 = prev */
_END(__switch_to)

	.section .note.GNU-stack, "", @progbits
