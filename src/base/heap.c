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
#define PIECE ((size_t)32 << 20)
#define MAX_RESERVE ((size_t)1 << 30)

static bool bulk;

static void advise(void *p, size_t size)
{
	uintptr_t first = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t end = ((uintptr_t)p + size) & ~(HUGE_PAGE - 1);

	if (end > first)
		(void)madvise((void *)first, end - first, MADV_HUGEPAGE); /* advice only */
}

static int by_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct fw_heap_block *)a)->p;
	uintptr_t y = (uintptr_t)((const struct fw_heap_block *)b)->p;
	return (x > y) - (x < y);
}

/* At most this far apart, two blocks count as one span: the bytes between
 * (malloc headers, a small block carved in between) are in use too. */
#define SPAN_GAP 4096

size_t fw_heap_spans(struct fw_heap_block *b, size_t n)
{
	size_t i = 0, out = 0;

	qsort(b, n, sizeof(*b), by_address);
	while (i < n && !b[i].p) /* NULL sorts first: nothing allocated */
		i++;
	while (i < n) {
		uintptr_t start = (uintptr_t)b[i].p, end = start + b[i].n;
		for (i++; i < n && (uintptr_t)b[i].p <= end + SPAN_GAP; i++)
			if ((uintptr_t)b[i].p + b[i].n > end)
				end = (uintptr_t)b[i].p + b[i].n;
		b[out].p = (void *)start;
		b[out].n = end - start;
		out++;
	}
	return out;
}

void fw_heap_fill_hint(struct fw_heap_block *b, size_t n)
{
	if (!bulk)
		return;
	n = fw_heap_spans(b, n);
	for (size_t i = 0; i < n; i++)
		if (b[i].n >= HUGE_PAGE)
			advise(b[i].p, b[i].n);
}

void fw_heap_bulk(size_t expect)
{
	char *piece[MAX_RESERVE / PIECE];
	struct fw_heap_block span[MAX_RESERVE / PIECE];
	size_t n = 0;

	bulk = true;

	/* Blocks up to 32 MiB (glibc's maximum threshold) from the brk heap,
	 * not mapped on their own, and the heap never trimmed. */
	mallopt(M_MMAP_THRESHOLD, PIECE);
	mallopt(M_TRIM_THRESHOLD, INT32_MAX);
	if (expect > MAX_RESERVE)
		expect = MAX_RESERVE;
	/* Grow the heap by `expect` without touching it, in pieces the heap
	 * takes (so they lie end to end), advise the kernel on the whole huge
	 * pages inside them, and hand them back to malloc: the heap's top
	 * keeps the advice, and the allocations that follow are carved from
	 * it. */
	while (expect >= HUGE_PAGE && n < MAX_RESERVE / PIECE) {
		size_t size = expect < PIECE - 4096 ? expect : PIECE - 4096; /* under the threshold */
		char *p = malloc(size);
		if (!p)
			break;
		span[n].p = p;
		span[n].n = size;
		piece[n++] = p;
		expect -= size;
	}
	/* the pieces lie end to end: the huge pages across their
	 * boundaries are advised too */
	fw_heap_fill_hint(span, n);
	while (n > 0)
		free(piece[--n]);
}
