#ifndef TALLY_CSQLITE_SHIM_H
#define TALLY_CSQLITE_SHIM_H

#include <sqlite3.h>

/* Swift cannot see SQLITE_TRANSIENT (a cast in a macro); bind calls use this instead. */
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

#endif
