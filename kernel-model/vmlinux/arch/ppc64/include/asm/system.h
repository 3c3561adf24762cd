/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Barriers and atomic exchange (asm-ppc64/system.h). */
#ifndef _ASM_SYSTEM_H
#define _ASM_SYSTEM_H

#include <linux/compiler.h>

#define mb()		__asm__ __volatile__("sync" : : : "memory")
#define rmb()		__asm__ __volatile__("lwsync" : : : "memory")
#define wmb()		__asm__ __volatile__("sync" : : : "memory")
#define smp_mb()	mb()
#define smp_rmb()	rmb()
#define smp_wmb()	wmb()

/* A full barrier on both sides, as Linux's xchg(): sync; lwarx/stwcx.; isync. */
static inline unsigned int xchg32(volatile unsigned int *ptr, unsigned int x)
{
	unsigned int prev;

	__asm__ __volatile__("sync\n"
		"1:\tlwarx %0,0,%2\n"
		"\tstwcx. %3,0,%2\n"
		"\tbne- 1b\n"
		"\tisync"
		: "=&r"(prev), "+m"(*ptr) : "r"(ptr), "r"(x) : "cc", "memory");
	return prev;
}

#define set_mb(var, value)	do { (void)xchg32((volatile unsigned int *)&(var), (value)); } while (0)

#endif /* _ASM_SYSTEM_H */
