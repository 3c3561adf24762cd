// Copyright 2026 the kprobes-sim authors. MIT license.
// Source of the ELF fixtures (built by make_elf_fixtures.sh): one symbol of
// each kind nm tells apart, so the reader and the nm type letters are tested
// on real toolchain output. Comments give the letter in the executable.

int global_data = 1;                                   /* D */
static int local_data __attribute__((used)) = 2;       /* d */
int global_bss;                                        /* B */
static int local_bss __attribute__((used));            /* b */
const int global_rodata = 3;                           /* R */
static const char local_rodata[] __attribute__((used)) = "kprobes"; /* r */
int common_var __attribute__((common));                /* C in the object, B linked */
__thread int tls_var;                                  /* B, in .tbss */
__attribute__((weak)) int weak_func(void) { return 4; } /* W */
__attribute__((weak)) int weak_obj = 5;                /* V */
extern int undef_weak(void) __attribute__((weak));     /* w in the object */
extern int undef_weak_obj __attribute__((weak));       /* v in the object (typed below) */
extern int undef_func(void);                           /* U in the object, A linked (--defsym) */

static __attribute__((noinline, used)) int local_func(int x) /* t */
{
	return x * 3 + local_data;
}

__attribute__((noinline)) long do_fork(unsigned long flags, unsigned long sp) /* T */
{
	if (undef_weak)
		return undef_weak() + undef_func() + undef_weak_obj;
	return (long)(flags ^ sp) + local_func((int)flags) + global_data + weak_func();
}

/* T, an alias: two names at one address. */
extern long do_fork_alias(unsigned long, unsigned long) __attribute__((alias("do_fork")));

__attribute__((section(".kprobes.text"), noinline)) void kretprobe_trampoline(void) /* T */
{
	__asm__ volatile("nop");
}

__asm__(
	/* A and a: absolute symbols. */
	".globl abs_global\n.set abs_global, 0x1234\n"
	".set abs_local, 0x42\n"
	/* n: a non-allocated note; N: a debugging section. */
	".pushsection .note.kpsim,\"\",@note\nnote_sym: .long 0\n.popsection\n"
	".pushsection .debug_kpsim,\"\",@progbits\ndebug_sym: .long 0\n.popsection\n"
	/* T: the entry point, with an alias that looks linker-provided. */
	".pushsection .text\n.globl _start\n.globl __start_marker\n_start:\n__start_marker:\nret\n.popsection\n"
	/* v: gcc leaves undefined symbols untyped; say this one is an object. */
	".type undef_weak_obj, @object\n"
	/* u: a GNU unique object; i: an indirect function. */
	".pushsection .data\n.type uniq_obj, @gnu_unique_object\n.globl uniq_obj\nuniq_obj: .long 7\n"
	".size uniq_obj, 4\n.popsection\n"
	".pushsection .text\n.type ifunc_sym, @gnu_indirect_function\n.globl ifunc_sym\nifunc_sym: ret\n"
	".popsection\n");
