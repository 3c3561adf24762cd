/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* System calls: the sys_* prototypes; the numbers are per architecture. */
#ifndef _LINUX_SYSCALLS_H
#define _LINUX_SYSCALLS_H

#include <linux/types.h>
#include <asm/unistd.h>		/* __NR_*, NR_syscalls */

/*
 * Linux 2.6 numbered these calls the same on i386 and ppc64:
 *
 *			x86_64	i386, ppc64
 *	exit, fork	60, 57	1, 2
 *	read, write	0, 1	3, 4
 *	open, close	2, 3	5, 6
 *	execve		59	11
 *	getpid		39	20
 *	setuid, getuid	105, 102	23, 24
 *	getppid		110	64
 *	wait4		61	114
 *	clone		56	120
 *	sched_yield	24	158
 *	sched_setaffinity	203	241 (ppc64: 222)
 *	nanosleep	35	162
 *	kprobe_bench	500	500 (kprobes-sim's own: kernel/bench.c)
 */

struct pt_regs;

struct timespec {
	s64 tv_sec;
	s64 tv_nsec;
};

long sys_read(unsigned int fd, char __user *buf, size_t count);
long sys_write(unsigned int fd, const char __user *buf, size_t count);
long sys_open(const char __user *filename, int flags, int mode);
long sys_close(unsigned int fd);
long sys_sched_yield(void);
long sys_sched_setaffinity(pid_t pid, unsigned int len, unsigned long __user *user_mask_ptr);
long sys_nanosleep(struct timespec __user *rqtp, struct timespec __user *rmtp);
long sys_getpid(void);
long sys_clone(unsigned long clone_flags, unsigned long newsp,
	       int __user *parent_tidptr, int __user *child_tidptr);
long sys_fork(void);
long sys_execve(const char __user *filename, char __user *__user *argv,
		char __user *__user *envp);
long sys_exit(int error_code);
long sys_wait4(pid_t pid, int __user *stat_addr, int options, void __user *ru);
long sys_getuid(void);
long sys_setuid(uid_t uid);
long sys_getppid(void);
long sys_kprobe_bench(unsigned long n, unsigned long clone_flags);
long sys_ni_syscall(void);

void do_syscall(struct pt_regs *regs);

#endif /* _LINUX_SYSCALLS_H */
