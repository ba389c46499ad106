/* Minimal TAP producer for unit tests (read by automake's tap-driver.sh). */
#ifndef TUBES_TESTS_TAP_H
#define TUBES_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	tap_n, tap_failed;

static int __attribute__((format(printf, 2, 3), unused))
ok(int cond, const char *fmt, ...)
{
	va_list	ap;

	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

static int __attribute__((unused))
is_int_(long long got, long long want, const char *what)
{
	if (!ok(got == want, "%s", what))
		printf("#   got %lld, want %lld\n", got, want);
	return got == want;
}
#define is_int(got, want, what)	is_int_((long long)(got), (long long)(want), what)

static int __attribute__((unused))
is_str(const char *got, const char *want, const char *what)
{
	int	same = got != NULL && want != NULL && strcmp(got, want) == 0;

	if (!ok(same, "%s", what))
		printf("#   got  \"%s\"\n#   want \"%s\"\n", got ? got : "(null)",
		    want ? want : "(null)");
	return same;
}

/*
 * A file of the shared capture corpus: $TUBES_CORPUS/rel, where make
 * check sets TUBES_CORPUS (default: ../shared/corpus next to the source).
 */
static __attribute__((unused)) const char *
tap_corpus_path(char *buf, size_t len, const char *rel)
{
	const char	*dir = getenv("TUBES_CORPUS");
	const char	*top = getenv("top_srcdir");

	if (dir != NULL && *dir != '\0')
		snprintf(buf, len, "%s/%s", dir, rel);
	else
		snprintf(buf, len, "%s/../shared/corpus/%s",
		    top != NULL ? top : ".", rel);
	return buf;
}

static int __attribute__((unused))
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
