/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* The sparc64 system-call dispatcher (kernel/syscall.c has the table). */
#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/syscalls.h>
#include <asm/ptrace.h>

typedef long (*sys_call_ptr_t)(unsigned long, unsigned long, unsigned long,
			       unsigned long, unsigned long, unsigned long);

extern const sys_call_ptr_t sys_call_table[NR_syscalls];

/*
 * From linux_sparc_syscall with interrupts on: number in %g1, arguments
 * in %o0-%o5, result to %o0 (a negative errno on failure, as on x86) with
 * the icc and xcc carry bits set on failure and clear on success, as
 * Linux/sparc64 flags errors; then past the trap instruction, as Linux's
 * syscall exit does (tpc = tnpc, tnpc += 4).
 */
void do_syscall(struct pt_regs *regs)
{
	unsigned long nr = regs->u_regs[UREG_G1];
	sys_call_ptr_t fn = nr < NR_syscalls ? sys_call_table[nr] : NULL;
	long ret;

	if (likely(fn))
		ret = fn(regs->u_regs[UREG_I0], regs->u_regs[UREG_I1], regs->u_regs[UREG_I2],
			 regs->u_regs[UREG_I3], regs->u_regs[UREG_I4], regs->u_regs[UREG_I5]);
	else
		ret = sys_ni_syscall();
	regs->u_regs[UREG_I0] = ret;
	if (IS_ERR_VALUE((unsigned long)ret))
		regs->tstate |= TSTATE_ICARRY | TSTATE_XCARRY;
	else
		regs->tstate &= ~(TSTATE_ICARRY | TSTATE_XCARRY);
	regs->tpc = regs->tnpc;
	regs->tnpc += 4;
}
