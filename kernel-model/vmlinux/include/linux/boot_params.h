/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Written by the host before CPU 0 starts (ABI.md, boot_params). */
#ifndef _LINUX_BOOT_PARAMS_H
#define _LINUX_BOOT_PARAMS_H

#include <linux/types.h>

struct boot_params {
	u64 mem_size;		/*  0: bytes of kernel RAM from KERNEL_BASE */
	u32 nr_cpus;		/*  8: 1..NR_CPUS */
	u32 preempt;		/* 12: 1 = CONFIG_PREEMPT behaviour */
	u32 hz;			/* 16: timer interrupts per second */
	u32 max_tasks;		/* 20: do_fork() fails with -EAGAIN at this many tasks */
	u64 tsc_khz;		/* 24: TSC ticks (retired instructions) per ms */
};

_Static_assert(offsetof(struct boot_params, mem_size) == 0, "ABI: boot_params.mem_size");
_Static_assert(offsetof(struct boot_params, nr_cpus) == 8, "ABI: boot_params.nr_cpus");
_Static_assert(offsetof(struct boot_params, preempt) == 12, "ABI: boot_params.preempt");
_Static_assert(offsetof(struct boot_params, hz) == 16, "ABI: boot_params.hz");
_Static_assert(offsetof(struct boot_params, max_tasks) == 20, "ABI: boot_params.max_tasks");
_Static_assert(offsetof(struct boot_params, tsc_khz) == 24, "ABI: boot_params.tsc_khz");
_Static_assert(sizeof(struct boot_params) == 32, "ABI: sizeof(boot_params)");

extern struct boot_params boot_params;

void setup_arch(void);

#endif /* _LINUX_BOOT_PARAMS_H */
