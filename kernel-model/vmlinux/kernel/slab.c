/* Copyright 2026 the kprobes-sim authors. MIT license. */
/*
 * Memory (mm/page_alloc.c and mm/slab.c, much reduced). The heap runs from
 * _end, rounded up to a page, to KERNEL_BASE + boot_params.mem_size. A
 * page allocator hands out naturally aligned blocks of 2^order pages (so
 * kernel stacks are 16 KiB aligned); kmalloc() serves sizes up to 2048
 * bytes from power-of-two caches carved out of single pages, and larger
 * sizes from whole blocks.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/boot_params.h>

/* page_info[]: what each heap page is. */
#define PG_FREE		0x00000000u
#define PG_HEAD		0x10000000u	/* first page of a block; low bits: order */
#define PG_TAIL		0x20000000u	/* other pages of a block */
#define PG_SLAB		0x40000000u	/* kmalloc cache page; low bits: cache index */
#define PG_RESERVED	0x80000000u	/* page_info[] itself */
#define PG_DATA_MASK	0x0000ffffu

#define MAX_ORDER	11		/* blocks up to 4 MiB */

extern char _text[], _etext[], _sdata[], _edata[], __bss_start[], _end[];

static DEFINE_SPINLOCK(page_lock);
static unsigned long heap_start;	/* page aligned */
static unsigned long heap_pages;
static u32 *page_info;
static unsigned long free_hint;		/* every page below this index is in use */
unsigned long totalram_pages, nr_free_pages;

struct kmem_cache {
	unsigned int size;
	void *freelist;			/* free objects, linked through their first word */
	unsigned long active;		/* objects handed out */
};

static DEFINE_SPINLOCK(slab_lock);
static struct kmem_cache kmalloc_caches[] = {
	{ .size = 32 }, { .size = 64 }, { .size = 128 }, { .size = 256 },
	{ .size = 512 }, { .size = 1024 }, { .size = 2048 },
};
#define KMALLOC_MAX_CACHE	2048

static inline unsigned long page_index(const void *addr)
{
	return ((unsigned long)addr - heap_start) >> PAGE_SHIFT;
}

static inline void *page_address(unsigned long idx)
{
	return (void *)(heap_start + (idx << PAGE_SHIFT));
}

static unsigned int get_order(size_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

void mem_init(void)
{
	unsigned long end = KERNEL_BASE + boot_params.mem_size;
	unsigned long reserved, i;

	heap_start = ALIGN((unsigned long)_end, PAGE_SIZE);
	if (end < heap_start + 64 * PAGE_SIZE)
		panic("Not enough memory: mem_size %llu does not cover the image and a heap",
		      boot_params.mem_size);
	heap_pages = (end - heap_start) >> PAGE_SHIFT;
	page_info = (u32 *)heap_start;
	reserved = ALIGN(heap_pages * sizeof(u32), PAGE_SIZE) >> PAGE_SHIFT;
	for (i = 0; i < heap_pages; i++)
		page_info[i] = i < reserved ? PG_RESERVED : PG_FREE;
	totalram_pages = boot_params.mem_size >> PAGE_SHIFT;
	nr_free_pages = heap_pages - reserved;
	free_hint = reserved;

	printk(KERN_INFO "Memory: %luk/%luk available (%luk kernel code, %luk reserved, %luk data, %luk bss)\n",
	       nr_free_pages << (PAGE_SHIFT - 10), totalram_pages << (PAGE_SHIFT - 10),
	       (unsigned long)(_etext - _text) >> 10,
	       (totalram_pages - nr_free_pages) << (PAGE_SHIFT - 10),
	       (unsigned long)(_edata - _sdata) >> 10,
	       (unsigned long)(_end - __bss_start) >> 10);
}

void *__get_free_pages(gfp_t flags, unsigned int order)
{
	unsigned long n = 1UL << order, base, i, irqflags;
	void *addr = NULL;

	if (order >= MAX_ORDER)
		return NULL;
	spin_lock_irqsave(&page_lock, irqflags);
	/* First fit over blocks aligned to their size (in kernel addresses). */
	base = ALIGN((unsigned long)page_address(free_hint), PAGE_SIZE << order);
	for (i = page_index((void *)base); i + n <= heap_pages; i += n) {
		unsigned long j;

		for (j = 0; j < n && page_info[i + j] == PG_FREE; j++)
			;
		if (j < n)
			continue;
		page_info[i] = PG_HEAD | order;
		for (j = 1; j < n; j++)
			page_info[i + j] = PG_TAIL;
		nr_free_pages -= n;
		if (i == free_hint)
			free_hint = i + n;
		addr = page_address(i);
		break;
	}
	spin_unlock_irqrestore(&page_lock, irqflags);
	if (addr && (flags & __GFP_ZERO))
		memset(addr, 0, PAGE_SIZE << order);
	return addr;
}

void free_pages(void *addr, unsigned int order)
{
	unsigned long i = page_index(addr), n = 1UL << order, j, flags;

	BUG_ON(i >= heap_pages || page_info[i] != (PG_HEAD | order));
	spin_lock_irqsave(&page_lock, flags);
	for (j = 0; j < n; j++)
		page_info[i + j] = PG_FREE;
	nr_free_pages += n;
	if (i < free_hint)
		free_hint = i;
	spin_unlock_irqrestore(&page_lock, flags);
}

void kmem_cache_init(void)
{
	printk(KERN_INFO "kmalloc: %lu caches, %u to %u bytes\n",
	       (unsigned long)ARRAY_SIZE(kmalloc_caches), kmalloc_caches[0].size,
	       KMALLOC_MAX_CACHE);
}

/* Carve a fresh page into objects. Called with slab_lock held. */
static int cache_grow(struct kmem_cache *cachep, unsigned int idx)
{
	char *page = __get_free_pages(GFP_ATOMIC, 0);
	unsigned int off;

	if (!page)
		return 0;
	page_info[page_index(page)] = PG_SLAB | idx;
	for (off = 0; off + cachep->size <= PAGE_SIZE; off += cachep->size) {
		*(void **)(page + off) = cachep->freelist;
		cachep->freelist = page + off;
	}
	return 1;
}

noinline void *kmalloc(size_t size, gfp_t flags)
{
	struct kmem_cache *cachep;
	unsigned long irqflags;
	unsigned int idx;
	void *objp;

	if (size > KMALLOC_MAX_CACHE)
		return __get_free_pages(flags, get_order(size));

	for (idx = 0; kmalloc_caches[idx].size < size; idx++)
		;
	cachep = &kmalloc_caches[idx];
	spin_lock_irqsave(&slab_lock, irqflags);
	if (!cachep->freelist && !cache_grow(cachep, idx)) {
		spin_unlock_irqrestore(&slab_lock, irqflags);
		return NULL;
	}
	objp = cachep->freelist;
	cachep->freelist = *(void **)objp;
	cachep->active++;
	spin_unlock_irqrestore(&slab_lock, irqflags);
	if (flags & __GFP_ZERO)
		memset(objp, 0, size);
	return objp;
}

noinline void kfree(const void *objp)
{
	unsigned long i, irqflags;
	u32 info;

	if (!objp)
		return;
	i = page_index(objp);
	BUG_ON((unsigned long)objp < heap_start || i >= heap_pages);
	info = page_info[i];
	if (info & PG_HEAD) {
		BUG_ON((unsigned long)objp & ~PAGE_MASK);
		free_pages((void *)objp, info & PG_DATA_MASK);
		return;
	}
	BUG_ON(!(info & PG_SLAB));
	spin_lock_irqsave(&slab_lock, irqflags);
	{
		struct kmem_cache *cachep = &kmalloc_caches[info & PG_DATA_MASK];

		*(void **)objp = cachep->freelist;
		cachep->freelist = (void *)objp;
		cachep->active--;
	}
	spin_unlock_irqrestore(&slab_lock, irqflags);
}
