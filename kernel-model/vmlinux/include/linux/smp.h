/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* CPU numbering and bring-up. */
#ifndef _LINUX_SMP_H
#define _LINUX_SMP_H

#include <linux/threads.h>
#include <linux/thread_info.h>
#include <linux/atomic.h>

#define smp_processor_id()	((int)current_thread_info()->cpu)

extern volatile int smp_boot_done;		/* secondaries spin until set */
extern unsigned long idle_stack_top[NR_CPUS];	/* their first stack pointer */
extern atomic_t cpus_online;
extern unsigned int nr_cpus;

void start_secondary(int cpu) __noreturn;
void print_cpu_info(int cpu);

#endif /* _LINUX_SMP_H */
