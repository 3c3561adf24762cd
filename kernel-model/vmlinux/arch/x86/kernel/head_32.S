/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * From the host's CPU reset to C (arch/i386/kernel/head.S).
 *
 * The host starts every CPU in 32-bit protected mode with flat segments,
 * CPL 0, interrupts off and esp = 0: CPU 0 at startup_32, CPU n at
 * secondary_startup_32 with edi = n. There is no real-mode bootstrap and
 * no paging; all that is left is to load our own GDT, segment registers,
 * IDT and task register.
 */
#include <linux/threads.h>
#include <asm/linkage.h>
#include <asm/page.h>
#include <asm/segment.h>

	.section .head.text, "ax"
	.code32

ENTRY(startup_32)
	movl	$(init_thread_union + THREAD_SIZE), %esp
	xorl	%ebp, %ebp
	call	setup_descriptor_tables	/* TSS descriptors and IDT gates, in C */
	xorl	%eax, %eax
	call	load_cpu_tables
	call	start_kernel
	ud2				/* start_kernel() never returns */
END(startup_32)

ENTRY(secondary_startup_32)
	/* No stack yet: wait for CPU 0 to create our idle task. */
1:	pause
	cmpl	$0, smp_boot_done
	je	1b
	movl	idle_stack_top(, %edi, 4), %esp
	xorl	%ebp, %ebp
	movl	%edi, %eax
	call	load_cpu_tables
	pushl	%edi
	call	start_secondary		/* start_secondary(cpu), on the stack */
	ud2
END(secondary_startup_32)

/*
 * load_cpu_tables(cpu in eax): lgdt, reload CS through a same-privilege
 * iret frame (eflags, cs, eip: no far jump, as on x86_64), the data
 * segments as 2.6 did (ss = __KERNEL_DS, ds = es = __USER_DS, fs = gs =
 * 0), lidt, ltr. Clobbers ecx only.
 */
	ALIGN
	.type load_cpu_tables, @function
load_cpu_tables:
	lgdt	gdt_descr
	pushfl				/* eflags, IF still clear */
	pushl	$__KERNEL_CS
	pushl	$1f
	iret
1:	movl	$__KERNEL_DS, %ecx
	movl	%ecx, %ss
	movl	$__USER_DS, %ecx
	movl	%ecx, %ds
	movl	%ecx, %es
	xorl	%ecx, %ecx
	movl	%ecx, %fs
	movl	%ecx, %gs
	lidt	idt_descr
	leal	(GDT_ENTRY_TSS * 8)(, %eax, 8), %ecx	/* 0x80 + 8 * cpu */
	ltr	%cx
	ret
END(load_cpu_tables)

	.data
	.balign 16
	.globl	gdt_table
	.type	gdt_table, @object
gdt_table:
	.quad	0x0000000000000000	/* 0x00 NULL descriptor */
	.fill	GDT_ENTRY_KERNEL_CS - 1, 8, 0	/* 0x08-0x58 unused (2.6: TLS, PnP BIOS, APM) */
	.quad	0x00cf9a000000ffff	/* 0x60 __KERNEL_CS: 4 GiB code, DPL 0 */
	.quad	0x00cf92000000ffff	/* 0x68 __KERNEL_DS */
	.quad	0x00cffa000000ffff	/* 0x73 __USER_CS: 4 GiB code, DPL 3 */
	.quad	0x00cff2000000ffff	/* 0x7b __USER_DS */
	.fill	NR_CPUS, 8, 0		/* 0x80 + 8 * cpu: 32-bit TSS descriptors */
.Lgdt_end:
	.size	gdt_table, .Lgdt_end - gdt_table

	/* lgdt/lidt operands: a 16-bit limit, then the 32-bit base (4-byte aligned). */
	.balign 4
	.skip	2
gdt_descr:
	.word	.Lgdt_end - gdt_table - 1
	.long	gdt_table

	.skip	2
idt_descr:
	.word	256 * 8 - 1
	.long	idt_table

	.section .note.GNU-stack, "", @progbits
