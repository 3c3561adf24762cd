/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Tasks and the scheduler (linux/sched.h). The first fields are fixed by ABI.md. */
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/threads.h>
#include <linux/cpumask.h>
#include <linux/thread_info.h>
#include <linux/smp.h>
#include <linux/fs.h>
#include <asm/processor.h>
#include <asm/system.h>

#define TASK_RUNNING		0
#define TASK_INTERRUPTIBLE	1
#define TASK_UNINTERRUPTIBLE	2
#define TASK_ZOMBIE		16
#define TASK_DEAD		32

#define TASK_COMM_LEN		16

/* task_struct.flags */
#define PF_EXITING	0x00000004	/* getting shut down */
#define PF_DEAD		0x00000008	/* dead: the last schedule() drops its reference */
#define PF_IDLE		0x00000010	/* a CPU's idle task (pid 0) */

/* clone() flags */
#define CSIGNAL			0x000000ff
#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_THREAD		0x00010000
#define CLONE_NEWNS		0x00020000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_CHILD_SETTID	0x01000000

#define SIGCHLD		17
#define SIGSEGV		11

#define MAX_SCHEDULE_TIMEOUT	LONG_MAX

struct task_struct {
	s32 pid;			/*  0 */
	volatile s32 state;		/*  4: TASK_* */
	u32 uid;			/*  8 */
	s32 exit_code;			/* 12: wait4() status */
	char comm[TASK_COMM_LEN];	/* 16 */
	void *stack;			/* 32: its thread_info */
	struct task_struct *parent;	/* 40 (36 on i386) */
	/* Free layout from here on. */
	struct thread_struct thread;	/* 48: arch context (saved stack pointer; 40 on i386) */
	atomic_t usage;			/* references: parent + "still running" */
	u32 flags;			/* PF_* */
	int on_rq;			/* queued on runqueue.queue */
	int on_cpu;			/* running, or switching out */
	int time_slice;			/* ticks left before a forced reschedule */
	unsigned long nvcsw;		/* context switches into this task */
	unsigned long utime, stime;	/* timer ticks charged in user / kernel mode */
	struct list_head run_list;	/* runqueue.queue, under runqueue.lock */
	struct list_head tasks;		/* all tasks, under tasklist_lock */
	struct list_head children;	/* my children, under tasklist_lock */
	struct list_head sibling;	/* my parent's children list */
	wait_queue_head_t wait_chldexit; /* wait4() sleeps here */
	int __user *set_child_tid;	/* CLONE_CHILD_SETTID */
	struct files_struct files;	/* open files */
	cpumask_t cpus_allowed;		/* CPUs it may run on */
};

_Static_assert(offsetof(struct task_struct, pid) == 0, "ABI: task_struct.pid");
_Static_assert(offsetof(struct task_struct, state) == 4, "ABI: task_struct.state");
_Static_assert(offsetof(struct task_struct, uid) == 8, "ABI: task_struct.uid");
_Static_assert(offsetof(struct task_struct, exit_code) == 12, "ABI: task_struct.exit_code");
_Static_assert(offsetof(struct task_struct, comm) == 16, "ABI: task_struct.comm");
_Static_assert(offsetof(struct task_struct, stack) == 32, "ABI: task_struct.stack");
_Static_assert(offsetof(struct task_struct, parent) == 32 + sizeof(void *), "ABI: task_struct.parent");

extern struct task_struct init_task;
extern union thread_union init_thread_union;
extern struct task_struct *cpu_curr[NR_CPUS];
extern struct task_struct *idle_tasks[NR_CPUS];
extern spinlock_t tasklist_lock;
extern int nr_threads;
extern struct task_struct *child_reaper;

static inline struct task_struct *get_current(void)
{
	return current_thread_info()->task;
}
#define current		get_current()

#define task_thread_info(p)	((struct thread_info *)(p)->stack)
#define is_idle_task(p)		((p)->flags & PF_IDLE)

/* Set the state before testing the wake-up condition: xchg is a full barrier. */
#define __set_current_state(s)	do { current->state = (s); } while (0)
#define set_current_state(s)	set_mb(current->state, (s))

static inline void set_tsk_need_resched(struct task_struct *p)
{
	set_ti_thread_flag(task_thread_info(p), TIF_NEED_RESCHED);
}

static inline int need_resched(void)
{
	return unlikely(test_thread_flag(TIF_NEED_RESCHED));
}

static inline void get_task_struct(struct task_struct *p)
{
	atomic_inc(&p->usage);
}

void free_task(struct task_struct *p);

static inline void put_task_struct(struct task_struct *p)
{
	if (atomic_dec_and_test(&p->usage))
		free_task(p);
}

/* kernel/sched.c */
void sched_init(void);
void schedule(void);
long schedule_timeout(long timeout);
void schedule_tail(struct task_struct *prev);
void preempt_schedule_irq(void);
int wake_up_process(struct task_struct *p);
void wake_up_new_task(struct task_struct *p);
void scheduler_tick(void);
void init_idle(struct task_struct *idle, int cpu);

/* kernel/fork.c */
void fork_init(void);
long do_fork(unsigned long clone_flags, unsigned long stack_start,
	     struct pt_regs *regs, unsigned long stack_size,
	     int __user *parent_tidptr, int __user *child_tidptr);
struct task_struct *fork_idle(int cpu);
struct task_struct *find_task_by_pid(pid_t pid);

/* kernel/exit.c */
void do_exit(long code) __noreturn noinline fastcall;

/* kernel/exec.c */
int do_execve(char *filename, char __user *__user *argv,
	      char __user *__user *envp, struct pt_regs *regs) noinline fastcall;

/* The arch half (arch/x86/kernel/process{,_32}.c, arch/ppc64/kernel/process.c). */
void copy_thread(struct task_struct *p, unsigned long stack_start, struct pt_regs *regs);
struct task_struct *switch_to(struct task_struct *prev, struct task_struct *next);
void start_thread(struct pt_regs *regs, unsigned long new_rip, unsigned long new_rsp);
void cpu_idle(void) __noreturn;

#endif /* _LINUX_SCHED_H */
