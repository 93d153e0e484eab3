/*
 * heap.c: a bulk heap for short-lived commands (see heap.h).
 */
#include "base/heap.h"

#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE ((uintptr_t)2 << 20)
#define MAX_RESERVE ((size_t)1 << 30)

static bool bulk;

void fw_heap_reserve(size_t n)
{
	uintptr_t first, end;
	char *p;

	if (!bulk || n < HUGE_PAGE)
		return;
	if (n > MAX_RESERVE)
		n = MAX_RESERVE;
	/* Grow the heap by n without touching it (malloc writes a header
	 * before the block and one after it), advise the kernel on the whole
	 * huge pages inside, and hand it back: the heap's top keeps the
	 * advice, and the allocations that follow are carved from it. */
	p = malloc(n);
	if (!p)
		return; /* best effort */
	first = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	end = ((uintptr_t)p + n) & ~(HUGE_PAGE - 1);
	if (end > first)
		(void)madvise((void *)first, end - first, MADV_HUGEPAGE); /* advice only */
	free(p);
}

void fw_heap_trim(void)
{
	(void)malloc_trim(0); /* best effort */
}

void fw_heap_mapped(void)
{
	/* a fixed threshold also stops glibc from raising it as blocks are freed */
	mallopt(M_MMAP_THRESHOLD, (int)FW_HEAP_MAPPED);
	mallopt(M_TRIM_THRESHOLD, INT32_MAX);
}

size_t fw_heap_release(void *block, size_t from, size_t to, size_t keep, size_t align)
{
	const uintptr_t base = (uintptr_t)block;
	uintptr_t first = (base + (from > keep ? from : keep) + align - 1) & ~(align - 1);
	uintptr_t end = (base + to) & ~(align - 1);

	if (end <= first)
		return from;
	(void)madvise((void *)first, end - first, MADV_DONTNEED); /* best effort */
	return end - base;
}

void fw_heap_bulk(size_t expect)
{
	bulk = true;
	/* Every block from the brk heap, however large (none mapped on its
	 * own, so none given back when freed), and the heap never trimmed. */
	mallopt(M_MMAP_MAX, 0);
	mallopt(M_TRIM_THRESHOLD, INT32_MAX);
	fw_heap_reserve(expect);
}
