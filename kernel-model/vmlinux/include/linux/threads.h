/* Copyright 2026 the kprobes-sim authors. MIT license. */
#ifndef _LINUX_THREADS_H
#define _LINUX_THREADS_H

/* NR_CPUS_MAX in ABI.md: boot_params.nr_cpus is 1..NR_CPUS. */
#define NR_CPUS		64

/* Default for boot_params.max_tasks when the host leaves it 0. */
#define DEFAULT_MAX_TASKS	64

#endif /* _LINUX_THREADS_H */
