/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Structure offsets used by the assembly files. Linux generates this file;
 * here it is written by hand and every value is checked against the C
 * layout with _Static_assert in arch/x86/kernel/setup.c.
 */
#ifndef _ASM_OFFSETS_H
#define _ASM_OFFSETS_H

/* struct pt_regs */
#define R15		0
#define R14		8
#define R13		16
#define R12		24
#define RBP		32
#define RBX		40
#define R11		48
#define R10		56
#define R9		64
#define R8		72
#define RAX		80
#define RCX		88
#define RDX		96
#define RSI		104
#define RDI		112
#define ORIG_RAX	120
#define RIP		128
#define CS		136
#define EFLAGS		144
#define RSP		152
#define SS		160
#define SIZEOF_PTREGS	168

/* struct thread_info */
#define TI_task		0
#define TI_flags	8
#define TI_cpu		12
#define TI_preempt_count 16

/* struct task_struct */
#define TASK_thread_rsp	48

/* struct boot_params */
#define BP_preempt	12

/* thread_info flags */
#define TIF_NEED_RESCHED	3
#define _TIF_NEED_RESCHED	(1 << TIF_NEED_RESCHED)

#endif /* _ASM_OFFSETS_H */
