/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* The time-stamp counter: retired instructions on kprobes-sim (ABI.md, Time). */
#ifndef _ASM_TIMEX_H
#define _ASM_TIMEX_H

#include <linux/types.h>

static inline u64 get_cycles(void)
{
	u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

#endif /* _ASM_TIMEX_H */
