/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* struct thread_info: the bottom of every kernel stack (layout fixed by ABI.md). */
#ifndef _LINUX_THREAD_INFO_H
#define _LINUX_THREAD_INFO_H

#include <linux/types.h>
#include <asm/page.h>
#include <asm/thread_info.h>

struct task_struct;

struct thread_info {
	struct task_struct *task;	/* 0 */
	u32 flags;			/* 8: TIF_* bits, changed atomically */
	u32 cpu;			/* 12 */
	s32 preempt_count;		/* 16: 0 preemptible, <0 a bug */
	u32 reserved;			/* 20 */
};

_Static_assert(offsetof(struct thread_info, task) == 0, "ABI: thread_info.task");
_Static_assert(offsetof(struct thread_info, flags) == sizeof(void *), "ABI: thread_info.flags");
_Static_assert(offsetof(struct thread_info, cpu) == sizeof(void *) + 4, "ABI: thread_info.cpu");
_Static_assert(offsetof(struct thread_info, preempt_count) == sizeof(void *) + 8, "ABI: thread_info.preempt_count");

#define TIF_NEED_RESCHED	3	/* rescheduling necessary */
#define _TIF_NEED_RESCHED	(1 << TIF_NEED_RESCHED)

union thread_union {
	struct thread_info thread_info;
	unsigned long stack[THREAD_SIZE / sizeof(long)];
};

static inline void set_ti_thread_flag(struct thread_info *ti, int flag)
{
	__atomic_fetch_or(&ti->flags, 1u << flag, __ATOMIC_SEQ_CST);
}

static inline void clear_ti_thread_flag(struct thread_info *ti, int flag)
{
	__atomic_fetch_and(&ti->flags, ~(1u << flag), __ATOMIC_SEQ_CST);
}

static inline int test_ti_thread_flag(struct thread_info *ti, int flag)
{
	return (ACCESS_ONCE(ti->flags) >> flag) & 1;
}

#define set_thread_flag(flag)	set_ti_thread_flag(current_thread_info(), flag)
#define clear_thread_flag(flag)	clear_ti_thread_flag(current_thread_info(), flag)
#define test_thread_flag(flag)	test_ti_thread_flag(current_thread_info(), flag)

#endif /* _LINUX_THREAD_INFO_H */
