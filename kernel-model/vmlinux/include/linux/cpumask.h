/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * CPU masks (include/linux/cpumask.h): one bit per possible CPU, in as many
 * unsigned longs as NR_CPUS needs (one on 64-bit, two on i386). Bit n of
 * word n / BITS_PER_LONG is CPU n, so the mask's bytes are what
 * sched_setaffinity(2) reads from user memory on every arch.
 */
#ifndef _LINUX_CPUMASK_H
#define _LINUX_CPUMASK_H

#include <linux/threads.h>

#define BITS_PER_LONG		(8 * (int)sizeof(unsigned long))
#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)

typedef struct cpumask {
	unsigned long bits[BITS_TO_LONGS(NR_CPUS)];
} cpumask_t;

/* Every CPU (CPU_MASK_ALL). */
#define CPU_MASK_ALL	{ .bits = { [0 ... BITS_TO_LONGS(NR_CPUS) - 1] = ~0UL } }

static inline int cpumask_test_cpu(unsigned int cpu, const cpumask_t *mask)
{
	return (mask->bits[cpu / BITS_PER_LONG] >> (cpu % BITS_PER_LONG)) & 1;
}

/* Clears every CPU from @nr up (cpus_and with the online map); returns whether any is left. */
static inline int cpumask_and_nr(cpumask_t *mask, unsigned int nr)
{
	unsigned int i;
	int any = 0;

	for (i = 0; i < BITS_TO_LONGS(NR_CPUS); i++) {
		unsigned int lo = i * BITS_PER_LONG;

		if (nr <= lo)
			mask->bits[i] = 0;
		else if (nr - lo < (unsigned int)BITS_PER_LONG)
			mask->bits[i] &= (1UL << (nr - lo)) - 1;
		any |= mask->bits[i] != 0;
	}
	return any;
}

#endif /* _LINUX_CPUMASK_H */
