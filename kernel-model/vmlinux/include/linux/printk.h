/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* printk() and its "<N>" log-level prefixes (linux/kernel.h in 2.6). */
#ifndef _LINUX_PRINTK_H
#define _LINUX_PRINTK_H

#include <linux/types.h>
#include <linux/stdarg.h>

#define KERN_EMERG	"<0>"	/* system is unusable */
#define KERN_ALERT	"<1>"	/* action must be taken immediately */
#define KERN_CRIT	"<2>"	/* critical conditions */
#define KERN_ERR	"<3>"	/* error conditions */
#define KERN_WARNING	"<4>"	/* warning conditions */
#define KERN_NOTICE	"<5>"	/* normal but significant condition */
#define KERN_INFO	"<6>"	/* informational */
#define KERN_DEBUG	"<7>"	/* debug-level messages */

#define default_message_loglevel	4

#define LOG_BUF_LEN	65536	/* a power of two: byte i is __log_buf[i % LOG_BUF_LEN] */

extern char __log_buf[LOG_BUF_LEN];
extern u64 log_end;

int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list args) __printf(1, 0);
void console_print(const char *text, size_t len, int level);
unsigned long long sched_clock(void);

#endif /* _LINUX_PRINTK_H */
