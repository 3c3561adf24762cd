/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Spinlocks (linux/spinlock.h): holding one disables preemption; the _irq
 * variants also disable local interrupts, _irqsave restores them after.
 */
#ifndef _LINUX_SPINLOCK_H
#define _LINUX_SPINLOCK_H

#include <linux/preempt.h>
#include <asm/irqflags.h>
#include <asm/spinlock.h>

typedef struct {
	raw_spinlock_t raw_lock;
} spinlock_t;

#define SPIN_LOCK_UNLOCKED	{ __RAW_SPIN_LOCK_UNLOCKED }
#define DEFINE_SPINLOCK(x)	spinlock_t x = SPIN_LOCK_UNLOCKED

static inline void spin_lock_init(spinlock_t *lock)
{
	*lock = (spinlock_t)SPIN_LOCK_UNLOCKED;
}

#define spin_is_locked(lock)	__raw_spin_is_locked(&(lock)->raw_lock)

static inline void spin_lock(spinlock_t *lock)
{
	preempt_disable();
	__raw_spin_lock(&lock->raw_lock);
}

static inline void spin_unlock(spinlock_t *lock)
{
	__raw_spin_unlock(&lock->raw_lock);
	preempt_enable();
}

static inline void spin_lock_irq(spinlock_t *lock)
{
	local_irq_disable();
	preempt_disable();
	__raw_spin_lock(&lock->raw_lock);
}

static inline void spin_unlock_irq(spinlock_t *lock)
{
	__raw_spin_unlock(&lock->raw_lock);
	local_irq_enable();
	preempt_enable();
}

#define spin_lock_irqsave(lock, flags)					\
	do {								\
		local_irq_save(flags);					\
		preempt_disable();					\
		__raw_spin_lock(&(lock)->raw_lock);			\
	} while (0)

static inline void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	__raw_spin_unlock(&lock->raw_lock);
	local_irq_restore(flags);
	preempt_enable();
}

#endif /* _LINUX_SPINLOCK_H */
