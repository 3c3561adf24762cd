/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * i386 machine setup: boot parameters, the descriptor tables (GDT TSS
 * slots, TSS, IDT) and CPU identification.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/boot_params.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <asm/asm-offsets.h>
#include <asm/segment.h>

/* Written by the host before boot; these defaults apply to fields left 0. */
struct boot_params boot_params = {
	.mem_size	= 16 << 20,
	.nr_cpus	= 1,
	.preempt	= 0,
	.hz		= 1000,
	.max_tasks	= DEFAULT_MAX_TASKS,
	.tsc_khz	= 1000000,
};

/* A 32-bit IDT gate. */
struct desc_struct {
	u16 offset_low;
	u16 segment;
	u8 zero;
	u8 type;		/* P | DPL | 0xe (32-bit interrupt gate) */
	u16 offset_high;
} __packed;

#define GATE_INTERRUPT		0x8e	/* present, DPL 0 */
#define GATE_INTERRUPT_USER	0xee	/* present, DPL 3: int $n allowed from user mode */
#define DESC_TSS		0x89	/* present, DPL 0, available 32-bit TSS */

struct desc_struct idt_table[256] __aligned(PAGE_SIZE);
struct tss_struct init_tss[NR_CPUS];
extern u64 gdt_table[];

/* entry_32.S */
void timer_interrupt(void);
void entry_INT80(void);
void setup_descriptor_tables(void);

_Static_assert(sizeof(struct desc_struct) == 8, "IDT gate size");
_Static_assert(offsetof(struct tss_struct, esp0) == 4, "TSS esp0");
_Static_assert(offsetof(struct tss_struct, ss0) == 8, "TSS ss0");
_Static_assert(offsetof(struct tss_struct, io_bitmap_base) == 102, "TSS io_bitmap_base");
_Static_assert(sizeof(struct tss_struct) == 128, "TSS slot size");

/* asm-offsets.h is written by hand: check it against the C layout. */
_Static_assert(offsetof(struct pt_regs, ebx) == EBX, "EBX");
_Static_assert(offsetof(struct pt_regs, ecx) == ECX, "ECX");
_Static_assert(offsetof(struct pt_regs, edx) == EDX, "EDX");
_Static_assert(offsetof(struct pt_regs, esi) == ESI, "ESI");
_Static_assert(offsetof(struct pt_regs, edi) == EDI, "EDI");
_Static_assert(offsetof(struct pt_regs, ebp) == EBP, "EBP");
_Static_assert(offsetof(struct pt_regs, eax) == EAX, "EAX");
_Static_assert(offsetof(struct pt_regs, xds) == XDS, "XDS");
_Static_assert(offsetof(struct pt_regs, xes) == XES, "XES");
_Static_assert(offsetof(struct pt_regs, orig_eax) == ORIG_EAX, "ORIG_EAX");
_Static_assert(offsetof(struct pt_regs, eip) == EIP, "EIP");
_Static_assert(offsetof(struct pt_regs, xcs) == XCS, "XCS");
_Static_assert(offsetof(struct pt_regs, eflags) == EFLAGS, "EFLAGS");
_Static_assert(offsetof(struct pt_regs, esp) == OLDESP, "OLDESP");
_Static_assert(offsetof(struct pt_regs, xss) == OLDSS, "OLDSS");
_Static_assert(sizeof(struct pt_regs) == SIZEOF_PTREGS, "SIZEOF_PTREGS");
_Static_assert(offsetof(struct thread_info, flags) == TI_flags, "TI_flags");
_Static_assert(offsetof(struct thread_info, cpu) == TI_cpu, "TI_cpu");
_Static_assert(offsetof(struct thread_info, preempt_count) == TI_preempt_count, "TI_preempt_count");
_Static_assert(offsetof(struct task_struct, thread.esp) == TASK_thread_esp, "TASK_thread_esp");
_Static_assert(offsetof(struct boot_params, preempt) == BP_preempt, "BP_preempt");
_Static_assert(THREAD_SIZE == 16384, "THREAD_SIZE");

static void set_gate(int vector, u8 type, void (*handler)(void))
{
	unsigned long addr = (unsigned long)handler;
	struct desc_struct *g = &idt_table[vector];

	g->offset_low = addr & 0xffff;
	g->segment = __KERNEL_CS;
	g->zero = 0;
	g->type = type;
	g->offset_high = addr >> 16;
}

static void set_tss_desc(int cpu)
{
	u64 base = (unsigned long)&init_tss[cpu];
	u64 limit = offsetof(struct tss_struct, io_bitmap_base) + 2 - 1;

	init_tss[cpu].io_bitmap_base = limit + 1;	/* beyond the limit: no I/O bitmap */
	init_tss[cpu].ss0 = __KERNEL_DS;
	gdt_table[GDT_ENTRY_TSS + cpu] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		((u64)DESC_TSS << 40) | (((limit >> 16) & 0xf) << 48) |
		(((base >> 24) & 0xff) << 56);
}

/*
 * Called by startup_32 on the boot stack, before lgdt/lidt/ltr: one TSS
 * descriptor per possible CPU, and the two gates the guest handles.
 * Every other vector stays not-present (the host takes exceptions).
 */
void setup_descriptor_tables(void)
{
	int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		set_tss_desc(cpu);
	init_tss[0].esp0 = (unsigned long)&init_thread_union + THREAD_SIZE;
	set_gate(0x20, GATE_INTERRUPT, timer_interrupt);
	set_gate(0x80, GATE_INTERRUPT_USER, entry_INT80);
}

/* Fill in what the host left out and say what we were given. */
void setup_arch(void)
{
	struct boot_params *bp = &boot_params;

	if (bp->nr_cpus == 0)
		bp->nr_cpus = 1;
	if (bp->nr_cpus > NR_CPUS)
		bp->nr_cpus = NR_CPUS;
	if (bp->hz == 0)
		bp->hz = 1000;
	if (bp->tsc_khz == 0)
		bp->tsc_khz = 1000000;
	if (bp->max_tasks == 0)
		bp->max_tasks = DEFAULT_MAX_TASKS;
	nr_cpus = bp->nr_cpus;

	printk(KERN_INFO "BIOS-provided physical RAM map:\n");
	printk(KERN_INFO " kprobes-sim: %016lx - %016lx (usable)\n",
	       KERNEL_BASE, KERNEL_BASE + (unsigned long)bp->mem_size);
	printk(KERN_INFO "Boot parameters: %u CPUs, HZ %u, TSC %llu kHz, max_tasks %u, preempt %u\n",
	       bp->nr_cpus, bp->hz, bp->tsc_khz, bp->max_tasks, bp->preempt);
}

void print_cpu_info(int cpu)
{
	u64 khz = boot_params.tsc_khz;

	printk(KERN_INFO "CPU%d: kprobes-sim virtual i386 CPU @ %llu.%03llu MHz, TSS at selector %#x\n",
	       cpu, khz / 1000, khz % 1000, TSS_SELECTOR(cpu));
}
