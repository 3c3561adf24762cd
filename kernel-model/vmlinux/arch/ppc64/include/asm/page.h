/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* ppc64 memory map constants shared by C and assembly (ABI.md, ppc64). */
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

/* Kernel stacks: 16 KiB, 16 KiB aligned, struct thread_info at the bottom. */
#define THREAD_ORDER	2
#define THREAD_SHIFT	(PAGE_SHIFT + THREAD_ORDER)
#define THREAD_SIZE	(PAGE_SIZE << THREAD_ORDER)

/*
 * The image is linked and loaded here, at Linux's PAGE_OFFSET: its first
 * 0x1000 bytes are the interrupt vectors (KERNEL_BASE + 0x900, + 0xc00).
 * Kernel RAM is [KERNEL_BASE, +mem_size).
 */
#define KERNEL_BASE	_AC(0xc000000000000000, UL)

/* User memory shared by all tasks, and what execve() hands a new image. */
#define USER_BASE	_AC(0x400000, UL)
#define USER_END	_AC(0x800000, UL)
#define USER_ENTRY	USER_BASE
#define USER_STACK_TOP	USER_END

#endif /* _ASM_PAGE_H */
