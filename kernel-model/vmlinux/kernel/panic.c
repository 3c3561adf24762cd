/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* panic(): format the message and hand it to the host (kernel/panic.c). */
#include <linux/kernel.h>
#include <asm/irqflags.h>

void panic(const char *fmt, ...)
{
	static char buf[1024];
	va_list args;

	local_irq_disable();
	va_start(args, fmt);
	vscnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	machine_panic(buf);	/* "Kernel panic - not syncing: <buf>" */
}
