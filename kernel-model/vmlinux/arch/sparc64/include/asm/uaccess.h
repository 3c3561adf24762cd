/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* The sparc64 half of user access: TASK_SIZE and the fault-fixed primitives. */
#ifndef _ASM_UACCESS_H
#define _ASM_UACCESS_H

#include <asm/page.h>

/*
 * User memory ends where the kernel begins (page.h): every pointer at or
 * above KERNBASE is refused before it is touched, as on the other images.
 */
#define TASK_SIZE	KERNEL_BASE

#ifdef __ASSEMBLY__
/* An exception-table entry: if @insn faults, the host resumes at @fixup. */
#define _ASM_EXTABLE(insn, fixup)		\
	.pushsection __ex_table, "a";		\
	.balign 8;				\
	.xword insn, fixup;			\
	.popsection
#else
#include <linux/compiler.h>

struct exception_table_entry {
	unsigned long insn, fixup;
};

int __get_user_1(unsigned long *val, const void __user *ptr);
int __get_user_2(unsigned long *val, const void __user *ptr);
int __get_user_4(unsigned long *val, const void __user *ptr);
int __get_user_8(unsigned long *val, const void __user *ptr);
int __put_user_1(unsigned long val, void __user *ptr);
int __put_user_2(unsigned long val, void __user *ptr);
int __put_user_4(unsigned long val, void __user *ptr);
int __put_user_8(unsigned long val, void __user *ptr);
unsigned long __copy_user(void *to, const void *from, unsigned long n);
long __strncpy_from_user(char *dst, const char __user *src, long count);
#endif

#endif /* _ASM_UACCESS_H */
