/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* The i386 half of user access: TASK_SIZE and the fault-fixed primitives. */
#ifndef _ASM_UACCESS_H
#define _ASM_UACCESS_H

#include <asm/page.h>

#define TASK_SIZE	_AC(0xc0000000, UL)

#ifdef __ASSEMBLY__
/* An exception-table entry: if @insn faults, the host resumes at @fixup. */
#define _ASM_EXTABLE(insn, fixup)		\
	.pushsection __ex_table, "a";		\
	.balign 4;				\
	.long insn, fixup;			\
	.popsection
#else
#include <linux/compiler.h>

struct exception_table_entry {
	unsigned long insn, fixup;
};

/* arch/x86/lib/usercopy_32.S: each returns 0 or -EFAULT (no 8-byte forms). */
int __get_user_1(unsigned long *val, const void __user *ptr);
int __get_user_2(unsigned long *val, const void __user *ptr);
int __get_user_4(unsigned long *val, const void __user *ptr);
int __get_user_8(unsigned long *val, const void __user *ptr);
int __put_user_1(unsigned long val, void __user *ptr);
int __put_user_2(unsigned long val, void __user *ptr);
int __put_user_4(unsigned long val, void __user *ptr);
int __put_user_8(unsigned long val, void __user *ptr);
/* Returns the number of bytes not copied. */
unsigned long __copy_user(void *to, const void *from, unsigned long n);
/* Returns the string length (count if no NUL was found) or -EFAULT. */
long __strncpy_from_user(char *dst, const char __user *src, long count);
#endif

#endif /* _ASM_UACCESS_H */
