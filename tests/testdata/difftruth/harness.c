/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Differential-truth harness: a user program linked with the guest kernel's
 * own kernel/vsprintf.c, kernel/string.c and arch string routines (their
 * symbols renamed guest_*, so libc's never stand in for them). It runs every
 * call of calls.json (compiled into calls.h by make_goldens.sh) on fixed
 * inputs in a fixed, page-aligned arena and prints the golden JSON on stdout:
 * per call the function, its arguments as given and as passed on this arch,
 * the return value and the output buffer before and after.
 *
 * Arena (the interpreter replays it at the same page offset): the output
 * buffer at +0 (filled with 0xa5, then out.init), the inputs at +0x1000
 * (zeroed, then each string or byte string at its offset).
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* The guest's functions, with the guest's signatures (renamed by objcopy). */
int guest_snprintf(char *buf, size_t size, const char *fmt, ...);
int guest_scnprintf(char *buf, size_t size, const char *fmt, ...);
int guest_sprintf(char *buf, const char *fmt, ...);
size_t guest_strlen(const char *s);
size_t guest_strnlen(const char *s, size_t maxlen);
int guest_strcmp(const char *a, const char *b);
int guest_strncmp(const char *a, const char *b, size_t n);
int guest_memcmp(const void *a, const void *b, size_t n);
void *guest_memcpy(void *dest, const void *src, size_t n);
void *guest_memset(void *s, int c, size_t n);
void *guest_memmove(void *dest, const void *src, size_t n);
size_t guest_strlcpy(char *dest, const char *src, size_t size);
char *guest_strrchr(const char *s, int c);

#define ARENA_SIZE 0x2000
#define OUT_OFFSET 0
#define IN_OFFSET 0x1000
#define OUT_FILL 0xa5

static unsigned char arena[ARENA_SIZE] __attribute__((aligned(4096)));
#define OUT (arena + OUT_OFFSET)
#define IN (arena + IN_OFFSET)

enum arg_kind { K_OUT, K_IN, K_NULL, K_INT };
enum ret_kind { R_INT, R_SIZE, R_PTR };

struct arg {
	enum arg_kind kind;
	unsigned offset;		/* K_OUT, K_IN */
	const unsigned char *bytes;	/* K_IN */
	unsigned len;			/* K_IN */
	const char *ctype;		/* K_INT */
	unsigned bits;			/* K_INT */
	int is_signed;			/* K_INT */
	long long s;			/* K_INT, signed */
	unsigned long long u;		/* K_INT, unsigned */
};

struct result {
	long long s;
	unsigned long long u;
	void *p;
};

struct call {
	const char *fn;
	const char *given;		/* the arguments as calls.json gives them (JSON) */
	enum ret_kind ret;
	unsigned out_size;		/* 0: no output buffer */
	const char *out_init;
	unsigned out_init_len;
	const struct arg *args;
	unsigned nargs;
	void (*run)(struct result *r);
};

#include "calls.h"

#if defined(__x86_64__)
#define ARCH "x86_64"
#elif defined(__i386__)
#define ARCH "i386"
#elif defined(__powerpc64__) && defined(__BIG_ENDIAN__)
#define ARCH "ppc64"
#elif defined(__sparc__) && defined(__arch64__)
#define ARCH "sparc64"
#else
#error "unsupported architecture"
#endif

static void hex(const unsigned char *p, unsigned n)
{
	putchar('"');
	for (unsigned i = 0; i < n; i++)
		printf("%02x", p[i]);
	putchar('"');
}

static void print_arg(const struct arg *a)
{
	switch (a->kind) {
	case K_OUT:
		printf("{\"kind\":\"out\",\"offset\":%u}", a->offset);
		break;
	case K_IN:
		printf("{\"kind\":\"in\",\"offset\":%u,\"bytes\":", a->offset);
		hex(a->bytes, a->len);
		putchar('}');
		break;
	case K_NULL:
		printf("{\"kind\":\"null\"}");
		break;
	case K_INT:
		printf("{\"kind\":\"int\",\"ctype\":\"%s\",\"bits\":%u,\"signed\":%s,\"value\":",
		       a->ctype, a->bits, a->is_signed ? "true" : "false");
		if (a->is_signed)
			printf("\"%lld\"}", a->s);
		else
			printf("\"%llu\"}", a->u);
		break;
	}
}

static void print_ret(const struct call *c, const struct result *r)
{
	const unsigned char *p = r->p;

	switch (c->ret) {
	case R_INT:
		printf("{\"ctype\":\"int\",\"bits\":%u,\"signed\":true,\"value\":\"%lld\"}",
		       (unsigned)(8 * sizeof(int)), r->s);
		break;
	case R_SIZE:
		printf("{\"ctype\":\"size_t\",\"bits\":%u,\"signed\":false,\"value\":\"%llu\"}",
		       (unsigned)(8 * sizeof(size_t)), r->u);
		break;
	case R_PTR:
		if (p == NULL)
			printf("{\"ctype\":\"pointer\",\"region\":\"null\"}");
		else if (p >= IN && p < arena + ARENA_SIZE)
			printf("{\"ctype\":\"pointer\",\"region\":\"in\",\"offset\":%u}",
			       (unsigned)(p - IN));
		else if (p >= OUT && p < IN)
			printf("{\"ctype\":\"pointer\",\"region\":\"out\",\"offset\":%u}",
			       (unsigned)(p - OUT));
		else
			printf("{\"ctype\":\"pointer\",\"region\":\"elsewhere\"}");
		break;
	}
}

int main(void)
{
	unsigned n = sizeof(CALLS) / sizeof(CALLS[0]);

	printf("{\n");
	printf("  \"generator\": \"tests/testdata/difftruth/make_goldens.sh (do not edit)\",\n");
	printf("  \"arch\": \"%s\",\n", ARCH);
	printf("  \"long_bits\": %u,\n", (unsigned)(8 * sizeof(long)));
	printf("  \"endian\": \"%s\",\n",
	       __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? "big" : "little");
	printf("  \"arena\": {\"size\": %u, \"align\": 4096, \"out\": %u, \"in\": %u, "
	       "\"out_fill\": %u},\n", ARENA_SIZE, OUT_OFFSET, IN_OFFSET, OUT_FILL);
	printf("  \"calls\": [\n");
	for (unsigned i = 0; i < n; i++) {
		const struct call *c = &CALLS[i];
		struct result r = { 0, 0, NULL };

		memset(arena, 0, sizeof(arena));
		memset(OUT, OUT_FILL, IN_OFFSET - OUT_OFFSET);
		memcpy(OUT, c->out_init, c->out_init_len);
		for (unsigned j = 0; j < c->nargs; j++)
			if (c->args[j].kind == K_IN)
				memcpy(IN + c->args[j].offset, c->args[j].bytes, c->args[j].len);

		printf("    {\"fn\":\"%s\",\"args\":%s,\"argv\":[", c->fn, c->given);
		for (unsigned j = 0; j < c->nargs; j++) {
			if (j)
				putchar(',');
			print_arg(&c->args[j]);
		}
		printf("]");
		if (c->out_size) {
			printf(",\"out_before\":");
			hex(OUT, c->out_size);
		}
		fflush(stdout);

		c->run(&r);

		printf(",\"ret\":");
		print_ret(c, &r);
		if (c->out_size) {
			printf(",\"out_after\":");
			hex(OUT, c->out_size);
		}
		printf("}%s\n", i + 1 < n ? "," : "");
	}
	printf("  ]\n}\n");
	return 0;
}
