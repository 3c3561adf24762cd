/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* sparc64 memory map constants shared by C and assembly (ABI.md, sparc64). */
#ifndef _ASM_PAGE_H
#define _ASM_PAGE_H

#ifdef __ASSEMBLY__
#define _AC(x, y)	x
#else
#define __AC(x, y)	x##y
#define _AC(x, y)	__AC(x, y)
#endif

#define PAGE_SHIFT	12
#define PAGE_SIZE	(_AC(1, UL) << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

/* Kernel stacks: 16 KiB, 16 KiB aligned, thread_info at the bottom. */
#define THREAD_ORDER	2
#define THREAD_SHIFT	(PAGE_SHIFT + THREAD_ORDER)
#define THREAD_SIZE	(PAGE_SIZE << THREAD_ORDER)

/*
 * Linux/sparc64's KERNBASE: the image is linked and loaded here. Linux
 * keeps user space in another MMU context at the same addresses; the sim
 * has one flat address space, so user memory is the 3 MiB below it, from
 * 0x100000 (where Linux/sparc64 links 64-bit programs) up to KERNBASE,
 * and TASK_SIZE is KERNBASE (uaccess.h).
 */
#define KERNEL_BASE	_AC(0x400000, UL)
#define USER_BASE	_AC(0x100000, UL)
#define USER_END	_AC(0x400000, UL)
#define USER_ENTRY	USER_BASE
#define USER_STACK_TOP	USER_END

#endif /* _ASM_PAGE_H */
