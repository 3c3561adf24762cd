/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Raw spinlocks on ldstub, as Linux/sparc64's (a byte lock). */
#ifndef _ASM_SPINLOCK_H
#define _ASM_SPINLOCK_H

#include <asm/processor.h>
#include <asm/system.h>

typedef struct {
	volatile unsigned char lock;	/* 0 unlocked, 0xff locked */
} raw_spinlock_t;

#define __RAW_SPIN_LOCK_UNLOCKED	{ 0 }

static inline int __raw_spin_is_locked(raw_spinlock_t *lock)
{
	return lock->lock != 0;
}

static inline int __raw_spin_trylock(raw_spinlock_t *lock)
{
	unsigned long result;

	__asm__ __volatile__("ldstub [%1], %0\n\tmembar #StoreLoad | #StoreStore"
			     : "=r"(result) : "r"(&lock->lock) : "memory");
	return result == 0;
}

static inline void __raw_spin_lock(raw_spinlock_t *lock)
{
	while (!__raw_spin_trylock(lock)) {
		while (lock->lock != 0)
			cpu_relax();
	}
}

static inline void __raw_spin_unlock(raw_spinlock_t *lock)
{
	__asm__ __volatile__("membar #StoreStore | #LoadStore\n\tstb %%g0, [%0]"
			     : : "r"(&lock->lock) : "memory");
}

#endif /* _ASM_SPINLOCK_H */
