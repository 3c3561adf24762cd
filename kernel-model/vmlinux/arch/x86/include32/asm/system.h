/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Barriers and atomic exchange (asm-i386/system.h). */
#ifndef _ASM_SYSTEM_H
#define _ASM_SYSTEM_H

#include <linux/compiler.h>

/* A full fence without SSE2's mfence, as i386 does it. */
#define mb()		__asm__ __volatile__("lock; addl $0,0(%%esp)" : : : "memory", "cc")
#define rmb()		barrier()	/* x86 does not reorder loads with loads */
#define wmb()		barrier()	/* nor stores with stores */
#define smp_mb()	mb()
#define smp_rmb()	rmb()
#define smp_wmb()	wmb()

/* xchg with a memory operand is locked by the CPU, no prefix needed. */
static inline unsigned int xchg32(volatile unsigned int *ptr, unsigned int x)
{
	__asm__ __volatile__("xchgl %0,%1" : "=r"(x), "+m"(*ptr) : "0"(x) : "memory");
	return x;
}

#define set_mb(var, value)	do { (void)xchg32((volatile unsigned int *)&(var), (value)); } while (0)

#endif /* _ASM_SYSTEM_H */
