/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* String helpers (lib/string.c); memcpy and memset are in arch/{x86,ppc64}/lib. */
#include <linux/string.h>

void *memmove(void *dest, const void *src, size_t n)
{
	char *d = dest;
	const char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dest, src, n);	/* forward copy is safe */
	while (n--)
		d[n] = s[n];
	return dest;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

size_t strnlen(const char *s, size_t maxlen)
{
	const char *p = s;

	while (maxlen-- && *p)
		p++;
	return p - s;
}

int strcmp(const char *a, const char *b)
{
	unsigned char c1, c2;

	do {
		c1 = *a++;
		c2 = *b++;
		if (c1 != c2)
			return c1 < c2 ? -1 : 1;
	} while (c1);
	return 0;
}

int strncmp(const char *a, const char *b, size_t n)
{
	unsigned char c1, c2;

	while (n--) {
		c1 = *a++;
		c2 = *b++;
		if (c1 != c2)
			return c1 < c2 ? -1 : 1;
		if (!c1)
			break;
	}
	return 0;
}

/* Copy at most size-1 bytes and always terminate; returns strlen(src). */
size_t strlcpy(char *dest, const char *src, size_t size)
{
	size_t ret = strlen(src);

	if (size) {
		size_t len = ret >= size ? size - 1 : ret;

		memcpy(dest, src, len);
		dest[len] = '\0';
	}
	return ret;
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	do {
		if (*s == (char)c)
			last = s;
	} while (*s++);
	return (char *)last;
}
