#include "config.h"

#include "sanitize.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Byte classes, so the common case is one table load per byte. */
#define SAN_PLAIN	0	/* printable ASCII, copied */
#define SAN_BSLASH	1	/* '\', doubled */
#define SAN_CTRL	2	/* C0 control or DEL: escaped */
#define SAN_HIGH	3	/* 0x80-0xff: UTF-8 or escaped */

#define SAN_ELLIPSIS_UTF8	"\xe2\x80\xa6"
#define SAN_ELLIPSIS_ASCII	"..."

static const uint8_t san_class[256] = {
	[0x00 ... 0x1f] = SAN_CTRL,
	[0x20 ... 0x5b] = SAN_PLAIN,
	['\\'] = SAN_BSLASH,
	[0x5d ... 0x7e] = SAN_PLAIN,
	[0x7f] = SAN_CTRL,
	[0x80 ... 0xff] = SAN_HIGH,
};

static const char	san_hex[] = "0123456789abcdef";

struct san_out {
	char	*dst;
	size_t	 pos;
	size_t	 lim;		/* bytes usable before the NUL */
};

/*
 * Length of the well-formed UTF-8 sequence at s (Unicode 15, table 3-7:
 * no overlongs, no surrogates, nothing past U+10FFFF), or 0.  *cp gets the
 * code point.
 */
static size_t
san_utf8_len(const uint8_t *s, size_t left, uint32_t *cp)
{
	uint8_t	 b = s[0], lo = 0x80, hi = 0xbf;
	size_t	 n, i;

	if (b >= 0xc2 && b <= 0xdf) {
		n = 2;
		*cp = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		n = 3;
		*cp = b & 0x0f;
		if (b == 0xe0)
			lo = 0xa0;
		else if (b == 0xed)
			hi = 0x9f;
	} else if (b >= 0xf0 && b <= 0xf4) {
		n = 4;
		*cp = b & 0x07;
		if (b == 0xf0)
			lo = 0x90;
		else if (b == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n > left || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 1; i < n; i++) {
		if (i > 1 && (s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	return n;
}

/* Code points that are valid UTF-8 but must not reach a terminal. */
static int
san_cp_is_unsafe(uint32_t cp)
{
	if (cp < 0xa0)
		return 1;	/* C1 controls (and, defensively, below) */
	if (cp == 0x061c)
		return 1;	/* ARABIC LETTER MARK */
	if (cp < 0x200e || cp > 0x2069)
		return 0;
	return cp <= 0x200f ||			/* LRM, RLM */
	    (cp >= 0x2028 && cp <= 0x202e) ||	/* LS, PS, LRE..RLO */
	    cp >= 0x2066;			/* LRI..PDI */
}

static inline int
san_put(struct san_out *o, const void *s, size_t n)
{
	if (n > o->lim - o->pos)
		return -1;
	memcpy(o->dst + o->pos, s, n);
	o->pos += n;
	return 0;
}

static inline int
san_put_escape(struct san_out *o, uint8_t b, int flags)
{
	char	e[4];

	e[0] = '\\';
	if (flags & TB_SAN_DNS) {
		e[1] = (char)('0' + b / 100);
		e[2] = (char)('0' + b / 10 % 10);
		e[3] = (char)('0' + b % 10);
	} else {
		e[1] = 'x';
		e[2] = san_hex[b >> 4];
		e[3] = san_hex[b & 0xf];
	}
	return san_put(o, e, sizeof(e));
}

/*
 * Copy src[0..cap) into o unit by unit (a byte, an escape or a whole UTF-8
 * sequence), stopping before a unit that does not fit.  Returns how many
 * source bytes were consumed.
 */
static size_t
san_run(struct san_out *o, const uint8_t *s, size_t srclen, size_t cap,
    int flags)
{
	size_t		 i = 0, n, run;
	uint32_t	 cp;

	while (i < cap) {
		switch (san_class[s[i]]) {
		case SAN_PLAIN:
			/* Copy the whole run of plain bytes at once. */
			for (run = i + 1; run < cap &&
			    san_class[s[run]] == SAN_PLAIN; run++)
				;
			n = run - i;
			if (n > o->lim - o->pos)
				n = o->lim - o->pos;
			memcpy(o->dst + o->pos, s + i, n);
			o->pos += n;
			i += n;
			if (i < run)
				return i;
			continue;
		case SAN_BSLASH:
			if (san_put(o, "\\\\", 2) == -1)
				return i;
			i++;
			continue;
		case SAN_HIGH:
			if (!(flags & TB_SAN_UTF8))
				break;
			n = san_utf8_len(s + i, srclen - i, &cp);
			if (n == 0 || san_cp_is_unsafe(cp))
				break;
			if (i + n > cap || san_put(o, s + i, n) == -1)
				return i;	/* never split a sequence */
			i += n;
			continue;
		}
		if (san_put_escape(o, s[i], flags) == -1)
			return i;
		i++;
	}
	return i;
}

static size_t
san_mark(char *buf, size_t len, size_t nbytes, int flags)
{
	int	n;

	n = snprintf(buf, len, "%s[+%zu bytes]", (flags & TB_SAN_UTF8) ?
	    SAN_ELLIPSIS_UTF8 : SAN_ELLIPSIS_ASCII, nbytes);
	return n < 0 ? 0 : (size_t)n;
}

size_t
tb_sanitize(char *dst, size_t dstlen, const void *src, size_t srclen,
    size_t maxlen, int flags)
{
	struct san_out	 o;
	const uint8_t	*s = src;
	char		 mark[64];
	size_t		 cap, used, marklen, n;

	if (dstlen == 0)
		return 0;
	if (s == NULL)
		srclen = 0;
	cap = (maxlen != 0 && srclen > maxlen) ? maxlen : srclen;
	o.dst = dst;
	o.pos = 0;
	o.lim = dstlen - 1;
	if (cap == srclen) {
		/* Optimistic pass: most strings fit whole. */
		if ((used = san_run(&o, s, srclen, cap, flags)) == srclen) {
			dst[o.pos] = '\0';
			return o.pos;
		}
		o.pos = 0;
	}
	/*
	 * Cut: leave room for the mark sized for the worst count, or for the
	 * ellipsis alone when dst is too small for the whole mark.
	 */
	marklen = san_mark(mark, sizeof(mark), srclen, flags);
	if (marklen > o.lim)
		marklen = strlen(SAN_ELLIPSIS_ASCII);	/* as long as "…" */
	if (marklen > o.lim)
		marklen = 0;
	o.lim -= marklen;
	used = san_run(&o, s, srclen, cap, flags);
	o.lim += marklen;
	if (marklen != 0) {
		n = san_mark(mark, sizeof(mark), srclen - used, flags);
		san_put(&o, mark, n <= o.lim - o.pos ? n : marklen);
	}
	dst[o.pos] = '\0';
	return o.pos;
}

size_t
tb_sanitize_str(char *dst, size_t dstlen, const char *src)
{
	return tb_sanitize(dst, dstlen, src, src == NULL ? 0 : strlen(src), 0,
	    0);
}

int
tb_is_printable(const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

size_t
tb_sanitize_escaped(char *dst, size_t dstlen, const char *src, size_t maxlen)
{
	size_t	n;

	if (src == NULL)
		src = "";
	n = strlen(src);
	if (tb_is_printable(src) && n < dstlen && (maxlen == 0 || n <= maxlen)) {
		memcpy(dst, src, n + 1);
		return n;
	}
	return tb_sanitize(dst, dstlen, src, n, maxlen, 0);
}
