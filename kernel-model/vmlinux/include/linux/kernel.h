/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Odds and ends every file needs (linux/kernel.h). */
#ifndef _LINUX_KERNEL_H
#define _LINUX_KERNEL_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/stdarg.h>
#include <linux/printk.h>
#include <linux/bug.h>

#define INT_MAX		((int)(~0U >> 1))
#define LONG_MAX	((long)(~0UL >> 1))
#define ULONG_MAX	(~0UL)

#define ALIGN(x, a)	(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))

extern const char linux_banner[];

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args) __printf(3, 0);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int vscnprintf(char *buf, size_t size, const char *fmt, va_list args) __printf(3, 0);
int scnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int sprintf(char *buf, const char *fmt, ...) __printf(2, 3);

void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
void dump_stack(void);
void machine_panic(const char *msg) __noreturn;
void start_kernel(void) __noreturn;

#endif /* _LINUX_KERNEL_H */
