/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* System-call numbers: i386's, as on every kprobes-sim image (ABI.md, sparc64). */
#ifndef _ASM_UNISTD_H
#define _ASM_UNISTD_H

#define __NR_exit		1
#define __NR_fork		2
#define __NR_read		3
#define __NR_write		4
#define __NR_open		5
#define __NR_close		6
#define __NR_execve		11
#define __NR_getpid		20
#define __NR_setuid		23
#define __NR_getuid		24
#define __NR_getppid		64
#define __NR_wait4		114
#define __NR_clone		120
#define __NR_sched_yield	158
#define __NR_sched_setaffinity	222
#define __NR_nanosleep		162
/* kprobes-sim's own: the probe-overhead benchmark loop (kernel/bench.c). */
#define __NR_kprobe_bench	500
#define NR_syscalls		501

#endif /* _ASM_UNISTD_H */
