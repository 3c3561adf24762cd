/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * The i386 half of .kprobes.text (ABI.md, "Symbols the host relies on")
 * and the instruction-slot area. The host refuses probes in
 * [__kprobes_text_start, __kprobes_text_end).
 */
#include <asm/linkage.h>
#include <asm/asm-offsets.h>
#include <asm/hypercall.h>
#include <asm/page.h>

	.section .kprobes.text, "ax"

/* The return address of every host -> guest call: the CPU halts here. */
ENTRY(host_call_return)
	hlt
END(host_call_return)

/*
 * A kretprobed function returns here. The host keeps a kprobe on the nop;
 * its handler sends the CPU to the real return address, so the ud2 is
 * never reached.
 */
ENTRY(kretprobe_trampoline)
	nop
	ud2
END(kretprobe_trampoline)

/*
 * A jprobe hit sends the CPU here with the probed function's registers
 * and stack: the host runs the TypeScript handler at the vmcall, and the
 * int3 is its jprobe_return(), which restores the saved state.
 */
ENTRY(jprobe_trampoline)
	movl	$HC_JPROBE, %eax
	vmcall
	int3
END(jprobe_trampoline)

/*
 * void oops_do_exit(long signr) fastcall: the end of an Oops. The host
 * jumps here with esp at the top of the dying task's kernel stack
 * (anything inside the stack works) and eax = signr.
 */
ENTRY(oops_do_exit)
	leal	-1(%esp), %edx		/* a byte inside the stack, even if esp is its top */
	andl	$~(THREAD_SIZE - 1), %edx
	movl	$0, TI_preempt_count(%edx)
	andl	$-16, %esp
	xorl	%ebp, %ebp		/* the dead context's frames are not ours */
	sti
	call	do_exit			/* fastcall: code in eax; never returns */
	ud2
END(oops_do_exit)

/* Kprobes' instruction slots: 8 KiB of int3, page aligned by the linker script. */
	.section .insn_slots, "ax", @progbits
	.fill	8192, 1, 0xcc

	.section .note.GNU-stack, "", @progbits
