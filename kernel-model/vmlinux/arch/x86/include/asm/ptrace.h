/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* The register frame saved on kernel entry (asm-x86_64/ptrace.h, Linux 2.6). */
#ifndef _ASM_PTRACE_H
#define _ASM_PTRACE_H

#ifndef __ASSEMBLY__
#include <linux/types.h>

struct pt_regs {
	unsigned long r15;	/*   0 */
	unsigned long r14;	/*   8 */
	unsigned long r13;	/*  16 */
	unsigned long r12;	/*  24 */
	unsigned long rbp;	/*  32 */
	unsigned long rbx;	/*  40 */
	unsigned long r11;	/*  48 */
	unsigned long r10;	/*  56 */
	unsigned long r9;	/*  64 */
	unsigned long r8;	/*  72 */
	unsigned long rax;	/*  80 */
	unsigned long rcx;	/*  88 */
	unsigned long rdx;	/*  96 */
	unsigned long rsi;	/* 104 */
	unsigned long rdi;	/* 112 */
	unsigned long orig_rax;	/* 120: syscall number, or ~vector for interrupts */
	unsigned long rip;	/* 128: the CPU's interrupt frame from here */
	unsigned long cs;	/* 136 */
	unsigned long eflags;	/* 144 */
	unsigned long rsp;	/* 152 */
	unsigned long ss;	/* 160 */
};				/* 168 */

#define user_mode(regs)		(((regs)->cs & 3) == 3)
#define instruction_pointer(regs)	((regs)->rip)

#define X86_EFLAGS_IF	0x00000200
#define X86_EFLAGS_FIXED 0x00000002

/* The user stack pointer (sys_fork, sys_clone). */
#define user_stack_pointer(regs)	((regs)->rsp)

/* Where do_execve() leaves argc, argv and envp for the new program (in its regs). */
#define EXEC_ARGC	regs->rdi
#define EXEC_ARGV	regs->rsi
#define EXEC_ENVP	regs->rdx

#endif /* !__ASSEMBLY__ */
#endif /* _ASM_PTRACE_H */
