/*
 * tb_sanitize on arbitrary bytes.  The first two bytes choose the flags,
 * the cap and the destination size; the rest is the source.  Any output a
 * terminal could act on, or a write past dst, aborts.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "fuzz.h"
#include "sanitize.h"

#define GUARD		0xa5
#define GUARD_LEN	16

/* Strict UTF-8 decode of the sequence at p; 0 if not well formed. */
static size_t
utf8_len(const uint8_t *p, uint32_t *cp)
{
	size_t	n, i;

	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2, *cp = *p & 0x1f;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3, *cp = *p & 0x0f;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4, *cp = *p & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && *cp < 0x800) || (n == 4 && *cp < 0x10000) ||
	    (*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff)
		return 0;
	return n;
}

static int
cp_is_forbidden(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c ||
	    cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

static void
check(const uint8_t *out, size_t dstlen, size_t ret, int flags)
{
	size_t		i, n;
	uint32_t	cp;

	if (dstlen == 0) {
		if (ret != 0)
			abort();
		return;
	}
	if (ret >= dstlen || out[ret] != '\0' || strlen((const char *)out) !=
	    ret)
		abort();
	for (i = 0; i < ret; ) {
		if (out[i] < 0x20 || out[i] == 0x7f)
			abort();
		if (out[i] < 0x80) {
			i++;
			continue;
		}
		if (!(flags & TB_SAN_UTF8))
			abort();		/* ASCII only without UTF-8 */
		if ((n = utf8_len(out + i, &cp)) == 0 || cp_is_forbidden(cp))
			abort();
		i += n;
	}
}

/* Undo the escapes; -1 on an escape the sanitizer never writes. */
static ssize_t
unescape(const char *s, size_t n, uint8_t *out, int flags)
{
	size_t	i, o = 0;
	int	v;

	for (i = 0; i < n; o++) {
		if (s[i] != '\\') {
			out[o] = (uint8_t)s[i++];
			continue;
		}
		if (i + 1 < n && s[i + 1] == '\\') {
			out[o] = '\\';
			i += 2;
			continue;
		}
		if (i + 4 > n)
			return -1;
		if (flags & TB_SAN_DNS) {
			if (sscanf(s + i + 1, "%3d", &v) != 1 || v > 255)
				return -1;
		} else if (s[i + 1] != 'x' ||
		    sscanf(s + i + 2, "%2x", (unsigned *)&v) != 1)
			return -1;
		out[o] = (uint8_t)v;
		i += 4;
	}
	return (ssize_t)o;
}

/* Lossless: the output decodes back to the input it covers. */
static void
check_roundtrip(const char *out, const uint8_t *src, size_t size,
    size_t maxlen, int flags)
{
	const char	*ell = (flags & TB_SAN_UTF8) ? "\xe2\x80\xa6" : "...";
	const char	*mark;
	uint8_t		*dec;
	size_t		 len = strlen(out), shown, nleft;
	ssize_t		 n;

	shown = len;
	nleft = 0;
	if (maxlen != 0 && size > maxlen) {
		/* out is escape(src[0..size-N]) ell "[+N bytes]". */
		if ((mark = strrchr(out, '[')) == NULL ||
		    sscanf(mark, "[+%zu bytes]", &nleft) != 1 ||
		    nleft > size || size - nleft > maxlen ||
		    size - nleft + 3 < maxlen ||
		    (size_t)(mark - out) < strlen(ell) ||
		    strncmp(mark - strlen(ell), ell, strlen(ell)) != 0)
			abort();
		shown = (size_t)(mark - out) - strlen(ell);
	}
	if ((dec = malloc(len + 1)) == NULL)
		return;
	n = unescape(out, shown, dec, flags);
	if (n == -1 || (size_t)n != size - nleft || memcmp(dec, src, n) != 0)
		abort();
	free(dec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		*dst;
	size_t		 dstlen, maxlen, ret, i;
	int		 flags;

	if (size < 2)
		return 0;
	flags = data[0] & (TB_SAN_UTF8 | TB_SAN_DNS);
	maxlen = (data[0] >> 2) & 0x3f;		/* 0 (no cap) .. 63 */
	/* Destination from tiny to roomy. */
	dstlen = data[1] < 0xf0 ? data[1] : TB_SAN_BOUND(size);
	data += 2;
	size -= 2;
	dst = malloc(dstlen + GUARD_LEN);
	if (dst == NULL)
		return 0;
	memset(dst, GUARD, dstlen + GUARD_LEN);
	ret = tb_sanitize((char *)dst, dstlen, data, size, maxlen, flags);
	for (i = 0; i < GUARD_LEN; i++)
		if (dst[dstlen + i] != GUARD)
			abort();
	check(dst, dstlen, ret, flags);
	if (dstlen >= TB_SAN_BOUND(size))
		check_roundtrip((char *)dst, data, size, maxlen, flags);
	free(dst);
	return 0;
}
