/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Files: the in-kernel file table, open files, per-task descriptors (linux/fs.h). */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#include <linux/types.h>
#include <linux/atomic.h>

#define PATH_MAX	256	/* with the NUL; Linux uses 4096 */
#define NR_OPEN_DEFAULT	16	/* descriptors per task */

/* open() flags */
#define O_ACCMODE	00000003
#define O_RDONLY	00000000
#define O_WRONLY	00000001
#define O_RDWR		00000002

/* file modes */
#define S_IFMT		0170000
#define S_IFREG		0100000
#define S_IFCHR		0020000
#define S_ISREG(m)	(((m) & S_IFMT) == S_IFREG)
#define S_IXUGO		00111

/* permission() masks */
#define MAY_EXEC	1
#define MAY_WRITE	2
#define MAY_READ	4

/* file->f_mode */
#define FMODE_READ	1
#define FMODE_WRITE	2

struct file;

struct file_operations {
	ssize_t (*read)(struct file *, char __user *, size_t, loff_t *);
	ssize_t (*write)(struct file *, const char __user *, size_t, loff_t *);
};

/* One entry of the in-kernel file table (read-only "ramfs" root). */
struct inode {
	const char *i_name;
	umode_t i_mode;
	uid_t i_uid;
	const char *i_data;
	unsigned long i_size;
	const struct file_operations *i_fop;
};

struct file {
	const struct inode *f_inode;
	const struct file_operations *f_op;
	unsigned int f_mode;		/* FMODE_* */
	unsigned int f_flags;		/* O_* */
	loff_t f_pos;
	atomic_t f_count;
};

struct files_struct {
	struct file *fd[NR_OPEN_DEFAULT];
};

struct task_struct;

void files_init(void);
char *getname(const char __user *filename);
void putname(const char *name);
const struct inode *lookup_inode(const char *name);
int permission(const struct inode *inode, int mask);
struct file *fget(unsigned int fd);
void fput(struct file *file);
struct file *filp_open(const char *filename, int flags, int mode);
long do_sys_open(const char __user *filename, int flags, int mode);
ssize_t vfs_read(struct file *file, char __user *buf, size_t count, loff_t *pos);
ssize_t vfs_write(struct file *file, const char __user *buf, size_t count, loff_t *pos);
void copy_files(struct task_struct *p, struct task_struct *parent);
void exit_files(struct task_struct *tsk);

#endif /* _LINUX_FS_H */
