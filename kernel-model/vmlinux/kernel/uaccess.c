/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Copying to and from user memory (arch/x86_64/lib/usercopy.c). The range
 * check is here; the copying instructions and their exception-table
 * entries are in arch/x86/lib/usercopy_{64,32}.S and arch/ppc64/lib/usercopy.S.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/uaccess.h>

/* Returns the bytes not copied; those are zeroed in @to, as in Linux. */
noinline unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)
{
	unsigned long left = n;

	if (likely(access_ok(from, n)))
		left = __copy_user(to, (const void *)from, n);
	if (unlikely(left))
		memset((char *)to + (n - left), 0, left);
	return left;
}

/* Returns the bytes not copied. */
noinline unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)
{
	if (likely(access_ok(to, n)))
		return __copy_user((void *)to, from, n);
	return n;
}

/*
 * Copy a NUL-terminated string of at most @count bytes. Returns its
 * length, @count if it has no NUL within @count bytes (@dst is then not
 * terminated), or -EFAULT.
 */
long strncpy_from_user(char *dst, const char __user *src, long count)
{
	unsigned long addr = (unsigned long)src, limit;
	long res;

	if (count <= 0)
		return 0;
	if (addr >= TASK_SIZE)
		return -EFAULT;
	limit = min(TASK_SIZE - addr, (unsigned long)count);
	res = __strncpy_from_user(dst, src, limit);
	if (res == (long)limit && limit < (unsigned long)count)
		return -EFAULT;		/* ran into TASK_SIZE without a NUL */
	return res;
}
