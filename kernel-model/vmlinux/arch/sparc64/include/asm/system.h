/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Barriers (membar, as Linux/sparc64 under RMO) and xchg32() on cas. */
#ifndef _ASM_SYSTEM_H
#define _ASM_SYSTEM_H

#include <linux/compiler.h>

#define mb()		__asm__ __volatile__("membar #LoadLoad | #LoadStore | #StoreStore | #StoreLoad" : : : "memory")
#define rmb()		__asm__ __volatile__("membar #LoadLoad" : : : "memory")
#define wmb()		__asm__ __volatile__("membar #StoreStore" : : : "memory")
#define smp_mb()	mb()
#define smp_rmb()	rmb()
#define smp_wmb()	wmb()

/* Linux/sparc64's xchg32(): a compare-and-swap loop. */
static inline unsigned int xchg32(volatile unsigned int *ptr, unsigned int x)
{
	unsigned int prev, tmp;

	__asm__ __volatile__("membar #StoreLoad | #LoadLoad\n"
		"1:\tlduw [%3], %0\n"
		"\tmov %4, %1\n"
		"\tcas [%3], %0, %1\n"
		"\tcmp %0, %1\n"
		"\tbne,pn %%icc, 1b\n"
		"\t nop\n"
		"\tmembar #StoreLoad | #StoreStore"
		: "=&r"(prev), "=&r"(tmp), "+m"(*ptr) : "r"(ptr), "r"(x) : "cc", "memory");
	return prev;
}

#define set_mb(var, value)	do { (void)xchg32((volatile unsigned int *)&(var), (value)); } while (0)

#endif /* _ASM_SYSTEM_H */
