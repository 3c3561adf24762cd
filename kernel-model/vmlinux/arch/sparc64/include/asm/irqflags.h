/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Interrupt masking through %pil, as Linux/sparc64 does: the kernel runs
 * with PSTATE.IE set at trap level 0 and the timer (interrupt level 14)
 * gets in only while %pil is below 14. The flags are the %pil value.
 */
#ifndef _ASM_IRQFLAGS_H
#define _ASM_IRQFLAGS_H

#include <asm/ptrace.h>

static inline unsigned long __save_flags(void)
{
	unsigned long pil;

	__asm__ __volatile__("rdpr %%pil, %0" : "=r"(pil) : : "memory");
	return pil;
}

#define local_save_flags(x)	((x) = __save_flags())

static inline void local_irq_restore(unsigned long flags)
{
	__asm__ __volatile__("wrpr %0, %%pil" : : "r"(flags) : "memory");
}

static inline void local_irq_disable(void)
{
	__asm__ __volatile__("wrpr %%g0, %0, %%pil" : : "i"(PIL_DISABLED) : "memory");
}

static inline void local_irq_enable(void)
{
	__asm__ __volatile__("wrpr %%g0, 0, %%pil" : : : "memory");
}

#define local_irq_save(x)	do { (x) = __save_flags(); local_irq_disable(); } while (0)

static inline int irqs_disabled(void)
{
	return __save_flags() != 0;
}

/*
 * Enable interrupts and wait for one ("ta 0x7e", the host's halt): a tick
 * already pending between the two is taken first, then the halt waits for
 * the next one (no interrupt shadow, as on ppc64).
 */
static inline void safe_halt(void)
{
	__asm__ __volatile__("wrpr %%g0, 0, %%pil\n\tta 0x7e" : : : "memory");
}

#endif /* _ASM_IRQFLAGS_H */
