/* Copyright 2026 the kprobes-sim authors. MIT license. */
#ifndef _LINUX_STRING_H
#define _LINUX_STRING_H

#include <linux/types.h>

/* arch/x86/lib/string_{64,32}.S, arch/ppc64/lib/string.S */
void *memcpy(void *dest, const void *src, size_t n);
void *memset(void *s, int c, size_t n);

/* kernel/string.c */
void *memmove(void *dest, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
size_t strlcpy(char *dest, const char *src, size_t size);
char *strrchr(const char *s, int c);

#endif /* _LINUX_STRING_H */
