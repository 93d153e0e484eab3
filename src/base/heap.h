/*
 * heap.h: the heap of a short-lived command that decodes large profiles.
 *
 * A page fault costs 10-25 us on the virtual machines flarewatch runs on
 * (measured: 4,096 first touches of anonymous memory take 88-114 ms), so
 * `flarewatch pprof top` on a 2.45 MB profile spent most of its time in
 * the kernel: about 4,000 faults for 10 MB of peak memory, because glibc
 * gave every large block back to the kernel when it was freed and the next
 * one faulted in again. fw_heap_bulk() switches the process to one heap
 * that is never handed back while it runs, and asks the kernel
 * (madvise(MADV_HUGEPAGE)) to back its first `expect` bytes with 2 MiB
 * transparent huge pages: one fault per 2 MiB instead of 512 (top on
 * large.cpu: ~4,000 faults -> ~600, 120 -> 36 ms of CPU under the same
 * load). Where the kernel has transparent huge pages disabled the advice is
 * ignored and only the first half applies.
 *
 * It is for commands that exit when done (the `pprof` commands), never for
 * the daemon: freed blocks stay in the heap.
 */
#ifndef FW_HEAP_H
#define FW_HEAP_H

#include <stddef.h>

/* expect: how many bytes of the heap may be backed by huge pages: what
 * the command will surely fill (a huge page touched at all is resident
 * whole, so advising more than is used raises peak RSS; the rest of the
 * heap stays on 4 KiB pages). Best effort: never fails. */
void fw_heap_bulk(size_t expect);

/* After fw_heap_bulk(): the n blocks b[0..n) (just allocated) will all be
 * written whole before they are freed, so the 2 MiB pages inside them are
 * advised to huge pages too: a decoded profile's arrays, sized exactly by
 * a counting pass, lie partly beyond `expect`. Blocks that lie end to end
 * (a malloc header apart) count as one span, so the huge page across
 * their boundary is advised as well; a span's partial pages at either end
 * are not. Does nothing in a process that did not call fw_heap_bulk(),
 * such as the daemon. */
struct fw_heap_block {
	void *p;
	size_t n;
};
void fw_heap_fill_hint(struct fw_heap_block *b, size_t n);
/* The spans fw_heap_fill_hint() advises: sorts b[0..n) by address, drops
 * NULL blocks, merges blocks at most 4 KiB apart into b[0..k), returns k. */
size_t fw_heap_spans(struct fw_heap_block *b, size_t n);

#endif
