/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * From the host's CPU reset to C (arch/x86_64/kernel/head.S).
 *
 * The host starts every CPU in 64-bit mode at CPL 0 with interrupts off
 * and rsp = 0: CPU 0 at startup_64, CPU n at secondary_startup_64 with
 * rdi = n. There is no real- or protected-mode bootstrap and no paging
 * setup; all that is left is to load our own GDT, IDT and task register.
 */
#include <linux/threads.h>
#include <asm/linkage.h>
#include <asm/page.h>
#include <asm/segment.h>

	.section .head.text, "ax"
	.code64

ENTRY(startup_64)
	movq	$(init_thread_union + THREAD_SIZE), %rsp
	xorl	%ebp, %ebp
	call	setup_descriptor_tables	/* TSS descriptors and IDT gates, in C */
	xorl	%edi, %edi
	call	load_cpu_tables
	call	start_kernel
	ud2				/* start_kernel() never returns */
END(startup_64)

ENTRY(secondary_startup_64)
	/* No stack yet: wait for CPU 0 to create our idle task. */
1:	pause
	cmpl	$0, smp_boot_done(%rip)
	je	1b
	movq	idle_stack_top(, %rdi, 8), %rsp
	xorl	%ebp, %ebp
	call	load_cpu_tables		/* preserves rdi */
	call	start_secondary		/* start_secondary(cpu = edi) */
	ud2
END(secondary_startup_64)

/*
 * load_cpu_tables(cpu in rdi): lgdt, reload CS and SS through an iretq
 * frame (same privilege; 64-bit iretq always pops SS:RSP), lidt, ltr.
 * Clobbers rax only.
 */
	ALIGN
	.type load_cpu_tables, @function
load_cpu_tables:
	lgdt	gdt_descr(%rip)
	movq	%rsp, %rax
	pushq	$__KERNEL_DS		/* ss */
	pushq	%rax			/* rsp */
	pushfq				/* rflags, IF still clear */
	pushq	$__KERNEL_CS		/* cs */
	leaq	1f(%rip), %rax
	pushq	%rax			/* rip */
	iretq
1:	lidt	idt_descr(%rip)
	movl	%edi, %eax
	shll	$4, %eax
	addl	$(GDT_ENTRY_TSS * 8), %eax	/* 0x40 + 16 * cpu */
	ltr	%ax
	ret
END(load_cpu_tables)

	.data
	.balign 16
	.globl	gdt_table
	.type	gdt_table, @object
gdt_table:
	.quad	0x0000000000000000	/* 0x00 NULL descriptor */
	.quad	0x00cf9a000000ffff	/* 0x08 __KERNEL32_CS */
	.quad	0x00af9a000000ffff	/* 0x10 __KERNEL_CS: 64-bit code, DPL 0 */
	.quad	0x00cf92000000ffff	/* 0x18 __KERNEL_DS */
	.quad	0x00cffa000000ffff	/* 0x20 __USER32_CS (selector 0x23) */
	.quad	0x00cff2000000ffff	/* 0x28 __USER_DS (selector 0x2b) */
	.quad	0x00affa000000ffff	/* 0x30 __USER_CS (selector 0x33): 64-bit code, DPL 3 */
	.quad	0x0000000000000000	/* 0x38 unused */
	.fill	2 * NR_CPUS, 8, 0	/* 0x40 + 16 * cpu: 64-bit TSS descriptors */
.Lgdt_end:
	.size	gdt_table, .Lgdt_end - gdt_table

	/* lgdt/lidt operands: a 16-bit limit, then the 64-bit base (8-byte aligned). */
	.balign 16
	.skip	6
gdt_descr:
	.word	.Lgdt_end - gdt_table - 1
	.quad	gdt_table

	.skip	6
idt_descr:
	.word	256 * 16 - 1
	.quad	idt_table

	.section .note.GNU-stack, "", @progbits
