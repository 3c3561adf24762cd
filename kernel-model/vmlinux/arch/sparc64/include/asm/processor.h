/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Per-task arch context, the per-CPU trap block and CPU helpers for sparc64. */
#ifndef _ASM_PROCESSOR_H
#define _ASM_PROCESSOR_H

#include <linux/types.h>
#include <asm/page.h>
#include <asm/ptrace.h>

/* What __switch_to() keeps of a task that is not running: %sp and %o7. */
struct thread_struct {
	unsigned long ksp;	/* biased %sp; its window is in the save area there */
	unsigned long kpc;	/* %o7: __switch_to() returns to kpc + 8 */
};

/*
 * Linux/sparc64's per-CPU trap block, found through scratchpad register 0
 * (ldxa [%g0] ASI_SCRATCHPAD, as sun4v does): the entry code's way to the
 * kernel stack when a trap comes from user mode (ppc64's PACA).
 */
struct trap_block {
	u64 kstack;		/*  0: top of the current task's kernel stack */
	u64 scratch[4];		/*  8 */
	u32 cpu;		/* 40 */
	u32 pad;
} __aligned(64);

extern struct trap_block trap_block[];

#define task_pt_regs(task) \
	((struct pt_regs *)((char *)(task)->stack + THREAD_SIZE) - 1)

/* Linux/sparc64's cpu_relax(): a read of %ccr, a pipeline-draining no-op. */
static inline void cpu_relax(void)
{
	__asm__ __volatile__("rd %%ccr, %%g0" : : : "memory");
}

#define STACK_POINTER_NAME	"sp"

#endif /* _ASM_PROCESSOR_H */
