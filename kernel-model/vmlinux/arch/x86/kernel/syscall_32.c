/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* The i386 system-call dispatcher (kernel/syscall.c has the table). */
#include <linux/kernel.h>
#include <linux/syscalls.h>
#include <asm/ptrace.h>

typedef long (*sys_call_ptr_t)(unsigned long, unsigned long, unsigned long,
			       unsigned long, unsigned long, unsigned long);

extern const sys_call_ptr_t sys_call_table[NR_syscalls];

/*
 * From entry_INT80 with interrupts on: number in orig_eax, arguments in
 * ebx, ecx, edx, esi, edi, ebp (the i386 convention), result to eax.
 * The sys_* functions get copies on the stack (asmlinkage), so they
 * cannot change the user's registers by writing to their arguments.
 */
asmlinkage void do_syscall(struct pt_regs *regs)
{
	unsigned long nr = regs->orig_eax;
	sys_call_ptr_t fn = nr < NR_syscalls ? sys_call_table[nr] : NULL;

	if (likely(fn))
		regs->eax = fn(regs->ebx, regs->ecx, regs->edx, regs->esi, regs->edi, regs->ebp);
	else
		regs->eax = sys_ni_syscall();
}
