/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * The i386 half of processes (arch/i386/kernel/process.c): a new task's
 * first kernel frame, the context switch, a new program's registers, the
 * idle loop, and the hypercalls behind dump_stack().
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <asm/hypercall.h>
#include <asm/segment.h>

/* entry_32.S */
void ret_from_fork(void);
struct task_struct *__switch_to(struct task_struct *prev, struct task_struct *next);

/* What __switch_to() pops when it first switches to a new task. */
struct fork_frame {
	unsigned long edi, esi, ebx, ebp;
	unsigned long ret_addr;		/* ret_from_fork */
};

/*
 * The child's kernel stack: the parent's user registers at the top with
 * eax = 0 (fork() returns 0 in the child), below them a switch frame
 * that returns into ret_from_fork.
 */
void copy_thread(struct task_struct *p, unsigned long stack_start, struct pt_regs *regs)
{
	struct pt_regs *childregs = task_pt_regs(p);
	struct fork_frame *frame = (struct fork_frame *)childregs - 1;

	*childregs = *regs;
	childregs->eax = 0;
	childregs->esp = stack_start;

	memset(frame, 0, sizeof(*frame));
	frame->ret_addr = (unsigned long)ret_from_fork;
	p->thread.esp = (unsigned long)frame;
}

/* Called by schedule() with the runqueue lock held and interrupts off. */
struct task_struct *switch_to(struct task_struct *prev, struct task_struct *next)
{
	init_tss[smp_processor_id()].esp0 = (unsigned long)next->stack + THREAD_SIZE;
	return __switch_to(prev, next);
}

/* The registers a new program image starts with (ELF loader's start_thread). */
void start_thread(struct pt_regs *regs, unsigned long new_eip, unsigned long new_esp)
{
	regs->eip = new_eip;
	regs->esp = new_esp;
	regs->xcs = __USER_CS;
	regs->xds = __USER_DS;
	regs->xes = __USER_DS;
	regs->xss = __USER_DS;
	regs->eflags = X86_EFLAGS_IF | X86_EFLAGS_FIXED;
}

/*
 * The idle task's loop: halt until an interrupt, reschedule when work
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
 * The host prints "Call Trace:" by walking the frame pointers from here;
 * edi = this function's frame (taking its address also makes gcc build it).
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
