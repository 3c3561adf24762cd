/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * The kernel log (kernel/printk.c). Every line in __log_buf starts with
 * its "<N>" level and a "[%5lu.%06lu] " timestamp, as 2.6 with
 * printk_time: "<6>[    0.000123] message". The host reads the buffer:
 * byte i is __log_buf[i % LOG_BUF_LEN], log_end counts bytes ever written.
 */
#include <linux/kernel.h>
#include <linux/spinlock.h>
#include <linux/smp.h>
#include <linux/timer.h>
#include <asm/timex.h>

char __log_buf[LOG_BUF_LEN] __aligned(64);
u64 log_end;

static DEFINE_SPINLOCK(logbuf_lock);	/* taken with interrupts off */
static int log_level_unknown = 1;	/* the next character starts a line */
static volatile int printk_cpu = -1;	/* the CPU inside the locked region */
static int recursion_bug;
static const char recursion_bug_msg[] = KERN_CRIT "BUG: recent printk recursion!\n";

static inline void emit_log_char(char c)
{
	__log_buf[log_end & (LOG_BUF_LEN - 1)] = c;
	barrier();			/* the byte before the count that covers it */
	log_end++;
}

static inline char *put_dec(char *p, unsigned long v, int width, char pad)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (width-- > n)
		*p++ = pad;
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* "<N>[%5lu.%06lu] ", formatted by hand: nothing probe-able under the lock. */
static inline void emit_line_prefix(char level)
{
	u64 ns = cycles_to_ns(get_cycles());
	char tbuf[48], *p = tbuf, *q;

	*p++ = '<';
	*p++ = level;
	*p++ = '>';
	*p++ = '[';
	p = put_dec(p, ns / 1000000000, 5, ' ');
	*p++ = '.';
	p = put_dec(p, ns % 1000000000 / 1000, 6, '0');
	*p++ = ']';
	*p++ = ' ';
	for (q = tbuf; q < p; q++)
		emit_log_char(*q);
}

/*
 * Append @len bytes, starting each line with its level and the time.
 * level < 0: take a "<N>" at the start of each line, else the default;
 * otherwise every line gets @level.
 */
static void emit_text(const char *p, size_t len, int level)
{
	const char *end = p + len;

	while (p < end) {
		if (log_level_unknown) {
			char lev = '0' + (level < 0 ? default_message_loglevel : level);

			if (level < 0 && end - p >= 3 && p[0] == '<' &&
			    p[1] >= '0' && p[1] <= '7' && p[2] == '>') {
				lev = p[1];
				p += 3;
			}
			emit_line_prefix(lev);
			log_level_unknown = 0;
			if (p >= end)
				break;
		}
		emit_log_char(*p);
		if (*p == '\n')
			log_level_unknown = 1;
		p++;
	}
}

/*
 * Take the log with interrupts off. A printk from a probe handler that
 * interrupted this CPU inside the locked region would deadlock: it is
 * dropped and reported by the next printk instead.
 */
static int log_lock(unsigned long *flags)
{
	int this_cpu;

	local_irq_save(*flags);
	this_cpu = smp_processor_id();
	if (unlikely(printk_cpu == this_cpu)) {
		recursion_bug = 1;
		local_irq_restore(*flags);
		return 0;
	}
	preempt_disable();
	__raw_spin_lock(&logbuf_lock.raw_lock);
	printk_cpu = this_cpu;
	if (unlikely(recursion_bug)) {
		recursion_bug = 0;
		emit_text(recursion_bug_msg, sizeof(recursion_bug_msg) - 1, -1);
	}
	return 1;
}

static void log_unlock(unsigned long flags)
{
	printk_cpu = -1;
	spin_unlock_irqrestore(&logbuf_lock, flags);
}

int vprintk(const char *fmt, va_list args)
{
	char printk_buf[512];
	unsigned long flags;
	int printed_len;

	/* Format before taking the lock: vsnprintf() may be probed. */
	printed_len = vscnprintf(printk_buf, sizeof(printk_buf), fmt, args);
	if (!log_lock(&flags))
		return 0;
	emit_text(printk_buf, printed_len, -1);
	log_unlock(flags);
	return printed_len;
}

noinline int printk(const char *fmt, ...)
{
	va_list args;
	int r;

	va_start(args, fmt);
	r = vprintk(fmt, args);
	va_end(args);
	return r;
}

/* Console output (write() to fds 0-2): raw text, every line at @level. */
void console_print(const char *text, size_t len, int level)
{
	unsigned long flags;

	if (!log_lock(&flags))
		return;
	emit_text(text, len, level);
	log_unlock(flags);
}
