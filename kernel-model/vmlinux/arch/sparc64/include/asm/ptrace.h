/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Linux 2.6 sparc64's struct pt_regs and the privileged-register bits the
 * entry code uses (ABI.md, sparc64).
 */
#ifndef _ASM_PTRACE_H
#define _ASM_PTRACE_H

#include <asm/page.h>

/* PSTATE (SPARC V9 5.2.1). */
#define PSTATE_AG	_AC(0x001, UL)	/* alternate globals (set by every trap) */
#define PSTATE_IE	_AC(0x002, UL)	/* interrupts enabled */
#define PSTATE_PRIV	_AC(0x004, UL)	/* privileged mode */
#define PSTATE_AM	_AC(0x008, UL)
#define PSTATE_PEF	_AC(0x010, UL)
/* The kernel at TL 0: privileged, interrupts gated by %pil only. */
#define PSTATE_KERNEL	(PSTATE_PRIV | PSTATE_IE)

/* TSTATE: CCR << 32 | ASI << 24 | PSTATE << 8 | CWP; PIL kept in 23:20 by etrap. */
#define TSTATE_ICARRY	_AC(0x0000000100000000, UL)	/* icc.C */
#define TSTATE_XCARRY	_AC(0x0000001000000000, UL)	/* xcc.C */
#define TSTATE_PRIV	(PSTATE_PRIV << 8)
#define TSTATE_IE	(PSTATE_IE << 8)
#define TSTATE_CWP	_AC(0x1f, UL)
#define TSTATE_PIL_SHIFT 20
#define TSTATE_PIL	_AC(0xf00000, UL)
/* A user task's TSTATE: user mode, interrupts on, %asi = ASI_PRIMARY (0x80). */
#define TSTATE_USER	((_AC(0x80, UL) << 24) | TSTATE_IE)

/* %pil: 14 masks the timer (interrupt level 14), 0 lets it in. */
#define PIL_TIMER	14
#define PIL_DISABLED	PIL_TIMER

/* The window save area: 16 registers, then 6 argument words, struct return. */
#define STACK_BIAS	2047
#define STACKFRAME_SZ	192
#define PTREGS_OFF	(STACK_BIAS + STACKFRAME_SZ)
#define SIZEOF_PTREGS	160
#define TRAP_FRAME_SZ	(STACKFRAME_SZ + SIZEOF_PTREGS)
#define PT_REGS_MAGIC	0x57ac6c00

/* u_regs indices (Linux's UREG_*): the trapped code's %g0-%g7 and %o0-%o7. */
#define UREG_G0		0
#define UREG_G1		1
#define UREG_G2		2
#define UREG_G3		3
#define UREG_G4		4
#define UREG_G5		5
#define UREG_G6		6
#define UREG_G7		7
#define UREG_I0		8
#define UREG_I1		9
#define UREG_I2		10
#define UREG_I3		11
#define UREG_I4		12
#define UREG_I5		13
#define UREG_I6		14
#define UREG_I7		15
#define UREG_FP		UREG_I6
#define UREG_RETPC	UREG_I7

#ifndef __ASSEMBLY__
#include <linux/types.h>

struct pt_regs {
	unsigned long u_regs[16];	/*   0: %g0-%g7, then the trapped %o0-%o7 */
	unsigned long tstate;		/* 128 */
	unsigned long tpc;		/* 136 */
	unsigned long tnpc;		/* 144 */
	unsigned int y;			/* 152 */
	unsigned int magic;		/* 156: PT_REGS_MAGIC | trap type */
};					/* 160 */

#define user_mode(regs)		(((regs)->tstate & TSTATE_PRIV) == 0)
#define instruction_pointer(regs)	((regs)->tpc)
#define user_stack_pointer(regs)	((regs)->u_regs[UREG_FP])

/* Where a successful execve() leaves argc, argv and envp (%o1-%o3; %o0 is its result). */
#define EXEC_ARGC	regs->u_regs[UREG_I1]
#define EXEC_ARGV	regs->u_regs[UREG_I2]
#define EXEC_ENVP	regs->u_regs[UREG_I3]

#endif /* !__ASSEMBLY__ */
#endif /* _ASM_PTRACE_H */
