/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * The instructions that touch user memory. Each has an __ex_table entry:
 * when it faults on a user address the host resumes at the fixup, which
 * returns an error instead of oopsing. Callers have already refused
 * pointers at or above TASK_SIZE; the size checks here cover get/put_user.
 * Arguments are on the stack (cdecl).
 */
#include <linux/errno.h>
#include <asm/linkage.h>
#include <asm/uaccess.h>

	.text

/*
 * unsigned long __copy_user(void *to, const void *from, unsigned long n)
 * Returns the bytes not copied: a faulting rep movsb leaves ecx = the
 * bytes still to go, as the hardware does (0 when it completes).
 */
ENTRY(__copy_user)
	pushl	%edi
	pushl	%esi
	movl	12(%esp), %edi
	movl	16(%esp), %esi
	movl	20(%esp), %ecx
1:	rep movsb
2:	movl	%ecx, %eax
	popl	%esi
	popl	%edi
	ret
	_ASM_EXTABLE(1b, 2b)
END(__copy_user)

/*
 * long __strncpy_from_user(char *dst, const char __user *src, long count)
 * Copies up to count bytes and the NUL; returns the length without it,
 * count when there was no NUL, or -EFAULT.
 */
ENTRY(__strncpy_from_user)
	pushl	%edi
	pushl	%esi
	movl	12(%esp), %edi
	movl	16(%esp), %esi
	movl	20(%esp), %edx
	xorl	%ecx, %ecx
	jmp	2f
1:	movb	(%esi, %ecx), %al
	movb	%al, (%edi, %ecx)
	testb	%al, %al
	jz	3f
	incl	%ecx
2:	cmpl	%edx, %ecx
	jb	1b
3:	movl	%ecx, %eax
4:	popl	%esi
	popl	%edi
	ret
5:	movl	$-EFAULT, %eax
	jmp	4b
	_ASM_EXTABLE(1b, 5b)
END(__strncpy_from_user)

/*
 * int __get_user_N(unsigned long *val, const void __user *ptr)
 * *val = the zero-extended value, or 0 after a fault. Returns 0 or -EFAULT.
 */
	.macro GET_USER size, load
ENTRY(__get_user_\size)
	movl	8(%esp), %edx
	cmpl	$(TASK_SIZE - \size), %edx
	ja	bad_get_user
1:	\load
	movl	4(%esp), %ecx
	movl	%eax, (%ecx)
	xorl	%eax, %eax
	ret
	_ASM_EXTABLE(1b, bad_get_user)
END(__get_user_\size)
	.endm

	GET_USER 1, "movzbl (%edx), %eax"
	GET_USER 2, "movzwl (%edx), %eax"
	GET_USER 4, "movl (%edx), %eax"

	ALIGN
bad_get_user:
	movl	4(%esp), %ecx
	movl	$0, (%ecx)
	movl	$-EFAULT, %eax
	ret
END(bad_get_user)

/* int __put_user_N(unsigned long val, void __user *ptr): 0 or -EFAULT. */
	.macro PUT_USER size, store
ENTRY(__put_user_\size)
	movl	8(%esp), %edx
	cmpl	$(TASK_SIZE - \size), %edx
	ja	bad_put_user
	movl	4(%esp), %eax
1:	\store
	xorl	%eax, %eax
	ret
	_ASM_EXTABLE(1b, bad_put_user)
END(__put_user_\size)
	.endm

	PUT_USER 1, "movb %al, (%edx)"
	PUT_USER 2, "movw %ax, (%edx)"
	PUT_USER 4, "movl %eax, (%edx)"

	ALIGN
bad_put_user:
	movl	$-EFAULT, %eax
	ret
END(bad_put_user)

	.section .note.GNU-stack, "", @progbits
