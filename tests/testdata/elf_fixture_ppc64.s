# Copyright 2026 the kprobes-sim authors. MIT license.
# Source of the ppc64 ELFv1 big-endian fixture (built by make_elf_fixtures.sh),
# written the way gcc 3/4 did for Linux 2.6: every function has a descriptor
# in .opd under its own name (nm: D) and a dot-symbol text entry (nm: T).

	.section ".opd", "aw"
	.align 3
	.globl _start
	.type _start, @function
_start:
	.quad ._start, .TOC.@tocbase, 0
	.size _start, 24
	.globl do_fork
	.type do_fork, @function
do_fork:
	.quad .do_fork, .TOC.@tocbase, 0
	.size do_fork, 24
	.globl sys_open
	.type sys_open, @function
sys_open:
	.quad .sys_open, .TOC.@tocbase, 0
	.size sys_open, 24

	.text
	.globl ._start
	.type ._start, @function
._start:
	bl .do_fork
	nop
	b .
	.size ._start, .-._start

	.globl .do_fork
	.type .do_fork, @function
.do_fork:
	mflr 0
	std 0, 16(1)
	stdu 1, -112(1)
	ld 9, nr_tasks@toc(2)
	addi 1, 1, 112
	ld 0, 16(1)
	mtlr 0
	blr
	.size .do_fork, .-.do_fork

	.globl .sys_open
	.type .sys_open, @function
.sys_open:
	li 3, -2
	blr
	.size .sys_open, .-.sys_open

	.type .local_helper, @function
.local_helper:
	blr
	.size .local_helper, .-.local_helper

	.data
	.align 3
	.globl nr_tasks
	.type nr_tasks, @object
nr_tasks:
	.quad 1
	.size nr_tasks, 8

	.section .rodata
	.type banner, @object
banner:
	.string "Linux version 2.6.12-kprobes-sim"
	.size banner, .-banner

	.bss
	.align 3
	.globl idle_stack
	.type idle_stack, @object
idle_stack:
	.zero 64
	.size idle_stack, 64
