/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Access to user memory (asm-x86_64/uaccess.h in 2.6). Pointers at or above
 * TASK_SIZE are refused up front; a fault on a user address is fixed up by
 * the host through __ex_table, so these return an error instead of oopsing.
 */
#ifndef _LINUX_UACCESS_H
#define _LINUX_UACCESS_H

#include <linux/types.h>
#include <linux/errno.h>
#include <asm/uaccess.h>

static inline int access_ok(const void __user *addr, unsigned long size)
{
	unsigned long a = (unsigned long)addr;

	return size <= TASK_SIZE && a <= TASK_SIZE - size;
}

/* Both return the number of bytes NOT copied (0 on success), as in Linux. */
unsigned long copy_from_user(void *to, const void __user *from, unsigned long n);
unsigned long copy_to_user(void __user *to, const void *from, unsigned long n);
/* Returns the length of the string, count if it did not fit, or -EFAULT. */
long strncpy_from_user(char *dst, const char __user *src, long count);

extern int __get_user_bad(void);	/* never defined: a link error for odd sizes */
extern int __put_user_bad(void);

/* get_user(x, ptr): x = *ptr from user memory; 0 or -EFAULT (then x = 0). */
#define get_user(x, ptr)						\
({									\
	unsigned long __gu_val;						\
	int __gu_err;							\
	switch (sizeof(*(ptr))) {					\
	case 1: __gu_err = __get_user_1(&__gu_val, (ptr)); break;	\
	case 2: __gu_err = __get_user_2(&__gu_val, (ptr)); break;	\
	case 4: __gu_err = __get_user_4(&__gu_val, (ptr)); break;	\
	case 8: __gu_err = __get_user_8(&__gu_val, (ptr)); break;	\
	default: __gu_err = __get_user_bad(); __gu_val = 0; break;	\
	}								\
	(x) = (__typeof__(*(ptr)))__gu_val;				\
	__gu_err;							\
})

/* put_user(x, ptr): *ptr = x in user memory; 0 or -EFAULT. */
#define put_user(x, ptr)						\
({									\
	unsigned long __pu_val = (unsigned long)(__typeof__(*(ptr)))(x); \
	int __pu_err;							\
	switch (sizeof(*(ptr))) {					\
	case 1: __pu_err = __put_user_1(__pu_val, (ptr)); break;	\
	case 2: __pu_err = __put_user_2(__pu_val, (ptr)); break;	\
	case 4: __pu_err = __put_user_4(__pu_val, (ptr)); break;	\
	case 8: __pu_err = __put_user_8(__pu_val, (ptr)); break;	\
	default: __pu_err = __put_user_bad(); break;			\
	}								\
	__pu_err;							\
})

#endif /* _LINUX_UACCESS_H */
