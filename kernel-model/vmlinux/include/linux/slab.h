/* Copyright 2026 the kprobes-sim authors. MIT license. */
/* The page allocator and kmalloc (linux/slab.h, linux/gfp.h). */
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H

#include <linux/types.h>

#define GFP_ATOMIC	0x20u
#define GFP_KERNEL	0xd0u
#define __GFP_ZERO	0x8000u

void mem_init(void);
void kmem_cache_init(void);

/* 2^order contiguous pages, aligned to their size; NULL when out of memory. */
void *__get_free_pages(gfp_t flags, unsigned int order);
void free_pages(void *addr, unsigned int order);

void *kmalloc(size_t size, gfp_t flags);
void kfree(const void *objp);

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

extern unsigned long totalram_pages, nr_free_pages;

#endif /* _LINUX_SLAB_H */
