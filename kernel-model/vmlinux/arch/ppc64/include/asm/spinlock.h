/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Test-and-test-and-set spinlocks on lwarx/stwcx. (asm-ppc64/spinlock.h). */
#ifndef _ASM_SPINLOCK_H
#define _ASM_SPINLOCK_H

#include <asm/processor.h>
#include <asm/system.h>

typedef struct {
	volatile unsigned int slock;	/* 0 unlocked, 1 locked */
} raw_spinlock_t;

#define __RAW_SPIN_LOCK_UNLOCKED	{ 0 }

static inline int __raw_spin_is_locked(raw_spinlock_t *lock)
{
	return lock->slock != 0;
}

static inline int __raw_spin_trylock(raw_spinlock_t *lock)
{
	return xchg32(&lock->slock, 1) == 0;
}

static inline void __raw_spin_lock(raw_spinlock_t *lock)
{
	while (xchg32(&lock->slock, 1) != 0) {
		while (lock->slock != 0)
			cpu_relax();
	}
}

/* lwsync: the critical section's loads and stores before the releasing store. */
static inline void __raw_spin_unlock(raw_spinlock_t *lock)
{
	__asm__ __volatile__("lwsync" : : : "memory");
	lock->slock = 0;
}

#endif /* _ASM_SPINLOCK_H */
