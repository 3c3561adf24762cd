/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Assembly symbol helpers (linux/linkage.h). Padding between asm functions is int3. */
#ifndef _ASM_LINKAGE_H
#define _ASM_LINKAGE_H

#ifdef __ASSEMBLY__
#define ALIGN		.p2align 4, 0xcc
#define ENTRY(name)	.globl name; ALIGN; .type name, @function; name:
#define END(name)	.size name, . - name
#endif

#endif /* _ASM_LINKAGE_H */
