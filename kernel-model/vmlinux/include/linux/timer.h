/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* jiffies and kernel timers (linux/timer.h, linux/jiffies.h). */
#ifndef _LINUX_TIMER_H
#define _LINUX_TIMER_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/boot_params.h>

struct pt_regs;

struct timer_list {
	struct list_head entry;		/* timer_list, sorted by expiry */
	unsigned long expires;		/* in jiffies */
	void (*function)(unsigned long);
	unsigned long data;
};

/* jiffies is jiffies_64 (an alias made by the linker script). */
extern u64 jiffies_64;
extern volatile unsigned long jiffies;
extern unsigned int HZ;

#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_after_eq(a, b)	((long)((a) - (b)) >= 0)

static inline void init_timer(struct timer_list *timer)
{
	timer->entry.next = NULL;
}

static inline int timer_pending(const struct timer_list *timer)
{
	return timer->entry.next != NULL;
}

/* TSC ticks to nanoseconds, without 128-bit arithmetic. */
static inline u64 cycles_to_ns(u64 cycles)
{
	u64 khz = boot_params.tsc_khz;

	return cycles / khz * 1000000 + cycles % khz * 1000000 / khz;
}

unsigned long long sched_clock(void);
void add_timer(struct timer_list *timer);
int del_timer(struct timer_list *timer);
int del_timer_sync(struct timer_list *timer);
void time_init(void);
void do_timer_interrupt(struct pt_regs *regs);

#endif /* _LINUX_TIMER_H */
