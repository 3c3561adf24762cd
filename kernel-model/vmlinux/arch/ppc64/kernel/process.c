/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * The ppc64 half of processes (arch/ppc64/kernel/process.c): a new task's
 * first kernel frames, the context switch, a new program's registers, the
 * idle loop, and the hypercalls behind dump_stack().
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <asm/hypercall.h>

/* entry_64.S: ret_from_fork is a plain code label (ENTRY), not a descriptor. */
void ret_from_fork(void);
struct task_struct *__switch_to(struct task_struct *prev, struct task_struct *next);

#define SWITCH_FRAME_SIZE	(STACK_FRAME_OVERHEAD + 19 * 8 + 8)

/*
 * The child's kernel stack: the parent's user registers at the top with
 * r3 = 0 and CR0.SO clear (fork() returns 0 in the child); below them the
 * interrupt frame ret_from_except runs on, whose LR save slot sends
 * __switch_to() into ret_from_fork; below that a zeroed switch frame.
 */
void copy_thread(struct task_struct *p, unsigned long stack_start, struct pt_regs *regs)
{
	struct pt_regs *childregs = task_pt_regs(p);
	unsigned long *int_frame = (unsigned long *)((char *)childregs - STACK_FRAME_OVERHEAD);
	unsigned long *switch_frame = (unsigned long *)((char *)int_frame - SWITCH_FRAME_SIZE);

	*childregs = *regs;
	childregs->gpr[3] = 0;
	childregs->gpr[1] = stack_start;
	childregs->ccr &= ~CR0_SO;

	memset(int_frame, 0, STACK_FRAME_OVERHEAD);
	int_frame[2] = (unsigned long)ret_from_fork;	/* LR save slot */
	memset(switch_frame, 0, SWITCH_FRAME_SIZE);
	switch_frame[0] = (unsigned long)int_frame;	/* back chain */
	p->thread.ksp = (unsigned long)switch_frame;
}

/* Called by schedule() with the runqueue lock held and interrupts off. */
struct task_struct *switch_to(struct task_struct *prev, struct task_struct *next)
{
	paca[smp_processor_id()].kstack = (unsigned long)next->stack + THREAD_SIZE;
	return __switch_to(prev, next);
}

/* The registers a new program image starts with (ELF loader's start_thread). */
void start_thread(struct pt_regs *regs, unsigned long new_nip, unsigned long new_sp)
{
	regs->nip = new_nip;
	regs->gpr[1] = new_sp;
	regs->msr = MSR_USER;
}

/*
 * The idle task's loop: wait until an interrupt, reschedule when work
 * arrives. The timer tick sets need_resched when the runqueue is not
 * empty; with boot_params.preempt the interrupt exit preempts us directly.
 */
void cpu_idle(void)
{
	for (;;) {
		while (!need_resched()) {
			local_irq_disable();
			if (!need_resched())
				safe_halt();
			else
				local_irq_enable();
		}
		schedule();
	}
}

/*
 * The host prints "Call Trace:" by walking the back chain from here;
 * r3 = this function's frame (taking its address also makes gcc build it).
 */
noinline void dump_stack(void)
{
	hypercall1(HC_DUMP_STACK, (unsigned long)__builtin_frame_address(0));
}

/* The host prints "Kernel panic - not syncing: <msg>" and stops this CPU. */
void machine_panic(const char *msg)
{
	for (;;)
		hypercall1(HC_PANIC, (unsigned long)msg);
}
