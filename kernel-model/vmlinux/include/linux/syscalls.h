/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* System calls, x86_64 numbering (asm-x86_64/unistd.h). */
#ifndef _LINUX_SYSCALLS_H
#define _LINUX_SYSCALLS_H

#include <linux/types.h>

#define __NR_read		0
#define __NR_write		1
#define __NR_open		2
#define __NR_close		3
#define __NR_sched_yield	24
#define __NR_nanosleep		35
#define __NR_getpid		39
#define __NR_clone		56
#define __NR_fork		57
#define __NR_execve		59
#define __NR_exit		60
#define __NR_wait4		61
#define __NR_getuid		102
#define __NR_setuid		105
#define __NR_getppid		110
/* kprobes-sim's own: the probe-overhead benchmark loop (kernel/bench.c). */
#define __NR_kprobe_bench	500
#define NR_syscalls		501

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
