/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Fixed-width and kernel scalar types (linux/types.h, asm/types.h). */
#ifndef _LINUX_TYPES_H
#define _LINUX_TYPES_H

#include <linux/compiler.h>

typedef signed char		s8;
typedef unsigned char		u8;
typedef signed short		s16;
typedef unsigned short		u16;
typedef signed int		s32;
typedef unsigned int		u32;
typedef signed long long	s64;
typedef unsigned long long	u64;

typedef unsigned long		size_t;
typedef long			ssize_t;
typedef long			ptrdiff_t;
typedef unsigned long		uintptr_t;
typedef long long		loff_t;
typedef int			pid_t;
typedef unsigned int		uid_t;
typedef unsigned short		umode_t;
typedef unsigned int		gfp_t;

typedef _Bool			bool;
#define true	1
#define false	0

#define NULL	((void *)0)

/* Counters updated with locked read-modify-write instructions. */
typedef struct { volatile int counter; } atomic_t;

#endif /* _LINUX_TYPES_H */
