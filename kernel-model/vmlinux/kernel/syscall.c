/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* The system-call table, its dispatcher, and the one-line system calls. */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/errno.h>
#include <linux/syscalls.h>

typedef long (*sys_call_ptr_t)(unsigned long, unsigned long, unsigned long,
			       unsigned long, unsigned long, unsigned long);

/* void (*)(void) converts to any function type without a warning. */
#define SYSCALL(nr, fn)	[nr] = (sys_call_ptr_t)(void (*)(void))(fn)

const sys_call_ptr_t sys_call_table[NR_syscalls] = {
	SYSCALL(__NR_read, sys_read),
	SYSCALL(__NR_write, sys_write),
	SYSCALL(__NR_open, sys_open),
	SYSCALL(__NR_close, sys_close),
	SYSCALL(__NR_sched_yield, sys_sched_yield),
	SYSCALL(__NR_sched_setaffinity, sys_sched_setaffinity),
	SYSCALL(__NR_nanosleep, sys_nanosleep),
	SYSCALL(__NR_getpid, sys_getpid),
	SYSCALL(__NR_clone, sys_clone),
	SYSCALL(__NR_fork, sys_fork),
	SYSCALL(__NR_execve, sys_execve),
	SYSCALL(__NR_exit, sys_exit),
	SYSCALL(__NR_wait4, sys_wait4),
	SYSCALL(__NR_getuid, sys_getuid),
	SYSCALL(__NR_setuid, sys_setuid),
	SYSCALL(__NR_getppid, sys_getppid),
	SYSCALL(__NR_kprobe_bench, sys_kprobe_bench),
};

long sys_ni_syscall(void)
{
	return -ENOSYS;
}
#ifdef __x86_64__	/* i386, ppc64: arch/x86/kernel/syscall_32.c, arch/ppc64/kernel/syscall.c */
/*
 * From entry_INT80 with interrupts on: number in orig_rax, arguments in
 * rdi, rsi, rdx, r10, r8, r9 (the x86_64 convention), result to rax.
 */
asmlinkage void do_syscall(struct pt_regs *regs)
{
	unsigned long nr = regs->orig_rax;
	sys_call_ptr_t fn = nr < NR_syscalls ? sys_call_table[nr] : NULL;

	if (likely(fn))
		regs->rax = fn(regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8, regs->r9);
	else
		regs->rax = sys_ni_syscall();
}
#endif
long sys_getpid(void)
{
	return current->pid;
}

long sys_getppid(void)
{
	return current->parent->pid;
}

long sys_getuid(void)
{
	return current->uid;
}

/* Root may become anyone; others only themselves. */
long sys_setuid(uid_t uid)
{
	struct task_struct *tsk = current;

	if (tsk->uid != 0 && uid != tsk->uid)
		return -EPERM;
	tsk->uid = uid;
	return 0;
}
