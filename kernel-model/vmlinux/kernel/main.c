/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Boot (init/main.c): CPU 0 arrives in start_kernel() from startup_64 on
 * swapper's stack with interrupts off; the other CPUs wait in
 * secondary_startup_64 until smp_boot_done and enter start_secondary().
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/boot_params.h>
#include <generated/compile.h>
#include <asm/timex.h>

const char linux_banner[] =
	"Linux version " UTS_RELEASE " (" LINUX_COMPILE_BY "@" LINUX_COMPILE_HOST ") ("
	LINUX_COMPILER ") " UTS_VERSION "\n";

volatile int smp_boot_done;
unsigned long idle_stack_top[NR_CPUS];
atomic_t cpus_online = ATOMIC_INIT(1);
unsigned int nr_cpus = 1;

/*
 * init, pid 1: a user process from the start. Its user side is the host's
 * workload, which takes over when it first returns to user mode.
 */
static void create_init(void)
{
	struct pt_regs regs;
	struct task_struct *init;
	long pid;

	memset(&regs, 0, sizeof(regs));
	start_thread(&regs, USER_ENTRY, USER_STACK_TOP);
	pid = do_fork(0, USER_STACK_TOP, &regs, 0, NULL, NULL);
	if (pid < 0)
		panic("Unable to create init (error %ld)", pid);

	/* Nothing runs it yet: no other CPU is up, and ours has interrupts off. */
	spin_lock(&tasklist_lock);
	init = find_task_by_pid(pid);
	strlcpy(init->comm, "init", TASK_COMM_LEN);
	child_reaper = init;
	spin_unlock(&tasklist_lock);
}

static void smp_init(void)
{
	unsigned int cpu;
	u64 start, timeout = boot_params.tsc_khz * 100;	/* 100 ms */

	for (cpu = 1; cpu < nr_cpus; cpu++) {
		struct task_struct *idle = fork_idle(cpu);

		if (!idle)
			panic("failed fork for CPU %u", cpu);
		idle_stack_top[cpu] = (unsigned long)idle->stack + THREAD_SIZE;
		printk(KERN_INFO "Booting processor %u/%u " STACK_POINTER_NAME " %lx\n", cpu, nr_cpus,
		       idle_stack_top[cpu]);
	}
	smp_wmb();
	smp_boot_done = 1;

	start = get_cycles();
	while ((unsigned int)atomic_read(&cpus_online) < nr_cpus &&
	       get_cycles() - start < timeout)
		cpu_relax();
	if ((unsigned int)atomic_read(&cpus_online) < nr_cpus)
		printk(KERN_ERR "Only %d of %u CPUs came online\n",
		       atomic_read(&cpus_online), nr_cpus);
	printk(KERN_INFO "Brought up %d CPUs\n", atomic_read(&cpus_online));
}

void start_kernel(void)
{
	printk(KERN_NOTICE "%s", linux_banner);
	setup_arch();
	sched_init();
	mem_init();
	kmem_cache_init();
	time_init();
	fork_init();
	files_init();
	print_cpu_info(0);
	create_init();
	smp_init();

	/* Become CPU 0's idle task. */
	preempt_enable_no_resched();
	cpu_idle();
}

/* A secondary CPU, on its idle task's stack (secondary_startup_64). */
void start_secondary(int cpu)
{
	cpu_curr[cpu] = current;
	print_cpu_info(cpu);
	atomic_inc(&cpus_online);
	cpu_idle();
}
