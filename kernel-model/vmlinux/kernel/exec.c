/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Running a new program (fs/exec.c). */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/errno.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/kprobes.h>
#include <linux/syscalls.h>

#define MAX_ARG_STRINGS	256

/* Count the pointers of a NULL-terminated user array. */
static int count(char __user *__user *argv, int max)
{
	int i = 0;

	if (argv) {
		for (;;) {
			char __user *p;

			if (get_user(p, argv))
				return -EFAULT;
			if (!p)
				break;
			argv++;
			if (++i > max)
				return -E2BIG;
		}
	}
	return i;
}

/*
 * Replace the current program with @filename from the file table. There
 * is no loader: the new image starts at USER_ENTRY with the stack at
 * USER_STACK_TOP and argc, argv, envp in registers (asm/ptrace.h). comm becomes
 * the basename.
 */
fastcall int do_execve(char *filename, char __user *__user *argv,
		       char __user *__user *envp, struct pt_regs *regs)
{
	const struct inode *inode;
	const char *base;
	int argc, envc, retval;

	inode = lookup_inode(filename);
	if (!inode)
		return -ENOENT;
	if (!S_ISREG(inode->i_mode))
		return -EACCES;
	retval = permission(inode, MAY_EXEC);
	if (retval)
		return retval;
	argc = count(argv, MAX_ARG_STRINGS);
	if (argc < 0)
		return argc;
	envc = count(envp, MAX_ARG_STRINGS);
	if (envc < 0)
		return envc;

	/* The point of no return. */
	base = strrchr(filename, '/');
	base = base ? base + 1 : filename;
	strlcpy(current->comm, base, TASK_COMM_LEN);
	kprobe_flush_task(current);		/* flush_thread() */
	start_thread(regs, USER_ENTRY, USER_STACK_TOP);
	EXEC_ARGC = argc;
	EXEC_ARGV = (unsigned long)argv;
	EXEC_ENVP = (unsigned long)envp;
	return 0;
}

long sys_execve(const char __user *name, char __user *__user *argv,
		char __user *__user *envp)
{
	char *filename;
	long error;

	filename = getname(name);
	error = PTR_ERR(filename);
	if (IS_ERR(filename))
		return error;
	error = do_execve(filename, argv, envp, task_pt_regs(current));
	putname(filename);
	return error;
}
