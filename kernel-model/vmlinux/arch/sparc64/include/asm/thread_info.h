/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* current_thread_info(): the bottom of the 16 KiB-aligned kernel stack (%sp is biased). */
#ifndef _ASM_THREAD_INFO_H
#define _ASM_THREAD_INFO_H

#include <asm/page.h>
#include <asm/ptrace.h>

struct thread_info;

static inline struct thread_info *current_thread_info(void)
{
	unsigned long sp;

	__asm__("mov %%sp, %0" : "=r"(sp));
	return (struct thread_info *)((sp + STACK_BIAS) & ~(THREAD_SIZE - 1));
}

#endif /* _ASM_THREAD_INFO_H */
