/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Assembly symbol helpers (asm-ppc64/ppc_asm.h). The image follows the
 * 64-bit ELFv1 ABI as Linux/ppc64 2.6 built it (-mcall-aixdesc): a C
 * function "foo" is a function descriptor in .opd { entry, TOC, 0 } and
 * ".foo" is its code. _GLOBAL() makes both for an assembly function
 * that C calls; ENTRY() makes a plain code label for the host-facing
 * entry points (vectors, trampolines), which no C code calls.
 * Arguments are in r3-r10 either way: no asmlinkage, no fastcall.
 */
#ifndef _ASM_LINKAGE_H
#define _ASM_LINKAGE_H

#ifdef __ASSEMBLY__
#define ENTRY(name)	.globl name; .balign 4; .type name, @function; name:
#define END(name)	.size name, . - name

#define _GLOBAL(name)					\
	.section ".opd", "aw";				\
	.balign 8;					\
	.globl name;					\
name:	.quad .name, .TOC.@tocbase, 0;			\
	.size name, 24;					\
	.previous;					\
	.globl .name;					\
	.balign 4;					\
	.type .name, @function;				\
.name:
#define _END(name)	.size .name, . - .name

/* Load a 64-bit absolute address or constant (LOAD_REG_IMMEDIATE in Linux). */
#define LOAD_REG_IMMEDIATE(reg, expr)	\
	lis	reg, (expr)@highest;	\
	ori	reg, reg, (expr)@higher;	\
	rldicr	reg, reg, 32, 31;	\
	oris	reg, reg, (expr)@high;	\
	ori	reg, reg, (expr)@l
#endif

#endif /* _ASM_LINKAGE_H */
