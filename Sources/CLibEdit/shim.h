#ifndef TALLY_CLIBEDIT_SHIM_H
#define TALLY_CLIBEDIT_SHIM_H

/* libedit (BSD editline) through its GNU readline compatibility layer: readline-style line
 * editing and history for `tally repl` on a terminal. Debian: libedit-dev (pkg-config libedit).
 * The callback interface (rl_callback_handler_install / rl_callback_read_char) lets the REPL
 * poll standard input together with the rules watcher. */

#include <stdio.h>
#include <editline/readline.h>

/* Turns off libedit's signal handling (set before the first line is read): on SIGINT it would
 * re-send the signal to the whole process group. The REPL handles Ctrl-C itself. */
static inline void tally_editline_ignore_signals(void) { rl_catch_signals = 0; }

#endif
