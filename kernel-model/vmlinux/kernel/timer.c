/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Time (kernel/timer.c): the timer interrupt, jiffies, kernel timers on a
 * sorted expiry list, sched_clock() and nanosleep().
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/timer.h>
#include <linux/errno.h>
#include <linux/uaccess.h>
#include <linux/boot_params.h>
#include <linux/syscalls.h>
#include <asm/timex.h>

#define NSEC_PER_SEC	1000000000L

u64 jiffies_64;			/* ticks of CPU 0 since boot; "jiffies" is an alias */
unsigned int HZ = 1000;

static DEFINE_SPINLOCK(timer_lock);	/* taken with interrupts off */
static LIST_HEAD(timer_list_head);	/* pending timers, soonest first */
static struct timer_list *volatile running_timer;

/* Nanoseconds since boot from this CPU's TSC (retired instructions). */
unsigned long long sched_clock(void)
{
	return cycles_to_ns(get_cycles());
}

void time_init(void)
{
	u64 khz = boot_params.tsc_khz;

	HZ = boot_params.hz;
	printk(KERN_INFO "time.c: Detected %llu.%03llu MHz processor.\n", khz / 1000, khz % 1000);
	printk(KERN_INFO "time.c: Using %u Hz local timer interrupts.\n", HZ);
}

void add_timer(struct timer_list *timer)
{
	struct timer_list *t;
	unsigned long flags;

	spin_lock_irqsave(&timer_lock, flags);
	BUG_ON(timer_pending(timer));
	list_for_each_entry(t, &timer_list_head, entry)
		if (time_after(t->expires, timer->expires))
			break;
	list_add_tail(&timer->entry, &t->entry);	/* before the first later one */
	spin_unlock_irqrestore(&timer_lock, flags);
}

int del_timer(struct timer_list *timer)
{
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&timer_lock, flags);
	if (timer_pending(timer)) {
		list_del(&timer->entry);
		timer->entry.next = NULL;
		ret = 1;
	}
	spin_unlock_irqrestore(&timer_lock, flags);
	return ret;
}

/* del_timer(), and wait for its function if another CPU is running it. */
int del_timer_sync(struct timer_list *timer)
{
	for (;;) {
		int ret = del_timer(timer);

		if (running_timer != timer)
			return ret;
		cpu_relax();
	}
}

/* Run the expired timers (CPU 0, in the interrupt, interrupts off). */
static void run_timers(void)
{
	spin_lock(&timer_lock);
	while (!list_empty(&timer_list_head)) {
		struct timer_list *timer = list_entry(timer_list_head.next, struct timer_list, entry);
		void (*fn)(unsigned long) = timer->function;
		unsigned long data = timer->data;

		if (time_after(timer->expires, jiffies))
			break;
		list_del(&timer->entry);
		timer->entry.next = NULL;
		running_timer = timer;
		spin_unlock(&timer_lock);
		fn(data);
		spin_lock(&timer_lock);
		running_timer = NULL;
	}
	spin_unlock(&timer_lock);
}

/*
 * Vector 0x20 on every CPU, from timer_interrupt with interrupts off.
 * CPU 0 keeps jiffies and runs the timers; every CPU charges its task.
 */
noinline void do_timer_interrupt(struct pt_regs *regs)
{
	struct task_struct *p = current;

	irq_enter();
	if (smp_processor_id() == 0) {
		jiffies_64++;
		run_timers();
	}
	if (user_mode(regs))
		p->utime++;
	else
		p->stime++;
	scheduler_tick();
	irq_exit();
}

static unsigned long timespec_to_jiffies(const struct timespec *ts)
{
	if (ts->tv_sec >= (MAX_SCHEDULE_TIMEOUT / HZ) - 1)
		return MAX_SCHEDULE_TIMEOUT - 1;
	return ts->tv_sec * HZ + (ts->tv_nsec * HZ + NSEC_PER_SEC - 1) / NSEC_PER_SEC;
}

long sys_nanosleep(struct timespec __user *rqtp, struct timespec __user *rmtp)
{
	struct timespec t;
	long expire;

	if (copy_from_user(&t, rqtp, sizeof(t)))
		return -EFAULT;
	if (t.tv_nsec >= NSEC_PER_SEC || t.tv_nsec < 0 || t.tv_sec < 0)
		return -EINVAL;
	expire = timespec_to_jiffies(&t) + (t.tv_sec || t.tv_nsec);
	set_current_state(TASK_INTERRUPTIBLE);
	expire = schedule_timeout(expire);
	if (expire) {
		if (rmtp) {
			t.tv_sec = expire / HZ;
			t.tv_nsec = (expire % HZ) * (NSEC_PER_SEC / HZ);
			if (copy_to_user(rmtp, &t, sizeof(t)))
				return -EFAULT;
		}
		return -EINTR;
	}
	return 0;
}
