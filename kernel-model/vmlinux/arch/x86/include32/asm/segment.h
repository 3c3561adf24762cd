/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* GDT selectors (asm-i386/segment.h), with one TSS slot per CPU. */
#ifndef _ASM_SEGMENT_H
#define _ASM_SEGMENT_H

#include <linux/threads.h>

#define GDT_ENTRY_KERNEL_CS	12
#define GDT_ENTRY_KERNEL_DS	13
#define GDT_ENTRY_USER_CS	14
#define GDT_ENTRY_USER_DS	15
#define GDT_ENTRY_TSS		16	/* CPU n's TSS is entry 16 + n */

#define __KERNEL_CS	(GDT_ENTRY_KERNEL_CS * 8)		/* 0x60 */
#define __KERNEL_DS	(GDT_ENTRY_KERNEL_DS * 8)		/* 0x68 */
#define __USER_CS	(GDT_ENTRY_USER_CS * 8 + 3)		/* 0x73 */
#define __USER_DS	(GDT_ENTRY_USER_DS * 8 + 3)		/* 0x7b */

#define TSS_SELECTOR(cpu)	((GDT_ENTRY_TSS + (cpu)) * 8)	/* 0x80 + 8 * cpu */
#define GDT_ENTRIES	(GDT_ENTRY_TSS + NR_CPUS)

#endif /* _ASM_SEGMENT_H */
