/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Hypercalls to the host (ABI.md, sparc64): "ta 0x7f" with the number in
 * %g1 (the system-call number register) and the argument in %o0, so a
 * jprobed function's arguments stay in %o0-%o5. The host resumes at the
 * next instruction with every register unchanged.
 */
#ifndef _ASM_HYPERCALL_H
#define _ASM_HYPERCALL_H

#define HC_DUMP_STACK	1	/* print "Call Trace:" for the caller */
#define HC_JPROBE	2	/* jprobe entry: run the TypeScript handler */
#define HC_PANIC	3	/* %o0 = message; the host stops this CPU */

/* Software trap numbers the host takes itself (ta N: trap type 0x100 + N). */
#define TRAP_BUG	0x05	/* BUG(), gcc's __builtin_trap() */
#define TRAP_SYSCALL	0x6d	/* Linux/sparc64's 64-bit system call */
#define TRAP_KPROBE_BP	0x70	/* Linux/sparc64's kprobe breakpoint */
#define TRAP_KPROBE_BP2	0x71	/* ... and the one after a single-stepped copy */
#define TRAP_HALT	0x7e	/* wait for an interrupt (x86's hlt) */
#define TRAP_HYPERCALL	0x7f

#ifndef __ASSEMBLY__
static inline void hypercall1(unsigned long nr, unsigned long arg)
{
	register unsigned long g1 __asm__("g1") = nr;
	register unsigned long o0 __asm__("o0") = arg;

	__asm__ __volatile__("ta 0x7f" : : "r"(g1), "r"(o0) : "memory");
}
#endif

#endif /* _ASM_HYPERCALL_H */
