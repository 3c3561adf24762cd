/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * kprobe_bench(n, clone_flags): calls do_fork(clone_flags, ...) n times back
 * to back and returns the sum of the results. With flags do_fork rejects at
 * once (CLONE_THREAD without CLONE_SIGHAND: -EINVAL) each call is a handful
 * of instructions, so the cost of a probe on do_fork stands out: the spec's
 * "benchmark that hits the same probepoint repeatedly" (§6). Not a Linux
 * system call; number 500 is kprobes-sim's own.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/syscalls.h>

long sys_kprobe_bench(unsigned long n, unsigned long clone_flags)
{
	long sum = 0;
	unsigned long i;

	for (i = 0; i < n; i++)
		sum += do_fork(clone_flags, 0, NULL, 0, NULL, NULL);
	return sum;
}
