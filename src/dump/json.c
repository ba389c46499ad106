#include "config.h"

#include "dump/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "xmalloc.h"

/*
 * One thread writes a document, so the *_unlocked stdio calls: the
 * locked ones cost more than the bytes in a large dump.
 */
#define JSON_STACK_BUF	1024	/* sanitize short strings on the stack */
#define JSON_MAX_DECIMALS	9

struct json_level {
	char		 close;		/* '}' or ']' */
	unsigned	 nitems;
};

struct json {
	FILE			*fp;
	int			 is_pretty;
	int			 has_key;	/* a key waits for its value */
	int			 is_broken;	/* misuse: json_free fails */
	int			 has_output;
	int			 depth;
	int			 overflow;	/* levels opened past the cap */
	struct json_level	 stack[JSON_MAX_DEPTH];
};

struct json *
json_new(FILE *fp, int is_pretty)
{
	struct json	*j;

	j = xcalloc(1, sizeof(*j));
	j->fp = fp;
	j->is_pretty = is_pretty;
	return j;
}

int
json_free(struct json *j)
{
	int	rc;

	if (j == NULL)
		return 0;
	rc = (j->is_broken || j->depth != 0 || j->overflow != 0 ||
	    j->has_key) ? -1 : 0;
	if (j->has_output)
		putc_unlocked('\n', j->fp);
	if (fflush(j->fp) == EOF || ferror(j->fp))
		rc = -1;
	free(j);
	return rc;
}

static void
json_indent(struct json *j)
{
	static const char	spaces[2 * JSON_MAX_DEPTH + 1] =
	    "                                                                ";

	if (!j->is_pretty)
		return;
	putc_unlocked('\n', j->fp);
	fwrite_unlocked(spaces, 1, (size_t)(j->depth > JSON_MAX_DEPTH ? JSON_MAX_DEPTH :
	    j->depth) * 2, j->fp);
}

/* Separator before a key, or before a value that has no key. */
static void
json_sep(struct json *j)
{
	struct json_level	*lv;

	if (j->has_key) {
		j->has_key = 0;
		return;
	}
	if (j->depth == 0) {
		if (j->has_output)
			j->is_broken = 1;	/* a second top-level value */
		j->has_output = 1;
		return;
	}
	lv = &j->stack[j->depth - 1];
	if (lv->close == '}')
		j->is_broken = 1;		/* value without a key */
	if (lv->nitems++ > 0)
		putc_unlocked(',', j->fp);
	json_indent(j);
}

static void
json_open(struct json *j, char open, char close)
{
	json_sep(j);
	putc_unlocked(open, j->fp);
	if (j->depth == JSON_MAX_DEPTH || j->overflow > 0) {
		j->overflow++;
		j->is_broken = 1;
		return;
	}
	j->stack[j->depth].close = close;
	j->stack[j->depth].nitems = 0;
	j->depth++;
}

static void
json_close(struct json *j, char close)
{
	struct json_level	*lv;

	if (j->overflow > 0) {
		j->overflow--;
		putc_unlocked(close, j->fp);
		return;
	}
	if (j->depth == 0 || j->has_key) {
		j->is_broken = 1;
		j->has_key = 0;
		if (j->depth == 0)
			return;
	}
	lv = &j->stack[j->depth - 1];
	if (lv->close != close)
		j->is_broken = 1;
	j->depth--;
	if (lv->nitems > 0)
		json_indent(j);
	putc_unlocked(lv->close, j->fp);
}

void
json_obj_open(struct json *j)
{
	json_open(j, '{', '}');
}

void
json_obj_close(struct json *j)
{
	json_close(j, '}');
}

void
json_arr_open(struct json *j)
{
	json_open(j, '[', ']');
}

void
json_arr_close(struct json *j)
{
	json_close(j, ']');
}

/* Quote and escape s, which is NUL-terminated sanitizer output. */
static void
json_quote(FILE *fp, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*run;
	unsigned char		 c;
	size_t			 n;

	putc_unlocked('"', fp);
	for (;;) {
		/* Bytes that need no escape go out as one run. */
		for (run = s, n = 0; (c = (unsigned char)run[n]) != '\0' &&
		    c >= 0x20 && c != 0x7f && c != '"' && c != '\\'; n++)
			;
		if (n > 0)
			fwrite_unlocked(run, 1, n, fp);
		s = run + n;
		if (*s == '\0')
			break;
		c = (unsigned char)*s++;
		if (c == '"' || c == '\\') {
			putc_unlocked('\\', fp);
			putc_unlocked(c, fp);
		} else {
			/* The sanitizer leaves none; stay safe anyway. */
			fputs_unlocked("\\u00", fp);
			putc_unlocked(hex[c >> 4], fp);
			putc_unlocked(hex[c & 0xf], fp);
		}
	}
	putc_unlocked('"', fp);
}

void
json_key(struct json *j, const char *key)
{
	struct json_level	*lv;

	if (j->has_key || j->depth == 0 || j->overflow > 0 ||
	    j->stack[j->depth - 1].close != '}')
		j->is_broken = 1;
	j->has_key = 0;
	if (j->depth > 0) {
		lv = &j->stack[j->depth - 1];
		if (lv->nitems++ > 0)
			putc_unlocked(',', j->fp);
		json_indent(j);
	}
	json_quote(j->fp, key);
	fputs_unlocked(j->is_pretty ? ": " : ":", j->fp);
	j->has_key = 1;
}

void
json_strn(struct json *j, const void *p, size_t n)
{
	char	 sbuf[JSON_STACK_BUF], *buf = sbuf;
	size_t	 need;

	if (p == NULL) {
		json_null(j);
		return;
	}
	json_sep(j);
	need = n > (SIZE_MAX - 32) / 4 ? SIZE_MAX : TB_SAN_BOUND(n);
	if (need > sizeof(sbuf))
		buf = xmalloc(need);
	tb_sanitize(buf, need, p, n, 0, TB_SAN_UTF8);
	json_quote(j->fp, buf);
	if (buf != sbuf)
		free(buf);
}

void
json_str(struct json *j, const char *s)
{
	json_strn(j, s, s == NULL ? 0 : strlen(s));
}

void
json_str_escaped(struct json *j, const char *s)
{
	if (!tb_is_printable(s)) {
		json_str(j, s);
		return;
	}
	json_sep(j);
	json_quote(j->fp, s);
}

/* Decimal digits of v, written backwards from the end of buf. */
static char *
json_digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

void
json_int(struct json *j, int64_t v)
{
	char	 buf[24], *p;

	p = json_digits(buf + sizeof(buf), v < 0 ? 0 - (uint64_t)v :
	    (uint64_t)v);
	if (v < 0)
		*--p = '-';
	json_sep(j);
	fwrite_unlocked(p, 1, (size_t)(buf + sizeof(buf) - p), j->fp);
}

void
json_uint(struct json *j, uint64_t v)
{
	char	 buf[24], *p;

	p = json_digits(buf + sizeof(buf), v);
	json_sep(j);
	fwrite_unlocked(p, 1, (size_t)(buf + sizeof(buf) - p), j->fp);
}

void
json_num(struct json *j, double v, int decimals)
{
	char	 buf[64];
	char	*e;
	int	 n;

	if (!isfinite(v)) {
		json_null(j);
		return;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > JSON_MAX_DECIMALS)
		decimals = JSON_MAX_DECIMALS;
	n = snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		/* Beyond 1e50 or so: exponent form is still JSON. */
		n = snprintf(buf, sizeof(buf), "%.17g", v);
	} else if (strchr(buf, '.') != NULL) {
		for (e = buf + n - 1; *e == '0'; e--)
			*e = '\0';
		if (*e == '.')
			*e = '\0';
	}
	json_sep(j);
	/* "-0" reads oddly in a report; JSON allows it, people do not. */
	fputs_unlocked(strcmp(buf, "-0") == 0 ? "0" : buf, j->fp);
}

void
json_bool(struct json *j, int v)
{
	json_sep(j);
	fputs_unlocked(v ? "true" : "false", j->fp);
}

void
json_null(struct json *j)
{
	json_sep(j);
	fputs_unlocked("null", j->fp);
}

void
json_kstr(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	json_str(j, v);
}

void
json_kint(struct json *j, const char *k, int64_t v)
{
	json_key(j, k);
	json_int(j, v);
}

void
json_knum(struct json *j, const char *k, double v, int decimals)
{
	json_key(j, k);
	json_num(j, v, decimals);
}
