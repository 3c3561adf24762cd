/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Structure offsets for the assembly sources, written by hand and checked
 * against the C layout by _Static_assert in setup.c (Linux generates its
 * asm-offsets.h at build time).
 */
#ifndef _ASM_OFFSETS_H
#define _ASM_OFFSETS_H

#include <asm/ptrace.h>

/* struct pt_regs, from the trap frame's %sp (biased): %sp + PTREGS_OFF. */
#define PT_G(n)		(PTREGS_OFF + 8 * (n))
#define PT_I(n)		(PTREGS_OFF + 64 + 8 * (n))
#define PT_TSTATE	(PTREGS_OFF + 128)
#define PT_TPC		(PTREGS_OFF + 136)
#define PT_TNPC		(PTREGS_OFF + 144)
#define PT_Y		(PTREGS_OFF + 152)
#define PT_MAGIC	(PTREGS_OFF + 156)

/* struct trap_block */
#define TB_KSTACK	0
#define TB_SCRATCH	8
#define TB_CPU		40
#define TB_SIZE		64

/* struct thread_info, struct task_struct */
#define TI_task		0
#define TI_flags	8
#define TI_cpu		12
#define TI_preempt_count 16
#define TASK_thread_ksp	48
#define TASK_thread_kpc	56

/* struct boot_params */
#define BP_preempt	12

#define TIF_NEED_RESCHED	3
#define _TIF_NEED_RESCHED	(1 << TIF_NEED_RESCHED)

/* Address space identifiers. */
#define ASI_AIUS	0x11	/* as if user, secondary context: the user's windows */
#define ASI_SCRATCHPAD	0x20	/* sun4v scratchpad registers: 0 = the trap block */

/* %wstate: normal windows (bits 2:0) and "other" (user) windows (5:3). */
#define WSTATE_KERNEL	0	/* kernel windows: spill_0_normal/fill_0_normal */
#define WSTATE_USER	1	/* user windows: spill_1/fill_1, through ASI_AIUS */
#define WSTATE_KERNEL_FROM_USER	((WSTATE_USER << 3) | WSTATE_KERNEL)

#define NWINDOWS	8

#endif /* _ASM_OFFSETS_H */
