/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Kernel entry and exit (arch/x86_64/kernel/entry.S): the int 0x80 system
 * call, the timer interrupt, the way back to user or interrupted kernel
 * code (with rescheduling and kernel preemption), ret_from_fork and the
 * register half of the context switch.
 *
 * Every entry builds a Linux 2.6 x86_64 struct pt_regs (asm-offsets.h) on
 * the CPU's interrupt frame, so regs->rip...regs->ss are what the CPU pushed.
 * Exceptions (vectors 0-31) never come here: the host handles them.
 */
#include <linux/errno.h>
#include <asm/linkage.h>
#include <asm/asm-offsets.h>
#include <asm/page.h>

	.macro SAVE_ALL			/* orig_rax is already pushed */
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%rax
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	.endm

	.macro RESTORE_ALL
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
	addq	$8, %rsp		/* orig_rax */
	.endm

	/*
	 * Call \func on a 16-byte aligned stack whatever the CPU did with
	 * rsp on entry. rbx (saved in pt_regs, callee-saved in C) keeps the
	 * pt_regs address across the call.
	 */
	.macro CALL_ALIGNED func
	movq	%rsp, %rbx
	andq	$-16, %rsp
	call	\func
	movq	%rbx, %rsp
	.endm

	.macro GET_THREAD_INFO reg
	movq	%rsp, \reg
	andq	$~(THREAD_SIZE - 1), \reg
	.endm

	.text

/*
 * int $0x80 from user mode: rax = number, arguments in rdi, rsi, rdx,
 * r10, r8, r9; the result goes back in rax. An interrupt gate, so we
 * arrive with interrupts off and turn them on once pt_regs is complete.
 */
ENTRY(entry_INT80)
	pushq	%rax			/* orig_rax = system call number */
	SAVE_ALL
	movq	$-ENOSYS, RAX(%rsp)	/* the result until do_syscall() sets one */
	cld
	xorl	%ebp, %ebp		/* the frame-pointer chain ends here */
	sti
	movq	%rsp, %rdi
	CALL_ALIGNED do_syscall		/* do_syscall(struct pt_regs *regs) */
	cli
	jmp	ret_from_intr
END(entry_INT80)

/* Vector 0x20, raised by the host on every CPU HZ times a second. */
ENTRY(timer_interrupt)
	pushq	$~0x20			/* orig_rax = ~vector, as 2.6 does */
	SAVE_ALL
	cld
	testb	$3, CS(%rsp)
	jz	1f
	xorl	%ebp, %ebp		/* from user mode: end the frame chain */
1:	movq	%rsp, %rdi
	CALL_ALIGNED do_timer_interrupt	/* do_timer_interrupt(struct pt_regs *regs) */
	jmp	ret_from_intr
END(timer_interrupt)

/* The common exit: rsp = pt_regs, interrupts off. */
ENTRY(ret_from_intr)
	testb	$3, CS(%rsp)
	jz	.Lretint_kernel

	/* Back to user mode: reschedule first if asked to. */
.Lretint_user:
	GET_THREAD_INFO %rcx
	testl	$_TIF_NEED_RESCHED, TI_flags(%rcx)
	jz	.Lrestore_all
	sti
	CALL_ALIGNED schedule
	cli
	jmp	.Lretint_user

	/*
	 * Back to kernel code: with boot_params.preempt set, preempt it if
	 * a reschedule is pending, preempt_count is 0 and it ran with
	 * interrupts on (CONFIG_PREEMPT's retint_kernel).
	 */
.Lretint_kernel:
	cmpl	$0, boot_params+BP_preempt(%rip)
	je	.Lrestore_all
	GET_THREAD_INFO %rcx
	cmpl	$0, TI_preempt_count(%rcx)
	jne	.Lrestore_all
	testl	$_TIF_NEED_RESCHED, TI_flags(%rcx)
	jz	.Lrestore_all
	testl	$0x200, EFLAGS(%rsp)	/* X86_EFLAGS_IF */
	jz	.Lrestore_all
	CALL_ALIGNED preempt_schedule_irq	/* returns with interrupts off */
	jmp	.Lretint_kernel

.Lrestore_all:
	RESTORE_ALL
	iretq
END(ret_from_intr)

/*
 * A new task's first instructions. __switch_to() "returned" here with
 * rax = the task we switched from and rsp = the child's pt_regs, a copy of
 * the parent's with rax = 0: finish the switch and go to user mode.
 */
ENTRY(ret_from_fork)
	movq	%rax, %rdi
	CALL_ALIGNED schedule_tail	/* schedule_tail(prev) */
	cli
	jmp	ret_from_intr
END(ret_from_fork)

/*
 * struct task_struct *__switch_to(struct task_struct *prev,
 *				   struct task_struct *next)
 *
 * Save the callee-saved registers on prev's stack and rsp in
 * prev->thread.rsp, load next's, and return the task we came from ("last")
 * on next's stack. A task that never ran returns into ret_from_fork
 * through the frame copy_thread() built. Called with the runqueue lock
 * held and interrupts off; the C caller has already set TSS.rsp0.
 */
ENTRY(__switch_to)
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, TASK_thread_rsp(%rdi)
	movq	TASK_thread_rsp(%rsi), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	movq	%rdi, %rax
	ret
END(__switch_to)

	.section .note.GNU-stack, "", @progbits
