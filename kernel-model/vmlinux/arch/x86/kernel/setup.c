/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * x86_64 machine setup: boot parameters, the descriptor tables
 * (GDT TSS slots, TSS, IDT) and CPU identification.
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

/* A 64-bit IDT gate. */
struct gate_struct {
	u16 offset_low;
	u16 segment;
	u8 ist;
	u8 type;		/* P | DPL | 0xe (64-bit interrupt gate) */
	u16 offset_middle;
	u32 offset_high;
	u32 zero1;
} __packed;

#define GATE_INTERRUPT		0x8e	/* present, DPL 0 */
#define GATE_INTERRUPT_USER	0xee	/* present, DPL 3: int $n allowed from user mode */
#define DESC_TSS		0x89	/* present, DPL 0, available 64-bit TSS */

struct gate_struct idt_table[256] __aligned(PAGE_SIZE);
struct tss_struct init_tss[NR_CPUS];
extern u64 gdt_table[];

/* entry_64.S */
void timer_interrupt(void);
void entry_INT80(void);
void setup_descriptor_tables(void);

_Static_assert(sizeof(struct gate_struct) == 16, "IDT gate size");
_Static_assert(offsetof(struct tss_struct, rsp0) == 4, "TSS rsp0");
_Static_assert(offsetof(struct tss_struct, io_bitmap_base) == 102, "TSS io_bitmap_base");
_Static_assert(sizeof(struct tss_struct) == 128, "TSS slot size");

/* asm-offsets.h is written by hand: check it against the C layout. */
_Static_assert(offsetof(struct pt_regs, r15) == R15, "R15");
_Static_assert(offsetof(struct pt_regs, r14) == R14, "R14");
_Static_assert(offsetof(struct pt_regs, r13) == R13, "R13");
_Static_assert(offsetof(struct pt_regs, r12) == R12, "R12");
_Static_assert(offsetof(struct pt_regs, rbp) == RBP, "RBP");
_Static_assert(offsetof(struct pt_regs, rbx) == RBX, "RBX");
_Static_assert(offsetof(struct pt_regs, r11) == R11, "R11");
_Static_assert(offsetof(struct pt_regs, r10) == R10, "R10");
_Static_assert(offsetof(struct pt_regs, r9) == R9, "R9");
_Static_assert(offsetof(struct pt_regs, r8) == R8, "R8");
_Static_assert(offsetof(struct pt_regs, rax) == RAX, "RAX");
_Static_assert(offsetof(struct pt_regs, rcx) == RCX, "RCX");
_Static_assert(offsetof(struct pt_regs, rdx) == RDX, "RDX");
_Static_assert(offsetof(struct pt_regs, rsi) == RSI, "RSI");
_Static_assert(offsetof(struct pt_regs, rdi) == RDI, "RDI");
_Static_assert(offsetof(struct pt_regs, orig_rax) == ORIG_RAX, "ORIG_RAX");
_Static_assert(offsetof(struct pt_regs, rip) == RIP, "RIP");
_Static_assert(offsetof(struct pt_regs, cs) == CS, "CS");
_Static_assert(offsetof(struct pt_regs, eflags) == EFLAGS, "EFLAGS");
_Static_assert(offsetof(struct pt_regs, rsp) == RSP, "RSP");
_Static_assert(offsetof(struct pt_regs, ss) == SS, "SS");
_Static_assert(sizeof(struct pt_regs) == SIZEOF_PTREGS, "SIZEOF_PTREGS");
_Static_assert(offsetof(struct thread_info, flags) == TI_flags, "TI_flags");
_Static_assert(offsetof(struct thread_info, cpu) == TI_cpu, "TI_cpu");
_Static_assert(offsetof(struct thread_info, preempt_count) == TI_preempt_count, "TI_preempt_count");
_Static_assert(offsetof(struct task_struct, thread.rsp) == TASK_thread_rsp, "TASK_thread_rsp");
_Static_assert(offsetof(struct boot_params, preempt) == BP_preempt, "BP_preempt");
_Static_assert(THREAD_SIZE == 16384, "THREAD_SIZE");

static void set_gate(int vector, u8 type, void (*handler)(void))
{
	unsigned long addr = (unsigned long)handler;
	struct gate_struct *g = &idt_table[vector];

	g->offset_low = addr & 0xffff;
	g->segment = __KERNEL_CS;
	g->ist = 0;
	g->type = type;
	g->offset_middle = (addr >> 16) & 0xffff;
	g->offset_high = addr >> 32;
	g->zero1 = 0;
}

static void set_tss_desc(int cpu)
{
	unsigned long base = (unsigned long)&init_tss[cpu];
	unsigned long limit = offsetof(struct tss_struct, io_bitmap_base) + 2 - 1;
	u64 *desc = &gdt_table[GDT_ENTRY_TSS + 2 * cpu];

	init_tss[cpu].io_bitmap_base = limit + 1;	/* beyond the limit: no I/O bitmap */
	desc[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		  ((u64)DESC_TSS << 40) | (((limit >> 16) & 0xf) << 48) |
		  (((base >> 24) & 0xff) << 56);
	desc[1] = base >> 32;
}

/*
 * Called by startup_64 on the boot stack, before lgdt/lidt/ltr: one TSS
 * descriptor per possible CPU, and the two gates the guest handles.
 * Every other vector stays not-present (the host takes exceptions).
 */
void setup_descriptor_tables(void)
{
	int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		set_tss_desc(cpu);
	init_tss[0].rsp0 = (unsigned long)&init_thread_union + THREAD_SIZE;
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

	printk(KERN_INFO "CPU%d: kprobes-sim virtual x86_64 CPU @ %llu.%03llu MHz, TSS at selector %#x\n",
	       cpu, khz / 1000, khz % 1000, TSS_SELECTOR(cpu));
}
