/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* memcpy and memset as byte loops on CTR (gcc also calls these itself). */
#include <asm/linkage.h>

	.text

/* void *memcpy(void *dest, const void *src, size_t n) */
_GLOBAL(memcpy)
	cmpdi	r5, 0
	mr	r6, r3
	beqlr
	mtctr	r5
1:	lbz	r0, 0(r4)
	stb	r0, 0(r6)
	addi	r4, r4, 1
	addi	r6, r6, 1
	bdnz	1b
	blr
_END(memcpy)

/* void *memset(void *s, int c, size_t n) */
_GLOBAL(memset)
	cmpdi	r5, 0
	mr	r6, r3
	beqlr
	mtctr	r5
1:	stb	r4, 0(r6)
	addi	r6, r6, 1
	bdnz	1b
	blr
_END(memset)

	.section .note.GNU-stack, "", @progbits
