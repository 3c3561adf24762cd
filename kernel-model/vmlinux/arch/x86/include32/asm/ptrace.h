/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* The register frame saved on kernel entry (asm-i386/ptrace.h, Linux 2.6). */
#ifndef _ASM_PTRACE_H
#define _ASM_PTRACE_H

#ifndef __ASSEMBLY__
#include <linux/types.h>

/*
 * The first six slots are the system-call arguments in i386 order. An
 * interrupt of kernel code pushes no esp/xss: the frame ends at eflags
 * and the interrupted stack pointer is &regs->esp, as on Linux i386.
 */
struct pt_regs {
	unsigned long ebx;	/*  0 */
	unsigned long ecx;	/*  4 */
	unsigned long edx;	/*  8 */
	unsigned long esi;	/* 12 */
	unsigned long edi;	/* 16 */
	unsigned long ebp;	/* 20 */
	unsigned long eax;	/* 24 */
	unsigned long xds;	/* 28 */
	unsigned long xes;	/* 32 */
	unsigned long orig_eax;	/* 36: syscall number, or ~vector for interrupts */
	unsigned long eip;	/* 40: the CPU's interrupt frame from here */
	unsigned long xcs;	/* 44 */
	unsigned long eflags;	/* 48 */
	unsigned long esp;	/* 52: only from user mode */
	unsigned long xss;	/* 56: only from user mode */
};				/* 60 */

#define user_mode(regs)		(((regs)->xcs & 3) == 3)
#define instruction_pointer(regs)	((regs)->eip)

#define X86_EFLAGS_IF	0x00000200
#define X86_EFLAGS_FIXED 0x00000002

/* The user stack pointer (sys_fork, sys_clone). */
#define user_stack_pointer(regs)	((regs)->esp)

/* Where do_execve() leaves argc, argv and envp for the new program (in its regs). */
#define EXEC_ARGC	regs->ebx
#define EXEC_ARGV	regs->ecx
#define EXEC_ENVP	regs->edx

#endif /* !__ASSEMBLY__ */
#endif /* _ASM_PTRACE_H */
