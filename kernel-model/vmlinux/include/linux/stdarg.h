/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* Variable arguments without the C library's headers (-nostdinc). */
#ifndef _LINUX_STDARG_H
#define _LINUX_STDARG_H

typedef __builtin_va_list va_list;
#define va_start(ap, last)	__builtin_va_start(ap, last)
#define va_arg(ap, type)	__builtin_va_arg(ap, type)
#define va_end(ap)		__builtin_va_end(ap)
#define va_copy(dst, src)	__builtin_va_copy(dst, src)

#endif /* _LINUX_STDARG_H */
