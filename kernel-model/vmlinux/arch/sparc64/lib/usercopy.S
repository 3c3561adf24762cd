/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * The instructions that touch user memory. Each has an __ex_table entry:
 * when it faults on a user address the host resumes at the fixup, which
 * returns an error instead of oopsing. Callers have already refused
 * pointers at or above TASK_SIZE; the size checks here cover get/put_user.
 * Leaf functions: arguments and results in %o registers, return by retl.
 */
#include <linux/errno.h>
#include <asm/linkage.h>
#include <asm/uaccess.h>

	.text

/*
 * unsigned long __copy_user(void *to, const void *from, unsigned long n)
 * A byte loop; returns the bytes not copied: after a fault %o2 still
 * counts the byte that faulted.
 */
ENTRY(__copy_user)
	brz,pn	%o2, 3f
	 nop
1:	ldub	[%o1], %g1
2:	stb	%g1, [%o0]
	add	%o1, 1, %o1
	subcc	%o2, 1, %o2
	bne,pt	%xcc, 1b
	 add	%o0, 1, %o0
3:	retl
	 clr	%o0
4:	retl
	 mov	%o2, %o0
	_ASM_EXTABLE(1b, 4b)
	_ASM_EXTABLE(2b, 4b)
END(__copy_user)

/*
 * long __strncpy_from_user(char *dst, const char __user *src, long count)
 * Copies up to count bytes and the NUL; returns the length without it,
 * count when there was no NUL, or -EFAULT.
 */
ENTRY(__strncpy_from_user)
	ba,pt	%xcc, 2f
	 clr	%o3
1:	ldub	[%o1 + %o3], %g1
	stb	%g1, [%o0 + %o3]
	brz,pn	%g1, 3f
	 nop
	add	%o3, 1, %o3
2:	cmp	%o3, %o2
	bl,pt	%xcc, 1b
	 nop
3:	retl
	 mov	%o3, %o0
4:	retl
	 mov	-EFAULT, %o0
	_ASM_EXTABLE(1b, 4b)
END(__strncpy_from_user)

/*
 * int __get_user_N(unsigned long *val, const void __user *ptr)
 * *val = the zero-extended value, or 0 after a fault. Returns 0 or -EFAULT.
 */
	.macro GET_USER size, load
ENTRY(__get_user_\size)
	sethi	%hi(TASK_SIZE - \size), %o2
	or	%o2, %lo(TASK_SIZE - \size), %o2
	cmp	%o1, %o2
	bgu,pn	%xcc, bad_get_user
	 nop
1:	\load	[%o1], %o3
	stx	%o3, [%o0]
	retl
	 clr	%o0
	_ASM_EXTABLE(1b, bad_get_user)
END(__get_user_\size)
	.endm

	GET_USER 1, ldub
	GET_USER 2, lduh
	GET_USER 4, lduw
	GET_USER 8, ldx

bad_get_user:
	stx	%g0, [%o0]
	retl
	 mov	-EFAULT, %o0

/* int __put_user_N(unsigned long val, void __user *ptr): 0 or -EFAULT. */
	.macro PUT_USER size, store
ENTRY(__put_user_\size)
	sethi	%hi(TASK_SIZE - \size), %o2
	or	%o2, %lo(TASK_SIZE - \size), %o2
	cmp	%o1, %o2
	bgu,pn	%xcc, bad_put_user
	 nop
1:	\store	%o0, [%o1]
	retl
	 clr	%o0
	_ASM_EXTABLE(1b, bad_put_user)
END(__put_user_\size)
	.endm

	PUT_USER 1, stb
	PUT_USER 2, sth
	PUT_USER 4, stw
	PUT_USER 8, stx

bad_put_user:
	retl
	 mov	-EFAULT, %o0

	.section .note.GNU-stack, "", @progbits
