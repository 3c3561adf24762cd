/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Assembly symbol helpers (linux/linkage.h). Padding between asm functions is illtrap 0. */
#ifndef _ASM_LINKAGE_H
#define _ASM_LINKAGE_H

#ifdef __ASSEMBLY__
#define ENTRY(name)	.globl name; .balign 4; .type name, @function; name:
#define END(name)	.size name, . - name
#endif

#endif /* _ASM_LINKAGE_H */
