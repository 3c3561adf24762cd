/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* The ppc64 system-call dispatcher (kernel/syscall.c has the table). */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/syscalls.h>
#include <asm/ptrace.h>

typedef long (*sys_call_ptr_t)(unsigned long, unsigned long, unsigned long,
			       unsigned long, unsigned long, unsigned long);

extern const sys_call_ptr_t sys_call_table[NR_syscalls];

/*
 * From system_call_common with interrupts on: number in r0, arguments in
 * r3-r8, result to r3 (a negative errno on failure, as on x86) with
 * CR0.SO set on failure and clear on success, as Linux/ppc64 flags errors.
 */
void do_syscall(struct pt_regs *regs)
{
	unsigned long nr = regs->gpr[0];
	sys_call_ptr_t fn = nr < NR_syscalls ? sys_call_table[nr] : NULL;
	long ret;

	if (likely(fn))
		ret = fn(regs->gpr[3], regs->gpr[4], regs->gpr[5], regs->gpr[6],
			 regs->gpr[7], regs->gpr[8]);
	else
		ret = sys_ni_syscall();
	regs->gpr[3] = ret;
	if (IS_ERR_VALUE((unsigned long)ret))
		regs->ccr |= CR0_SO;
	else
		regs->ccr &= ~CR0_SO;
}
