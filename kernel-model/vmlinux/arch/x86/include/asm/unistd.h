/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* x86_64 system-call numbers (asm-x86_64/unistd.h in 2.6). */
#ifndef _ASM_UNISTD_H
#define _ASM_UNISTD_H

#define __NR_read		0
#define __NR_write		1
#define __NR_open		2
#define __NR_close		3
#define __NR_sched_yield	24
#define __NR_sched_setaffinity	203
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

#endif /* _ASM_UNISTD_H */
