/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * The generic half of .kprobes.text; the trampolines are in
 * arch/x86/kernel/kprobes_text{,_32}.S and arch/ppc64/kernel/kprobes_text.S.
 */
#include <linux/kprobes.h>
#include <linux/sched.h>

/*
 * Called with a task whose return addresses will never be used again:
 * by finish_task_switch() once a dead task is off its stack, and by
 * do_execve() for the caller. Kprobes lives in the host, which watches
 * this address to recycle the task's kretprobe instances (2.6.12 called
 * its kprobe_flush_task() from the same places).
 */
noinline void __kprobes kprobe_flush_task(struct task_struct *tk)
{
	__asm__ __volatile__("" : : "r"(tk) : "memory");
}
