/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Hypercalls to the host (ABI.md, ppc64): "sc 1", the hypervisor form of
 * sc, with the number in r0 and the argument in r3 (a system call's
 * registers), so the arguments of a jprobed function survive in r3-r10.
 */
#ifndef _ASM_HYPERCALL_H
#define _ASM_HYPERCALL_H

#define HC_DUMP_STACK	1	/* print "Call Trace:" for the caller */
#define HC_JPROBE	2	/* jprobe entry: run the TypeScript handler */
#define HC_PANIC	3	/* r3 = message; the host stops this CPU */

#ifndef __ASSEMBLY__
/*
 * LR is declared clobbered (sc 1 leaves it alone) so that the caller
 * saves its return address in the ABI's slot, 16 bytes into its caller's
 * frame: the host's back-chain walk from dump_stack() then finds it.
 */
static inline void hypercall1(unsigned long nr, unsigned long arg)
{
	register unsigned long r0 __asm__("r0") = nr;
	register unsigned long r3 __asm__("r3") = arg;

	__asm__ __volatile__("sc 1" : : "r"(r0), "r"(r3) : "memory", "lr");
}
#endif

#endif /* _ASM_HYPERCALL_H */
