/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Wait queues (linux/wait.h). */
#ifndef _LINUX_WAIT_H
#define _LINUX_WAIT_H

#include <linux/list.h>
#include <linux/spinlock.h>

struct task_struct;

typedef struct __wait_queue {
	struct task_struct *task;
	struct list_head task_list;
} wait_queue_t;

typedef struct __wait_queue_head {
	spinlock_t lock;
	struct list_head task_list;
} wait_queue_head_t;

#define DECLARE_WAITQUEUE(name, tsk) \
	wait_queue_t name = { .task = (tsk), .task_list = { NULL, NULL } }

static inline void init_waitqueue_head(wait_queue_head_t *q)
{
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->task_list);
}

void add_wait_queue(wait_queue_head_t *q, wait_queue_t *wait);
void remove_wait_queue(wait_queue_head_t *q, wait_queue_t *wait);
void __wake_up(wait_queue_head_t *q, unsigned int mode);

#define wake_up(q)		__wake_up(q, TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)
#define wake_up_interruptible(q) __wake_up(q, TASK_INTERRUPTIBLE)

#endif /* _LINUX_WAIT_H */
