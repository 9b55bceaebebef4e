#ifndef TALLY_CHEAP_H
#define TALLY_CHEAP_H

#include <stddef.h>

/*
 * Lets the main heap use transparent huge pages (Linux, glibc): grows the heap once by
 * `reserve` bytes of address space (nothing is touched, so nothing becomes resident), advises
 * the kernel to back that range with huge pages, and keeps large blocks on the heap and freed
 * memory in it (malloc options), so that tables growing to many megabytes land in that range
 * instead of fresh mappings of 4 KiB pages. Returns the bytes advised, 0 when nothing could be.
 */
size_t tally_heap_prefer_huge_pages(size_t reserve);

#endif
