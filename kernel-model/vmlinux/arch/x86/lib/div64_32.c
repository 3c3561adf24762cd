/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * 64-bit division for a 32-bit CPU: gcc turns u64 / and % into calls to
 * these libgcc helpers. Built here, with the kernel's flags (frame
 * pointers, no SSE), instead of linking libgcc. A divisor that fits in
 * 32 bits takes two divl steps (do_div() in Linux); a wider one is
 * shift-and-subtract. Division by zero returns all ones / the dividend.
 */
#include <linux/types.h>

u64 __udivmoddi4(u64 n, u64 d, u64 *rem);
u64 __udivdi3(u64 n, u64 d);
u64 __umoddi3(u64 n, u64 d);
s64 __divmoddi4(s64 n, s64 d, s64 *rem);
s64 __divdi3(s64 n, s64 d);
s64 __moddi3(s64 n, s64 d);

/* The quotient, and the remainder at @rem (gcc calls this when it needs both). */
u64 __udivmoddi4(u64 n, u64 d, u64 *rem)
{
	u64 q = 0;
	int shift;

	if (d == 0) {
		*rem = n;
		return ~0ULL;
	}
	if ((d >> 32) == 0) {
		u32 div = d, hi = n >> 32, lo = n, qhi = hi / div, qlo, r = hi % div;

		/* r < div, so the 64/32 quotient fits in 32 bits: one divl. */
		__asm__("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(div));
		*rem = r;
		return ((u64)qhi << 32) | qlo;
	}
	if (d > n) {
		*rem = n;
		return 0;
	}
	shift = __builtin_clzll(d) - __builtin_clzll(n);
	d <<= shift;
	for (; shift >= 0; shift--) {
		q <<= 1;
		if (n >= d) {
			n -= d;
			q |= 1;
		}
		d >>= 1;
	}
	*rem = n;
	return q;
}

u64 __udivdi3(u64 n, u64 d)
{
	u64 rem;

	return __udivmoddi4(n, d, &rem);
}

u64 __umoddi3(u64 n, u64 d)
{
	u64 rem;

	__udivmoddi4(n, d, &rem);
	return rem;
}

/* C's truncating division: the quotient's sign is the operands', the remainder's n's. */
s64 __divmoddi4(s64 n, s64 d, s64 *rem)
{
	u64 r, q = __udivmoddi4(n < 0 ? -(u64)n : (u64)n, d < 0 ? -(u64)d : (u64)d, &r);

	*rem = n < 0 ? -(s64)r : (s64)r;
	return (n < 0) != (d < 0) ? -(s64)q : (s64)q;
}

s64 __divdi3(s64 n, s64 d)
{
	s64 rem;

	return __divmoddi4(n, d, &rem);
}

s64 __moddi3(s64 n, s64 d)
{
	s64 rem;

	__divmoddi4(n, d, &rem);
	return rem;
}
