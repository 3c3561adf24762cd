/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * The sparc64 half of processes (arch/sparc64/kernel/process.c): a new
 * task's first kernel frame, the context switch, a new program's
 * registers, the idle loop, and the hypercalls behind dump_stack().
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <asm/hypercall.h>

/* entry_64.S */
void ret_from_fork(void);
struct task_struct *__switch_to(struct task_struct *prev, struct task_struct *next);

/*
 * The child's kernel stack: the parent's user registers at the top with
 * %o0 = 0 and the carry bits clear (fork() returns 0 in the child), moved
 * past the trap instruction as do_syscall() moves the parent; below them
 * the trap frame rtrap runs on, whose zeroed window save area is the
 * window __switch_to() loads (%fp = 0 ends the frame chain), with %o7
 * sending it into ret_from_fork.
 */
void copy_thread(struct task_struct *p, unsigned long stack_start, struct pt_regs *regs)
{
	struct pt_regs *childregs = task_pt_regs(p);
	char *trap_frame = (char *)childregs - STACKFRAME_SZ;

	/*
	 * stack_start is a user %sp from fork() or clone() (biased, so odd),
	 * or create_init()'s USER_STACK_TOP, the top of a new user stack: that
	 * one gets its first frame below the top, as start_thread() gives it.
	 * (Unbiased, the window's save area would be misaligned, and rtrap's
	 * fill of the user window would fault.)
	 */
	if (!(stack_start & 1))
		stack_start -= STACKFRAME_SZ + STACK_BIAS;
	*childregs = *regs;
	childregs->u_regs[UREG_I0] = 0;
	childregs->u_regs[UREG_FP] = stack_start;
	childregs->tstate &= ~(TSTATE_ICARRY | TSTATE_XCARRY);
	childregs->tpc = regs->tnpc;
	childregs->tnpc = regs->tnpc + 4;

	memset(trap_frame, 0, STACKFRAME_SZ);
	p->thread.ksp = (unsigned long)trap_frame - STACK_BIAS;
	p->thread.kpc = (unsigned long)ret_from_fork - 8;
}

/* Called by schedule() with the runqueue lock held and interrupts off. */
struct task_struct *switch_to(struct task_struct *prev, struct task_struct *next)
{
	trap_block[smp_processor_id()].kstack = (unsigned long)next->stack + THREAD_SIZE;
	return __switch_to(prev, next);
}

/* The registers a new program image starts with (ELF loader's start_thread). */
void start_thread(struct pt_regs *regs, unsigned long new_pc, unsigned long new_sp)
{
	regs->tpc = new_pc;
	regs->tnpc = new_pc + 4;
	regs->u_regs[UREG_FP] = new_sp - STACKFRAME_SZ - STACK_BIAS;
	regs->tstate = TSTATE_USER;
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
 * The host prints "Call Trace:" from the window save areas: flushw puts
 * every window on the stack first, and %o0 = this function's own %sp +
 * STACK_BIAS (taking the frame address also makes gcc open a window).
 */
noinline void dump_stack(void)
{
	unsigned long sp;

	__asm__ __volatile__("flushw\n\tmov %%sp, %0" : "=r"(sp) : "r"(__builtin_frame_address(0)) : "memory");
	hypercall1(HC_DUMP_STACK, sp + STACK_BIAS);
}

/* The host prints "Kernel panic - not syncing: <msg>" and stops this CPU. */
void machine_panic(const char *msg)
{
	for (;;)
		hypercall1(HC_PANIC, (unsigned long)msg);
}
