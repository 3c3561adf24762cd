/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Files (fs/open.c, fs/namei.c, fs/read_write.c in one): the in-kernel
 * file table mounted read-only as the root, per-task descriptor tables,
 * and open/close/read/write.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/errno.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/syscalls.h>

static ssize_t ramfs_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	const struct inode *inode = file->f_inode;
	loff_t pos = *ppos;

	if (pos >= (loff_t)inode->i_size)
		return 0;
	if (count > inode->i_size - pos)
		count = inode->i_size - pos;
	if (copy_to_user(buf, inode->i_data + pos, count))
		return -EFAULT;
	*ppos = pos + count;
	return count;
}

static ssize_t null_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	return 0;
}

static ssize_t null_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	return count;
}

/* The console: text written to it goes to the log at KERN_INFO. */
static ssize_t console_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	char kbuf[128];
	size_t done = 0;

	while (done < count) {
		size_t n = min(count - done, sizeof(kbuf));

		if (copy_from_user(kbuf, buf + done, n))
			return done ? (ssize_t)done : -EFAULT;
		console_print(kbuf, n, 6);
		done += n;
	}
	return done;
}

static const struct file_operations ramfs_file_operations = { .read = ramfs_read };
static const struct file_operations null_fops = { .read = null_read, .write = null_write };
static const struct file_operations console_fops = { .read = null_read, .write = console_write };

#define FILE(name, mode, uid, text, fops) \
	{ name, mode, uid, text, sizeof(text) - 1, fops }

static const struct inode file_table[] = {
	FILE("/etc/passwd", S_IFREG | 0644, 0,
	     "root:x:0:0:root:/root:/bin/sh\n"
	     "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
	     "user:x:1000:1000:kprobes-sim user:/home/user:/bin/sh\n",
	     &ramfs_file_operations),
	FILE("/etc/shadow", S_IFREG | 0600, 0,
	     "root:$1$kprobes$0N8vMYZtN7H3vBm1sX6GA/:12950:0:99999:7:::\n"
	     "daemon:*:12950:0:99999:7:::\n"
	     "user:$1$kprobes$Yh3rT2b7JfVYqf0VwWw0q1:12950:0:99999:7:::\n",
	     &ramfs_file_operations),
	FILE("/root/secret", S_IFREG | 0600, 0,
	     "kprobes-sim: only root can read this\n", &ramfs_file_operations),
	FILE("/bin/sh", S_IFREG | 0755, 0, "\177ELF", &ramfs_file_operations),
	FILE("/sbin/init", S_IFREG | 0755, 0, "\177ELF", &ramfs_file_operations),
	FILE("/dev/null", S_IFCHR | 0666, 0, "", &null_fops),
	FILE("/dev/console", S_IFCHR | 0600, 0, "", &console_fops),
};

const struct inode *lookup_inode(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(file_table); i++)
		if (strcmp(file_table[i].i_name, name) == 0)
			return &file_table[i];
	return NULL;
}

/*
 * generic_permission() without groups: the owner's bits for the owner,
 * the others' bits for everyone else; root may read and write anything
 * and execute anything with an x bit.
 */
int permission(const struct inode *inode, int mask)
{
	umode_t mode = inode->i_mode;
	uid_t uid = current->uid;

	if (uid == inode->i_uid)
		mode >>= 6;
	if ((mode & mask & (MAY_READ | MAY_WRITE | MAY_EXEC)) == mask)
		return 0;
	if (uid == 0 && (!(mask & MAY_EXEC) || (inode->i_mode & S_IXUGO)))
		return 0;
	return -EACCES;
}

/* Copy a path name from user space into a new buffer; putname() frees it. */
char *getname(const char __user *filename)
{
	char *tmp = kmalloc(PATH_MAX, GFP_KERNEL);
	long len;

	if (!tmp)
		return ERR_PTR(-ENOMEM);
	len = strncpy_from_user(tmp, filename, PATH_MAX);
	if (len >= PATH_MAX)
		len = -ENAMETOOLONG;
	else if (len == 0)
		len = -ENOENT;
	if (len < 0) {
		kfree(tmp);
		return ERR_PTR(len);
	}
	return tmp;
}

/*
 * Not static and not marked inline, but tiny: gcc -O2 inlines it into
 * sys_open() below, while sys_execve() in exec.c calls it out of line.
 * A kprobe on putname therefore fires for execve() and never for open()
 * (ABI.md, "Inlining caveat"; spec section 5).
 */
void putname(const char *name)
{
	kfree(name);
}

struct file *fget(unsigned int fd)
{
	if (fd >= NR_OPEN_DEFAULT)
		return NULL;
	return current->files.fd[fd];
}

void fput(struct file *file)
{
	if (atomic_dec_and_test(&file->f_count))
		kfree(file);
}

static struct file *dentry_open(const struct inode *inode, int flags)
{
	struct file *f = kmalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return ERR_PTR(-ENFILE);
	f->f_inode = inode;
	f->f_op = inode->i_fop;
	f->f_flags = flags;
	f->f_mode = ((flags + 1) & O_ACCMODE);	/* O_RDONLY -> FMODE_READ ... */
	f->f_pos = 0;
	atomic_set(&f->f_count, 1);
	return f;
}

/*
 * open_namei() and dentry_open() in one: look the name up, check the
 * access mode against the inode, open it. `mode` is for O_CREAT, which a
 * read-only root never honours. Linux: filp_open() (fs/open.c, 2.6.12).
 */
noinline struct file *filp_open(const char *filename, int flags, int mode)
{
	const struct inode *inode;
	int acc_mode, error;

	if ((flags & O_ACCMODE) == O_ACCMODE)
		return ERR_PTR(-EINVAL);
	acc_mode = (flags & O_ACCMODE) == O_RDONLY ? MAY_READ :
		   (flags & O_ACCMODE) == O_WRONLY ? MAY_WRITE : MAY_READ | MAY_WRITE;
	inode = lookup_inode(filename);
	if (!inode)
		return ERR_PTR(-ENOENT);
	error = permission(inode, acc_mode);
	if (error)
		return ERR_PTR(error);
	if (S_ISREG(inode->i_mode) && (acc_mode & MAY_WRITE))
		return ERR_PTR(-EROFS);		/* the root is mounted read-only */
	return dentry_open(inode, flags);
}

static int get_unused_fd(void)
{
	struct files_struct *files = &current->files;
	int fd;

	for (fd = 0; fd < NR_OPEN_DEFAULT; fd++)
		if (!files->fd[fd])
			return fd;
	return -EMFILE;
}

/*
 * The body of open(2): copy the name in, take a descriptor, open the file
 * and install it. Linux: do_sys_open() (fs/open.c; no dfd before 2.6.16).
 */
noinline long do_sys_open(const char __user *filename, int flags, int mode)
{
	char *tmp = getname(filename);
	long fd = PTR_ERR(tmp);

	if (!IS_ERR(tmp)) {
		fd = get_unused_fd();
		if (fd >= 0) {
			struct file *f = filp_open(tmp, flags, mode);

			if (IS_ERR(f))
				fd = PTR_ERR(f);
			else
				current->files.fd[fd] = f;
		}
		putname(tmp);
	}
	return fd;
}

noinline long sys_open(const char __user *filename, int flags, int mode)
{
	return do_sys_open(filename, flags, mode);
}

noinline long sys_close(unsigned int fd)
{
	struct file *file = fget(fd);

	if (!file)
		return -EBADF;
	current->files.fd[fd] = NULL;
	fput(file);
	return 0;
}

/*
 * Read from an open file at *pos. Linux: vfs_read() (fs/read_write.c,
 * 2.6.12) without rw_verify_area() (no locks, no size limits here), the
 * security hook and the accounting.
 */
noinline ssize_t vfs_read(struct file *file, char __user *buf, size_t count, loff_t *pos)
{
	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	if (!file->f_op || !file->f_op->read)
		return -EINVAL;
	if (unlikely(!access_ok(buf, count)))
		return -EFAULT;
	return file->f_op->read(file, buf, count, pos);
}

/* Write to an open file at *pos. Linux: vfs_write() (fs/read_write.c, 2.6.12). */
noinline ssize_t vfs_write(struct file *file, const char __user *buf, size_t count, loff_t *pos)
{
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!file->f_op || !file->f_op->write)
		return -EINVAL;
	if (unlikely(!access_ok(buf, count)))
		return -EFAULT;
	return file->f_op->write(file, buf, count, pos);
}

/*
 * The position goes through a local copy, as 2.6.12's file_pos_read() and
 * file_pos_write() do. No file: -EBADF, as fget_light() failing.
 */
long sys_read(unsigned int fd, char __user *buf, size_t count)
{
	struct file *file = fget(fd);
	ssize_t ret = -EBADF;

	if (file) {
		loff_t pos = file->f_pos;

		ret = vfs_read(file, buf, count, &pos);
		file->f_pos = pos;
	}
	return ret;
}

long sys_write(unsigned int fd, const char __user *buf, size_t count)
{
	struct file *file = fget(fd);
	ssize_t ret = -EBADF;

	if (file) {
		loff_t pos = file->f_pos;

		ret = vfs_write(file, buf, count, &pos);
		file->f_pos = pos;
	}
	return ret;
}

void copy_files(struct task_struct *p, struct task_struct *parent)
{
	int fd;

	for (fd = 0; fd < NR_OPEN_DEFAULT; fd++) {
		p->files.fd[fd] = parent->files.fd[fd];
		if (p->files.fd[fd])
			atomic_inc(&p->files.fd[fd]->f_count);
	}
}

void exit_files(struct task_struct *tsk)
{
	int fd;

	for (fd = 0; fd < NR_OPEN_DEFAULT; fd++) {
		struct file *file = tsk->files.fd[fd];

		if (file) {
			tsk->files.fd[fd] = NULL;
			fput(file);
		}
	}
}

/* Mount the table and give swapper (hence init) the console on fds 0-2. */
void files_init(void)
{
	struct file *console = filp_open("/dev/console", O_RDWR, 0);
	int fd;

	if (IS_ERR(console))
		panic("Unable to open an initial console");
	for (fd = 0; fd < 3; fd++) {
		if (fd)
			atomic_inc(&console->f_count);
		init_task.files.fd[fd] = console;
	}
	printk(KERN_INFO "VFS: Mounted root (ramfs filesystem) readonly: %lu files.\n",
	       (unsigned long)ARRAY_SIZE(file_table));
}
