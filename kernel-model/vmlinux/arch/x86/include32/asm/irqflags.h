/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Interrupt flag control (asm-i386/system.h in 2.6). */
#ifndef _ASM_IRQFLAGS_H
#define _ASM_IRQFLAGS_H

#include <asm/ptrace.h>

static inline unsigned long __save_flags(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushfl ; popl %0" : "=r"(flags) : : "memory");
	return flags;
}

#define local_save_flags(x)	((x) = __save_flags())

static inline void local_irq_restore(unsigned long flags)
{
	__asm__ __volatile__("pushl %0 ; popfl" : : "g"(flags) : "memory", "cc");
}

static inline void local_irq_disable(void)
{
	__asm__ __volatile__("cli" : : : "memory");
}

static inline void local_irq_enable(void)
{
	__asm__ __volatile__("sti" : : : "memory");
}

#define local_irq_save(x)	do { (x) = __save_flags(); local_irq_disable(); } while (0)

static inline int irqs_disabled(void)
{
	return !(__save_flags() & X86_EFLAGS_IF);
}

/* Enable interrupts and wait for one: sti's shadow covers the hlt. */
static inline void safe_halt(void)
{
	__asm__ __volatile__("sti ; hlt" : : : "memory");
}

#endif /* _ASM_IRQFLAGS_H */
