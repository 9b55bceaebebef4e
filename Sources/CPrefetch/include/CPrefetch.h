#ifndef TALLY_CPREFETCH_H
#define TALLY_CPREFETCH_H

/* Asks the CPU to start loading the cache line at `address` (for reading and writing), so that
 * several independent loads of one event's guest state overlap instead of waiting in turn.
 * Never faults, whatever the address. */
static inline void tally_prefetch(const void *address) { __builtin_prefetch(address, 1, 3); }

#endif
