/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* CPU state: per-task context, per-CPU TSS, pause (asm-i386/processor.h). */
#ifndef _ASM_PROCESSOR_H
#define _ASM_PROCESSOR_H

#include <linux/types.h>
#include <asm/page.h>
#include <asm/ptrace.h>

/* What __switch_to() keeps in the task: its kernel esp while switched out. */
struct thread_struct {
	unsigned long esp;
};

/*
 * The 32-bit task-state segment: only esp0/ss0 are used (the stack the
 * CPU switches to on an interrupt from user mode). 128 bytes per CPU.
 */
struct tss_struct {
	u16 back_link, __blh;
	u32 esp0;		/* 4 */
	u16 ss0, __ss0h;	/* 8 */
	u32 esp1;
	u16 ss1, __ss1h;
	u32 esp2;
	u16 ss2, __ss2h;
	u32 cr3, eip, eflags;
	u32 eax, ecx, edx, ebx, esp, ebp, esi, edi;
	u16 es, __esh, cs, __csh, ss, __ssh, ds, __dsh, fs, __fsh, gs, __gsh;
	u16 ldt, __ldth;
	u16 trace;
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

/* How the boot log names the stack pointer ("Booting processor 1/2 esp ..."). */
#define STACK_POINTER_NAME	"esp"

#endif /* _ASM_PROCESSOR_H */
