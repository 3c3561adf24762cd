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
 * A byte loop on CTR; returns the bytes not copied: after a fault CTR
 * still counts the byte that faulted.
 */
_GLOBAL(__copy_user)
	cmpdi	r5, 0
	beq	3f
	mtctr	r5
1:	lbz	r0, 0(r4)
2:	stb	r0, 0(r3)
	addi	r4, r4, 1
	addi	r3, r3, 1
	bdnz	1b
3:	li	r3, 0
	blr
4:	mfctr	r3
	blr
	_ASM_EXTABLE(1b, 4b)
	_ASM_EXTABLE(2b, 4b)
_END(__copy_user)

/*
 * long __strncpy_from_user(char *dst, const char __user *src, long count)
 * Copies up to count bytes and the NUL; returns the length without it,
 * count when there was no NUL, or -EFAULT.
 */
_GLOBAL(__strncpy_from_user)
	li	r6, 0
	b	2f
1:	lbzx	r0, r4, r6
	stbx	r0, r3, r6
	cmpwi	r0, 0
	beq	3f
	addi	r6, r6, 1
2:	cmpld	r6, r5
	blt	1b
3:	mr	r3, r6
	blr
4:	li	r3, -EFAULT
	blr
	_ASM_EXTABLE(1b, 4b)
_END(__strncpy_from_user)

/* r5 = TASK_SIZE - size: the highest address a size-byte access may start at. */
	.macro TASK_LIMIT size
	li	r5, 1
	sldi	r5, r5, 40		/* TASK_SIZE */
	addi	r5, r5, -\size
	.endm

/*
 * int __get_user_N(unsigned long *val, const void __user *ptr)
 * *val = the zero-extended value, or 0 after a fault. Returns 0 or -EFAULT.
 */
	.macro GET_USER size, load
_GLOBAL(__get_user_\size)
	TASK_LIMIT \size
	cmpld	r4, r5
	bgt	bad_get_user
1:	\load	r6, 0(r4)
	std	r6, 0(r3)
	li	r3, 0
	blr
	_ASM_EXTABLE(1b, bad_get_user)
_END(__get_user_\size)
	.endm

	GET_USER 1, lbz
	GET_USER 2, lhz
	GET_USER 4, lwz
	GET_USER 8, ld

bad_get_user:
	li	r6, 0
	std	r6, 0(r3)
	li	r3, -EFAULT
	blr

/* int __put_user_N(unsigned long val, void __user *ptr): 0 or -EFAULT. */
	.macro PUT_USER size, store
_GLOBAL(__put_user_\size)
	TASK_LIMIT \size
	cmpld	r4, r5
	bgt	bad_put_user
1:	\store	r3, 0(r4)
	li	r3, 0
	blr
	_ASM_EXTABLE(1b, bad_put_user)
_END(__put_user_\size)
	.endm

	PUT_USER 1, stb
	PUT_USER 2, sth
	PUT_USER 4, stw
	PUT_USER 8, std

bad_put_user:
	li	r3, -EFAULT
	blr

	.section .note.GNU-stack, "", @progbits
