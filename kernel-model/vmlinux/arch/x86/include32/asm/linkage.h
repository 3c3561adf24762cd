/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Calling conventions and assembly symbol helpers (asm-i386/linkage.h).
 * The image is built with -mregparm=0: a C function takes its arguments
 * on the stack unless it is declared fastcall (the first three in eax,
 * edx, ecx), as 2.6 i386 did; asmlinkage says "stack" explicitly.
 */
#ifndef _ASM_LINKAGE_H
#define _ASM_LINKAGE_H

#ifdef __ASSEMBLY__
#define ALIGN		.p2align 4, 0xcc
#define ENTRY(name)	.globl name; ALIGN; .type name, @function; name:
#define END(name)	.size name, . - name
#else
/* asmlinkage is the default here: -mregparm=0 (compiler.h leaves it empty). */
#define fastcall	__attribute__((regparm(3)))
#endif

#endif /* _ASM_LINKAGE_H */
