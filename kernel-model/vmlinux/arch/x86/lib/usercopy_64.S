/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * The instructions that touch user memory. Each has an __ex_table entry:
 * when it faults on a user address the host resumes at the fixup, which
 * returns an error instead of oopsing. Callers have already refused
 * pointers at or above TASK_SIZE; the size checks here cover get/put_user.
 */
#include <linux/errno.h>
#include <asm/linkage.h>
#include <asm/uaccess.h>

	.text

/*
 * unsigned long __copy_user(void *to, const void *from, unsigned long n)
 * Returns the bytes not copied: a faulting rep movsb leaves rcx = the
 * bytes still to go, as the hardware does.
 */
ENTRY(__copy_user)
	movq	%rdx, %rcx
1:	rep movsb
	xorl	%eax, %eax
	ret
2:	movq	%rcx, %rax
	ret
	_ASM_EXTABLE(1b, 2b)
END(__copy_user)

/*
 * long __strncpy_from_user(char *dst, const char __user *src, long count)
 * Copies up to count bytes and the NUL; returns the length without it,
 * count when there was no NUL, or -EFAULT.
 */
ENTRY(__strncpy_from_user)
	xorl	%ecx, %ecx
	jmp	2f
1:	movb	(%rsi, %rcx), %al
	movb	%al, (%rdi, %rcx)
	testb	%al, %al
	jz	3f
	incq	%rcx
2:	cmpq	%rdx, %rcx
	jb	1b
3:	movq	%rcx, %rax
	ret
4:	movq	$-EFAULT, %rax
	ret
	_ASM_EXTABLE(1b, 4b)
END(__strncpy_from_user)

/*
 * int __get_user_N(unsigned long *val, const void __user *ptr)
 * *val = the zero-extended value, or 0 after a fault. Returns 0 or -EFAULT.
 */
	.macro GET_USER size, load
ENTRY(__get_user_\size)
	movabsq	$(TASK_SIZE - \size), %rax
	cmpq	%rax, %rsi
	ja	bad_get_user
1:	\load
	movq	%rax, (%rdi)
	xorl	%eax, %eax
	ret
	_ASM_EXTABLE(1b, bad_get_user)
END(__get_user_\size)
	.endm

	GET_USER 1, "movzbl (%rsi), %eax"
	GET_USER 2, "movzwl (%rsi), %eax"
	GET_USER 4, "movl (%rsi), %eax"
	GET_USER 8, "movq (%rsi), %rax"

	ALIGN
bad_get_user:
	movq	$0, (%rdi)
	movl	$-EFAULT, %eax
	ret
END(bad_get_user)

/* int __put_user_N(unsigned long val, void __user *ptr): 0 or -EFAULT. */
	.macro PUT_USER size, store
ENTRY(__put_user_\size)
	movabsq	$(TASK_SIZE - \size), %rax
	cmpq	%rax, %rsi
	ja	bad_put_user
1:	\store
	xorl	%eax, %eax
	ret
	_ASM_EXTABLE(1b, bad_put_user)
END(__put_user_\size)
	.endm

	PUT_USER 1, "movb %dil, (%rsi)"
	PUT_USER 2, "movw %di, (%rsi)"
	PUT_USER 4, "movl %edi, (%rsi)"
	PUT_USER 8, "movq %rdi, (%rsi)"

	ALIGN
bad_put_user:
	movl	$-EFAULT, %eax
	ret
END(bad_put_user)

	.section .note.GNU-stack, "", @progbits
