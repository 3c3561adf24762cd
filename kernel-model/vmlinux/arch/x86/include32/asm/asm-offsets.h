/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Structure offsets used by the i386 assembly files, written by hand and
 * checked against the C layout in arch/x86/kernel/setup_32.c.
 */
#ifndef _ASM_OFFSETS_H
#define _ASM_OFFSETS_H

/* struct pt_regs */
#define EBX		0
#define ECX		4
#define EDX		8
#define ESI		12
#define EDI		16
#define EBP		20
#define EAX		24
#define XDS		28
#define XES		32
#define ORIG_EAX	36
#define EIP		40
#define XCS		44
#define EFLAGS		48
#define OLDESP		52
#define OLDSS		56
#define SIZEOF_PTREGS	60

/* struct thread_info */
#define TI_task		0
#define TI_flags	4
#define TI_cpu		8
#define TI_preempt_count 12

/* struct task_struct */
#define TASK_thread_esp	40

/* struct boot_params */
#define BP_preempt	12

/* thread_info flags */
#define TIF_NEED_RESCHED	3
#define _TIF_NEED_RESCHED	(1 << TIF_NEED_RESCHED)

#endif /* _ASM_OFFSETS_H */
