/* What the test tools (tests/twgen, tests/dnsd) share. */
#ifndef TUBES_TESTS_TOOL_H
#define TUBES_TESTS_TOOL_H

#include <stdint.h>

/* "NAME: message" on stderr, exit 1.  NAME is the program's own. */
void		die(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
/* Monotonic milliseconds. */
uint64_t	now_ms(void);

#endif
