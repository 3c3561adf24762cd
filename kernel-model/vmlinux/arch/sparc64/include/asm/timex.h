/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* The time base: retired instructions on kprobes-sim (ABI.md, Time). */
#ifndef _ASM_TIMEX_H
#define _ASM_TIMEX_H

#include <linux/types.h>

static inline u64 get_cycles(void)
{
	u64 tb;

	__asm__ __volatile__("rd %%tick, %0" : "=r"(tb));
	return tb;
}

#endif /* _ASM_TIMEX_H */
