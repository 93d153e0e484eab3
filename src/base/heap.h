/*
 * heap.h: the heap of a short-lived command that decodes large profiles.
 *
 * A page fault costs 10-25 us on the virtual machines flarewatch runs on
 * (measured: 4,096 first touches of anonymous memory take 88-114 ms), so
 * `flarewatch pprof top` on a 2.45 MB profile spent most of its time in
 * the kernel: about 4,000 faults for 10 MB of peak memory, because glibc
 * gave every large block back to the kernel when it was freed and the next
 * one faulted in again. fw_heap_bulk() switches the process to one heap
 * that is never handed back while it runs (no block mapped on its own, no
 * trimming), and asks the kernel (madvise(MADV_HUGEPAGE)) to back its
 * first `expect` bytes with 2 MiB transparent huge pages: one fault per
 * 2 MiB instead of 512 (top on large.cpu: ~4,000 faults -> ~600, 120 ->
 * 36 ms of CPU under the same load); fw_heap_reserve() does the same for
 * what a command learns later it will fill. Where the kernel has
 * transparent huge pages disabled the advice is ignored and only the
 * first half applies.
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

/* After fw_heap_bulk(): the next n bytes the command allocates will all
 * be written before they are freed (a decoded profile's arrays, sized
 * exactly by a counting pass, which lie beyond `expect`): the heap grows
 * by n now, its whole 2 MiB pages advised to huge pages before anything
 * touches them (a page touched first at 4 KiB stays at 4 KiB: 512 faults
 * where one would do). Does nothing in a process that did not call
 * fw_heap_bulk(), such as the daemon. Best effort: never fails. */
void fw_heap_reserve(size_t n);

/* Hands the free memory inside the heap back to the kernel now
 * (malloc_trim), in a heap that is otherwise never trimmed: for a command
 * that has just freed much of what it holds and is about to allocate
 * about as much anew. The pages fault in again where they are reused. */
void fw_heap_trim(void);

/* For a command that merges several profiles, instead of fw_heap_bulk():
 * every block of FW_HEAP_MAPPED bytes or more is mapped on its own, so
 * that growing one (a merge appends a profile's arrays to another's) moves
 * its pages instead of copying them, and freeing one gives its memory
 * back at once: in one heap that is never trimmed, each grown array left
 * its old copy resident (two copies of large.cpu merged: 20.5 -> 16.5 MB
 * peak RSS). Smaller blocks come from the heap, never trimmed. */
#define FW_HEAP_MAPPED ((size_t)256 << 10)
void fw_heap_mapped(void);

/* Hands the pages of block[from, to) back to the kernel (madvise
 * MADV_DONTNEED) for a block from malloc that is only to be freed, never
 * read there again: whole `align`-aligned ranges (a power of two, at least
 * the page size) only, none in the block's first `keep` bytes (malloc and
 * free keep their bookkeeping beside the block's start). Those pages read
 * as zeros if touched again. Returns where the next call can start: the
 * end of the range released, or from when none was. Best effort. */
size_t fw_heap_release(void *block, size_t from, size_t to, size_t keep, size_t align);

#endif
