/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* memcpy and memset on rep movsb / rep stosb (gcc also calls these itself). */
#include <asm/linkage.h>

	.text

/* void *memcpy(void *dest, const void *src, size_t n) */
ENTRY(memcpy)
	movq	%rdi, %rax
	movq	%rdx, %rcx
	rep movsb
	ret
END(memcpy)

/* void *memset(void *s, int c, size_t n) */
ENTRY(memset)
	movq	%rdi, %r9
	movl	%esi, %eax
	movq	%rdx, %rcx
	rep stosb
	movq	%r9, %rax
	ret
END(memset)

	.section .note.GNU-stack, "", @progbits
