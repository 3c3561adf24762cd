/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * BUG(): gcc's __builtin_trap() on sparc ("ta 5"), as Linux/sparc64's,
 * with a __bug_table entry { address, file, line } for the host's
 * "kernel BUG at" line.
 */
#ifndef _ASM_BUG_H
#define _ASM_BUG_H

#define BUG()								\
do {									\
	__asm__ __volatile__("1:\tta 5\n"				\
		"\t.pushsection __bug_table,\"a\"\n"			\
		"\t.balign 8\n"						\
		"\t.xword 1b, %0\n"					\
		"\t.word %1, 0\n"					\
		"\t.popsection"						\
		: : "i"(__FILE__), "i"(__LINE__));			\
	__builtin_unreachable();					\
} while (0)

#define BUG_ON(cond)	do { if (unlikely(cond)) BUG(); } while (0)

#endif /* _ASM_BUG_H */
