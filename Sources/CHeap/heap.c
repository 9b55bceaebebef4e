/* Huge pages for the main heap: see CHeap.h. */
#include "CHeap.h"

#include <stdint.h>
#include <stdlib.h>
#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

size_t tally_heap_prefer_huge_pages(size_t reserve)
{
#if defined(__linux__) && defined(__GLIBC__) && defined(MADV_HUGEPAGE)
    const uintptr_t huge_page = (uintptr_t)2 << 20;
    if (reserve < 2 * huge_page || reserve > ((size_t)1 << 30)) return 0;
    /* Blocks up to 32 MiB come from the heap, and freed memory stays there for reuse. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20); /* the largest glibc takes */
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    /* The next growth of the heap adds `reserve` bytes at once; a block larger than what the
       heap has free makes it grow now. Freeing the block gives the space back to the heap. */
    uintptr_t start = (uintptr_t)sbrk(0);
    mallopt(M_TOP_PAD, (int)reserve);
    /* volatile: an optimizer may drop a malloc whose block is only freed, and with it the
       growth this is for. */
    void *volatile probe = malloc(4 << 20);
    free(probe);
    mallopt(M_TOP_PAD, 128 << 10); /* glibc's default */
    uintptr_t end = (uintptr_t)sbrk(0);
    if (start == (uintptr_t)-1 || end == (uintptr_t)-1 || end <= start) return 0;
    uintptr_t first = (start + huge_page - 1) & ~(huge_page - 1);
    uintptr_t last = end & ~(huge_page - 1);
    if (last <= first) return 0;
    if (madvise((void *)first, last - first, MADV_HUGEPAGE) != 0) return 0;
    return (size_t)(last - first);
#else
    (void)reserve;
    return 0;
#endif
}
