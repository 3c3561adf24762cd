/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Task exit and reaping (kernel/exit.c). */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/errno.h>
#include <linux/uaccess.h>
#include <linux/syscalls.h>

#define WNOHANG		0x00000001
#define WUNTRACED	0x00000002

/*
 * Hand our children to init, become a zombie and tell the parent. With
 * tasklist_lock held the parent cannot miss the wake-up: it tests for
 * zombies under the same lock after queueing itself.
 */
static void exit_notify(struct task_struct *tsk, long code)
{
	struct task_struct *p, *n;
	int orphaned_zombie = 0;

	spin_lock(&tasklist_lock);
	list_for_each_entry_safe(p, n, &tsk->children, sibling) {
		p->parent = child_reaper;
		list_move_tail(&p->sibling, &child_reaper->children);
		if (p->state == TASK_ZOMBIE)
			orphaned_zombie = 1;
	}
	tsk->exit_code = code;
	tsk->state = TASK_ZOMBIE;
	wake_up_interruptible(&tsk->parent->wait_chldexit);
	if (orphaned_zombie)
		wake_up_interruptible(&child_reaper->wait_chldexit);
	spin_unlock(&tasklist_lock);
}

/*
 * The end of a task: close its files, become a zombie for wait4(), and
 * switch away for good. The task_struct and stack live on until both
 * the reaper and the final context switch have dropped their references.
 */
fastcall void do_exit(long code)
{
	struct task_struct *tsk = current;

	if (unlikely(in_interrupt()))
		panic("Aiee, killing interrupt handler!");
	if (unlikely(is_idle_task(tsk)))
		panic("Attempted to kill the idle task!");
	if (unlikely(tsk == child_reaper))
		panic("Attempted to kill init!");
	if (unlikely(tsk->flags & PF_EXITING)) {
		printk(KERN_ALERT "Fixing recursive fault but reboot is needed!\n");
		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule();
	}
	tsk->flags |= PF_EXITING;
	exit_files(tsk);

	preempt_disable();		/* no preemption between ZOMBIE and schedule() */
	tsk->flags |= PF_DEAD;
	exit_notify(tsk, code);
	schedule();
	BUG();
}

long sys_exit(int error_code)
{
	do_exit((error_code & 0xff) << 8);
}

/*
 * Wait for a child (pid > 0: that child; otherwise any) to exit; reap it
 * and return its pid, with its status at @stat_addr. 0 with WNOHANG when
 * children exist but none has exited, -ECHILD when there are none.
 */
long sys_wait4(pid_t pid, int __user *stat_addr, int options, void __user *ru)
{
	DECLARE_WAITQUEUE(wait, current);
	struct task_struct *tsk = current, *p;
	int found;
	long retval;

	if (options & ~(WNOHANG | WUNTRACED))
		return -EINVAL;

	add_wait_queue(&tsk->wait_chldexit, &wait);
repeat:
	set_current_state(TASK_INTERRUPTIBLE);
	found = 0;
	spin_lock(&tasklist_lock);
	list_for_each_entry(p, &tsk->children, sibling) {
		if (pid > 0 && p->pid != pid)
			continue;
		found = 1;
		if (p->state != TASK_ZOMBIE)
			continue;
		/* A fault leaves the child a zombie, as wait_task_zombie() does. */
		if (stat_addr && put_user(p->exit_code, stat_addr)) {
			spin_unlock(&tasklist_lock);
			retval = -EFAULT;
			goto end;
		}
		retval = p->pid;
		list_del(&p->sibling);
		list_del(&p->tasks);
		nr_threads--;
		p->state = TASK_DEAD;
		spin_unlock(&tasklist_lock);
		put_task_struct(p);	/* release_task() */
		goto end;
	}
	spin_unlock(&tasklist_lock);
	retval = -ECHILD;
	if (found) {
		retval = 0;
		if (options & WNOHANG)
			goto end;
		schedule();
		goto repeat;
	}
end:
	__set_current_state(TASK_RUNNING);
	remove_wait_queue(&tsk->wait_chldexit, &wait);
	return retval;
}
