/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* CPU state: per-task context, per-CPU TSS, pause (asm-x86_64/processor.h). */
#ifndef _ASM_PROCESSOR_H
#define _ASM_PROCESSOR_H

#include <linux/types.h>
#include <asm/page.h>
#include <asm/ptrace.h>

/* What __switch_to() keeps in the task: its kernel rsp while switched out. */
struct thread_struct {
	unsigned long rsp;
};

/* The 64-bit task-state segment: only rsp0 is used (the int 0x80 stack). */
struct tss_struct {
	u32 reserved1;
	u64 rsp0;		/* 4 */
	u64 rsp1;
	u64 rsp2;
	u64 reserved2;
	u64 ist[7];
	u32 reserved3;
	u32 reserved4;
	u16 reserved5;
	u16 io_bitmap_base;	/* 102 */
} __packed __aligned(128);

extern struct tss_struct init_tss[];

/* The user-mode registers saved at the top of @task's kernel stack. */
#define task_pt_regs(task) \
	((struct pt_regs *)((char *)(task)->stack + THREAD_SIZE) - 1)

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" : : : "memory");
}

/* How the boot log names the stack pointer ("Booting processor 1/2 rsp ..."). */
#define STACK_POINTER_NAME	"rsp"

#endif /* _ASM_PROCESSOR_H */
