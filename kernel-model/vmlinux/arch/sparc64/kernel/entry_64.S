/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Kernel entry and exit (Linux/sparc64's etrap.S, rtrap.S, entry.S and
 * syscalls.S, our own code): the system call ("ta 0x6d"), the tick
 * (interrupt level 14), the way back to user or interrupted kernel code
 * (with rescheduling and kernel preemption), ret_from_fork and the
 * register-window half of the context switch.
 *
 * Every entry goes through etrap, which opens a register window on the
 * kernel stack and saves Linux 2.6 sparc64's struct pt_regs above its
 * 192-byte frame (at %sp + PTREGS_OFF): for a trap from user mode at the
 * top of the kernel stack (the user's windows become "other" windows,
 * spilled to the user stack through ASI_AIUS), else right below the
 * interrupted code's %sp. rtrap restores every register but the ones a
 * system call returns (%o0 and the carry bits).
 */
#include <linux/errno.h>
#include <asm/linkage.h>
#include <asm/asm-offsets.h>
#include <asm/page.h>
#include <asm/hypercall.h>

	.text

/*
 * From a vector at TL 1 with the alternate globals and %g7 = the address
 * of the instruction before the one to continue at (the vector's delay
 * slot). Leaves a new window whose %sp is the trap frame (pt_regs filled
 * in; tstate carries the interrupted %pil in bits 23:20, as Linux's
 * etrap does), TL 0, the normal globals, PSTATE.IE still off.
 */
ENTRY(etrap)
	rdpr	%tstate, %g1
	rdpr	%tpc, %g2
	rdpr	%tnpc, %g3
	rdpr	%pil, %g4
	sllx	%g4, TSTATE_PIL_SHIFT, %g4
	or	%g1, %g4, %g1
	andcc	%g1, TSTATE_PRIV, %g0
	bne,pn	%xcc, 1f
	 sub	%sp, TRAP_FRAME_SZ, %g5		/* from kernel: right below its frame */
	/*
	 * From user mode: the top of this CPU's kernel stack. The save comes
	 * first (it may spill a user window: WSTATE is still the user's), so
	 * that the user's windows moved to OTHERWIN include the trapped one,
	 * which the save has just made restorable: rtrap gives them all back.
	 */
	ldxa	[%g0] ASI_SCRATCHPAD, %g5	/* the trap block */
	ldx	[%g5 + TB_KSTACK], %g5
	sub	%g5, TRAP_FRAME_SZ + STACK_BIAS, %g5
	save	%g5, %g0, %sp			/* may spill: TL 1 window vectors */
	rdpr	%canrestore, %g4		/* the user's windows are "other" now */
	wrpr	%g4, 0, %otherwin
	wrpr	%g0, 0, %canrestore
	ba,pt	%xcc, 2f
	 wrpr	%g0, WSTATE_KERNEL_FROM_USER, %wstate
1:	save	%g5, %g0, %sp			/* may spill: TL 1 window vectors */
2:
	stx	%g1, [%sp + PT_TSTATE]
	stx	%g2, [%sp + PT_TPC]
	stx	%g3, [%sp + PT_TNPC]
	rd	%y, %g4
	st	%g4, [%sp + PT_Y]
	rdpr	%tt, %g4
	sethi	%hi(PT_REGS_MAGIC), %g5
	or	%g4, %g5, %g4
	st	%g4, [%sp + PT_MAGIC]
	stx	%i0, [%sp + PT_I(0)]		/* the interrupted %o0-%o7 */
	stx	%i1, [%sp + PT_I(1)]
	stx	%i2, [%sp + PT_I(2)]
	stx	%i3, [%sp + PT_I(3)]
	stx	%i4, [%sp + PT_I(4)]
	stx	%i5, [%sp + PT_I(5)]
	stx	%i6, [%sp + PT_I(6)]
	stx	%i7, [%sp + PT_I(7)]
	mov	%g1, %l1
	mov	%g7, %l2
	wrpr	%g0, 0, %tl
	wrpr	%g0, PSTATE_PRIV, %pstate	/* the normal globals */
	stx	%g0, [%sp + PT_G(0)]
	stx	%g1, [%sp + PT_G(1)]
	stx	%g2, [%sp + PT_G(2)]
	stx	%g3, [%sp + PT_G(3)]
	stx	%g4, [%sp + PT_G(4)]
	stx	%g5, [%sp + PT_G(5)]
	stx	%g6, [%sp + PT_G(6)]
	jmpl	%l2 + 4, %g0
	 stx	%g7, [%sp + PT_G(7)]
END(etrap)

/* The vector's way into etrap: %g7 = the label, which is etrap's delay slot. */
	.macro ETRAP
	sethi	%hi(8888f), %g7
	ba,pt	%xcc, etrap
8888:	 or	%g7, %lo(8888b), %g7
	.endm

/*
 * ta 0x6d from user mode: number in %g1, arguments in %o0-%o5 (pt_regs
 * u_regs[UREG_G1], [UREG_I0..I5]); do_syscall() stores the result in
 * u_regs[UREG_I0], sets or clears the carry bits in tstate and moves
 * tpc/tnpc past the trap instruction.
 */
ENTRY(linux_sparc_syscall)
	ETRAP
	wrpr	%g0, 0, %pil
	wrpr	%g0, PSTATE_KERNEL, %pstate	/* interrupts on */
	call	do_syscall			/* do_syscall(struct pt_regs *regs) */
	 add	%sp, PTREGS_OFF, %o0
	ba,pt	%xcc, rtrap
	 nop
END(linux_sparc_syscall)

/*
 * Interrupt level 14, raised by the host on every CPU HZ times a second
 * (SOFTINT.TICK_INT, as a TICK_CMPR match sets it) while PSTATE.IE is set
 * and %pil is below 14. Runs with %pil 14.
 */
ENTRY(timer_interrupt)
	ETRAP
	wrpr	%g0, PIL_TIMER, %pil
	wr	%g0, 1, %clear_softint		/* acknowledge TICK_INT */
	wrpr	%g0, PSTATE_KERNEL, %pstate
	call	do_timer_interrupt		/* do_timer_interrupt(struct pt_regs *regs) */
	 add	%sp, PTREGS_OFF, %o0
	ba,pt	%xcc, rtrap
	 nop
END(timer_interrupt)

/* %l0 = the current thread_info, from the (biased) %sp. */
	.macro THREAD_INFO reg
	add	%sp, STACK_BIAS, \reg
	srlx	\reg, THREAD_SHIFT, \reg
	sllx	\reg, THREAD_SHIFT, \reg
	.endm

/* The common exit: %sp = the trap frame, TL 0, normal globals. */
ENTRY(rtrap)
	wrpr	%g0, PIL_DISABLED, %pil
	THREAD_INFO %l0
	ldx	[%sp + PT_TSTATE], %l1
	andcc	%l1, TSTATE_PRIV, %g0
	bne,pn	%xcc, .Lresume_kernel
	 nop

	/* Back to user mode: reschedule first if asked to. */
	lduw	[%l0 + TI_flags], %l3
	andcc	%l3, _TIF_NEED_RESCHED, %g0
	be,pt	%icc, .Lrestore
	 nop
	call	schedule
	 wrpr	%g0, 0, %pil
	ba,pt	%xcc, rtrap
	 nop

	/*
	 * Back to kernel code: with boot_params.preempt set, preempt it if
	 * a reschedule is pending, preempt_count is 0 and it ran with %pil 0
	 * (CONFIG_PREEMPT's resume_kernel).
	 */
.Lresume_kernel:
	sethi	%hi(boot_params), %l3
	or	%l3, %lo(boot_params), %l3
	lduw	[%l3 + BP_preempt], %l3
	brz,pt	%l3, .Lrestore
	 nop
	lduw	[%l0 + TI_preempt_count], %l3
	brnz,pt	%l3, .Lrestore
	 nop
	lduw	[%l0 + TI_flags], %l3
	andcc	%l3, _TIF_NEED_RESCHED, %g0
	be,pt	%icc, .Lrestore
	 srlx	%l1, TSTATE_PIL_SHIFT, %l3
	andcc	%l3, 0xf, %g0
	bne,pn	%icc, .Lrestore
	 nop
	call	preempt_schedule_irq		/* returns with interrupts off */
	 nop
	ba,pt	%xcc, rtrap
	 nop

.Lrestore:
	ldx	[%sp + PT_G(1)], %g1
	ldx	[%sp + PT_G(2)], %g2
	ldx	[%sp + PT_G(3)], %g3
	ldx	[%sp + PT_G(4)], %g4
	ldx	[%sp + PT_G(5)], %g5
	ldx	[%sp + PT_G(6)], %g6
	ldx	[%sp + PT_G(7)], %g7
	lduw	[%sp + PT_Y], %l3
	wr	%l3, 0, %y
	ldx	[%sp + PT_I(0)], %i0
	ldx	[%sp + PT_I(1)], %i1
	ldx	[%sp + PT_I(2)], %i2
	ldx	[%sp + PT_I(3)], %i3
	ldx	[%sp + PT_I(4)], %i4
	ldx	[%sp + PT_I(5)], %i5
	ldx	[%sp + PT_I(6)], %i6
	ldx	[%sp + PT_I(7)], %i7
	ldx	[%sp + PT_TSTATE], %l1
	ldx	[%sp + PT_TPC], %l2
	ldx	[%sp + PT_TNPC], %l3
	/*
	 * The alternate globals carry tstate, tpc and tnpc across the
	 * restore: the fill vectors use no globals.
	 */
	wrpr	%g0, PSTATE_PRIV | PSTATE_AG, %pstate
	mov	%l1, %g1
	mov	%l2, %g2
	mov	%l3, %g3
	wrpr	%g0, 1, %tl
	andcc	%g1, TSTATE_PRIV, %g0
	bne,pt	%xcc, 1f
	 nop
	rdpr	%otherwin, %g4			/* to user: its windows are normal again */
	wrpr	%g4, 0, %canrestore
	wrpr	%g0, 0, %otherwin
	wrpr	%g0, WSTATE_USER, %wstate
1:	restore					/* the interrupted window (may fill) */
	srlx	%g1, TSTATE_PIL_SHIFT, %g4
	and	%g4, 0xf, %g4
	wrpr	%g4, 0, %pil
	sethi	%hi(TSTATE_PIL), %g5
	andn	%g1, %g5, %g1
	andn	%g1, TSTATE_CWP, %g1
	rdpr	%cwp, %g4			/* the window we are in now */
	or	%g1, %g4, %g1
	wrpr	%g1, 0, %tstate
	wrpr	%g2, 0, %tpc
	wrpr	%g3, 0, %tnpc
	retry
END(rtrap)

/*
 * A new task's first instructions. __switch_to() "returned" here with
 * %o0 = the task we switched from and %sp = the trap frame below the
 * child's pt_regs (a copy of the parent's with %o0 = 0): finish the
 * switch and go to user mode.
 */
ENTRY(ret_from_fork)
	call	schedule_tail			/* schedule_tail(prev) */
	 nop
	ba,pt	%xcc, rtrap
	 nop
END(ret_from_fork)

/*
 * struct task_struct *__switch_to(struct task_struct *prev,
 *				   struct task_struct *next)
 *
 * A leaf in its C caller's window: flushw writes every other window to
 * its stack, then this window goes to its own save area as a spill would,
 * and %sp and %o7 to prev->thread. next's window comes back from its save
 * area; every window of next below it fills on demand. Returns prev
 * ("last", %o0) on next's stack. A task that never ran "returns" into
 * ret_from_fork through the frame copy_thread() built. Called with the
 * runqueue lock held and interrupts off; the C caller has already set
 * this CPU's trap_block.kstack.
 */
ENTRY(__switch_to)
	flushw
	stx	%l0, [%sp + STACK_BIAS + 0x00]
	stx	%l1, [%sp + STACK_BIAS + 0x08]
	stx	%l2, [%sp + STACK_BIAS + 0x10]
	stx	%l3, [%sp + STACK_BIAS + 0x18]
	stx	%l4, [%sp + STACK_BIAS + 0x20]
	stx	%l5, [%sp + STACK_BIAS + 0x28]
	stx	%l6, [%sp + STACK_BIAS + 0x30]
	stx	%l7, [%sp + STACK_BIAS + 0x38]
	stx	%i0, [%sp + STACK_BIAS + 0x40]
	stx	%i1, [%sp + STACK_BIAS + 0x48]
	stx	%i2, [%sp + STACK_BIAS + 0x50]
	stx	%i3, [%sp + STACK_BIAS + 0x58]
	stx	%i4, [%sp + STACK_BIAS + 0x60]
	stx	%i5, [%sp + STACK_BIAS + 0x68]
	stx	%i6, [%sp + STACK_BIAS + 0x70]
	stx	%i7, [%sp + STACK_BIAS + 0x78]
	stx	%sp, [%o0 + TASK_thread_ksp]
	stx	%o7, [%o0 + TASK_thread_kpc]
	ldx	[%o1 + TASK_thread_ksp], %sp
	ldx	[%o1 + TASK_thread_kpc], %o7
	ldx	[%sp + STACK_BIAS + 0x00], %l0
	ldx	[%sp + STACK_BIAS + 0x08], %l1
	ldx	[%sp + STACK_BIAS + 0x10], %l2
	ldx	[%sp + STACK_BIAS + 0x18], %l3
	ldx	[%sp + STACK_BIAS + 0x20], %l4
	ldx	[%sp + STACK_BIAS + 0x28], %l5
	ldx	[%sp + STACK_BIAS + 0x30], %l6
	ldx	[%sp + STACK_BIAS + 0x38], %l7
	ldx	[%sp + STACK_BIAS + 0x40], %i0
	ldx	[%sp + STACK_BIAS + 0x48], %i1
	ldx	[%sp + STACK_BIAS + 0x50], %i2
	ldx	[%sp + STACK_BIAS + 0x58], %i3
	ldx	[%sp + STACK_BIAS + 0x60], %i4
	ldx	[%sp + STACK_BIAS + 0x68], %i5
	ldx	[%sp + STACK_BIAS + 0x70], %i6
	retl					/* %o0 = prev */
	 ldx	[%sp + STACK_BIAS + 0x78], %i7
END(__switch_to)

	.section .note.GNU-stack, "", @progbits
