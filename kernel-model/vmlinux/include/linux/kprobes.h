/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * The guest's share of Kprobes: the .kprobes.text section, which the host
 * refuses to probe, and the entry points the host uses (ABI.md).
 */
#ifndef _LINUX_KPROBES_H
#define _LINUX_KPROBES_H

#include <linux/compiler.h>

#define __kprobes	__attribute__((section(".kprobes.text")))

struct task_struct;

extern char __kprobes_text_start[], __kprobes_text_end[];
extern char __insn_slots_start[], __insn_slots_end[];

/* arch/x86/kernel/kprobes_text{,_32}.S, arch/ppc64/kernel/kprobes_text.S */
void host_call_return(void);
void kretprobe_trampoline(void);
void jprobe_trampoline(void);
void oops_do_exit(long signr) __noreturn fastcall;

/* kernel/kprobes_text.c: a hook the host watches to recycle kretprobe instances. */
void kprobe_flush_task(struct task_struct *tk);

#endif /* _LINUX_KPROBES_H */
