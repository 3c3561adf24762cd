/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Kernel entry and exit (arch/i386/kernel/entry.S): the int 0x80 system
 * call, the timer interrupt, the way back to user or interrupted kernel
 * code (with rescheduling and kernel preemption), ret_from_fork and the
 * register half of the context switch.
 *
 * Every entry builds a Linux 2.6 i386 struct pt_regs (asm-offsets.h) on
 * the CPU's interrupt frame, so regs->eip... are what the CPU pushed
 * (regs->esp and regs->xss only for entries from user mode). Exceptions
 * (vectors 0-31) never come here: the host handles them. C functions
 * take their arguments on the stack (-mregparm=0).
 */
#include <linux/errno.h>
#include <asm/linkage.h>
#include <asm/asm-offsets.h>
#include <asm/page.h>
#include <asm/segment.h>

	/* orig_eax is already pushed. The kernel runs with ds = es = __USER_DS. */
	.macro SAVE_ALL
	cld
	pushl	%es
	pushl	%ds
	pushl	%eax
	pushl	%ebp
	pushl	%edi
	pushl	%esi
	pushl	%edx
	pushl	%ecx
	pushl	%ebx
	movl	$__USER_DS, %edx
	movl	%edx, %ds
	movl	%edx, %es
	.endm

	.macro RESTORE_ALL
	popl	%ebx
	popl	%ecx
	popl	%edx
	popl	%esi
	popl	%edi
	popl	%ebp
	popl	%eax
	popl	%ds
	popl	%es
	addl	$4, %esp		/* orig_eax */
	.endm

	.macro GET_THREAD_INFO reg
	movl	$-THREAD_SIZE, \reg
	andl	%esp, \reg
	.endm

	.text

/*
 * int $0x80 from user mode: eax = number, arguments in ebx, ecx, edx,
 * esi, edi, ebp; the result goes back in eax. An interrupt gate, so we
 * arrive with interrupts off and turn them on once pt_regs is complete.
 */
ENTRY(entry_INT80)
	pushl	%eax			/* orig_eax = system call number */
	SAVE_ALL
	movl	$-ENOSYS, EAX(%esp)	/* the result until do_syscall() sets one */
	xorl	%ebp, %ebp		/* the frame-pointer chain ends here */
	sti
	movl	%esp, %eax
	pushl	%eax
	call	do_syscall		/* do_syscall(struct pt_regs *regs) */
	addl	$4, %esp
	cli
	jmp	ret_from_intr
END(entry_INT80)

/* Vector 0x20, raised by the host on every CPU HZ times a second. */
ENTRY(timer_interrupt)
	pushl	$~0x20			/* orig_eax = ~vector, as 2.6 does */
	SAVE_ALL
	testb	$3, XCS(%esp)
	jz	1f
	xorl	%ebp, %ebp		/* from user mode: end the frame chain */
1:	movl	%esp, %eax
	pushl	%eax
	call	do_timer_interrupt	/* do_timer_interrupt(struct pt_regs *regs) */
	addl	$4, %esp
	jmp	ret_from_intr
END(timer_interrupt)

/* The common exit: esp = pt_regs, interrupts off. */
ENTRY(ret_from_intr)
	testb	$3, XCS(%esp)
	jz	.Lretint_kernel

	/* Back to user mode: reschedule first if asked to. */
.Lretint_user:
	GET_THREAD_INFO %ecx
	testl	$_TIF_NEED_RESCHED, TI_flags(%ecx)
	jz	.Lrestore_all
	sti
	call	schedule
	cli
	jmp	.Lretint_user

	/*
	 * Back to kernel code: with boot_params.preempt set, preempt it if
	 * a reschedule is pending, preempt_count is 0 and it ran with
	 * interrupts on (CONFIG_PREEMPT's resume_kernel).
	 */
.Lretint_kernel:
	cmpl	$0, boot_params+BP_preempt
	je	.Lrestore_all
	GET_THREAD_INFO %ecx
	cmpl	$0, TI_preempt_count(%ecx)
	jne	.Lrestore_all
	testl	$_TIF_NEED_RESCHED, TI_flags(%ecx)
	jz	.Lrestore_all
	testl	$0x200, EFLAGS(%esp)	/* X86_EFLAGS_IF */
	jz	.Lrestore_all
	call	preempt_schedule_irq	/* returns with interrupts off */
	jmp	.Lretint_kernel

.Lrestore_all:
	RESTORE_ALL
	iret
END(ret_from_intr)

/*
 * A new task's first instructions. __switch_to() "returned" here with
 * eax = the task we switched from and esp = the child's pt_regs, a copy
 * of the parent's with eax = 0: finish the switch and go to user mode.
 */
ENTRY(ret_from_fork)
	pushl	%eax
	call	schedule_tail		/* schedule_tail(prev) */
	addl	$4, %esp
	cli
	jmp	ret_from_intr
END(ret_from_fork)

/*
 * struct task_struct *__switch_to(struct task_struct *prev,
 *				   struct task_struct *next)
 *
 * Save the callee-saved registers on prev's stack and esp in
 * prev->thread.esp, load next's, and return the task we came from ("last")
 * on next's stack. A task that never ran returns into ret_from_fork
 * through the frame copy_thread() built. Called with the runqueue lock
 * held and interrupts off; the C caller has already set TSS.esp0.
 */
ENTRY(__switch_to)
	movl	4(%esp), %eax		/* prev */
	movl	8(%esp), %edx		/* next */
	pushl	%ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	movl	%esp, TASK_thread_esp(%eax)
	movl	TASK_thread_esp(%edx), %esp
	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret				/* eax = prev */
END(__switch_to)

	.section .note.GNU-stack, "", @progbits
