/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* The register frame saved on kernel entry (asm-ppc64/ptrace.h, Linux 2.6). */
#ifndef _ASM_PTRACE_H
#define _ASM_PTRACE_H

#include <asm/page.h>

/* MSR bits */
#define MSR_SF		_AC(0x8000000000000000, UL)	/* 64-bit mode */
#define MSR_EE		_AC(0x8000, UL)		/* external interrupts (decrementer) enabled */
#define MSR_PR		_AC(0x4000, UL)		/* problem state: user mode */
#define MSR_FP		_AC(0x2000, UL)
#define MSR_ME		_AC(0x1000, UL)		/* machine check enable */
#define MSR_SE		_AC(0x0400, UL)		/* single-step trace */
#define MSR_BE		_AC(0x0200, UL)
#define MSR_IR		_AC(0x0020, UL)
#define MSR_DR		_AC(0x0010, UL)
#define MSR_RI		_AC(0x0002, UL)		/* recoverable interrupt */

/* The kernel's MSR and a user program's (the sim has no MMU: IR/DR stay 0). */
#define MSR_KERNEL	(MSR_SF | MSR_ME | MSR_RI)
#define MSR_USER	(MSR_KERNEL | MSR_PR | MSR_EE)

/* CR0's summary-overflow bit: set on return from a failed system call. */
#define CR0_SO		0x10000000

/* The ELFv1 stack frame: back chain, CR, LR, 2 words, TOC, 8 parameter words. */
#define STACK_FRAME_OVERHEAD	112
/* Below r1 the ABI lets leaf functions use 288 bytes: interrupts skip them. */
#define USER_REDZONE_SIZE	288

#ifndef __ASSEMBLY__
#include <linux/types.h>

struct pt_regs {
	unsigned long gpr[32];	/*   0 */
	unsigned long nip;	/* 256 */
	unsigned long msr;	/* 264 */
	unsigned long orig_gpr3; /* 272: r3 at system-call entry */
	unsigned long ctr;	/* 280 */
	unsigned long link;	/* 288 */
	unsigned long xer;	/* 296 */
	unsigned long ccr;	/* 304 */
	unsigned long softe;	/* 312: unused (0) */
	unsigned long trap;	/* 320: the vector, 0x900 or 0xc00 */
	unsigned long dar;	/* 328: unused here (0) */
	unsigned long dsisr;	/* 336: unused here (0) */
	unsigned long result;	/* 344: unused (0) */
};				/* 352 */

#define user_mode(regs)		(((regs)->msr & MSR_PR) != 0)
#define instruction_pointer(regs)	((regs)->nip)

/* The user stack pointer (sys_fork, sys_clone). */
#define user_stack_pointer(regs)	((regs)->gpr[1])

/*
 * Where do_execve() leaves argc, argv and envp for the new program (in
 * its regs): r4-r6, because r3 carries execve()'s own result, 0.
 */
#define EXEC_ARGC	regs->gpr[4]
#define EXEC_ARGV	regs->gpr[5]
#define EXEC_ENVP	regs->gpr[6]

#endif /* !__ASSEMBLY__ */
#endif /* _ASM_PTRACE_H */
