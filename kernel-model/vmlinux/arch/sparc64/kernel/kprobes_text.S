/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * The sparc64 half of .kprobes.text (ABI.md, sparc64) and the
 * instruction-slot area. The host refuses probes in
 * [__kprobes_text_start, __kprobes_text_end).
 */
#include <asm/linkage.h>
#include <asm/asm-offsets.h>
#include <asm/hypercall.h>
#include <asm/page.h>

	.section .kprobes.text, "ax"

/*
 * The return address of every host -> guest call (%o7 = host_call_return
 * - 8, so ret and retl land here): the CPU stops at the halt.
 */
ENTRY(host_call_return)
	ta	TRAP_HALT
END(host_call_return)

/*
 * A kretprobed function returns here (its %i7 or %o7 = this - 8). The
 * host keeps a kprobe on the nop; its handler sends the CPU to the real
 * return address, so the illtrap after it is never reached.
 */
ENTRY(kretprobe_trampoline)
	nop
	illtrap	0
END(kretprobe_trampoline)

/*
 * A jprobe hit sends the CPU here with the probed function's registers
 * and stack: the host runs the TypeScript handler at the hypercall (%g1
 * = 2, so %o0-%o5 still hold the arguments), and the breakpoint is its
 * jprobe_return(), which restores the saved state.
 */
ENTRY(jprobe_trampoline)
	mov	HC_JPROBE, %g1
	ta	TRAP_HYPERCALL
	ta	TRAP_KPROBE_BP
END(jprobe_trampoline)

/*
 * void oops_do_exit(long signr): the end of an Oops. The host jumps here
 * at TL 0 with the normal globals, %sp anywhere inside (or at the top of)
 * the dying task's kernel stack (biased), %o0 = signr, and the register
 * windows reset (CANSAVE 6, CANRESTORE 0, OTHERWIN 0: the dying windows
 * are dropped, not spilled).
 */
ENTRY(oops_do_exit)
	add	%sp, STACK_BIAS - 1, %o1	/* a byte inside the stack, even at its top */
	srlx	%o1, THREAD_SHIFT, %o1
	sllx	%o1, THREAD_SHIFT, %o1
	stw	%g0, [%o1 + TI_preempt_count]
	add	%sp, STACK_BIAS, %o1
	andn	%o1, 15, %o1
	sub	%o1, STACKFRAME_SZ + STACK_BIAS, %sp	/* a fresh frame */
	clr	%fp				/* the end of the frame chain */
	clr	%i7
	wrpr	%g0, 0, %pil
	call	do_exit				/* never returns */
	 wrpr	%g0, PSTATE_KERNEL, %pstate
	illtrap	0
END(oops_do_exit)

/* Kprobes' instruction slots: 8 KiB of "ta 0x70" words, page aligned by the linker script. */
	.section .insn_slots, "ax", @progbits
	.fill	2048, 4, 0x91d02070

	.section .note.GNU-stack, "", @progbits
