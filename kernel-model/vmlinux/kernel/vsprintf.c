/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Formatted output (lib/vsprintf.c): %d %i %u %o %x %X %c %s %p %%,
 * flags - + space # 0, width and precision (also *), and the h hh l ll
 * z Z t modifiers. %p is the pointer in zero-padded hex without 0x, as
 * 2.6 printed it; a NULL %s prints "(null)". Returns the length the
 * output would have had, like C99.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#define ZEROPAD	1		/* pad with zero */
#define SIGN	2		/* unsigned/signed long */
#define PLUS	4		/* show plus */
#define SPACE	8		/* space if plus */
#define LEFT	16		/* left justified */
#define SPECIAL	32		/* 0x */
#define LARGE	64		/* use 'ABCDEF' instead of 'abcdef' */

static inline int isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static int skip_atoi(const char **s)
{
	int i = 0;

	while (isdigit(**s))
		i = i * 10 + *((*s)++) - '0';
	return i;
}

#define PUT(c)	do { if (buf < end) *buf = (c); ++buf; } while (0)

static char *number(char *buf, char *end, unsigned long long num,
		    int base, int size, int precision, int type)
{
	const char *digits = (type & LARGE) ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24], sign = 0, c;
	int i = 0;

	if (type & LEFT)
		type &= ~ZEROPAD;
	c = (type & ZEROPAD) ? '0' : ' ';
	if (type & SIGN) {
		if ((long long)num < 0) {
			sign = '-';
			num = -(long long)num;
			size--;
		} else if (type & PLUS) {
			sign = '+';
			size--;
		} else if (type & SPACE) {
			sign = ' ';
			size--;
		}
	}
	if (type & SPECIAL) {
		if (base == 16)
			size -= 2;
		else if (base == 8)
			size--;
	}
	if (num == 0)
		tmp[i++] = '0';
	else if (base == 10)
		while (num != 0) {
			tmp[i++] = digits[num % 10];
			num /= 10;
		}
	else {
		int shift = base == 16 ? 4 : 3;

		while (num != 0) {
			tmp[i++] = digits[num & (base - 1)];
			num >>= shift;
		}
	}
	if (i > precision)
		precision = i;
	size -= precision;
	if (!(type & (ZEROPAD | LEFT)))
		while (size-- > 0)
			PUT(' ');
	if (sign)
		PUT(sign);
	if (type & SPECIAL) {
		if (base == 8) {
			PUT('0');
		} else if (base == 16) {
			PUT('0');
			PUT((type & LARGE) ? 'X' : 'x');
		}
	}
	if (!(type & LEFT))
		while (size-- > 0)
			PUT(c);
	while (i < precision--)
		PUT('0');
	while (i-- > 0)
		PUT(tmp[i]);
	while (size-- > 0)
		PUT(' ');
	return buf;
}

noinline int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	unsigned long long num;
	int base, flags, field_width, precision, qualifier, len, i;
	char *str = buf, *end;
	const char *s;

	end = buf + size;
	if (end < buf) {		/* wrapped: unbounded sprintf() */
		end = (void *)-1;
		size = end - buf;
	}
	buf = str;

	for (; *fmt; ++fmt) {
		if (*fmt != '%') {
			PUT(*fmt);
			continue;
		}

		flags = 0;
repeat:
		++fmt;			/* this also skips the first '%' */
		switch (*fmt) {
		case '-': flags |= LEFT; goto repeat;
		case '+': flags |= PLUS; goto repeat;
		case ' ': flags |= SPACE; goto repeat;
		case '#': flags |= SPECIAL; goto repeat;
		case '0': flags |= ZEROPAD; goto repeat;
		}

		field_width = -1;
		if (isdigit(*fmt)) {
			field_width = skip_atoi(&fmt);
		} else if (*fmt == '*') {
			++fmt;
			field_width = va_arg(args, int);
			if (field_width < 0) {
				field_width = -field_width;
				flags |= LEFT;
			}
		}

		precision = -1;
		if (*fmt == '.') {
			++fmt;
			if (isdigit(*fmt)) {
				precision = skip_atoi(&fmt);
			} else if (*fmt == '*') {
				++fmt;
				precision = va_arg(args, int);
			}
			if (precision < 0)
				precision = 0;
		}

		qualifier = -1;
		if (*fmt == 'h' || *fmt == 'l' || *fmt == 'L' ||
		    *fmt == 'Z' || *fmt == 'z' || *fmt == 't') {
			qualifier = *fmt++;
			if (qualifier == 'l' && *fmt == 'l') {
				qualifier = 'L';
				++fmt;
			} else if (qualifier == 'h' && *fmt == 'h') {
				qualifier = 'H';
				++fmt;
			}
		}

		base = 10;
		switch (*fmt) {
		case 'c':
			if (!(flags & LEFT))
				while (--field_width > 0)
					PUT(' ');
			PUT((unsigned char)va_arg(args, int));
			while (--field_width > 0)
				PUT(' ');
			continue;

		case 's':
			s = va_arg(args, const char *);
			if (!s)
				s = "(null)";
			len = strnlen(s, precision < 0 ? (size_t)-1 : (size_t)precision);
			if (!(flags & LEFT))
				while (len < field_width--)
					PUT(' ');
			for (i = 0; i < len; ++i)
				PUT(*s++);
			while (len < field_width--)
				PUT(' ');
			continue;

		case 'p':
			if (field_width == -1) {
				field_width = 2 * sizeof(void *);
				flags |= ZEROPAD;
			}
			buf = number(buf, end, (unsigned long)va_arg(args, void *),
				     16, field_width, precision, flags);
			continue;

		case '%':
			PUT('%');
			continue;

		case 'o':
			base = 8;
			break;
		case 'X':
			flags |= LARGE;
			/* fall through */
		case 'x':
			base = 16;
			break;
		case 'd':
		case 'i':
			flags |= SIGN;
			/* fall through */
		case 'u':
			break;

		default:		/* not a conversion: print it as it is */
			PUT('%');
			if (*fmt)
				PUT(*fmt);
			else
				--fmt;
			continue;
		}

		if (qualifier == 'L')
			num = va_arg(args, unsigned long long);
		else if (qualifier == 'l')
			num = (flags & SIGN) ? (unsigned long long)va_arg(args, long)
					     : va_arg(args, unsigned long);
		else if (qualifier == 'Z' || qualifier == 'z')
			num = va_arg(args, size_t);
		else if (qualifier == 't')
			num = va_arg(args, ptrdiff_t);
		else if (qualifier == 'h')
			num = (flags & SIGN) ? (unsigned long long)(short)va_arg(args, int)
					     : (unsigned short)va_arg(args, int);
		else if (qualifier == 'H')
			num = (flags & SIGN) ? (unsigned long long)(signed char)va_arg(args, int)
					     : (unsigned char)va_arg(args, int);
		else
			num = (flags & SIGN) ? (unsigned long long)va_arg(args, int)
					     : va_arg(args, unsigned int);
		buf = number(buf, end, num, base, field_width, precision, flags);
	}
	if (size > 0) {
		if (buf < end)
			*buf = '\0';
		else
			end[-1] = '\0';
	}
	return buf - str;
}

/* Like vsnprintf(), but returns the number of characters actually stored. */
int vscnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	int i = vsnprintf(buf, size, fmt, args);

	if (i < (int)size)
		return i;
	return size ? (int)size - 1 : 0;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int i;

	va_start(args, fmt);
	i = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return i;
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int i;

	va_start(args, fmt);
	i = vscnprintf(buf, size, fmt, args);
	va_end(args);
	return i;
}

int sprintf(char *buf, const char *fmt, ...)
{
	va_list args;
	int i;

	va_start(args, fmt);
	i = vsnprintf(buf, INT_MAX, fmt, args);
	va_end(args);
	return i;
}
