/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Interrupt enable control through MSR.EE (asm-ppc64/hw_irq.h in 2.6,
 * without lazy disabling). mtmsrd with L=1 changes only EE and RI.
 */
#ifndef _ASM_IRQFLAGS_H
#define _ASM_IRQFLAGS_H

#include <asm/ptrace.h>

static inline unsigned long __save_flags(void)
{
	unsigned long msr;

	__asm__ __volatile__("mfmsr %0" : "=r"(msr) : : "memory");
	return msr;
}

#define local_save_flags(x)	((x) = __save_flags())

static inline void local_irq_restore(unsigned long flags)
{
	__asm__ __volatile__("mtmsrd %0,1" : : "r"(flags) : "memory");
}

static inline void local_irq_disable(void)
{
	local_irq_restore(__save_flags() & ~MSR_EE);
}

static inline void local_irq_enable(void)
{
	local_irq_restore(__save_flags() | MSR_EE);
}

#define local_irq_save(x)	do { (x) = __save_flags(); local_irq_disable(); } while (0)

static inline int irqs_disabled(void)
{
	return !(__save_flags() & MSR_EE);
}

/*
 * Enable interrupts and wait for one ("wait", Power ISA 3.0; the host
 * fast-forwards to the next tick). There is no interrupt shadow: a tick
 * that lands between the two instructions is taken first, and the wait
 * then lasts until the next one.
 */
static inline void safe_halt(void)
{
	unsigned long msr = __save_flags() | MSR_EE;

	__asm__ __volatile__("mtmsrd %0,1\n\t.machine push\n\t.machine power9\n\twait\n\t.machine pop"
			     : : "r"(msr) : "memory");
}

#endif /* _ASM_IRQFLAGS_H */
