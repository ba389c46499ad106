#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "tap.h"

static char	out[TB_SAN_BOUND(16384)];

/* Sanitize n bytes of s with flags, no cap, into the big buffer. */
static const char *
san(const char *s, size_t n, int flags)
{
	tb_sanitize(out, sizeof(out), s, n, 0, flags);
	return out;
}

#define SAN(lit, flags)	san(lit, sizeof(lit) - 1, flags)

/* No byte that a terminal would act on. */
static int
is_inert(const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || *p == 0x9b)
			return 0;
	return 1;
}

static void
test_ascii(void)
{
	is_str(SAN("hello, world", 0), "hello, world", "plain ascii as is");
	is_str(SAN("a\\b", 0), "a\\\\b", "backslash doubled");
	is_str(SAN("\x1b[2J", 0), "\\x1b[2J", "ESC[2J escaped");
	is_str(SAN("\x1b]52;c;aGVsbG8=\x07", 0), "\\x1b]52;c;aGVsbG8=\\x07",
	    "OSC 52 clipboard write escaped");
	is_str(SAN("\x9b" "31m", 0), "\\x9b31m", "raw 8-bit CSI escaped");
	is_str(SAN("ab\0cd", 0), "ab\\x00cd", "NUL in the middle kept visible");
	is_str(SAN("bell\x07", 0), "bell\\x07", "BEL escaped");
	is_str(SAN("del\x7f", 0), "del\\x7f", "DEL escaped");
	is_str(SAN("tab\there\r\n", 0), "tab\\x09here\\x0d\\x0a",
	    "tab CR LF escaped");
	is_str(SAN("caf\xc3\xa9", 0), "caf\\xc3\\xa9",
	    "UTF-8 escaped without TB_SAN_UTF8");
	is_int(tb_sanitize_str(out, sizeof(out), "x\x1by"), 6,
	    "tb_sanitize_str returns the length");
	is_str(out, "x\\x1by", "tb_sanitize_str output");
}

static void
test_utf8(void)
{
	is_str(SAN("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7", TB_SAN_UTF8),
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7",
	    "printable UTF-8 passes (2, 3 and 4 bytes)");
	is_str(SAN("a\xc2\x9b" "31m", TB_SAN_UTF8), "a\\xc2\\x9b31m",
	    "C1 CSI as UTF-8 escaped");
	is_str(SAN("\xc2\x85", TB_SAN_UTF8), "\\xc2\\x85", "NEL escaped");
	is_str(SAN("abc\xe2\x80\xaegpj.exe", TB_SAN_UTF8),
	    "abc\\xe2\\x80\\xaegpj.exe", "RLO U+202E escaped");
	is_str(SAN("\xd8\x9c\xe2\x80\x8e\xe2\x81\xa6\xe2\x81\xa9", TB_SAN_UTF8),
	    "\\xd8\\x9c\\xe2\\x80\\x8e\\xe2\\x81\\xa6\\xe2\\x81\\xa9",
	    "ALM, LRM, LRI, PDI escaped");
	is_str(SAN("\xe2\x80\xa8\xe2\x80\xa9", TB_SAN_UTF8),
	    "\\xe2\\x80\\xa8\\xe2\\x80\\xa9", "LS and PS escaped");
	is_str(SAN("\xe2\x80\x94\xe2\x80\xa6", TB_SAN_UTF8),
	    "\xe2\x80\x94\xe2\x80\xa6", "em dash and ellipsis pass");
	is_str(SAN("\xc0\xaf", TB_SAN_UTF8), "\\xc0\\xaf",
	    "overlong slash escaped");
	is_str(SAN("\xe0\x80\xaf", TB_SAN_UTF8), "\\xe0\\x80\\xaf",
	    "3-byte overlong escaped");
	is_str(SAN("\xed\xa0\x80", TB_SAN_UTF8), "\\xed\\xa0\\x80",
	    "surrogate escaped");
	is_str(SAN("\xf4\x90\x80\x80", TB_SAN_UTF8), "\\xf4\\x90\\x80\\x80",
	    "above U+10FFFF escaped");
	is_str(SAN("\xf5\x80", TB_SAN_UTF8), "\\xf5\\x80", "F5 lead escaped");
	is_str(SAN("ok\xe2\x82", TB_SAN_UTF8), "ok\\xe2\\x82",
	    "truncated sequence at end escaped");
	is_str(SAN("\xe2\x82z", TB_SAN_UTF8), "\\xe2\\x82z",
	    "interrupted sequence escaped, next byte kept");
	is_str(SAN("\x80\xbf", TB_SAN_UTF8), "\\x80\\xbf",
	    "lone continuation bytes escaped");
	ok(is_inert(SAN("\x1b\xc2\x9b\x9b\x07\x7f", TB_SAN_UTF8)),
	    "hostile mix leaves nothing a terminal acts on");
}

static void
test_dns(void)
{
	is_str(SAN("www.ex\\ample.com", TB_SAN_DNS), "www.ex\\\\ample.com",
	    "DNS: dots kept, backslash doubled");
	is_str(SAN("a\x07" "b\xff", TB_SAN_DNS), "a\\007b\\255",
	    "DNS: \\DDD decimal escapes");
	is_str(SAN("\xc3\xa9\x01", TB_SAN_DNS | TB_SAN_UTF8), "\xc3\xa9\\001",
	    "DNS + UTF-8");
}

static void
test_cap(void)
{
	char	*big, small[16];
	size_t	 n;

	big = malloc(10240);
	memset(big, 'A', 10240);
	big[100] = '\x1b';
	n = tb_sanitize(out, sizeof(out), big, 10240, 64, 0);
	ok(strncmp(out, "AAAA", 4) == 0, "capped output starts with input");
	ok(strstr(out, "...[+10176 bytes]") != NULL, "ASCII cut mark: %s",
	    out + 60);
	is_int(n, strlen(out), "returns strlen");
	is_int(n, 64 + strlen("...[+10176 bytes]"), "64 bytes then the mark");
	tb_sanitize(out, sizeof(out), big, 10240, 64, TB_SAN_UTF8);
	ok(strstr(out, "\xe2\x80\xa6[+10176 bytes]") != NULL,
	    "UTF-8 cut mark uses the ellipsis");
	/* An escape near the cap counts one source byte. */
	tb_sanitize(out, sizeof(out), big, 10240, 101, 0);
	ok(strstr(out, "A\\x1b...[+10139 bytes]") != NULL,
	    "escape at the cap kept whole");
	/* A UTF-8 sequence straddling the cap is left out whole. */
	tb_sanitize(out, sizeof(out), "ab\xe2\x82\xac", 5, 3, TB_SAN_UTF8);
	is_str(out, "ab\xe2\x80\xa6[+3 bytes]",
	    "sequence across the cap not split");
	/* Small destinations: cut at a character boundary, NUL always. */
	memset(small, 'Z', sizeof(small));
	is_int(tb_sanitize(small, 1, "hello", 5, 0, 0), 0, "dst of 1: empty");
	is_int(small[0], 0, "dst of 1: NUL written");
	is_int(small[1], 'Z', "dst of 1: nothing past it");
	tb_sanitize(small, 2, "hello", 5, 0, 0);
	is_str(small, "h", "dst of 2: one byte");
	tb_sanitize(small, 2, "\x1bhello", 6, 0, 0);
	is_str(small, "", "dst of 2: an escape is not split");
	tb_sanitize(small, 5, "hello world", 11, 0, 0);
	is_str(small, "h...", "dst of 5: the ellipsis alone");
	tb_sanitize(small, 5, "\xe2\x82\xac\xe2\x82\xac", 6, 0, TB_SAN_UTF8);
	is_str(small, "\xe2\x80\xa6", "dst of 5: no half sequence");
	tb_sanitize(small, sizeof(small), "hello world, bye", 16, 0, 0);
	is_str(small, "h...[+15 bytes]", "dst of 16: mark fits");
	is_int(tb_sanitize(small, 0, "x", 1, 0, 0), 0, "dst of 0: nothing");
	is_int(tb_sanitize(out, sizeof(out), NULL, 5, 0, 0), 0, "NULL source");
	free(big);
}

/* Already-escaped text: passed once, never escaped twice, never trusted. */
static void
test_escaped(void)
{
	char	tiny[8];

	ok(tb_is_printable("a\\027b"), "escapes are printable");
	ok(!tb_is_printable("a\033b"), "ESC is not");
	ok(!tb_is_printable(NULL), "NULL is not");
	tb_sanitize_escaped(out, sizeof(out), "esc\\027.t", 0);
	is_str(out, "esc\\027.t", "dig escapes pass as they are");
	tb_sanitize_escaped(out, sizeof(out), "raw\033[2J\\", 0);
	is_str(out, "raw\\x1b[2J\\\\", "raw ESC: sanitized, \\ doubled");
	tb_sanitize_escaped(out, sizeof(out), "\xc2\x9b", 0);
	is_str(out, "\\xc2\\x9b", "C1 as UTF-8: escaped");
	tb_sanitize_escaped(out, sizeof(out), "0123456789", 4);
	is_str(out, "0123...[+6 bytes]", "over maxlen: cut visibly");
	tb_sanitize_escaped(tiny, sizeof(tiny), "0123456789", 0);
	ok(strlen(tiny) < sizeof(tiny), "over dst: cut, terminated");
	tb_sanitize_escaped(out, sizeof(out), NULL, 0);
	is_str(out, "", "NULL is empty");
}

int
main(void)
{
	test_ascii();
	test_utf8();
	test_dns();
	test_cap();
	test_escaped();
	return done_testing();
}
