/*
 * heap.c: a bulk heap for short-lived commands (see heap.h).
 */
#include "base/heap.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE ((uintptr_t)2 << 20)
#define PIECE ((size_t)32 << 20)
#define MAX_RESERVE ((size_t)1 << 30)

void fw_heap_bulk(size_t expect)
{
	char *piece[MAX_RESERVE / PIECE];
	size_t n = 0;

	/* Blocks up to 32 MiB (glibc's maximum threshold) from the brk heap,
	 * not mapped on their own, and the heap never trimmed. */
	mallopt(M_MMAP_THRESHOLD, PIECE);
	mallopt(M_TRIM_THRESHOLD, INT32_MAX);
	if (expect > MAX_RESERVE)
		expect = MAX_RESERVE;
	/* Grow the heap by `expect` without touching it, in pieces the heap
	 * takes (so they lie end to end), advise the kernel on the whole huge
	 * pages inside each, and hand them back to malloc: the heap's top
	 * keeps the advice, and the allocations that follow are carved from
	 * it. */
	while (expect >= HUGE_PAGE && n < MAX_RESERVE / PIECE) {
		size_t size = expect < PIECE - 4096 ? expect : PIECE - 4096; /* under the threshold */
		uintptr_t first, end;
		char *p = malloc(size);
		if (!p)
			break;
		piece[n++] = p;
		expect -= size;
		first = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		end = ((uintptr_t)p + size) & ~(HUGE_PAGE - 1);
		if (end > first)
			(void)madvise((void *)first, end - first, MADV_HUGEPAGE); /* advice only */
	}
	while (n > 0)
		free(piece[--n]);
}
