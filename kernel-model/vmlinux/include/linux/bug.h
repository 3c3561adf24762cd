/* Copyright 2026 the kprobes-sim authors. MIT license. */
#ifndef _LINUX_BUG_H
#define _LINUX_BUG_H

#include <linux/compiler.h>
#include <asm/bug.h>

#endif /* _LINUX_BUG_H */
