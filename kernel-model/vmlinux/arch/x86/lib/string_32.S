/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* memcpy and memset on rep movsb / rep stosb (gcc also calls these itself). */
#include <asm/linkage.h>

	.text

/* void *memcpy(void *dest, const void *src, size_t n) */
ENTRY(memcpy)
	pushl	%edi
	pushl	%esi
	movl	12(%esp), %edi
	movl	16(%esp), %esi
	movl	20(%esp), %ecx
	movl	%edi, %eax
	rep movsb
	popl	%esi
	popl	%edi
	ret
END(memcpy)

/* void *memset(void *s, int c, size_t n) */
ENTRY(memset)
	pushl	%edi
	movl	8(%esp), %edi
	movl	12(%esp), %eax
	movl	16(%esp), %ecx
	movl	%edi, %edx
	rep stosb
	movl	%edx, %eax
	popl	%edi
	ret
END(memset)

	.section .note.GNU-stack, "", @progbits
