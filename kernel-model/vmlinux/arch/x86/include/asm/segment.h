/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* GDT selectors (asm-x86_64/segment.h), with one TSS slot per CPU. */
#ifndef _ASM_SEGMENT_H
#define _ASM_SEGMENT_H

#include <linux/threads.h>

#define __KERNEL32_CS	0x08
#define __KERNEL_CS	0x10
#define __KERNEL_DS	0x18
#define __USER32_CS	0x23
#define __USER_DS	0x2b
#define __USER_CS	0x33

#define GDT_ENTRY_TSS	8		/* selector 0x40: CPU 0's TSS */
#define TSS_SELECTOR(cpu)	(0x40 + 16 * (cpu))
#define GDT_ENTRIES	(GDT_ENTRY_TSS + 2 * NR_CPUS)

#endif /* _ASM_SEGMENT_H */
