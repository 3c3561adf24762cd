/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Compiler attributes and helpers (linux/compiler.h, linux/stddef.h). */
#ifndef _LINUX_COMPILER_H
#define _LINUX_COMPILER_H

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define barrier()		__asm__ __volatile__("" : : : "memory")

#define noinline		__attribute__((noinline))
#define __noreturn		__attribute__((noreturn))
#define __aligned(x)		__attribute__((aligned(x)))
#define __section(s)		__attribute__((section(s)))
#define __packed		__attribute__((packed))
#define __used			__attribute__((used))
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#define __always_inline		inline __attribute__((always_inline))

/* Address-space annotation: a pointer into user memory (sparse in Linux). */
#define __user

/*
 * Calling conventions (asm/linkage.h): asmlinkage takes every argument on
 * the stack, fastcall the first three in registers (i386's regparm(3)).
 * Both mean nothing where the C convention already uses registers.
 */
#include <asm/linkage.h>
#ifndef asmlinkage
#define asmlinkage
#endif
#ifndef fastcall
#define fastcall
#endif

#define offsetof(type, member)	__builtin_offsetof(type, member)
#define container_of(ptr, type, member) ({				\
	const __typeof__(((type *)0)->member) *__mptr = (ptr);		\
	(type *)((char *)__mptr - offsetof(type, member)); })
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define ACCESS_ONCE(x)		(*(volatile __typeof__(x) *)&(x))

#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))

#define __stringify_1(x)	#x
#define __stringify(x)		__stringify_1(x)

#endif /* _LINUX_COMPILER_H */
