/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * ppc64 machine setup: boot parameters, the per-CPU PACAs and CPU
 * identification. There are no descriptor tables: the interrupt vectors
 * are at fixed offsets in head_64.S.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/boot_params.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <asm/asm-offsets.h>

/* Written by the host before boot; these defaults apply to fields left 0. */
struct boot_params boot_params = {
	.mem_size	= 16 << 20,
	.nr_cpus	= 1,
	.preempt	= 0,
	.hz		= 1000,
	.max_tasks	= DEFAULT_MAX_TASKS,
	.tsc_khz	= 1000000,
};

struct paca_struct paca[NR_CPUS];

void setup_paca(int cpu);

/* asm-offsets.h is written by hand: check it against the C layout. */
#define PT(field)	(STACK_FRAME_OVERHEAD + offsetof(struct pt_regs, field))
_Static_assert(PT(gpr[0]) == GPR(0), "GPR0");
_Static_assert(PT(gpr[31]) == GPR(31), "GPR31");
_Static_assert(PT(nip) == _NIP, "_NIP");
_Static_assert(PT(msr) == _MSR, "_MSR");
_Static_assert(PT(orig_gpr3) == ORIG_GPR3, "ORIG_GPR3");
_Static_assert(PT(ctr) == _CTR, "_CTR");
_Static_assert(PT(link) == _LINK, "_LINK");
_Static_assert(PT(xer) == _XER, "_XER");
_Static_assert(PT(ccr) == _CCR, "_CCR");
_Static_assert(PT(softe) == _SOFTE, "_SOFTE");
_Static_assert(PT(trap) == _TRAP, "_TRAP");
_Static_assert(PT(dar) == _DAR, "_DAR");
_Static_assert(PT(dsisr) == _DSISR, "_DSISR");
_Static_assert(PT(result) == RESULT, "RESULT");
_Static_assert(sizeof(struct pt_regs) == SIZEOF_PTREGS, "SIZEOF_PTREGS");
_Static_assert(offsetof(struct paca_struct, kstack) == PACA_KSTACK, "PACA_KSTACK");
_Static_assert(offsetof(struct paca_struct, kernel_toc) == PACA_TOC, "PACA_TOC");
_Static_assert(offsetof(struct paca_struct, ex_r9) == PACA_EX_R9, "PACA_EX_R9");
_Static_assert(offsetof(struct paca_struct, ex_r13) == PACA_EX_R13, "PACA_EX_R13");
_Static_assert(sizeof(struct paca_struct) == PACA_SIZE, "PACA_SIZE");
_Static_assert(offsetof(struct thread_info, flags) == TI_flags, "TI_flags");
_Static_assert(offsetof(struct thread_info, cpu) == TI_cpu, "TI_cpu");
_Static_assert(offsetof(struct thread_info, preempt_count) == TI_preempt_count, "TI_preempt_count");
_Static_assert(offsetof(struct task_struct, thread.ksp) == TASK_thread_ksp, "TASK_thread_ksp");
_Static_assert(offsetof(struct boot_params, preempt) == BP_preempt, "BP_preempt");
_Static_assert(THREAD_SIZE == 16384 && THREAD_SIZE == 1 << THREAD_SHIFT, "THREAD_SIZE");

/*
 * Called by head_64.S on each CPU before C proper: SPRG3 = this CPU's
 * PACA, which knows the kernel TOC (r2 now) and, for CPU 0, swapper's
 * stack (idle tasks never return to user mode; switch_to() keeps kstack
 * current from then on).
 */
void setup_paca(int cpu)
{
	struct paca_struct *p = &paca[cpu];
	unsigned long toc;

	__asm__("mr %0,2" : "=r"(toc));
	p->kernel_toc = toc;
	p->cpu = cpu;
	if (cpu == 0)
		p->kstack = (unsigned long)&init_thread_union + THREAD_SIZE;
	__asm__ __volatile__("mtsprg 3,%0" : : "r"(p) : "memory");
}

/* Fill in what the host left out and say what we were given. */
void setup_arch(void)
{
	struct boot_params *bp = &boot_params;

	if (bp->nr_cpus == 0)
		bp->nr_cpus = 1;
	if (bp->nr_cpus > NR_CPUS)
		bp->nr_cpus = NR_CPUS;
	if (bp->hz == 0)
		bp->hz = 1000;
	if (bp->tsc_khz == 0)
		bp->tsc_khz = 1000000;
	if (bp->max_tasks == 0)
		bp->max_tasks = DEFAULT_MAX_TASKS;
	nr_cpus = bp->nr_cpus;

	printk(KERN_INFO "BIOS-provided physical RAM map:\n");
	printk(KERN_INFO " kprobes-sim: %016lx - %016lx (usable)\n",
	       KERNEL_BASE, KERNEL_BASE + (unsigned long)bp->mem_size);
	printk(KERN_INFO "Boot parameters: %u CPUs, HZ %u, TSC %llu kHz, max_tasks %u, preempt %u\n",
	       bp->nr_cpus, bp->hz, bp->tsc_khz, bp->max_tasks, bp->preempt);
}

void print_cpu_info(int cpu)
{
	u64 khz = boot_params.tsc_khz;

	printk(KERN_INFO "CPU%d: kprobes-sim virtual ppc64 CPU @ %llu.%03llu MHz, PACA at %p\n",
	       cpu, khz / 1000, khz % 1000, &paca[cpu]);
}
