/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Creating tasks (kernel/fork.c): do_fork(), the idle tasks, and the
 * statically allocated swapper (pid 0) whose stack is the boot stack.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/uaccess.h>
#include <linux/boot_params.h>
#include <linux/syscalls.h>

int nr_threads;			/* tasks that exist, zombies included, idle tasks not */
static pid_t last_pid;		/* pids count up from 1 and are never reused */
static int max_threads;
DEFINE_SPINLOCK(tasklist_lock);	/* the task list, parent/children links, pids */
struct task_struct *child_reaper = &init_task;	/* init, once it exists */

/* The boot stack: CPU 0 runs start_kernel() on it as swapper. */
union thread_union init_thread_union __section(".data..init_task") __aligned(THREAD_SIZE) = {
	.thread_info = {
		.task = &init_task,
		.cpu = 0,
		.preempt_count = 1,	/* no preemption until cpu_idle() */
	},
};

struct task_struct init_task = {
	.pid		= 0,
	.state		= TASK_RUNNING,
	.comm		= "swapper",
	.stack		= &init_thread_union,
	.parent		= &init_task,
	.usage		= ATOMIC_INIT(2),
	.flags		= PF_IDLE,
	.on_cpu		= 1,
	.cpus_allowed	= CPU_MASK_ALL,
	.run_list	= LIST_HEAD_INIT(init_task.run_list),
	.tasks		= LIST_HEAD_INIT(init_task.tasks),
	.children	= LIST_HEAD_INIT(init_task.children),
	.sibling	= LIST_HEAD_INIT(init_task.sibling),
	.wait_chldexit	= {
		.lock = SPIN_LOCK_UNLOCKED,
		.task_list = LIST_HEAD_INIT(init_task.wait_chldexit.task_list),
	},
};

void fork_init(void)
{
	max_threads = boot_params.max_tasks;
	printk(KERN_INFO "Task limit: %d tasks, %lu KiB kernel stacks\n",
	       max_threads, THREAD_SIZE / 1024);
}

/* Frees the stack and task_struct once the last reference is gone. */
noinline void free_task(struct task_struct *p)
{
	free_pages(p->stack, THREAD_ORDER);
	kfree(p);
}

/* Caller holds tasklist_lock. */
struct task_struct *find_task_by_pid(pid_t pid)
{
	struct task_struct *p;

	list_for_each_entry(p, &init_task.tasks, tasks)
		if (p->pid == pid)
			return p;
	return NULL;
}

/* A copy of @orig with its own stack, not yet visible to anyone. */
static struct task_struct *dup_task_struct(struct task_struct *orig)
{
	struct task_struct *p;
	struct thread_info *ti;
	void *stack;

	p = kmalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return NULL;
	stack = __get_free_pages(GFP_KERNEL, THREAD_ORDER);
	if (!stack) {
		kfree(p);
		return NULL;
	}
	*p = *orig;
	p->stack = stack;
	ti = stack;
	ti->task = p;
	ti->flags = 0;
	ti->cpu = task_thread_info(orig)->cpu;
	ti->preempt_count = 1;		/* the runqueue lock, dropped by schedule_tail() */
	atomic_set(&p->usage, 2);	/* one for the reaper, one while it runs */
	p->flags &= ~(PF_IDLE | PF_EXITING | PF_DEAD);
	p->exit_code = 0;
	p->on_rq = 0;
	p->on_cpu = 0;
	p->time_slice = 0;
	p->nvcsw = 0;
	p->utime = 0;
	p->stime = 0;
	p->set_child_tid = NULL;
	INIT_LIST_HEAD(&p->run_list);
	INIT_LIST_HEAD(&p->children);
	INIT_LIST_HEAD(&p->sibling);
	init_waitqueue_head(&p->wait_chldexit);
	return p;
}

/*
 * Create a child of the current task running the same user code: its
 * kernel stack returns to user mode through ret_from_fork with rax = 0.
 * Returns the child's pid or a negative errno.
 */
noinline long do_fork(unsigned long clone_flags, unsigned long stack_start,
		      struct pt_regs *regs, unsigned long stack_size,
		      int __user *parent_tidptr, int __user *child_tidptr)
{
	struct task_struct *p, *parent;
	long pid, retval;

	if ((clone_flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
		return -EINVAL;
	if ((clone_flags & CLONE_THREAD) && !(clone_flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((clone_flags & CLONE_SIGHAND) && !(clone_flags & CLONE_VM))
		return -EINVAL;
	if (nr_threads >= max_threads)		/* fast path; checked again below */
		return -EAGAIN;

	p = dup_task_struct(current);
	if (!p)
		return -ENOMEM;

	spin_lock(&tasklist_lock);
	if (nr_threads >= max_threads) {
		spin_unlock(&tasklist_lock);
		free_task(p);
		return -EAGAIN;
	}
	nr_threads++;
	pid = p->pid = ++last_pid;
	spin_unlock(&tasklist_lock);

	retval = -EFAULT;
	if (clone_flags & CLONE_PARENT_SETTID)
		if (put_user(p->pid, parent_tidptr))
			goto bad_fork;
	if (clone_flags & CLONE_CHILD_SETTID)
		p->set_child_tid = child_tidptr;

	copy_files(p, current);
	copy_thread(p, stack_start, regs);

	spin_lock(&tasklist_lock);
	parent = current;
	p->parent = parent;
	list_add_tail(&p->tasks, &init_task.tasks);
	list_add_tail(&p->sibling, &parent->children);
	spin_unlock(&tasklist_lock);

	wake_up_new_task(p);
	return pid;

bad_fork:
	spin_lock(&tasklist_lock);
	nr_threads--;
	spin_unlock(&tasklist_lock);
	free_task(p);
	return retval;
}

/* The idle task for a secondary CPU: pid 0, never on the task list. */
struct task_struct *fork_idle(int cpu)
{
	struct task_struct *idle = dup_task_struct(&init_task);

	if (!idle)
		return NULL;
	idle->pid = 0;
	memset(&idle->files, 0, sizeof(idle->files));
	task_thread_info(idle)->preempt_count = 0;
	init_idle(idle, cpu);
	return idle;
}

long sys_fork(void)
{
	struct pt_regs *regs = task_pt_regs(current);

	return do_fork(SIGCHLD, user_stack_pointer(regs), regs, 0, NULL, NULL);
}

long sys_clone(unsigned long clone_flags, unsigned long newsp,
	       int __user *parent_tidptr, int __user *child_tidptr)
{
	struct pt_regs *regs = task_pt_regs(current);

	if (!newsp)
		newsp = user_stack_pointer(regs);
	return do_fork(clone_flags, newsp, regs, 0, parent_tidptr, child_tidptr);
}
