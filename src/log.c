#include "config.h"

#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TB_MAX_CLEANUPS	8

static struct {
	tb_cleanup_fn	 fn;
	void		*arg;
} cleanups[TB_MAX_CLEANUPS];
static int	ncleanups;

void
tb_cleanup_add(tb_cleanup_fn fn, void *arg)
{
	if (ncleanups == TB_MAX_CLEANUPS)
		return;
	cleanups[ncleanups].fn = fn;
	cleanups[ncleanups].arg = arg;
	ncleanups++;
}

/* Newest first; each hook runs at most once even if a hook dies. */
void
tb_cleanup_run(void)
{
	while (ncleanups > 0) {
		ncleanups--;
		cleanups[ncleanups].fn(cleanups[ncleanups].arg);
	}
}

static void __attribute__((format(printf, 2, 0)))
vlog(int errnum, const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs("tubes: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (errnum != 0)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
}

void
tb_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog(saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
tb_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(0, fmt, ap);
	va_end(ap);
}

void
tb_fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	tb_cleanup_run();
	va_start(ap, fmt);
	vlog(saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
tb_fatalx(const char *fmt, ...)
{
	va_list	ap;

	tb_cleanup_run();
	va_start(ap, fmt);
	vlog(0, fmt, ap);
	va_end(ap);
	exit(1);
}

void
tb_usage_error(const char *fmt, ...)
{
	va_list	ap;

	tb_cleanup_run();
	va_start(ap, fmt);
	vlog(0, fmt, ap);
	va_end(ap);
	exit(2);
}
