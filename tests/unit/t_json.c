#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/json.h"
#include "tap.h"

static char	*text;
static size_t	 textlen;

/* The FILE of a writer is private; keep it alongside. */
struct doc {
	FILE		*fp;
	struct json	*j;
};

static void
doc_start(struct doc *d, int is_pretty)
{
	free(text);
	text = NULL;
	if ((d->fp = open_memstream(&text, &textlen)) == NULL)
		abort();
	d->j = json_new(d->fp, is_pretty);
}

static int
doc_end(struct doc *d)
{
	int	rc = json_free(d->j);

	fclose(d->fp);
	return rc;
}

/* Strict UTF-8 check (no overlongs, surrogates or > U+10FFFF). */
static int
is_utf8(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned		 n, i, cp;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 1, cp = *p & 0x1f;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 2, cp = *p & 0x0f;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 3, cp = *p & 0x07;
		else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		p += n + 1;
	}
	return 1;
}

/* No raw control byte anywhere in the document text. */
static int
has_no_controls(const char *s, int allow_newline)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && !(allow_newline &&
		    *s == '\n')) || *s == 0x7f)
			return 0;
	return 1;
}

static void
test_nesting(void)
{
	struct doc	d;

	doc_start(&d, 0);
	json_obj_open(d.j);
	json_kstr(d.j, "a", "x");
	json_kint(d.j, "b", -3);
	json_key(d.j, "c");
	json_arr_open(d.j);
	json_int(d.j, 1);
	json_arr_open(d.j);
	json_arr_close(d.j);
	json_obj_open(d.j);
	json_obj_close(d.j);
	json_uint(d.j, 18446744073709551615ULL);
	json_arr_close(d.j);
	json_key(d.j, "d");
	json_bool(d.j, 1);
	json_key(d.j, "e");
	json_bool(d.j, 0);
	json_key(d.j, "f");
	json_null(d.j);
	json_kstr(d.j, "g", NULL);
	json_obj_close(d.j);
	is_int(doc_end(&d), 0, "compact document closes cleanly");
	is_str(text, "{\"a\":\"x\",\"b\":-3,\"c\":[1,[],{},"
	    "18446744073709551615],\"d\":true,\"e\":false,\"f\":null,"
	    "\"g\":null}\n", "compact: commas and nesting");

	doc_start(&d, 1);
	json_obj_open(d.j);
	json_kint(d.j, "n", 1);
	json_key(d.j, "l");
	json_arr_open(d.j);
	json_int(d.j, 2);
	json_int(d.j, 3);
	json_arr_close(d.j);
	json_key(d.j, "e");
	json_obj_open(d.j);
	json_obj_close(d.j);
	json_obj_close(d.j);
	is_int(doc_end(&d), 0, "pretty document closes cleanly");
	is_str(text, "{\n  \"n\": 1,\n  \"l\": [\n    2,\n    3\n  ],\n"
	    "  \"e\": {}\n}\n", "pretty: two-space indent");
}

static void
test_misuse(void)
{
	struct doc	d;
	int		i;

	doc_start(&d, 0);
	json_obj_open(d.j);
	json_kint(d.j, "a", 1);
	is_int(doc_end(&d), -1, "unclosed object reported");

	doc_start(&d, 0);
	json_arr_open(d.j);
	json_obj_close(d.j);
	is_int(doc_end(&d), -1, "mismatched close reported");

	doc_start(&d, 0);
	json_obj_open(d.j);
	json_int(d.j, 1);
	json_obj_close(d.j);
	is_int(doc_end(&d), -1, "value without a key reported");

	doc_start(&d, 0);
	for (i = 0; i < JSON_MAX_DEPTH + 3; i++)
		json_arr_open(d.j);
	for (i = 0; i < JSON_MAX_DEPTH + 3; i++)
		json_arr_close(d.j);
	is_int(doc_end(&d), -1, "nesting past JSON_MAX_DEPTH reported");
	ok(text[0] == '[' && text[JSON_MAX_DEPTH + 2] == '[' &&
	    text[2 * (JSON_MAX_DEPTH + 3) - 1] == ']',
	    "deep nesting still balanced");
}

static void
test_strings(void)
{
	struct doc	d;

	doc_start(&d, 0);
	json_arr_open(d.j);
	json_str(d.j, "say \"hi\"");
	json_str(d.j, "back\\slash");
	json_str(d.j, "\x1b[2J\x1b]52;c;aGk=\x07");
	json_strn(d.j, "nul\0in", 6);
	json_str(d.j, "caf\xc3\xa9 \xe2\x80\x94 ok");
	json_str(d.j, "bad \xc0\xaf \xed\xa0\x80 \xff \xe2\x82");
	json_str(d.j, "rlo \xe2\x80\xae c1 \xc2\x9b");
	json_arr_close(d.j);
	is_int(doc_end(&d), 0, "string array closes cleanly");
	is_str(text, "[\"say \\\"hi\\\"\",\"back\\\\\\\\slash\","
	    "\"\\\\x1b[2J\\\\x1b]52;c;aGk=\\\\x07\",\"nul\\\\x00in\","
	    "\"caf\xc3\xa9 \xe2\x80\x94 ok\","
	    "\"bad \\\\xc0\\\\xaf \\\\xed\\\\xa0\\\\x80 "
	    "\\\\xff \\\\xe2\\\\x82\","
	    "\"rlo \\\\xe2\\\\x80\\\\xae c1 \\\\xc2\\\\x9b\"]\n",
	    "strings sanitized then escaped");
	ok(is_utf8(text), "invalid UTF-8 in, valid UTF-8 out");
	ok(has_no_controls(text, 1), "no control bytes in the document");
}

static void
test_numbers(void)
{
	struct doc	d;

	doc_start(&d, 0);
	json_arr_open(d.j);
	json_num(d.j, 1.5, 3);
	json_num(d.j, 2.0, 1);
	json_num(d.j, 0.123456, 2);
	json_num(d.j, -0.0001, 2);
	json_num(d.j, 350, 0);
	json_num(d.j, NAN, 2);
	json_num(d.j, INFINITY, 2);
	json_num(d.j, -INFINITY, 2);
	json_num(d.j, 1e300, 2);
	json_int(d.j, INT64_MIN);
	json_arr_close(d.j);
	is_int(doc_end(&d), 0, "number array closes cleanly");
	is_str(text, "[1.5,2,0.12,0,350,null,null,null,"
	    "1.0000000000000001e+300,-9223372036854775808]\n",
	    "numbers: trimmed, NaN/inf as null, huge in exponent form");

	doc_start(&d, 0);
	json_obj_open(d.j);
	json_knum(d.j, "pct", 4.14159, 1);
	json_obj_close(d.j);
	doc_end(&d);
	is_str(text, "{\"pct\":4.1}\n", "json_knum");
}

int
main(void)
{
	test_nesting();
	test_misuse();
	test_strings();
	test_numbers();
	free(text);
	return done_testing();
}
