/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* vmcall hypercalls to the host (ABI.md, Hypercalls). */
#ifndef _ASM_HYPERCALL_H
#define _ASM_HYPERCALL_H

#define HC_DUMP_STACK	1	/* print "Call Trace:" for the caller */
#define HC_JPROBE	2	/* jprobe entry: run the TypeScript handler */
#define HC_PANIC	3	/* rdi = message; the host stops this CPU */

#ifndef __ASSEMBLY__
static inline void hypercall1(unsigned long nr, unsigned long arg)
{
	__asm__ __volatile__("vmcall" : : "a"(nr), "D"(arg) : "memory");
}
#endif

#endif /* _ASM_HYPERCALL_H */
