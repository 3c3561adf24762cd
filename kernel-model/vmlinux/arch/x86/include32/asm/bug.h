/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * BUG(): ud2, with a __bug_table entry { u32 addr; u32 file; u32 line; u32 pad }
 * naming the source line, so the host can print "kernel BUG at file:line!".
 */
#ifndef _ASM_BUG_H
#define _ASM_BUG_H

#define BUG()								\
do {									\
	__asm__ __volatile__("1:\tud2\n"				\
		"\t.pushsection __bug_table,\"a\"\n"			\
		"\t.balign 4\n"						\
		"\t.long 1b, %c0\n"					\
		"\t.long %c1, 0\n"					\
		"\t.popsection"						\
		: : "i"(__FILE__), "i"(__LINE__));			\
	__builtin_unreachable();					\
} while (0)

#define BUG_ON(cond)	do { if (unlikely(cond)) BUG(); } while (0)

#endif /* _ASM_BUG_H */
