#include "config.h"

#include "xmalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void *
xmalloc(size_t size)
{
	void	*p;

	if (size == 0)
		tb_fatalx("xmalloc: zero size");
	if ((p = malloc(size)) == NULL)
		tb_fatalx("xmalloc: out of memory (allocating %zu bytes)", size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		tb_fatalx("xcalloc: zero size");
	if ((p = calloc(nmemb, size)) == NULL)
		tb_fatalx("xcalloc: out of memory (allocating %zu * %zu bytes)",
		    nmemb, size);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		tb_fatalx("xreallocarray: zero size");
	if (size != 0 && nmemb > SIZE_MAX / size)
		tb_fatalx("xreallocarray: %zu * %zu overflows", nmemb, size);
	if ((p = realloc(ptr, nmemb * size)) == NULL)
		tb_fatalx("xreallocarray: out of memory (%zu * %zu bytes)",
		    nmemb, size);
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		tb_fatalx("xstrdup: out of memory");
	return p;
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n == -1)
		tb_fatalx("xasprintf: out of memory");
	return n;
}
