/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Preemption counting (linux/preempt.h, linux/hardirq.h). Whether a zero
 * count actually lets the kernel preempt is boot_params.preempt, checked
 * by preempt_schedule() and the interrupt return path.
 */
#ifndef _LINUX_PREEMPT_H
#define _LINUX_PREEMPT_H

#include <linux/thread_info.h>

#define PREEMPT_MASK	0x000000ff
#define HARDIRQ_MASK	0x0fff0000
#define HARDIRQ_OFFSET	0x00010000
#define PREEMPT_ACTIVE	0x10000000	/* set while preempt_schedule*() runs */

#define preempt_count()		(current_thread_info()->preempt_count)
#define add_preempt_count(val)	do { preempt_count() += (val); } while (0)
#define sub_preempt_count(val)	do { preempt_count() -= (val); } while (0)
#define inc_preempt_count()	add_preempt_count(1)
#define dec_preempt_count()	sub_preempt_count(1)

#define in_interrupt()		(preempt_count() & HARDIRQ_MASK)
#define in_atomic()		((preempt_count() & ~PREEMPT_ACTIVE) != 0)

void preempt_schedule(void);

#define preempt_disable()		do { inc_preempt_count(); barrier(); } while (0)
#define preempt_enable_no_resched()	do { barrier(); dec_preempt_count(); } while (0)
#define preempt_check_resched()						\
	do {								\
		if (unlikely(test_thread_flag(TIF_NEED_RESCHED)))	\
			preempt_schedule();				\
	} while (0)
#define preempt_enable()						\
	do {								\
		preempt_enable_no_resched();				\
		barrier();						\
		preempt_check_resched();				\
	} while (0)

#define irq_enter()	add_preempt_count(HARDIRQ_OFFSET)
#define irq_exit()	sub_preempt_count(HARDIRQ_OFFSET)

#endif /* _LINUX_PREEMPT_H */
