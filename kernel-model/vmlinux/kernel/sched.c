/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * The scheduler (kernel/sched.c): one global runqueue under one spinlock,
 * round-robin with time slices, per-CPU idle tasks, wait queues, kernel
 * preemption when boot_params.preempt is set.
 *
 * Locking: runqueue.lock is taken with interrupts off. It is held across
 * the context switch and released by the task switched to (in
 * finish_task_switch()), so no other CPU can pick the outgoing task
 * before its registers are saved. Lock order: tasklist_lock, then a wait
 * queue's lock, then runqueue.lock.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/timer.h>
#include <linux/boot_params.h>
#include <linux/uaccess.h>
#include <linux/kprobes.h>
#include <linux/string.h>

struct task_struct *cpu_curr[NR_CPUS];
struct task_struct *idle_tasks[NR_CPUS];

/* Runnable tasks that are not on a CPU, in the order they will run. */
struct runqueue {
	spinlock_t lock;
	struct list_head queue;
	unsigned long nr_running;	/* tasks on the queue */
	unsigned long nr_switches;
} runqueue;

static int sched_timeslice;		/* ticks */

void init_idle(struct task_struct *idle, int cpu)
{
	idle->state = TASK_RUNNING;
	idle->flags |= PF_IDLE;
	idle->on_cpu = 1;
	task_thread_info(idle)->cpu = cpu;
	idle_tasks[cpu] = idle;
}

void sched_init(void)
{
	spin_lock_init(&runqueue.lock);
	INIT_LIST_HEAD(&runqueue.queue);
	sched_timeslice = max(1, (int)(boot_params.hz / 10));	/* 100 ms */
	init_idle(&init_task, 0);
	cpu_curr[0] = &init_task;
	printk(KERN_INFO "Scheduler: round-robin, %d-tick time slices, %s\n",
	       sched_timeslice, boot_params.preempt ?
	       "preemptible kernel" : "no forced kernel preemption");
}

static inline void enqueue_task(struct task_struct *p)
{
	list_add_tail(&p->run_list, &runqueue.queue);
	p->on_rq = 1;
	runqueue.nr_running++;
}

/*
 * Work is queued: wake an idle CPU. There are no IPIs; it notices at its
 * next interrupt (hlt ends at the next tick).
 */
/* The first queued task allowed on @cpu, off the queue; NULL if none. */
static struct task_struct *dequeue_allowed(int cpu)
{
	struct task_struct *p;

	list_for_each_entry(p, &runqueue.queue, run_list) {
		if (cpumask_test_cpu(cpu, &p->cpus_allowed)) {
			list_del(&p->run_list);
			p->on_rq = 0;
			runqueue.nr_running--;
			return p;
		}
	}
	return NULL;
}

/* Ask an idle CPU that @p may run on to reschedule (there are no IPIs). */
static void resched_idle_cpu(struct task_struct *p)
{
	unsigned int cpu;

	for (cpu = 0; cpu < nr_cpus; cpu++) {
		struct task_struct *curr = cpu_curr[cpu];

		if (curr && is_idle_task(curr) && cpumask_test_cpu(cpu, &p->cpus_allowed)) {
			set_tsk_need_resched(curr);
			return;
		}
	}
}

/*
 * Make @p runnable if its state is in @state. A task still on a CPU
 * (it set its state but has not reached schedule() yet) is only marked
 * running: schedule() then keeps it.
 */
static int try_to_wake_up(struct task_struct *p, unsigned int state)
{
	unsigned long flags;
	int success = 0;

	spin_lock_irqsave(&runqueue.lock, flags);
	if (p->state & state) {
		p->state = TASK_RUNNING;
		if (!p->on_rq && !p->on_cpu) {
			enqueue_task(p);
			resched_idle_cpu(p);
		}
		success = 1;
	}
	spin_unlock_irqrestore(&runqueue.lock, flags);
	return success;
}

int wake_up_process(struct task_struct *p)
{
	return try_to_wake_up(p, TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE);
}

void wake_up_new_task(struct task_struct *p)
{
	unsigned long flags;

	spin_lock_irqsave(&runqueue.lock, flags);
	p->state = TASK_RUNNING;
	enqueue_task(p);
	resched_idle_cpu(p);
	spin_unlock_irqrestore(&runqueue.lock, flags);
}

static inline struct task_struct *context_switch(struct task_struct *prev,
						 struct task_struct *next, int cpu)
{
	task_thread_info(next)->cpu = cpu;
	cpu_curr[cpu] = next;
	return switch_to(prev, next);
}

/*
 * The second half of a switch, on the new task's stack: drop the lock
 * the previous task took, and its last reference if it died.
 */
static inline void finish_task_switch(struct task_struct *prev)
{
	u32 prev_flags = prev->flags;

	spin_unlock_irq(&runqueue.lock);
	if (unlikely(prev_flags & PF_DEAD)) {
		kprobe_flush_task(prev);
		put_task_struct(prev);
	}
}

/* A new task's first C code, called from ret_from_fork. */
asmlinkage void schedule_tail(struct task_struct *prev)
{
	finish_task_switch(prev);
	if (current->set_child_tid)
		put_user(current->pid, current->set_child_tid);
}

/*
 * Pick the next task to run on this CPU. A task that is still runnable
 * (or preempted, PREEMPT_ACTIVE) goes to the back of the queue; one that
 * set another state before calling us sleeps until woken.
 */
noinline void schedule(void)
{
	struct task_struct *prev, *next;
	int cpu;

need_resched:
	prev = current;
	if (unlikely(in_atomic() && !(prev->flags & PF_DEAD))) {
		printk(KERN_ERR "BUG: scheduling while atomic: %s/%d/0x%08x\n",
		       prev->comm, prev->pid, preempt_count());
		dump_stack();
	}
	preempt_disable();
	spin_lock_irq(&runqueue.lock);
	cpu = smp_processor_id();
	clear_ti_thread_flag(task_thread_info(prev), TIF_NEED_RESCHED);

	if (!is_idle_task(prev) &&
	    (prev->state == TASK_RUNNING || (preempt_count() & PREEMPT_ACTIVE)))
		enqueue_task(prev);

	next = dequeue_allowed(cpu);
	if (!next)
		next = idle_tasks[cpu];

	if (likely(next != prev)) {
		prev->on_cpu = 0;
		next->on_cpu = 1;
		next->nvcsw++;
		if (next->time_slice <= 0)
			next->time_slice = sched_timeslice;
		runqueue.nr_switches++;
		prev = context_switch(prev, next, cpu);
		barrier();
		finish_task_switch(prev);
	} else {
		spin_unlock_irq(&runqueue.lock);
	}
	preempt_enable_no_resched();
	if (unlikely(test_thread_flag(TIF_NEED_RESCHED)))
		goto need_resched;
}

/* From preempt_enable(): preempt here if allowed (CONFIG_PREEMPT). */
void preempt_schedule(void)
{
	struct thread_info *ti = current_thread_info();

	if (!boot_params.preempt || ti->preempt_count || irqs_disabled())
		return;
need_resched:
	ti->preempt_count += PREEMPT_ACTIVE;
	schedule();
	ti->preempt_count -= PREEMPT_ACTIVE;
	barrier();
	if (unlikely(test_thread_flag(TIF_NEED_RESCHED)))
		goto need_resched;
}

/*
 * From the interrupt exit path (entry_64.S) with interrupts off and
 * preempt_count 0, returning to kernel code: preempt it.
 */
asmlinkage void preempt_schedule_irq(void)
{
	struct thread_info *ti = current_thread_info();

	BUG_ON(ti->preempt_count || !irqs_disabled());
need_resched:
	ti->preempt_count += PREEMPT_ACTIVE;
	local_irq_enable();
	schedule();
	local_irq_disable();
	ti->preempt_count -= PREEMPT_ACTIVE;
	barrier();
	if (unlikely(test_thread_flag(TIF_NEED_RESCHED)))
		goto need_resched;
}

/* Timer tick on every CPU: charge the running task one tick. */
void scheduler_tick(void)
{
	struct task_struct *p = current;

	if (is_idle_task(p)) {
		if (!list_empty(&runqueue.queue))	/* racy peek, as 2.6's nr_running */
			set_tsk_need_resched(p);
		return;
	}
	if (--p->time_slice <= 0) {
		p->time_slice = sched_timeslice;
		if (!list_empty(&runqueue.queue))
			set_tsk_need_resched(p);
	}
}

static void process_timeout(unsigned long data)
{
	wake_up_process((struct task_struct *)data);
}

/*
 * Sleep for @timeout jiffies in the state the caller set (or until woken).
 * Returns the jiffies left, 0 when the time ran out.
 */
long schedule_timeout(long timeout)
{
	struct timer_list timer;
	unsigned long expire;

	if (timeout == MAX_SCHEDULE_TIMEOUT) {
		schedule();
		return timeout;
	}
	if (timeout < 0) {
		printk(KERN_ERR "schedule_timeout: wrong timeout value %lx\n", timeout);
		dump_stack();
		current->state = TASK_RUNNING;
		return 0;
	}
	expire = timeout + jiffies;
	init_timer(&timer);
	timer.expires = expire;
	timer.data = (unsigned long)current;
	timer.function = process_timeout;
	add_timer(&timer);
	schedule();
	del_timer_sync(&timer);
	timeout = expire - jiffies;
	return timeout < 0 ? 0 : timeout;
}

long sys_sched_yield(void)
{
	schedule();
	return 0;
}

/*
 * sched_setaffinity(pid, len, mask): the CPUs @pid (0: the caller) may run
 * on. A caller that may no longer run here moves at its next schedule().
 * As Linux's get_user_cpu_mask(): a @len shorter than cpumask_t reads @len
 * bytes and leaves the rest 0 (a 4-byte mask on i386 names CPUs 0-31), a
 * longer one reads sizeof(cpumask_t); CPUs at or above nr_cpus are dropped.
 */
long sys_sched_setaffinity(pid_t pid, unsigned int len, unsigned long __user *user_mask_ptr)
{
	struct task_struct *p;
	cpumask_t mask;

	if (len < sizeof(mask))
		memset(&mask, 0, sizeof(mask));
	else
		len = sizeof(mask);
	if (copy_from_user(&mask, user_mask_ptr, len))
		return -EFAULT;
	if (!cpumask_and_nr(&mask, nr_cpus))
		return -EINVAL;
	spin_lock(&tasklist_lock);
	p = pid ? find_task_by_pid(pid) : current;
	if (p)
		p->cpus_allowed = mask;
	spin_unlock(&tasklist_lock);
	if (!p)
		return -ESRCH;
	if (p == current && !cpumask_test_cpu(smp_processor_id(), &mask)) {
		set_tsk_need_resched(current);
		resched_idle_cpu(current);
	}
	return 0;
}

void add_wait_queue(wait_queue_head_t *q, wait_queue_t *wait)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	list_add_tail(&wait->task_list, &q->task_list);
	spin_unlock_irqrestore(&q->lock, flags);
}

void remove_wait_queue(wait_queue_head_t *q, wait_queue_t *wait)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	list_del(&wait->task_list);
	spin_unlock_irqrestore(&q->lock, flags);
}

void __wake_up(wait_queue_head_t *q, unsigned int mode)
{
	wait_queue_t *curr;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	list_for_each_entry(curr, &q->task_list, task_list)
		try_to_wake_up(curr->task, mode);
	spin_unlock_irqrestore(&q->lock, flags);
}
