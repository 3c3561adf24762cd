/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Structure offsets used by the ppc64 assembly files, written by hand and
 * checked against the C layout in arch/ppc64/kernel/setup.c.
 */
#ifndef _ASM_OFFSETS_H
#define _ASM_OFFSETS_H

#include <asm/ptrace.h>

/* struct pt_regs, as offsets from r1 in an interrupt frame */
#define GPR(n)		(STACK_FRAME_OVERHEAD + 8 * (n))
#define _NIP		(STACK_FRAME_OVERHEAD + 256)
#define _MSR		(STACK_FRAME_OVERHEAD + 264)
#define ORIG_GPR3	(STACK_FRAME_OVERHEAD + 272)
#define _CTR		(STACK_FRAME_OVERHEAD + 280)
#define _LINK		(STACK_FRAME_OVERHEAD + 288)
#define _XER		(STACK_FRAME_OVERHEAD + 296)
#define _CCR		(STACK_FRAME_OVERHEAD + 304)
#define _SOFTE		(STACK_FRAME_OVERHEAD + 312)
#define _TRAP		(STACK_FRAME_OVERHEAD + 320)
#define _DAR		(STACK_FRAME_OVERHEAD + 328)
#define _DSISR		(STACK_FRAME_OVERHEAD + 336)
#define RESULT		(STACK_FRAME_OVERHEAD + 344)
#define SIZEOF_PTREGS	352

/* Interrupt frames: from user mode at the top of the kernel stack, from
 * kernel mode below the interrupted code's red zone. */
#define INT_FRAME_USER		(STACK_FRAME_OVERHEAD + SIZEOF_PTREGS)
#define INT_FRAME_KERNEL	(STACK_FRAME_OVERHEAD + SIZEOF_PTREGS + USER_REDZONE_SIZE)

/* struct paca_struct */
#define PACA_KSTACK	0
#define PACA_TOC	8
#define PACA_EX_R9	16
#define PACA_EX_R10	24
#define PACA_EX_R11	32
#define PACA_EX_R12	40
#define PACA_EX_R13	48
#define PACA_SIZE	128

/* struct thread_info */
#define TI_task		0
#define TI_flags	8
#define TI_cpu		12
#define TI_preempt_count 16

/* struct task_struct */
#define TASK_thread_ksp	48

/* struct boot_params */
#define BP_preempt	12

/* thread_info flags */
#define TIF_NEED_RESCHED	3
#define _TIF_NEED_RESCHED	(1 << TIF_NEED_RESCHED)

#endif /* _ASM_OFFSETS_H */
