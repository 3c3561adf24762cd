/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* memcpy and memset as byte loops (gcc also calls these itself). */
#include <asm/linkage.h>

	.text

/* void *memcpy(void *dest, const void *src, size_t n) */
ENTRY(memcpy)
	brz,pn	%o2, 2f
	 mov	%o0, %o3
1:	ldub	[%o1], %g1
	stb	%g1, [%o3]
	add	%o1, 1, %o1
	subcc	%o2, 1, %o2
	bne,pt	%xcc, 1b
	 add	%o3, 1, %o3
2:	retl
	 nop
END(memcpy)

/* void *memset(void *s, int c, size_t n) */
ENTRY(memset)
	brz,pn	%o2, 2f
	 mov	%o0, %o3
1:	stb	%o1, [%o3]
	subcc	%o2, 1, %o2
	bne,pt	%xcc, 1b
	 add	%o3, 1, %o3
2:	retl
	 nop
END(memset)

	.section .note.GNU-stack, "", @progbits
