/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * sparc64 machine setup: boot parameters, the per-CPU trap blocks and CPU
 * identification. The trap table is head_64.S at KERNEL_BASE (%tba).
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

struct trap_block trap_block[NR_CPUS];

void setup_trap_block(int cpu);

/* asm-offsets.h is written by hand: check it against the C layout. */
#define PT(field)	(PTREGS_OFF + offsetof(struct pt_regs, field))
_Static_assert(PT(u_regs[0]) == PT_G(0), "PT_G(0)");
_Static_assert(PT(u_regs[UREG_G7]) == PT_G(7), "PT_G(7)");
_Static_assert(PT(u_regs[UREG_I0]) == PT_I(0), "PT_I(0)");
_Static_assert(PT(u_regs[UREG_I7]) == PT_I(7), "PT_I(7)");
_Static_assert(PT(tstate) == PT_TSTATE, "PT_TSTATE");
_Static_assert(PT(tpc) == PT_TPC, "PT_TPC");
_Static_assert(PT(tnpc) == PT_TNPC, "PT_TNPC");
_Static_assert(PT(y) == PT_Y, "PT_Y");
_Static_assert(PT(magic) == PT_MAGIC, "PT_MAGIC");
_Static_assert(sizeof(struct pt_regs) == SIZEOF_PTREGS, "SIZEOF_PTREGS");
_Static_assert(PT_MAGIC + 4 < 4096, "pt_regs within a simm13 of the trap frame's %sp");
_Static_assert(offsetof(struct trap_block, kstack) == TB_KSTACK, "TB_KSTACK");
_Static_assert(offsetof(struct trap_block, scratch) == TB_SCRATCH, "TB_SCRATCH");
_Static_assert(offsetof(struct trap_block, cpu) == TB_CPU, "TB_CPU");
_Static_assert(sizeof(struct trap_block) == TB_SIZE, "TB_SIZE");
_Static_assert(offsetof(struct thread_info, flags) == TI_flags, "TI_flags");
_Static_assert(offsetof(struct thread_info, cpu) == TI_cpu, "TI_cpu");
_Static_assert(offsetof(struct thread_info, preempt_count) == TI_preempt_count, "TI_preempt_count");
_Static_assert(offsetof(struct task_struct, thread.ksp) == TASK_thread_ksp, "TASK_thread_ksp");
_Static_assert(offsetof(struct task_struct, thread.kpc) == TASK_thread_kpc, "TASK_thread_kpc");
_Static_assert(offsetof(struct boot_params, preempt) == BP_preempt, "BP_preempt");
_Static_assert(THREAD_SIZE == 16384 && THREAD_SIZE == 1 << THREAD_SHIFT, "THREAD_SIZE");

/*
 * Called by head_64.S on each CPU before C proper: scratchpad register 0
 * = this CPU's trap block, which knows, for CPU 0, swapper's stack (idle
 * tasks never return to user mode; switch_to() keeps kstack current from
 * then on).
 */
void setup_trap_block(int cpu)
{
	struct trap_block *tb = &trap_block[cpu];

	tb->cpu = cpu;
	if (cpu == 0)
		tb->kstack = (unsigned long)&init_thread_union + THREAD_SIZE;
	__asm__ __volatile__("stxa %0, [%%g0] %1\n\tmembar #Sync"
			     : : "r"(tb), "i"(ASI_SCRATCHPAD) : "memory");
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

	printk(KERN_INFO "CPU%d: kprobes-sim virtual sparc64 CPU @ %llu.%03llu MHz, trap block at %p\n",
	       cpu, khz / 1000, khz % 1000, &trap_block[cpu]);
}
