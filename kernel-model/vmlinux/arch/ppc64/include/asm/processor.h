/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* CPU state: per-task context, per-CPU PACA, cpu_relax (asm-ppc64/processor.h). */
#ifndef _ASM_PROCESSOR_H
#define _ASM_PROCESSOR_H

#include <linux/types.h>
#include <asm/page.h>
#include <asm/ptrace.h>

/* What __switch_to() keeps in the task: its kernel r1 while switched out. */
struct thread_struct {
	unsigned long ksp;
};

/*
 * The per-CPU area (Linux's PACA), found through SPRG3 by the interrupt
 * entry code: the stack to switch to on an interrupt from user mode (the
 * top of the current task's kernel stack, the TSS.esp0 of ppc64), the
 * kernel TOC, and room to save r9-r13 before a stack is known.
 */
struct paca_struct {
	u64 kstack;		/*  0 */
	u64 kernel_toc;		/*  8 */
	u64 ex_r9, ex_r10, ex_r11, ex_r12, ex_r13;	/* 16 */
	u32 cpu;		/* 56 */
	u32 pad;
} __aligned(128);

extern struct paca_struct paca[];

/* The user-mode registers saved at the top of @task's kernel stack. */
#define task_pt_regs(task) \
	((struct pt_regs *)((char *)(task)->stack + THREAD_SIZE) - 1)

/* Spin politely: low then medium SMT thread priority, as Linux's HMT_low/HMT_medium. */
static inline void cpu_relax(void)
{
	__asm__ __volatile__("or 1,1,1\n\tor 2,2,2" : : : "memory");
}

/* How the boot log names the stack pointer ("Booting processor 1/2 r1 ..."). */
#define STACK_POINTER_NAME	"r1"

#endif /* _ASM_PROCESSOR_H */
